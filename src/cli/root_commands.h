// File: cli/root_commands.h
//
// `orgtwin signin | inbox | phone | custody`: the root user's console, recovery and custody from
// the command line, each one extension call of a running twin (services/root/) whose JSON answer
// is printed; exit 0 on HTTP 200, else the error on stderr and 1. Sign-in, mailboxes and phones
// are unsigned (web pages on AWS); custody is SigV4-signed as a profile, the twin's administrator
// by default. A password never comes from argv (`ps` shows it): stdin or $ORGTWIN_PASSWORD.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct RootOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  // signin
  std::string email;
  std::string account;  // an account ID or alias, with `user`
  std::string user;
  bool password_stdin = false;
  std::string mfa_code;
  std::string mfa_serial;
  std::string new_password;
  std::vector<std::string> parties;
  std::string session_profile;  // where signin writes the session ("" = nowhere)
  // custody: whom to sign as (`orgtwin serve` writes this profile for the twin's administrator)
  std::string admin_profile = "orgtwin";
  // inbox, phone, custody
  std::string target;  // the address, the phone number or the account ID
  std::string party;
  std::string answer;  // phone: the call to answer
  std::string digits;
  bool text = false;  // custody: a readable summary instead of the JSON
};

struct RootCommands {
  CLI::App* signin = nullptr;
  CLI::App* inbox = nullptr;
  CLI::App* phone = nullptr;
  CLI::App* custody = nullptr;

  bool AnyParsed() const;
};

// Adds the subcommands to `app`; `options` must outlive app.parse().
RootCommands AddRootCommands(CLI::App& app, RootOptions& options);

// Runs the parsed one; returns the process exit code.
int RunRootCommand(const RootCommands& commands, const RootOptions& options);

}  // namespace orgtwin::cli
