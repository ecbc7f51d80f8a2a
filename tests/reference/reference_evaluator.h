// File: tests/reference/reference_evaluator.h
//
// The slow reference evaluator for IAM-style policies: written straight from the rules in
// ../shared/AWS-FACTS.md sections 1 and 3 and tests/conformance/policy/FORMAT.md, independently of
// the production engine in src/policy (it shares no code with it). It optimises for obviousness:
// every request walks the Boost.JSON policy documents directly, one rule at a time, in the order
// the AWS documentation states them. It exists so the corpus and the differential test have a
// second, independent opinion on every decision.
//
// Input is one corpus case (FORMAT.md): an evaluation case ("request" + "policies") or a
// validation case ("validate"). Output carries the same fields as the case's "expect" block.
//
// Thread-safety: stateless free functions; safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/status.h"

namespace orgtwin::reference {

struct Match {
  std::string policy;  // the case's "id" of the policy
  int statement = 0;   // 0-based index in its Statement array
  bool operator==(const Match&) const = default;
  // clang-tidy 14 takes the 0 of a defaulted <=> for a null pointer constant.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  auto operator<=>(const Match&) const = default;
};

struct Outcome {
  // Evaluation cases.
  std::string decision;        // "Allow" | "ExplicitDeny" | "ImplicitDeny"
  std::string decided_by;      // scp | rcp | identity | resource | boundary | session | root
  std::vector<Match> matched;  // sorted
  // Validation cases.
  bool valid = true;
  std::string error;    // AWS error code, "" when valid
  std::string message;  // AWS error message when the reference knows AWS's exact text, else ""
};

// Evaluates one case object. Returns kInvalidInput when the case itself is malformed (no request,
// a policy document that is neither an object nor a parseable string, an unknown operator in an
// evaluation case, ...).
Result<Outcome> EvaluateCase(const boost::json::object& test_case);

}  // namespace orgtwin::reference
