// Member accounts: CreateAccount and its status, Describe/List, MoveAccount, removal, leaving,
// closure.
//
// AWS-COMPAT: CreateAccount is asynchronous on AWS. orgtwin completes the account inside the
// CreateAccount transaction (so it exists, with its role, as soon as the call returns) but answers
// that call with State IN_PROGRESS, as AWS does; DescribeCreateAccountStatus and
// ListCreateAccountStatus then report the final SUCCEEDED or FAILED. Clients that poll, as AWS
// documents, see the same sequence as on AWS.
//
// AWS-COMPAT: CloseAccount's PENDING_CLOSURE -> SUSPENDED transition also completes at once: the
// account reads SUSPENDED right after the call.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "repo/account_repository.h"
#include "services/iam/iam_entities.h"
#include "services/iam/service_linked_roles.h"
#include "services/organizations/org_store.h"
#include "services/organizations/organizations_core.h"

namespace orgtwin::services::organizations {
namespace {

constexpr char kDefaultRoleName[] = "OrganizationAccountAccessRole";
constexpr char kAdminPolicyArn[] = "arn:aws:iam::aws:policy/AdministratorAccess";
constexpr double kDaySeconds = 86400.0;

Status AccountNotFound() {
  return OrgError("AccountNotFoundException", "You specified an account that doesn't exist.");
}

Json StatusObject(const store::Row& row) {
  // request_id, account_name, state, requested_at, completed_at, account_id, failure_reason
  Json out{{"Id", row.Text(0)},
           {"AccountName", row.Text(1)},
           {"State", row.Text(2)},
           {"RequestedTimestamp", row.Double(3)}};
  if (!row.IsNull(4)) out["CompletedTimestamp"] = row.Double(4);
  if (!row.IsNull(5)) out["AccountId"] = row.Text(5);
  if (!row.IsNull(6)) out["FailureReason"] = row.Text(6);
  return out;
}

constexpr char kStatusCols[] =
    "SELECT request_id, account_name, state, requested_at, completed_at, account_id, "
    "failure_reason FROM org_create_account_status ";

// The role a created account gets: trusts the management account, AdministratorAccess attached.
Status CreateAccessRole(gateway::RequestContext& ctx, store::Transaction& tx,
                        const std::string& account_id, const std::string& role_name,
                        const std::string& management_account_id, double now) {
  iam::RoleRow role;
  role.role_id = iam::NewUniqueId(ctx.twin.ids, "AROA");
  role.account_id = account_id;
  role.name = role_name;
  role.path = "/";
  role.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                      R"({"AWS":"arn:aws:iam::)" +
                      management_account_id + R"(:root"},"Action":"sts:AssumeRole"}]})";
  role.max_session_duration = 3600;
  role.created_at = std::floor(now);
  OT_RETURN_IF_ERROR(repo::InsertRole(tx, role));
  return repo::InsertAttachment(tx, account_id, repo::kRoleEntity, role.role_id, kAdminPolicyArn,
                                role.created_at);
}

// The standalone-account preconditions of RemoveAccountFromOrganization and LeaveOrganization.
Status CheckCanLeave(store::Transaction& tx, const MemberRow& member, double now) {
  OT_ASSIGN_OR_RETURN(int64_t delegated, Count(tx,
                                               "SELECT COUNT(*) FROM org_delegated_admins WHERE "
                                               "org_id = ? AND account_id = ?",
                                               {member.org_id, member.account_id}));
  if (delegated > 0) {
    return ConstraintViolation("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                               "You must deregister this account as a delegated administrator "
                               "before it can leave the organization.");
  }
  if (member.joined_method == "CREATED") {
    double wait = OrganizationsConfig().created_account_leave_wait_days * kDaySeconds;
    if (now < member.created_at + wait) {
      return ConstraintViolation("WAIT_PERIOD_ACTIVE",
                                 "This account was created by the organization too recently; it "
                                 "can leave only after the waiting period ends.");
    }
  }
  if (!member.has_payment_method) {
    return ConstraintViolation("MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
                               "The account must have a valid payment instrument before it can "
                               "leave the organization.");
  }
  if (!member.has_contact_info) {
    return ConstraintViolation("ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
                               "The account must complete phone verification and provide contact "
                               "information before it can leave the organization.");
  }
  return Status::Ok();
}

Status DetachMember(store::Transaction& tx, const MemberRow& member, double now) {
  OT_RETURN_IF_ERROR(ForgetTarget(tx, member.org_id, member.account_id));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_delegated_admins WHERE org_id = ? AND account_id = ?",
                          {member.org_id, member.account_id}));
  return RemoveMembership(tx, member.account_id, member.org_id, now);
}

// A page of the members (of `parent_id` only, unless it is "") as the model's Account objects.
Result<Json> ListMembers(store::Transaction& tx, const OrgRow& org, const Page& page,
                         const std::string& parent_id) {
  OT_ASSIGN_OR_RETURN(int64_t start, StartSequence(page));
  OT_ASSIGN_OR_RETURN(std::vector<MemberRow> members,
                      repo::MembersOf(tx, org.org_id, parent_id, start,
                                      static_cast<int64_t>(page.max_results + 1)));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(members.size());
  for (const MemberRow& m : members) {
    items.emplace_back(SequenceKey(m.joined_seq), AccountObject(org, m));
  }
  Json out;
  EmitPage(std::move(items), page, "Accounts", out);
  return out;
}

}  // namespace

Result<Json> CreateAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string email = Str(input, "Email");
  std::string name = Str(input, "AccountName");
  std::string role_name = Str(input, "RoleName", kDefaultRoleName);
  bool billing = Str(input, "IamUserAccessToBilling", "ALLOW") == "ALLOW";
  double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  std::string request_id = NewCreateAccountRequestId(ctx.twin.ids);

  std::string failure;
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccountRow> taken, repo::FindAccountByEmail(tx, email));
  int64_t members = org.member_count;
  if (taken.has_value()) {
    failure = "EMAIL_ALREADY_EXISTS";
  } else if (members >= OrganizationsConfig().max_accounts_per_org) {
    failure = "ACCOUNT_LIMIT_EXCEEDED";
  }
  store::Value account_value;
  if (failure.empty()) {
    OT_ASSIGN_OR_RETURN(RootRow root, GetRoot(tx, org.org_id));
    // AWS-COMPAT: a created account has neither a payment method nor verified contact
    // information (AWS-FACTS 2.7): it cannot leave until its owner adds them. A drawn account ID
    // that is taken inserts nothing (the email was checked above), and another is drawn.
    repo::AccountRow account;
    account.email = email;
    account.name = name;
    account.created_at = now;
    account.has_payment_method = false;
    account.has_contact_info = false;
    account.iam_user_access_to_billing = billing;
    account.aws_partition = ctx.caller.partition;  // the organization's (its management account's)
    for (int attempt = 0;; ++attempt) {
      account.account_id = ctx.twin.ids.AccountId();
      OT_ASSIGN_OR_RETURN(bool inserted, repo::InsertAccountIfIdFree(tx, account));
      if (inserted) break;
      if (attempt > 16) return InternalError("could not draw a free account ID");
    }
    const std::string& account_id = account.account_id;
    OT_RETURN_IF_ERROR(AddMembership(tx, account_id, org.org_id, root.root_id, "CREATED", now));
    OT_RETURN_IF_ERROR(AttachDefaultPolicies(tx, org.org_id, account_id));
    OT_RETURN_IF_ERROR(ApplyTags(tx, account_id, Array(input, "Tags")));
    OT_RETURN_IF_ERROR(
        CreateAccessRole(ctx, tx, account_id, role_name, org.management_account_id, now));
    if (org.feature_set == "ALL") {
      // The account is new, so it has no role to look for first (EnsureOrganizationsRole).
      OT_RETURN_IF_ERROR(iam::AddServiceLinkedRole(tx, ctx.twin.ids, account_id,
                                                   iam::kOrganizationsServicePrincipal, now));
    }
    account_value = account_id;
  }
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO org_create_account_status (request_id, org_id, "
           "account_name, state, requested_at, completed_at, account_id, "
           "failure_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           {request_id, org.org_id, name, std::string(failure.empty() ? "SUCCEEDED" : "FAILED"),
            now, now, account_value, failure.empty() ? store::Value() : store::Value(failure)}));
  return Json{{"CreateAccountStatus", Json{{"Id", request_id},
                                           {"AccountName", name},
                                           {"State", "IN_PROGRESS"},
                                           {"RequestedTimestamp", now}}}};
}

Result<Json> CreateGovCloudAccount(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN([[maybe_unused]] OrgRow org,
                      RequireManagementAccount(tx, ctx.caller.account_id));
  // AWS-COMPAT: the twin has no aws-us-gov partition, so no management account is GovCloud
  // enabled: AWS answers this for a management account without a GovCloud association.
  return ConstraintViolation("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
                             "You attempted to create an account in the AWS GovCloud (US) "
                             "Region from a management account that is not associated with an "
                             "AWS GovCloud (US) account.");
}

Result<Json> DescribeCreateAccountStatus(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "CreateAccountRequestId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kStatusCols) + "WHERE request_id = ? AND org_id = ?", {id, org.org_id}));
  if (rows.empty()) {
    return OrgError("CreateAccountStatusNotFoundException",
                    "We can't find an create account request with the CreateAccountRequestId "
                    "that you specified.");
  }
  return Json{{"CreateAccountStatus", StatusObject(rows.front())}};
}

Result<Json> ListCreateAccountStatus(gateway::RequestContext& ctx, const Json& input) {
  const boost::json::array& states = Array(input, "States");
  std::string binding = "ListCreateAccountStatus";
  for (const boost::json::value& s : states) {
    if (s.is_string()) binding += "|" + std::string(s.as_string());
  }
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, binding));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(std::string(kStatusCols) + "WHERE org_id = ?", {org.org_id}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& row : rows) {
    bool wanted = states.empty() ||
                  std::any_of(states.begin(), states.end(), [&](const boost::json::value& s) {
                    return s.is_string() && s.as_string() == row.Text(2);
                  });
    if (!wanted) continue;
    // Oldest first; the request ID breaks ties.
    char key[64];
    std::snprintf(key, sizeof(key), "%020.3f|", row.Double(3));
    items.emplace_back(std::string(key) + row.Text(0), StatusObject(row));
  }
  Json out;
  EmitPage(std::move(items), page, "CreateAccountStatuses", out);
  return out;
}

Result<Json> DescribeAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account_id));
  if (!member.has_value()) return AccountNotFound();
  return Json{{"Account", AccountObject(org, *member)}};
}

Result<Json> ListAccounts(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListAccounts"));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  return ListMembers(tx, org, page, "");
}

Result<Json> ListAccountsForParent(gateway::RequestContext& ctx, const Json& input) {
  std::string parent_id = Str(input, "ParentId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListAccountsForParent|" + parent_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(bool exists, ParentExists(tx, org.org_id, parent_id));
  if (!exists) {
    return OrgError("ParentNotFoundException",
                    "We can't find a root or OU with the ParentId "
                    "that you specified.");
  }
  return ListMembers(tx, org, page, parent_id);
}

Result<Json> MoveAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  std::string source = Str(input, "SourceParentId");
  std::string destination = Str(input, "DestinationParentId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account_id));
  if (!member.has_value()) return AccountNotFound();
  OT_ASSIGN_OR_RETURN(bool source_exists, ParentExists(tx, org.org_id, source));
  if (!source_exists) {
    return OrgError("SourceParentNotFoundException",
                    "We can't find a source root or OU with the ParentId that you specified.");
  }
  OT_ASSIGN_OR_RETURN(bool destination_exists, ParentExists(tx, org.org_id, destination));
  if (!destination_exists) {
    return OrgError("DestinationParentNotFoundException",
                    "We can't find a destination root or OU with the ParentId that you "
                    "specified.");
  }
  if (member->parent_id == destination) {
    return OrgError("DuplicateAccountException",
                    "That account is already present in the specified destination.");
  }
  if (member->parent_id != source) return AccountNotFound();
  OT_RETURN_IF_ERROR(Exec(tx, "UPDATE org_accounts SET parent_id = ? WHERE account_id = ?",
                          {destination, account_id}));
  return Json();
}

Result<Json> RemoveAccountFromOrganization(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account_id));
  if (!member.has_value()) return AccountNotFound();
  if (account_id == org.management_account_id) {
    return OrgError("MasterCannotLeaveOrganizationException",
                    "You can't remove the management account from an organization. You must "
                    "delete the organization instead.");
  }
  OT_RETURN_IF_ERROR(CheckCanLeave(tx, *member, NowSeconds(ctx)));
  OT_RETURN_IF_ERROR(DetachMember(tx, *member, NowSeconds(ctx)));
  return Json();
}

Result<Json> LeaveOrganization(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, ctx.caller.account_id));
  if (ctx.caller.account_id == org.management_account_id) {
    return OrgError("MasterCannotLeaveOrganizationException",
                    "You can't remove the management account from an organization. You must "
                    "delete the organization instead.");
  }
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, ctx.caller.account_id));
  if (!member.has_value()) return AccountNotFound();
  OT_RETURN_IF_ERROR(CheckCanLeave(tx, *member, NowSeconds(ctx)));
  OT_RETURN_IF_ERROR(DetachMember(tx, *member, NowSeconds(ctx)));
  return Json();
}

Result<Json> CloseAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account_id));
  if (!member.has_value()) return AccountNotFound();
  if (account_id == org.management_account_id) {
    return ConstraintViolation("CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
                               "You can't close the management account with CloseAccount.");
  }
  if (member->state != "ACTIVE") {
    return OrgError("AccountAlreadyClosedException",
                    "You provided an account that is already closed.");
  }
  // AWS-COMPAT: at most 10% of the member accounts (at least 10, at most 200) may be closed in
  // a rolling 30 days (AWS-FACTS 2.3, the 2023 figures).
  int64_t members = org.member_count;
  OT_ASSIGN_OR_RETURN(int64_t closed,
                      repo::CountMembersClosedSince(tx, org.org_id, now - 30 * kDaySeconds));
  int64_t quota = std::clamp<int64_t>(members / 10, 10, 200);
  if (closed >= quota) {
    return ConstraintViolation("CLOSE_ACCOUNT_QUOTA_EXCEEDED",
                               "You have exceeded the number of accounts that you can close in "
                               "a 30-day period.");
  }
  OT_RETURN_IF_ERROR(repo::SuspendAccount(tx, account_id, now));
  return Json();
}

}  // namespace orgtwin::services::organizations
