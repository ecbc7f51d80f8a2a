#include "services/root/console_sign_in.h"

#include <cmath>

#include "auth/password.h"
#include "common/ascii.h"
#include "repo/account_repository.h"
#include "repo/iam_repository.h"
#include "services/iam/mfa.h"
#include "services/identity/session_issuer.h"
#include "services/trail/audit_trail.h"

namespace orgtwin::services::root {
namespace {

// AWS-COMPAT: console sessions last 12 hours for IAM users; the twin gives root one hour, as
// STS caps root's own sessions.
constexpr int64_t kUserConsoleSeconds = int64_t{12} * 3600;
constexpr int64_t kRootConsoleSeconds = 3600;

bool IsAccountId(std::string_view text) {
  return text.size() == 12 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// The MFA step: a code of one of the principal's devices (MfaSerialNumber picks one; without it
// any device's code is accepted, as the console lets the user choose), held by the parties.
Result<bool> CheckMfaStep(gateway::RequestContext& ctx, const Json& input,
                          const std::vector<std::string>& parties, const PasswordStep& step) {
  const std::string& account = step.attempt.account_id;
  OT_ASSIGN_OR_RETURN(auto devices, repo::MfaDevicesOfUser(ctx.tx, account, step.user_id, "", 8));
  if (devices.empty()) return false;
  const std::string code = Str(input, "MfaCode");
  if (code.empty()) {
    return UnauthenticatedError("An MFA device is registered: enter its code (MfaCode).")
        .WithAwsCode("MfaRequired");
  }
  const std::string serial = Str(input, "MfaSerialNumber");
  for (const repo::MfaDeviceRow& device : devices) {
    if (!serial.empty() && device.serial_number != serial) continue;
    Status verified =
        iam::VerifyMfaToken(ctx.tx, account, step.user_id, device.serial_number, code, ctx.now);
    if (!verified.ok()) continue;
    OT_RETURN_IF_ERROR(
        CheckHeld(ctx.tx, parties, kMfaDevice, device.serial_number, "the MFA device"));
    return true;
  }
  RecordFailure(ctx, step.attempt, step.user_id, true);
  return AuthenticationFailed(std::string(kFailedAuthentication) +
                              ": the MFA code is wrong, already used or of another device.");
}

// An IAM user's pending reset or expired password: changed at sign-in with NewPassword.
Status CheckPasswordAge(gateway::RequestContext& ctx, const Json& input, const PasswordStep& step) {
  if (step.user_id.empty()) return Status::Ok();  // root passwords never expire
  const std::string& account = step.attempt.account_id;
  OT_ASSIGN_OR_RETURN(iam::PasswordExpiry expiry, iam::PasswordExpiryOf(ctx.tx, account));
  const double now = ToEpochSeconds(ctx.now);
  const bool expired =
      expiry.max_age_days > 0 &&
      now - step.login.password_set_at > static_cast<double>(expiry.max_age_days) * 86400.0;
  if (!expired && !step.login.reset_required) return Status::Ok();
  if (expired && expiry.hard_expiry) {
    return AuthenticationFailed(
        "The password has expired and the account's password policy (HardExpiry) lets only an "
        "administrator reset it.");
  }
  const std::string new_password = Str(input, "NewPassword");
  if (new_password.empty()) {
    return UnauthenticatedError(expired ? "The password has expired: sign in with NewPassword."
                                        : "A new password is required: sign in with NewPassword.")
        .WithAwsCode("PasswordChangeRequired");
  }
  Status set = iam::SetConsolePassword(ctx.tx, account, step.user_id, new_password, now);
  if (set.code() == ErrorCode::kInvalidInput) return Validation(set.message());
  return set;
}

}  // namespace

void RecordFailure(gateway::RequestContext& ctx, const SignInAttempt& attempt,
                   const std::string& user_id, bool count_failure) {
  if (ctx.writes_on_failure == nullptr) return;
  SignInAttempt failed = attempt;
  failed.success = false;
  const double locked_until = ToEpochSeconds(ctx.now) + kLockSeconds;
  // The writes run after the handler returned (and its transaction rolled back): they hold
  // copies of what they write, nothing of the request.
  ctx.writes_on_failure->push_back([event = ConsoleLoginEvent(ctx, failed), now = ctx.now,
                                    ids = &ctx.twin.ids](store::Transaction& tx) {
    return trail::RecordEvent(tx, now, *ids, event);
  });
  if (count_failure) {
    ctx.writes_on_failure->push_back(
        [account = failed.account_id, user_id, locked_until](store::Transaction& tx) {
          return iam::RecordFailedSignIn(tx, account, user_id, kLockAfterFailures, locked_until);
        });
  }
}

Result<PasswordStep> CheckPasswordStep(gateway::RequestContext& ctx, const Json& input,
                                       const std::vector<std::string>& parties) {
  store::Transaction& tx = ctx.tx;
  const std::string email = Str(input, "Email");
  PasswordStep step;
  if (!email.empty()) {
    OT_ASSIGN_OR_RETURN(auto account, repo::FindAccountByEmailIgnoringCase(tx, email));
    // An unknown email has no account to record the attempt in.
    if (!account.has_value()) return AuthenticationFailed(std::string(kFailedAuthentication));
    step.attempt.type = auth::PrincipalType::kRoot;
    step.attempt.account_id = account->account_id;
    step.attempt.principal_id = account->account_id;
    step.attempt.arn = auth::RootArn(account->account_id);
  } else {
    std::string account_id = Str(input, "AccountId");
    const std::string user_name = Str(input, "UserName");
    if (account_id.empty() || user_name.empty()) {
      return Validation("Sign in with Email (root user) or with AccountId and UserName.");
    }
    if (!IsAccountId(account_id)) {
      OT_ASSIGN_OR_RETURN(account_id, iam::AccountOfAlias(tx, AsciiLowerCopy(account_id)));
      if (account_id.empty()) return AuthenticationFailed(std::string(kFailedAuthentication));
    }
    OT_ASSIGN_OR_RETURN(auto user, repo::FindUser(tx, account_id, user_name));
    step.attempt.type = auth::PrincipalType::kUser;
    step.attempt.account_id = account_id;
    if (!user.has_value()) {
      // AWS-COMPAT: CloudTrail hides the name typed for a user that does not exist.
      step.attempt.principal_id = account_id;
      step.attempt.user_name = "HIDDEN_DUE_TO_SECURITY_REASONS";
      OT_ASSIGN_OR_RETURN(auto exists, repo::FindAccount(tx, account_id));
      if (exists.has_value()) RecordFailure(ctx, step.attempt, "", false);
      return AuthenticationFailed(std::string(kFailedAuthentication));
    }
    step.user_id = user->user_id;
    step.attempt.principal_id = user->user_id;
    step.attempt.arn = user->Arn();
    step.attempt.user_name = user->name;
  }
  OT_ASSIGN_OR_RETURN(auto login, iam::FindConsoleLogin(tx, step.attempt.account_id, step.user_id));
  const double now = ToEpochSeconds(ctx.now);
  if (login.has_value() && login->locked_until.has_value() && *login->locked_until > now) {
    RecordFailure(ctx, step.attempt, step.user_id, false);
    return Status(ErrorCode::kLimitExceeded,
                  "Too many failed sign-ins: console sign-in is locked for " +
                      std::to_string(static_cast<int64_t>(std::ceil(*login->locked_until - now))) +
                      " more seconds.")
        .WithAwsCode("SignInLocked");
  }
  if (!login.has_value() || !auth::VerifyPassword(Str(input, "Password"), login->password_hash)) {
    RecordFailure(ctx, step.attempt, step.user_id, login.has_value());
    return AuthenticationFailed(std::string(kFailedAuthentication));
  }
  const bool root = step.user_id.empty();
  Status held = CheckHeld(
      tx, parties, root ? kRootPassword : kIamPassword,
      root ? step.attempt.account_id : step.attempt.account_id + "/" + step.attempt.user_name,
      root ? "the root user's password" : "the user's password");
  if (!held.ok()) {
    RecordFailure(ctx, step.attempt, step.user_id, false);
    return held;
  }
  step.login = std::move(*login);
  return step;
}

Result<Json> ConsoleSignIn(gateway::RequestContext& ctx, const Json& input) {
  const std::vector<std::string> parties = PartiesOf(input);
  OT_ASSIGN_OR_RETURN(PasswordStep step, CheckPasswordStep(ctx, input, parties));
  Result<bool> mfa = CheckMfaStep(ctx, input, parties, step);
  if (!mfa.ok()) {
    if (mfa.status().code() == ErrorCode::kAccessDenied) {
      RecordFailure(ctx, step.attempt, step.user_id, false);
    }
    return mfa.status();
  }
  OT_RETURN_IF_ERROR(CheckPasswordAge(ctx, input, step));
  step.attempt.success = true;
  step.attempt.mfa_used = *mfa;
  const std::string& account = step.attempt.account_id;
  OT_RETURN_IF_ERROR(iam::RecordSignIn(ctx.tx, account, step.user_id, ToEpochSeconds(ctx.now)));

  const bool root = step.user_id.empty();
  SessionGrant grant;
  grant.account_id = account;
  grant.kind = "ConsoleSession";
  grant.principal_name = root ? "" : step.attempt.user_name;
  grant.user_name = grant.principal_name;
  if (*mfa) grant.mfa_at = ctx.now;
  OT_ASSIGN_OR_RETURN(TemporaryCredentials credentials,
                      IssueTemporaryCredentials(ctx.tx, ctx.twin.ids, ctx.now, grant,
                                                root ? kRootConsoleSeconds : kUserConsoleSeconds));
  OT_RETURN_IF_ERROR(
      trail::RecordEvent(ctx.tx, ctx.now, ctx.twin.ids, ConsoleLoginEvent(ctx, step.attempt)));
  return Json{{"AccountId", account},
              {"Arn", step.attempt.arn},
              {"PrincipalType", auth::PrincipalTypeName(step.attempt.type)},
              {"MfaUsed", *mfa},
              {"Credentials", CredentialsObject(credentials)}};
}

}  // namespace orgtwin::services::root
