// File: verify/expectations.h
//
// The structure file's `expect:` statements, read as claims about the capability matrix:
//   PARTY can|cannot CAPABILITY [in ACCOUNT[, ACCOUNT ... and ACCOUNT] | in any account]
//   neither party alone can sign in as root [in ACCOUNT]     (also "no party alone can ...")
// CAPABILITY is one of the matrix's columns in words ("administer IAM", "administer the
// organization", "read invoices" or "read billing", "change payment", "stop the audit trail",
// "stop the alerting", "change root recovery factors", "sign in as root" or "act as root").
// Without a scope, billing, payment and the organization mean the payer (the organization's
// management account), root means the accounts the file puts under custody, the rest any
// account. "cannot" holds when every cell in scope is denied (a conditional grant refutes it);
// "can" when some cell is allowed. A "cannot" in an account whose IAM could not be read is not
// proved, and fails.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "structure/structure.h"
#include "verify/analysis.h"

namespace orgtwin::verify {

struct ExpectationResult {
  std::string text;
  structure::SourceLocation location;
  bool understood = false;
  bool holds = false;
  std::vector<std::string> evidence;  // why it fails, or why it was not understood
};

std::vector<ExpectationResult> CheckExpectations(const structure::Structure& structure,
                                                 const State& state, const Analysis& analysis);

}  // namespace orgtwin::verify
