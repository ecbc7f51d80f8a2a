// File: playbook/steps.h
//
// The steps the playbooks share (transfer.cc, terminate.cc): who is who in a structure (the
// management account, its owner, the organization's administrator, the accounts that move), where
// an account is (OrgOf, from the account itself), applying one slice of the structure and
// checking it took, and the invitation handshake from both sides. Each reads before it writes, so
// a task repeated after a crash does no harm.
//
// Thread-safety: none; a playbook runs on one thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/json_fields.h"
#include "common/status.h"
#include "playbook/playbook.h"
#include "structure/reconcile.h"
#include "structure/session.h"
#include "structure/structure.h"

namespace orgtwin::playbook::steps {

using json_fields::Str;

TaskOutcome Done(std::string note);
TaskOutcome Manual(std::string note);

// The engine's waiter, for an effect AWS (or a twin) makes after it answers: an account being
// created, a mail arriving. Asks `probe` up to `attempts` times, `interval` apart, and returns
// its first non-empty answer, or "" when none came in time; an error from `probe` ends the wait.
// The engine is a client: its waiting is its own, never a server's.
Result<std::string> WaitFor(int attempts, std::chrono::milliseconds interval,
                            const std::function<Result<std::string>()>& probe);

const structure::Organization& Org(const structure::Structure& s);
// The organization's management account (key), its owner, and the organization's administrator.
const std::string& Management(const structure::Structure& s);
const std::string& OwnerOf(const structure::Structure& s, const std::string& account);
const std::string& Admin(const structure::Structure& s);
// The accounts that exist already and are placed in the organization, other than its management
// account, in file order: those that move in (and out again on termination).
std::vector<std::string> Movers(const structure::Structure& s);
// The accounts placed in the organization that are to be created there (CreateAccount).
std::vector<std::string> NewMembers(const structure::Structure& s);

// The account's ID, or an error saying it does not exist yet.
Result<std::string> IdOf(const structure::Session& session, const std::string& account);

struct OrgInfo {
  std::string id;
  std::string master_id;
};
// The organization `account` is in, asked as `party` from the account itself; nullopt if none.
Result<std::optional<OrgInfo>> OrgOf(structure::Session& session, const std::string& party,
                                     const std::string& account);

// Applies one slice of the structure and checks that a second read finds nothing left.
Result<TaskOutcome> ApplySlice(structure::Session& session, const structure::Scope& scope);
structure::Scope OnlyParts(unsigned parts);

std::string RoleArn(const std::string& account_id, const structure::Role& role);

// The IDs of the accounts in the organization of `management`, listed as `party`.
Result<std::set<std::string>> MemberIds(structure::Session& session, const std::string& party,
                                        const std::string& management);
// True when the handshake names `account_id` as its ACCOUNT party.
bool NamesParty(const boost::json::object& handshake, const std::string& account_id);
// The ID of an open invitation of `account` (asked as its `owner`) from the organization whose
// management account is `management_id`; "" when there is none.
Result<std::string> OpenInvitation(structure::Session& session, const std::string& owner,
                                   const std::string& account, const std::string& management_id);
// Invites each of `accounts` that is neither a member nor invited already into the organization
// of `management`, as `party`.
Result<TaskOutcome> InviteInto(structure::Session& session, const std::string& party,
                               const std::string& management,
                               const std::vector<std::string>& accounts);
// Each of `accounts` not in an organization accepts its open invitation from the organization of
// `management` (as the account's owner); checks each is then a member of it.
Result<TaskOutcome> AcceptFrom(structure::Session& session, const std::string& management,
                               const std::vector<std::string>& accounts);

// Where a playbook keeps the invoices of payer `account` (its key in the file): beside the
// journal, in invoices/ACCOUNT-KEY/.
std::filesystem::path InvoiceArchiveFolder(const TaskContext& ctx, const std::string& account);
// Archives every invoice of payer `account` as `party` through invoicing (invoice_archive.h) into
// its folder; says how many.
Result<std::string> ArchivePayerInvoices(TaskContext& ctx, const std::string& party,
                                         const std::string& account);
// Ok when payer `account`'s archive is complete and intact; else why not, naming `task`.
Status RequireInvoiceArchive(TaskContext& ctx, const std::string& account, std::string_view task);

}  // namespace orgtwin::playbook::steps
