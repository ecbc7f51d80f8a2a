// File: gateway/request_context.h
//
// What a service handler receives: the authenticated caller, the request's identity (ID, time,
// source address), the request's store transaction, and the twin's shared parts (clock, ID
// generator, credential cache). Handlers are named after the AWS operations they serve and have
// the OperationHandler signature.
//
// Transactions belong to the gateway (gateway.h): it opens `tx` before the handler -- kWrite, a
// savepoint of the store's group-commit batch, for an operation that may write; kRead otherwise --
// and commits it after the handler and the call observer, or rolls it back when the handler
// returns an error. A handler reads and writes only through `tx` and never commits or begins one
// of its own. A write handler may be run more than once for one request (the gateway retries a
// job that lost a race, see gateway.h), so it must keep every effect inside `tx` (in-memory
// caches are changed with tx.AfterCommit) and must not consume its input.
//
// Lifetime: a RequestContext lives for one request; the references it holds outlive it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace orgtwin::gateway {

struct TwinServices;  // defined in gateway/gateway.h

struct RequestContext {
  const auth::Principal& caller;
  const HttpRequest& http;
  std::string request_id;
  TimePoint now;
  std::string region;  // from the SigV4 scope; "us-east-1" when unsigned
  TwinServices& twin;
  // The request's transaction (see the top of this file).
  store::Transaction& tx;
  // Writes that must stand although the handler answers an error: a failed console sign-in's
  // ConsoleLogin event and lockout counter. The handler's own changes in `tx` roll back; the
  // gateway then runs these, in order, in a transaction of their own with the call's record, and
  // commits them. Null where a caller runs handlers outside the gateway.
  std::vector<std::function<Status(store::Transaction&)>>* writes_on_failure = nullptr;
};

// A handler returns the operation's output in the protocol-neutral form (protocol/protocol.h),
// or a Status carrying the AWS error (aws_code set) for the protocol layer to render.
using OperationHandler = std::function<Result<boost::json::object>(
    RequestContext& ctx, const boost::json::object& input)>;

// One row of a service's handler table (Gateway::RegisterAll): an operation and the plain
// function that handles it.
struct HandlerEntry {
  const char* operation;
  Result<boost::json::object> (*handler)(RequestContext& ctx, const boost::json::object& input);
};

}  // namespace orgtwin::gateway
