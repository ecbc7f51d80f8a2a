#include "playbook/steps.h"

#include <algorithm>
#include <thread>

#include "playbook/invoice_archive.h"

namespace orgtwin::playbook::steps {

namespace json = boost::json;
using structure::Mode;
using structure::Scope;
using structure::Session;
using structure::Structure;
using structure::TaskStatus;

TaskOutcome Done(std::string note) { return {TaskStatus::kDone, std::move(note)}; }
TaskOutcome Manual(std::string note) { return {TaskStatus::kManual, std::move(note)}; }

Result<std::string> WaitFor(int attempts, std::chrono::milliseconds interval,
                            const std::function<Result<std::string>()>& probe) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(interval);
    OT_ASSIGN_OR_RETURN(std::string answer, probe());
    if (!answer.empty()) return answer;
  }
  return std::string();
}

const structure::Organization& Org(const Structure& s) { return *s.organization; }
const std::string& Management(const Structure& s) { return Org(s).management_account; }
const std::string& OwnerOf(const Structure& s, const std::string& account) {
  return s.accounts.at(account).owner.value;
}
const std::string& Admin(const Structure& s) { return Org(s).administered_by.value; }

// The accounts that join the payer's organization: the placed ones, in file order.
std::vector<std::string> Movers(const Structure& s) {
  std::vector<std::string> movers;
  for (const structure::Placement& placement : Org(s).placements) {
    if (placement.account != Management(s) && !s.accounts.at(placement.account).ToBeCreated()) {
      movers.push_back(placement.account);
    }
  }
  return movers;
}

std::vector<std::string> NewMembers(const Structure& s) {
  std::vector<std::string> created;
  for (const structure::Placement& placement : Org(s).placements) {
    if (placement.account != Management(s) && s.accounts.at(placement.account).ToBeCreated()) {
      created.push_back(placement.account);
    }
  }
  return created;
}

Result<std::string> IdOf(const Session& session, const std::string& account) {
  auto id = session.AccountId(account);
  if (!id) return InvalidInputError("account `" + account + "` does not exist yet (task I.1)");
  return *id;
}

// The organization `account` is in, seen from the account itself, or nullopt.
Result<std::optional<OrgInfo>> OrgOf(Session& session, const std::string& party,
                                     const std::string& account) {
  auto described = session.Call(party, account, "organizations", "DescribeOrganization");
  if (!described.ok()) {
    if (described.error().code == "AWSOrganizationsNotInUseException") {
      return std::optional<OrgInfo>();
    }
    return session.Require(party, account, "organizations", "DescribeOrganization").status();
  }
  const json::object& org = described->at("Organization").as_object();
  return std::optional<OrgInfo>(OrgInfo{Str(org, "Id"), Str(org, "MasterAccountId")});
}

// Applies one slice of the structure and checks that a second look finds nothing left.
Result<TaskOutcome> ApplySlice(Session& session, const Scope& scope) {
  structure::ReconcileResult applied = structure::Reconcile(session, Mode::kApply, scope);
  OT_RETURN_IF_ERROR(applied.status);
  structure::ReconcileResult again = structure::Reconcile(session, Mode::kPlan, scope);
  OT_RETURN_IF_ERROR(again.status);
  if (!again.changes.empty()) {
    return InternalError("applied, but a second look still finds changes:\n" +
                         structure::FormatChanges(again, Mode::kPlan));
  }
  std::string note = std::to_string(applied.changes.size()) + " change" +
                     (applied.changes.size() == 1 ? "" : "s") + " made";
  if (applied.changes.empty()) note = "nothing to change";
  for (const structure::Change& change : applied.changes) {
    note += "\n" +
            std::string(change.action == structure::ChangeAction::kCreate   ? "+ "
                        : change.action == structure::ChangeAction::kUpdate ? "~ "
                                                                            : "- ") +
            change.object + (change.detail.empty() ? "" : ": " + change.detail);
  }
  return Done(note);
}

Scope OnlyParts(unsigned parts) {
  Scope scope;
  scope.parts = parts;
  return scope;
}

std::string RoleArn(const std::string& account_id, const structure::Role& role) {
  return "arn:aws:iam::" + account_id + ":role" + role.path + role.name;
}

Result<std::set<std::string>> MemberIds(Session& session, const std::string& party,
                                        const std::string& management) {
  std::set<std::string> ids;
  auto pages = session.AllPages(party, management, "organizations", "ListAccounts");
  if (!pages.ok()) {
    return session.Require(party, management, "organizations", "ListAccounts").status();
  }
  for (const json::object& page : *pages) {
    for (const json::value& account : page.at("Accounts").as_array()) {
      ids.insert(Str(account.as_object(), "Id"));
    }
  }
  return ids;
}

bool NamesParty(const json::object& handshake, const std::string& account_id) {
  const json::value* parties = handshake.if_contains("Parties");
  if (parties == nullptr || !parties->is_array()) return false;
  return std::any_of(parties->as_array().begin(), parties->as_array().end(),
                     [&](const json::value& party) {
                       return Str(party.as_object(), "Id") == account_id &&
                              Str(party.as_object(), "Type") == "ACCOUNT";
                     });
}

Result<TaskOutcome> InviteInto(Session& session, const std::string& party,
                               const std::string& management,
                               const std::vector<std::string>& accounts) {
  OT_ASSIGN_OR_RETURN(std::set<std::string> members, MemberIds(session, party, management));
  auto pages = session.AllPages(party, management, "organizations", "ListHandshakesForOrganization",
                                {{"Filter", json::object{{"ActionType", "INVITE"}}}});
  if (!pages.ok()) return InternalError(pages.error().ToString());
  std::string note;
  for (const std::string& mover : accounts) {
    OT_ASSIGN_OR_RETURN(std::string id, IdOf(session, mover));
    if (members.count(id) != 0) {
      note += (note.empty() ? "" : "\n") + ("`" + mover + "` is a member already");
      continue;
    }
    bool open = false;
    for (const json::object& page : *pages) {
      for (const json::value& handshake : page.at("Handshakes").as_array()) {
        open = open || (Str(handshake.as_object(), "State") == "OPEN" &&
                        NamesParty(handshake.as_object(), id));
      }
    }
    if (!open) {
      OT_RETURN_IF_ERROR(session
                             .Require(party, management, "organizations",
                                      "InviteAccountToOrganization",
                                      {{"Target", json::object{{"Type", "ACCOUNT"}, {"Id", id}}}})
                             .status());
    }
    note += (note.empty() ? "" : "\n") +
            ("`" + mover + "` invited" + (open ? " (the open invitation is kept)" : ""));
  }
  if (note.empty()) note = "no member account joins the organization: nothing to invite";
  return Done(note);
}

Result<std::string> OpenInvitation(Session& session, const std::string& owner,
                                   const std::string& account, const std::string& management_id) {
  OT_ASSIGN_OR_RETURN(json::object listed,
                      session.Require(owner, account, "organizations", "ListHandshakesForAccount",
                                      {{"Filter", json::object{{"ActionType", "INVITE"}}}}));
  std::string handshake_id;
  for (const json::value& handshake : listed.at("Handshakes").as_array()) {
    // The inviting organization's management account is in the handshake's ARN
    // (arn:aws:organizations::MANAGEMENT:handshake/o-.../invite/h-...).
    if (Str(handshake.as_object(), "State") == "OPEN" &&
        Str(handshake.as_object(), "Arn").find("::" + management_id + ":handshake/") !=
            std::string::npos) {
      handshake_id = Str(handshake.as_object(), "Id");
    }
  }
  return handshake_id;
}

namespace {

Status NoOpenInvitation(const std::string& account, const std::string& management) {
  return InvalidInputError("`" + account + "` has no open invitation from the organization of `" +
                           management + "`");
}

Status NotAMemberOf(const std::string& account, const std::string& management) {
  return InvalidInputError("`" + account + "` is not in the organization of `" + management + "`");
}

}  // namespace

Result<TaskOutcome> AcceptFrom(Session& session, const std::string& management,
                               const std::vector<std::string>& accounts) {
  const Structure& s = session.structure();
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(session, management));
  std::string note;
  for (const std::string& mover : accounts) {
    const std::string& owner = OwnerOf(s, mover);
    OT_ASSIGN_OR_RETURN(auto org, OrgOf(session, owner, mover));
    if (!org) {
      OT_ASSIGN_OR_RETURN(std::string handshake_id,
                          OpenInvitation(session, owner, mover, payer_id));
      if (handshake_id.empty()) {
        return NoOpenInvitation(mover, management);
      }
      OT_RETURN_IF_ERROR(session
                             .Require(owner, mover, "organizations", "AcceptHandshake",
                                      {{"HandshakeId", handshake_id}})
                             .status());
      OT_ASSIGN_OR_RETURN(org, OrgOf(session, owner, mover));
    }
    if (!org || org->master_id != payer_id) {
      return NotAMemberOf(mover, management);
    }
    note.append(note.empty() ? "" : "\n").append("`").append(mover).append("` is a member of ");
    note.append(org->id);
  }
  if (note.empty()) note = "no member account joins the organization: nothing to accept";
  return Done(note);
}

std::filesystem::path InvoiceArchiveFolder(const TaskContext& ctx, const std::string& account) {
  return std::filesystem::path(ctx.journal.path()).parent_path() / "invoices" / account;
}

Result<std::string> ArchivePayerInvoices(TaskContext& ctx, const std::string& party,
                                         const std::string& account) {
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, account));
  auto call = [&](std::string_view operation, const boost::json::object& input) {
    return ctx.session.Call(party, account, "invoicing", operation, input);
  };
  const std::filesystem::path folder = InvoiceArchiveFolder(ctx, account);
  OT_ASSIGN_OR_RETURN(ArchiveReport report, ArchiveInvoices(call, payer_id, folder));
  return std::to_string(report.invoices) + " invoice(s) of `" + account + "` archived in " +
         folder.string();
}

Status RequireInvoiceArchive(TaskContext& ctx, const std::string& account, std::string_view task) {
  OT_ASSIGN_OR_RETURN(std::string payer_id, IdOf(ctx.session, account));
  const std::filesystem::path folder = InvoiceArchiveFolder(ctx, account);
  if (!HasArchive(payer_id, folder)) {
    return InvalidInputError("the invoices of `" + account + "` are not archived in " +
                             folder.string() + " (task " + std::string(task) + ")");
  }
  return Status::Ok();
}

}  // namespace orgtwin::playbook::steps
