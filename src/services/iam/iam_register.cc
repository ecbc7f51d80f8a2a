#include "services/iam/handler_util.h"
#include "services/iam/iam_handlers.h"

namespace orgtwin::services::iam {

Status RegisterIamHandlers(gateway::Gateway& gateway) {
  struct Entry {
    const char* operation;
    Handler* handler;
  };
  static constexpr Entry kHandlers[] = {
      {"CreateUser", CreateUser},
      {"GetUser", GetUser},
      {"UpdateUser", UpdateUser},
      {"DeleteUser", DeleteUser},
      {"ListUsers", ListUsers},
      {"TagUser", TagUser},
      {"UntagUser", UntagUser},
      {"ListUserTags", ListUserTags},
      {"CreateGroup", CreateGroup},
      {"GetGroup", GetGroup},
      {"UpdateGroup", UpdateGroup},
      {"DeleteGroup", DeleteGroup},
      {"AddUserToGroup", AddUserToGroup},
      {"RemoveUserFromGroup", RemoveUserFromGroup},
      {"ListGroups", ListGroups},
      {"ListGroupsForUser", ListGroupsForUser},
      {"CreateRole", CreateRole},
      {"GetRole", GetRole},
      {"UpdateRole", UpdateRole},
      {"UpdateRoleDescription", UpdateRoleDescription},
      {"UpdateAssumeRolePolicy", UpdateAssumeRolePolicy},
      {"DeleteRole", DeleteRole},
      {"ListRoles", ListRoles},
      {"TagRole", TagRole},
      {"UntagRole", UntagRole},
      {"ListRoleTags", ListRoleTags},
      {"CreatePolicy", CreatePolicy},
      {"GetPolicy", GetPolicy},
      {"DeletePolicy", DeletePolicy},
      {"ListPolicies", ListPolicies},
      {"GetPolicyVersion", GetPolicyVersion},
      {"CreatePolicyVersion", CreatePolicyVersion},
      {"SetDefaultPolicyVersion", SetDefaultPolicyVersion},
      {"DeletePolicyVersion", DeletePolicyVersion},
      {"ListPolicyVersions", ListPolicyVersions},
      {"TagPolicy", TagPolicy},
      {"UntagPolicy", UntagPolicy},
      {"ListPolicyTags", ListPolicyTags},
      {"AttachUserPolicy", AttachUserPolicy},
      {"AttachGroupPolicy", AttachGroupPolicy},
      {"AttachRolePolicy", AttachRolePolicy},
      {"DetachUserPolicy", DetachUserPolicy},
      {"DetachGroupPolicy", DetachGroupPolicy},
      {"DetachRolePolicy", DetachRolePolicy},
      {"ListAttachedUserPolicies", ListAttachedUserPolicies},
      {"ListAttachedGroupPolicies", ListAttachedGroupPolicies},
      {"ListAttachedRolePolicies", ListAttachedRolePolicies},
      {"PutUserPolicy", PutUserPolicy},
      {"PutGroupPolicy", PutGroupPolicy},
      {"PutRolePolicy", PutRolePolicy},
      {"GetUserPolicy", GetUserPolicy},
      {"GetGroupPolicy", GetGroupPolicy},
      {"GetRolePolicy", GetRolePolicy},
      {"DeleteUserPolicy", DeleteUserPolicy},
      {"DeleteGroupPolicy", DeleteGroupPolicy},
      {"DeleteRolePolicy", DeleteRolePolicy},
      {"ListUserPolicies", ListUserPolicies},
      {"ListGroupPolicies", ListGroupPolicies},
      {"ListRolePolicies", ListRolePolicies},
      {"PutUserPermissionsBoundary", PutUserPermissionsBoundary},
      {"DeleteUserPermissionsBoundary", DeleteUserPermissionsBoundary},
      {"PutRolePermissionsBoundary", PutRolePermissionsBoundary},
      {"DeleteRolePermissionsBoundary", DeleteRolePermissionsBoundary},
      {"ListEntitiesForPolicy", ListEntitiesForPolicy},
  };
  for (const Entry& entry : kHandlers) {
    OT_RETURN_IF_ERROR(gateway.Register("iam", entry.operation, entry.handler));
  }
  return Status::Ok();
}

}  // namespace orgtwin::services::iam
