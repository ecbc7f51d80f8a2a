// File: services/iam/iam_entities.h
//
// The IAM data layer: rows of users, groups, roles and customer managed policies (tables of
// migration 0002_iam.sql), lookups by name (case-insensitive, as AWS compares IAM names) and by
// ARN, tags, the AWS error Statuses IAM returns for them, and the small wire helpers the IAM
// handlers share (ARNs, 21-character unique IDs, URL-encoded policy documents, opaque
// pagination markers).
//
// Every function takes the caller's open Transaction; none commits. STS (AssumeRole) and the
// authorizer may use FindRoleByArn / FindUser / ResolvePolicyArn to read the same rows.
//
// Thread-safety: free functions over the caller's Transaction; no shared state beyond the
// immutable AWS managed-policy catalog (policy/catalog.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/ids.h"
#include "common/status.h"
#include "policy/catalog.h"
#include "services/iam/service_linked_roles.h"
#include "store/store.h"

namespace orgtwin::services::iam {

// ---- AWS errors (codes and HTTP statuses from the IAM model) ----
Status NoSuchEntity(std::string message);               // 404
Status EntityAlreadyExists(std::string message);        // 409
Status DeleteConflict(std::string message);             // 409
Status LimitExceeded(std::string message);              // 409
Status InvalidInput(std::string message);               // 400
Status MalformedPolicyDocument(std::string message);    // 400
Status UnmodifiableEntity(std::string message);         // 400
Status InvalidAuthenticationCode(std::string message);  // 403
Status PasswordPolicyViolation(std::string message);    // 400

// ---- Quotas (AWS-FACTS 3.2, the defaults of an account) ----
inline constexpr int64_t kUsersPerAccount = 5000;
inline constexpr int64_t kGroupsPerAccount = 300;
inline constexpr int64_t kRolesPerAccount = 1000;
inline constexpr int64_t kPoliciesPerAccount = 1500;
inline constexpr int64_t kGroupsPerUser = 10;
inline constexpr int64_t kAttachedPoliciesPerEntity = 10;
inline constexpr int64_t kVersionsPerPolicy = 5;
inline constexpr int64_t kTagsPerEntity = 50;
inline constexpr int64_t kMfaDevicesPerUser = 8;  // and 8 for the root user
inline constexpr int64_t kInstanceProfilesPerAccount = 1000;
inline constexpr int64_t kRolesPerInstanceProfile = 1;
inline constexpr int64_t kAccessKeysPerUser = 2;

// ---- Wire helpers ----
std::string Lower(std::string_view text);
// AWS-COMPAT: IAM unique IDs are a 4-letter prefix plus 17 characters (21 in all), e.g.
// AIDACKCEVSQ6C2EXAMPLE.
std::string NewUniqueId(IdGenerator& ids, std::string_view prefix);
// arn:aws:iam::<account>:<kind><path><name>, kind "user", "group", "role", "policy".
std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name);
// Percent-encodes everything outside [A-Za-z0-9-_.~] -- how IAM returns policy documents in its
// XML (botocore URL-decodes them).
std::string UrlEncodeDocument(std::string_view document);
// Opaque pagination markers: the sort key of the first item of the next page.
std::string EncodeMarker(std::string_view key);
// InvalidInput for anything EncodeMarker did not produce.
Result<std::string> DecodeMarker(std::string_view marker);

// ---- Rows ----
struct UserRow {
  std::string user_id;
  std::string account_id;
  std::string name;
  std::string path;
  std::string boundary_arn;  // "" when none
  double created_at = 0;
  std::string Arn() const { return IamArn(account_id, "user", path, name); }
};

struct GroupRow {
  std::string group_id;
  std::string account_id;
  std::string name;
  std::string path;
  double created_at = 0;
  std::string Arn() const { return IamArn(account_id, "group", path, name); }
};

struct RoleRow {
  std::string role_id;
  std::string account_id;
  std::string name;
  std::string path;
  std::string trust_policy;
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::string boundary_arn;
  std::optional<double> last_used_at;
  std::string last_used_region;
  double created_at = 0;
  std::string Arn() const { return IamArn(account_id, "role", path, name); }
  // Service-linked roles live under /aws-service-role/<service>/ and only AWS may change them.
  bool service_linked() const { return path.rfind("/aws-service-role/", 0) == 0; }
};

// UnmodifiableEntity with AWS's message for a change to a service-linked role.
Status ProtectedRole(std::string_view role_name);

// A customer managed policy, or an AWS managed one from the catalog (aws_managed = true; then
// policy_id, created_at and updated_at are derived, versions come from the catalog's default).
struct PolicyRow {
  bool aws_managed = false;
  std::string policy_id;
  std::string account_id;  // "aws" for AWS managed policies
  std::string name;
  std::string path;
  std::string arn;
  std::optional<std::string> description;
  std::string default_version_id;
  int64_t next_version = 2;
  bool is_attachable = true;
  double created_at = 0;
  double updated_at = 0;
  const policy::ManagedPolicy* catalog = nullptr;  // AWS managed only
};

struct PolicyVersionRow {
  std::string version_id;  // "v3"
  int64_t number = 0;
  std::string document;
  double created_at = 0;
};

// ---- Lookups (std::nullopt when absent) ----
Result<std::optional<UserRow>> FindUser(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name);
Result<std::optional<GroupRow>> FindGroup(store::Transaction& tx, std::string_view account_id,
                                          std::string_view name);
Result<std::optional<RoleRow>> FindRole(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name);
// By full ARN (path included, as AWS matches role ARNs).
Result<std::optional<RoleRow>> FindRoleByArn(store::Transaction& tx, std::string_view arn);
// A customer managed policy of `account_id` or an AWS managed policy (catalog). Another
// account's customer managed policy is not visible.
Result<std::optional<PolicyRow>> ResolvePolicyArn(store::Transaction& tx,
                                                  std::string_view account_id,
                                                  std::string_view arn);
// The same lookups, failing with AWS's NoSuchEntity message when absent.
Result<UserRow> RequireUser(store::Transaction& tx, std::string_view account_id,
                            std::string_view name);
Result<GroupRow> RequireGroup(store::Transaction& tx, std::string_view account_id,
                              std::string_view name);
Result<RoleRow> RequireRole(store::Transaction& tx, std::string_view account_id,
                            std::string_view name);

// ---- Service-linked roles (service_linked_roles.h names them) ----
// Inserts the role `spec` describes into `account`, with its AWS managed policy attached (when
// the catalog has it). The caller checked that the name is free.
Result<RoleRow> InsertServiceLinkedRole(store::Transaction& tx, IdGenerator& ids,
                                        const std::string& account,
                                        const ServiceLinkedRoleSpec& spec,
                                        std::optional<std::string> description, double now);
// The role a service creates for itself in `account` (AWS's description included), in an
// account that has no role of that name (a new account, which has no roles at all).
Status AddServiceLinkedRole(store::Transaction& tx, IdGenerator& ids, const std::string& account,
                            std::string_view service, double now);
// The same, unless a role of that name exists already (then it is kept as it is, as on AWS).
Status EnsureServiceLinkedRole(store::Transaction& tx, IdGenerator& ids, const std::string& account,
                               std::string_view service, double now);

// Versions of a customer managed policy, ascending; for an AWS managed policy its default.
Result<std::vector<PolicyVersionRow>> PolicyVersions(store::Transaction& tx,
                                                     const PolicyRow& policy);

// Rows as their model structures (User, Group, Role, Policy) in the neutral value form.
boost::json::object UserObject(const UserRow& user);
boost::json::object GroupObject(const GroupRow& group);
// `full` adds what GetRole has and ListRoles omits (RoleLastUsed, PermissionsBoundary).
boost::json::object RoleObject(const RoleRow& role, bool full);
boost::json::object BoundaryObject(const std::string& arn);

// ---- Tags (entity_type "User", "Role", "Policy", ...; entity_id its unique ID) ----
Result<boost::json::array> ReadTags(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id);
// Adds or replaces `tags` (the model's Tag list). InvalidInput for duplicate keys in one request
// (keys compare case-insensitively); LimitExceeded past kTagsPerEntity.
Status ApplyTags(store::Transaction& tx, std::string_view entity_type, std::string_view entity_id,
                 const boost::json::array& tags);
Status RemoveTags(store::Transaction& tx, std::string_view entity_type, std::string_view entity_id,
                  const boost::json::array& keys);
Status DeleteAllTags(store::Transaction& tx, std::string_view entity_type,
                     std::string_view entity_id);

// ---- Attachments and inline policies ----
// entity_type "User" | "Group" | "Role".
Result<std::vector<std::string>> AttachedPolicyArns(store::Transaction& tx,
                                                    std::string_view entity_type,
                                                    std::string_view entity_id);
Result<int64_t> CountInlinePolicies(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id);
// How many entities of `account_id` have `arn` attached / as permissions boundary.
Result<int64_t> AttachmentCount(store::Transaction& tx, std::string_view account_id,
                                std::string_view arn);
Result<int64_t> BoundaryUsageCount(store::Transaction& tx, std::string_view account_id,
                                   std::string_view arn);

}  // namespace orgtwin::services::iam
