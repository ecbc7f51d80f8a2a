// Console passwords and account settings: Create/Get/Update/DeleteLoginProfile, ChangePassword,
// Update/Get/DeleteAccountPasswordPolicy and Create/Delete/ListAccountAliases (tables of
// migration 0005; password history of 0007).
#include <set>

#include "auth/password.h"
#include "services/iam/console_passwords.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// AWS-COMPAT: the characters the IAM password policy counts as symbols.
constexpr std::string_view kSymbols = "!@#$%^&*()_+-=[]{}|'";

struct PasswordPolicyValues {
  bool present = false;
  int64_t min_length = 6;
  bool symbols = false, numbers = false, upper = false, lower = false;
  bool allow_change = false;
  int64_t max_age = 0;  // days; 0 = passwords do not expire
  int64_t reuse = 0;
  std::optional<bool> hard_expiry;
};

Result<PasswordPolicyValues> ReadPasswordPolicy(store::Transaction& tx,
                                                const std::string& account) {
  PasswordPolicyValues p;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy FROM iam_password_policies WHERE "
                                          "account_id = ?",
                                          {account}));
  if (rows.empty()) return p;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(rows.front().Text(0), ec);
  if (ec || !v.is_object()) return InternalError("stored password policy is not JSON");
  const Json& o = v.as_object();
  p.present = true;
  p.min_length = Int(o, "MinimumPasswordLength").value_or(6);
  p.symbols = Bool(o, "RequireSymbols", false);
  p.numbers = Bool(o, "RequireNumbers", false);
  p.upper = Bool(o, "RequireUppercaseCharacters", false);
  p.lower = Bool(o, "RequireLowercaseCharacters", false);
  p.allow_change = Bool(o, "AllowUsersToChangePassword", false);
  p.max_age = Int(o, "MaxPasswordAge").value_or(0);
  p.reuse = Int(o, "PasswordReusePrevention").value_or(0);
  if (Has(o, "HardExpiry")) p.hard_expiry = Bool(o, "HardExpiry", false);
  return p;
}

Json PolicyToWire(const PasswordPolicyValues& p) {
  Json out{{"MinimumPasswordLength", p.min_length}, {"RequireSymbols", p.symbols},
           {"RequireNumbers", p.numbers},           {"RequireUppercaseCharacters", p.upper},
           {"RequireLowercaseCharacters", p.lower}, {"AllowUsersToChangePassword", p.allow_change},
           {"ExpirePasswords", p.max_age > 0}};
  if (p.max_age > 0) out["MaxPasswordAge"] = p.max_age;
  if (p.reuse > 0) out["PasswordReusePrevention"] = p.reuse;
  if (p.hard_expiry.has_value()) out["HardExpiry"] = *p.hard_expiry;
  return out;
}

// Checks `password` against the account policy or, when none is set, AWS's default policy.
Status CheckPassword(const PasswordPolicyValues& p, std::string_view password) {
  bool has_upper = false, has_lower = false, has_number = false, has_symbol = false;
  for (char c : password) {
    if (c >= 'A' && c <= 'Z') has_upper = true;
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= '0' && c <= '9') has_number = true;
    if (kSymbols.find(c) != std::string_view::npos) has_symbol = true;
  }
  if (!p.present) {
    // AWS-COMPAT: without a custom policy IAM applies its default one: at least 8 characters
    // and at least three of the four character types.
    if (password.size() < 8) {
      return PasswordPolicyViolation("Password should have a minimum length of 8");
    }
    int kinds = int{has_upper} + int{has_lower} + int{has_number} + int{has_symbol};
    if (kinds < 3) {
      return PasswordPolicyViolation(
          "Password should have at least three of the following character types: uppercase "
          "letters, lowercase letters, numbers and symbols");
    }
    return Status::Ok();
  }
  if (static_cast<int64_t>(password.size()) < p.min_length) {
    return PasswordPolicyViolation("Password should have a minimum length of " +
                                   std::to_string(p.min_length));
  }
  if (p.upper && !has_upper) {
    return PasswordPolicyViolation("Password should have at least one uppercase letter");
  }
  if (p.lower && !has_lower) {
    return PasswordPolicyViolation("Password should have at least one lowercase letter");
  }
  if (p.numbers && !has_number) {
    return PasswordPolicyViolation("Password should have at least one number");
  }
  if (p.symbols && !has_symbol) {
    return PasswordPolicyViolation("Password should have at least one symbol");
  }
  return Status::Ok();
}

// PasswordReusePrevention: the new password may not be any of the last N.
Status CheckReuse(store::Transaction& tx, const PasswordPolicyValues& p, const std::string& account,
                  const std::string& user_id, std::string_view password) {
  if (p.reuse <= 0) return Status::Ok();
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT password_hash FROM iam_password_history WHERE "
                                          "account_id = ? AND user_id = ? ORDER BY changed_at "
                                          "DESC, seq DESC LIMIT ?",
                                          {account, user_id, p.reuse}));
  for (const store::Row& r : rows) {
    if (auth::VerifyPassword(password, r.Text(0))) {
      return PasswordPolicyViolation("Password was used recently. Choose a new password.");
    }
  }
  return Status::Ok();
}

Status RecordPassword(store::Transaction& tx, const std::string& account,
                      const std::string& user_id, const std::string& hash, double now) {
  return Exec(tx,
              "INSERT INTO iam_password_history (account_id, user_id, password_hash, changed_at, "
              "seq) SELECT ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM iam_password_history "
              "WHERE account_id = ? AND user_id = ?",
              {account, user_id, hash, now, account, user_id});
}

struct ProfileOwner {
  std::string user_id;  // "" = root
  std::string user_name;
};

Result<ProfileOwner> ResolveProfileOwner(gateway::RequestContext& ctx, store::Transaction& tx,
                                         const Json& input) {
  std::string name = Str(input, "UserName");
  if (name.empty()) {
    if (ctx.caller.type == auth::PrincipalType::kRoot) return ProfileOwner{"", AccountOf(ctx)};
    if (ctx.caller.type != auth::PrincipalType::kUser) {
      return InvalidInputError("Must specify userName when calling with non-User credentials")
          .WithAwsCode("ValidationError");
    }
    name = ctx.caller.name;
  }
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), name));
  return ProfileOwner{user.user_id, user.name};
}

Status ProfileNotFound(std::string_view user) {
  return NoSuchEntity("Login Profile for User " + std::string(user) + " cannot be found.");
}

Result<Json> ProfileObject(store::Transaction& tx, const std::string& account,
                           const ProfileOwner& owner) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT created_at, password_reset_required FROM "
                                          "iam_login_profiles WHERE account_id = ? AND "
                                          "user_id = ?",
                                          {account, owner.user_id}));
  if (rows.empty()) return ProfileNotFound(owner.user_name);
  return Json{{"UserName", owner.user_name},
              {"CreateDate", rows.front().Double(0)},
              {"PasswordResetRequired", rows.front().Int(1) != 0}};
}

Status PolicyNotFound(const std::string& account) {
  return NoSuchEntity("The Password Policy with domain name " + account + " cannot be found.");
}

}  // namespace

Result<Json> CreateLoginProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string password = Str(input, "Password");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileOwner owner, ResolveProfileOwner(ctx, tx, input));
  Status exists =
      EntityAlreadyExists("Login Profile for user " + owner.user_name + " already exists.");
  OT_ASSIGN_OR_RETURN(int64_t existing, CountRows(tx,
                                                  "SELECT COUNT(*) FROM iam_login_profiles "
                                                  "WHERE account_id = ? AND user_id = ?",
                                                  {account, owner.user_id}));
  if (existing > 0) return exists;
  // AWS-COMPAT: an AssumeRoot session (IAMCreateRootUserPassword) creates the member root's
  // login profile without a password: Password must be omitted, and the root user then sets one
  // through password recovery. The stored hash is empty, which no password verifies against.
  const bool root_session = owner.user_id.empty() && ctx.caller.session != nullptr &&
                            ctx.caller.session->kind == auth::SessionKind::kRootSession;
  std::string hash;
  if (root_session) {
    if (Has(input, "Password")) {
      return InvalidInput(
          "Password must be omitted when the request is made with an AssumeRoot "
          "session.");
    }
  } else {
    if (!Has(input, "Password")) return InvalidInput("Password is required.");
    OT_ASSIGN_OR_RETURN(PasswordPolicyValues policy, ReadPasswordPolicy(tx, account));
    OT_RETURN_IF_ERROR(CheckPassword(policy, password));
    OT_ASSIGN_OR_RETURN(hash, auth::HashPassword(password));
  }
  double now = NowSeconds(ctx);
  bool reset = Bool(input, "PasswordResetRequired", false);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_login_profiles (account_id, user_id, password_hash, "
                          "password_reset_required, created_at) VALUES (?, ?, ?, ?, ?)",
                          {account, owner.user_id, hash, int64_t{reset}, now}));
  if (!hash.empty()) OT_RETURN_IF_ERROR(RecordPassword(tx, account, owner.user_id, hash, now));
  return Json{
      {"LoginProfile",
       Json{{"UserName", owner.user_name}, {"CreateDate", now}, {"PasswordResetRequired", reset}}}};
}

Result<Json> GetLoginProfile(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileOwner owner, ResolveProfileOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(Json profile, ProfileObject(tx, AccountOf(ctx), owner));
  return Json{{"LoginProfile", std::move(profile)}};
}

Result<Json> UpdateLoginProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileOwner owner, ResolveProfileOwner(ctx, tx, input));
  OT_RETURN_IF_ERROR(ProfileObject(tx, account, owner).status());
  if (Has(input, "Password")) {
    std::string password = Str(input, "Password");
    OT_ASSIGN_OR_RETURN(PasswordPolicyValues policy, ReadPasswordPolicy(tx, account));
    OT_RETURN_IF_ERROR(CheckPassword(policy, password));
    OT_RETURN_IF_ERROR(CheckReuse(tx, policy, account, owner.user_id, password));
    OT_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
    OT_RETURN_IF_ERROR(Exec(tx,
                            "UPDATE iam_login_profiles SET password_hash = ? WHERE "
                            "account_id = ? AND user_id = ?",
                            {hash, account, owner.user_id}));
    OT_RETURN_IF_ERROR(RecordPassword(tx, account, owner.user_id, hash, NowSeconds(ctx)));
  }
  if (Has(input, "PasswordResetRequired")) {
    OT_RETURN_IF_ERROR(
        Exec(tx,
             "UPDATE iam_login_profiles SET password_reset_required = ? WHERE "
             "account_id = ? AND user_id = ?",
             {int64_t{Bool(input, "PasswordResetRequired", false)}, account, owner.user_id}));
  }
  return Json();
}

Result<Json> DeleteLoginProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileOwner owner, ResolveProfileOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM iam_login_profiles WHERE account_id = ? AND "
                                 "user_id = ?",
                                 {account, owner.user_id}));
  if (removed == 0) return ProfileNotFound(owner.user_name);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM iam_password_history WHERE account_id = ? AND user_id = ?",
                          {account, owner.user_id}));
  return Json();
}

Result<Json> ChangePassword(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  if (ctx.caller.type != auth::PrincipalType::kUser) {
    return InvalidInputError("Only IAM Users can change their own password.")
        .WithAwsCode("InvalidUserType");
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, ctx.caller.name));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT password_hash FROM iam_login_profiles WHERE "
                                          "account_id = ? AND user_id = ?",
                                          {account, user.user_id}));
  if (rows.empty()) return ProfileNotFound(user.name);
  if (!auth::VerifyPassword(Str(input, "OldPassword"), rows.front().Text(0))) {
    // AWS-COMPAT: a wrong current password is refused like an unauthorized change.
    return AccessDeniedError("The old password is incorrect.").WithAwsCode("AccessDenied");
  }
  std::string password = Str(input, "NewPassword");
  OT_ASSIGN_OR_RETURN(PasswordPolicyValues policy, ReadPasswordPolicy(tx, account));
  OT_RETURN_IF_ERROR(CheckPassword(policy, password));
  OT_RETURN_IF_ERROR(CheckReuse(tx, policy, account, user.user_id, password));
  OT_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
  // Changing the password satisfies a pending reset.
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_login_profiles SET password_hash = ?, "
                          "password_reset_required = 0 WHERE account_id = ? AND user_id = ?",
                          {hash, account, user.user_id}));
  OT_RETURN_IF_ERROR(RecordPassword(tx, account, user.user_id, hash, NowSeconds(ctx)));
  return Json();
}

Result<Json> UpdateAccountPasswordPolicy(gateway::RequestContext& ctx, const Json& input) {
  // AWS-COMPAT: every parameter left out reverts to its default (it is not a partial update).
  PasswordPolicyValues p;
  p.present = true;
  p.min_length = Int(input, "MinimumPasswordLength").value_or(6);
  p.symbols = Bool(input, "RequireSymbols", false);
  p.numbers = Bool(input, "RequireNumbers", false);
  p.upper = Bool(input, "RequireUppercaseCharacters", false);
  p.lower = Bool(input, "RequireLowercaseCharacters", false);
  p.allow_change = Bool(input, "AllowUsersToChangePassword", false);
  p.max_age = Int(input, "MaxPasswordAge").value_or(0);
  p.reuse = Int(input, "PasswordReusePrevention").value_or(0);
  if (Has(input, "HardExpiry")) p.hard_expiry = Bool(input, "HardExpiry", false);
  std::string text = boost::json::serialize(PolicyToWire(p));
  store::Transaction& tx = ctx.tx;
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_password_policies WHERE account_id = ?", {AccountOf(ctx)}));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_password_policies (account_id, policy) VALUES (?, ?)",
                          {AccountOf(ctx), text}));
  return Json();
}

Result<Json> GetAccountPasswordPolicy(gateway::RequestContext& ctx, const Json& /*input*/) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PasswordPolicyValues p, ReadPasswordPolicy(tx, AccountOf(ctx)));
  if (!p.present) return PolicyNotFound(AccountOf(ctx));
  return Json{{"PasswordPolicy", PolicyToWire(p)}};
}

Result<Json> DeleteAccountPasswordPolicy(gateway::RequestContext& ctx, const Json& /*input*/) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(
      int64_t removed,
      tx.Execute("DELETE FROM iam_password_policies WHERE account_id = ?", {AccountOf(ctx)}));
  if (removed == 0) return PolicyNotFound(AccountOf(ctx));
  return Json();
}

Result<Json> CreateAccountAlias(gateway::RequestContext& ctx, const Json& input) {
  std::string alias = Str(input, "AccountAlias");
  Status exists = EntityAlreadyExists("The account alias " + alias + " already exists.");
  bool digits = alias.size() == 12;
  for (char c : alias) digits = digits && c >= '0' && c <= '9';
  if (digits) return InvalidInput("An account alias cannot be a 12-digit number.");
  store::Transaction& tx = ctx.tx;
  // AWS-COMPAT: aliases are unique across every account; an account has at most one, and a new
  // one replaces it.
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT account_id FROM iam_account_aliases WHERE "
                                          "alias = ?",
                                          {alias}));
  if (!rows.empty()) {
    if (rows.front().Text(0) == AccountOf(ctx)) return Json();
    return exists;
  }
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_account_aliases WHERE account_id = ?", {AccountOf(ctx)}));
  OT_RETURN_IF_ERROR(Exec(tx, "INSERT INTO iam_account_aliases (account_id, alias) VALUES (?, ?)",
                          {AccountOf(ctx), alias}));
  return Json();
}

Result<Json> DeleteAccountAlias(gateway::RequestContext& ctx, const Json& input) {
  std::string alias = Str(input, "AccountAlias");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM iam_account_aliases WHERE account_id = ? AND "
                                 "alias = ?",
                                 {AccountOf(ctx), alias}));
  if (removed == 0) return NoSuchEntity("The account alias " + alias + " cannot be found.");
  return Json();
}

Result<Json> ListAccountAliases(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT alias FROM iam_account_aliases WHERE "
                                          "account_id = ? AND alias >= ? ORDER BY alias",
                                          {AccountOf(ctx), page.start_key}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) items.emplace_back(r.Text(0), r.Text(0));
  Json out;
  EmitPage(std::move(items), page, "AccountAliases", out);
  return out;
}

Result<std::optional<ConsoleLogin>> FindConsoleLogin(store::Transaction& tx,
                                                     std::string_view account_id,
                                                     std::string_view user_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT p.password_hash, p.password_reset_required, p.created_at, "
               "p.failed_sign_ins, p.locked_until, (SELECT MAX(h.changed_at) FROM "
               "iam_password_history h WHERE h.account_id = p.account_id AND h.user_id = "
               "p.user_id) FROM iam_login_profiles p WHERE p.account_id = ? AND p.user_id = ?",
               {std::string(account_id), std::string(user_id)}));
  if (rows.empty()) return std::optional<ConsoleLogin>();
  const store::Row& r = rows.front();
  ConsoleLogin login;
  login.password_hash = r.Text(0);
  login.reset_required = r.Int(1) != 0;
  login.password_set_at = r.IsNull(5) ? r.Double(2) : r.Double(5);
  login.failed_sign_ins = r.Int(3);
  if (!r.IsNull(4)) login.locked_until = r.Double(4);
  return std::optional<ConsoleLogin>(std::move(login));
}

Result<PasswordExpiry> PasswordExpiryOf(store::Transaction& tx, std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(PasswordPolicyValues policy, ReadPasswordPolicy(tx, std::string(account_id)));
  return PasswordExpiry{policy.max_age, policy.hard_expiry.value_or(false), policy.allow_change};
}

Status SetConsolePassword(store::Transaction& tx, std::string_view account_id,
                          std::string_view user_id, std::string_view password, double now) {
  const std::string account(account_id);
  const std::string user(user_id);
  PasswordPolicyValues policy;  // root: AWS's default rules (no account policy applies)
  if (!user.empty()) {
    OT_ASSIGN_OR_RETURN(policy, ReadPasswordPolicy(tx, account));
  }
  OT_RETURN_IF_ERROR(CheckPassword(policy, password));
  OT_RETURN_IF_ERROR(CheckReuse(tx, policy, account, user, password));
  OT_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
  OT_ASSIGN_OR_RETURN(int64_t updated,
                      tx.Execute("UPDATE iam_login_profiles SET password_hash = ?, "
                                 "password_reset_required = 0, failed_sign_ins = 0, "
                                 "locked_until = NULL WHERE account_id = ? AND user_id = ?",
                                 {hash, account, user}));
  if (updated == 0) {
    OT_RETURN_IF_ERROR(Exec(tx,
                            "INSERT INTO iam_login_profiles (account_id, user_id, password_hash, "
                            "password_reset_required, created_at) VALUES (?, ?, ?, 0, ?)",
                            {account, user, hash, now}));
  }
  return RecordPassword(tx, account, user, hash, now);
}

Result<std::string> AccountOfAlias(store::Transaction& tx, std::string_view alias) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT account_id FROM iam_account_aliases WHERE "
                                          "alias = ?",
                                          {std::string(alias)}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

Status RecordFailedSignIn(store::Transaction& tx, std::string_view account_id,
                          std::string_view user_id, int64_t lock_after, double locked_until) {
  return Exec(tx,
              "UPDATE iam_login_profiles SET failed_sign_ins = failed_sign_ins + 1, "
              "locked_until = CASE WHEN failed_sign_ins + 1 >= ? THEN ? ELSE locked_until END "
              "WHERE account_id = ? AND user_id = ?",
              {lock_after, locked_until, std::string(account_id), std::string(user_id)});
}

Status RecordSignIn(store::Transaction& tx, std::string_view account_id, std::string_view user_id,
                    double now) {
  return Exec(tx,
              "UPDATE iam_login_profiles SET failed_sign_ins = 0, locked_until = NULL, "
              "password_last_used = ? WHERE account_id = ? AND user_id = ?",
              {now, std::string(account_id), std::string(user_id)});
}

}  // namespace orgtwin::services::iam
