// IAM users: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers and user tags.
#include "repo/account_repository.h"
#include "repo/session_repository.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

Status UserExists(std::string_view name) {
  return EntityAlreadyExists("User with name " + std::string(name) + " already exists.");
}

Result<std::string> UserIdOf(const std::string& account_id, store::Transaction& tx,
                             const Json& input) {
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account_id, Str(input, "UserName")));
  return user.user_id;
}

}  // namespace

Result<Json> CreateUser(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  UserRow user;
  user.account_id = account;
  user.name = Str(input, "UserName");
  user.path = Str(input, "Path", "/");
  user.boundary_arn = Str(input, "PermissionsBoundary");
  user.created_at = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindUser(tx, account, user.name));
  if (existing.has_value()) return UserExists(user.name);
  OT_ASSIGN_OR_RETURN(int64_t count, repo::EntityCount(tx, repo::CountedEntity::kUser, account));
  if (count >= kUsersPerAccount) {
    return LimitExceeded("Cannot exceed quota for UsersPerAccount: " +
                         std::to_string(kUsersPerAccount));
  }
  if (!user.boundary_arn.empty())
    OT_RETURN_IF_ERROR(CheckAttachable(tx, account, user.boundary_arn).status());
  user.user_id = NewUniqueId(ctx.twin.ids, "AIDA");
  OT_RETURN_IF_ERROR(repo::InsertUser(tx, user));
  OT_RETURN_IF_ERROR(ApplyTags(tx, "User", user.user_id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "User", user.user_id));
  Json out = UserObject(user);
  if (!user.boundary_arn.empty()) out["PermissionsBoundary"] = BoundaryObject(user.boundary_arn);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"User", std::move(out)}};
}

Result<Json> GetUser(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  std::string name = Str(input, "UserName");
  if (name.empty()) {
    switch (ctx.caller.type) {
      case auth::PrincipalType::kRoot: {
        // AWS-COMPAT: for the root user GetUser answers with the account ID as UserId, the root
        // ARN and the account's creation date, and no UserName or Path.
        OT_ASSIGN_OR_RETURN(auto registered, repo::FindAccount(tx, account));
        Json root{{"UserId", account}, {"Arn", auth::RootArn(account)}};
        root["CreateDate"] =
            registered.has_value() ? std::floor(registered->created_at) : NowSeconds(ctx);
        return Json{{"User", std::move(root)}};
      }
      case auth::PrincipalType::kUser:
        name = ctx.caller.name;
        break;
      default:
        return InvalidInputError("Must specify userName when calling with non-User credentials")
            .WithAwsCode("ValidationError");
    }
  }
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, name));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "User", user.user_id));
  Json out = UserObject(user);
  if (!user.boundary_arn.empty()) out["PermissionsBoundary"] = BoundaryObject(user.boundary_arn);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"User", std::move(out)}};
}

Result<Json> UpdateUser(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  std::string new_name = Str(input, "NewUserName", user.name);
  std::string new_path = Str(input, "NewPath", user.path);
  if (Lower(new_name) != Lower(user.name)) {
    OT_ASSIGN_OR_RETURN(auto clash, FindUser(tx, account, new_name));
    if (clash.has_value()) return UserExists(new_name);
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_users SET user_name = ?, user_name_lower = ?, path = ? "
                          "WHERE user_id = ?",
                          {new_name, Lower(new_name), new_path, user.user_id}));
  // Access keys name their user; keep them pointing at it.
  OT_RETURN_IF_ERROR(repo::RenameAccessKeyUser(tx, account, user.name, new_name));
  if (new_name != user.name) {
    tx.AfterCommit([&credentials = ctx.twin.credentials] { credentials.Invalidate(); });
  }
  return Json();
}

Result<Json> DeleteUser(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  // AWS-COMPAT: deleting a user never cascades; each dependent must go first (DeleteConflict).
  OT_ASSIGN_OR_RETURN(int64_t keys, repo::CountAccessKeys(tx, account, "User", user.name));
  if (keys > 0) return DeleteConflict("Cannot delete entity, must delete access keys first.");
  OT_ASSIGN_OR_RETURN(int64_t profiles,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_login_profiles WHERE account_id = ? "
                                "AND user_id = ?",
                                {account, user.user_id}));
  if (profiles > 0) {
    return DeleteConflict("Cannot delete entity, must delete login profile first.");
  }
  OT_ASSIGN_OR_RETURN(int64_t mfa,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_mfa_devices WHERE account_id = ? "
                                "AND user_id = ?",
                                {account, user.user_id}));
  if (mfa > 0) return DeleteConflict("Cannot delete entity, must delete MFA device first.");
  // AWS-COMPAT: the texts for the credentials of migration 0026 follow the ones above; AWS
  // documents that each must go first, not its wording.
  OT_ASSIGN_OR_RETURN(int64_t certificates,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_signing_certificates WHERE "
                                "account_id = ? AND user_id = ?",
                                {account, user.user_id}));
  if (certificates > 0) {
    return DeleteConflict("Cannot delete entity, must delete signing certificates first.");
  }
  OT_ASSIGN_OR_RETURN(int64_t ssh_keys, CountRows(tx,
                                                  "SELECT COUNT(*) FROM iam_ssh_public_keys "
                                                  "WHERE account_id = ? AND user_id = ?",
                                                  {account, user.user_id}));
  if (ssh_keys > 0)
    return DeleteConflict("Cannot delete entity, must delete SSH public keys first.");
  OT_ASSIGN_OR_RETURN(int64_t service_credentials,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_service_credentials WHERE "
                                "account_id = ? AND user_id = ?",
                                {account, user.user_id}));
  if (service_credentials > 0) {
    return DeleteConflict("Cannot delete entity, must delete service specific credentials first.");
  }
  OT_ASSIGN_OR_RETURN(
      int64_t groups,
      CountRows(tx, "SELECT COUNT(*) FROM iam_group_members WHERE user_id = ?", {user.user_id}));
  if (groups > 0)
    return DeleteConflict("Cannot delete entity, must remove users from group first.");
  OT_ASSIGN_OR_RETURN(auto attached, AttachedPolicyArns(tx, "User", user.user_id));
  if (!attached.empty())
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  OT_ASSIGN_OR_RETURN(int64_t inline_count, CountInlinePolicies(tx, "User", user.user_id));
  if (inline_count > 0) return DeleteConflict("Cannot delete entity, must delete policies first.");
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, "User", user.user_id));
  OT_RETURN_IF_ERROR(repo::DeleteUser(tx, user));
  return Json();
}

Result<Json> ListUsers(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  // One row past the page tells whether it is truncated.
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT user_id, account_id, user_name, path, created_at, user_name_lower FROM "
               "iam_users WHERE account_id = ? AND user_name_lower >= ? AND "
               "substr(path, 1, ?) = ? ORDER BY user_name_lower LIMIT ?",
               {AccountOf(ctx), page.start_key, static_cast<int64_t>(prefix.size()), prefix,
                static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    UserRow user{r.Text(0), r.Text(1), r.Text(2), r.Text(3), "", r.Double(4)};
    items.emplace_back(r.Text(5), UserObject(user));
  }
  Json out;
  EmitPage(std::move(items), page, "Users", out);
  return out;
}

Result<Json> TagUser(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, "User", [&](store::Transaction& tx, const Json& in) {
    return UserIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> UntagUser(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, "User", [&](store::Transaction& tx, const Json& in) {
    return UserIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> ListUserTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, "User", [&](store::Transaction& tx, const Json& in) {
    return UserIdOf(AccountOf(ctx), tx, in);
  });
}

}  // namespace orgtwin::services::iam
