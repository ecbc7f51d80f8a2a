// File: services/iam/handler_util.h
//
// Internal to services/iam: input accessors over the protocol-neutral request object, statement
// helpers, Marker/MaxItems pagination and the per-file handler declarations that
// iam_register.cc wires up.
//
// Thread-safety: stateless helpers.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "gateway/gateway.h"
#include "gateway/request_context.h"
#include "services/iam/iam_entities.h"

namespace orgtwin::services::iam {

using Json = boost::json::object;
using Handler = Result<Json>(gateway::RequestContext& ctx, const Json& input);

// ---- Input accessors ("" / nullopt / default when the member is absent) ----
std::string Str(const Json& input, std::string_view key, std::string_view fallback = "");
bool Has(const Json& input, std::string_view key);
std::optional<int64_t> Int(const Json& input, std::string_view key);
bool Bool(const Json& input, std::string_view key, bool fallback);
// An empty array when absent.
const boost::json::array& Array(const Json& input, std::string_view key);

inline double NowSeconds(const gateway::RequestContext& ctx) {
  // AWS-COMPAT: IAM dates have whole seconds.
  return std::floor(ToEpochSeconds(ctx.now));
}
inline const std::string& AccountOf(const gateway::RequestContext& ctx) {
  return ctx.caller.account_id;
}

// Runs a statement whose row count does not matter.
Status Exec(store::Transaction& tx, std::string_view sql, const std::vector<store::Value>& params);
Result<int64_t> CountRows(store::Transaction& tx, std::string_view sql,
                          const std::vector<store::Value>& params);

// ---- Pagination: Marker (opaque, see EncodeMarker) and MaxItems (1-1000, default 100) ----
struct Page {
  std::string start_key;  // first key to return; "" = from the start
  size_t max_items = 100;
};
Result<Page> ParsePage(const Json& input);
// `items` sorted by key ascending (only keys >= page.start_key are considered). Sets
// output[list], IsTruncated and, when truncated, Marker.
void EmitPage(std::vector<std::pair<std::string, boost::json::value>> items, const Page& page,
              std::string_view list, Json& output);
// Keeps rows whose path starts with `prefix` ("" or "/" keeps all).
inline bool PathMatches(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix;
}

// Validates a managed policy document (identity grammar, 6,144-character quota).
Status ValidateManagedDocument(std::string_view document);

// The managed policy `arn` (customer managed of `account_id` or AWS managed) exists and can be
// attached or used as a permissions boundary; NoSuchEntity with AWS's message otherwise.
Result<PolicyRow> CheckAttachable(store::Transaction& tx, std::string_view account_id,
                                  std::string_view arn);

// ---- Tags: the Tag*/Untag*/List*Tags operations of every taggable entity ----
// Resolves the unique ID of the entity the request names (NoSuchEntity when absent).
using IdResolver = std::function<Result<std::string>(store::Transaction&, const Json& input)>;
Result<Json> TagEntity(gateway::RequestContext& ctx, const Json& input,
                       std::string_view entity_type, const IdResolver& resolve);
Result<Json> UntagEntity(gateway::RequestContext& ctx, const Json& input,
                         std::string_view entity_type, const IdResolver& resolve);
Result<Json> ListEntityTags(gateway::RequestContext& ctx, const Json& input,
                            std::string_view entity_type, const IdResolver& resolve);

// ---- Handlers, by file ----
// users.cc
Handler CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers, TagUser, UntagUser, ListUserTags;
// groups.cc
Handler CreateGroup, GetGroup, UpdateGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup,
    ListGroups, ListGroupsForUser;
// roles.cc
Handler CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole,
    ListRoles, TagRole, UntagRole, ListRoleTags;
// policies.cc
Handler CreatePolicy, GetPolicy, DeletePolicy, ListPolicies, GetPolicyVersion, CreatePolicyVersion,
    SetDefaultPolicyVersion, DeletePolicyVersion, ListPolicyVersions, TagPolicy, UntagPolicy,
    ListPolicyTags;
// attachments.cc
Handler AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy, DetachUserPolicy, DetachGroupPolicy,
    DetachRolePolicy, ListAttachedUserPolicies, ListAttachedGroupPolicies, ListAttachedRolePolicies,
    PutUserPolicy, PutGroupPolicy, PutRolePolicy, GetUserPolicy, GetGroupPolicy, GetRolePolicy,
    DeleteUserPolicy, DeleteGroupPolicy, DeleteRolePolicy, ListUserPolicies, ListGroupPolicies,
    ListRolePolicies, PutUserPermissionsBoundary, DeleteUserPermissionsBoundary,
    PutRolePermissionsBoundary, DeleteRolePermissionsBoundary, ListEntitiesForPolicy;

// mfa.cc
Handler CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice, DeactivateMFADevice,
    DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices, GetMFADevice, TagMFADevice,
    UntagMFADevice, ListMFADeviceTags;
// login_profiles.cc
Handler CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile, ChangePassword,
    UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, DeleteAccountPasswordPolicy,
    CreateAccountAlias, DeleteAccountAlias, ListAccountAliases;
// instance_profiles.cc
Handler CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile, ListInstanceProfiles,
    AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole,
    TagInstanceProfile, UntagInstanceProfile, ListInstanceProfileTags, CreateServiceLinkedRole,
    DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus;
// The InstanceProfile structures (with their roles) that hold the role `role_id`, by name.
Result<boost::json::array> InstanceProfilesForRole(store::Transaction& tx,
                                                   const std::string& role_id);
// account_reports.cc
Handler GetAccountSummary, GetAccountAuthorizationDetails, GenerateCredentialReport,
    GetCredentialReport;
// organizations_features.cc
Handler ListOrganizationsFeatures, EnableOrganizationsRootCredentialsManagement,
    DisableOrganizationsRootCredentialsManagement, EnableOrganizationsRootSessions,
    DisableOrganizationsRootSessions;
// simulate.cc
Handler SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysForPrincipalPolicy,
    GetContextKeysForCustomPolicy;
// identity_providers.cc
Handler CreateOpenIDConnectProvider, GetOpenIDConnectProvider, ListOpenIDConnectProviders,
    DeleteOpenIDConnectProvider, AddClientIDToOpenIDConnectProvider,
    RemoveClientIDFromOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
    TagOpenIDConnectProvider, UntagOpenIDConnectProvider, ListOpenIDConnectProviderTags,
    CreateSAMLProvider, GetSAMLProvider, UpdateSAMLProvider, DeleteSAMLProvider, ListSAMLProviders,
    TagSAMLProvider, UntagSAMLProvider, ListSAMLProviderTags;
// certificates.cc
Handler UploadServerCertificate, GetServerCertificate, ListServerCertificates,
    UpdateServerCertificate, DeleteServerCertificate, TagServerCertificate, UntagServerCertificate,
    ListServerCertificateTags, UploadSigningCertificate, ListSigningCertificates,
    UpdateSigningCertificate, DeleteSigningCertificate;
// The user a credential operation acts on: the named IAM user, or -- without UserName -- the
// calling IAM user, or the root user (user_id and name ""). Role and federated sessions must
// name the user (ValidationError, as for access keys).
struct CredentialOwner {
  std::string user_id;  // "" for the root user
  std::string name;     // "" for the root user
};
Result<CredentialOwner> ResolveCredentialOwner(gateway::RequestContext& ctx, const Json& input);
// ssh_keys.cc
Handler UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys, UpdateSSHPublicKey,
    DeleteSSHPublicKey;
// service_credentials.cc
Handler CreateServiceSpecificCredential, ListServiceSpecificCredentials,
    ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
    DeleteServiceSpecificCredential;

}  // namespace orgtwin::services::iam
