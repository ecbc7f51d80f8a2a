// File: gateway/gateway.h
//
// Gateway: the one path every AWS request takes through orgtwin (DESIGN.md section 2):
//
//   HttpRequest -> route: service + operation (protocol::Route; the twin's own extension API
//        under /_orgtwin/ and moto's /moto-api/reset is the modeled service `orgtwin`,
//        models/orgtwin/, handled like any AWS service)
//     -> authenticate: SigV4 -> access key -> Principal (auth/, CredentialStore)
//     -> parse + validate input against the model (protocol::ParseInput)
//     -> handler (registered per service + operation)
//     -> serialize output or AWS error in the service's protocol -> HttpResponse
//
// In enforce mode every request is authorized between parse and handler (gateway/authorizer.h):
// the operation's action and resource ARN(s) go to the policy engine with the caller's policies;
// a denial answers AWS's AccessDenied. Permissive mode skips authorization (moto_server-like).
// After an operation that may write, and after extension calls (reset, sign-up), the
// authorizer's policy epoch is bumped so the next request sees changed policies.
//
// The gateway owns the transaction. It opens the call's store transaction, runs the handler in it
// (RequestContext::tx), calls the CallObserver (call_observer.h: the audit hook) in the same
// transaction, and commits; a handler error rolls everything back, and the observer then sees the
// failed call in a transaction of its own, as it sees a denied call. Handlers never begin or
// commit a transaction.
//
// Reads run on the calling (I/O) thread in a kRead transaction and answer at once. An operation
// that may write (OperationMayWrite) is authorized on the I/O thread, then its handler runs as a
// job of the store's group commit (Store::SubmitWrite) in a kWrite transaction (a savepoint of
// the batch), and the answer is deferred until that commit made the job's changes durable; the
// policy epoch is bumped before the answer leaves, so the caller's next request sees the change.
//
// Retries. A write attempt that loses a race to another writer -- a serialization conflict
// (kConflict) or a raw unique-key violation the handler's own checks did not see coming (a store
// kAlreadyExists with no AWS code) -- is rolled back and run again, whole (handler and observer,
// in a new transaction), up to kMaxWriteAttempts times. The handler's checks then see the winner's
// row and answer AWS's error (EntityAlreadyExists, ...). SQLite's single writer never loses such
// a race; a multi-node PostgreSQL store does. Handlers are written to be safe to re-run: all
// their effects go through the transaction (request_context.h).
//
// Thread-safety: Handle() is called concurrently from the server's I/O threads. Registration
// happens before the server starts and is not synchronized.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/http_message.h"
#include "common/ids.h"
#include "gateway/authorizer.h"
#include "gateway/call_observer.h"
#include "gateway/request_context.h"
#include "model/service_model.h"
#include "services/identity/credential_store.h"
#include "services/twin/default_account.h"
#include "store/store.h"

namespace orgtwin::gateway {

enum class AuthMode {
  kEnforce,     // SigV4 verified against stored secrets (default)
  kPermissive,  // any access key is accepted as the default account's root (moto_server-like)
};

struct GatewayOptions {
  AuthMode auth_mode = AuthMode::kEnforce;
  // Allow the twin's administration (orgtwin ResetTwin, ResetMotoServer, AdvanceClock: POST
  // /_orgtwin/reset, /moto-api/reset, /_orgtwin/clock/advance) without SigV4 in enforce mode.
  bool allow_unauthenticated_reset = false;
  // Set by `orgtwin serve --clock adjustable`: the twin's clock, which
  // POST /_orgtwin/clock/advance moves forward. Null: the clock cannot be moved.
  AdjustableClock* adjustable_clock = nullptr;
  // The clock the SigV4 +-15-minute window is checked against. Clients sign with real time even
  // after the twin's clock was advanced, so an adjustable twin checks signatures on the system
  // clock. Null: the twin's clock.
  const Clock* signature_clock = nullptr;
};

// The shared parts of the twin that handlers use.
struct TwinServices {
  store::Store& store;
  const Clock& clock;
  IdGenerator& ids;
  services::CredentialStore& credentials;
  services::DefaultAccount default_account;
};

class Gateway {
 public:
  Gateway(GatewayOptions options, const model::Registry& models, TwinServices twin);

  // Registers the handler of `operation` of the service whose signing name is `service`
  // ("sts", "iam", "organizations", ...). Precondition: the model has that operation.
  Status Register(std::string_view service, std::string_view operation, OperationHandler handler);
  // Registers every row of a service's handler table; stops at the first failure.
  Status RegisterAll(std::string_view service, std::span<const HandlerEntry> handlers);

  // Waits for every deferred request to be answered (their jobs reference the gateway).
  ~Gateway();

  // Answers one HTTP request: now, or (std::nullopt) later through `deferral` -- writes wait for
  // the group commit. Never throws; bugs in a handler become InternalFailure 500.
  std::optional<HttpResponse> Handle(HttpRequest&& request, Deferral& deferral);
  // The same, waiting for a deferred answer (tests, benchmarks, in-process callers).
  HttpResponse Handle(HttpRequest&& request);

  // Installs the observer every authorized call is reported to (call_observer.h); null removes
  // it. Not synchronized: call before the server starts. `observer` must outlive the gateway.
  void SetCallObserver(CallObserver* observer) { observer_ = observer; }

  // How many times a write is attempted before its race is reported (see the top of this file).
  static constexpr int kMaxWriteAttempts = 3;

  // The authorizer (tests and benchmarks inspect its epoch and cache).
  Authorizer& authorizer() { return *authorizer_; }
  // The service models the gateway serves (the custody analysis authorizes operations by them).
  const model::Registry& models() const { return models_; }

  // Adds what to run when another node on the same database committed since this node last
  // looked (Store::CommitsByOthers): a service's in-memory cache of stored state drops itself.
  // The gateway's own caches (authorizer, credentials, the adjustable clock) need none. Not
  // synchronized: call before the server starts.
  void OnCommitsByOthers(std::function<void()> drop_cache) {
    stale_cache_hooks_.push_back(std::move(drop_cache));
  }

  // Requests answered so far (health endpoint, tests).
  uint64_t requests_served() const { return requests_served_.load(std::memory_order_relaxed); }

 private:
  struct Call;  // an authenticated, parsed and authorized AWS request (gateway.cc)
  // Routes, authenticates, parses and authorizes: the Call ready for its handler, or the
  // response that ends the request here (an error). Sets call_or->log_operation either way.
  std::optional<HttpResponse> PrepareAws(Call& call);
  // Runs the call (its handler unless denied, and the observer) in its transaction(s), retrying
  // a lost write race; leaves the answer in call.output.
  void Execute(Call& call, store::TxMode mode);
  // One attempt of Execute. Returns the status that ends the attempt: Ok, a retryable race, or a
  // store failure (call.output then holds the call's answer or is overwritten by the caller).
  Status Attempt(Call& call, store::TxMode mode);
  void RunHandler(Call& call, store::Transaction& tx);
  Status Observe(Call& call, store::Transaction& tx, store::TxMode mode, bool handler_committing);
  HttpResponse Respond(Call& call);
  void LogRequest(const std::string& operation, int status,
                  std::chrono::steady_clock::time_point started);
  // The orgtwin extension operations that report or move the gateway's own state: GetHealth and
  // AdvanceClock (the rest are services/twin/).
  void RegisterOwnOperations();
  Result<boost::json::object> AdvanceClock(RequestContext& ctx, const boost::json::object& input);
  // Several nodes on one database: when another node committed since this one last looked, drops
  // every cache of stored state (and takes the stored clock) before the request uses them, so a
  // write acknowledged by any node is seen by the next request on this one.
  Status CatchUpWithOtherNodes();
  // Verifies SigV4 and returns the caller. `service` (may be null) picks the error codes.
  Result<auth::Principal> Authenticate(const HttpRequest& request,
                                       const model::ServiceModel* service, std::string* region);

  GatewayOptions options_;
  const model::Registry& models_;
  TwinServices twin_;
  // A registered handler with what the gateway needs to schedule its operation, looked up once
  // at registration (operation_table.h) instead of on every request.
  struct OperationFlags {
    bool may_write = true;   // runs on the writer thread (OperationMayWrite)
    bool read_only = false;  // changes no authorization decision (IsReadOnlyOperation)
    bool only_adds = false;  // only adds resources (OnlyAddsResources)
  };
  struct Registered {
    OperationHandler handler;
    OperationFlags flags;
  };
  // The scheduling flags of `operation`, registered or not (a denied call may have no handler).
  static OperationFlags FlagsOf(const model::ServiceModel& service,
                                const model::Operation& operation);
  // Keyed by the Operation object of the embedded model (stable pointers).
  std::map<const model::Operation*, Registered> handlers_;
  std::atomic<uint64_t> requests_served_{0};
  std::unique_ptr<Authorizer> authorizer_;
  CallObserver* observer_ = nullptr;
  std::vector<std::function<void()>> stale_cache_hooks_;
  // Store::CommitsByOthers when this node last dropped its caches.
  std::atomic<uint64_t> commits_by_others_seen_{0};
  // Writes submitted to the store and not yet done (the destructor waits for zero).
  std::mutex in_flight_mutex_;
  std::condition_variable in_flight_done_;
  size_t in_flight_ = 0;  // GUARDED_BY(in_flight_mutex_)
};

}  // namespace orgtwin::gateway
