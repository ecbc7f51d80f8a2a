// File: policy/policy_set_loader.h
//
// PolicySetLoader: gathers the policies that decide what a principal may do -- a user's inline
// and managed policies and its groups', a role's, a permissions boundary, and the SCP and RCP
// levels on an account's path through its organization -- and compiles them. One loader serves
// every question the project asks of the policy engine: the gateway's authorizer (every
// request), IAM's policy simulator, and `verify`, which reads the same facts through the public
// API instead of the store.
//
// Where the facts come from is a PolicySource: repo/store_policy_source.h reads the twin's
// store; a source over the AWS API (GetAccountAuthorizationDetails, ListPoliciesForTarget, ...)
// gives the same answers for a real organization. The loader owns the rules that do not depend
// on where the facts live: AWS managed policies come from the catalog (policy/catalog.h), groups
// contribute their policies to their users, SCPs restrict member accounts only (never the
// management account), and only when the policy type is enabled on the root and the
// organization has all features.
//
// Thread-safety: a loader is used by one thread at a time (its source usually wraps one
// transaction); the PolicyCache it compiles through may be shared.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "policy/compiled_policy.h"
#include "policy/evaluator.h"

namespace orgtwin::policy {

using TagList = std::vector<std::pair<std::string, std::string>>;  // key, value in tag order

// The facts a PolicySetLoader reads. Absent things are nullopt/empty, not errors; an error is a
// failure to read.
class PolicySource {
 public:
  virtual ~PolicySource() = default;

  // A user, group or role.
  struct Entity {
    std::string id;  // unique ID (AIDA..., AGPA..., AROA...)
    std::string account_id;
    std::string name;
    std::string path;          // "/" when at the root
    std::string boundary_arn;  // "" when none (groups have none)
    TagList tags;              // users and roles
  };
  struct InlineDocument {
    std::string name;
    std::string text;
  };
  // An account's place in its organization.
  struct Placement {
    std::string org_id;
    std::string management_account_id;
    std::string feature_set;  // ALL | CONSOLIDATED_BILLING
    // Root first, then the OUs, ending with the parent of the account (not the account itself).
    std::vector<std::string> parents;
  };
  struct OrgPolicy {
    std::string id;
    std::string name;
    std::string content;
  };

  virtual Result<std::optional<Entity>> FindUser(std::string_view account_id,
                                                 std::string_view name) = 0;
  virtual Result<std::optional<Entity>> FindGroup(std::string_view account_id,
                                                  std::string_view name) = 0;
  virtual Result<std::optional<Entity>> FindRole(std::string_view account_id,
                                                 std::string_view name) = 0;
  virtual Result<std::optional<Entity>> FindRoleById(std::string_view role_id) = 0;
  // The groups the user belongs to.
  virtual Result<std::vector<Entity>> GroupsOfUser(const Entity& user) = 0;
  // kind "User" | "Group" | "Role".
  virtual Result<std::vector<InlineDocument>> InlinePolicies(std::string_view kind,
                                                             const Entity& entity) = 0;
  virtual Result<std::vector<std::string>> AttachedPolicyArns(std::string_view kind,
                                                              const Entity& entity) = 0;
  // A customer managed policy's name and default version's document.
  virtual Result<std::optional<InlineDocument>> CustomerManagedPolicy(std::string_view arn) = 0;
  virtual Result<std::optional<Placement>> FindPlacement(std::string_view account_id) = 0;
  // Whether `policy_type` (SERVICE_CONTROL_POLICY, ...) is enabled on the organization's root.
  virtual Result<bool> PolicyTypeEnabled(std::string_view org_id, std::string_view policy_type) = 0;
  virtual Result<std::vector<OrgPolicy>> AttachedOrgPolicies(std::string_view org_id,
                                                             std::string_view target_id,
                                                             std::string_view policy_type) = 0;
};

// One policy of a loaded set and where it came from, as IAM's simulator reports it.
struct SourcedPolicy {
  std::string source_id;    // SourcePolicyId: the policy's name
  std::string source_type;  // user | group | role | aws-managed | user-managed | scp | rcp
  std::string text;         // the document as stored
  PolicyPtr compiled;
};
using SourcedPolicyPtr = std::shared_ptr<const SourcedPolicy>;

// A user's, group's or role's identity policies and permissions boundary.
struct EntityPolicies {
  std::optional<PolicySource::Entity> entity;  // nullopt: no such entity (no policies)
  // Inline, then managed, of the entity; then of each of a user's groups.
  std::vector<SourcedPolicyPtr> identity;
  SourcedPolicyPtr boundary;  // null = no permissions boundary
};

// The organization side of an account.
struct OrgPolicies {
  std::string org_id;  // "" = in no organization
  std::string management_account_id;
  std::string feature_set;
  bool member = false;   // in an organization and not its management account
  std::string org_path;  // aws:PrincipalOrgPaths: "o-x/r-x/ou-x/"
  // Present for member accounts whose organization enables the type: one level per target,
  // root -> OUs -> the account; every level must allow.
  bool has_scp = false;
  std::vector<std::vector<SourcedPolicyPtr>> scp;
  bool has_rcp = false;
  std::vector<std::vector<SourcedPolicyPtr>> rcp;
};

// The compiled policies of a loaded set, as the evaluator takes them.
std::vector<PolicyPtr> CompiledOf(const std::vector<SourcedPolicyPtr>& policies);
std::vector<std::vector<PolicyPtr>> CompiledLevels(
    const std::vector<std::vector<SourcedPolicyPtr>>& levels);

class PolicySetLoader {
 public:
  // `cache` memoizes compiled documents by content, across loads and loaders.
  PolicySetLoader(PolicySource& source, PolicyCache& cache) : source_(source), cache_(cache) {}

  // A user's own policies and its groups', its boundary and tags. `with_boundary` false leaves
  // the boundary out (a federated user's session gets the user's policies, not its boundary).
  Result<EntityPolicies> LoadUser(std::string_view account_id, std::string_view name,
                                  bool with_boundary = true);
  Result<EntityPolicies> LoadGroup(std::string_view account_id, std::string_view name);
  Result<EntityPolicies> LoadRole(std::string_view account_id, std::string_view name);
  Result<EntityPolicies> LoadRoleById(std::string_view role_id);
  // The organization `account_id` is in, with the SCP and RCP levels that apply to it.
  Result<OrgPolicies> LoadOrganization(std::string_view account_id);

 private:
  Result<EntityPolicies> LoadEntity(std::string_view kind, std::optional<PolicySource::Entity>,
                                    bool with_boundary, bool with_groups);
  Status AddEntityPolicies(std::string_view kind, const PolicySource::Entity& entity,
                           std::vector<SourcedPolicyPtr>* out);
  // A managed policy (AWS managed from the catalog, customer managed from the source) compiled
  // as `flavour`; null when it does not exist.
  Result<SourcedPolicyPtr> ManagedPolicy(const std::string& arn, Flavour flavour);
  // Compiles a stored document (memoized); null when it does not compile (stored policies were
  // validated when written, so that means data written by other means: logged and skipped).
  SourcedPolicyPtr Make(std::string source_id, std::string source_type, const std::string& cache_id,
                        std::string text, Flavour flavour);

  PolicySource& source_;
  PolicyCache& cache_;
};

}  // namespace orgtwin::policy
