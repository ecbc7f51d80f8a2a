// File: services/organizations/org_store.h
//
// The Organizations data layer shared by every Organizations handler (organization, accounts,
// OUs, policies, handshakes): typed rows over the tables of migrations 0003_organizations.sql and
// 0008_organizations_core.sql, lookups (the caller's organization, a target's parent chain),
// ARNs and IDs in the model's patterns, the AWS error Statuses, NextToken/MaxResults pagination,
// tags on roots/OUs/accounts/policies, and small input accessors over the neutral value form.
//
// Every function that takes a Transaction uses the caller's open transaction and never commits.
//
// Thread-safety: free functions over the caller's Transaction; no shared mutable state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/ids.h"
#include "common/status.h"
#include "gateway/request_context.h"
#include "repo/org_repository.h"
#include "services/iam/handler_util.h"
#include "store/store.h"

namespace orgtwin::services::organizations {

using Json = boost::json::object;

// ---- AWS errors (exception names of the organizations model; HTTP 400 unless noted) ----
// Any model exception by name: OrgError("ParentNotFoundException", "...").
Status OrgError(std::string_view aws_code, std::string message);
// ConstraintViolationException / InvalidInputException / HandshakeConstraintViolationException
// with their `Reason` member.
Status ConstraintViolation(std::string_view reason, std::string message);
Status InvalidInput(std::string_view reason, std::string message);
Status HandshakeConstraintViolation(std::string_view reason, std::string message);
// AWSOrganizationsNotInUseException: the caller's account is in no organization.
Status NotInUse();
// AccessDeniedException for a member (or non-management) account calling a management-only API.
Status AccessDenied();

// ---- Quotas and constants ----
inline constexpr int64_t kMaxOuDepth = 5;       // levels below the root
inline constexpr int64_t kMaxOusPerOrg = 1000;  // AWS-FACTS 2.3 ([D23])
inline constexpr int64_t kMaxTagsPerResource = 50;
inline constexpr int64_t kMaxResultsLimit = 20;  // MaxResults 1..20 (model)
inline constexpr char kFullAwsAccessPolicyId[] = "p-FullAWSAccess";
inline constexpr char kRcpFullAwsAccessPolicyId[] = "p-RCPFullAWSAccess";

// ---- Rows and lookups: the Organizations repository (repo/org_repository.h) ----
using repo::FindMember;
using repo::FindMembership;
using repo::FindOrganization;
using repo::FindOrganizationForAccount;
using repo::FindOu;
using repo::GetRoot;
using repo::KindOfId;
using repo::kRcpType;
using repo::kScpType;
using repo::MemberRow;
using repo::OrgRow;
using repo::OuRow;
using repo::ParentChain;
using repo::ParentExists;
using repo::PolicyTypeEnabled;
using repo::RootPolicyTypes;
using repo::RootRow;
using repo::TargetExists;
using repo::TargetKind;

// As FindOrganizationForAccount; NotInUse() when the account is in no organization.
Result<OrgRow> RequireOrganization(store::Transaction& tx, std::string_view account_id);
// As above, and the account must be the management account (AccessDenied() otherwise).
Result<OrgRow> RequireManagementAccount(store::Transaction& tx, std::string_view account_id);
// As above, but a delegated administrator (of any service) may also call: the rule of the
// Describe*/List* operations.
Result<OrgRow> RequireManagementOrDelegatedAdmin(store::Transaction& tx,
                                                 std::string_view account_id);

// ---- IDs and ARNs ----
std::string NewOrgId(IdGenerator& ids);                           // o- + 10
std::string NewRootId(IdGenerator& ids);                          // r- + 4
std::string NewOuId(IdGenerator& ids, std::string_view root_id);  // ou-<root>-<8>
std::string NewPolicyId(IdGenerator& ids);                        // p- + 8
std::string NewHandshakeId(IdGenerator& ids);                     // h- + 10
std::string NewCreateAccountRequestId(IdGenerator& ids);          // car- + 10
std::string NewTransferId(IdGenerator& ids);                      // rt- + 12

std::string OrganizationArn(const OrgRow& org);
std::string RootArn(const OrgRow& org, std::string_view root_id);
std::string OuArn(const OrgRow& org, std::string_view ou_id);
std::string AccountArn(const OrgRow& org, std::string_view account_id);
// Customer policies: arn:aws:organizations::<mgmt>:policy/o-.../<type_lower>/p-...;
// AWS managed (org_id NULL): arn:aws:organizations::aws:policy/<type_lower>/p-...
std::string PolicyArn(const OrgRow& org, std::string_view policy_type, std::string_view policy_id,
                      bool aws_managed);
std::string HandshakeArn(const OrgRow& org, std::string_view action, std::string_view handshake_id);

// ---- Writes shared by core and policies ----
// Inserts the AWS managed FullAWSAccess (SCP) and RCPFullAWSAccess (RCP) rows of org_policies if
// missing (org_id NULL, aws_managed 1).
Status EnsureAwsManagedPolicies(store::Transaction& tx, double now);
// Attaches the default policy of every enabled type that has one (FullAWSAccess for SCP,
// RCPFullAWSAccess for RCP) to a new root, OU or account, as AWS does.
Status AttachDefaultPolicies(store::Transaction& tx, std::string_view org_id,
                             std::string_view target_id);
// The service-linked role AWSServiceRoleForOrganizations in `account_id` (the management account
// at CreateOrganization, an account joining an all-features organization, a member approving all
// features; CreateAccount adds it to its new account directly), unless the account has it already.
// IAM's service-linked-role code (iam::EnsureServiceLinkedRole) creates it, as it creates every
// service-linked role.
Status EnsureOrganizationsRole(gateway::RequestContext& ctx, store::Transaction& tx,
                               const std::string& account_id, double now);
// Removes what belongs to a target that leaves the organization or is deleted: its policy
// attachments and tags.
Status ForgetTarget(store::Transaction& tx, std::string_view org_id, std::string_view target_id);

// Organization membership: the one place that inserts and deletes org_accounts rows, keeping
// organizations.member_count (migration 0012; OrgRow::member_count reads it) equal to the number
// of rows and stamping the account's membership_changed_at with the time of the change.
Status AddMembership(store::Transaction& tx, std::string_view account_id, std::string_view org_id,
                     std::string_view parent_id, std::string_view joined_method, double joined_at);
Status RemoveMembership(store::Transaction& tx, std::string_view account_id,
                        std::string_view org_id, double now);

// ---- Shapes (the model's structures in the neutral value form) ----
Json OrganizationObject(const OrgRow& org);
Json RootObject(const OrgRow& org, const RootRow& root,
                const std::vector<std::pair<std::string, std::string>>& policy_types);
Json OuObject(const OrgRow& org, const OuRow& ou);
Json AccountObject(const OrgRow& org, const MemberRow& member);

// ---- Tags (org_tags; resource_id is an account, OU, root or policy ID) ----
Result<boost::json::array> ReadTags(store::Transaction& tx, std::string_view resource_id);
// Validates (DUPLICATE_TAG_KEY, MAX_TAG_LIMIT_EXCEEDED) and adds or replaces `tags`.
Status ApplyTags(store::Transaction& tx, std::string_view resource_id,
                 const boost::json::array& tags);
Status RemoveTags(store::Transaction& tx, std::string_view resource_id,
                  const boost::json::array& keys);
// MAX_TAG_LIMIT_EXCEEDED for a request carrying more tags than one resource may have, checked
// before anything is written (the invitations, which tag what they create only later).
Status CheckTagCount(const boost::json::array& tags);

// ---- Input accessors ("" / nullopt / fallback when absent) ----
// The input accessors are IAM's (services/iam/handler_util.h): one implementation for both.
using iam::Array;  // empty when absent
using iam::Bool;
using iam::Int;
using iam::Str;

// Epoch seconds of the request, as Organizations reports timestamps.
double NowSeconds(const gateway::RequestContext& ctx);
// Execute whose row count does not matter.
Status Exec(store::Transaction& tx, std::string_view sql, const std::vector<store::Value>& params);
Result<int64_t> Count(store::Transaction& tx, std::string_view sql,
                      const std::vector<store::Value>& params);

// ---- Pagination: NextToken (opaque, bound to the operation and its filter) / MaxResults ----
struct Page {
  std::string start_key;  // first sort key to return; "" = from the start
  size_t max_results = kMaxResultsLimit;
  std::string binding;  // what the token is tied to (operation + filter)
};
// `binding` identifies the request (e.g. "ListChildren|ou-...|ACCOUNT"); a token minted for
// another binding is InvalidInputException INVALID_NEXT_TOKEN.
Result<Page> ParsePage(const Json& input, std::string binding);
// A sort key ordering items by time (epoch seconds), then ID.
std::string TimeOrderedKey(double t, std::string_view id);
// The sort key of a row's creation position (migration 0027: joined_seq, created_seq): listings
// in creation order. Fixed width, so keys compare as the numbers do.
std::string SequenceKey(int64_t seq);
// The position a page starts at: 0 from the start, else its SequenceKey read back
// (INVALID_NEXT_TOKEN if it is not one).
Result<int64_t> StartSequence(const Page& page);
// `items` are (sort key, value); sorts them, keeps keys >= start_key, sets output[list] and,
// when more remain, NextToken.
void EmitPage(std::vector<std::pair<std::string, boost::json::value>> items, const Page& page,
              std::string_view list, Json& output);

}  // namespace orgtwin::services::organizations
