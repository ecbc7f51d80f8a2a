// File: policy/corpus_adapter.h
//
// Runs one case of the policy conformance corpus (tests/conformance/policy/FORMAT.md) through the
// production engine: an evaluation case (request + policies -> decision) or a validation case
// (flavour + document -> valid / AWS error). Shared by the corpus test and the differential test
// so both drive the engine exactly the same way.
//
// Thread-safety: stateless apart from the engine's internal compiled-policy cache, which is
// thread-safe; may be called concurrently.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/status.h"

namespace orgtwin::policy {

struct CorpusMatch {
  std::string policy;  // the "id" of the policy in the case
  int statement = 0;   // 0-based index in its Statement array
  bool operator==(const CorpusMatch&) const = default;
};

struct CorpusOutcome {
  std::string decision;    // "Allow" | "ExplicitDeny" | "ImplicitDeny"  (evaluation cases)
  std::string decided_by;  // per FORMAT.md: scp, rcp, identity, resource, boundary, session, root
  std::vector<CorpusMatch> matched;
  bool valid = true;    // validation cases
  std::string error;    // validation cases: AWS error code ("" when valid)
  std::string message;  // validation cases: AWS error message ("" when valid)
};

// Evaluates one case object of FORMAT.md (evaluation or validation). Returns kInvalidInput when
// the case itself is malformed (missing request, a policy that is neither object nor string, ...);
// an invalid policy inside an evaluation case is also kInvalidInput, since AWS would never have
// stored it. A deny is a normal outcome, not an error.
Result<CorpusOutcome> EvaluateCorpusCase(const boost::json::object& test_case);

}  // namespace orgtwin::policy
