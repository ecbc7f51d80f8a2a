// File: structure/reconcile.h
//
// plan and apply: bring the accounts to what the structure file says, through the public API.
// One walk serves both (so what plan prints is what apply does): it reads each object the file
// declares, compares it with the file, and for each difference records a Change; in kApply mode
// it also makes the change, as the party that owns it (structure/session.h). Objects a plan has
// yet to create are followed with "(known after apply)" in place of their IDs, as Terraform does.
//
// Who owns what: IAM in an account and its alternate contacts belong to the account's owner; the
// organization (creating it, OUs, policy types, policies and their attachments, moving accounts)
// to `organization.administered_by`. Accounts joining or leaving an organization are the
// transfer playbook's (playbook/transfer.h), not apply's: apply places and attaches only accounts
// that are members already, and says so for the others.
//
// What the file declares is managed in full (a role's trust, description, session duration,
// boundary, managed and inline policies; a user's groups; a policy's targets); what it does not
// name (other roles, users, OUs, policies) is left alone.
//
// Idempotent: a second apply finds nothing to change. A failure stops the walk with the failing
// change marked; running apply again continues where it stopped, because every step reads first.
//
// Thread-safety: none; runs on the caller's thread with the caller's Session.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "structure/documents.h"
#include "structure/session.h"
#include "structure/structure.h"

namespace orgtwin::structure {

enum class ChangeAction { kCreate, kUpdate, kDelete };

struct Change {
  std::string account;  // account key
  std::string party;    // the party that makes it
  ChangeAction action = ChangeAction::kCreate;
  std::string object;  // "role CustomerAdmin", "OU Workloads/Prod", "SCP RegionGuard"
  std::string detail;  // "attach arn:aws:iam::aws:policy/...", "trust policy", ...
  bool failed = false;
};

// The parts of the structure a run reconciles: all for plan/apply; one slice per playbook task.
struct Scope {
  enum Part : unsigned {
    kIam = 1U << 0,
    kCreateOrganization = 1U << 1,
    kUnits = 1U << 2,
    kPolicyTypes = 1U << 3,
    kPolicies = 1U << 4,    // the policies and their root/OU attachments
    kPlacements = 1U << 5,  // members moved to their OU, and policies attached to members
    kContacts = 1U << 6,
    kAll = (1U << 7) - 1,
  };
  unsigned parts = kAll;
  std::set<std::string> accounts;  // IAM and contacts only in these account keys; empty = all
  std::set<std::string> roles;     // only these role names in IAM; empty = every role, user, group

  bool Has(Part part) const { return (parts & part) != 0; }
};

enum class Mode { kPlan, kApply };

struct ReconcileResult {
  std::vector<Change> changes;  // in the order they are (or would be) made
  // What the walk could not read or left for later ("account customer-prod is not a member yet:
  // placed by the transfer playbook"), in words.
  std::vector<std::string> notes;
  // plan: what could not be read (the walk goes on without it, so `changes` may be incomplete).
  std::vector<std::string> unread;
  Status status;  // apply: the first failure (its change is marked failed)
};

ReconcileResult Reconcile(Session& session, Mode mode, const Scope& scope = {});

// The changes as a plan, grouped by account and party ("No changes." when there are none).
std::string FormatChanges(const ReconcileResult& result, Mode mode);

// The identity policies the file implies and that apply writes (structure/documents.h), with
// the account IDs the session knows and "(known after apply)" for the others.
std::string TrustPolicyDocument(const Session& session, const Role& role);
std::string MayAssumePolicyDocument(const Session& session, const User& user);

}  // namespace orgtwin::structure
