// File: services/root/console_sign_in.h
//
// Console sign-in, which AWS has no API for (extension operation ConsoleSignIn): the root user
// by email, password and MFA code; an IAM user by account ID or alias, user name, password and
// MFA code, with the account's password expiry and pending resets. A success returns temporary
// console-session credentials (kind ConsoleSession) that act as the user or root, carrying
// aws:MultiFactorAuthPresent / aws:MultiFactorAuthAge when MFA was used.
//
// Every attempt leaves a ConsoleLogin event (root_common.h); a failure also counts towards the
// lockout (kLockAfterFailures in a row lock the principal's sign-in for kLockSeconds). Both are
// written through RequestContext::writes_on_failure, so they stand while nothing else of the
// failed attempt does.
//
// Thread-safety: handlers keep no state.
#pragma once

#include <string>
#include <vector>

#include "gateway/request_context.h"
#include "services/iam/console_passwords.h"
#include "services/root/root_common.h"

namespace orgtwin::services::root {

// AWS-COMPAT: AWS's sign-in page answers repeated failures with a CAPTCHA, which a twin cannot
// pose; it locks the principal's console sign-in instead, for 15 minutes after 5 failures.
inline constexpr int64_t kLockAfterFailures = 5;
inline constexpr double kLockSeconds = 15 * 60;

// The first step every root flow shares: who signs in, and their password.
struct PasswordStep {
  SignInAttempt attempt;  // type, account, ARN; success and mfa_used still false
  std::string user_id;    // "" = root
  iam::ConsoleLogin login;
};
// Finds the principal (Email: root; else AccountId or alias + UserName) and checks the password,
// the lockout and, when `parties` are named, that one of them knows the password. A failure
// queues its ConsoleLogin record and failure count on ctx.writes_on_failure.
Result<PasswordStep> CheckPasswordStep(gateway::RequestContext& ctx, const Json& input,
                                       const std::vector<std::string>& parties);
// Queues the ConsoleLogin failure of `attempt` (and a failed-sign-in count for `user_id`).
void RecordFailure(gateway::RequestContext& ctx, const SignInAttempt& attempt,
                   const std::string& user_id, bool count_failure);

Result<Json> ConsoleSignIn(gateway::RequestContext& ctx, const Json& input);

}  // namespace orgtwin::services::root
