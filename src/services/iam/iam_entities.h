// File: services/iam/iam_entities.h
//
// What the IAM handlers share over the IAM repository (repo/iam_repository.h, which owns the
// tables' SQL and rows): the AWS error Statuses IAM returns (NoSuchEntity for an absent user,
// group or role, ...), the quotas, tags and rows as the model's JSON structures, service-linked
// roles, and the small wire helpers (21-character unique IDs, URL-encoded policy documents,
// opaque pagination markers).
//
// Every function takes the caller's open Transaction; none commits.
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

#include "common/ascii.h"
#include "common/ids.h"
#include "common/status.h"
#include "policy/catalog.h"
#include "repo/iam_repository.h"
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
inline constexpr int64_t kServerCertificatesPerAccount = 20;
inline constexpr int64_t kSigningCertificatesPerUser = 2;
inline constexpr int64_t kSshPublicKeysPerUser = 5;
inline constexpr int64_t kServiceCredentialsPerUserAndService = 2;

// ---- Wire helpers ----
inline std::string Lower(std::string_view text) { return AsciiLowerCopy(text); }
// AWS-COMPAT: IAM unique IDs are a 4-letter prefix plus 17 characters (21 in all), e.g.
// AIDACKCEVSQ6C2EXAMPLE.
std::string NewUniqueId(IdGenerator& ids, std::string_view prefix);
// Percent-encodes everything outside [A-Za-z0-9-_.~] -- how IAM returns policy documents in its
// XML (botocore URL-decodes them).
std::string UrlEncodeDocument(std::string_view document);
// Opaque pagination markers: the sort key of the first item of the next page.
std::string EncodeMarker(std::string_view key);
// InvalidInput for anything EncodeMarker did not produce.
Result<std::string> DecodeMarker(std::string_view marker);

// ---- Rows and lookups: the IAM repository (repo/iam_repository.h) ----
using repo::AttachedPolicyArns;
using repo::AttachmentCount;
using repo::BoundaryUsageCount;
using repo::CountInlinePolicies;
using repo::FindGroup;
using repo::FindRole;
using repo::FindRoleByArn;
using repo::FindUser;
using repo::GroupRow;
using repo::IamArn;
using repo::PolicyRow;
using repo::PolicyVersionRow;
using repo::PolicyVersions;
using repo::ResolvePolicyArn;
using repo::RoleRow;
using repo::UserRow;

// UnmodifiableEntity with AWS's message for a change to a service-linked role.
Status ProtectedRole(std::string_view role_name);

// ---- Lookups failing with AWS's NoSuchEntity ----
// The repository's lookups, failing with AWS's NoSuchEntity message when absent.
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

}  // namespace orgtwin::services::iam
