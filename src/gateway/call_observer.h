// File: gateway/call_observer.h
//
// The gateway's one hook after every call that reached authorization: the CallObserver sees the
// caller, the operation, its input, the authorizer's Decision (with the statements that decided
// it) and the handler's output or error, inside a store transaction -- the place the audit trail
// writes its event, so that a write and its record commit together or not at all.
//
// Which transaction the observer gets (Gateway, gateway.h):
//   - a call whose handler succeeded: the handler's own transaction, before the gateway commits
//     it. An observer that fails makes the whole call fail (rolled back, InternalFailure).
//   - a call whose handler failed, or that was denied: a transaction of its own (the handler's
//     changes, if any, are already rolled back).
// The transaction is kWrite (a savepoint of the group-commit batch, on the store's writer thread)
// for an operation that may write, kRead (on the I/O thread) otherwise: an observer that must
// persist something about a read queues it with Store::SubmitWrite.
//
// Thread-safety: OnCall runs concurrently from I/O threads (reads) and the writer thread (writes).
// A write job may be retried (gateway.h): OnCall then runs again for the new attempt, in its new
// transaction; only the committed attempt's effects remain.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/status.h"
#include "gateway/authorizer.h"
#include "model/service_model.h"
#include "store/store.h"

namespace orgtwin::gateway {

// One call, as the observer sees it. Everything is borrowed for the duration of OnCall.
struct CallRecord {
  std::string_view request_id;
  TimePoint time;  // the twin's clock when the call was authorized
  const HttpRequest& http;
  std::string_view region;  // SigV4 scope region
  // The authenticated caller; for an operation without authentication (authtype none, e.g.
  // sts:AssumeRoleWithWebIdentity) an empty Principal.
  const auth::Principal& caller;
  const model::ServiceModel& service;
  const model::Operation& operation;
  const boost::json::object& input;
  // The authorizer's answer; null when the call was not authorized (permissive mode, or an
  // operation without authentication).
  const Authorization* authorization;
  // The handler's output, or the error the caller is answered with (the AccessDenied of a denied
  // call, the handler's error).
  const Result<boost::json::object>& outcome;
  // Whether `tx` is the handler's transaction (the call succeeded) or one of its own.
  bool handler_committing;
  // kWrite: `tx` may write (a savepoint of the group-commit batch, on the writer thread); kRead:
  // a read-only transaction on an I/O thread (see the top of this file).
  store::TxMode tx_mode;
};

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // Records `call` through `tx` (never commits it). An error fails the call when
  // call.handler_committing (nothing of it is kept); otherwise it is logged.
  virtual Status OnCall(store::Transaction& tx, const CallRecord& call) = 0;
};

}  // namespace orgtwin::gateway
