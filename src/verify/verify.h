// File: verify/verify.h
//
// `orgtwin verify`: reads the state (state.h) through the public API, computes who can do what
// (analysis.h), checks the file's `expect:` claims (expectations.h), and reports it as text for
// a terminal or as JSON for the report page and for CI.
//
// Thread-safety: none needed; one run uses its session from one thread.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "structure/session.h"
#include "verify/analysis.h"
#include "verify/expectations.h"
#include "verify/state.h"

namespace orgtwin::verify {

struct Report {
  State state;
  Analysis analysis;
  std::vector<ExpectationResult> expectations;
  double seconds = 0;  // reading and analysing

  // Every claim understood and holding.
  bool AllHold() const;
};

Result<Report> Verify(structure::Session& session);

// The matrix, the coalitions, the findings with their evidence, the claims.
std::string FormatText(const Report& report);
boost::json::object ToJson(const Report& report);

}  // namespace orgtwin::verify
