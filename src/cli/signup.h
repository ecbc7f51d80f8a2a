// File: cli/signup.h
//
// `orgtwin signup [--endpoint URL] --email E --name N [--root-password P] [--no-payment-method]
// [--no-contact-info]`:
// signs up a standalone account on a running orgtwin, over HTTP or HTTPS (POST /_orgtwin/signup,
// unauthenticated, as sign-up is on AWS) and prints the server's JSON
// {"AccountId","AccessKeyId","SecretAccessKey"}.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct SignupOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  std::string email;
  std::string name;
  std::string password;   // the root user's console password ("" = none until a reset)
  std::string partition;  // aws (default), aws-cn, aws-us-gov, aws-iso, aws-iso-b
  bool no_payment_method = false;
  bool no_contact_info = false;
};

// Adds the `signup` subcommand to `app`; `options` must outlive app.parse().
CLI::App* AddSignupCommand(CLI::App& app, SignupOptions& options);

// Sends the request and prints the answer; returns the process exit code (0 on HTTP 200).
int RunSignup(const SignupOptions& options);

}  // namespace orgtwin::cli
