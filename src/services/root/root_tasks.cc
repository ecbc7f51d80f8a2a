// Tasks only the root user may do (AWS-FACTS 6): change its password and its email (a code
// mailed to the new address, services/account/primary_email.h), assign its MFA devices,
// activate IAM user and role access to billing, close the account. Root's access keys are
// root's own by construction (IAM's operations act on the caller's own or a named user's). An IAM
// principal is refused whatever its policies allow, as AWS refuses it.
#include "auth/password.h"
#include "repo/account_repository.h"
#include "repo/org_repository.h"
#include "services/account/primary_email.h"
#include "services/iam/console_passwords.h"
#include "services/iam/mfa.h"
#include "services/root/root_handlers.h"

namespace orgtwin::services::root {
namespace {

// AWS-COMPAT: the console's refusal has no API error; the twin answers AccessDeniedException.
Status RequireRoot(const gateway::RequestContext& ctx, std::string_view task) {
  const auth::Principal& caller = ctx.caller;
  // An AssumeRoot session is root only for its task policy's actions, none of which is these.
  const bool root_session =
      caller.session != nullptr && caller.session->kind == auth::SessionKind::kRootSession;
  if (caller.type == auth::PrincipalType::kRoot && !root_session) return Status::Ok();
  return AccessDenied("Only the root user of account " + caller.account_id + " can " +
                      std::string(task) + "; " + caller.arn + " is not the root user.");
}

bool Flag(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

}  // namespace

Result<Json> ChangeRootPassword(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireRoot(ctx, "change the root user's password"));
  const std::string& account = ctx.caller.account_id;
  OT_ASSIGN_OR_RETURN(auto login, iam::FindConsoleLogin(ctx.tx, account, ""));
  if (login.has_value() &&
      !auth::VerifyPassword(Str(input, "CurrentPassword"), login->password_hash)) {
    return AuthenticationFailed("The current password is incorrect.");
  }
  Status set = iam::SetConsolePassword(ctx.tx, account, "", Str(input, "NewPassword"),
                                       ToEpochSeconds(ctx.now));
  if (set.code() == ErrorCode::kInvalidInput) return Validation(set.message());
  OT_RETURN_IF_ERROR(set);
  return Json{{"Message", "The root user's password of account " + account + " was changed."}};
}

Result<Json> StartRootEmailChange(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireRoot(ctx, "change the root user's email"));
  const std::string& account = ctx.caller.account_id;
  OT_ASSIGN_OR_RETURN(auto login, iam::FindConsoleLogin(ctx.tx, account, ""));
  if (login.has_value() &&
      !auth::VerifyPassword(Str(input, "CurrentPassword"), login->password_hash)) {
    return AuthenticationFailed("The current password is incorrect.");
  }
  const std::string email = Str(input, "NewEmail");
  OT_RETURN_IF_ERROR(account::StartEmailUpdate(ctx, account, email));
  return Json{{"Message", "A verification code was sent to " + email + "."}};
}

Result<Json> CompleteRootEmailChange(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireRoot(ctx, "change the root user's email"));
  const std::string email = Str(input, "NewEmail");
  OT_RETURN_IF_ERROR(
      account::AcceptEmailUpdate(ctx, ctx.caller.account_id, email, Str(input, "Code")));
  return Json{{"Message", "The root user of account " + ctx.caller.account_id +
                              " now signs in with " + email + "."}};
}

Result<Json> EnableRootMfaDevice(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireRoot(ctx, "assign an MFA device to the root user"));
  const std::string serial = Str(input, "SerialNumber");
  Status enabled = iam::EnableMfaDevice(ctx.tx, ctx.caller.account_id, "", serial,
                                        Str(input, "AuthenticationCode1"),
                                        Str(input, "AuthenticationCode2"), ctx.now);
  switch (enabled.code()) {
    case ErrorCode::kOk:
      break;
    case ErrorCode::kNotFound:
      return NotFound(enabled.message());
    case ErrorCode::kInvalidInput:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kLimitExceeded:
      return Validation(enabled.message());
    case ErrorCode::kAccessDenied:
    case ErrorCode::kUnauthenticated:
      return AuthenticationFailed(enabled.message());
    default:
      return enabled;
  }
  return Json{{"Message", "MFA device " + serial + " now protects the root user of account " +
                              ctx.caller.account_id + "."}};
}

Result<Json> SetIamUserAccessToBilling(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(
      RequireRoot(ctx, "activate or deactivate IAM user and role access to billing"));
  const bool enabled = Flag(input, "Enabled");
  OT_RETURN_IF_ERROR(repo::SetIamUserAccessToBilling(ctx.tx, ctx.caller.account_id, enabled));
  return Json{{"AccountId", ctx.caller.account_id}, {"IamUserAccessToBilling", enabled}};
}

Result<Json> CloseAccount(gateway::RequestContext& ctx, const Json&) {
  OT_RETURN_IF_ERROR(RequireRoot(ctx, "close the account"));
  const std::string& account = ctx.caller.account_id;
  OT_ASSIGN_OR_RETURN(auto row, repo::FindAccount(ctx.tx, account));
  if (!row.has_value()) return NotFound("Account " + account + " does not exist.");
  if (row->state != "ACTIVE") {
    return Validation("Account " + account + " is already " + row->state + ".");
  }
  // AWS: a management account is closed only once its organization has no other member.
  OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(ctx.tx, account));
  if (org.has_value() && org->management_account_id == account) {
    if (org->member_count > 1) {
      return Validation("Account " + account + " manages organization " + org->org_id +
                        ", which has other member accounts: remove them first.");
    }
  }
  OT_RETURN_IF_ERROR(repo::SuspendAccount(ctx.tx, account, ToEpochSeconds(ctx.now)));
  return Json{{"AccountId", account}, {"Status", "SUSPENDED"}};
}

}  // namespace orgtwin::services::root
