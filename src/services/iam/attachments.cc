// Policies on users, groups and roles: Attach/Detach{User,Group,Role}Policy,
// ListAttached{User,Group,Role}Policies, the inline Put/Get/Delete/List{User,Group,Role}Policy,
// Put/Delete{User,Role}PermissionsBoundary and ListEntitiesForPolicy.
#include <set>

#include "policy/document.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

struct Kind {
  std::string_view type;         // entity_type column: "User" | "Group" | "Role"
  std::string_view name_member;  // "UserName"
  std::string_view noun;         // "user"
  std::string_view quota;        // quota name for attached managed policies
  size_t inline_limit;           // characters (whitespace not counted) of all inline policies
};
constexpr Kind kUser{"User", "UserName", "user", "PoliciesPerUser", 2048};
constexpr Kind kGroup{"Group", "GroupName", "group", "PoliciesPerGroup", 5120};
constexpr Kind kRole{"Role", "RoleName", "role", "PoliciesPerRole", 10240};

struct Entity {
  std::string id;
  std::string name;  // as stored
  bool service_linked = false;
};

Result<Entity> RequireEntity(store::Transaction& tx, const std::string& account, const Kind& kind,
                             const std::string& name) {
  if (kind.type == "User") {
    OT_ASSIGN_OR_RETURN(UserRow u, RequireUser(tx, account, name));
    return Entity{u.user_id, u.name, false};
  }
  if (kind.type == "Group") {
    OT_ASSIGN_OR_RETURN(GroupRow g, RequireGroup(tx, account, name));
    return Entity{g.group_id, g.name, false};
  }
  OT_ASSIGN_OR_RETURN(RoleRow r, RequireRole(tx, account, name));
  return Entity{r.role_id, r.name, r.service_linked()};
}

Result<Json> Attach(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  const std::string& account = AccountOf(ctx);
  std::string arn = Str(input, "PolicyArn");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, account, kind, Str(input, kind.name_member)));
  if (entity.service_linked) return ProtectedRole(entity.name);
  OT_RETURN_IF_ERROR(CheckAttachable(tx, account, arn).status());
  OT_ASSIGN_OR_RETURN(auto attached, AttachedPolicyArns(tx, kind.type, entity.id));
  for (const std::string& a : attached) {
    if (a == arn) return Json();  // AWS-COMPAT: attaching again is a silent success.
  }
  if (static_cast<int64_t>(attached.size()) >= kAttachedPoliciesPerEntity) {
    return LimitExceeded("Cannot exceed quota for " + std::string(kind.quota) + ": " +
                         std::to_string(kAttachedPoliciesPerEntity));
  }
  OT_RETURN_IF_ERROR(
      repo::InsertAttachment(tx, account, kind.type, entity.id, arn, NowSeconds(ctx)));
  return Json();
}

Result<Json> Detach(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  std::string arn = Str(input, "PolicyArn");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  if (entity.service_linked) return ProtectedRole(entity.name);
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM iam_attachments WHERE entity_type = ? AND "
                                 "entity_id = ? AND policy_arn = ?",
                                 {std::string(kind.type), entity.id, arn}));
  if (removed == 0) return NoSuchEntity("Policy " + arn + " was not found.");
  return Json();
}

Result<Json> ListAttached(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, account, kind, Str(input, kind.name_member)));
  OT_ASSIGN_OR_RETURN(auto arns, AttachedPolicyArns(tx, kind.type, entity.id));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const std::string& arn : arns) {
    OT_ASSIGN_OR_RETURN(auto p, ResolvePolicyArn(tx, account, arn));
    if (!p.has_value() || !PathMatches(p->path, prefix)) continue;
    items.emplace_back(Lower(p->name) + '\x01' + arn,
                       Json{{"PolicyName", p->name}, {"PolicyArn", arn}});
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "AttachedPolicies", out);
  return out;
}

Result<Json> PutInline(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  std::string policy_name = Str(input, "PolicyName");
  std::string document = Str(input, "PolicyDocument");
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;  // the quota covers all inline policies; below
  Result<policy::PolicyDocument> parsed =
      policy::ParsePolicy(document, policy::Flavour::kIdentity, options);
  if (!parsed.ok()) return parsed.status();
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  if (entity.service_linked) return ProtectedRole(entity.name);
  OT_ASSIGN_OR_RETURN(auto others, tx.Query("SELECT document FROM iam_inline_policies WHERE "
                                            "entity_type = ? AND entity_id = ? AND "
                                            "policy_name <> ?",
                                            {std::string(kind.type), entity.id, policy_name}));
  size_t total = policy::PolicySize(document, /*count_whitespace=*/false);
  for (const store::Row& r : others) total += policy::PolicySize(r.Text(0), false);
  if (total > kind.inline_limit) {
    // AWS-COMPAT: the quota is on the sum of an entity's inline policies.
    return LimitExceeded("Maximum policy size of " + std::to_string(kind.inline_limit) +
                         " bytes exceeded for " + std::string(kind.noun) + " " + entity.name);
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM iam_inline_policies WHERE entity_type = ? AND "
                          "entity_id = ? AND policy_name = ?",
                          {std::string(kind.type), entity.id, policy_name}));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_inline_policies (entity_type, entity_id, policy_name, "
                          "document) VALUES (?, ?, ?, ?)",
                          {std::string(kind.type), entity.id, policy_name, document}));
  return Json();
}

Status InlineNotFound(const Kind& kind, const std::string& policy_name) {
  return NoSuchEntity("The " + std::string(kind.noun) + " policy with name " + policy_name +
                      " cannot be found.");
}

Result<Json> GetInline(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  std::string policy_name = Str(input, "PolicyName");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT document FROM iam_inline_policies WHERE "
                                          "entity_type = ? AND entity_id = ? AND "
                                          "policy_name = ?",
                                          {std::string(kind.type), entity.id, policy_name}));
  if (rows.empty()) return InlineNotFound(kind, policy_name);
  return Json{{kind.name_member, entity.name},
              {"PolicyName", policy_name},
              {"PolicyDocument", UrlEncodeDocument(rows.front().Text(0))}};
}

Result<Json> DeleteInline(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  std::string policy_name = Str(input, "PolicyName");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  if (entity.service_linked) return ProtectedRole(entity.name);
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM iam_inline_policies WHERE entity_type = ? AND "
                                 "entity_id = ? AND policy_name = ?",
                                 {std::string(kind.type), entity.id, policy_name}));
  if (removed == 0) return InlineNotFound(kind, policy_name);
  return Json();
}

Result<Json> ListInline(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_name FROM iam_inline_policies WHERE "
                                          "entity_type = ? AND entity_id = ? AND "
                                          "policy_name >= ? ORDER BY policy_name LIMIT ?",
                                          {std::string(kind.type), entity.id, page.start_key,
                                           static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) items.emplace_back(r.Text(0), r.Text(0));
  Json out;
  EmitPage(std::move(items), page, "PolicyNames", out);
  return out;
}

Result<Json> PutBoundary(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  const std::string& account = AccountOf(ctx);
  std::string arn = Str(input, "PermissionsBoundary");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, account, kind, Str(input, kind.name_member)));
  OT_RETURN_IF_ERROR(CheckAttachable(tx, account, arn).status());
  std::string sql = kind.type == "User"
                        ? "UPDATE iam_users SET permissions_boundary_arn = ? WHERE user_id = ?"
                        : "UPDATE iam_roles SET permissions_boundary_arn = ? WHERE role_id = ?";
  OT_RETURN_IF_ERROR(Exec(tx, sql, {arn, entity.id}));
  return Json();
}

Result<Json> DeleteBoundary(gateway::RequestContext& ctx, const Json& input, const Kind& kind) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Entity entity,
                      RequireEntity(tx, AccountOf(ctx), kind, Str(input, kind.name_member)));
  std::string sql = kind.type == "User"
                        ? "UPDATE iam_users SET permissions_boundary_arn = NULL WHERE user_id = ?"
                        : "UPDATE iam_roles SET permissions_boundary_arn = NULL WHERE role_id = ?";
  OT_RETURN_IF_ERROR(Exec(tx, sql, {entity.id}));
  return Json();
}

}  // namespace

Result<Json> AttachUserPolicy(gateway::RequestContext& ctx, const Json& in) {
  return Attach(ctx, in, kUser);
}
Result<Json> AttachGroupPolicy(gateway::RequestContext& ctx, const Json& in) {
  return Attach(ctx, in, kGroup);
}
Result<Json> AttachRolePolicy(gateway::RequestContext& ctx, const Json& in) {
  return Attach(ctx, in, kRole);
}
Result<Json> DetachUserPolicy(gateway::RequestContext& ctx, const Json& in) {
  return Detach(ctx, in, kUser);
}
Result<Json> DetachGroupPolicy(gateway::RequestContext& ctx, const Json& in) {
  return Detach(ctx, in, kGroup);
}
Result<Json> DetachRolePolicy(gateway::RequestContext& ctx, const Json& in) {
  return Detach(ctx, in, kRole);
}
Result<Json> ListAttachedUserPolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListAttached(ctx, in, kUser);
}
Result<Json> ListAttachedGroupPolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListAttached(ctx, in, kGroup);
}
Result<Json> ListAttachedRolePolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListAttached(ctx, in, kRole);
}
Result<Json> PutUserPolicy(gateway::RequestContext& ctx, const Json& in) {
  return PutInline(ctx, in, kUser);
}
Result<Json> PutGroupPolicy(gateway::RequestContext& ctx, const Json& in) {
  return PutInline(ctx, in, kGroup);
}
Result<Json> PutRolePolicy(gateway::RequestContext& ctx, const Json& in) {
  return PutInline(ctx, in, kRole);
}
Result<Json> GetUserPolicy(gateway::RequestContext& ctx, const Json& in) {
  return GetInline(ctx, in, kUser);
}
Result<Json> GetGroupPolicy(gateway::RequestContext& ctx, const Json& in) {
  return GetInline(ctx, in, kGroup);
}
Result<Json> GetRolePolicy(gateway::RequestContext& ctx, const Json& in) {
  return GetInline(ctx, in, kRole);
}
Result<Json> DeleteUserPolicy(gateway::RequestContext& ctx, const Json& in) {
  return DeleteInline(ctx, in, kUser);
}
Result<Json> DeleteGroupPolicy(gateway::RequestContext& ctx, const Json& in) {
  return DeleteInline(ctx, in, kGroup);
}
Result<Json> DeleteRolePolicy(gateway::RequestContext& ctx, const Json& in) {
  return DeleteInline(ctx, in, kRole);
}
Result<Json> ListUserPolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListInline(ctx, in, kUser);
}
Result<Json> ListGroupPolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListInline(ctx, in, kGroup);
}
Result<Json> ListRolePolicies(gateway::RequestContext& ctx, const Json& in) {
  return ListInline(ctx, in, kRole);
}
Result<Json> PutUserPermissionsBoundary(gateway::RequestContext& ctx, const Json& in) {
  return PutBoundary(ctx, in, kUser);
}
Result<Json> DeleteUserPermissionsBoundary(gateway::RequestContext& ctx, const Json& in) {
  return DeleteBoundary(ctx, in, kUser);
}
Result<Json> PutRolePermissionsBoundary(gateway::RequestContext& ctx, const Json& in) {
  return PutBoundary(ctx, in, kRole);
}
Result<Json> DeleteRolePermissionsBoundary(gateway::RequestContext& ctx, const Json& in) {
  return DeleteBoundary(ctx, in, kRole);
}

Result<Json> ListEntitiesForPolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string arn = Str(input, "PolicyArn");
  std::string filter = Str(input, "EntityFilter");
  std::string usage = Str(input, "PolicyUsageFilter");
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto policy, ResolvePolicyArn(tx, account, arn));
  if (!policy.has_value()) return NoSuchEntity("Policy " + arn + " was not found.");
  bool as_policy = usage.empty() || usage == "PermissionsPolicy";
  bool as_boundary = usage.empty() || usage == "PermissionsBoundary";

  // (kind order, name) keys: groups, then users, then roles, each by name.
  std::vector<std::pair<std::string, boost::json::value>> items;
  std::set<std::string> seen;
  auto add = [&](char order, std::string_view list, std::string_view id_member,
                 std::string_view name_member, const store::Row& r) {
    // r: id, name, name_lower, path
    if (!PathMatches(r.Text(3), prefix) || !seen.insert(r.Text(0)).second) return;
    items.emplace_back(
        std::string(1, order) + r.Text(2),
        boost::json::object{{"list", list},
                            {"item", Json{{name_member, r.Text(1)}, {id_member, r.Text(0)}}}});
  };
  // One row per entity kind: its table and columns, and whether it can carry a boundary.
  struct EntityKind {
    char order;
    const char* filter;  // EntityFilter value
    const char* table;
    const char* prefix;  // column prefix: user / group / role
    const char* list;
    const char* id_member;
    const char* name_member;
    bool has_boundary;
  };
  static constexpr EntityKind kKinds[] = {
      {'0', "Group", "iam_groups", "group", "PolicyGroups", "GroupId", "GroupName", false},
      {'1', "User", "iam_users", "user", "PolicyUsers", "UserId", "UserName", true},
      {'2', "Role", "iam_roles", "role", "PolicyRoles", "RoleId", "RoleName", true},
  };
  for (const EntityKind& kind : kKinds) {
    if (!filter.empty() && filter != kind.filter) continue;
    const std::string p = kind.prefix;
    std::string columns = "e." + p;
    columns += "_id, e." + p;
    columns += "_name, e." + p;
    columns += "_name_lower, e.path";
    if (as_policy) {
      std::string sql = "SELECT " + columns;
      sql += " FROM iam_attachments a JOIN " + std::string(kind.table);
      sql += " e ON e." + p;
      sql += "_id = a.entity_id WHERE a.entity_type = ? AND a.account_id = ? AND a.policy_arn = ?";
      OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {std::string(kind.filter), account, arn}));
      for (const store::Row& r : rows)
        add(kind.order, kind.list, kind.id_member, kind.name_member, r);
    }
    if (as_boundary && kind.has_boundary) {
      OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + columns + " FROM " + kind.table +
                                                  " e WHERE e.account_id = ? AND "
                                                  "e.permissions_boundary_arn = ?",
                                              {account, arn}));
      for (const store::Row& r : rows)
        add(kind.order, kind.list, kind.id_member, kind.name_member, r);
    }
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json paged;
  EmitPage(std::move(items), page, "Items", paged);
  Json out{{"PolicyGroups", boost::json::array()},
           {"PolicyUsers", boost::json::array()},
           {"PolicyRoles", boost::json::array()}};
  for (auto& entry : paged["Items"].as_array()) {
    auto& obj = entry.as_object();
    out[obj["list"].as_string()].as_array().push_back(std::move(obj["item"]));
  }
  out["IsTruncated"] = paged["IsTruncated"];
  if (paged.contains("Marker")) out["Marker"] = paged["Marker"];
  return out;
}

}  // namespace orgtwin::services::iam
