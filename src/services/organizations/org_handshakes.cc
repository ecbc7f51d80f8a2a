#include "services/organizations/org_handshakes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/catalog.h"
#include "repo/account_repository.h"
#include "services/iam/iam_entities.h"
#include "services/organizations/org_store.h"
#include "services/organizations/organizations_core.h"
#include "services/organizations/transfers.h"

namespace orgtwin::services::organizations {
namespace {

namespace json = boost::json;
using store::Value;

constexpr double kDay = 86400;
// AWS-FACTS 2.3: INVITE handshakes expire after 15 days, ENABLE_ALL_FEATURES after 90; a
// completed handshake stays listed for 30 days.
constexpr double kInviteLifetime = 15 * kDay;
constexpr double kAllFeaturesLifetime = 90 * kDay;
constexpr double kVisibleAfterCompletion = 30 * kDay;
// The account quota (`orgtwin serve --org-account-quota`, AWS's default 10).
int64_t AccountQuota() { return OrganizationsConfig().max_accounts_per_org; }
// Invitations per 24 hours: the greater of 20 and the account quota.
int64_t InvitesPerDay() { return std::max<int64_t>(20, AccountQuota()); }

constexpr char kInvite[] = "INVITE";
constexpr char kEnableAll[] = "ENABLE_ALL_FEATURES";
constexpr char kApproveAll[] = "APPROVE_ALL_FEATURES";

struct HandshakeRow {
  std::string id;
  std::string org_id;
  std::string action;
  std::string state;
  double requested_at = 0;
  double expires_at = 0;
  std::string target_account_id;
  std::string target_email;
  std::string parties;
  std::string resources;
  std::string parent_id;
  std::string tags;
  double updated_at = 0;
  std::string arn;
  int64_t created_seq = 0;  // its position in listings (migration 0027)
};

constexpr char kHandshakeCols[] =
    "SELECT handshake_id, org_id, action, state, requested_at, expires_at, "
    "COALESCE(target_account_id, ''), COALESCE(target_email, ''), parties, resources, "
    "COALESCE(parent_handshake_id, ''), tags, COALESCE(updated_at, requested_at), arn, "
    "created_seq FROM org_handshakes ";

HandshakeRow ToHandshake(const store::Row& r) {
  HandshakeRow h;
  h.id = r.Text(0);
  h.org_id = r.Text(1);
  h.action = r.Text(2);
  h.state = r.Text(3);
  h.requested_at = r.Double(4);
  h.expires_at = r.Double(5);
  h.target_account_id = r.Text(6);
  h.target_email = r.Text(7);
  h.parties = r.Text(8);
  h.resources = r.Text(9);
  h.parent_id = r.Text(10);
  h.tags = r.Text(11);
  h.updated_at = r.Double(12);
  h.arn = r.Text(13);
  h.created_seq = r.Int(14);
  return h;
}

bool IsPending(std::string_view state) { return state == "OPEN" || state == "REQUESTED"; }

// The state as of `now`: a pending handshake past its expiry reads EXPIRED.
std::string EffectiveState(const HandshakeRow& h, double now) {
  if (IsPending(h.state) && now >= h.expires_at) return "EXPIRED";
  return h.state;
}

bool Visible(const HandshakeRow& h, double now) {
  std::string state = EffectiveState(h, now);
  if (IsPending(state)) return true;
  double completed = state == "EXPIRED" && IsPending(h.state) ? h.expires_at : h.updated_at;
  return now - completed <= kVisibleAfterCompletion;
}

json::value ParseJsonOr(const std::string& text, const json::value& fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

Json HandshakeObject(const HandshakeRow& h, double now) {
  Json out;
  out["Id"] = h.id;
  out["Arn"] = h.arn;
  out["Parties"] = ParseJsonOr(h.parties, json::array());
  out["State"] = EffectiveState(h, now);
  out["RequestedTimestamp"] = h.requested_at;
  out["ExpirationTimestamp"] = h.expires_at;
  out["Action"] = h.action;
  out["Resources"] = ParseJsonOr(h.resources, json::array());
  return out;
}

Json Output(const HandshakeRow& h, double now) {
  Json out;
  out["Handshake"] = HandshakeObject(h, now);
  return out;
}

// (json::string is no std::string: the values are copied into it either way.)
json::object Party(const std::string& id, const std::string& type) {
  json::object p;
  p["Id"] = id;
  p["Type"] = type;
  return p;
}

json::object Resource(const std::string& type, const std::string& value,
                      json::array children = {}) {
  json::object r;
  r["Value"] = value;
  r["Type"] = type;
  if (!children.empty()) r["Resources"] = std::move(children);
  return r;
}

// A new handshake of `org`, sent at `now`: its parties are the organization and, when `party_id`
// is given, that party. The caller adds the target, resources, parent and tags.
HandshakeRow NewHandshake(IdGenerator& ids, const OrgRow& org, std::string_view action,
                          std::string_view state, double now, double expires_at,
                          std::string_view party_id = {}, std::string_view party_type = {}) {
  HandshakeRow h;
  h.id = NewHandshakeId(ids);
  h.org_id = org.org_id;
  h.action = action;
  h.state = state;
  h.requested_at = now;
  h.expires_at = expires_at;
  json::array parties;
  parties.push_back(Party(org.org_id, "ORGANIZATION"));
  if (!party_id.empty()) parties.push_back(Party(std::string(party_id), std::string(party_type)));
  h.parties = json::serialize(parties);
  h.tags = "[]";
  h.updated_at = now;
  h.arn = HandshakeArn(org, action, h.id);
  return h;
}

Status HandshakeNotFound() {
  return OrgError("HandshakeNotFoundException",
                  "We can't find a handshake with the HandshakeId that you specified.");
}
Status AlreadyInState() {
  return OrgError("HandshakeAlreadyInStateException",
                  "The specified handshake is already in the requested state.");
}
Status InvalidTransition() {
  return OrgError("InvalidHandshakeTransitionException",
                  "You can't perform the operation on the handshake in its current state.");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

using repo::AccountRow;

// The Target of an invitation (InviteAccountToOrganization,
// InviteOrganizationToTransferResponsibility): a HandshakeParty of type ACCOUNT or EMAIL.
struct InviteTarget {
  std::string type;
  std::string id;
};

InviteTarget ParseInviteTarget(const Json& input) {
  const json::value* value = input.if_contains("Target");
  Json target = value != nullptr && value->is_object() ? value->as_object() : Json();
  return InviteTarget{Str(target, "Type"), Str(target, "Id")};
}

// The account the target names, by 12-digit ID or by email (none when no account has it).
Result<std::optional<AccountRow>> FindTargetAccount(store::Transaction& tx,
                                                    const InviteTarget& target) {
  if (target.type != "ACCOUNT" && target.type != "EMAIL") {
    return InvalidInput("INVALID_PARTY_TYPE_TARGET",
                        "You specified the wrong type for the handshake's target.");
  }
  if (target.type == "EMAIL") return repo::FindAccountByEmailIgnoringCase(tx, target.id);
  if (KindOfId(target.id) != TargetKind::kAccount) {
    return InvalidInput("INVALID_PATTERN", "The account ID must be 12 digits.");
  }
  return repo::FindAccount(tx, target.id);
}

// The ORGANIZATION resource with the management account's email and name and the feature set.
Result<json::object> OrganizationResource(store::Transaction& tx, const OrgRow& org) {
  OT_ASSIGN_OR_RETURN(auto mgmt, repo::FindAccount(tx, org.management_account_id));
  json::array children;
  children.push_back(Resource("MASTER_EMAIL", org.management_email));
  children.push_back(Resource("MASTER_NAME", mgmt.has_value() ? mgmt->name : ""));
  children.push_back(Resource("ORGANIZATION_FEATURE_SET", org.feature_set));
  return Resource("ORGANIZATION", org.org_id, std::move(children));
}

Result<std::optional<HandshakeRow>> FindHandshake(store::Transaction& tx, const std::string& id) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(std::string(kHandshakeCols) + "WHERE handshake_id = ?", {id}));
  if (rows.empty()) return std::optional<HandshakeRow>();
  return std::optional<HandshakeRow>(ToHandshake(rows.front()));
}

Status InsertHandshake(store::Transaction& tx, const HandshakeRow& h) {
  return Exec(tx,
              "INSERT INTO org_handshakes (handshake_id, org_id, action, state, requested_at, "
              "expires_at, target_account_id, target_email, parties, resources, "
              "parent_handshake_id, tags, updated_at, arn, created_seq) VALUES (?, ?, ?, ?, ?, ?, "
              "?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM "
              "org_handshakes))",
              {h.id, h.org_id, h.action, h.state, h.requested_at, h.expires_at,
               h.target_account_id.empty() ? Value() : Value(h.target_account_id),
               h.target_email.empty() ? Value() : Value(h.target_email), h.parties, h.resources,
               h.parent_id.empty() ? Value() : Value(h.parent_id), h.tags, h.updated_at, h.arn});
}

// Moves `h` from one of the pending states to `to`, exactly once: the UPDATE matches only while
// the row is still pending and unexpired, so of two racing calls only one changes the row.
Status Transition(store::Transaction& tx, HandshakeRow& h, const std::string& to, double now) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE org_handshakes SET state = ?, updated_at = ? WHERE "
                                 "handshake_id = ? AND state IN ('OPEN', 'REQUESTED') AND "
                                 "expires_at > ?",
                                 {to, now, h.id, now}));
  if (changed == 0) return AlreadyInState();
  h.state = to;
  h.updated_at = now;
  return Status::Ok();
}

// Who the caller is for `h`: the recipient account, the sending organization's management
// account, or neither.
struct Roles {
  bool recipient = false;
  bool sender = false;
};

Result<Roles> RolesOf(store::Transaction& tx, const HandshakeRow& h, const std::string& caller) {
  Roles roles;
  if (!h.target_account_id.empty()) {
    roles.recipient = h.target_account_id == caller;
  } else if (!h.target_email.empty()) {
    OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(tx, caller));
    roles.recipient = account.has_value() && Lower(account->email) == Lower(h.target_email);
  }
  OT_ASSIGN_OR_RETURN(auto org, FindOrganization(tx, h.org_id));
  roles.sender = org.has_value() && org->management_account_id == caller;
  return roles;
}

// Loads a handshake the caller may see (HandshakeNotFound otherwise).
Result<std::pair<HandshakeRow, Roles>> LoadForCaller(store::Transaction& tx, const Json& input,
                                                     const std::string& caller, double now) {
  OT_ASSIGN_OR_RETURN(auto found, FindHandshake(tx, Str(input, "HandshakeId")));
  if (!found.has_value() || !Visible(*found, now)) return HandshakeNotFound();
  OT_ASSIGN_OR_RETURN(Roles roles, RolesOf(tx, *found, caller));
  if (!roles.recipient && !roles.sender) return HandshakeNotFound();
  return std::make_pair(*std::move(found), roles);
}

// The check of a requested transition against the current state: `done` is the state the call
// leads to (already there -> HandshakeAlreadyInState), anything else not pending is final.
Status CheckPending(const HandshakeRow& h, double now, std::string_view done) {
  std::string state = EffectiveState(h, now);
  if (state == done) return AlreadyInState();
  if (!IsPending(state)) return InvalidTransition();
  return Status::Ok();
}

// Completes the switch to all features: the ENABLE_ALL_FEATURES handshake of the management
// account and its APPROVE_ALL_FEATURES handshake are accepted, the feature set becomes ALL.
Status FinishAllFeatures(store::Transaction& tx, const std::string& org_id,
                         const std::string& parent_id, double now) {
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE org_handshakes SET state = 'ACCEPTED', updated_at = ? WHERE "
                          "(handshake_id = ? OR (parent_handshake_id = ? AND action = ?)) AND "
                          "state IN ('OPEN', 'REQUESTED')",
                          {now, parent_id, parent_id, std::string(kApproveAll)}));
  return Exec(tx, "UPDATE organizations SET feature_set = 'ALL' WHERE org_id = ?", {org_id});
}

// After a member accepted: when every member has, the management account's handshake opens and
// an APPROVE_ALL_FEATURES handshake is sent to the management account.
Status MaybeRequestApproval(gateway::RequestContext& ctx, store::Transaction& tx, const OrgRow& org,
                            const HandshakeRow& parent) {
  const double now = NowSeconds(ctx);
  OT_ASSIGN_OR_RETURN(int64_t waiting, Count(tx,
                                             "SELECT COUNT(*) FROM org_handshakes WHERE "
                                             "parent_handshake_id = ? AND action = ? AND state "
                                             "<> 'ACCEPTED'",
                                             {parent.id, std::string(kEnableAll)}));
  if (waiting > 0) return Status::Ok();
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE org_handshakes SET state = 'OPEN', updated_at = ? WHERE "
                          "handshake_id = ? AND state = 'REQUESTED'",
                          {now, parent.id}));
  HandshakeRow approve = NewHandshake(ctx.twin.ids, org, kApproveAll, "OPEN", now,
                                      parent.expires_at, org.management_account_id, "ACCOUNT");
  approve.target_account_id = org.management_account_id;
  OT_ASSIGN_OR_RETURN(json::object org_resource, OrganizationResource(tx, org));
  json::array resources;
  resources.push_back(std::move(org_resource));
  resources.push_back(Resource("PARENT_HANDSHAKE", parent.id));
  approve.resources = json::serialize(resources);
  approve.parent_id = parent.id;
  return InsertHandshake(tx, approve);
}

// ---- Handlers ----

Result<Json> InviteAccountToOrganization(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  const InviteTarget target = ParseInviteTarget(input);
  const std::string& target_type = target.type;
  const std::string& target_id = target.id;
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  if (target_type == "EMAIL" &&
      (target_id.size() < 6 || target_id.find('@') == std::string::npos)) {
    return InvalidInput("INVALID_EMAIL_ADDRESS_TARGET",
                        "You specified an invalid email address for the invited account "
                        "owner.");
  }
  // AWS-COMPAT: an invitation by email goes out even when no account uses the address yet; the
  // account that owns the address when it answers may accept.
  OT_ASSIGN_OR_RETURN(std::optional<AccountRow> account, FindTargetAccount(tx, target));
  if (target_type == "ACCOUNT" && !account.has_value()) {
    return OrgError("AccountNotFoundException", "You specified an account that doesn't exist.");
  }
  if (account.has_value()) {
    OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account->account_id));
    if (member.has_value()) {
      return OrgError("DuplicateAccountException",
                      "That account is already present in the specified destination.");
    }
  }
  OT_ASSIGN_OR_RETURN(int64_t migrating, Count(tx,
                                               "SELECT COUNT(*) FROM org_handshakes WHERE "
                                               "org_id = ? AND action = ? AND "
                                               "parent_handshake_id IS NULL AND state IN "
                                               "('OPEN', 'REQUESTED') AND expires_at > ?",
                                               {org.org_id, std::string(kEnableAll), now}));
  if (migrating > 0) {
    return HandshakeConstraintViolation(
        "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
        "You can't issue new invitations to join an organization while it's in the process of "
        "enabling all features.");
  }
  const std::string account_key = account.has_value() ? account->account_id : "";
  OT_ASSIGN_OR_RETURN(int64_t duplicate,
                      Count(tx,
                            "SELECT COUNT(*) FROM org_handshakes WHERE org_id = ? AND action = ? "
                            "AND state = 'OPEN' AND expires_at > ? AND (target_account_id = ? "
                            "OR LOWER(target_email) = LOWER(?))",
                            {org.org_id, std::string(kInvite), now, account_key, target_id}));
  if (duplicate > 0) {
    return OrgError("DuplicateHandshakeException",
                    "A handshake with the same action and target already exists.");
  }
  int64_t members = org.member_count;
  OT_ASSIGN_OR_RETURN(int64_t pending, Count(tx,
                                             "SELECT COUNT(*) FROM org_handshakes WHERE "
                                             "org_id = ? AND action = ? AND state = 'OPEN' AND "
                                             "expires_at > ?",
                                             {org.org_id, std::string(kInvite), now}));
  // AWS-FACTS 2.3: pending invitations count toward the account quota.
  if (members + pending >= AccountQuota()) {
    return HandshakeConstraintViolation(
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        "You have reached the limit on the number of accounts in your organization.");
  }
  OT_ASSIGN_OR_RETURN(int64_t recent, Count(tx,
                                            "SELECT COUNT(*) FROM org_handshakes WHERE "
                                            "org_id = ? AND action = ? AND requested_at > ? AND "
                                            "state <> 'ACCEPTED'",
                                            {org.org_id, std::string(kInvite), now - kDay}));
  if (recent >= InvitesPerDay()) {
    return HandshakeConstraintViolation(
        "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        "You have sent too many invitations in the last 24 hours. Try again later.");
  }
  const json::array& tags = Array(input, "Tags");
  OT_RETURN_IF_ERROR(CheckTagCount(tags));

  // AWS-COMPAT: AWS reports a fresh invitation as OPEN (its examples and CloudTrail records).
  HandshakeRow h = NewHandshake(ctx.twin.ids, org, kInvite, "OPEN", now, now + kInviteLifetime,
                                target_id, target_type);
  if (account.has_value()) h.target_account_id = account->account_id;
  if (target_type == "EMAIL") h.target_email = target_id;
  OT_ASSIGN_OR_RETURN(json::object org_resource, OrganizationResource(tx, org));
  json::array resources;
  resources.push_back(std::move(org_resource));
  resources.push_back(Resource(target_type, target_id));
  if (input.contains("Notes")) resources.push_back(Resource("NOTES", Str(input, "Notes")));
  h.resources = json::serialize(resources);
  h.tags = json::serialize(tags);
  OT_RETURN_IF_ERROR(InsertHandshake(tx, h));
  return Output(h, now);
}

std::string IsoTime(double t) {
  std::time_t seconds = static_cast<std::time_t>(std::floor(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The partner's management account (the caller) asks another organization's management account
// to let it manage and pay that organization's bill (transfers.h).
Result<Json> InviteOrganizationToTransferResponsibility(gateway::RequestContext& ctx,
                                                        const Json& input) {
  const double now = NowSeconds(ctx);
  const std::string& caller = ctx.caller.account_id;
  const InviteTarget target = ParseInviteTarget(input);
  const std::string& target_type = target.type;
  const std::string& target_id = target.id;
  // Type, Target, StartTimestamp and SourceName are required, and Type's only enum value is
  // BILLING: the protocol layer refuses anything else before the handler runs.
  const double start = input.contains("StartTimestamp") && input.at("StartTimestamp").is_number()
                           ? input.at("StartTimestamp").to_number<double>()
                           : 0;
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, caller));
  OT_ASSIGN_OR_RETURN(std::optional<AccountRow> account, FindTargetAccount(tx, target));
  if (!account.has_value()) {
    return OrgError("AccountNotFoundException", "You specified an account that doesn't exist.");
  }
  if (account->account_id == caller) {
    return HandshakeConstraintViolation("SOURCE_AND_TARGET_CANNOT_MATCH",
                                        "An organization can't transfer a responsibility to "
                                        "itself.");
  }
  // Transfers are between management accounts. AWS-COMPAT: AWS does not publish the error for
  // another target; the twin answers that the target is not supported.
  OT_ASSIGN_OR_RETURN(auto source_org, FindOrganizationForAccount(tx, account->account_id));
  if (!source_org.has_value() || source_org->management_account_id != account->account_id) {
    return InvalidInput("TARGET_NOT_SUPPORTED",
                        "The invited account must be the management account of an "
                        "organization.");
  }
  OT_RETURN_IF_ERROR(ValidateTransferStart(start, now));
  OT_ASSIGN_OR_RETURN(
      int64_t duplicate,
      Count(tx,
            "SELECT COUNT(*) FROM org_handshakes WHERE org_id = ? AND action = ? "
            "AND state IN ('OPEN', 'REQUESTED') AND expires_at > ? AND "
            "target_account_id = ?",
            {org.org_id, std::string(kTransferResponsibility), now, account->account_id}));
  if (duplicate > 0) {
    return OrgError("DuplicateHandshakeException",
                    "A handshake with the same action and target already exists.");
  }
  OT_RETURN_IF_ERROR(CheckTransferLimits(tx, caller, account->account_id, now));
  OT_RETURN_IF_ERROR(CheckInboundQuota(tx, caller, now));
  const json::array& tags = Array(input, "Tags");
  OT_RETURN_IF_ERROR(CheckTagCount(tags));

  TransferRow transfer;
  transfer.id = NewTransferId(ctx.twin.ids);
  transfer.name = Str(input, "SourceName");
  transfer.status = "REQUESTED";
  transfer.target_org_id = org.org_id;
  transfer.target_account_id = caller;
  transfer.source_org_id = source_org->org_id;
  transfer.source_account_id = account->account_id;
  transfer.start_at = start;
  // AWS-COMPAT: the invitation must be answered about a day before the transfer starts.
  transfer.expires_at = start - kDay;
  transfer.requested_at = now;
  transfer.updated_at = now;

  HandshakeRow h = NewHandshake(ctx.twin.ids, org, kTransferResponsibility, "OPEN", now,
                                transfer.expires_at, target_id, target_type);
  h.target_account_id = account->account_id;
  if (target_type == "EMAIL") h.target_email = target_id;
  // AWS-COMPAT: AWS names these resource types without documenting their layout; the twin nests
  // the transfer's details under RESPONSIBILITY_TRANSFER and the inviter's under ORGANIZATION.
  OT_ASSIGN_OR_RETURN(auto inviter, repo::FindAccount(tx, caller));
  json::array transfer_details;
  transfer_details.push_back(Resource("TRANSFER_TYPE", kBillingTransfer));
  transfer_details.push_back(Resource("TRANSFER_START_TIMESTAMP", IsoTime(start)));
  json::array inviter_details;
  inviter_details.push_back(Resource("MANAGEMENT_ACCOUNT", caller));
  inviter_details.push_back(Resource("MANAGEMENT_EMAIL", org.management_email));
  inviter_details.push_back(Resource("MANAGEMENT_NAME", inviter.has_value() ? inviter->name : ""));
  json::array resources;
  resources.push_back(
      Resource("RESPONSIBILITY_TRANSFER", transfer.id, std::move(transfer_details)));
  resources.push_back(Resource("ORGANIZATION", org.org_id, std::move(inviter_details)));
  resources.push_back(Resource(target_type, target_id));
  if (input.contains("Notes")) resources.push_back(Resource("NOTES", Str(input, "Notes")));
  h.resources = json::serialize(resources);
  transfer.handshake_id = h.id;
  OT_RETURN_IF_ERROR(InsertHandshake(tx, h));
  OT_RETURN_IF_ERROR(InsertTransfer(tx, transfer));
  if (!tags.empty()) OT_RETURN_IF_ERROR(ApplyTags(tx, transfer.id, tags));
  return Output(h, now);
}

Result<Json> AcceptHandshake(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  const std::string& caller = ctx.caller.account_id;
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto loaded, LoadForCaller(tx, input, caller, now));
  auto& [h, roles] = loaded;
  OT_ASSIGN_OR_RETURN(auto org_found, FindOrganization(tx, h.org_id));
  if (!org_found.has_value()) return InvalidTransition();
  const OrgRow& org = *org_found;
  const bool parent_all_features = h.action == kEnableAll && h.parent_id.empty();

  if (parent_all_features) {
    // The management account's own ENABLE_ALL_FEATURES handshake completes once it is OPEN.
    if (!roles.sender) return AccessDenied();
    OT_RETURN_IF_ERROR(CheckPending(h, now, "ACCEPTED"));
    if (EffectiveState(h, now) != "OPEN") return InvalidTransition();
    OT_RETURN_IF_ERROR(Transition(tx, h, "ACCEPTED", now));
    OT_RETURN_IF_ERROR(FinishAllFeatures(tx, org.org_id, h.id, now));
    return Output(h, now);
  }
  // Only the recipient accepts INVITE, ENABLE_ALL_FEATURES and APPROVE_ALL_FEATURES.
  if (!roles.recipient) return AccessDenied();
  OT_RETURN_IF_ERROR(CheckPending(h, now, "ACCEPTED"));

  if (h.action == kInvite) {
    OT_ASSIGN_OR_RETURN(auto membership, FindMembership(tx, caller));
    if (membership.has_value()) {
      return HandshakeConstraintViolation(
          "ALREADY_IN_AN_ORGANIZATION",
          "The account is already a member of an organization. It must leave its current "
          "organization before it can join another.");
    }
    OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(tx, caller));
    if (account.has_value() && !account->has_payment_method) {
      return HandshakeConstraintViolation(
          "PAYMENT_INSTRUMENT_REQUIRED",
          "You can't accept the invitation until the account has a valid payment method.");
    }
    const int64_t wait = OrganizationsConfig().membership_change_wait_seconds;
    if (account.has_value() && account->membership_changed_at.has_value() &&
        now < *account->membership_changed_at + static_cast<double>(wait)) {
      // AWS-COMPAT: the reason is AWS's; the message is ours (AWS's text is not published).
      return HandshakeConstraintViolation(
          "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED",
          "The account changed its organization membership too recently. Try again later.");
    }
    int64_t members = org.member_count;
    if (members >= AccountQuota()) {
      return HandshakeConstraintViolation(
          "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
          "The organization has reached the limit on the number of accounts.");
    }
    OT_RETURN_IF_ERROR(Transition(tx, h, "ACCEPTED", now));
    if (h.target_account_id.empty()) {
      OT_RETURN_IF_ERROR(Exec(tx,
                              "UPDATE org_handshakes SET target_account_id = ? WHERE "
                              "handshake_id = ?",
                              {caller, h.id}));
    }
    OT_ASSIGN_OR_RETURN(RootRow root, GetRoot(tx, org.org_id));
    OT_RETURN_IF_ERROR(AddMembership(tx, caller, org.org_id, root.root_id, "INVITED", now));
    OT_RETURN_IF_ERROR(AttachDefaultPolicies(tx, org.org_id, caller));
    if (org.feature_set == "ALL") {
      OT_RETURN_IF_ERROR(EnsureOrganizationsRole(ctx, tx, caller, now));
    }
    json::value tags = ParseJsonOr(h.tags, json::array());
    if (tags.is_array() && !tags.as_array().empty()) {
      OT_RETURN_IF_ERROR(ApplyTags(tx, caller, tags.as_array()));
    }
  } else if (h.action == kEnableAll) {
    OT_RETURN_IF_ERROR(Transition(tx, h, "ACCEPTED", now));
    OT_RETURN_IF_ERROR(EnsureOrganizationsRole(ctx, tx, caller, now));
    OT_ASSIGN_OR_RETURN(auto parent, FindHandshake(tx, h.parent_id));
    if (parent.has_value() && IsPending(EffectiveState(*parent, now))) {
      OT_RETURN_IF_ERROR(MaybeRequestApproval(ctx, tx, org, *parent));
    }
  } else if (h.action == kApproveAll) {
    OT_RETURN_IF_ERROR(Transition(tx, h, "ACCEPTED", now));
    OT_RETURN_IF_ERROR(FinishAllFeatures(tx, org.org_id, h.parent_id, now));
  } else if (h.action == kTransferResponsibility) {
    // Only the management account of an organization accepts; the limits are checked again, as
    // other transfers may have started since the invitation.
    OT_ASSIGN_OR_RETURN(auto own_org, FindOrganizationForAccount(tx, caller));
    if (!own_org.has_value() || own_org->management_account_id != caller) return AccessDenied();
    OT_RETURN_IF_ERROR(CheckTransferLimits(tx, org.management_account_id, caller, now));
    OT_RETURN_IF_ERROR(Transition(tx, h, "ACCEPTED", now));
    OT_RETURN_IF_ERROR(AnswerTransfer(tx, h.id, "ACCEPTED", now));
  } else {
    return InvalidTransition();
  }
  return Output(h, now);
}

Result<Json> DeclineHandshake(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto loaded, LoadForCaller(tx, input, ctx.caller.account_id, now));
  auto& [h, roles] = loaded;
  if (!roles.recipient) return AccessDenied();
  OT_RETURN_IF_ERROR(CheckPending(h, now, "DECLINED"));
  OT_RETURN_IF_ERROR(Transition(tx, h, "DECLINED", now));
  if (h.action == kTransferResponsibility) {
    OT_RETURN_IF_ERROR(AnswerTransfer(tx, h.id, "DECLINED", now));
  }
  return Output(h, now);
}

Result<Json> CancelHandshake(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto loaded, LoadForCaller(tx, input, ctx.caller.account_id, now));
  auto& [h, roles] = loaded;
  if (!roles.sender) return AccessDenied();
  OT_RETURN_IF_ERROR(CheckPending(h, now, "CANCELED"));
  OT_RETURN_IF_ERROR(Transition(tx, h, "CANCELED", now));
  if (h.action == kTransferResponsibility) {
    OT_RETURN_IF_ERROR(AnswerTransfer(tx, h.id, "CANCELED", now));
  }
  if (h.action == kEnableAll && h.parent_id.empty()) {
    // Canceling the migration withdraws the members' and the approval handshakes with it.
    OT_RETURN_IF_ERROR(Exec(tx,
                            "UPDATE org_handshakes SET state = 'CANCELED', updated_at = ? WHERE "
                            "parent_handshake_id = ? AND state IN ('OPEN', 'REQUESTED')",
                            {now, h.id}));
  }
  return Output(h, now);
}

Result<Json> DescribeHandshake(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto loaded, LoadForCaller(tx, input, ctx.caller.account_id, now));
  return Output(loaded.first, now);
}

struct Filter {
  std::string action;
  std::string parent_id;
};

Result<Filter> ParseFilter(const Json& input) {
  Filter filter;
  const json::value* v = input.if_contains("Filter");
  if (v == nullptr || !v->is_object()) return filter;
  filter.action = Str(v->as_object(), "ActionType");
  filter.parent_id = Str(v->as_object(), "ParentHandshakeId");
  if (!filter.action.empty() && !filter.parent_id.empty()) {
    return InvalidInput("MAX_LIMIT_EXCEEDED_FILTER",
                        "You can specify only one filter parameter for the operation.");
  }
  return filter;
}

Result<Json> ListHandshakes(gateway::RequestContext& ctx, const Json& input,
                            const std::string& where, const std::vector<Value>& params,
                            const std::string& binding) {
  const double now = NowSeconds(ctx);
  OT_ASSIGN_OR_RETURN(Filter filter, ParseFilter(input));
  OT_ASSIGN_OR_RETURN(Page page,
                      ParsePage(input, binding + "|" + filter.action + "|" + filter.parent_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kHandshakeCols) + where, params));
  std::vector<std::pair<std::string, json::value>> items;
  for (const store::Row& r : rows) {
    HandshakeRow h = ToHandshake(r);
    if (!Visible(h, now)) continue;
    if (!filter.action.empty() && h.action != filter.action) continue;
    if (!filter.parent_id.empty() && h.parent_id != filter.parent_id) continue;
    items.emplace_back(SequenceKey(h.created_seq), HandshakeObject(h, now));
  }
  Json out;
  EmitPage(std::move(items), page, "Handshakes", out);
  return out;
}

Result<Json> ListHandshakesForAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string email;
  {
    store::Transaction& tx = ctx.tx;
    OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(tx, ctx.caller.account_id));
    if (account.has_value()) email = account->email;
  }
  return ListHandshakes(ctx, input,
                        "WHERE target_account_id = ? OR (target_account_id IS NULL AND "
                        "LOWER(target_email) = LOWER(?))",
                        {ctx.caller.account_id, email},
                        "ListHandshakesForAccount|" + ctx.caller.account_id);
}

Result<Json> ListHandshakesForOrganization(gateway::RequestContext& ctx, const Json& input) {
  std::string org_id;
  {
    store::Transaction& tx = ctx.tx;
    OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, ctx.caller.account_id));
    if (org.management_account_id != ctx.caller.account_id) {
      OT_ASSIGN_OR_RETURN(int64_t delegated, Count(tx,
                                                   "SELECT COUNT(*) FROM org_delegated_admins "
                                                   "WHERE org_id = ? AND account_id = ?",
                                                   {org.org_id, ctx.caller.account_id}));
      if (delegated == 0) return AccessDenied();
    }
    org_id = org.org_id;
  }
  return ListHandshakes(ctx, input, "WHERE org_id = ?", {org_id},
                        "ListHandshakesForOrganization|" + org_id);
}

Result<Json> EnableAllFeatures(gateway::RequestContext& ctx, const Json& /*input*/) {
  const double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  if (org.feature_set == "ALL") {
    return HandshakeConstraintViolation("ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
                                        "All features are already enabled on this organization.");
  }
  OT_ASSIGN_OR_RETURN(int64_t migrating, Count(tx,
                                               "SELECT COUNT(*) FROM org_handshakes WHERE "
                                               "org_id = ? AND action = ? AND "
                                               "parent_handshake_id IS NULL AND state IN "
                                               "('OPEN', 'REQUESTED') AND expires_at > ?",
                                               {org.org_id, std::string(kEnableAll), now}));
  if (migrating > 0) {
    return HandshakeConstraintViolation(
        "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
        "The organization is already in the process of enabling all features.");
  }
  OT_ASSIGN_OR_RETURN(json::object org_resource, OrganizationResource(tx, org));

  HandshakeRow parent =
      NewHandshake(ctx.twin.ids, org, kEnableAll, "REQUESTED", now, now + kAllFeaturesLifetime);
  json::array parent_resources;
  parent_resources.push_back(org_resource);
  parent.resources = json::serialize(parent_resources);
  OT_RETURN_IF_ERROR(InsertHandshake(tx, parent));

  // AWS-FACTS 2.2: only invited members are asked; created accounts' approval is implied.
  OT_ASSIGN_OR_RETURN(auto invited, tx.Query("SELECT account_id FROM org_accounts WHERE "
                                             "org_id = ? AND joined_method = 'INVITED' AND "
                                             "account_id <> ?",
                                             {org.org_id, org.management_account_id}));
  for (const store::Row& r : invited) {
    HandshakeRow child = NewHandshake(ctx.twin.ids, org, kEnableAll, "OPEN", now, parent.expires_at,
                                      r.Text(0), "ACCOUNT");
    child.target_account_id = r.Text(0);
    json::array resources;
    resources.push_back(org_resource);
    resources.push_back(Resource("PARENT_HANDSHAKE", parent.id));
    child.resources = json::serialize(resources);
    child.parent_id = parent.id;
    OT_RETURN_IF_ERROR(InsertHandshake(tx, child));
  }
  if (invited.empty()) {
    OT_RETURN_IF_ERROR(MaybeRequestApproval(ctx, tx, org, parent));
    parent.state = "OPEN";
  }
  return Output(parent, now);
}

}  // namespace

Status RegisterOrganizationsHandshakeHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kHandlers[] = {
      {"InviteAccountToOrganization", InviteAccountToOrganization},
      {"AcceptHandshake", AcceptHandshake},
      {"DeclineHandshake", DeclineHandshake},
      {"CancelHandshake", CancelHandshake},
      {"DescribeHandshake", DescribeHandshake},
      {"ListHandshakesForAccount", ListHandshakesForAccount},
      {"ListHandshakesForOrganization", ListHandshakesForOrganization},
      {"EnableAllFeatures", EnableAllFeatures},
      {"InviteOrganizationToTransferResponsibility", InviteOrganizationToTransferResponsibility},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("organizations", kHandlers));
  return RegisterResponsibilityTransferHandlers(gateway);
}

}  // namespace orgtwin::services::organizations
