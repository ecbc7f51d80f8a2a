#include "repo/store_policy_source.h"

#include "repo/iam_repository.h"
#include "repo/org_repository.h"

namespace orgtwin::repo {
namespace {

using Entity = policy::PolicySource::Entity;

Result<std::optional<Entity>> WithTags(store::Transaction& tx, std::string_view kind,
                                       std::optional<Entity> entity) {
  if (!entity.has_value()) return entity;
  OT_ASSIGN_OR_RETURN(entity->tags, EntityTags(tx, kind, entity->id));
  return entity;
}

std::optional<Entity> EntityOf(const std::optional<UserRow>& user) {
  if (!user.has_value()) return std::nullopt;
  return Entity{user->user_id, user->account_id, user->name, user->path, user->boundary_arn, {}};
}

std::optional<Entity> EntityOf(const std::optional<RoleRow>& role) {
  if (!role.has_value()) return std::nullopt;
  return Entity{role->role_id, role->account_id, role->name, role->path, role->boundary_arn, {}};
}

Entity EntityOf(const GroupRow& group) {
  return Entity{group.group_id, group.account_id, group.name, group.path, "", {}};
}

}  // namespace

Result<std::optional<Entity>> StorePolicySource::FindUser(std::string_view account_id,
                                                          std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto user, repo::FindUser(tx_, account_id, name));
  return WithTags(tx_, kUserEntity, EntityOf(user));
}

Result<std::optional<Entity>> StorePolicySource::FindGroup(std::string_view account_id,
                                                           std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto group, repo::FindGroup(tx_, account_id, name));
  if (!group.has_value()) return std::optional<Entity>();
  return std::optional<Entity>(EntityOf(*group));
}

Result<std::optional<Entity>> StorePolicySource::FindRole(std::string_view account_id,
                                                          std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto role, repo::FindRole(tx_, account_id, name));
  return WithTags(tx_, kRoleEntity, EntityOf(role));
}

Result<std::optional<Entity>> StorePolicySource::FindRoleById(std::string_view role_id) {
  OT_ASSIGN_OR_RETURN(auto role, repo::FindRoleById(tx_, role_id));
  return WithTags(tx_, kRoleEntity, EntityOf(role));
}

Result<std::vector<Entity>> StorePolicySource::GroupsOfUser(const Entity& user) {
  OT_ASSIGN_OR_RETURN(auto groups, repo::GroupsOfUser(tx_, user.id));
  std::vector<Entity> out;
  out.reserve(groups.size());
  for (const GroupRow& group : groups) out.push_back(EntityOf(group));
  return out;
}

Result<std::vector<policy::PolicySource::InlineDocument>> StorePolicySource::InlinePolicies(
    std::string_view kind, const Entity& entity) {
  OT_ASSIGN_OR_RETURN(auto rows, repo::InlinePolicies(tx_, kind, entity.id));
  std::vector<InlineDocument> out;
  out.reserve(rows.size());
  for (InlinePolicyRow& row : rows) {
    out.push_back(InlineDocument{std::move(row.name), std::move(row.document)});
  }
  return out;
}

Result<std::vector<std::string>> StorePolicySource::AttachedPolicyArns(std::string_view kind,
                                                                       const Entity& entity) {
  return repo::AttachedPolicyArns(tx_, kind, entity.id);
}

Result<std::optional<policy::PolicySource::InlineDocument>>
StorePolicySource::CustomerManagedPolicy(std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto found, DefaultPolicyDocument(tx_, arn));
  if (!found.has_value()) return std::optional<InlineDocument>();
  return std::optional<InlineDocument>(
      InlineDocument{std::move(found->first.name), std::move(found->second)});
}

Result<std::optional<policy::PolicySource::Placement>> StorePolicySource::FindPlacement(
    std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto member, FindMembership(tx_, account_id));
  if (!member.has_value()) return std::optional<Placement>();
  OT_ASSIGN_OR_RETURN(auto org, FindOrganization(tx_, member->org_id));
  if (!org.has_value()) return std::optional<Placement>();
  Placement placement;
  placement.org_id = org->org_id;
  placement.management_account_id = org->management_account_id;
  placement.feature_set = org->feature_set;
  Result<std::vector<std::string>> chain = ParentChain(tx_, org->org_id, member->parent_id);
  // A parent that is not there (data written by other means) leaves the account at no level.
  if (chain.ok()) {
    placement.parents = *std::move(chain);
  } else if (chain.status().code() != ErrorCode::kNotFound) {
    return chain.status();
  }
  return std::optional<Placement>(std::move(placement));
}

Result<bool> StorePolicySource::PolicyTypeEnabled(std::string_view org_id,
                                                  std::string_view policy_type) {
  return repo::PolicyTypeEnabled(tx_, org_id, policy_type);
}

Result<std::vector<policy::PolicySource::OrgPolicy>> StorePolicySource::AttachedOrgPolicies(
    std::string_view org_id, std::string_view target_id, std::string_view policy_type) {
  OT_ASSIGN_OR_RETURN(auto rows, AttachedPolicies(tx_, org_id, target_id, policy_type));
  std::vector<OrgPolicy> out;
  out.reserve(rows.size());
  for (AttachedPolicyRow& row : rows) {
    out.push_back(OrgPolicy{std::move(row.policy_id), std::move(row.name), std::move(row.content)});
  }
  return out;
}

}  // namespace orgtwin::repo
