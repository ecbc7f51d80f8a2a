// File: testing/test_twin.h
//
// TestTwin: the whole twin in process for tests and benchmarks, without sockets. It owns a
// TempDir, a SQLite store with every migration in it, a clock (a FakeClock unless the options ask
// for the system clock), a seeded IdGenerator, the CredentialStore, the default account and a
// Gateway with every service registered. Calls go through Gateway::Handle, signed with SigV4 as
// an SDK would sign them, in the Query (form-encoded), JSON 1.1 (X-Amz-Target) or rest-json
// protocol; RunHandler runs one handler directly, in a write transaction as the gateway would.
// Setup failures are Results (no gtest here), so benchmarks can use it as well.
//
// Thread-safety: the Gateway and the Store are thread-safe; the rest (Reopen, ReplaceGateway,
// SetHandlerIds, the FakeClock's moves) is for the test's own thread.
// Lifetime: every reference it hands out lives until Reopen, ReplaceGateway or its destruction.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/ids.h"
#include "common/status.h"
#include "gateway/gateway.h"
#include "services/identity/credential_store.h"
#include "services/twin/default_account.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace orgtwin::test {

// The instant test twins start at unless told otherwise (2026-11-27).
inline const TimePoint kTestEpoch = std::chrono::system_clock::from_time_t(1795820864);

struct TestTwinOptions {
  std::string dir_prefix = "orgtwin-twin";
  // A FakeClock starting here; std::nullopt: the system clock (benchmarks).
  std::optional<TimePoint> fake_clock_start = kTestEpoch;
  uint64_t id_seed = 11;  // of the SeededIdGenerator
  // Create (or, after Reopen, find) the default account 123456789012 and its root access key.
  bool default_account = true;
  // Build a Gateway with every service registered (its TwinServices carry an empty
  // DefaultAccount when default_account is false).
  bool gateway = true;
  gateway::GatewayOptions gateway_options = {};
};

// An access key to sign with; `token` only for temporary credentials.
struct Keys {
  std::string id;
  std::string secret;
  std::string token;
};

// Query protocol parameters, flattened as on the wire ("Tags.member.1.Key"); sent sorted.
using QueryParams = std::map<std::string, std::string>;

class TestTwin {
 public:
  static Result<std::unique_ptr<TestTwin>> Create(TestTwinOptions options = {});
  ~TestTwin();
  TestTwin(const TestTwin&) = delete;
  TestTwin& operator=(const TestTwin&) = delete;

  const TempDir& dir() const { return dir_; }
  store::Store& store() { return *store_; }
  const Clock& clock() const { return *clock_; }
  // Precondition: the twin runs on a FakeClock (options.fake_clock_start set).
  FakeClock& fake_clock();
  IdGenerator& ids() { return *ids_; }
  services::CredentialStore& credentials() { return *credentials_; }
  // Empty unless options.default_account.
  const services::DefaultAccount& account() const { return account_; }
  Keys root_keys() const;
  // Precondition: options.gateway (or ReplaceGateway was called).
  gateway::Gateway& gateway() { return *gateway_; }
  // The audit trail the gateway reports calls to (services/trail/audit_trail.h); a test that
  // installs its own observer can put this one back.
  gateway::CallObserver& audit_trail() { return *audit_; }

  // Closes gateway, credential store and store, and opens them again on the same file: what a
  // restart of `orgtwin serve` does. The default account is found again (not re-created).
  Status Reopen();
  // Replaces the gateway by one built with `options` (every service registered).
  Status ReplaceGateway(gateway::GatewayOptions options);
  // RunHandler draws IDs from `ids` from now on (it must outlive those calls); the gateway keeps
  // the twin's own generator.
  void SetHandlerIds(IdGenerator& ids) { handler_ids_ = &ids; }

  // Signs `request` in place for `service` (SigV4, us-east-1, the twin's clock) and sets the
  // remote address 127.0.0.1.
  void Sign(HttpRequest& request, std::string_view service, const Keys& keys) const;
  // Query protocol: POST / to <service>.amazonaws.com with Action, the model's Version and
  // `params`, form-encoded.
  HttpRequest QueryRequest(std::string_view service, std::string_view action, QueryParams params,
                           const Keys& keys) const;
  // JSON protocol: POST / to <service>.us-east-1.amazonaws.com, X-Amz-Target from the model.
  HttpRequest JsonRequest(std::string_view service, std::string_view operation,
                          const boost::json::object& input, const Keys& keys) const;
  // rest-json: `method` `path` (with its query string) and `body` as JSON.
  HttpRequest RestJsonRequest(std::string_view service, std::string_view method,
                              std::string_view path, const boost::json::object& body,
                              const Keys& keys) const;

  HttpResponse Handle(HttpRequest request) { return gateway_->Handle(std::move(request)); }
  HttpResponse CallQuery(std::string_view service, std::string_view action, QueryParams params,
                         const Keys& keys) {
    return Handle(QueryRequest(service, action, std::move(params), keys));
  }
  HttpResponse CallJson(std::string_view service, std::string_view operation,
                        const boost::json::object& input, const Keys& keys) {
    return Handle(JsonRequest(service, operation, input, keys));
  }
  HttpResponse CallRestJson(std::string_view service, std::string_view method,
                            std::string_view path, const boost::json::object& body,
                            const Keys& keys) {
    return Handle(RestJsonRequest(service, method, path, body, keys));
  }

  // Runs `handler` as the gateway runs a write: as `caller`, in one kWrite transaction that is
  // committed only when the handler succeeded (rolled back otherwise). No authorization.
  Result<boost::json::object> RunHandler(const gateway::OperationHandler& handler,
                                         const auth::Principal& caller,
                                         const boost::json::object& input = {});

 private:
  explicit TestTwin(TestTwinOptions options);
  Status Open();
  void Close();

  TestTwinOptions options_;
  TempDir dir_;
  std::unique_ptr<Clock> clock_;
  FakeClock* fake_clock_ = nullptr;  // clock_ when it is a FakeClock
  std::unique_ptr<IdGenerator> ids_;
  IdGenerator* handler_ids_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::CredentialStore> credentials_;
  services::DefaultAccount account_;
  // The audit trail every call is recorded by; declared before the gateway, which it must outlive.
  std::unique_ptr<gateway::CallObserver> audit_;
  std::unique_ptr<gateway::Gateway> gateway_;
};

}  // namespace orgtwin::test
