// File: policy/evaluator.h
//
// Step 3 of the engine: evaluates a Request against a principal's full set of compiled policies
// following AWS's chain (docs/policy-evaluation.md, AWS-FACTS 1.1-1.4): explicit deny anywhere;
// RCPs and SCPs per level (management account and service-linked roles exempt); resource-based
// policy with the same-account / cross-account rules; identity policies; permissions boundary;
// session policies; root user rules; trust policies (the role's trust policy itself must allow).
//
// The result is a Decision value: the effect, the layer that decided it, and the statements
// that matched. A deny is a normal result, never an error.
//
// Lifetimes: a Decision points into the CompiledPolicy objects of the PolicySet it came from;
// keep the set (or the policies) alive while using the Decision.
// Thread-safety: Evaluate is a pure function of its arguments; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/compiled_policy.h"
#include "policy/request.h"

namespace orgtwin::policy {

struct PolicySet {
  std::vector<PolicyPtr> identity;  // user/group/role policies, inline and managed
  PolicyPtr boundary;               // null = no permissions boundary
  bool has_session = false;         // a session policy was passed (even an empty list)
  std::vector<PolicyPtr> session;
  PolicyPtr resource;  // resource-based policy, or the role's trust policy for sts:AssumeRole*
  // Present = the principal's account is a member account: one vector per level root -> OU ->
  // account; every level must allow.
  bool has_scp = false;
  std::vector<std::vector<PolicyPtr>> scp;
  // Present = the resource's account is a member account with RCPs enabled.
  bool has_rcp = false;
  std::vector<std::vector<PolicyPtr>> rcp;
};

enum class DecisionEffect { kAllow, kExplicitDeny, kImplicitDeny };
enum class Layer { kNone, kScp, kRcp, kIdentity, kResource, kBoundary, kSession, kRoot };

std::string_view DecisionEffectName(DecisionEffect e);  // "Allow" | "ExplicitDeny" | ...
std::string_view LayerName(Layer l);                    // "scp" | "rcp" | ... | "root" | ""

struct MatchedStatement {
  Layer layer = Layer::kNone;
  const CompiledPolicy* policy = nullptr;
  int index = 0;
  Effect effect = Effect::kAllow;
  const std::string& policy_id() const { return policy->id(); }
  const std::string& sid() const { return policy->statements()[static_cast<size_t>(index)].sid; }
};

struct Decision {
  DecisionEffect effect = DecisionEffect::kImplicitDeny;
  Layer decided_by = Layer::kNone;
  // The layer named in Reason(); differs from decided_by only for a cross-account or trust
  // request where the identity side allowed but no resource-based policy did.
  Layer reason_layer = Layer::kNone;
  // ExplicitDeny: every Deny that matched, in every layer. Allow: every Allow that matched in
  // the identity and resource-based policies. ImplicitDeny: empty.
  std::vector<MatchedStatement> matched;

  bool allowed() const { return effect == DecisionEffect::kAllow; }
  // The AWS-style clause that ends an AccessDenied message, e.g. "because no identity-based
  // policy allows the s3:GetObject action" or "with an explicit deny in a service control
  // policy". Empty for Allow.
  std::string Reason(std::string_view action) const;
};

// The full AccessDenied message: "User: <arn> is not authorized to perform: <action> on
// resource: <resource> <reason>".
std::string AccessDeniedMessage(const Request& request, const Decision& decision);

// Evaluates `request` against `policies`. The request's derivable global keys are filled on a
// private copy when request.derived() is false; call request.DeriveGlobalKeys() once up front to
// avoid that copy on hot paths.
Decision Evaluate(const Request& request, const PolicySet& policies);

// --- Effective-permission support (used by effective.h) ---

// How one statement relates to a request when conditions are treated as unknown.
enum class Tri { kNo, kYes, kMaybe };

// Matches one statement against `request` (action already lowercased in `lower_action`).
// With `conditions_unknown`, a statement whose action/resource/principal match but that has
// conditions returns kMaybe instead of evaluating them.
// `has_boundary`: the caller has a permissions boundary (NotPrincipal never excludes it).
Tri MatchStatement(const CompiledStatement& st, const CompiledPolicy& policy,
                   const Request& request, bool conditions_unknown, bool has_boundary);

}  // namespace orgtwin::policy
