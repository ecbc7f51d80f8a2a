// File: repo/store_policy_source.h
//
// The twin's store as a policy::PolicySource: the facts the policy-set loader asks for, read
// through the IAM and Organizations repositories in the caller's transaction. The authorizer and
// IAM's simulator load policy sets with it; `verify` has a source of its own over the public API.
//
// Thread-safety: as the Transaction it wraps (one thread at a time).
#pragma once

#include "policy/policy_set_loader.h"
#include "store/store.h"

namespace orgtwin::repo {

class StorePolicySource final : public policy::PolicySource {
 public:
  explicit StorePolicySource(store::Transaction& tx) : tx_(tx) {}

  Result<std::optional<Entity>> FindUser(std::string_view account_id,
                                         std::string_view name) override;
  Result<std::optional<Entity>> FindGroup(std::string_view account_id,
                                          std::string_view name) override;
  Result<std::optional<Entity>> FindRole(std::string_view account_id,
                                         std::string_view name) override;
  Result<std::optional<Entity>> FindRoleById(std::string_view role_id) override;
  Result<std::vector<Entity>> GroupsOfUser(const Entity& user) override;
  Result<std::vector<InlineDocument>> InlinePolicies(std::string_view kind,
                                                     const Entity& entity) override;
  Result<std::vector<std::string>> AttachedPolicyArns(std::string_view kind,
                                                      const Entity& entity) override;
  Result<std::optional<InlineDocument>> CustomerManagedPolicy(std::string_view arn) override;
  Result<std::optional<Placement>> FindPlacement(std::string_view account_id) override;
  Result<bool> PolicyTypeEnabled(std::string_view org_id, std::string_view policy_type) override;
  Result<std::vector<OrgPolicy>> AttachedOrgPolicies(std::string_view org_id,
                                                     std::string_view target_id,
                                                     std::string_view policy_type) override;

 private:
  store::Transaction& tx_;
};

}  // namespace orgtwin::repo
