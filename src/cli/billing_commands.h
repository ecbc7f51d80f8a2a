// File: cli/billing_commands.h
//
// `orgtwin billing generate | archive`: consolidated billing from the command line, as clients
// of the public API (docs/billing.md).
//
// - generate: a deterministic, seeded usage history for demos, sent to a twin through the
//   extension API's RecordUsage as its administrator (a profile, `orgtwin` by default): for each
//   account, each day of the last N months, EC2 instance hours, EBS and S3 storage, Lambda
//   requests (fewer at weekends), CloudWatch metrics and CloudTrail events, with a monthly shape
//   (storage grows, compute steps up now and then).
// - archive: every invoice an account receives, as PDF and CSV with a manifest (invoice ID,
//   period, amount, currency, SHA-256 of each file), run as any principal allowed to read
//   invoices; the same calls work against AWS. Resumable: a file already present whose checksum
//   matches the manifest is kept. A progress bar on a terminal. A refusal names what is missing
//   (the invoicing actions, or IAM access to billing).
//
// Exit codes: 0 done, 1 failed, 2 bad input.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct BillingOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  std::string
      profile;  // "" = generate: orgtwin (the twin administrator); archive: the default chain
  // generate
  std::vector<std::string> accounts;
  int months = 12;
  unsigned seed = 1;
  // archive
  std::string account;
  std::string to;
};

struct BillingCommands {
  CLI::App* generate = nullptr;
  CLI::App* archive = nullptr;

  bool AnyParsed() const;
};

// Adds `billing generate` and `billing archive` to `app`; `options` must outlive app.parse().
BillingCommands AddBillingCommands(CLI::App& app, BillingOptions& options);

// Runs the parsed one; returns the process exit code.
int RunBillingCommand(const BillingCommands& commands, const BillingOptions& options);

}  // namespace orgtwin::cli
