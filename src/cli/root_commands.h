// File: cli/root_commands.h
//
// The root user's console, recovery and custody from the command line, each a thin adapter over
// one extension call of a running twin (models/orgtwin, handlers in services/root/), printing the
// server's JSON answer; exit 0 on HTTP 200, else the error on stderr and exit 1:
//   orgtwin signin (--email E | --account ID_OR_ALIAS --user NAME) [--password-stdin]
//       [--mfa-code C] [--mfa-serial S] [--new-password P] [--party P ...] [--profile NAME]
//                                       console sign-in (unsigned); the password comes from stdin
//                                       or $ORGTWIN_PASSWORD, never argv (`ps` shows argv);
//                                       --profile writes the session into the credentials file
//   orgtwin inbox ADDRESS [--party P]   a mailbox's messages (unsigned)
//   orgtwin phone NUMBER [--party P] [--answer CALL_ID --digits D]
//                                       a phone's calls, or answer one (unsigned)
//   orgtwin custody ACCOUNT_ID [--profile orgtwin] [--text]
//                                       who can reach the account's root, SigV4-signed as the
//                                       profile (the twin's administrator by default)
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
