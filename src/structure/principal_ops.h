// File: structure/principal_ops.h
//
// How IAM names the operations of each principal kind that holds policies (roles, users and
// groups): one table serves the reader (import.cc) and the writer (reconcile.cc), so a kind is
// handled by data, not by three copies of the same code.
#pragma once

#include <string_view>

namespace orgtwin::structure {

// How IAM names a principal kind's operations: one table serves roles, users and groups.
struct PrincipalOps {
  std::string_view kind;           // "role"
  std::string_view name_member;    // "RoleName"
  std::string_view list_attached;  // ListAttachedRolePolicies
  std::string_view attach;
  std::string_view detach;
  std::string_view list_inline;  // ListRolePolicies
  std::string_view get_inline;
  std::string_view put_inline;
  std::string_view delete_inline;
};

inline constexpr PrincipalOps kRoleOps{"role",
                                       "RoleName",
                                       "ListAttachedRolePolicies",
                                       "AttachRolePolicy",
                                       "DetachRolePolicy",
                                       "ListRolePolicies",
                                       "GetRolePolicy",
                                       "PutRolePolicy",
                                       "DeleteRolePolicy"};
inline constexpr PrincipalOps kUserOps{"user",
                                       "UserName",
                                       "ListAttachedUserPolicies",
                                       "AttachUserPolicy",
                                       "DetachUserPolicy",
                                       "ListUserPolicies",
                                       "GetUserPolicy",
                                       "PutUserPolicy",
                                       "DeleteUserPolicy"};
inline constexpr PrincipalOps kGroupOps{"group",
                                        "GroupName",
                                        "ListAttachedGroupPolicies",
                                        "AttachGroupPolicy",
                                        "DetachGroupPolicy",
                                        "ListGroupPolicies",
                                        "GetGroupPolicy",
                                        "PutGroupPolicy",
                                        "DeleteGroupPolicy"};

}  // namespace orgtwin::structure
