#include "services/iam/access_keys.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "repo/session_repository.h"
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
  // Root acts on its own keys with its long-term key and through sessions that are root itself
  // (GetSessionToken, console sign-in, AssumeRoot).
  if (caller.type == auth::PrincipalType::kRoot) {
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

// The key if it belongs to `owner` in the caller's account.
Result<std::optional<repo::AccessKeyRow>> FindOwnedKey(gateway::RequestContext& ctx,
                                                       store::Transaction& tx,
                                                       const KeyOwner& owner,
                                                       const std::string& access_key_id) {
  OT_ASSIGN_OR_RETURN(auto key, repo::FindAccessKey(tx, access_key_id));
  if (!key.has_value() || key->account_id != AccountOf(ctx) ||
      key->principal_type != owner.principal_type || key->principal_name != owner.user_name) {
    return std::optional<repo::AccessKeyRow>();
  }
  return key;
}

Result<Json> CreateAccessKey(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(
      int64_t existing,
      repo::CountAccessKeys(tx, AccountOf(ctx), owner.principal_type, owner.user_name));
  if (existing >= kAccessKeysPerUser) {
    return LimitExceeded("Cannot exceed quota for AccessKeysPerUser: " +
                         std::to_string(kAccessKeysPerUser));
  }
  repo::AccessKeyRow key;
  key.access_key_id = ctx.twin.ids.UniqueId("AKIA");
  key.secret_access_key = ctx.twin.ids.SecretAccessKey();
  key.account_id = AccountOf(ctx);
  key.principal_type = owner.principal_type;
  key.principal_name = owner.user_name;
  key.created_at = NowSeconds(ctx);
  OT_RETURN_IF_ERROR(repo::InsertAccessKey(tx, key));
  return Json{{"AccessKey", Json{{"UserName", owner.user_name},
                                 {"AccessKeyId", key.access_key_id},
                                 {"Status", key.status},
                                 {"SecretAccessKey", key.secret_access_key},
                                 {"CreateDate", key.created_at}}}};
}

Result<Json> UpdateAccessKey(gateway::RequestContext& ctx, const Json& input) {
  std::string key_id = Str(input, "AccessKeyId");
  std::string status = Str(input, "Status");
  if (status != "Active" && status != "Inactive") {
    return InvalidInput("Invalid status " + status + ": a key can be made Active or Inactive.");
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto key, FindOwnedKey(ctx, tx, owner, key_id));
  if (!key.has_value()) return NoSuchKey(key_id);
  OT_RETURN_IF_ERROR(repo::SetAccessKeyStatus(tx, key_id, status));
  // After the commit is durable: dropped earlier, a concurrent request could re-cache the old row.
  tx.AfterCommit([&credentials = ctx.twin.credentials, key_id] { credentials.Invalidate(key_id); });
  return Json{};
}

Result<Json> DeleteAccessKey(gateway::RequestContext& ctx, const Json& input) {
  std::string key_id = Str(input, "AccessKeyId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto key, FindOwnedKey(ctx, tx, owner, key_id));
  if (!key.has_value()) return NoSuchKey(key_id);
  OT_RETURN_IF_ERROR(repo::DeleteAccessKey(tx, key_id));
  tx.AfterCommit([&credentials = ctx.twin.credentials, key_id] { credentials.Invalidate(key_id); });
  return Json{};
}

Result<Json> ListAccessKeys(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(KeyOwner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(
      auto keys, repo::AccessKeysOf(tx, AccountOf(ctx), owner.principal_type, owner.user_name));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(keys.size());
  for (const repo::AccessKeyRow& k : keys) {
    // Oldest first: the sort key is the zero-padded creation time, then the key ID.
    char created[32];
    std::snprintf(created, sizeof(created), "%020.6f", k.created_at);
    items.emplace_back(std::string(created) + k.access_key_id,
                       Json{{"UserName", owner.user_name},
                            {"AccessKeyId", k.access_key_id},
                            {"Status", k.status},
                            {"CreateDate", k.created_at}});
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
  OT_ASSIGN_OR_RETURN(auto key, repo::FindAccessKey(tx, key_id));
  // Long-term keys of the caller's account only.
  if (!key.has_value() || key->account_id != AccountOf(ctx) || key->session_token.has_value()) {
    return NoSuchKey(key_id);
  }
  OT_ASSIGN_OR_RETURN(std::optional<KeyUse> use, ctx.twin.credentials.LastUse(key_id));
  // AWS-COMPAT: a key never used reports "N/A" for service and region and no date.
  Json last_used{{"ServiceName", "N/A"}, {"Region", "N/A"}};
  if (use.has_value()) {
    last_used["LastUsedDate"] = std::floor(ToEpochSeconds(use->at));
    last_used["ServiceName"] = use->service;
    last_used["Region"] = use->region;
  }
  Json out{{"AccessKeyLastUsed", std::move(last_used)}};
  if (key->principal_type == "User") out["UserName"] = key->principal_name;
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
