// File: gateway/request_context.h
//
// What a service handler receives: the authenticated caller, the request's identity (ID, time,
// source address), and the twin's shared parts (store, clock, ID generator). Handlers are named
// after the AWS operations they serve and have the OperationHandler signature.
//
// Lifetime: a RequestContext lives for one request; the references it holds outlive it.
#pragma once

#include <functional>
#include <string>

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
