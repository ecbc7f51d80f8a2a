// File: client/http_transport.h
//
// HttpTransport: HTTP/1.1 over TCP, or over TLS (OpenSSL through Boost.Asio ssl), with Boost.Beast.
// Connections are kept alive and pooled per endpoint (scheme, host, port): a Send takes an idle
// connection or opens one, and gives it back after a complete response. A request that fails on a
// pooled connection before any response byte arrived is sent once more on a fresh connection (the
// server may have closed an idle keep-alive connection); any other failure is kUnavailable.
// Connecting, the TLS handshake, writing the request and reading the response each have
// `io_timeout` (a server that accepts and never answers fails the Send, as the SDKs' socket
// timeouts make it).
// A server that accepts but stops answering fails the Send after `io_timeout` without a byte
// (as the SDKs' socket timeouts do); connecting is bounded by the operating system's own timeout.
//
// Thread-safety: Send() may be called concurrently; the pool is guarded by a mutex, each
// connection is used by one Send at a time. Sends are blocking.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/transport.h"

namespace orgtwin::client {

struct HttpTransportOptions {
  bool verify_peer = true;  // TLS: check the certificate chain and the host name
  // TLS: a CA bundle (PEM) trusted besides the system's; "" = $AWS_CA_BUNDLE if set (read when
  // the first HTTPS connection opens), as the SDKs and the CLI read it.
  std::string ca_file;
  size_t max_idle_per_endpoint = 16;
  // Longest wait for one read or write on a connection (the TLS handshake included): the AWS
  // SDKs' default socket timeout is of this order (botocore's read_timeout is 60 s).
  std::chrono::milliseconds io_timeout{60000};
};

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(HttpTransportOptions options = {});
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  Result<HttpResponse> Send(const Endpoint& endpoint, const HttpRequest& request) override;

  // Connections opened so far (tests check that keep-alive reuses them).
  size_t connections_opened() const;

 private:
  class Connection;  // http_transport.cc
  Result<std::unique_ptr<Connection>> Open(const Endpoint& endpoint);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgtwin::client
