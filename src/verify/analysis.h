// File: verify/analysis.h
//
// Who can do what, from a State (state.h): for every party, the principals it can act as --
// the keys it holds, the roles those can assume (trust and identity policies and SCPs together,
// with MFA and external IDs where the party has them), the principals it can make itself into
// (PMapper's edges: an access key or a console password for another user, a rewritten trust
// policy, a role passed to a service that runs code, a policy attached to itself, a new role or
// user with any permission), and the root users it reaches (root keys, the factors it holds in
// custody, factors it can change through IAM, sts:AssumeRoot). Then the capability matrix:
// parties x accounts x {read billing, change payment, administer the organization, administer
// IAM, stop or change the audit trail, stop or change the alerting, change root recovery
// factors, act as root}, each cell allowed, allowed under conditions, or denied, with the chain
// of principals and the policy statements that decide it.
//
// Every decision is the policy engine's (policy::Evaluate, and policy::ClassifyRequest for
// "allowed only under conditions"); nothing here re-derives an evaluation rule.
//
// Thread-safety: values and pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "structure/structure.h"
#include "verify/state.h"

namespace orgtwin::verify {

enum class Verdict { kDenied, kConditional, kAllowed };
std::string_view VerdictName(Verdict verdict);  // "denied" | "conditional" | "allowed"

// The capabilities of the matrix, in its column order.
enum class Capability {
  kReadBilling,
  kChangePayment,
  kAdministerOrganization,
  kAdministerIam,
  kChangeAuditTrail,
  kChangeAlerting,
  kChangeRootFactors,
  kActAsRoot,
};
inline constexpr Capability kCapabilities[] = {Capability::kReadBilling,
                                               Capability::kChangePayment,
                                               Capability::kAdministerOrganization,
                                               Capability::kAdministerIam,
                                               Capability::kChangeAuditTrail,
                                               Capability::kChangeAlerting,
                                               Capability::kChangeRootFactors,
                                               Capability::kActAsRoot};
std::string_view CapabilityName(Capability capability);  // "administer IAM", ...
std::string_view CapabilityKey(Capability capability);   // "administer_iam", ...

// How a party gets somewhere: the principals from the credentials it holds to the one that acts,
// each step in words ("assumes role arn:...", "creates an access key for user arn:...").
struct Chain {
  std::vector<std::string> steps;
  std::vector<std::string> conditions;  // condition keys a step needs (e.g. sts:externalid)
};

struct Cell {
  std::string party;
  std::string account;  // account key
  Capability capability = Capability::kReadBilling;
  Verdict verdict = Verdict::kDenied;
  std::string principal;                // the ARN that acts
  std::string action;                   // the action decided ("iam:CreateRole"); "" for root reach
  Chain chain;                          // how the party becomes `principal`
  std::vector<std::string> statements;  // "policy-id statement-sid-or-index" that allow it
  std::vector<std::string> conditions;  // condition keys of a conditional verdict
};

struct Escalation {
  std::string party;
  std::string from;  // principal ARN
  std::string to;    // principal ARN, or "any new principal in ACCOUNT"
  std::string how;
  bool conditional = false;
};

// One step of a party's reach, for the graph: assumes a role, escalates, or acts as root.
struct Edge {
  std::string party;
  std::string from;
  std::string to;
  std::string how;
  std::string kind;  // "holds" (from "party P"), "assume", "escalation", "root"
};

// The smallest sets of parties that together reach an account's root user through its factors.
struct RootCoalitions {
  std::string account;  // account key
  std::vector<std::vector<std::string>> minimal;
  std::vector<std::string> notes;  // what the state says about the factors (no MFA, ...)
};

struct Finding {
  int severity = 0;  // 3 a party alone reaches root, 2 a claim fails, 1 an escalation, 0 a note
  std::string title;
  std::vector<std::string> evidence;
};

struct Analysis {
  std::vector<Cell> cells;  // party x account x capability, all of them
  std::vector<Escalation> escalations;
  std::vector<Edge> edges;  // every step of every party's reach, once each
  std::vector<RootCoalitions> coalitions;
  std::vector<Finding> findings;  // ranked, most severe first (expectations add theirs)
  std::vector<std::string> not_modeled;
  int64_t decisions = 0;  // policy decisions made

  const Cell* Find(const std::string& party, const std::string& account,
                   Capability capability) const;
};

Analysis Analyze(const State& state, const structure::Structure& structure);

}  // namespace orgtwin::verify
