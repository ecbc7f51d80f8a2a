// File: repo/org_repository.h
//
// The Organizations tables' repository (migrations 0003_organizations.sql,
// 0008_organizations_core.sql, 0009_organizations_policies.sql, 0014_...,
// 0018_org_root_features.sql): typed rows of organizations, roots, OUs, member accounts (joined
// with the account registry's rows) and responsibility transfers, and the lookups every folder
// shares -- the Organizations handlers, the policy-set loader (an account's place in its
// organization and the SCPs and RCPs on the way), the authorizer's resource facts (tags,
// handshakes, transfers), the Account API (the caller's organization, delegated administrators,
// trusted access) and IAM's organization-aware reports.
//
// A repository knows SQL and rows, nothing of the wire: no AWS errors (services/organizations
// turns "absent" into AWSOrganizationsNotInUseException and the like), no JSON. Every function
// takes the caller's open Transaction; none commits. The SQL is the portable subset SQLite and
// PostgreSQL share.
//
// Thread-safety: free functions over the caller's Transaction; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

inline constexpr char kScpType[] = "SERVICE_CONTROL_POLICY";
inline constexpr char kRcpType[] = "RESOURCE_CONTROL_POLICY";

enum class TargetKind { kInvalid, kRoot, kOu, kAccount, kPolicy };
// Classifies an ID by the model's patterns (r-..., ou-...-..., 12 digits, p-...).
TargetKind KindOfId(std::string_view id);

// ---- Rows ----
struct OrgRow {
  std::string org_id;
  std::string management_account_id;
  std::string management_email;
  std::string feature_set;  // ALL | CONSOLIDATED_BILLING
  double created_at = 0;
  int64_t member_count = 0;  // accounts in the organization, the management account included
};

struct RootRow {
  std::string root_id;
  std::string org_id;
  std::string name;
};

struct OuRow {
  std::string ou_id;
  std::string org_id;
  std::string parent_id;
  std::string name;
  double created_at = 0;
};

// An account that is a member of an organization (org_accounts joined with accounts).
struct MemberRow {
  std::string account_id;
  std::string org_id;
  std::string parent_id;
  std::string joined_method;  // INVITED | CREATED
  double joined_at = 0;
  std::string email;
  std::string name;
  std::string state;  // AccountState
  double created_at = 0;
  bool has_payment_method = true;
  bool has_contact_info = true;
  int64_t joined_seq = 0;  // its position in the organization's listings (joined order)
};

// ---- Lookups (std::nullopt when absent) ----
Result<std::optional<OrgRow>> FindOrganization(store::Transaction& tx, std::string_view org_id);
// The organization `account_id` belongs to (as management account or member).
Result<std::optional<OrgRow>> FindOrganizationForAccount(store::Transaction& tx,
                                                         std::string_view account_id);
// The organization's one root.
Result<RootRow> GetRoot(store::Transaction& tx, std::string_view org_id);
Result<std::optional<OuRow>> FindOu(store::Transaction& tx, std::string_view org_id,
                                    std::string_view ou_id);
// A member (or the management account) of `org_id`; nullopt for other accounts.
Result<std::optional<MemberRow>> FindMember(store::Transaction& tx, std::string_view org_id,
                                            std::string_view account_id);
// The member row of `account_id` in whatever organization it is.
Result<std::optional<MemberRow>> FindMembership(store::Transaction& tx,
                                                std::string_view account_id);
// True when `id` is the root or an OU of `org_id`.
Result<bool> ParentExists(store::Transaction& tx, std::string_view org_id, std::string_view id);
// True when `id` is the root, an OU or a member account of `org_id` (a policy target).
Result<bool> TargetExists(store::Transaction& tx, std::string_view org_id, std::string_view id);
// The chain from the root down to `target_id` inclusive: {r-..., ou-..., ..., target_id}.
// For a root: {r-...}. NotFound (plain Status, no aws code) when target_id is not in org_id.
Result<std::vector<std::string>> ParentChain(store::Transaction& tx, std::string_view org_id,
                                             std::string_view target_id);
// Policy types enabled on a root: {type, status}, sorted by type.
Result<std::vector<std::pair<std::string, std::string>>> RootPolicyTypes(store::Transaction& tx,
                                                                         std::string_view root_id);
// True when `policy_type` is ENABLED on the organization's root.
Result<bool> PolicyTypeEnabled(store::Transaction& tx, std::string_view org_id,
                               std::string_view policy_type);

// A policy attached to a target: its ID, name, type and content.
struct AttachedPolicyRow {
  std::string policy_id;
  std::string name;
  std::string policy_type;
  std::string content;
};
// The policies of `policy_type` attached to `target_id` (root, OU or account) in `org_id`, by
// policy ID. AWS managed policies (FullAWSAccess, RCPFullAWSAccess) are rows like the others.
Result<std::vector<AttachedPolicyRow>> AttachedPolicies(store::Transaction& tx,
                                                        std::string_view org_id,
                                                        std::string_view target_id,
                                                        std::string_view policy_type);
// The type of policy `policy_id` ("" when there is none).
Result<std::string> PolicyTypeOf(store::Transaction& tx, std::string_view policy_id);

// Tags of a root, OU, account or policy, by key.
Result<std::vector<std::pair<std::string, std::string>>> ResourceTags(store::Transaction& tx,
                                                                      std::string_view resource_id);

// The organization a handshake belongs to, and its action (INVITE, ...).
struct HandshakeOrgRow {
  OrgRow org;
  std::string action;
};
Result<std::optional<HandshakeOrgRow>> FindHandshakeOrg(store::Transaction& tx,
                                                        std::string_view handshake_id);

// The two management accounts of a billing responsibility transfer.
struct TransferPartiesRow {
  std::string source_account_id;
  std::string target_account_id;
};
Result<std::optional<TransferPartiesRow>> FindTransferParties(store::Transaction& tx,
                                                              std::string_view transfer_id);

// ---- Members with their accounts (the registry's rows, repo/account_repository.h) ----
// A page of the members of `org_id` (of `parent_id` only, unless it is ""): in the order they
// joined, from position `start_seq` on, at most `limit`.
Result<std::vector<MemberRow>> MembersOf(store::Transaction& tx, std::string_view org_id,
                                         std::string_view parent_id, int64_t start_seq,
                                         int64_t limit);
// How many members of `org_id` were closed after `since`.
Result<int64_t> CountMembersClosedSince(store::Transaction& tx, std::string_view org_id,
                                        double since);

// ---- Delegated administrators and trusted access (the Account API's access rule too) ----
// True when `account_id` is a delegated administrator of `org_id` for `service_principal`.
Result<bool> IsDelegatedAdministrator(store::Transaction& tx, std::string_view org_id,
                                      std::string_view account_id,
                                      std::string_view service_principal);
// True when `org_id` has enabled trusted access for `service_principal`.
Result<bool> ServiceAccessEnabled(store::Transaction& tx, std::string_view org_id,
                                  std::string_view service_principal);

// ---- Centralized root access (0018): IAM's organization features ----
inline constexpr char kRootCredentialsManagement[] = "RootCredentialsManagement";
inline constexpr char kRootSessions[] = "RootSessions";
// The features enabled for `org_id`, sorted by name.
Result<std::vector<std::string>> RootFeatures(store::Transaction& tx, std::string_view org_id);
// Turns `feature` on (a feature already on stays as it was) or off for `org_id`.
Status SetRootFeature(store::Transaction& tx, std::string_view org_id, std::string_view feature,
                      bool enabled, double now);

// ---- Responsibility (billing) transfers (0014), with the two management accounts' emails ----
inline constexpr char kBillingTransfer[] = "BILLING";

struct TransferRow {
  std::string id;  // rt-...
  std::string type = kBillingTransfer;
  std::string name;
  std::string status;  // as stored: REQUESTED | ACCEPTED | DECLINED | CANCELED | WITHDRAWN
  std::string handshake_id;
  std::string target_org_id;  // the inviter (bill-transfer)
  std::string target_account_id;
  std::string source_org_id;  // the invited organization (bill-source)
  std::string source_account_id;
  // Read with the row (the management accounts' root emails, "" when the account is gone); not
  // stored in it.
  std::string target_email;
  std::string source_email;
  double start_at = 0;
  double expires_at = 0;
  double end_at = 0;  // 0 = no end date
  double requested_at = 0;
  double updated_at = 0;
};

Result<std::optional<TransferRow>> FindTransfer(store::Transaction& tx,
                                                std::string_view transfer_id);
// Which party of a transfer an account is: its target (the inviter) or its source.
enum class TransferSide { kTarget, kSource };
// The transfers whose `side` is `account_id` in `org_id`, every status, in no order; only the
// transfer `transfer_id` unless it is "".
Result<std::vector<TransferRow>> TransfersOf(store::Transaction& tx, TransferSide side,
                                             std::string_view account_id, std::string_view org_id,
                                             std::string_view transfer_id);

}  // namespace orgtwin::repo
