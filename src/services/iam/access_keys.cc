#include "services/iam/access_keys.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "services/iam/handler_util.h"
#include "services/identity/credential_store.h"

namespace orgtwin::services::iam {
namespace {

// Whose keys a request is about: a named IAM user, or -- without UserName -- the caller itself
// (an IAM user, or the root user for root callers).
struct KeyOwner {
  std::string principal_type;  // "User" | "Root"
  std::string user_name;       // "" for root
};

Result<KeyOwner> ResolveOwner(gateway::RequestContext& ctx, store::Transaction& tx,
                              const Json& input) {
  if (Has(input, "UserName")) {
    OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), Str(input, "UserName")));
    return KeyOwner{"User", user.name};
  }
  const auth::Principal& caller = ctx.caller;
  bool session_token =
      caller.session != nullptr && caller.session->kind == auth::SessionKind::kSessionToken;
  if (caller.type == auth::PrincipalType::kRoot && (!caller.temporary || session_token)) {
    return KeyOwner{"Root", ""};
  }
  if (caller.type == auth::PrincipalType::kUser) {
    OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), caller.name));
    return KeyOwner{"User", user.name};
  }
  // AWS-COMPAT: role and federated sessions must name the user.
  return InvalidInputError("Must specify userName when calling with non-User credentials")
      .WithAwsCode("ValidationError");
}

Status NoSuchKey(std::string_view access_key_id) {
  return NoSuchEntity("The Access Key with id " + std::string(access_key_id) + " cannot be found.");
}

// The key row if it belongs to `owner` in the caller's account.
Result<std::optional<store::Row>> FindOwnedKey(gateway::RequestContext& ctx, store::Transaction& tx,
                                               const KeyOwner& owner,
                                               const std::string& access_key_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT access_key_id, status, created_at, principal_name "
                          "FROM access_keys WHERE access_key_id = ? AND account_id = ? "
                          "AND principal_type = ? AND principal_name = ?",
                          {access_key_id, AccountOf(ctx), owner.principal_type, owner.user_name}));
  if (rows.empty()) return std::optional<store::Row>();
  return std::optional<store::Row>(std::move(rows.front()));
}

Result<Json> CreateAccessKey(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(int64_t existing,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND "
                                "principal_type = ? AND principal_name = ?",
                                {AccountOf(ctx), owner.principal_type, owner.user_name}));
  if (existing >= kAccessKeysPerUser) {
    return LimitExceeded("Cannot exceed quota for AccessKeysPerUser: " +
                         std::to_string(kAccessKeysPerUser));
  }
  std::string key_id = ctx.twin.ids.UniqueId("AKIA");
  std::string secret = ctx.twin.ids.SecretAccessKey();
  double now = NowSeconds(ctx);
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, "
           "principal_type, principal_name, status, created_at) "
           "VALUES (?, ?, ?, ?, ?, 'Active', ?)",
           {key_id, secret, AccountOf(ctx), owner.principal_type, owner.user_name, now}));
  return Json{{"AccessKey", Json{{"UserName", owner.user_name},
                                 {"AccessKeyId", key_id},
                                 {"Status", "Active"},
                                 {"SecretAccessKey", secret},
                                 {"CreateDate", now}}}};
}

Result<Json> UpdateAccessKey(gateway::RequestContext& ctx, const Json& input) {
  std::string key_id = Str(input, "AccessKeyId");
  std::string status = Str(input, "Status");
  if (status != "Active" && status != "Inactive") {
    return InvalidInput("Invalid status " + status + ": a key can be made Active or Inactive.");
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto row, FindOwnedKey(ctx, tx, owner, key_id));
  if (!row.has_value()) return NoSuchKey(key_id);
  OT_RETURN_IF_ERROR(
      Exec(tx, "UPDATE access_keys SET status = ? WHERE access_key_id = ?", {status, key_id}));
  // After the commit is durable: dropped earlier, a concurrent request could re-cache the old row.
  tx.AfterCommit([&credentials = ctx.twin.credentials, key_id] { credentials.Invalidate(key_id); });
  return Json{};
}

Result<Json> DeleteAccessKey(gateway::RequestContext& ctx, const Json& input) {
  std::string key_id = Str(input, "AccessKeyId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto row, FindOwnedKey(ctx, tx, owner, key_id));
  if (!row.has_value()) return NoSuchKey(key_id);
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM access_keys WHERE access_key_id = ?", {key_id}));
  tx.AfterCommit([&credentials = ctx.twin.credentials, key_id] { credentials.Invalidate(key_id); });
  return Json{};
}

Result<Json> ListAccessKeys(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT access_key_id, status, created_at "
                                          "FROM access_keys WHERE account_id = ? AND "
                                          "principal_type = ? AND principal_name = ?",
                                          {AccountOf(ctx), owner.principal_type, owner.user_name}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    // Oldest first: the sort key is the zero-padded creation time, then the key ID.
    char created[32];
    std::snprintf(created, sizeof(created), "%020.6f", r.Double(2));
    items.emplace_back(std::string(created) + r.Text(0), Json{{"UserName", owner.user_name},
                                                              {"AccessKeyId", r.Text(0)},
                                                              {"Status", r.Text(1)},
                                                              {"CreateDate", r.Double(2)}});
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "AccessKeyMetadata", out);
  return out;
}

Result<Json> GetAccessKeyLastUsed(gateway::RequestContext& ctx, const Json& input) {
  std::string key_id = Str(input, "AccessKeyId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT principal_type, principal_name FROM "
                                          "access_keys WHERE access_key_id = ? AND "
                                          "account_id = ? AND session_token IS NULL",
                                          {key_id, AccountOf(ctx)}));
  if (rows.empty()) return NoSuchKey(key_id);
  OT_ASSIGN_OR_RETURN(std::optional<KeyUse> use, ctx.twin.credentials.LastUse(key_id));
  // AWS-COMPAT: a key never used reports "N/A" for service and region and no date.
  Json last_used{{"ServiceName", "N/A"}, {"Region", "N/A"}};
  if (use.has_value()) {
    last_used["LastUsedDate"] = std::floor(ToEpochSeconds(use->at));
    last_used["ServiceName"] = use->service;
    last_used["Region"] = use->region;
  }
  Json out{{"AccessKeyLastUsed", std::move(last_used)}};
  if (rows.front().Text(0) == "User") out["UserName"] = rows.front().Text(1);
  return out;
}

}  // namespace

Status RegisterAccessKeyHandlers(gateway::Gateway& gateway) {
  OT_RETURN_IF_ERROR(gateway.Register("iam", "CreateAccessKey", CreateAccessKey));
  OT_RETURN_IF_ERROR(gateway.Register("iam", "UpdateAccessKey", UpdateAccessKey));
  OT_RETURN_IF_ERROR(gateway.Register("iam", "DeleteAccessKey", DeleteAccessKey));
  OT_RETURN_IF_ERROR(gateway.Register("iam", "ListAccessKeys", ListAccessKeys));
  OT_RETURN_IF_ERROR(gateway.Register("iam", "GetAccessKeyLastUsed", GetAccessKeyLastUsed));
  return Status::Ok();
}

}  // namespace orgtwin::services::iam
