// IAM roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
// DeleteRole, ListRoles and role tags.
#include "policy/document.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

Status RoleExists(std::string_view name) {
  return EntityAlreadyExists("Role with name " + std::string(name) + " already exists.");
}

// Trust policies are resource policies naming principals, with their own 2,048-character quota.
Status ValidateTrustPolicy(std::string_view document) {
  Result<policy::PolicyDocument> parsed = policy::ParsePolicy(document, policy::Flavour::kTrust);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Result<std::string> RoleIdOf(const std::string& account_id, store::Transaction& tx,
                             const Json& input) {
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, account_id, Str(input, "RoleName")));
  return role.role_id;
}

store::Value Nullable(const std::optional<std::string>& text) {
  return text.has_value() ? store::Value(*text) : store::Value();
}

}  // namespace

Result<Json> CreateRole(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  RoleRow role;
  role.account_id = account;
  role.name = Str(input, "RoleName");
  role.path = Str(input, "Path", "/");
  role.trust_policy = Str(input, "AssumeRolePolicyDocument");
  if (Has(input, "Description")) role.description = Str(input, "Description");
  role.max_session_duration = Int(input, "MaxSessionDuration").value_or(3600);
  role.boundary_arn = Str(input, "PermissionsBoundary");
  role.created_at = NowSeconds(ctx);
  OT_RETURN_IF_ERROR(ValidateTrustPolicy(role.trust_policy));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindRole(tx, account, role.name));
  if (existing.has_value()) return RoleExists(role.name);
  OT_ASSIGN_OR_RETURN(int64_t count, repo::EntityCount(tx, repo::CountedEntity::kRole, account));
  if (count >= kRolesPerAccount) {
    return LimitExceeded("Cannot exceed quota for RolesPerAccount: " +
                         std::to_string(kRolesPerAccount));
  }
  if (!role.boundary_arn.empty()) {
    OT_RETURN_IF_ERROR(CheckAttachable(tx, account, role.boundary_arn).status());
  }
  role.role_id = NewUniqueId(ctx.twin.ids, "AROA");
  OT_RETURN_IF_ERROR(repo::InsertRole(tx, role));
  OT_RETURN_IF_ERROR(ApplyTags(tx, "Role", role.role_id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "Role", role.role_id));
  Json out = RoleObject(role, /*full=*/false);
  if (!role.boundary_arn.empty()) out["PermissionsBoundary"] = BoundaryObject(role.boundary_arn);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"Role", std::move(out)}};
}

Result<Json> GetRole(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "Role", role.role_id));
  Json out = RoleObject(role, /*full=*/true);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"Role", std::move(out)}};
}

Result<Json> UpdateRole(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  if (Has(input, "Description")) role.description = Str(input, "Description");
  role.max_session_duration = Int(input, "MaxSessionDuration").value_or(role.max_session_duration);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_roles SET description = ?, max_session_duration = ? "
                          "WHERE role_id = ?",
                          {Nullable(role.description), role.max_session_duration, role.role_id}));
  return Json();
}

Result<Json> UpdateRoleDescription(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  role.description = Str(input, "Description");
  OT_RETURN_IF_ERROR(Exec(tx, "UPDATE iam_roles SET description = ? WHERE role_id = ?",
                          {*role.description, role.role_id}));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "Role", role.role_id));
  Json out = RoleObject(role, /*full=*/true);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"Role", std::move(out)}};
}

Result<Json> UpdateAssumeRolePolicy(gateway::RequestContext& ctx, const Json& input) {
  std::string document = Str(input, "PolicyDocument");
  OT_RETURN_IF_ERROR(ValidateTrustPolicy(document));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  if (role.service_linked()) return ProtectedRole(role.name);
  OT_RETURN_IF_ERROR(Exec(tx, "UPDATE iam_roles SET assume_role_policy = ? WHERE role_id = ?",
                          {document, role.role_id}));
  return Json();
}

Result<Json> DeleteRole(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  if (role.service_linked()) return ProtectedRole(role.name);
  // AWS-COMPAT: no cascade; instance profiles, attached and inline policies must go first.
  OT_ASSIGN_OR_RETURN(int64_t profiles, CountRows(tx,
                                                  "SELECT COUNT(*) FROM "
                                                  "iam_instance_profile_roles WHERE role_id = ?",
                                                  {role.role_id}));
  if (profiles > 0) {
    return DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  }
  OT_ASSIGN_OR_RETURN(auto attached, AttachedPolicyArns(tx, "Role", role.role_id));
  if (!attached.empty()) {
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  }
  OT_ASSIGN_OR_RETURN(int64_t inline_count, CountInlinePolicies(tx, "Role", role.role_id));
  if (inline_count > 0) return DeleteConflict("Cannot delete entity, must delete policies first.");
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, "Role", role.role_id));
  OT_RETURN_IF_ERROR(repo::DeleteRole(tx, role));
  return Json();
}

Result<Json> ListRoles(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::vector<RoleRow> roles,
                      repo::ListRoles(tx, AccountOf(ctx), page.start_key, prefix,
                                      static_cast<int64_t>(page.max_items + 1)));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(roles.size());
  for (const RoleRow& role : roles) {
    // AWS-COMPAT: ListRoles omits PermissionsBoundary, RoleLastUsed and Tags.
    items.emplace_back(Lower(role.name), RoleObject(role, /*full=*/false));
  }
  Json out;
  EmitPage(std::move(items), page, "Roles", out);
  return out;
}

Result<Json> TagRole(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, "Role", [&](store::Transaction& tx, const Json& in) {
    return RoleIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> UntagRole(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, "Role", [&](store::Transaction& tx, const Json& in) {
    return RoleIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> ListRoleTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, "Role", [&](store::Transaction& tx, const Json& in) {
    return RoleIdOf(AccountOf(ctx), tx, in);
  });
}

}  // namespace orgtwin::services::iam
