#include "services/organizations/signup.h"

#include <regex>

#include "common/partition.h"
#include "repo/account_repository.h"

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
  OT_ASSIGN_OR_RETURN(auto taken, repo::FindAccountByEmail(tx, request.email));
  if (taken.has_value()) {
    return AlreadyExistsError("an account with email " + request.email + " already exists")
        .WithAwsCode("EmailAlreadyExists");
  }
  const std::string partition = request.partition.empty() ? "aws" : request.partition;
  if (!IsKnownPartition(partition)) {
    return InvalidInputError("Partition must be one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b")
        .WithAwsCode("InvalidInput");
  }
  SignupResult result;
  if (!request.account_id.empty()) {
    if (request.account_id.size() != 12 ||
        request.account_id.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidInputError("AccountId must be 12 digits").WithAwsCode("InvalidInput");
    }
    OT_ASSIGN_OR_RETURN(auto existing, repo::FindAccount(tx, request.account_id));
    if (existing.has_value()) {
      return AlreadyExistsError("account " + request.account_id + " already exists")
          .WithAwsCode("AccountAlreadyExists");
    }
    result.account_id = request.account_id;
  }
  // Account IDs are random; retry the rare collision with an existing one.
  for (int attempt = 0; result.account_id.empty(); ++attempt) {
    std::string drawn = ids.AccountId();
    OT_ASSIGN_OR_RETURN(auto existing, repo::FindAccount(tx, drawn));
    if (!existing.has_value()) result.account_id = std::move(drawn);
    if (attempt > 16) return InternalError("could not draw a free account ID");
  }
  repo::AccountRow account;
  account.account_id = result.account_id;
  account.email = request.email;
  account.name = request.account_name;
  account.created_at = ToEpochSeconds(clock.Now());
  account.has_payment_method = request.payment_method;
  account.has_contact_info = request.contact_information;
  // A signed-up account starts with IAM user and role access to billing deactivated: only its
  // root user sees billing until the root user activates it (root_tasks.cc). Accounts an
  // organization creates take CreateAccount's IamUserAccessToBilling instead (ALLOW by default).
  account.iam_user_access_to_billing = false;
  account.aws_partition = partition;
  OT_RETURN_IF_ERROR(repo::InsertAccount(tx, account));
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
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(tx, account_id));
  if (!account.has_value()) return NotFoundError("no account " + account_id);
  // AWS-COMPAT: with IAM access to billing deactivated only the root user manages payments.
  if (!caller_is_root && !account->iam_user_access_to_billing) {
    return AccessDeniedError("IAM user and role access to billing is not activated for account " +
                             account_id + "; only its root user can add a payment method.");
  }
  return repo::SetHasPaymentMethod(tx, account_id);
}

}  // namespace orgtwin::services
