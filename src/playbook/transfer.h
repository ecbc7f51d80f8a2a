// File: playbook/transfer.h
//
// The seed's transfer (../shared/seed/, "Setting up the shared master AWS account structure"),
// Parts I-III, as a playbook over a structure file: the partner creates the master payer and the
// roles in it, the customer creates the user that assumes its role there, the customer builds
// the organization through that role, copies its SCPs, and moves its member accounts over
// (archive invoices, leave the old organization, invitation, acceptance, OU). Each task names
// its owner from the file: the owner of the management account (the partner), the organization's
// `administered_by` (the customer), the owner of each member account.
//
// Also the starting world a rehearsal needs before the transfer (CreateStartingWorld): the
// accounts the file says exist already, signed up on the twin with their IDs, and each account's
// `starts_in` organization with its members and the policies the payer copies from it. When the
// management account exists already (a file `orgtwin import` wrote), its organization exists
// too: created by the management account with the file's feature set, with the placed accounts
// that have no `starts_in` as members; the playbook then builds the rest (OUs, policies,
// placements, IAM) and finds done what is done.
#pragma once

#include "common/status.h"
#include "playbook/playbook.h"
#include "structure/structure.h"

namespace orgtwin::playbook {

// The transfer playbook for `structure` (whose parse guarantees its references resolve).
Playbook TransferPlaybook(const structure::Structure& structure);

// The transfer undone, when the contract ends: the customer's accounts leave the payer's
// organization and rejoin the customer's own (`starts_in`), the payer's billing contact and the
// partner's roles go, and the root factors come back (terminate.cc). Each task names the parties
// that must cooperate.
Playbook TerminatePlaybook(const structure::Structure& structure);

// Makes the world before the transfer on a twin (idempotent: what exists is kept). Once the
// transfer has begun (`transfer_begun`: its journal records a task), the members of the old
// organizations are no longer joined to it: a member without an organization then is one that
// left it (task III.9) on its way to the payer's, and joining it back would undo that.
Status CreateStartingWorld(structure::Session& session, TwinAssist& twin, bool transfer_begun);

}  // namespace orgtwin::playbook
