// File: policy/catalog.h
//
// Step 4: the data the engine reasons over, embedded in the binary from data/policy/ (see
// data/README.md for sources): the IAM action catalog (every action of AWS's Service
// Authorization Reference with its access level, plus the global condition keys) and the AWS
// managed policy documents, so `arn:aws:iam::aws:policy/...` resolves to AWS's real contents.
// Both are parsed once, lazily, on first use (~tens of ms), then immutable.
//
// Thread-safety: the accessors initialise under a function-local static (thread-safe) and
// return immutable objects; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/compiled_policy.h"

namespace orgtwin::policy {

struct CatalogAction {
  std::string name;          // "s3:GetObject" (the catalog's casing)
  std::string lower;         // "s3:getobject"
  std::string access_level;  // "Read" | "Write" | "List" | "Tagging" | "Permissions management"
  ActionId id = kNoAction;   // interned
};

class ActionCatalog {
 public:
  const std::vector<CatalogAction>& actions() const { return actions_; }
  // Case-insensitive lookup; nullptr when unknown.
  const CatalogAction* Find(std::string_view action) const;
  // Global condition keys as listed by the catalog ("aws:PrincipalArn", ...), with their types.
  const std::vector<std::pair<std::string, std::string>>& global_condition_keys() const {
    return global_keys_;
  }

 private:
  friend const ActionCatalog& Actions();
  std::vector<CatalogAction> actions_;
  std::unordered_map<std::string, size_t> by_lower_;
  std::vector<std::pair<std::string, std::string>> global_keys_;
};

struct ManagedPolicy {
  std::string name;
  std::string arn;  // "" for the few removed policies without a known ARN
  std::string path;
  std::string policy_id;
  std::string default_version_id;
  bool deprecated = false;
  bool is_attachable = true;
  std::string document;  // the policy document, compact JSON
};

struct OrganizationsManagedPolicy {
  std::string id;    // "p-FullAWSAccess"
  std::string name;  // "FullAWSAccess"
  std::string arn;
  std::string type;  // "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY"
  std::string description;
  std::string content;  // compact JSON
};

class ManagedPolicyCatalog {
 public:
  const std::vector<ManagedPolicy>& policies() const { return policies_; }
  const std::vector<OrganizationsManagedPolicy>& organizations() const { return orgs_; }
  const ManagedPolicy* FindByArn(std::string_view arn) const;
  const ManagedPolicy* FindByName(std::string_view name) const;
  const OrganizationsManagedPolicy* FindOrganizations(std::string_view id_or_name) const;
  // The compiled form of an AWS managed policy (identity flavour), compiled once and cached.
  Result<PolicyPtr> Compiled(std::string_view arn) const;

 private:
  friend const ManagedPolicyCatalog& ManagedPolicies();
  std::vector<ManagedPolicy> policies_;
  std::vector<OrganizationsManagedPolicy> orgs_;
  std::unordered_map<std::string, size_t> by_arn_;
  std::unordered_map<std::string, size_t> by_name_;
  mutable PolicyCache cache_;
};

const ActionCatalog& Actions();
const ManagedPolicyCatalog& ManagedPolicies();

}  // namespace orgtwin::policy
