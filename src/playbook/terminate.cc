// The terminate playbook (playbook/transfer.h): the customer takes everything back.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "playbook/steps.h"
#include "playbook/transfer.h"

namespace orgtwin::playbook {
namespace {

namespace json = boost::json;
using steps::Admin;
using steps::Done;
using steps::IdOf;
using steps::Management;
using steps::Manual;
using steps::Movers;
using steps::OrgOf;
using steps::OwnerOf;
using steps::Str;
using structure::Session;
using structure::Structure;

// The moving accounts grouped by the organization they return to (its management account).
std::map<std::string, std::vector<std::string>> ReturnsTo(const Structure& s) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const std::string& mover : Movers(s)) {
    const structure::Account& account = s.accounts.at(mover);
    if (account.starts_in) groups[account.starts_in->value].push_back(mover);
  }
  return groups;
}

// T.1: the members' usage while they were in the payer's organization is billed on the payer's
// invoices, which stay with the payer: its owner archives them for the customer before the
// members leave.
Result<TaskOutcome> ArchivePayerInvoices(const Structure& s, TaskContext& ctx) {
  OT_ASSIGN_OR_RETURN(std::string archived,
                      steps::ArchivePayerInvoices(ctx, OwnerOf(s, Management(s)), Management(s)));
  return Done(archived);
}

Result<TaskOutcome> LeavePayer(const Structure& s, TaskContext& ctx) {
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, Management(s)));
  std::string note;
  for (const std::string& mover : Movers(s)) {
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(ctx.session, OwnerOf(s, mover), mover));
    OT_ASSIGN_OR_RETURN(std::string id, IdOf(ctx.session, mover));
    if (org && org->master_id == payer_id) {
      OT_RETURN_IF_ERROR(ctx.session
                             .Require(Admin(s), Management(s), "organizations",
                                      "RemoveAccountFromOrganization", {{"AccountId", id}})
                             .status());
      note.append(note.empty() ? "" : "\n").append("`").append(mover).append("` removed");
    } else {
      note.append(note.empty() ? "" : "\n").append("`").append(mover).append("` is not a member");
    }
  }
  return Done(note);
}

Status LeftPayer(const Structure& s, TaskContext& ctx) {
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, Management(s)));
  for (const std::string& mover : Movers(s)) {
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(ctx.session, OwnerOf(s, mover), mover));
    if (org && org->master_id == payer_id) {
      return InvalidInputError("`" + mover + "` is still in the payer's organization (task T.2)");
    }
  }
  return Status::Ok();
}

Result<TaskOutcome> InviteBack(const Structure& s, TaskContext& ctx) {
  std::string note;
  for (const auto& [management, accounts] : ReturnsTo(s)) {
    OT_ASSIGN_OR_RETURN(TaskOutcome invited, steps::InviteInto(ctx.session, OwnerOf(s, management),
                                                               management, accounts));
    note.append(note.empty() ? "" : "\n").append(invited.note);
  }
  return Done(note.empty() ? "no account returns to an organization" : note);
}

Result<TaskOutcome> AcceptBack(const Structure& s, TaskContext& ctx) {
  std::string note;
  for (const auto& [management, accounts] : ReturnsTo(s)) {
    OT_ASSIGN_OR_RETURN(TaskOutcome accepted, steps::AcceptFrom(ctx.session, management, accounts));
    note.append(note.empty() ? "" : "\n").append(accepted.note);
  }
  return Done(note.empty() ? "no account returns to an organization" : note);
}

// The payer's billing contact becomes the organization's administrator's (the customer's), or
// goes when that party has none.
Result<TaskOutcome> ReturnBillingContact(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& owner = OwnerOf(s, payer);
  const structure::Party& customer = *s.FindParty(Admin(s));
  auto contact = customer.contacts.find(structure::ContactType::kBilling);
  if (contact == customer.contacts.end()) {
    auto deleted = ctx.session.Call(owner, payer, "account", "DeleteAlternateContact",
                                    {{"AlternateContactType", "BILLING"}});
    if (!deleted.ok() && deleted.error().code != "ResourceNotFoundException") {
      return ctx.session
          .Require(owner, payer, "account", "DeleteAlternateContact",
                   {{"AlternateContactType", "BILLING"}})
          .status();
    }
    return Done("the partner's billing contact removed (`" + customer.key +
                "` has no billing contact to put in its place)");
  }
  const structure::Contact& wanted = contact->second;
  OT_RETURN_IF_ERROR(ctx.session
                         .Require(owner, payer, "account", "PutAlternateContact",
                                  {{"AlternateContactType", "BILLING"},
                                   {"Name", wanted.name},
                                   {"Title", wanted.title},
                                   {"EmailAddress", wanted.email},
                                   {"PhoneNumber", wanted.phone}})
                         .status());
  return Done("billing contact: " + wanted.email);
}

Status DeleteRole(Session& session, const std::string& party, const std::string& account,
                  const std::string& role) {
  auto attached =
      session.AllPages(party, account, "iam", "ListAttachedRolePolicies", {{"RoleName", role}});
  if (!attached.ok()) {
    if (attached.error().code == "NoSuchEntity") return Status::Ok();
    return session.Require(party, account, "iam", "ListAttachedRolePolicies", {{"RoleName", role}})
        .status();
  }
  for (const json::object& page : *attached) {
    for (const json::value& policy : page.at("AttachedPolicies").as_array()) {
      OT_RETURN_IF_ERROR(
          session
              .Require(party, account, "iam", "DetachRolePolicy",
                       {{"RoleName", role}, {"PolicyArn", Str(policy.as_object(), "PolicyArn")}})
              .status());
    }
  }
  OT_ASSIGN_OR_RETURN(json::object names, session.Require(party, account, "iam", "ListRolePolicies",
                                                          {{"RoleName", role}}));
  for (const json::value& name : names.at("PolicyNames").as_array()) {
    OT_RETURN_IF_ERROR(session
                           .Require(party, account, "iam", "DeleteRolePolicy",
                                    {{"RoleName", role}, {"PolicyName", name}})
                           .status());
  }
  return session.Require(party, account, "iam", "DeleteRole", {{"RoleName", role}}).status();
}

// The payer's roles that the partner's own accounts may assume (its billing role): the partner's
// way into the payer once the contract ends.
Result<TaskOutcome> RemovePartnerRoles(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& partner = OwnerOf(s, payer);
  auto iam = s.iam.find(payer);
  std::string note;
  if (iam != s.iam.end()) {
    for (const structure::Role& role : iam->second.roles) {
      bool partners = false;
      for (const structure::LocatedString& trusted : role.trust.accounts) {
        partners = partners || OwnerOf(s, trusted.value) == partner;
      }
      if (!partners) continue;
      OT_RETURN_IF_ERROR(DeleteRole(ctx.session, partner, payer, role.name));
      note.append(note.empty() ? "" : "\n").append("role ").append(role.name).append(" deleted");
    }
  }
  return Done(note.empty() ? "the partner has no role in the payer" : note);
}

// Where the root email goes when the customer takes the payer back: its security contact's
// address (the seed asks for the SOC team's list, never a person's), else its first alert
// address; "" when the file gives it neither.
std::string HandOverEmail(const Structure& s, const std::string& party) {
  const structure::Party* p = s.FindParty(party);
  if (p == nullptr) return "";
  if (auto security = p->contacts.find(structure::ContactType::kSecurity);
      security != p->contacts.end() && !security->second.email.empty()) {
    return security->second.email;
  }
  return p->alert_emails.empty() ? "" : p->alert_emails.front().value;
}

// T.7: the root user passes to the customer, who already holds its MFA device and phone: the
// root email becomes the customer's, the customer sets its own password, and the partner's
// root access keys go. Checked from both sides: the customer reads the payer's email through its
// role, and the partner's payer profile no longer acts as root.
Result<TaskOutcome> HandOverRoot(const Structure& s, TaskContext& ctx) {
  const std::string& payer = Management(s);
  const std::string& partner = OwnerOf(s, payer);
  const std::string customer = Admin(s);
  const std::string email = HandOverEmail(s, customer);
  if (email.empty()) {
    return Manual("Give `" + customer +
                  "` a security contact or an alert email in the file: it becomes the root "
                  "email of `" +
                  payer + "`");
  }
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, payer));
  OT_ASSIGN_OR_RETURN(json::object described,
                      ctx.session.Require(customer, payer, "organizations", "DescribeAccount",
                                          {{"AccountId", payer_id}}));
  const bool moved = Str(described.at("Account").as_object(), "Email") == email;
  auto partner_root = ctx.session.Call(partner, payer, "sts", "GetCallerIdentity");
  const bool partner_holds_keys =
      partner_root.ok() && Str(*partner_root, "Arn") == "arn:aws:iam::" + payer_id + ":root";
  if (moved && !partner_holds_keys) {
    return Done("the root user of `" + payer + "` signs in with " + email + " (" + customer +
                "'s); " + partner + " holds no root access key");
  }
  if (ctx.twin == nullptr) {
    return Manual(partner + " signs in to `" + payer + "` as its root user (with " + customer +
                  "'s MFA code) and changes the root email to " + email + " (" + customer +
                  " reads the verification code); " + customer +
                  " then resets the root password from that mailbox; " + partner +
                  " deletes every root access key");
  }
  const std::string& profile = s.ProfileFor(*s.FindParty(partner), payer);
  OT_RETURN_IF_ERROR(ctx.twin->HandOverRoot(profile, email, customer, moved));
  ctx.session.ForgetCredentials();
  return Done("the root user of `" + payer + "` now signs in with " + email + ", with a password " +
              customer + " set through that mailbox; the root access keys of profile `" + profile +
              "` are deleted");
}

}  // namespace

Playbook TerminatePlaybook(const Structure& s) {
  const std::string partner = OwnerOf(s, Management(s));
  const std::string customer = Admin(s);
  std::string members_owner = customer;
  if (auto movers = Movers(s); !movers.empty()) members_owner = OwnerOf(s, movers.front());
  const Structure* p = &s;
  Playbook book{"terminate", {}};
  auto add = [&](std::string id, std::string title, std::string owner, std::string cooperates,
                 std::function<Result<TaskOutcome>(TaskContext&)> action,
                 std::function<Status(TaskContext&)> precondition = {},
                 std::string waits_for = {}) {
    book.tasks.push_back({std::move(id), std::move(title), std::move(owner), std::move(cooperates),
                          std::move(waits_for), std::move(precondition), std::move(action)});
  };
  add("T.1", "Archive the members' invoices at the payer", partner,
      customer + " (receives the archive)",
      [p](TaskContext& ctx) { return ArchivePayerInvoices(*p, ctx); });
  add(
      "T.2", "Remove the members from the payer's organization", customer,
      members_owner + " (each member must be able to stand alone: payment method, contact)",
      [p](TaskContext& ctx) { return LeavePayer(*p, ctx); },
      [p](TaskContext& ctx) { return steps::RequireInvoiceArchive(ctx, Management(*p), "T.1"); });
  add(
      "T.3", "Invite them back into the customer's organization", customer, "",
      [p](TaskContext& ctx) { return InviteBack(*p, ctx); },
      [p](TaskContext& ctx) { return LeftPayer(*p, ctx); });
  add("T.4", "Accept the invitations", members_owner, "",
      [p](TaskContext& ctx) { return AcceptBack(*p, ctx); });
  add("T.5", "Give the payer's billing contact back", partner,
      customer + " (whose contact it becomes)",
      [p](TaskContext& ctx) { return ReturnBillingContact(*p, ctx); });
  add("T.6", "Remove the partner's roles from the payer", partner, "",
      [p](TaskContext& ctx) { return RemovePartnerRoles(*p, ctx); });
  add("T.7", "Hand the payer's root password and mailbox to the customer", partner,
      customer + " (holds the MFA device and the phone)",
      [p](TaskContext& ctx) { return HandOverRoot(*p, ctx); });
  return book;
}

}  // namespace orgtwin::playbook
