// Instance profiles (Create/Get/Delete/List, Add/RemoveRoleToInstanceProfile,
// ListInstanceProfilesForRole, tags) and service-linked roles (CreateServiceLinkedRole,
// DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus). Tables of migration 0007.
#include <cctype>
#include <cmath>

#include "services/iam/handler_util.h"
#include "services/iam/service_linked_roles.h"

namespace orgtwin::services::iam {
namespace {

struct ProfileRow {
  std::string id;
  std::string account_id;
  std::string name;
  std::string path;
  double created_at = 0;
  std::string Arn() const { return IamArn(account_id, "instance-profile", path, name); }
};

constexpr char kProfileCols[] =
    "SELECT instance_profile_id, account_id, profile_name, path, created_at, profile_name_lower "
    "FROM iam_instance_profiles ";

ProfileRow ProfileFromRow(const store::Row& r) {
  return ProfileRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)};
}

Result<ProfileRow> RequireProfile(store::Transaction& tx, const std::string& account,
                                  const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kProfileCols) +
                                              "WHERE account_id = ? AND profile_name_lower = ?",
                                          {account, Lower(name)}));
  if (rows.empty()) return NoSuchEntity("Instance Profile " + name + " cannot be found.");
  return ProfileFromRow(rows.front());
}

// The InstanceProfile structure: its roles (ListRoles form) and, when `with_tags`, its tags.
Result<Json> ProfileObject(store::Transaction& tx, const ProfileRow& p, bool with_tags) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT r.role_name FROM iam_instance_profile_roles m "
                                          "JOIN iam_roles r ON r.role_id = m.role_id WHERE "
                                          "m.instance_profile_id = ? ORDER BY m.added_at",
                                          {p.id}));
  boost::json::array roles;
  for (const store::Row& r : rows) {
    OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, p.account_id, r.Text(0)));
    roles.push_back(RoleObject(role, /*full=*/false));
  }
  Json out{{"Path", p.path}, {"InstanceProfileName", p.name}, {"InstanceProfileId", p.id},
           {"Arn", p.Arn()}, {"CreateDate", p.created_at},    {"Roles", std::move(roles)}};
  if (with_tags) {
    OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "InstanceProfile", p.id));
    if (!tags.empty()) out["Tags"] = std::move(tags);
  }
  return out;
}

Result<std::string> ProfileIdOf(const std::string& account, store::Transaction& tx,
                                const Json& input) {
  OT_ASSIGN_OR_RETURN(ProfileRow p, RequireProfile(tx, account, Str(input, "InstanceProfileName")));
  return p.id;
}

}  // namespace

Result<boost::json::array> InstanceProfilesForRole(store::Transaction& tx,
                                                   const std::string& role_id) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT p.instance_profile_id, p.account_id, p.profile_name, "
                               "p.path, p.created_at FROM iam_instance_profile_roles m JOIN "
                               "iam_instance_profiles p ON p.instance_profile_id = "
                               "m.instance_profile_id WHERE m.role_id = ? ORDER BY "
                               "p.profile_name_lower",
                               {role_id}));
  boost::json::array out;
  for (const store::Row& r : rows) {
    OT_ASSIGN_OR_RETURN(Json p, ProfileObject(tx, ProfileFromRow(r), /*with_tags=*/false));
    out.push_back(std::move(p));
  }
  return out;
}

Result<Json> CreateInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  ProfileRow p{"", account, Str(input, "InstanceProfileName"), Str(input, "Path", "/"),
               NowSeconds(ctx)};
  Status exists = EntityAlreadyExists("Instance Profile " + p.name + " already exists.");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(int64_t clash, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_instance_profiles WHERE "
                                               "account_id = ? AND profile_name_lower = ?",
                                               {account, Lower(p.name)}));
  if (clash > 0) return exists;
  OT_ASSIGN_OR_RETURN(
      int64_t count,
      CountRows(tx, "SELECT COUNT(*) FROM iam_instance_profiles WHERE account_id = ?", {account}));
  if (count >= kInstanceProfilesPerAccount) {
    return LimitExceeded("Cannot exceed quota for InstanceProfilesPerAccount: " +
                         std::to_string(kInstanceProfilesPerAccount));
  }
  p.id = NewUniqueId(ctx.twin.ids, "AIPA");
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_instance_profiles (instance_profile_id, account_id, "
                          "profile_name, profile_name_lower, path, created_at) VALUES "
                          "(?, ?, ?, ?, ?, ?)",
                          {p.id, account, p.name, Lower(p.name), p.path, p.created_at}));
  OT_RETURN_IF_ERROR(ApplyTags(tx, "InstanceProfile", p.id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(Json out, ProfileObject(tx, p, /*with_tags=*/true));
  return Json{{"InstanceProfile", std::move(out)}};
}

Result<Json> GetInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileRow p,
                      RequireProfile(tx, AccountOf(ctx), Str(input, "InstanceProfileName")));
  OT_ASSIGN_OR_RETURN(Json out, ProfileObject(tx, p, /*with_tags=*/true));
  return Json{{"InstanceProfile", std::move(out)}};
}

Result<Json> DeleteInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileRow p,
                      RequireProfile(tx, AccountOf(ctx), Str(input, "InstanceProfileName")));
  OT_ASSIGN_OR_RETURN(int64_t roles, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_instance_profile_roles "
                                               "WHERE instance_profile_id = ?",
                                               {p.id}));
  if (roles > 0) {
    return DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  }
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, "InstanceProfile", p.id));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_instance_profiles WHERE instance_profile_id = ?", {p.id}));
  return Json();
}

Result<Json> ListInstanceProfiles(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kProfileCols) + "WHERE account_id = ? AND profile_name_lower >= ? "
                                           "AND substr(path, 1, ?) = ? ORDER BY "
                                           "profile_name_lower LIMIT ?",
               {AccountOf(ctx), page.start_key, static_cast<int64_t>(prefix.size()), prefix,
                static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    OT_ASSIGN_OR_RETURN(Json p, ProfileObject(tx, ProfileFromRow(r), /*with_tags=*/false));
    items.emplace_back(r.Text(5), std::move(p));
  }
  Json out;
  EmitPage(std::move(items), page, "InstanceProfiles", out);
  return out;
}

Result<Json> AddRoleToInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileRow p, RequireProfile(tx, account, Str(input, "InstanceProfileName")));
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, account, Str(input, "RoleName")));
  OT_ASSIGN_OR_RETURN(int64_t roles, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_instance_profile_roles "
                                               "WHERE instance_profile_id = ?",
                                               {p.id}));
  if (roles >= kRolesPerInstanceProfile) {
    // AWS-COMPAT: an instance profile holds one role; a second (or the same again) is a quota.
    return LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: " +
                         std::to_string(kRolesPerInstanceProfile));
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_instance_profile_roles (instance_profile_id, role_id, "
                          "added_at) VALUES (?, ?, ?)",
                          {p.id, role.role_id, NowSeconds(ctx)}));
  return Json();
}

Result<Json> RemoveRoleFromInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ProfileRow p, RequireProfile(tx, account, Str(input, "InstanceProfileName")));
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, account, Str(input, "RoleName")));
  OT_ASSIGN_OR_RETURN(int64_t removed, tx.Execute("DELETE FROM iam_instance_profile_roles WHERE "
                                                  "instance_profile_id = ? AND role_id = ?",
                                                  {p.id, role.role_id}));
  if (removed == 0) {
    return NoSuchEntity("The role with name " + role.name +
                        " cannot be found in instance profile " + p.name + ".");
  }
  return Json();
}

Result<Json> ListInstanceProfilesForRole(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, AccountOf(ctx), Str(input, "RoleName")));
  OT_ASSIGN_OR_RETURN(boost::json::array profiles, InstanceProfilesForRole(tx, role.role_id));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (auto& p : profiles) {
    std::string key = Lower(std::string(p.as_object().at("InstanceProfileName").as_string()));
    items.emplace_back(std::move(key), std::move(p));
  }
  Json out;
  EmitPage(std::move(items), page, "InstanceProfiles", out);
  return out;
}

Result<Json> TagInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, "InstanceProfile", [&](store::Transaction& tx, const Json& in) {
    return ProfileIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> UntagInstanceProfile(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, "InstanceProfile", [&](store::Transaction& tx, const Json& in) {
    return ProfileIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> ListInstanceProfileTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, "InstanceProfile", [&](store::Transaction& tx, const Json& in) {
    return ProfileIdOf(AccountOf(ctx), tx, in);
  });
}

Result<RoleRow> InsertServiceLinkedRole(store::Transaction& tx, IdGenerator& ids,
                                        const std::string& account,
                                        const ServiceLinkedRoleSpec& spec,
                                        std::optional<std::string> description, double now) {
  RoleRow role;
  role.role_id = NewUniqueId(ids, "AROA");
  role.account_id = account;
  role.name = spec.name;
  role.path = spec.path;
  role.trust_policy = spec.trust_policy;
  role.description = std::move(description);
  role.created_at = now;
  OT_RETURN_IF_ERROR(repo::InsertRole(tx, role));
  if (!spec.policy_arn.empty() && policy::ManagedPolicies().FindByArn(spec.policy_arn) != nullptr) {
    OT_RETURN_IF_ERROR(repo::InsertAttachment(tx, account, repo::kRoleEntity, role.role_id,
                                              spec.policy_arn, role.created_at));
  }
  return role;
}

Status AddServiceLinkedRole(store::Transaction& tx, IdGenerator& ids, const std::string& account,
                            std::string_view service, double now) {
  ServiceLinkedRoleSpec spec = ServiceLinkedRoleFor(service);
  std::optional<std::string> description;
  if (!spec.description.empty()) description = spec.description;
  return InsertServiceLinkedRole(tx, ids, account, spec, std::move(description), std::floor(now))
      .status();
}

Status EnsureServiceLinkedRole(store::Transaction& tx, IdGenerator& ids, const std::string& account,
                               std::string_view service, double now) {
  OT_ASSIGN_OR_RETURN(auto existing, FindRole(tx, account, ServiceLinkedRoleFor(service).name));
  if (existing.has_value()) return Status::Ok();
  return AddServiceLinkedRole(tx, ids, account, service, now);
}

Result<Json> CreateServiceLinkedRole(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string service = Str(input, "AWSServiceName");
  constexpr std::string_view kDomain = ".amazonaws.com";
  // AWS-COMPAT: no public record shows AWS's text for a principal without a service-linked
  // role; it is InvalidInput (the operation's error for a bad input value) naming the service.
  if (service.size() <= kDomain.size() ||
      service.compare(service.size() - kDomain.size(), kDomain.size(), kDomain) != 0 ||
      !HasServiceLinkedRole(service)) {
    return InvalidInput("Invalid service name: " + service);
  }
  ServiceLinkedRoleSpec spec = ServiceLinkedRoleFor(service, Str(input, "CustomSuffix"));
  std::optional<std::string> description;
  if (Has(input, "Description")) description = Str(input, "Description");
  Status taken = InvalidInput("Service role name " + spec.name +
                              " has been taken in this account, please try a different suffix.");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindRole(tx, account, spec.name));
  if (existing.has_value()) return taken;
  OT_ASSIGN_OR_RETURN(int64_t count, repo::EntityCount(tx, repo::CountedEntity::kRole, account));
  if (count >= kRolesPerAccount) {
    return LimitExceeded("Cannot exceed quota for RolesPerAccount: " +
                         std::to_string(kRolesPerAccount));
  }
  OT_ASSIGN_OR_RETURN(
      RoleRow role, InsertServiceLinkedRole(tx, ctx.twin.ids, account, spec, std::move(description),
                                            NowSeconds(ctx)));
  return Json{{"Role", RoleObject(role, /*full=*/false)}};
}

Result<Json> DeleteServiceLinkedRole(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, account, Str(input, "RoleName")));
  if (!role.service_linked()) {
    return InvalidInput("Role " + role.name + " is not a service-linked role.");
  }
  // The twin has no service resources that could keep the role in use: the deletion task
  // succeeds at once and removes what the role carries.
  for (std::string_view sql :
       {"DELETE FROM iam_attachments WHERE entity_type = 'Role' AND entity_id = ?",
        "DELETE FROM iam_inline_policies WHERE entity_type = 'Role' AND entity_id = ?",
        "DELETE FROM iam_instance_profile_roles WHERE role_id = ?",
        "DELETE FROM iam_tags WHERE entity_type = 'Role' AND entity_id = ?"}) {
    OT_RETURN_IF_ERROR(Exec(tx, sql, {role.role_id}));
  }
  OT_RETURN_IF_ERROR(repo::DeleteRole(tx, role));
  std::string task = "task" + role.path + role.name + "/" +
                     ctx.twin.ids.RandomString(8, "0123456789abcdef") + "-" +
                     ctx.twin.ids.RandomString(4, "0123456789abcdef") + "-" +
                     ctx.twin.ids.RandomString(4, "0123456789abcdef") + "-" +
                     ctx.twin.ids.RandomString(4, "0123456789abcdef") + "-" +
                     ctx.twin.ids.RandomString(12, "0123456789abcdef");
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_slr_deletion_tasks (deletion_task_id, account_id, "
                          "role_name, status, created_at) VALUES (?, ?, ?, 'SUCCEEDED', ?)",
                          {task, account, role.name, NowSeconds(ctx)}));
  return Json{{"DeletionTaskId", task}};
}

Result<Json> GetServiceLinkedRoleDeletionStatus(gateway::RequestContext& ctx, const Json& input) {
  std::string task = Str(input, "DeletionTaskId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT status FROM iam_slr_deletion_tasks WHERE "
                                          "deletion_task_id = ? AND account_id = ?",
                                          {task, AccountOf(ctx)}));
  if (rows.empty()) return NoSuchEntity("Deletion task " + task + " cannot be found.");
  return Json{{"Status", rows.front().Text(0)}};
}

}  // namespace orgtwin::services::iam
