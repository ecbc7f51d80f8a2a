// File: client/transport.h
//
// Transport: how a signed request reaches a twin or AWS and its response comes back. The client
// (client.h) owns the AWS semantics; a transport only moves HTTP messages. Implementations:
// HttpTransport (http_transport.h: HTTP/1.1 and HTTPS over Boost.Beast) and InProcessTransport
// (inprocess_transport.h, target orgtwin::client_inprocess: straight into a gateway::Gateway).
//
// Thread-safety: Send() may be called from several threads at once; implementations synchronize.
#pragma once

#include <string>

#include "common/http_message.h"
#include "common/status.h"

namespace orgtwin::client {

// Where a request goes: scheme, host and port of the endpoint URL, and the URL's path (prefixed
// to every request target; "" for "https://iam.amazonaws.com").
struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;       // "443", "80", "4566"
  std::string base_path;  // without a trailing '/'

  // The Host header value: host, plus ":port" when it is not the scheme's default.
  std::string HostHeader() const;
};

// Parses "http://127.0.0.1:4566" or "https://sts.us-east-1.amazonaws.com/" (Boost.URL).
// kInvalidInput for anything else (no scheme, a scheme other than http/https, no host).
Result<Endpoint> ParseEndpoint(std::string_view url);

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request` (complete and signed) to `endpoint` and returns the response, whatever its
  // status. A failure to connect, write or read is a Status (kUnavailable): the request may or
  // may not have reached the server, and the client's retry policy decides.
  virtual Result<HttpResponse> Send(const Endpoint& endpoint, const HttpRequest& request) = 0;
};

}  // namespace orgtwin::client
