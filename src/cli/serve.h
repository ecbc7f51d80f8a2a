// File: cli/serve.h
//
// `orgtwin serve`: open the store (--store URL, by default orgtwin.db in --data DIR), make sure the
// default account exists, write the AWS credentials/config files for it into --data DIR, and
// serve the AWS wire protocols (HTTP, or HTTPS with --tls-cert and --tls-key) until SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:4566";
  std::string data_dir = ".orgtwin";
  // A store URL (store/open_store.h); "" is the SQLite file orgtwin.db in data_dir.
  std::string store;
  std::string auth = "enforce";
  std::string account_id = "123456789012";
  bool allow_reset = false;
  std::string clock = "system";  // "system" or "adjustable" (POST /_orgtwin/clock/advance)
  std::string log_level = "info";
  int threads = 0;
  size_t max_body_bytes = size_t{8} * 1024 * 1024;
  // HTTPS instead of HTTP when both are set: the certificate chain and its private key (PEM).
  std::string tls_cert_file;
  std::string tls_key_file;
  // The optional SMTP relay of the twin's mail (services/root/smtp_relay.h): host:port, "" = off.
  std::string smtp;
  std::string smtp_from = "no-reply@orgtwin.local";
  // CloudTrail log-file delivery (services/trail/log_delivery.h): its poll interval; events are
  // delivered once twice that old.
  int64_t trail_delivery_ms = 1000;
  // SNS HTTP/S retry delay in seconds (AWS: 20); shorter for tests only.
  double sns_retry_delay_seconds = 20;
  // Organizations (services/organizations/organizations_core.h).
  int created_account_leave_wait_days = 4;
  int64_t org_account_quota = 10;
  int64_t membership_change_wait_seconds = 0;
  // The JSON Web Key Sets AssumeRoleWithWebIdentity verifies ID tokens with, as ISSUER=FILE
  // (issuer URL as the tokens' iss claim says it); the twin fetches none (docs/federation.md).
  std::vector<std::string> oidc_jwks;
};

// Adds the `serve` subcommand to `app`; `options` must outlive app.parse().
CLI::App* AddServeCommand(CLI::App& app, ServeOptions& options);

// Runs the server; returns the process exit code.
int RunServe(const ServeOptions& options);

}  // namespace orgtwin::cli
