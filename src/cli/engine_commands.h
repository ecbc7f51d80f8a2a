// File: cli/engine_commands.h
//
// The shared-structure engine's commands, thin adapters over structure/ and playbook/:
//   orgtwin plan FILE [--endpoint URL]          what apply would change, grouped by account/party
//   orgtwin apply FILE [--endpoint URL]         make those changes, each as its owner
//   orgtwin playbook list FILE                  the playbooks' tasks, owners and journaled state
//   orgtwin playbook run transfer FILE [...]    run (or resume) the transfer
//   orgtwin playbook run terminate FILE [...]   give the customer everything back
//   orgtwin rehearse FILE [--data DIR]          an embedded twin, the starting world, the transfer,
//                                               a final apply that must find nothing, a summary
//   orgtwin verify FILE [--endpoint URL]        who can do what, and the file's expect: claims
//   orgtwin report FILE -o PAGE.html            verify's findings as one HTML page
//   orgtwin import --profile P [-o FILE]        an organization and its management account's IAM,
//                                               read through the API into a structure file
// With no --endpoint the engine talks to AWS's own endpoints over HTTPS (AWS_CA_BUNDLE honoured).
// Credentials: each party's profiles, resolved as the AWS CLI resolves them (client/profiles.h).
// Exit codes: 0 done, 1 a call or task failed, 2 the structure file or the options are wrong.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct EngineOptions {
  std::string file;
  std::string endpoint;  // "" = AWS
  std::string region = "us-east-1";
  std::string journal;  // "" = FILE.state.json beside the structure file
  // playbook run
  std::string playbook = "transfer";     // or "terminate"
  std::vector<std::string> account_ids;  // KEY=ID of accounts created by hand (on AWS)
  std::string twin_data;  // a twin's profile directory: the twin assist writes credentials there
  bool restart = false;
  // rehearse
  std::string data_dir;  // "" = a temporary directory, removed afterwards
  std::string store;     // the embedded twin's store URL; "" = sqlite:DATA/orgtwin.db
  // import
  std::string profile;      // the profile that acts in the management account
  std::string output;       // "" or "-" = standard output
  std::string import_name;  // the structure's `name`; "" = the organization's ID
};

struct EngineCommands {
  CLI::App* plan = nullptr;
  CLI::App* apply = nullptr;
  CLI::App* playbook = nullptr;
  CLI::App* playbook_run = nullptr;
  CLI::App* playbook_list = nullptr;
  CLI::App* rehearse = nullptr;
  CLI::App* import = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* report = nullptr;
};

// Adds the subcommands to `app`; `options` must outlive app.parse().
EngineCommands AddEngineCommands(CLI::App& app, EngineOptions& options);

// Runs the parsed one; returns the process exit code.
int RunEngineCommand(const EngineCommands& commands, const EngineOptions& options);

// `orgtwin rehearse` with these options (file, data_dir, endpoint); returns the exit code.
int RunRehearse(const EngineOptions& options);

}  // namespace orgtwin::cli
