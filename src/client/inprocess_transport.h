// File: client/inprocess_transport.h
//
// InProcessTransport: hands each request straight to gateway::Gateway::Handle, in the calling
// thread, with no socket: the same authentication, parsing, authorization, handlers and
// serialization as over HTTP. Its own target (orgtwin::client_inprocess) because it links the
// gateway, which orgtwin::client itself must not (docs/architecture.md, cmake/OrgtwinTargets.cmake
// ot_engine_library).
//
// Ownership: the gateway must outlive the transport. Thread-safety: as Gateway::Handle (any
// thread).
#pragma once

#include <string>

#include "client/transport.h"
#include "gateway/gateway.h"

namespace orgtwin::client {

class InProcessTransport final : public Transport {
 public:
  explicit InProcessTransport(gateway::Gateway& gateway, std::string remote_address = "127.0.0.1")
      : gateway_(gateway), remote_address_(std::move(remote_address)) {}

  // Never fails: the gateway answers every request (a handler bug is InternalFailure 500).
  // `endpoint` is ignored; writes wait for the store's group commit, as over HTTP.
  Result<HttpResponse> Send(const Endpoint& endpoint, const HttpRequest& request) override;

 private:
  gateway::Gateway& gateway_;
  const std::string remote_address_;
};

}  // namespace orgtwin::client
