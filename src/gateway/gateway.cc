#include "gateway/gateway.h"

#include <chrono>
#include <cstdint>
#include <future>
#include <string_view>

#include "auth/sigv4.h"
#include "common/log.h"
#include "common/partition.h"
#include "gateway/partition_translation.h"
#include "protocol/protocol.h"
#include "repo/clock_repository.h"
#include "store/lazy_transaction.h"

namespace orgtwin::gateway {
namespace {

// AWS-COMPAT: an unknown or inactive access key is InvalidClientTokenId on the Query services
// (IAM, STS) and UnrecognizedClientException on the JSON ones; expired temporary credentials
// are ExpiredToken / ExpiredTokenException.
Status UnknownKeyError(const model::ServiceModel* service) {
  bool query = service != nullptr && service->protocol == model::Protocol::kQuery;
  return UnauthenticatedError("The security token included in the request is invalid.")
      .WithAwsCode(query ? "InvalidClientTokenId" : "UnrecognizedClientException");
}

Status ExpiredTokenError(const model::ServiceModel* service) {
  bool query = service != nullptr && service->protocol == model::Protocol::kQuery;
  return UnauthenticatedError("The security token included in the request is expired")
      .WithAwsCode(query ? "ExpiredToken" : "ExpiredTokenException");
}

// SigV4 errors come from auth/ with the Query services' codes; JSON and rest-json services use
// their own names for the same errors (InvalidSignatureException, ...).
Status InServiceTerms(const model::ServiceModel* service, Status status) {
  if (service == nullptr || service->protocol == model::Protocol::kQuery ||
      status.aws_code().empty()) {
    return status;
  }
  std::string code(auth::JsonProtocolAuthCode(status.aws_code()));
  return std::move(status).WithAwsCode(std::move(code));
}

// A store error (no AWS code: not an answer a handler chose) that another writer caused: a
// serialization conflict, or a unique key taken between the handler's check and its insert.
bool LostRace(const Status& status) {
  return status.aws_code().empty() &&
         (status.code() == ErrorCode::kConflict || status.code() == ErrorCode::kAlreadyExists);
}

std::string ServiceLabel(const model::ServiceModel* service) {
  return service == nullptr ? "-" : service->signing_name;
}

// The synchronous Handle's deferral: the completing thread builds the response and hands it over.
class WaitingResponse final : public Deferral, public PendingResponse {
 public:
  std::shared_ptr<PendingResponse> Defer() override {
    return std::shared_ptr<PendingResponse>(std::shared_ptr<void>(), this);  // not owning
  }
  void Complete(std::function<HttpResponse()> make) override { promise_.set_value(make()); }
  HttpResponse Wait() { return promise_.get_future().get(); }

 private:
  std::promise<HttpResponse> promise_;
};

}  // namespace

struct Gateway::Call {
  HttpRequest request;
  std::string request_id;
  std::chrono::steady_clock::time_point started;
  std::string log_operation;
  const model::ServiceModel* service = nullptr;
  const model::Operation* operation = nullptr;
  // The registration of the operation, with its scheduling flags: the registered handler's, or
  // (a denied call of an operation without one) those of the operation table.
  Gateway::OperationFlags flags;
  const OperationHandler* handler = nullptr;
  auth::Principal caller;
  std::string region = "us-east-1";
  // The partition the call is made in (partition_translation.h): the caller's account's, or in
  // permissive mode the signed region's.
  std::string partition = std::string(kDefaultPartition);
  TimePoint now{};
  boost::json::object input;
  // Set when the call was authorized (enforce mode); a denied call has !authorization->allowed()
  // and never reaches its handler.
  std::optional<Authorization> authorization;
  Result<boost::json::object> output = InternalError("handler did not run");
  // RequestContext::writes_on_failure of the last attempt.
  std::vector<std::function<Status(store::Transaction&)>> writes_on_failure;

  // `serve --allow-reset` let this call of the twin's administration in unsigned.
  bool unsigned_admin = false;

  bool denied() const { return authorization.has_value() && !authorization->allowed(); }
};

Gateway::Gateway(GatewayOptions options, const model::Registry& models, TwinServices twin)
    : options_(options),
      models_(models),
      twin_(std::move(twin)),
      authorizer_(std::make_unique<Authorizer>(twin_.store)) {
  RegisterOwnOperations();
}

void Gateway::RegisterOwnOperations() {
  using Json = boost::json::object;
  // INVARIANT: the embedded orgtwin model (models/orgtwin/) has both operations.
  Status health = Register("orgtwin", "GetHealth", [this](RequestContext&, const Json&) {
    // Asking claims the lead when no node holds it, as the background workers' own polls do.
    Result<bool> leads = twin_.store.LeadsBackgroundWork();
    return Result<Json>(Json{{"status", "ok"},
                             {"store", twin_.store.Describe()},
                             {"defaultAccountId", twin_.default_account.account_id},
                             {"requestsServed", requests_served()},
                             {"leadsBackgroundWork", leads.ok() && *leads}});
  });
  // Moves the twin's clock forward, for expiry rules (handshakes, temporary credentials).
  Status clock =
      Register("orgtwin", "AdvanceClock",
               [this](RequestContext& ctx, const Json& input) { return AdvanceClock(ctx, input); });
  if (!health.ok() || !clock.ok()) {
    Log(LogLevel::kError, "the orgtwin model lacks the gateway's own operations");
  }
}

Status Gateway::CatchUpWithOtherNodes() {
  OT_ASSIGN_OR_RETURN(uint64_t commits, twin_.store.CommitsByOthers());
  uint64_t seen = commits_by_others_seen_.load(std::memory_order_acquire);
  if (commits == seen) return Status::Ok();
  authorizer_->BumpEpoch();
  twin_.credentials.ForgetCached();
  for (const auto& drop_cache : stale_cache_hooks_) drop_cache();
  if (options_.adjustable_clock != nullptr) {
    OT_ASSIGN_OR_RETURN(auto tx, twin_.store.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(std::chrono::microseconds offset, repo::StoredClockOffset(*tx));
    options_.adjustable_clock->RaiseOffsetTo(offset);
  }
  // Concurrent requests may both catch up; the count only ever rises.
  while (seen < commits &&
         !commits_by_others_seen_.compare_exchange_weak(seen, commits, std::memory_order_acq_rel)) {
  }
  return Status::Ok();
}

Result<boost::json::object> Gateway::AdvanceClock(RequestContext& ctx,
                                                  const boost::json::object& input) {
  if (options_.adjustable_clock == nullptr) {
    return InvalidInputError("start the server with --clock adjustable to move its clock")
        .WithAwsCode("ClockNotAdjustable");
  }
  if (ctx.caller.type != auth::PrincipalType::kRoot ||
      ctx.caller.account_id != twin_.default_account.account_id) {
    return AccessDeniedError("only the root user of the default account may move the twin's clock")
        .WithAwsCode("AccessDeniedException");
  }
  const boost::json::value* seconds = input.if_contains("Seconds");
  if (seconds == nullptr || !seconds->is_number() || seconds->to_number<double>() <= 0) {
    return InvalidInputError("the body must be {\"Seconds\": N} with N > 0")
        .WithAwsCode("InvalidInput");
  }
  // The stored offset is the clock (repo/clock_repository.h): every node takes it up, and the next
  // start begins from it. A node's own offset never runs ahead of it (raised only from it).
  OT_ASSIGN_OR_RETURN(std::chrono::microseconds stored, repo::StoredClockOffset(ctx.tx));
  const std::chrono::microseconds offset =
      stored + std::chrono::microseconds(static_cast<int64_t>(seconds->to_number<double>() * 1e6));
  OT_RETURN_IF_ERROR(repo::StoreClockOffset(ctx.tx, offset));
  ctx.tx.AfterCommit([clock = options_.adjustable_clock, offset] { clock->RaiseOffsetTo(offset); });
  return boost::json::object{{"Now", FormatIso8601(std::chrono::system_clock::now() + offset)},
                             {"OffsetSeconds", std::chrono::duration<double>(offset).count()}};
}

Status Gateway::Register(std::string_view service, std::string_view operation,
                         OperationHandler handler) {
  const model::ServiceModel* model = models_.BySigningName(service);
  if (model == nullptr) return InternalError("no model for service `" + std::string(service) + "`");
  const model::Operation* op = model->FindOperation(operation);
  if (op == nullptr) {
    return InternalError("service `" + std::string(service) + "` has no operation `" +
                         std::string(operation) + "`");
  }
  handlers_[op] = Registered{std::move(handler), FlagsOf(*model, *op)};
  return Status::Ok();
}

Gateway::OperationFlags Gateway::FlagsOf(const model::ServiceModel& service,
                                         const model::Operation& operation) {
  OperationFlags flags;
  flags.may_write = OperationMayWrite(service.signing_name, operation.name);
  flags.read_only = IsReadOnlyOperation(service.signing_name, operation.name);
  flags.only_adds = OnlyAddsResources(service.signing_name, operation.name);
  return flags;
}

Status Gateway::RegisterAll(std::string_view service, std::span<const HandlerEntry> handlers) {
  for (const HandlerEntry& entry : handlers) {
    OT_RETURN_IF_ERROR(Register(service, entry.operation, entry.handler));
  }
  return Status::Ok();
}

Gateway::~Gateway() {
  std::unique_lock<std::mutex> lock(in_flight_mutex_);
  in_flight_done_.wait(lock, [this] { return in_flight_ == 0; });
}

HttpResponse Gateway::Handle(HttpRequest&& request) {
  WaitingResponse waiting;
  std::optional<HttpResponse> now = Handle(std::move(request), waiting);
  return now.has_value() ? std::move(*now) : waiting.Wait();
}

std::optional<HttpResponse> Gateway::Handle(HttpRequest&& request, Deferral& deferral) {
  const auto started = std::chrono::steady_clock::now();
  requests_served_.fetch_add(1, std::memory_order_relaxed);
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->request_id = twin_.ids.Uuid();
  call->started = started;
  if (std::optional<HttpResponse> refused = PrepareAws(*call)) {
    LogRequest(call->log_operation, refused->status, started);
    return refused;
  }
  const bool may_write = call->flags.may_write;
  // A denied call has nothing to run; without an observer to record it, answer at once.
  if (!may_write || (call->denied() && observer_ == nullptr)) {
    if (!call->denied() || observer_ != nullptr) Execute(*call, store::TxMode::kRead);
    return Respond(*call);
  }

  // A write: the handler runs on the store's writer thread, the answer after the commit.
  std::shared_ptr<PendingResponse> pending = deferral.Defer();
  {
    std::lock_guard<std::mutex> lock(in_flight_mutex_);
    ++in_flight_;
  }
  twin_.store.SubmitWrite(store::WriteJob{
      [this, call] { Execute(*call, store::TxMode::kWrite); },
      [this, call, pending](const Status& committed) {
        if (!committed.ok()) {
          // The batch did not commit, so nothing of this call did: say so, not what it made.
          Log(LogLevel::kError, call->log_operation + ": commit failed: " + committed.ToString());
          call->output = InternalError("internal failure");
        }
        // A write (even one that failed late) invalidates cached policies; bumped before the
        // response leaves, so the caller's next request sees the change.
        if (call->denied()) {
          // Nothing of the operation ran.
        } else if (call->flags.only_adds) {
          authorizer_->BumpResources();
        } else if (!call->flags.read_only) {
          authorizer_->BumpEpoch();
        }
        pending->Complete([this, call] { return Respond(*call); });
        std::lock_guard<std::mutex> lock(in_flight_mutex_);
        if (--in_flight_ == 0) in_flight_done_.notify_all();
      }});
  return std::nullopt;
}

void Gateway::LogRequest(const std::string& operation, int status,
                         std::chrono::steady_clock::time_point started) {
  if (!LogEnabled(LogLevel::kInfo)) return;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  Log(LogLevel::kInfo,
      operation + " " + std::to_string(status) + " " + std::to_string(micros) + "us");
}

std::optional<HttpResponse> Gateway::PrepareAws(Call& call) {
  const HttpRequest& request = call.request;
  const std::string& request_id = call.request_id;
  protocol::RouteOutcome route = protocol::Route(models_, request);
  const model::ServiceModel* service = route.routed.service;
  if (!route.ok) {
    call.log_operation = ServiceLabel(service) + " ?";
    return protocol::SerializeError(service, route.error, request_id);
  }
  const model::Operation* operation = route.routed.operation;
  call.service = service;
  call.operation = operation;
  call.log_operation = service->signing_name + " " + operation->name;
  if (Status caught_up = CatchUpWithOtherNodes(); !caught_up.ok()) {
    return protocol::SerializeError(service, protocol::ErrorFromStatus(service, caught_up),
                                    request_id);
  }

  // `serve --allow-reset`: the twin's administration (reset, clock) needs no signature; the
  // caller is the default account's root, as in permissive mode.
  call.unsigned_admin = options_.allow_unauthenticated_reset &&
                        service->signing_name == "orgtwin" &&
                        (operation->name == "ResetTwin" || operation->name == "ResetMotoServer" ||
                         operation->name == "AdvanceClock");
  if (call.unsigned_admin) {
    call.caller = twin_.default_account.root_key.principal;
  }
  // AWS-COMPAT: SNS's SubscribeURL and UnsubscribeURL are plain unsigned GETs of
  // ConfirmSubscription and Unsubscribe. Sent without any signature they run like an authtype
  // none operation, with an empty caller; their handlers decide (AuthenticateOnUnsubscribe).
  const bool unsigned_sns =
      service->signing_name == "sns" &&
      (operation->name == "ConfirmSubscription" || operation->name == "Unsubscribe") &&
      request.Header("Authorization") == nullptr &&
      request.RawQuery().find("X-Amz-Signature=") == std::string_view::npos;
  // Authenticate before looking at the input: an unauthenticated caller learns nothing about
  // validation rules (AWS answers auth errors first, too).
  if (!operation->auth_none && !call.unsigned_admin && !unsigned_sns) {
    Result<auth::Principal> authenticated = Authenticate(request, service, &call.region);
    if (!authenticated.ok()) {
      return protocol::SerializeError(
          service, protocol::ErrorFromStatus(service, authenticated.status()), request_id);
    }
    call.caller = std::move(authenticated).value();
    call.partition = options_.auth_mode == AuthMode::kPermissive
                         ? std::string(PartitionOfRegion(call.region))
                         : call.caller.partition;
    // AWS-COMPAT: GetSessionToken / GetFederationToken credentials are limited regardless of
    // policy (IAM needs MFA; few STS calls) -- services/identity/credential_store.h.
    Status scope = services::CheckTemporaryCredentialScope(call.caller, service->signing_name,
                                                           operation->name);
    if (!scope.ok()) {
      return protocol::SerializeError(service, protocol::ErrorFromStatus(service, scope),
                                      request_id);
    }
  }

  Result<boost::json::object> input = protocol::ParseInput(route.routed, request);
  if (!input.ok()) {
    return protocol::SerializeError(service, protocol::ErrorFromStatus(service, input.status()),
                                    request_id);
  }
  call.input = std::move(input).value();
  if (call.partition != kDefaultPartition) {
    RewriteArnPartition(call.input, call.partition, kDefaultPartition);
  }

  call.now = twin_.clock.Now();
  // Authorize after validation (AWS reports malformed input before AccessDenied) and before
  // the handler. Operations without authentication (authtype none) have no caller to authorize.
  if (options_.auth_mode == AuthMode::kEnforce && !operation->auth_none && !call.unsigned_admin &&
      !unsigned_sns) {
    Result<Authorization> authorized =
        authorizer_->Authorize(AuthorizationRequest{*service, *operation, call.input, call.caller,
                                                    call.region, request.remote_address, call.now});
    if (!authorized.ok()) {
      return protocol::SerializeError(
          service, protocol::ErrorFromStatus(service, authorized.status()), request_id);
    }
    call.authorization = std::move(authorized).value();
    if (!call.authorization->allowed()) {
      // Denied: answered by Handle, after the observer saw the decision.
      call.output = call.authorization->status;
      auto registered = handlers_.find(operation);
      call.flags =
          registered != handlers_.end() ? registered->second.flags : FlagsOf(*service, *operation);
      return std::nullopt;
    }
  }

  // Authorized first: a denied call is AccessDenied even where orgtwin has no handler yet.
  auto handler = handlers_.find(operation);
  if (handler == handlers_.end()) {
    protocol::AwsError error;
    error.code = "NotImplemented";
    error.message =
        "orgtwin does not implement " + service->service_id + " " + operation->name + " yet";
    error.http_status = 501;
    error.sender_fault = false;
    return protocol::SerializeError(service, error, request_id);
  }
  call.flags = handler->second.flags;
  call.handler = &handler->second.handler;
  return std::nullopt;
}

void Gateway::Execute(Call& call, store::TxMode mode) {
  for (int attempt = 1;; ++attempt) {
    Status ended = Attempt(call, mode);
    if (ended.ok()) return;
    if (mode == store::TxMode::kWrite && LostRace(ended) && attempt < kMaxWriteAttempts &&
        !call.denied()) {
      continue;
    }
    // A store failure (busy past its timeout, I/O) or a race lost too often: the caller gets it,
    // and nothing of the call was kept.
    if (ended.code() != ErrorCode::kUnavailable) {
      Log(LogLevel::kError, call.log_operation + ": " + ended.ToString());
    }
    call.output = std::move(ended);
    return;
  }
}

Status Gateway::Attempt(Call& call, store::TxMode mode) {
  if (!call.denied()) {
    // Begun at the handler's first statement: a call that never reads the store costs no BEGIN.
    store::LazyTransaction tx(twin_.store, mode);
    RunHandler(call, tx);
    if (call.output.ok()) {
      OT_RETURN_IF_ERROR(Observe(call, tx, mode, /*handler_committing=*/true));
      return tx.Commit();
    }
    if (LostRace(call.output.status())) {
      return call.output.status();  // Execute decides whether to run the call again
    }
    // The handler's error is the answer; its changes roll back with `tx`.
  }
  if (observer_ == nullptr && call.writes_on_failure.empty()) return Status::Ok();
  store::LazyTransaction tx(twin_.store, mode);
  for (const auto& write : call.writes_on_failure) {
    Status written = write(tx);
    if (!written.ok()) {
      // The call's answer stands; the record of the failure is what is lost.
      Log(LogLevel::kError, call.log_operation + ": failure record: " + written.ToString());
      return Status::Ok();
    }
  }
  Status observed = Observe(call, tx, mode, /*handler_committing=*/false);
  if (!observed.ok()) {
    // The call's answer stands; only its record is missing.
    Log(LogLevel::kError, call.log_operation + ": observer failed: " + observed.ToString());
    return Status::Ok();
  }
  Status committed = tx.Commit();
  if (!committed.ok()) {
    Log(LogLevel::kError, call.log_operation + ": observer commit failed: " + committed.ToString());
  }
  return Status::Ok();
}

void Gateway::RunHandler(Call& call, store::Transaction& tx) {
  call.writes_on_failure.clear();  // a retried attempt records its own
  RequestContext ctx{call.caller, call.request, call.request_id,        call.now, call.region,
                     twin_,       tx,           &call.writes_on_failure};
  try {
    call.output = (*call.handler)(ctx, call.input);
  } catch (const std::exception& e) {
    // INVARIANT: handlers return errors as values; an exception here is a bug. Answer 500 and
    // keep serving rather than take the process down.
    Log(LogLevel::kError, "handler " + call.operation->name + " threw: " + e.what());
    call.output = InternalError("internal failure");
  }
}

Status Gateway::Observe(Call& call, store::Transaction& tx, store::TxMode mode,
                        bool handler_committing) {
  if (observer_ == nullptr) return Status::Ok();
  CallRecord record{call.request_id,
                    call.now,
                    call.request,
                    call.region,
                    call.caller,
                    *call.service,
                    *call.operation,
                    call.input,
                    call.authorization.has_value() ? &*call.authorization : nullptr,
                    call.output,
                    handler_committing,
                    mode};
  try {
    return observer_->OnCall(tx, record);
  } catch (const std::exception& e) {
    // INVARIANT: as for handlers, an exception is a bug; it must not take the server down.
    return InternalError(std::string("observer threw: ") + e.what());
  }
}

HttpResponse Gateway::Respond(Call& call) {
  const bool translate = call.partition != kDefaultPartition;
  if (translate && call.output.ok()) {
    // Before serializing: IAM URL-encodes its policy documents into the XML.
    RewriteArnPartition(*call.output, kDefaultPartition, call.partition);
  }
  HttpResponse response =
      call.output.ok()
          ? protocol::SerializeOutput(*call.service, *call.operation, *call.output, call.request_id)
          : protocol::SerializeError(call.service,
                                     protocol::ErrorFromStatus(call.service, call.output.status()),
                                     call.request_id);
  if (translate && !call.output.ok()) {
    // An error's message names ARNs as text ("User: arn:aws:iam::... is not authorized").
    response.body = RewriteArnPartition(response.body, kDefaultPartition, call.partition);
  }
  LogRequest(call.log_operation, response.status, call.started);
  return response;
}

Result<auth::Principal> Gateway::Authenticate(const HttpRequest& request,
                                              const model::ServiceModel* service,
                                              std::string* region) {
  if (options_.auth_mode == AuthMode::kPermissive) {
    // moto_server-like, but a key the twin issued (CreateAccessKey, AssumeRole, GetSessionToken,
    // GetFederationToken, sign-up) still acts as its own principal in its own account, and an
    // access key's use is recorded, so what a client does with the keys it was given lands where
    // it would on AWS. Neither the signature nor the session token is checked; any other key, or
    // none, is the default account's root (README, "Permissive mode").
    Result<auth::SigV4Request> parsed = auth::ParseSigV4(request);
    if (parsed.ok() && !parsed->scope_region.empty()) *region = parsed->scope_region;
    if (parsed.ok()) {
      OT_ASSIGN_OR_RETURN(std::optional<services::Credential> credential,
                          twin_.credentials.Lookup(parsed->access_key_id));
      if (credential.has_value()) {
        if (service != nullptr && credential->session_token.empty()) {
          twin_.credentials.RecordUse(parsed->access_key_id, service->signing_name, *region,
                                      twin_.clock.Now());
        }
        return credential->principal;
      }
    }
    auth::Principal root = twin_.default_account.root_key.principal;
    if (parsed.ok()) root.access_key_id = parsed->access_key_id;
    return root;
  }
  Result<auth::SigV4Request> parsed_or = auth::ParseSigV4(request);
  if (!parsed_or.ok()) return InServiceTerms(service, parsed_or.status());
  const auth::SigV4Request& parsed = *parsed_or;
  OT_ASSIGN_OR_RETURN(std::optional<services::Credential> credential,
                      twin_.credentials.Lookup(parsed.access_key_id));
  if (!credential.has_value() || !credential->active) return UnknownKeyError(service);
  if (!credential->session_token.empty() &&
      (!parsed.session_token.has_value() || *parsed.session_token != credential->session_token)) {
    return UnknownKeyError(service);
  }
  if (service != nullptr) {
    Status scope = auth::CheckCredentialScope(parsed, service->signing_name);
    if (!scope.ok()) return InServiceTerms(service, std::move(scope));
  }
  Status verified = auth::VerifySigV4(
      request, parsed, credential->secret_access_key,
      (options_.signature_clock != nullptr ? *options_.signature_clock : twin_.clock).Now());
  if (!verified.ok()) return InServiceTerms(service, std::move(verified));
  if (credential->expires_at.has_value() && twin_.clock.Now() >= *credential->expires_at) {
    return ExpiredTokenError(service);
  }
  *region = parsed.scope_region;
  // Keys work only in their account's partition: elsewhere AWS does not know them. The twin's
  // own extension API is not AWS's and answers in any region.
  if (service != nullptr && service->signing_name != "orgtwin" &&
      PartitionOfRegion(parsed.scope_region) != credential->principal.partition) {
    return UnknownKeyError(service);
  }
  // GetAccessKeyLastUsed: an in-memory note; the store is written off this path.
  if (service != nullptr && credential->session_token.empty()) {
    twin_.credentials.RecordUse(parsed.access_key_id, service->signing_name, *region,
                                twin_.clock.Now());
  }
  return credential->principal;
}

}  // namespace orgtwin::gateway
