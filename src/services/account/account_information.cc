// GetAccountInformation, PutAccountName and the root email's change (GetPrimaryEmail,
// StartPrimaryEmailUpdate, AcceptPrimaryEmailUpdate) over the accounts table.
#include <optional>
#include <string>

#include "common/ids.h"
#include "gateway/gateway.h"
#include "repo/account_repository.h"
#include "repo/recovery_repository.h"
#include "services/account/account_internal.h"
#include "services/account/primary_email.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::account {
namespace {

using iam::Str;

constexpr char kEmailUpdatePurpose[] = "primary-email-update";
// AWS-COMPAT: AWS documents neither how long the code mailed by StartPrimaryEmailUpdate stays
// valid nor whether a later Start replaces it; the twin keeps it for 24 hours and lets the newest
// code of an account replace the earlier ones.
constexpr double kOtpLifetimeSeconds = 24 * 3600;

Result<repo::AccountRow> LoadAccount(store::Transaction& tx, const std::string& account_id) {
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccountRow> account, repo::FindAccount(tx, account_id));
  if (!account.has_value()) return NotFound("The account " + account_id + " was not found.");
  return *std::move(account);
}

// The Account API's AccountState for the registry's Organizations state.
std::string AccountState(const repo::AccountRow& account) {
  // AWS-COMPAT: Organizations' PENDING_CLOSURE has no Account API counterpart; the account still
  // works until it is closed, so the twin answers ACTIVE.
  if (account.state == "SUSPENDED" || account.state == "CLOSED") return account.state;
  return "ACTIVE";
}

// ConflictException when an account already signs in with `email` (AWS-FACTS 5: the root email
// is unique across accounts).
Status CheckEmailFree(store::Transaction& tx, const std::string& email) {
  // Organizations matches addresses without regard to case; a root email is one identity.
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccountRow> holder,
                      repo::FindAccountByEmailIgnoringCase(tx, email));
  if (holder.has_value()) {
    // AWS-COMPAT: the ConflictException's documentation names an address already in use; its
    // text is the twin's, and the account's own current address counts as in use too.
    return Conflict("The email address " + email + " is already in use.");
  }
  return Status::Ok();
}

}  // namespace

Result<Json> GetAccountInformation(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, TargetAccount(ctx, input));
  OT_ASSIGN_OR_RETURN(repo::AccountRow account, LoadAccount(ctx.tx, account_id));
  return Json{{"AccountId", account.account_id},
              {"AccountName", account.name},
              {"AccountCreatedDate", account.created_at},
              {"AccountState", AccountState(account)}};
}

Result<Json> PutAccountName(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, TargetAccount(ctx, input));
  OT_RETURN_IF_ERROR(LoadAccount(ctx.tx, account_id).status());
  OT_RETURN_IF_ERROR(repo::SetAccountName(ctx.tx, account_id, Str(input, "AccountName")));
  return Json();
}

Result<Json> GetPrimaryEmail(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, MemberTargetAccount(ctx, input));
  OT_ASSIGN_OR_RETURN(repo::AccountRow account, LoadAccount(ctx.tx, account_id));
  return Json{{"PrimaryEmail", account.email}};
}

Status StartEmailUpdate(gateway::RequestContext& ctx, const std::string& account_id,
                        const std::string& email) {
  store::Transaction& tx = ctx.tx;
  OT_RETURN_IF_ERROR(LoadAccount(tx, account_id).status());
  OT_RETURN_IF_ERROR(CheckEmailFree(tx, email));

  const double now = NowSeconds(ctx);
  OT_RETURN_IF_ERROR(repo::RetireTokens(tx, account_id, kEmailUpdatePurpose, now));
  // The code is the token's key: draw again on the rare clash with a stored code.
  IdGenerator& ids = ctx.twin.ids;
  std::string otp;
  for (;;) {
    otp = ids.RandomString(6, IdGenerator::kUpperAlnum);
    OT_ASSIGN_OR_RETURN(std::optional<repo::TokenRow> clash, repo::FindToken(tx, otp));
    if (!clash.has_value()) break;
  }
  OT_RETURN_IF_ERROR(repo::InsertToken(tx, repo::TokenRow{.token = otp,
                                                          .purpose = kEmailUpdatePurpose,
                                                          .account_id = account_id,
                                                          .subject = repo::MailboxKey(email),
                                                          .created_at = now,
                                                          .expires_at = now + kOtpLifetimeSeconds,
                                                          .used_at = std::nullopt}));
  return repo::InsertMail(
      tx, repo::MailRow{
              .message_id = ids.Uuid(),
              .address = email,
              .sent_at = now,
              .subject = "AWS account " + account_id + ": verify your new email address",
              .body = "A request was made to make this address the root user email address of "
                      "AWS account " +
                      account_id + ". To accept it, use this verification code: " + otp +
                      "\nThe code expires in 24 hours.",
              .token = otp});
}

Status AcceptEmailUpdate(gateway::RequestContext& ctx, const std::string& account_id,
                         const std::string& email, const std::string& otp) {
  store::Transaction& tx = ctx.tx;
  OT_RETURN_IF_ERROR(LoadAccount(tx, account_id).status());
  const double now = NowSeconds(ctx);

  // AWS-COMPAT: AWS's answers to a wrong, used or expired code are not documented; the twin
  // answers each with a ValidationException on the Otp field (the model's error for input
  // that cannot be accepted), in words that say which.
  OT_ASSIGN_OR_RETURN(std::optional<repo::TokenRow> token, repo::FindToken(tx, otp));
  if (!token.has_value() || token->purpose != kEmailUpdatePurpose ||
      token->account_id != account_id || token->subject != repo::MailboxKey(email)) {
    return Validation("The OTP code is not valid for this account and email address.");
  }
  if (token->used_at.has_value()) {
    return Validation("The OTP code was already used or replaced by a newer one.");
  }
  if (now >= token->expires_at) {
    return Validation("The OTP code has expired. Call StartPrimaryEmailUpdate again.");
  }
  // Another account may have taken the address since the code was sent.
  OT_RETURN_IF_ERROR(CheckEmailFree(tx, email));
  OT_ASSIGN_OR_RETURN(bool fresh, repo::UseToken(tx, token->token, now));
  if (!fresh) return Validation("The OTP code was already used or replaced by a newer one.");
  return repo::SetAccountEmail(tx, account_id, email);
}

Result<Json> StartPrimaryEmailUpdate(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, MemberTargetAccount(ctx, input));
  OT_RETURN_IF_ERROR(StartEmailUpdate(ctx, account_id, Str(input, "PrimaryEmail")));
  return Json{{"Status", "PENDING"}};
}

Result<Json> AcceptPrimaryEmailUpdate(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, MemberTargetAccount(ctx, input));
  OT_RETURN_IF_ERROR(
      AcceptEmailUpdate(ctx, account_id, Str(input, "PrimaryEmail"), Str(input, "Otp")));
  return Json{{"Status", "ACCEPTED"}};
}

}  // namespace orgtwin::services::account
