// File: repo/iam_repository.h
//
// The IAM tables' repository (migrations 0002_iam.sql, 0005_iam_credentials.sql,
// 0007_iam_instance_profiles.sql, 0026_iam_providers_certificates.sql): typed rows of users,
// groups, roles, customer managed policies and their versions, lookups by name (case-insensitive,
// as IAM compares names), by ID and by ARN, attachments, inline policies, group membership, tags
// and virtual MFA devices. What other folders read or write of IAM lives here: the IAM handlers,
// STS (AssumeRole, its role's last use, MFA codes), Organizations (the role a created account
// trusts), the identity store and the policy-set loader all use the same rows through these
// functions; services/iam keeps the statements only it runs.
//
// A repository knows SQL and rows, nothing of the wire: no AWS errors (services/iam turns "absent"
// into NoSuchEntity), no JSON. Every function takes the caller's open Transaction; none commits.
// The SQL is the portable subset SQLite and PostgreSQL share.
//
// Thread-safety: free functions over the caller's Transaction; no shared state beyond the
// immutable AWS managed-policy catalog (policy/catalog.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "policy/catalog.h"
#include "store/store.h"

namespace orgtwin::repo {

// arn:aws:iam::<account>:<kind><path><name>, kind "user", "group", "role", "policy".
std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name);

// The entity types of iam_tags, iam_inline_policies and iam_attachments.
inline constexpr std::string_view kUserEntity = "User";
inline constexpr std::string_view kGroupEntity = "Group";
inline constexpr std::string_view kRoleEntity = "Role";

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

// An inline policy of a user, group or role.
struct InlinePolicyRow {
  std::string name;
  std::string document;
};

using TagList = std::vector<std::pair<std::string, std::string>>;  // key, value in tag order

// ---- Lookups (std::nullopt when absent) ----
Result<std::optional<UserRow>> FindUser(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name);
Result<std::optional<GroupRow>> FindGroup(store::Transaction& tx, std::string_view account_id,
                                          std::string_view name);
Result<std::optional<RoleRow>> FindRole(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name);
Result<std::optional<RoleRow>> FindRoleById(store::Transaction& tx, std::string_view role_id);
// Up to `limit` roles of `account_id` whose lower-case name is >= `from_name_lower` and whose path
// starts with `path_prefix`, by lower-case name (ListRoles' pages).
Result<std::vector<RoleRow>> ListRoles(store::Transaction& tx, std::string_view account_id,
                                       std::string_view from_name_lower,
                                       std::string_view path_prefix, int64_t limit);
// By full ARN (path included, as AWS matches role ARNs).
Result<std::optional<RoleRow>> FindRoleByArn(store::Transaction& tx, std::string_view arn);
// The path of the instance profile `name` of `account_id`.
Result<std::optional<std::string>> FindInstanceProfilePath(store::Transaction& tx,
                                                           std::string_view account_id,
                                                           std::string_view name);
// The path of the server certificate `name` of `account_id` (names compare case-insensitively).
Result<std::optional<std::string>> FindServerCertificatePath(store::Transaction& tx,
                                                             std::string_view account_id,
                                                             std::string_view name);
// A customer managed policy of `account_id` or an AWS managed policy (catalog). Another
// account's customer managed policy is not visible.
Result<std::optional<PolicyRow>> ResolvePolicyArn(store::Transaction& tx,
                                                  std::string_view account_id,
                                                  std::string_view arn);
// Versions of a customer managed policy, ascending; for an AWS managed policy its default.
Result<std::vector<PolicyVersionRow>> PolicyVersions(store::Transaction& tx,
                                                     const PolicyRow& policy);
// The default version's document of the managed policy `arn` (AWS managed from the catalog,
// customer managed of the account in the ARN), with the policy's row; nullopt when absent.
Result<std::optional<std::pair<PolicyRow, std::string>>> DefaultPolicyDocument(
    store::Transaction& tx, std::string_view arn);

// ---- Tags, attachments, inline policies, groups (entity_type kUserEntity, ...) ----
Result<TagList> EntityTags(store::Transaction& tx, std::string_view entity_type,
                           std::string_view entity_id);
// In attachment order.
Result<std::vector<std::string>> AttachedPolicyArns(store::Transaction& tx,
                                                    std::string_view entity_type,
                                                    std::string_view entity_id);
// By policy name.
Result<std::vector<InlinePolicyRow>> InlinePolicies(store::Transaction& tx,
                                                    std::string_view entity_type,
                                                    std::string_view entity_id);
Result<int64_t> CountInlinePolicies(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id);
// The groups `user_id` belongs to, by group ID.
Result<std::vector<GroupRow>> GroupsOfUser(store::Transaction& tx, std::string_view user_id);
// How many entities of `account_id` have `arn` attached / as permissions boundary.
Result<int64_t> AttachmentCount(store::Transaction& tx, std::string_view account_id,
                                std::string_view arn);
Result<int64_t> BoundaryUsageCount(store::Transaction& tx, std::string_view account_id,
                                   std::string_view arn);

// ---- Writes other folders make too (Organizations' CreateAccount adds a role) ----
// The entities whose number per account is kept on the account row (accounts.iam_user_count
// and iam_role_count, migration 0031) for their quota, which CreateUser and CreateRole check on
// every call: counting the rows each time cost time linear in their number. Every insert and
// delete of such a row goes through the functions below, which move the count in the same
// transaction.
enum class CountedEntity { kUser, kRole };
// How many `kind` entities `account_id` has: the kept count, not a scan.
Result<int64_t> EntityCount(store::Transaction& tx, CountedEntity kind,
                            std::string_view account_id);
// Inserts `user` / `role` (a role's last-use columns are left unset) and counts it. The caller
// checked that the name is free and the quota.
Status InsertUser(store::Transaction& tx, const UserRow& user);
Status InsertRole(store::Transaction& tx, const RoleRow& role);
// Deletes the row of `user` / `role` and uncounts it. The caller removed what refers to it.
Status DeleteUser(store::Transaction& tx, const UserRow& user);
Status DeleteRole(store::Transaction& tx, const RoleRow& role);
// Attaches the managed policy `arn` to an entity of `account_id`.
Status InsertAttachment(store::Transaction& tx, std::string_view account_id,
                        std::string_view entity_type, std::string_view entity_id,
                        std::string_view arn, double attached_at);
// RoleLastUsed: a session of the role was issued at `at` in `region`.
Status RecordRoleUse(store::Transaction& tx, std::string_view role_id, double at,
                     std::string_view region);

// ---- Virtual MFA devices (0005_iam_credentials.sql): IAM's and STS's code checks ----
struct MfaDeviceRow {
  std::string serial_number;
  std::string account_id;
  std::string device_name;
  std::string path;
  std::string seed_base32;
  std::optional<std::string> user_id;  // nullopt = unassigned; "" = the root user
  std::optional<double> enabled_at;
  int64_t last_used_step = 0;  // the last accepted TOTP step (a code is accepted once)
  double created_at = 0;
};

// The device with `serial_number` (exact), or nullopt.
Result<std::optional<MfaDeviceRow>> FindMfaDevice(store::Transaction& tx,
                                                  std::string_view serial_number);
// A page of the devices assigned to `user_id` ("" = root) of `account_id`: serial numbers from
// `start_serial` on, ascending, at most `limit`.
Result<std::vector<MfaDeviceRow>> MfaDevicesOfUser(store::Transaction& tx,
                                                   std::string_view account_id,
                                                   std::string_view user_id,
                                                   std::string_view start_serial, int64_t limit);
enum class MfaAssignment { kAny, kAssigned, kUnassigned };
// A page of the account's devices as MfaDevicesOfUser, filtered by assignment.
Result<std::vector<MfaDeviceRow>> MfaDevicesOfAccount(store::Transaction& tx,
                                                      std::string_view account_id,
                                                      MfaAssignment assignment,
                                                      std::string_view start_serial, int64_t limit);
// Records the step of an accepted code.
Status SetMfaLastUsedStep(store::Transaction& tx, std::string_view serial_number, int64_t step);

// ---- Identity providers (0026_iam_providers_certificates.sql): what STS federation reads ----
struct OidcProviderRow {
  std::string arn;  // arn:aws:iam::<account>:oidc-provider/<host/path>
  std::string account_id;
  std::string url;  // <host/path>
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;
};
// The OpenID Connect provider with `arn`, or nullopt.
Result<std::optional<OidcProviderRow>> FindOidcProvider(store::Transaction& tx,
                                                        std::string_view arn);

struct SamlProviderRow {
  std::string arn;  // arn:aws:iam::<account>:saml-provider/<name>
  std::string account_id;
  std::string name;
  std::string entity_id;                          // the IdP's entityID (the SAML issuer)
  std::vector<std::string> signing_certificates;  // base64 DER, in metadata order
  double valid_until = 0;
};
// The SAML provider with `arn`, or nullopt.
Result<std::optional<SamlProviderRow>> FindSamlProvider(store::Transaction& tx,
                                                        std::string_view arn);

}  // namespace orgtwin::repo
