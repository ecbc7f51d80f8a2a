#include "services/organizations/signup.h"

#include <regex>

namespace orgtwin::services {
namespace {

bool ValidEmail(const std::string& email) {
  static const std::regex kEmail(R"([^\s@]+@[^\s@]+\.[^\s@]+)");
  return email.size() >= 6 && email.size() <= 64 && std::regex_match(email, kEmail);
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 50) return false;
  for (char c : name) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Result<SignupResult> SignUpStandaloneAccount(store::Transaction& tx, CredentialStore& credentials,
                                             IdGenerator& ids, const Clock& clock,
                                             const SignupRequest& request) {
  if (!ValidEmail(request.email)) {
    return InvalidInputError("Email must be 6 to 64 characters of the form name@domain.tld")
        .WithAwsCode("InvalidInput");
  }
  if (!ValidName(request.account_name)) {
    return InvalidInputError("AccountName must be 1 to 50 printable ASCII characters")
        .WithAwsCode("InvalidInput");
  }
  OT_ASSIGN_OR_RETURN(auto taken,
                      tx.Query("SELECT account_id FROM accounts WHERE email = ?", {request.email}));
  if (!taken.empty()) {
    return AlreadyExistsError("an account with email " + request.email + " already exists")
        .WithAwsCode("EmailAlreadyExists");
  }
  SignupResult result;
  // Account IDs are random; retry the rare collision with an existing one.
  for (int attempt = 0;; ++attempt) {
    result.account_id = ids.AccountId();
    OT_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT 1 FROM accounts WHERE account_id = ?", {result.account_id}));
    if (rows.empty()) break;
    if (attempt > 16) return InternalError("could not draw a free account ID");
  }
  OT_ASSIGN_OR_RETURN(
      [[maybe_unused]] int64_t changed,
      tx.Execute(
          "INSERT INTO accounts (account_id, email, name, state, created_at, "
          "has_payment_method, has_contact_info) VALUES (?, ?, ?, 'ACTIVE', ?, ?, ?)",
          {result.account_id, request.email, request.account_name, ToEpochSeconds(clock.Now()),
           int64_t{request.payment_method ? 1 : 0}, int64_t{request.contact_information ? 1 : 0}}));
  OT_ASSIGN_OR_RETURN(Credential key,
                      credentials.CreateRootAccessKey(tx, ids, clock, result.account_id));
  result.access_key_id = key.access_key_id;
  result.secret_access_key = key.secret_access_key;
  return result;
}

Result<SignupResult> SignUpStandaloneAccount(store::Store& store, CredentialStore& credentials,
                                             IdGenerator& ids, const Clock& clock,
                                             const SignupRequest& request) {
  OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kWrite));
  OT_ASSIGN_OR_RETURN(SignupResult result,
                      SignUpStandaloneAccount(*tx, credentials, ids, clock, request));
  OT_RETURN_IF_ERROR(tx->Commit());
  return result;
}

Status AddPaymentMethod(store::Transaction& tx, const std::string& account_id,
                        bool caller_is_root) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT iam_user_access_to_billing FROM accounts "
                                          "WHERE account_id = ?",
                                          {account_id}));
  if (rows.empty()) return NotFoundError("no account " + account_id);
  // AWS-COMPAT: with IAM access to billing deactivated only the root user manages payments.
  if (!caller_is_root && rows.front().Int(0) == 0) {
    return AccessDeniedError("IAM user and role access to billing is not activated for account " +
                             account_id + "; only its root user can add a payment method.");
  }
  OT_ASSIGN_OR_RETURN(
      [[maybe_unused]] int64_t changed,
      tx.Execute("UPDATE accounts SET has_payment_method = 1 WHERE account_id = ?", {account_id}));
  return Status::Ok();
}

}  // namespace orgtwin::services
