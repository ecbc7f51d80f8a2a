// File: common/http_message.h
//
// HttpRequest / HttpResponse: the plain HTTP messages that pass between server/ (which speaks
// Beast) and the layers above it (protocol/, auth/, the dispatcher), so that nothing above the
// server depends on Beast and tests can build requests by hand.
//
// Thread-safety: values. PendingResponse::Complete is callable from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgtwin {

// Case-insensitive ASCII comparison for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as received: path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order, names as sent
  std::string body;
  std::string remote_address;  // peer IP, for aws:SourceIp and logs

  // The path part of `target` (still percent-encoded) and the raw query after '?' ("" if none).
  std::string_view Path() const;
  std::string_view RawQuery() const;
  // First header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
};

// A request whose answer comes after its handler returned -- e.g. a write that waits for the
// store's group commit on another thread. Complete() must be called exactly once, from any thread;
// `make` then runs on the connection's own I/O thread (so building the response, serialization
// included, stays off the completing thread) and its result is sent. If the connection is gone
// by then, `make` is not called.
class PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  virtual void Complete(std::function<HttpResponse()> make) = 0;
};

// Handed to an asynchronous handler with each request (server::AsyncHandler). A handler that
// cannot answer at once calls Defer() and answers later through the PendingResponse.
class Deferral {
 public:
  virtual ~Deferral() = default;
  virtual std::shared_ptr<PendingResponse> Defer() = 0;
};

}  // namespace orgtwin
