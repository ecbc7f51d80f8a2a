// File: cli/exit_codes.h
//
// The exit codes every orgtwin command shares, so that scripts and CI can tell a refused input
// from a failed run: 0 success (for verify-like commands: every expectation holds), 1 the run
// failed or something did not hold, 2 the input was refused before anything ran (a bad flag or
// file, missing access for the archive).
#pragma once

namespace orgtwin::cli {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

}  // namespace orgtwin::cli
