// File: gateway/operation_actions.h
//
// What AWS authorizes for each operation: the IAM action(s) ("iam:CreateUser"), the resource
// ARN(s) built from the input, and the request's condition keys (aws:RequestTag/*, aws:TagKeys,
// iam:PolicyARN, iam:PermissionsBoundary, organizations:PolicyType, ...). The mapping comes from
// the operation table (operation_table.h, data/policy/operations.json: AWS's Service
// Authorization Reference): the action `<prefix>:<Operation>`, the resource ARN filled from the
// catalog's template of the action's resource types, the condition keys the catalog lists that
// the input carries, the access level; per-service code adds only what the catalog cannot say,
// and the AWS-COMPAT exceptions.
//
// The mapping needs a few facts about the twin's state (an IAM entity's path and permissions
// boundary, which organization an account belongs to, an Organizations policy's type); it asks
// them through ResourceFacts, which the Authorizer implements over the store with a cache.
//
// Thread-safety: PlanAuthorization is a pure function of its arguments (plus `facts`).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "model/service_model.h"

namespace orgtwin::gateway {

// One (action, resource) pair the engine must allow. Every check of a plan must be allowed.
struct AuthzCheck {
  std::string action;            // "iam:CreateUser"
  std::string resource = "*";    // ARN or "*"
  std::string resource_account;  // "" = the caller's account
  // sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity: `resource` is a role whose trust
  // policy is the resource-based policy of the request.
  bool trust = false;
  // A permission the service needs from the caller for a side effect (Organizations creating
  // AWSServiceRoleForOrganizations on AcceptHandshake): a denial is
  // AccessDeniedForDependencyException, not AccessDenied.
  bool dependency = false;
  // How an AccessDenied message names `resource` when AWS does not print the ARN there
  // ("role MyRole", "user alice", "policy arn:aws:iam::123456789012:policy/P"); "" = the ARN.
  // Only the message uses it; the evaluation always uses `resource`.
  std::string message_resource;
};

struct AuthzPlan {
  // No permission is needed at all (sts:GetCallerIdentity, sts:GetSessionToken): allowed even
  // under an explicit deny.
  bool exempt = false;
  std::vector<AuthzCheck> checks;
  std::vector<std::pair<std::string, std::string>> context;  // single-valued request keys
  std::vector<std::pair<std::string, std::vector<std::string>>> multi_context;
};

// State the mapping reads. Lookups never fail: unknown things read as absent (a store failure
// is logged by the implementation and treated the same way; the request is then authorized
// against the ARN AWS would use for a resource that does not exist).
class ResourceFacts {
 public:
  virtual ~ResourceFacts() = default;

  struct IamEntity {
    bool exists = false;
    std::string path = "/";
    std::string boundary_arn;  // users and roles; "" when none
    // Users and roles: their tags (key as last written, value), the request's
    // aws:ResourceTag/<key> and iam:ResourceTag/<key> when the entity is the resource.
    std::vector<std::pair<std::string, std::string>> tags;
  };
  // kind: "user" | "group" | "role" | "instance-profile" | "server-certificate".
  virtual IamEntity FindIamEntity(std::string_view kind, std::string_view account,
                                  std::string_view name) = 0;

  struct OrgInfo {
    std::string org_id;  // "" = not in an organization
    std::string management_account;
    std::string feature_set;  // "ALL" | "CONSOLIDATED_BILLING" ("" when not in one)
  };
  virtual OrgInfo OrgOfAccount(std::string_view account) = 0;
  // The organization a handshake belongs to, and its action ("INVITE", ...).
  virtual OrgInfo OrgOfHandshake(std::string_view handshake_id, std::string* action) = 0;
  // "SERVICE_CONTROL_POLICY", ... or "" when unknown.
  virtual std::string OrgPolicyType(std::string_view policy_id) = 0;
  // The tags of an Organizations resource (account, OU, root, policy, handshake, transfer,
  // resource policy), key and value; empty when it has none or does not exist.
  virtual std::vector<std::pair<std::string, std::string>> OrgResourceTags(
      std::string_view resource_id) = 0;
  // How `account` takes part in a responsibility transfer: "inbound" (it manages the other
  // organization's bill), "outbound" (its bill is managed), or "" (neither, or no such transfer).
  virtual std::string TransferDirection(std::string_view transfer_id, std::string_view account) = 0;
  // The IAM user name owning an access key ("" for root keys or unknown keys).
  virtual std::string AccessKeyUser(std::string_view access_key_id) = 0;
};

// Who is calling, as far as the mapping cares.
struct CallerFacts {
  std::string account;
  std::string arn;        // the caller's ARN (resource of self-service IAM calls)
  std::string user_name;  // IAM users only ("" otherwise)
  std::string user_path = "/";
  std::string region;  // SigV4 scope region
};

// The IAM action prefix of a service model ("iam", "organizations", "account", ...).
std::string ActionPrefix(const model::ServiceModel& service);

AuthzPlan PlanAuthorization(const model::ServiceModel& service, const model::Operation& operation,
                            const boost::json::object& input, const CallerFacts& caller,
                            ResourceFacts& facts);

// Whether running an operation cannot change any authorization decision. Everything else bumps
// the authorizer's policy epoch (gateway.cc). Deliberately conservative: an unknown operation
// counts as a change. (STS calls that issue credentials write sessions but change no decision.)
bool IsReadOnlyOperation(std::string_view service, std::string_view operation);

// Whether an operation (not read-only) only adds resources that did not exist -- a new role,
// user, policy, account, OU -- without attaching anything to, or changing, an existing entity.
// Such a write cannot change what an existing principal may do; the gateway bumps only the
// authorizer's resource facts after it (Authorizer::BumpResources). Conservative: a listed
// operation must never modify an existing principal, group, policy or organization.
bool OnlyAddsResources(std::string_view service, std::string_view operation);

// Whether an operation may write the store. The gateway runs these on the store's writer thread
// (group commit, store.h) and answers after the commit; the rest run on the I/O thread.
// From the access level (Read and List do not write) with the twin's exceptions
// (OperationInfo::may_write). Conservative as above: an unknown operation may write.
bool OperationMayWrite(std::string_view service, std::string_view operation);

}  // namespace orgtwin::gateway
