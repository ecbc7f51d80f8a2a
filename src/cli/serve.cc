#include "cli/serve.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/twin_http.h"
#include "client/credentials_file.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/log.h"
#include "gateway/gateway.h"
#include "model/service_model.h"
#include "repo/clock_repository.h"
#include "server/http_server.h"
#include "services/identity/credential_store.h"
#include "services/organizations/organizations_core.h"
#include "services/register.h"
#include "services/root/smtp_relay.h"
#include "services/sns/delivery.h"
#include "services/sts/web_identity_token.h"
#include "services/trail/audit_trail.h"
#include "services/trail/log_delivery.h"
#include "services/twin/default_account.h"
#include "store/open_store.h"
#include "store/store.h"

namespace orgtwin::cli {
namespace {

constexpr char kProfile[] = "orgtwin";

// Writes `text` to `path` with mode 0600 (the credentials file holds a root secret).
bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  char* end = nullptr;
  long value = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || value < 0 || value > 65535 || colon + 1 == listen.size()) return false;
  *port = static_cast<uint16_t>(value);
  return !host->empty();
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeOptions& options) {
  CLI::App* serve = app.add_subcommand("serve", "Serve the AWS wire protocols");
  serve->add_option("--listen", options.listen, "host:port to listen on (port 0 picks a free one)")
      ->capture_default_str();
  serve
      ->add_option("--data", options.data_dir,
                   "data directory: credentials, config and, unless --store names another, "
                   "orgtwin.db (SQLite)")
      ->capture_default_str();
  serve
      ->add_option("--store", options.store,
                   "where the twin's state lives: sqlite:///absolute/path.db or "
                   "sqlite:relative/path.db, options ?sync=normal|full&busy_timeout_ms=N "
                   "(default: sqlite:DATA/orgtwin.db, DATA being --data); or PostgreSQL: "
                   "postgres://user@host:port/database, libpq's options and busy_timeout_ms=N")
      ->type_name("URL");
  serve
      ->add_option("--auth", options.auth,
                   "enforce: verify SigV4 against stored keys; permissive: accept any key as "
                   "the default account's root (moto_server-like)")
      ->check(CLI::IsMember({"enforce", "permissive"}))
      ->capture_default_str();
  serve->add_option("--account-id", options.account_id, "ID of the default account")
      ->check([](const std::string& v) {
        return std::regex_match(v, std::regex("[0-9]{12}")) ? std::string()
                                                            : std::string("must be 12 digits");
      })
      ->capture_default_str();
  serve
      ->add_option("--clock", options.clock,
                   "system: the machine's clock; adjustable: system time plus an offset that "
                   "POST /_orgtwin/clock/advance moves forward (expiry tests)")
      ->check(CLI::IsMember({"system", "adjustable"}))
      ->capture_default_str();
  serve->add_flag("--allow-reset", options.allow_reset,
                  "allow POST /_orgtwin/reset and /moto-api/reset without SigV4");
  serve->add_option("--log-level", options.log_level, "debug, info, warn, error or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  serve->add_option("--threads", options.threads, "I/O threads (0 = one per core)")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", options.max_body_bytes, "largest accepted request body")
      ->capture_default_str();
  CLI::Option* tls_cert =
      serve
          ->add_option("--tls-cert", options.tls_cert_file,
                       "serve HTTPS (TLS 1.2+) with this certificate chain (PEM, leaf first)")
          ->check(CLI::ExistingFile)
          ->type_name("FILE");
  CLI::Option* tls_key = serve
                             ->add_option("--tls-key", options.tls_key_file,
                                          "the private key of --tls-cert (PEM, unencrypted)")
                             ->check(CLI::ExistingFile)
                             ->type_name("FILE");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  serve
      ->add_option("--smtp", options.smtp,
                   "also send the twin's mail (reset links, codes) through this SMTP server; "
                   "every message stays in its local mailbox too")
      ->type_name("HOST:PORT");
  serve->add_option("--smtp-from", options.smtp_from, "the sender of relayed mail")
      ->capture_default_str();
  serve
      ->add_option("--trail-delivery-ms", options.trail_delivery_ms,
                   "how often CloudTrail log files are delivered to DATA/<bucket>/ (events "
                   "twice that old are delivered)")
      ->check(CLI::Range(int64_t{10}, int64_t{600000}))
      ->capture_default_str();
  serve
      ->add_option("--sns-retry-delay", options.sns_retry_delay_seconds,
                   "seconds between SNS's retries of a failed HTTP/S delivery (SNS's default "
                   "delivery policy: 20; shorter for tests only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--created-account-leave-wait-days", options.created_account_leave_wait_days,
                   "days an account made by CreateAccount must wait before it may leave its "
                   "organization (the model says 4, the current quotas page 7)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--membership-change-wait-seconds", options.membership_change_wait_seconds,
                   "seconds after joining or leaving an organization before an account may "
                   "accept an invitation (ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED; "
                   "AWS publishes no figure, 0 = off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--org-account-quota", options.org_account_quota,
                   "accounts per organization (AWS's default quota is 10)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--oidc-jwks", options.oidc_jwks,
                    "ISSUER=FILE: the JWKS of an OpenID Connect issuer (e.g. "
                    "https://token.actions.githubusercontent.com=/etc/orgtwin/gh-jwks.json); "
                    "repeat per issuer. AssumeRoleWithWebIdentity verifies tokens with it");
  return serve;
}

int RunServe(const ServeOptions& options) {
  // Block SIGINT/SIGTERM before any thread starts -- the store's checkpoint thread, the I/O threads
  // -- (threads inherit the mask) and collect them with sigwait below: a signal that arrives
  // between "listening" and the wait stays pending instead of killing the process with its default
  // action.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(options.log_level, &level);
  SetLogLevel(level);

  server::ServerOptions server_options;
  if (!SplitListen(options.listen, &server_options.host, &server_options.port)) {
    return Fail("serve", "--listen must be host:port, got `" + options.listen + "`");
  }
  server_options.threads = options.threads;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.tls_cert_file = options.tls_cert_file;
  server_options.tls_key_file = options.tls_key_file;

  // The issuers' key files are checked now, so a typo fails the start, not the first token.
  services::sts::OidcKeyFiles oidc_keys;
  for (const std::string& entry : options.oidc_jwks) {
    // The issuer is a URL (it has its own ':'), so the last '=' separates the file.
    const size_t equals = entry.rfind('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) {
      return Fail("serve", "--oidc-jwks must be ISSUER=FILE, got `" + entry + "`");
    }
    const std::string file =
        std::filesystem::absolute(entry.substr(equals + 1)).lexically_normal().string();
    if (!std::filesystem::is_regular_file(file)) {
      return Fail("serve", "--oidc-jwks: cannot read `" + file + "`");
    }
    oidc_keys[entry.substr(0, equals)] = file;
  }
  services::sts::ConfigureOidcKeys(oidc_keys);

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Fail("serve",
                "cannot create data directory `" + options.data_dir + "`: " + ec.message());
  }
  const std::string data_dir = std::filesystem::absolute(options.data_dir).lexically_normal();

  const std::string store_url =
      options.store.empty() ? store::SqliteUrl(data_dir + "/orgtwin.db") : options.store;
  auto opened = store::OpenStore(store_url);
  if (!opened.ok()) return Fail("serve", opened.status().ToString());
  std::unique_ptr<store::Store> store = std::move(opened).value();

  SystemClock system_clock;
  AdjustableClock adjustable_clock;
  const bool adjustable = options.clock == "adjustable";
  const Clock& clock = adjustable ? static_cast<const Clock&>(adjustable_clock) : system_clock;
  if (adjustable) {
    // The clock goes on from where the twin's last run (or another node) moved it.
    Status taken = [&]() -> Status {
      OT_ASSIGN_OR_RETURN(auto tx, store->Begin(store::TxMode::kRead));
      OT_ASSIGN_OR_RETURN(std::chrono::microseconds offset, repo::StoredClockOffset(*tx));
      adjustable_clock.RaiseOffsetTo(offset);
      return Status::Ok();
    }();
    if (!taken.ok()) return Fail("serve", taken.ToString());
  }
  SecureIdGenerator ids;
  services::CredentialStore credentials(*store);
  auto account =
      services::EnsureDefaultAccount(*store, credentials, ids, clock, options.account_id);
  if (!account.ok()) return Fail("serve", account.status().ToString());

  const std::string credentials_path = data_dir + "/credentials";
  const std::string config_path = data_dir + "/config";
  // Only the twin's own profile is (re)written: other profiles in the files -- those a
  // rehearsal made in this directory -- stay.
  Status written =
      client::WriteIniSection(credentials_path, kProfile,
                              {{"aws_access_key_id", account->root_key.access_key_id},
                               {"aws_secret_access_key", account->root_key.secret_access_key}});
  if (written.ok()) {
    written = client::WriteIniSection(config_path, std::string("profile ") + kProfile,
                                      {{"region", "us-east-1"}, {"output", "json"}});
  }
  if (!written.ok()) return Fail("serve", written.message());

  gateway::GatewayOptions gateway_options;
  gateway_options.auth_mode =
      options.auth == "permissive" ? gateway::AuthMode::kPermissive : gateway::AuthMode::kEnforce;
  gateway_options.allow_unauthenticated_reset = options.allow_reset;
  if (adjustable) {
    gateway_options.adjustable_clock = &adjustable_clock;
    gateway_options.signature_clock = &system_clock;
  }
  // Declared before the gateway, which it must outlive: every call is recorded by it.
  services::trail::AuditTrail audit(*store, clock, ids);
  gateway::Gateway gateway(gateway_options, model::Registry::Embedded(),
                           gateway::TwinServices{*store, clock, ids, credentials, *account});
  gateway.SetCallObserver(&audit);
  services::organizations::ConfigureOrganizations({options.created_account_leave_wait_days,
                                                   options.org_account_quota,
                                                   options.membership_change_wait_seconds});
  Status registered = services::RegisterAllServices(gateway);
  if (!registered.ok()) return Fail("serve", registered.ToString());

  std::unique_ptr<services::root::SmtpRelay> relay;
  if (!options.smtp.empty()) {
    relay = std::make_unique<services::root::SmtpRelay>(
        *store, clock, services::root::SmtpRelayOptions{options.smtp, options.smtp_from});
    Status relaying = relay->Start();
    if (!relaying.ok()) return Fail("serve", relaying.message());
  }

  services::trail::LogDeliveryOptions delivery_options;
  delivery_options.data_dir = data_dir;
  delivery_options.poll_interval = std::chrono::milliseconds(options.trail_delivery_ms);
  delivery_options.settle_lag = 2 * delivery_options.poll_interval;
  services::trail::LogDelivery delivery(*store, clock, ids, delivery_options);
  Status delivering = delivery.Start();
  if (!delivering.ok()) return Fail("serve", delivering.message());

  server::HttpServer http(server_options, [&gateway](HttpRequest&& request, Deferral& deferral) {
    return gateway.Handle(std::move(request), deferral);
  });
  Status started = http.Start();
  if (!started.ok()) return Fail("serve", started.ToString());

  const std::string endpoint = std::string(server_options.tls() ? "https://" : "http://") +
                               server_options.host + ":" + std::to_string(http.port());
  // SNS's delivery outbox: undelivered messages of an earlier run resume here.
  services::sns::DeliveryWorker sns_delivery(
      *store, clock, services::sns::DeliveryOptions{endpoint, options.sns_retry_delay_seconds});
  Status sns_started = sns_delivery.Start();
  if (!sns_started.ok()) return Fail("serve", sns_started.ToString());
  std::printf("orgtwin listening on %s (store %s, auth %s)\n", endpoint.c_str(),
              store->Describe().c_str(), options.auth.c_str());
  std::printf("credentials: %s (profile %s, account %s)\n", credentials_path.c_str(), kProfile,
              account->account_id.c_str());
  // A self-signed certificate is trusted by naming it as the CA bundle (botocore's
  // AWS_CA_BUNDLE); a certificate from a public CA needs nothing.
  const std::string ca_bundle =
      server_options.tls()
          ? "AWS_CA_BUNDLE=" + std::filesystem::absolute(options.tls_cert_file).string() + " "
          : "";
  std::printf(
      "try: %sAWS_SHARED_CREDENTIALS_FILE=%s AWS_CONFIG_FILE=%s aws --profile %s "
      "--endpoint-url %s sts get-caller-identity\n",
      ca_bundle.c_str(), credentials_path.c_str(), config_path.c_str(), kProfile, endpoint.c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  Log(LogLevel::kInfo, std::string("received ") + (received == SIGINT ? "SIGINT" : "SIGTERM") +
                           ", stopping: in-flight requests finish first");
  http.Stop();
  if (relay != nullptr) relay->Stop();
  delivery.Stop();
  sns_delivery.Stop();
  Log(LogLevel::kInfo, "stopped after " + std::to_string(gateway.requests_served()) + " requests");
  return 0;
}

}  // namespace orgtwin::cli
