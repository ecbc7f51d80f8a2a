// File: client/client.h
//
// Client: an AWS API client for the twin (and for AWS itself), driven by the same models as the
// server. A call takes a service ("iam", "organizations"), an operation ("ListRoles") and its
// input in the protocol-neutral form of protocol/protocol.h, and returns the neutral output or
// the AWS error:
//
//   input --protocol::SerializeRequest--> HttpRequest --SigV4 (auth::SignRequest)--> Transport
//     <--ParseResponse / ParseErrorResponse-- HttpResponse   (retried per RetryPolicy)
//
// Retries follow the SDKs' "standard" mode: at most 3 attempts; transport failures, 500/502/503/
// 504, throttling and transient error codes are retried after an exponential backoff with full
// jitter (random * 2^(attempt-1) seconds, capped at 20 s). Sleeping and the random source are
// injectable, so tests do not wait. Paginate() follows the model's paginator (paginators-1.json),
// else the NextToken / Marker convention.
//
// Ownership: the Client shares its Transport (std::shared_ptr); models come from
// model::Registry::Embedded() unless ClientOptions names another registry that outlives the client.
// Thread-safety: Call/Paginate may run concurrently if the transport allows it (both do).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "client/transport.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"

namespace orgtwin::client {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (STS); "" for long-term keys
};

struct RetryPolicy {
  int max_attempts = 3;  // the first try included; 1 disables retries
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
  // How the client waits between attempts (default: std::this_thread::sleep_for).
  std::function<void(std::chrono::milliseconds)> sleep;
  // A uniform random number in [0, 1) for the jitter (default: a thread-local mt19937).
  std::function<double()> random;
};

struct ClientOptions {
  // The region requests are signed for. Global services (IAM, Organizations, Account) are
  // signed for us-east-1 whatever this is, as the SDKs do in the aws partition.
  std::string region = "us-east-1";
  // Every service at one URL (the twin: "http://127.0.0.1:4566"). Empty: AWS's own endpoints.
  std::string endpoint_url;
  Credentials credentials;
  RetryPolicy retry;
  const Clock* clock = nullptr;             // signing time; null = the system clock
  const model::Registry* models = nullptr;  // null = model::Registry::Embedded()
};

// An AWS error as a client sees it. A transport failure has code "" and http_status 0.
struct Error {
  std::string code;  // "NoSuchEntity", "TooManyRequestsException", ...
  std::string message;
  int http_status = 0;
  bool sender_fault = true;
  std::map<std::string, std::string> fields;  // modeled members (Reason, fieldList as JSON)
  std::string request_id;
  int attempts = 0;  // how many times the request was sent

  bool IsTransportError() const { return http_status == 0; }
  std::string ToString() const;
};

// The value of a call or its Error.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : value_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Outcome(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return value_.has_value(); }
  // Precondition: ok().
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  const T* operator->() const { return &*value_; }
  // Meaningful when !ok().
  const Error& error() const { return error_; }

 private:
  std::optional<T> value_;
  Error error_;
};

// Standard retry mode's classification (botocore's standard.py): throttling codes, transient
// codes, 500/502/503/504, and transport failures.
bool IsThrottlingError(const Error& error);
bool IsRetryableError(const Error& error);

class Client {
 public:
  // `transport` may be null for a client that only Prepare()s and Sign()s (the load generator);
  // its calls then fail with ClientError.
  Client(ClientOptions options, std::shared_ptr<Transport> transport);

  // Calls `operation` of `service` (its signing name or endpoint prefix). An unknown service or
  // operation, or an input the protocol cannot write, is an Error with code "ClientError"
  // (nothing is sent). The input is not validated here: the service validates, as AWS does.
  Outcome<boost::json::object> Call(std::string_view service, std::string_view operation,
                                    const boost::json::object& input = {});

  // Calls the operation once per page, with the token of the previous page, until a page has
  // no next token; `on_page` sees each page's output and may return false to stop early.
  // Tokens: the model's paginator, else NextToken (in and out) or Marker (in and out, with
  // IsTruncated). Returns the number of pages, or the first page's Error.
  Outcome<size_t> Paginate(std::string_view service, std::string_view operation,
                           boost::json::object input,
                           const std::function<bool(const boost::json::object&)>& on_page);
  // Every page's output, in order.
  Outcome<std::vector<boost::json::object>> AllPages(std::string_view service,
                                                     std::string_view operation,
                                                     boost::json::object input = {});

  // The request Call would send, serialized and signed now, without sending it (the load
  // generator pre-builds its requests this way). Content-Length is not set (framing).
  Result<HttpRequest> Prepare(std::string_view service, std::string_view operation,
                              const boost::json::object& input) const;
  // Adds Host (when absent) and signs an already serialized `request` for `service` at `now`:
  // for raw requests that did not come from Prepare (tests, the load generator's --body).
  Status Sign(HttpRequest& request, std::string_view service, TimePoint now) const;

  const ClientOptions& options() const { return options_; }

 private:
  struct Target;  // service model + endpoint + signing scope (client.cc)
  Result<Target> Resolve(std::string_view service) const;
  Outcome<boost::json::object> Send(const Target& target, const model::Operation& operation,
                                    const HttpRequest& unsigned_request);

  ClientOptions options_;
  std::shared_ptr<Transport> transport_;
  const model::Registry& models_;
  std::optional<Endpoint> fixed_endpoint_;  // parsed options_.endpoint_url
  Status endpoint_status_;                  // why endpoint_url did not parse
};

}  // namespace orgtwin::client
