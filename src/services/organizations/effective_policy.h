// File: services/organizations/effective_policy.h
//
// Management-policy inheritance (tag, backup, AI services opt-out, chatbot, declarative, ...):
// the effective policy of an account is the merge of every policy of one type attached along its
// path root -> OU ... -> account, applied in that order with AWS's inheritance operators.
//
// Supported subset (AWS "Understanding management policy inheritance"):
//   - value-setting operators on a leaf: @@assign (replace the inherited value), @@append (add to
//     the inherited list, without duplicates), @@remove (drop values from the inherited list, or
//     the whole leaf when given "*"/no list to remove from);
//   - child control: @@operators_allowed_for_child_policies on any node, ["@@all"] (default),
//     ["@@none"] or a list of the allowed value-setting operators. A child policy's use of a
//     disallowed operator is ignored (AWS reports it as a validation error of the effective
//     policy; ListEffectivePolicyValidationErrors answers empty here);
//   - a plain value where an operator object is expected counts as @@assign;
//   - other @@ keys that AWS defines for some types (@@enforced_for, @@action) are carried into
//     the effective policy as plain values.
// The rendered effective policy has every operator removed (leaves hold their final values);
// policies attached to the same node are applied in the order given.
//
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/status.h"

namespace orgtwin::services::organizations {

// Merges `policies` (each a JSON object, root-most first) into the effective policy document.
boost::json::object MergeManagementPolicies(const std::vector<boost::json::object>& policies);

// Validates a management policy's JSON text: an object whose @@ keys are known operators with
// well-typed arguments. Errors are MalformedPolicyDocumentException.
Result<boost::json::object> ParseManagementPolicy(std::string_view content);

}  // namespace orgtwin::services::organizations
