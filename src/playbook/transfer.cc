#include "playbook/transfer.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "playbook/steps.h"
#include "structure/reconcile.h"

namespace orgtwin::playbook {
namespace {

namespace json = boost::json;
using steps::Admin;
using steps::ApplySlice;
using steps::Done;
using steps::IdOf;
using steps::Management;
using steps::Manual;
using steps::Movers;
using steps::OnlyParts;
using steps::Org;
using steps::OrgOf;
using steps::OwnerOf;
using steps::RoleArn;
using steps::Str;
using structure::Account;
using structure::Mode;
using structure::Scope;
using structure::Session;
using structure::Structure;
using structure::TaskStatus;

// The roles in the management account that accounts of another party may assume (the
// customer's CustomerAdmin: Part I step 6); the others are the owner's own (step 7).
std::set<std::string> RolesForOtherParties(const Structure& s) {
  std::set<std::string> roles;
  auto iam = s.iam.find(Management(s));
  if (iam == s.iam.end()) return roles;
  const std::string& owner = OwnerOf(s, Management(s));
  for (const structure::Role& role : iam->second.roles) {
    for (const structure::LocatedString& trusted : role.trust.accounts) {
      if (OwnerOf(s, trusted.value) != owner) roles.insert(role.name);
    }
  }
  return roles;
}

// A party that acts in an account of another party through a role: the profile it uses there,
// the user it starts from, and the role.
struct RoleAccess {
  std::string party;
  std::string account;  // where the role is
  std::string profile;
  std::string user_account;
  std::string user;
  const structure::Role* role = nullptr;
};

std::vector<RoleAccess> RoleAccesses(const Structure& s) {
  std::vector<RoleAccess> accesses;
  for (const auto& [key, party] : s.parties) {
    for (const auto& [account, profile] : party.account_profiles) {
      if (OwnerOf(s, account) == key) continue;  // its own account: its own keys
      for (const auto& [user_account, iam] : s.iam) {
        if (OwnerOf(s, user_account) != key) continue;
        for (const structure::User& user : iam.users) {
          for (const structure::RoleReference& target : user.may_assume) {
            if (target.account != account) continue;
            const structure::Role* role = s.iam.at(account).FindRole(target.role);
            accesses.push_back({key, account, profile.value, user_account, user.name, role});
          }
        }
      }
    }
  }
  return accesses;
}

// ---- the tasks ----------------------------------------------------------------------------

std::string SignUpInstructions(const Account& account, const std::string& profile) {
  return "Sign up account `" + account.key + "` (" + account.email + ", \"" + account.name +
         "\") at https://portal.aws.amazon.com/billing/signup, make profile `" + profile +
         "` able to act in it, and run again with --account " + account.key + "=ID";
}

Status WrongAccount(const std::string& profile, const std::string& actual, const std::string& key,
                    const std::string& id) {
  return InvalidInputError("profile `" + profile + "` acts in account " + actual + ", not in `" +
                           key + "` (" + id + ")");
}

Result<TaskOutcome> CreateAccounts(const Structure& s, TaskContext& ctx) {
  const std::vector<std::string> members = steps::NewMembers(s);
  std::string note;
  for (const auto& [key, account] : s.accounts) {
    // New members are created by the organization (III.4), not signed up.
    if (!account.ToBeCreated() || std::find(members.begin(), members.end(), key) != members.end()) {
      continue;
    }
    const std::string& owner = account.owner.value;
    const std::string& profile = s.ProfileFor(*s.FindParty(owner), key);
    if (!ctx.session.AccountId(key) && ctx.twin != nullptr && ctx.twin->HasProfile(profile)) {
      // Signed up by a run that stopped before it wrote the journal: the profile knows the ID.
      OT_ASSIGN_OR_RETURN(json::object who,
                          ctx.session.Require(owner, key, "sts", "GetCallerIdentity"));
      OT_RETURN_IF_ERROR(ctx.journal.SetAccountId(key, Str(who, "Account")));
      ctx.session.SetAccountId(key, Str(who, "Account"));
    }
    if (!ctx.session.AccountId(key)) {
      if (ctx.twin == nullptr) return Manual(SignUpInstructions(account, profile));
      OT_ASSIGN_OR_RETURN(SignedUp signed_up, ctx.twin->SignUp(account, profile));
      const std::string& id = signed_up.account_id;
      OT_RETURN_IF_ERROR(ctx.journal.SetAccountId(key, id));
      ctx.session.SetAccountId(key, id);
      note.append(signed_up.recovered ? "recovered the root user of `" : "signed up `")
          .append(key)
          .append(signed_up.recovered ? "`, " : "` as ")
          .append(id)
          .append(signed_up.recovered
                      ? ", signed up by a stopped run (password reset by email, root sign-in, "
                        "a new root access key); "
                      : " on the twin (extension SignUp); ");
    }
    // Checked: the owner's profile acts in the new account.
    OT_ASSIGN_OR_RETURN(json::object who,
                        ctx.session.Require(owner, key, "sts", "GetCallerIdentity"));
    const std::string id = *ctx.session.AccountId(key);
    if (Str(who, "Account") != id) return WrongAccount(profile, Str(who, "Account"), key, id);
    note.append("`").append(key).append("` is ").append(id).append(", reached with profile `");
    note.append(profile).append("`");
  }
  if (note.empty()) note = "every account of the file exists already: nothing to create";
  return Done(note);
}

// The ID of the member of the organization whose email is `email`, or "".
Result<std::string> MemberWithEmail(const Structure& s, TaskContext& ctx,
                                    const std::string& email) {
  auto pages = ctx.session.AllPages(Admin(s), Management(s), "organizations", "ListAccounts");
  if (!pages.ok()) {
    return ctx.session.Require(Admin(s), Management(s), "organizations", "ListAccounts").status();
  }
  for (const json::object& page : *pages) {
    for (const json::value& account : page.at("Accounts").as_array()) {
      if (Str(account.as_object(), "Email") == email) return Str(account.as_object(), "Id");
    }
  }
  return std::string();
}

// CreateAccount, then DescribeCreateAccountStatus until it is no longer IN_PROGRESS (AWS takes
// a few minutes at most; the twin answers at once).
Result<std::string> CreateMember(const Structure& s, TaskContext& ctx, const Account& account) {
  OT_ASSIGN_OR_RETURN(
      json::object started,
      ctx.session.Require(Admin(s), Management(s), "organizations", "CreateAccount",
                          {{"Email", account.email}, {"AccountName", account.name}}));
  const std::string request_id = Str(started.at("CreateAccountStatus").as_object(), "Id");
  OT_ASSIGN_OR_RETURN(
      std::string account_id,
      steps::WaitFor(120, std::chrono::seconds(5), [&]() -> Result<std::string> {  // 10 minutes
        OT_ASSIGN_OR_RETURN(json::object described,
                            ctx.session.Require(Admin(s), Management(s), "organizations",
                                                "DescribeCreateAccountStatus",
                                                {{"CreateAccountRequestId", request_id}}));
        const json::object& status = described.at("CreateAccountStatus").as_object();
        const std::string state = Str(status, "State");
        if (state == "FAILED") {
          return InvalidInputError("CreateAccount for `" + account.key +
                                   "` failed: " + Str(status, "FailureReason"));
        }
        return state == "SUCCEEDED" ? Str(status, "AccountId") : std::string();
      }));
  if (account_id.empty()) {
    return UnavailableError("CreateAccount for `" + account.key + "` still in progress after " +
                            "10 minutes; run the playbook again to go on waiting");
  }
  return account_id;
}

Result<TaskOutcome> CreateMemberAccounts(const Structure& s, TaskContext& ctx) {
  std::string note;
  for (const std::string& key : steps::NewMembers(s)) {
    const Account& account = s.accounts.at(key);
    std::string verb = "is";
    if (!ctx.session.AccountId(key)) {
      // A run that stopped after CreateAccount finds the account by its email.
      OT_ASSIGN_OR_RETURN(std::string id, MemberWithEmail(s, ctx, account.email));
      verb = "was created earlier as";
      if (id.empty()) {
        OT_ASSIGN_OR_RETURN(id, CreateMember(s, ctx, account));
        verb = "created as";
      }
      OT_RETURN_IF_ERROR(ctx.journal.SetAccountId(key, id));
      ctx.session.SetAccountId(key, id);
    }
    note.append(note.empty() ? "" : "\n").append("`").append(key).append("` ").append(verb);
    note.append(" ").append(*ctx.session.AccountId(key));
  }
  return Done(note.empty() ? "no new member account in the file" : note);
}

Result<TaskOutcome> AddPaymentDetails(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& profile = s.ProfileFor(*s.FindParty(OwnerOf(s, payer)), payer);
  if (ctx.twin == nullptr) {
    return Manual("Add the payment method on the Billing console's Payment preferences page of `" +
                  payer + "` (no API)");
  }
  OT_RETURN_IF_ERROR(ctx.twin->AddPaymentMethod(profile));
  return Done("payment method added with the root user's keys (twin extension)");
}

// The party the file's custody gives the root user's MFA device of `account` ("" when it names
// none).
std::string RootMfaHolder(const Structure& s, const std::string& account) {
  auto custody = s.custody.find(account);
  if (custody == s.custody.end()) return "";
  auto mfa = custody->second.held.find(structure::RootFactor::kRootMfa);
  return mfa == custody->second.held.end() ? "" : mfa->second.value;
}

// Who else a root sign-in to `account` by `owner` needs, from the file's custody: the holder of
// the root user's MFA device when that is another party ("" when the owner holds every factor).
std::string RootSignInCooperation(const Structure& s, const std::string& account,
                                  const std::string& owner) {
  const std::string holder = RootMfaHolder(s, account);
  if (holder.empty() || holder == owner) return "";
  return holder + ": holds the root user's MFA device";
}

// Part I step 3: the payer's root user gets an MFA device, which the custody's holder (the
// customer, in the seed) keeps: the partner signs in with the password it holds, the holder
// registers the device on its own authenticator and reads the two codes. From then on neither
// party signs in as root alone.
Result<TaskOutcome> EnableRootMfa(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& owner = OwnerOf(s, payer);
  std::string holder = RootMfaHolder(s, payer);
  if (holder.empty()) holder = owner;
  OT_ASSIGN_OR_RETURN(json::object summary,
                      ctx.session.Require(owner, payer, "iam", "GetAccountSummary"));
  const json::object& counts = summary.at("SummaryMap").as_object();
  if (const json::value* mfa = counts.if_contains("AccountMFAEnabled");
      mfa != nullptr && mfa->is_int64() && mfa->as_int64() == 1) {
    return Done("the root user of `" + payer + "` already has an MFA device");
  }
  if (ctx.twin == nullptr) {
    return Manual("Sign in to `" + payer + "` as its root user (" + owner +
                  ": the password); under Security credentials, Assign MFA device: " + holder +
                  " registers a virtual device on its own authenticator and enters two "
                  "consecutive codes (no API for the root user's MFA)");
  }
  OT_ASSIGN_OR_RETURN(std::string serial, ctx.twin->EnableRootMfa(ctx.session, owner, payer));
  return Done("virtual MFA device " + serial + " protects the root user of `" + payer +
              "`; its seed is with " + holder + " (twin: " + ctx.twin->files().mfa_devices + ")");
}

// A signed-up payer starts with IAM user and role access to billing off: the partner's billing
// role (I.7) sees nothing until the payer's root user activates it, a root-only task with no API.
// Under the seed's custody that sign-in takes both parties: the password of one, the MFA code of
// the other.
Result<TaskOutcome> ActivateBillingAccess(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& profile = s.ProfileFor(*s.FindParty(OwnerOf(s, payer)), payer);
  if (ctx.twin == nullptr) {
    return Manual("Sign in to `" + payer +
                  "` as its root user; on the Account page, under IAM user and role access to "
                  "Billing information, choose Edit, Activate IAM Access, Update (no API)");
  }
  OT_RETURN_IF_ERROR(ctx.twin->ActivateBillingAccess(profile));
  return Done("IAM user and role access to billing activated in `" + payer +
              "` with the root user's keys (twin extension)");
}

Result<TaskOutcome> ConfirmDemographics(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  auto found = ctx.session.Call(OwnerOf(s, payer), payer, "account", "GetContactInformation");
  if (found.ok()) {
    const json::object& info = found->at("ContactInformation").as_object();
    return Done("contact information present: " + Str(info, "FullName") + ", " + Str(info, "City") +
                " " + Str(info, "CountryCode"));
  }
  return Manual(
      "Set the address and phone of `" + payer +
      "` on the Account page (or account put-contact-information): " + found.error().ToString());
}

Result<TaskOutcome> ApplyPartnerIam(const Structure& s, TaskContext& ctx, bool customer_roles) {
  const std::string& payer = Management(s);
  const std::set<std::string> customer = RolesForOtherParties(s);
  Scope scope = OnlyParts(Scope::kIam);
  scope.accounts = {payer};
  if (auto iam = s.iam.find(payer); iam != s.iam.end()) {
    for (const structure::Role& role : iam->second.roles) {
      if ((customer.count(role.name) != 0) == customer_roles) scope.roles.insert(role.name);
    }
  }
  if (customer_roles) {
    if (scope.roles.empty()) return Done("no role for another party in the payer");
    return ApplySlice(ctx.session, scope);
  }
  // Step 7: the owner's own roles in the payer, then its IAM in its other accounts.
  std::string note;
  if (!scope.roles.empty()) {
    OT_ASSIGN_OR_RETURN(TaskOutcome outcome, ApplySlice(ctx.session, scope));
    note = outcome.note;
  }
  for (const auto& [key, iam] : s.iam) {
    if (key == payer || OwnerOf(s, key) != OwnerOf(s, payer)) continue;
    Scope other = OnlyParts(Scope::kIam);
    other.accounts = {key};
    OT_ASSIGN_OR_RETURN(TaskOutcome outcome, ApplySlice(ctx.session, other));
    note += (note.empty() ? "" : "\n") + ("`" + key + "`: ") + outcome.note;
  }
  if (note.empty()) note = "no role of the payer's owner in the file: nothing to create";
  return Done(note);
}

Result<TaskOutcome> ApplyCustomerIam(const Structure& s, TaskContext& ctx) {
  const std::string& admin = Admin(s);
  std::string note;
  for (const auto& [key, iam] : s.iam) {
    if (OwnerOf(s, key) != admin) continue;
    Scope scope = OnlyParts(Scope::kIam);
    scope.accounts = {key};
    OT_ASSIGN_OR_RETURN(TaskOutcome outcome, ApplySlice(ctx.session, scope));
    note += (note.empty() ? "" : "\n") + ("`" + key + "`: ") + outcome.note;
  }
  // The user's way into the payer: an access key, an MFA device, a role profile.
  for (const RoleAccess& access : RoleAccesses(s)) {
    OT_ASSIGN_OR_RETURN(std::string id, IdOf(ctx.session, access.account));
    const std::string arn = RoleArn(id, *access.role);
    if (ctx.twin == nullptr) {
      auto who = ctx.session.Call(access.party, access.account, "sts", "GetCallerIdentity");
      if (!who.ok()) {
        return Manual("Give user " + access.user + " in `" + access.user_account +
                      "` an access key" +
                      (access.role->trust.require_mfa ? " and an MFA device" : "") +
                      ", and make profile `" + access.profile +
                      "` a role profile: role_arn = " + arn + ", source_profile = the user's keys" +
                      (access.role->trust.require_mfa ? ", mfa_serial = its device" : "") +
                      "; then run again (" + who.error().ToString() + ")");
      }
    } else if (!ctx.twin->HasProfile(access.profile)) {
      OT_RETURN_IF_ERROR(ctx.twin->ProvisionRoleProfile(
          ctx.session, access.party, access.user_account, access.user, arn,
          access.role->trust.require_mfa, access.profile));
      ctx.session.ForgetCredentials();
      note += "\nprofile `" + access.profile + "`: user " + access.user + " assumes " + arn +
              (access.role->trust.require_mfa ? " with a virtual MFA device" : "") + " (twin)";
    }
  }
  if (note.empty()) {
    note = "no IAM of `" + admin +
           "` and no role it assumes in another party's account: " + "nothing to create";
  }
  return Done(note);
}

Result<TaskOutcome> ConfirmNoBilling(const Structure& s, TaskContext& ctx) {
  static const std::vector<std::string> kBilling = {
      "aws-portal:ViewBilling", "aws-portal:ModifyBilling", "invoicing:GetInvoicePDF",
      "billing:GetBillingData", "ce:GetCostAndUsage",       "payments:ListPaymentInstruments"};
  std::string note;
  for (const RoleAccess& access : RoleAccesses(s)) {
    // The party really gets in through the role...
    OT_ASSIGN_OR_RETURN(json::object who, ctx.session.Require(access.party, access.account, "sts",
                                                              "GetCallerIdentity"));
    const std::string arn = Str(who, "Arn");
    if (arn.find(":assumed-role/" + access.role->name + "/") == std::string::npos) {
      return InvalidInputError("profile `" + access.profile + "` acts as " + arn +
                               ", not through role " + access.role->name);
    }
    // ...and the role is denied every billing action. The role itself has no IAM read, so the
    // account's owner asks IAM's policy simulator.
    OT_ASSIGN_OR_RETURN(std::string id, IdOf(ctx.session, access.account));
    json::array actions;
    for (const std::string& action : kBilling) actions.emplace_back(action);
    OT_ASSIGN_OR_RETURN(
        json::object simulated,
        ctx.session.Require(
            OwnerOf(s, access.account), access.account, "iam", "SimulatePrincipalPolicy",
            {{"PolicySourceArn", RoleArn(id, *access.role)}, {"ActionNames", std::move(actions)}}));
    for (const json::value& result : simulated["EvaluationResults"].as_array()) {
      if (Str(result.as_object(), "EvalDecision") == "allowed") {
        return InvalidInputError("role " + access.role->name + " is allowed " +
                                 Str(result.as_object(), "EvalActionName") +
                                 ": the seed wants it without billing access");
      }
    }
    note += (note.empty() ? "" : "\n") + ("`" + access.party + "` signs in as " + arn + "; ") +
            std::to_string(kBilling.size()) + " billing actions denied to role " +
            access.role->name;
  }
  // With one party (an imported organization) nobody acts in another's account: the seed's
  // question -- can the customer's role see the bill? -- has no role to ask about.
  if (note.empty()) note = "no party acts in another's account through a role: nothing to check";
  return Done(note);
}

// The management accounts of the organizations the movers leave (their `starts_in`).
std::set<std::string> OldManagements(const Structure& s) {
  std::set<std::string> out;
  for (const std::string& mover : Movers(s)) {
    const Account& account = s.accounts.at(mover);
    if (account.starts_in) out.insert(account.starts_in->value);
  }
  return out;
}

// Part III step 8: the members' billing history stays with the payer they leave, so its
// invoices (which bill the members' usage) are archived first, as its owner, through invoicing.
Result<TaskOutcome> ArchiveMemberInvoices(const Structure& s, TaskContext& ctx) {
  std::string note;
  for (const std::string& old_management : OldManagements(s)) {
    OT_ASSIGN_OR_RETURN(std::string archived, steps::ArchivePayerInvoices(
                                                  ctx, OwnerOf(s, old_management), old_management));
    note.append(note.empty() ? "" : "\n").append(archived);
  }
  return Done(note.empty() ? "no member leaves an organization: nothing to archive" : note);
}

// III.9's precondition: every old payer's invoices are archived (III.8), files intact.
Status InvoicesArchived(const Structure& s, TaskContext& ctx) {
  for (const std::string& old_management : OldManagements(s)) {
    OT_RETURN_IF_ERROR(steps::RequireInvoiceArchive(ctx, old_management, "III.8"));
  }
  return Status::Ok();
}

Result<TaskOutcome> LeaveOldOrganizations(const Structure& s, TaskContext& ctx) {
  std::string note;
  for (const std::string& mover : Movers(s)) {
    const Account& account = s.accounts.at(mover);
    if (!account.starts_in) continue;
    const std::string& old_management = account.starts_in->value;
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(ctx.session, account.owner.value, mover));
    OT_ASSIGN_OR_RETURN(std::string old_id, IdOf(ctx.session, old_management));
    OT_ASSIGN_OR_RETURN(std::string member_id, IdOf(ctx.session, mover));
    if (org && org->master_id == old_id) {
      OT_RETURN_IF_ERROR(ctx.session
                             .Require(OwnerOf(s, old_management), old_management, "organizations",
                                      "RemoveAccountFromOrganization", {{"AccountId", member_id}})
                             .status());
      note.append(note.empty() ? "`" : "\n`").append(mover);
      note.append("` removed from the organization of `");
    } else {
      note.append(note.empty() ? "`" : "\n`").append(mover);
      note.append("` is not in the organization of `");
    }
    note.append(old_management).append("`");
  }
  return Done(note);
}

Result<TaskOutcome> Invite(const Structure& s, TaskContext& ctx) {
  return steps::InviteInto(ctx.session, Admin(s), Management(s), Movers(s));
}

Result<TaskOutcome> Accept(const Structure& s, TaskContext& ctx) {
  return steps::AcceptFrom(ctx.session, Management(s), Movers(s));
}

Status MoversHaveLeft(const Structure& s, TaskContext& ctx) {
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, Management(s)));
  for (const std::string& mover : Movers(s)) {
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(ctx.session, OwnerOf(s, mover), mover));
    if (org && org->master_id != payer_id) {
      return InvalidInputError("`" + mover + "` is still in organization " + org->id +
                               " (task III.9)");
    }
  }
  return Status::Ok();
}

// What III.7 builds in an account (names the seed leaves open).
constexpr char kAlertTrail[] = "organization-trail";
constexpr char kAlertTopic[] = "root-login-alerts";
constexpr char kAlertRule[] = "root-login-alerts";

// The event pattern of a root user's console sign-in, as CloudTrail sends it to EventBridge.
const char* RootSignInPattern() {
  return R"({"detail-type":["AWS Console Sign In via CloudTrail"],)"
         R"("detail":{"userIdentity":{"type":["Root"]}}})";
}

// Part III step 7: a root login alerts both parties. On AWS that is CloudTrail recording the
// sign-in (a trail that is logging; the organization's trail in the management account), an
// EventBridge rule on the account's default bus matching it, and an SNS topic that mails each
// party's alert addresses. The task's owner builds it in each account the file's `alerts` name,
// through its own access; every step is idempotent, so a resumed rehearsal converges.
Result<TaskOutcome> AlertOnRootLogins(const Structure& s, TaskContext& ctx) {
  Session& session = ctx.session;
  const std::string& actor = Admin(s);
  std::vector<std::string> notes;
  std::vector<std::string> to_confirm;
  for (const structure::AlertRule& rule : s.alerts) {
    if (rule.event != structure::AlertEvent::kRootLogin) continue;
    const std::string& account = rule.account.value;
    OT_ASSIGN_OR_RETURN(std::string account_id, IdOf(session, account));
    // The topic, which EventBridge may publish to.
    OT_ASSIGN_OR_RETURN(json::object topic, session.Require(actor, account, "sns", "CreateTopic",
                                                            {{"Name", kAlertTopic}}));
    const std::string topic_arn = Str(topic, "TopicArn");
    // Each notified party's alert addresses, by mail, first: the confirmation mails are on
    // their way while the rest is built.
    std::vector<std::pair<std::string, std::string>> addresses;  // party, address
    for (const structure::LocatedString& party : rule.notify) {
      const structure::Party* p = s.FindParty(party.value);
      if (p == nullptr) continue;
      for (const structure::LocatedString& address : p->alert_emails) {
        addresses.emplace_back(party.value, address.value);
        OT_RETURN_IF_ERROR(
            session
                .Require(
                    actor, account, "sns", "Subscribe",
                    {{"TopicArn", topic_arn}, {"Protocol", "email"}, {"Endpoint", address.value}})
                .status());
      }
    }
    const json::object policy{
        {"Version", "2012-10-17"},
        {"Statement",
         json::array{json::object{{"Sid", "EventBridgePublishes"},
                                  {"Effect", "Allow"},
                                  {"Principal", json::object{{"Service", "events.amazonaws.com"}}},
                                  {"Action", "sns:Publish"},
                                  {"Resource", topic_arn}}}}};
    OT_RETURN_IF_ERROR(session
                           .Require(actor, account, "sns", "SetTopicAttributes",
                                    {{"TopicArn", topic_arn},
                                     {"AttributeName", "Policy"},
                                     {"AttributeValue", json::serialize(policy)}})
                           .status());
    // The trail: the organization's, from the management account (CloudTrail needs its trusted
    // access), else the account's own.
    const bool organization_trail = s.organization.has_value() && account == Management(s);
    if (organization_trail) {
      OT_RETURN_IF_ERROR(session
                             .Require(actor, account, "organizations", "EnableAWSServiceAccess",
                                      {{"ServicePrincipal", "cloudtrail.amazonaws.com"}})
                             .status());
    }
    auto trail = session.Call(actor, account, "cloudtrail", "GetTrail", {{"Name", kAlertTrail}});
    if (!trail.ok()) {
      if (trail.error().code != "TrailNotFoundException") {
        return InvalidInputError("reading trail " + std::string(kAlertTrail) + " in `" + account +
                                 "`: " + trail.error().ToString());
      }
      // AWS-COMPAT: the twin has no S3; on AWS the bucket must exist, with CloudTrail's bucket
      // policy, before the trail is created.
      OT_RETURN_IF_ERROR(session
                             .Require(actor, account, "cloudtrail", "CreateTrail",
                                      {{"Name", kAlertTrail},
                                       {"S3BucketName", "aws-cloudtrail-logs-" + account_id},
                                       {"IsMultiRegionTrail", true},
                                       {"IsOrganizationTrail", organization_trail}})
                             .status());
    }
    OT_RETURN_IF_ERROR(
        session.Require(actor, account, "cloudtrail", "StartLogging", {{"Name", kAlertTrail}})
            .status());
    // The rule and its target.
    OT_RETURN_IF_ERROR(session
                           .Require(actor, account, "events", "PutRule",
                                    {{"Name", kAlertRule},
                                     {"EventPattern", RootSignInPattern()},
                                     {"State", "ENABLED"},
                                     {"Description", "A root user signed in: alert every party"}})
                           .status());
    OT_RETURN_IF_ERROR(
        session
            .Require(actor, account, "events", "PutTargets",
                     {{"Rule", kAlertRule},
                      {"Targets", json::array{json::object{{"Id", "alerts"}, {"Arn", topic_arn}}}}})
            .status());
    // A subscription mails its address a link; until someone follows it, nothing is delivered.
    // On a twin the assist reads each mailbox and follows the link, as the party would.
    OT_ASSIGN_OR_RETURN(json::object listed,
                        session.Require(actor, account, "sns", "ListSubscriptionsByTopic",
                                        {{"TopicArn", topic_arn}}));
    for (const auto& pending_entry : addresses) {
      const std::string& party = pending_entry.first;
      const std::string& address = pending_entry.second;
      bool pending = false;
      for (const json::value& sub : listed["Subscriptions"].as_array()) {
        const json::object& o = sub.as_object();
        if (Str(o, "Endpoint") == address) {
          pending = Str(o, "SubscriptionArn") == "PendingConfirmation";
        }
      }
      if (!pending) continue;
      std::string token;
      if (ctx.twin != nullptr) {  // the twin's worker mails it within its poll interval
        OT_ASSIGN_OR_RETURN(token, steps::WaitFor(50, std::chrono::milliseconds(100), [&] {
                              return ctx.twin->SubscriptionToken(address, party, topic_arn);
                            }));
      }
      if (token.empty()) {
        std::string pending_address = address;
        pending_address.append(" (").append(party).append(")");
        to_confirm.push_back(std::move(pending_address));
        continue;
      }
      OT_RETURN_IF_ERROR(session
                             .Require(actor, account, "sns", "ConfirmSubscription",
                                      {{"TopicArn", topic_arn}, {"Token", token}})
                             .status());
    }
    std::string who;
    for (const auto& [party, address] : addresses) who += (who.empty() ? "" : ", ") + address;
    notes.push_back("`" + account + "`: " + (organization_trail ? "organization " : "") + "trail " +
                    kAlertTrail + " logging; rule " + kAlertRule +
                    " sends root sign-ins to topic " + kAlertTopic + ", which mails " +
                    (who.empty() ? "nobody" : who));
  }
  std::string note;
  for (const std::string& n : notes) note += (note.empty() ? "" : "\n") + n;
  if (note.empty()) note = "the file names no root-login alerts";
  if (!to_confirm.empty()) {
    std::string list;
    for (const std::string& a : to_confirm) list += (list.empty() ? "" : ", ") + a;
    return Manual(note + "\nFollow the confirmation link SNS mailed to " + list);
  }
  return Done(note);
}

// The payer's organization of a file whose management account exists already (one `orgtwin
// import` wrote): it exists before the transfer too, created by its management account with the
// file's feature set, and with the placed accounts that do not come from another organization
// (`starts_in`) as members, each invited and accepting as its owner. What the playbook builds
// on top -- OUs, policies, placements, IAM -- it then finds partly done or builds itself.
Status CreateExistingOrganization(Session& session) {
  const Structure& s = session.structure();
  const std::string& management = Management(s);
  const std::string& owner = OwnerOf(s, management);
  OT_ASSIGN_OR_RETURN(auto org, OrgOf(session, owner, management));
  if (!org) {
    OT_RETURN_IF_ERROR(session
                           .Require(owner, management, "organizations", "CreateOrganization",
                                    {{"FeatureSet", structure::FeatureSetName(Org(s).feature_set)}})
                           .status());
  }
  OT_ASSIGN_OR_RETURN(std::string management_id, IdOf(session, management));
  for (const std::string& member : Movers(s)) {
    const Account& account = s.accounts.at(member);
    if (account.starts_in) continue;  // joins through the playbook (III.9-III.11)
    OT_ASSIGN_OR_RETURN(auto member_org, OrgOf(session, account.owner.value, member));
    if (member_org) continue;
    OT_ASSIGN_OR_RETURN(std::string id, IdOf(session, member));
    // An invitation sent by a rehearsal that stopped before the member accepted is accepted now
    // rather than sent again (Organizations refuses a second open one).
    OT_ASSIGN_OR_RETURN(std::string handshake_id,
                        steps::OpenInvitation(session, account.owner.value, member, management_id));
    if (handshake_id.empty()) {
      OT_ASSIGN_OR_RETURN(
          json::object invited,
          session.Require(owner, management, "organizations", "InviteAccountToOrganization",
                          {{"Target", json::object{{"Type", "ACCOUNT"}, {"Id", id}}}}));
      handshake_id = Str(invited.at("Handshake").as_object(), "Id");
    }
    OT_RETURN_IF_ERROR(session
                           .Require(account.owner.value, member, "organizations", "AcceptHandshake",
                                    {{"HandshakeId", handshake_id}})
                           .status());
  }
  return Status::Ok();
}

}  // namespace

Playbook TransferPlaybook(const Structure& s) {
  const std::string partner = OwnerOf(s, Management(s));
  const std::string customer = Admin(s);
  // Where the member accounts' owner differs, the tasks name the first of them.
  std::string members_owner = customer;
  if (auto movers = Movers(s); !movers.empty()) members_owner = OwnerOf(s, movers.front());
  const Structure* p = &s;
  auto slice = [](unsigned parts) {
    return [parts](TaskContext& ctx) { return ApplySlice(ctx.session, OnlyParts(parts)); };
  };
  Playbook book{"transfer", {}};
  auto add = [&](std::string id, std::string title, std::string owner,
                 std::function<Result<TaskOutcome>(TaskContext&)> action,
                 std::function<Status(TaskContext&)> precondition = {},
                 std::string waits_for = {}) {
    book.tasks.push_back({std::move(id), std::move(title), std::move(owner), "",
                          std::move(waits_for), std::move(precondition), std::move(action)});
  };
  // Part I: the partner sets up the new master payer.
  add("I.1", "Create the master payer account", partner,
      [p](TaskContext& ctx) { return CreateAccounts(*p, ctx); });
  add("I.2", "Add the payment details", partner,
      [p](TaskContext& ctx) { return AddPaymentDetails(*p, ctx); });
  add("I.3", "Enable MFA on the payer's root user", partner,
      [p](TaskContext& ctx) { return EnableRootMfa(*p, ctx); });
  book.tasks.back().cooperates = RootSignInCooperation(s, Management(s), partner);
  add("I.4", "Set the alternate contacts", partner, [p](TaskContext& ctx) {
    Scope scope = OnlyParts(Scope::kContacts);
    scope.accounts = {Management(*p)};
    return ApplySlice(ctx.session, scope);
  });
  add("I.5", "Update the payer's address and contact details", partner,
      [p](TaskContext& ctx) { return ConfirmDemographics(*p, ctx); });
  add("I.6", "Create the customer's role in the payer", partner,
      [p](TaskContext& ctx) { return ApplyPartnerIam(*p, ctx, true); });
  add("I.7", "Create the partner's billing role and users", partner,
      [p](TaskContext& ctx) { return ApplyPartnerIam(*p, ctx, false); });
  add("I.8", "Activate IAM user and role access to billing", partner,
      [p](TaskContext& ctx) { return ActivateBillingAccess(*p, ctx); });
  book.tasks.back().cooperates = RootSignInCooperation(s, Management(s), partner);
  // Part II: the customer's way into the payer.
  add("II.1", "Create the customer's user that assumes its role", customer,
      [p](TaskContext& ctx) { return ApplyCustomerIam(*p, ctx); });
  add("II.2", "Confirm the role has no billing access", customer,
      [p](TaskContext& ctx) { return ConfirmNoBilling(*p, ctx); });
  // Part III: the organization, built by the customer through its role.
  add("III.1", "Create the organization in the payer", customer, slice(Scope::kCreateOrganization));
  add("III.2", "Create the organizational units", customer, slice(Scope::kUnits));
  add("III.3", "Enable the policy types", customer, slice(Scope::kPolicyTypes));
  add("III.4", "Create the new member accounts", customer,
      [p](TaskContext& ctx) { return CreateMemberAccounts(*p, ctx); });
  add("III.5", "Copy the customer's policies and attach them", customer, slice(Scope::kPolicies));
  add("III.6", "Install the customer's security software in the payer", customer,
      [](TaskContext&) -> Result<TaskOutcome> {
        return Manual(
            "Install the same security tooling the customer runs in its own "
            "management account (no API to check)");
      });
  add("III.7", "Alert both parties on any root login", customer,
      [p](TaskContext& ctx) { return AlertOnRootLogins(*p, ctx); });
  add("III.8", "Archive the members' invoices", members_owner,
      [p](TaskContext& ctx) { return ArchiveMemberInvoices(*p, ctx); });
  add(
      "III.9", "Remove the members from the old organization", members_owner,
      [p](TaskContext& ctx) { return LeaveOldOrganizations(*p, ctx); },
      [p](TaskContext& ctx) { return InvoicesArchived(*p, ctx); });
  add(
      "III.10", "Invite the members into the payer's organization", customer,
      [p](TaskContext& ctx) { return Invite(*p, ctx); },
      [p](TaskContext& ctx) { return MoversHaveLeft(*p, ctx); });
  add("III.11", "Accept the invitations", members_owner,
      [p](TaskContext& ctx) { return Accept(*p, ctx); });
  add("III.12", "Move the members to their OUs", customer, slice(Scope::kPlacements));
  return book;
}

Status CreateStartingWorld(Session& session, TwinAssist& twin, bool transfer_begun) {
  const Structure& s = session.structure();
  // The accounts that exist before the transfer, with the IDs the file gives them.
  for (const auto& [key, account] : s.accounts) {
    if (account.ToBeCreated()) continue;
    const std::string& profile = s.ProfileFor(*s.FindParty(account.owner.value), key);
    if (twin.HasProfile(profile)) continue;
    OT_RETURN_IF_ERROR(twin.SignUp(account, profile).status());
  }
  session.ForgetCredentials();
  // Each `starts_in` organization: created by its management account, with the policies the
  // payer copies from it and the members the payer takes over.
  std::set<std::string> old_managements;
  for (const auto& [key, account] : s.accounts) {
    if (account.starts_in) old_managements.insert(account.starts_in->value);
  }
  for (const std::string& management : old_managements) {
    const std::string& owner = OwnerOf(s, management);
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(session, owner, management));
    if (!org) {
      OT_RETURN_IF_ERROR(session
                             .Require(owner, management, "organizations", "CreateOrganization",
                                      {{"FeatureSet", "ALL"}})
                             .status());
    }
    OT_ASSIGN_OR_RETURN(json::object roots,
                        session.Require(owner, management, "organizations", "ListRoots"));
    const json::object& root = roots.at("Roots").as_array().front().as_object();
    const std::string root_id = Str(root, "Id");
    std::set<std::string> enabled;
    for (const json::value& type : root.at("PolicyTypes").as_array()) {
      if (Str(type.as_object(), "Status") == "ENABLED")
        enabled.insert(Str(type.as_object(), "Type"));
    }
    if (s.organization) {
      for (const structure::OrganizationPolicy& policy : s.organization->policies) {
        if (!policy.copy_from || policy.copy_from->value != management) continue;
        const std::string type(PolicyTypeName(policy.type));
        if (enabled.insert(type).second) {
          OT_RETURN_IF_ERROR(session
                                 .Require(owner, management, "organizations", "EnablePolicyType",
                                          {{"RootId", root_id}, {"PolicyType", type}})
                                 .status());
        }
        OT_ASSIGN_OR_RETURN(json::object listed,
                            session.Require(owner, management, "organizations", "ListPolicies",
                                            {{"Filter", type}}));
        bool exists = false;
        for (const json::value& summary : listed.at("Policies").as_array()) {
          exists = exists || Str(summary.as_object(), "Name") == policy.name;
        }
        if (exists) continue;
        OT_ASSIGN_OR_RETURN(json::object created,
                            session.Require(owner, management, "organizations", "CreatePolicy",
                                            {{"Name", policy.name},
                                             {"Description", policy.description},
                                             {"Type", type},
                                             {"Content", policy.content}}));
        const std::string policy_id =
            Str(created.at("Policy").at("PolicySummary").as_object(), "Id");
        OT_RETURN_IF_ERROR(session
                               .Require(owner, management, "organizations", "AttachPolicy",
                                        {{"PolicyId", policy_id}, {"TargetId", root_id}})
                               .status());
      }
    }
    for (const auto& [key, account] : s.accounts) {
      if (!account.starts_in || account.starts_in->value != management) continue;
      if (transfer_begun) continue;  // the members' moves belong to the playbook now
      OT_ASSIGN_OR_RETURN(auto member_org, OrgOf(session, account.owner.value, key));
      if (member_org) continue;
      OT_ASSIGN_OR_RETURN(std::string id, IdOf(session, key));
      OT_ASSIGN_OR_RETURN(
          json::object invited,
          session.Require(owner, management, "organizations", "InviteAccountToOrganization",
                          {{"Target", json::object{{"Type", "ACCOUNT"}, {"Id", id}}}}));
      OT_RETURN_IF_ERROR(
          session
              .Require(account.owner.value, key, "organizations", "AcceptHandshake",
                       {{"HandshakeId", Str(invited.at("Handshake").as_object(), "Id")}})
              .status());
    }
  }
  if (s.organization && !s.accounts.at(Management(s)).ToBeCreated()) {
    OT_RETURN_IF_ERROR(CreateExistingOrganization(session));
  }
  return Status::Ok();
}

}  // namespace orgtwin::playbook
