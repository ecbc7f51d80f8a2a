// File: policy/effective.h
//
// Step 5: effective-permission queries used by `verify`. For a principal's full policy set, sweep
// every action of the IAM catalog (or a chosen list) against a resource ("*" by default) and
// classify each as allowed, denied, or allowed only under conditions (e.g. only with MFA). The
// sweep evaluates the same chain as Evaluate(), but three-valued: a statement whose conditions
// depend on the request is "maybe", and the statements responsible are reported so the caller
// can explain them.
//
// Thread-safety: pure functions over immutable inputs; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "policy/catalog.h"
#include "policy/evaluator.h"

namespace orgtwin::policy {

enum class Permission { kDenied, kAllowed, kConditional };

struct ConditionalStatement {
  Layer layer = Layer::kNone;
  const CompiledPolicy* policy = nullptr;
  int index = 0;
  Effect effect = Effect::kAllow;
};

struct ActionPermission {
  const CatalogAction* action = nullptr;
  Permission permission = Permission::kDenied;
  // kConditional: the statements whose conditions decide it (an Allow that needs them to hold,
  // or a Deny that applies when they hold).
  std::vector<ConditionalStatement> conditions;
  // Distinct condition keys (lowercase) involved, e.g. "aws:multifactorauthpresent".
  std::vector<std::string> condition_keys;
};

struct EffectiveQuery {
  Principal principal;
  std::string resource = "*";
  std::string resource_account;  // "" = the principal's account
  bool include_denied = false;   // also return kDenied entries
};

// Classifies one request three-valued (context keys in `request` are still used for variables
// and principal-derived keys, but conditions are treated as unknown).
ActionPermission ClassifyRequest(const Request& request, const PolicySet& policies);

// Sweeps every catalog action. Returns allowed and conditional actions (and denied ones with
// include_denied), in catalog order.
std::vector<ActionPermission> EffectivePermissions(const PolicySet& policies,
                                                   const EffectiveQuery& query);

}  // namespace orgtwin::policy
