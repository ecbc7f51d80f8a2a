// orgtwin: a local, faithful, fast twin of the AWS control plane (see README.md).
// This file only parses the command line and dispatches to the subcommands.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/billing_commands.h"
#include "cli/engine_commands.h"
#include "cli/exit_codes.h"
#include "cli/export_command.h"
#include "cli/root_commands.h"
#include "cli/serve.h"
#include "cli/signup.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"orgtwin: a local twin of AWS Organizations, IAM, STS and the Account API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "orgtwin 0.1.0");

  orgtwin::cli::ServeOptions serve_options;
  CLI::App* serve = orgtwin::cli::AddServeCommand(app, serve_options);
  orgtwin::cli::SignupOptions signup_options;
  CLI::App* signup = orgtwin::cli::AddSignupCommand(app, signup_options);
  orgtwin::cli::EngineOptions engine_options;
  orgtwin::cli::EngineCommands engine = orgtwin::cli::AddEngineCommands(app, engine_options);
  orgtwin::cli::RootOptions root_options;
  orgtwin::cli::RootCommands root = orgtwin::cli::AddRootCommands(app, root_options);
  orgtwin::cli::BillingOptions billing_options;
  orgtwin::cli::BillingCommands billing = orgtwin::cli::AddBillingCommands(app, billing_options);
  orgtwin::cli::ExportOptions export_options;
  CLI::App* export_command = orgtwin::cli::AddExportCommand(app, export_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the help or the error; a refused command line exits 2 like every other
    // refused input (cli/exit_codes.h), not with CLI11's own codes (106 for a missing option...).
    return app.exit(e) == 0 ? 0 : orgtwin::cli::kExitBadInput;
  }
  if (serve->parsed()) return orgtwin::cli::RunServe(serve_options);
  if (signup->parsed()) return orgtwin::cli::RunSignup(signup_options);
  if (root.AnyParsed()) return orgtwin::cli::RunRootCommand(root, root_options);
  if (billing.AnyParsed()) return orgtwin::cli::RunBillingCommand(billing, billing_options);
  if (export_command->parsed()) return orgtwin::cli::RunExport(export_options);
  return orgtwin::cli::RunEngineCommand(engine, engine_options);
}

}  // namespace

// An exception nothing below caught ends the process with its message and status 1, after the
// stack has unwound (the store closed), instead of std::terminate.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orgtwin: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "orgtwin: unknown exception\n");
  }
  return 1;
}
