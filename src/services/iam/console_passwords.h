// File: services/iam/console_passwords.h
//
// Console passwords (iam_login_profiles, migrations 0005 and 0016) as the console sign-in and
// the root recovery flows (services/root/) need them: the stored login of a user or of root,
// the account's password rules, and setting a password through the same checks as IAM's
// CreateLoginProfile and ChangePassword. The SQL stays in login_profiles.cc, beside IAM's own
// operations on the same table.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::services::iam {

// A principal's console login; user_id "" is the root user.
struct ConsoleLogin {
  std::string password_hash;
  bool reset_required = false;
  double password_set_at = 0;  // the last change, else the profile's creation
  int64_t failed_sign_ins = 0;
  std::optional<double> locked_until;
};
Result<std::optional<ConsoleLogin>> FindConsoleLogin(store::Transaction& tx,
                                                     std::string_view account_id,
                                                     std::string_view user_id);

// The account password policy's rules on expiry (IAM users only; root passwords never expire).
struct PasswordExpiry {
  int64_t max_age_days = 0;  // 0 = passwords do not expire
  bool hard_expiry = false;  // an expired password cannot be changed at sign-in
  bool allow_change = false;
};
Result<PasswordExpiry> PasswordExpiryOf(store::Transaction& tx, std::string_view account_id);

// Sets the console password of `user_id` ("" = root), creating the login when there is none.
// An IAM user's password meets the account policy (and its reuse rule); root's meets AWS's
// default rules. Clears a pending reset and the failed-sign-in count. PasswordPolicyViolation
// when the password is refused.
Status SetConsolePassword(store::Transaction& tx, std::string_view account_id,
                          std::string_view user_id, std::string_view password, double now);

// The account an IAM account alias names ("" when none does).
Result<std::string> AccountOfAlias(store::Transaction& tx, std::string_view alias);

// A failed sign-in: counts it and, at `lock_after` failures in a row, locks the login until
// `locked_until`. A principal without a login is left as is.
Status RecordFailedSignIn(store::Transaction& tx, std::string_view account_id,
                          std::string_view user_id, int64_t lock_after, double locked_until);
// A successful sign-in at `now`: clears the failures, records the password's last use.
Status RecordSignIn(store::Transaction& tx, std::string_view account_id, std::string_view user_id,
                    double now);

}  // namespace orgtwin::services::iam
