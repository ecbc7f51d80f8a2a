// File: server/http_server.h
//
// The HTTP/1.1 front door: Boost.Beast over Asio, one io_context thread per core, keep-alive,
// a request size limit, timeouts for slow or idle clients, and a graceful stop (stop accepting,
// let in-flight requests finish, then return). It knows nothing of AWS: it turns bytes into an
// HttpRequest, calls the Handler, and writes the HttpResponse back.
//
// Garbage in gets a clean 4xx (400 for a malformed request, 413 for a body over the limit,
// 431 for headers over the limit, 408 for a client too slow to send its request) and the
// connection is closed; the server keeps serving everyone else.
//
// HTTPS instead of HTTP when ServerOptions names a certificate and its key (PEM files): TLS 1.2 or
// 1.3 (OpenSSL through Asio), the same sessions, limits and timeouts (the handshake has the read
// timeout); a client that fails the handshake is dropped without an answer.
//
// Thread-safety: Start/Stop/Wait from one controlling thread. The Handler is called concurrently
// from the I/O threads and must be thread-safe; it runs on the I/O thread, so it must not block.
// Work that waits (a write waiting for the store's group commit) defers its response instead
// (AsyncHandler + Deferral): the I/O thread goes on serving its other connections meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/http_message.h"
#include "common/status.h"

namespace orgtwin::server {

using Handler = std::function<HttpResponse(HttpRequest&& request)>;
// Answers now (a response) or later: std::nullopt after calling deferral.Defer(), whose
// PendingResponse then must be completed exactly once. The connection reads no further request
// until then (HTTP/1.1 answers in order).
using AsyncHandler =
    std::function<std::optional<HttpResponse>(HttpRequest&& request, Deferral& deferral)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port; see HttpServer::port()
  int threads = 0;       // 0 = one per hardware thread
  size_t max_body_bytes = size_t{8} * 1024 * 1024;
  size_t max_header_bytes = size_t{64} * 1024;
  std::chrono::milliseconds read_timeout{30000};  // to receive a whole request once it started
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive connection with no request
  std::chrono::milliseconds stop_grace{10000};    // Stop() waits this long for in-flight work
  // HTTPS: the certificate chain (leaf first) and its private key, PEM files; both or neither
  // (Start() fails with kInvalidInput on one alone or on files that do not load).
  std::string tls_cert_file;
  std::string tls_key_file;

  bool tls() const { return !tls_cert_file.empty(); }
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  HttpServer(ServerOptions options, AsyncHandler handler);
  ~HttpServer();  // Stop()s if still running NOLINT(bugprone-exception-escape): see the .cc
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Fails (kUnavailable) if the address is in use.
  Status Start();
  // The bound port (useful with port 0). Valid after Start().
  uint16_t port() const;
  // Graceful stop: no new connections or requests; waits for in-flight requests (deferred ones
  // included) to be answered (up to stop_grace), then closes every connection and joins the
  // threads. Idempotent.
  void Stop();
  // Blocks until SIGINT or SIGTERM arrives, then Stop()s. For `orgtwin serve`.
  void RunUntilSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgtwin::server
