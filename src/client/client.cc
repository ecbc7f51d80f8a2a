#include "client/client.h"

#include <cmath>
#include <random>
#include <thread>

#include <boost/url/parse.hpp>

#include "auth/sigv4.h"
#include "protocol/client_codec.h"

namespace orgtwin::client {

namespace json = boost::json;

// --- Endpoint ---------------------------------------------------------------------------------

std::string Endpoint::HostHeader() const {
  if ((tls && port == "443") || (!tls && port == "80")) return host;
  return host + ":" + port;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return InvalidInputError("endpoint `" + std::string(url) + "` is not a URL");
  Endpoint endpoint;
  const std::string scheme(parsed->scheme());
  if (scheme == "https") {
    endpoint.tls = true;
  } else if (scheme == "http") {
    endpoint.tls = false;
  } else {
    return InvalidInputError("endpoint `" + std::string(url) + "` is not http or https");
  }
  endpoint.host = std::string(parsed->encoded_host());
  if (endpoint.host.empty()) {
    return InvalidInputError("endpoint `" + std::string(url) + "` has no host");
  }
  endpoint.port =
      parsed->has_port() ? std::string(parsed->port()) : std::string(endpoint.tls ? "443" : "80");
  endpoint.base_path = std::string(parsed->encoded_path());
  while (!endpoint.base_path.empty() && endpoint.base_path.back() == '/') {
    endpoint.base_path.pop_back();
  }
  return endpoint;
}

// --- Errors and retries -----------------------------------------------------------------------

std::string Error::ToString() const {
  if (IsTransportError()) return "transport error: " + message;
  return code + " (HTTP " + std::to_string(http_status) + "): " + message;
}

bool IsThrottlingError(const Error& error) {
  // botocore retries/standard.py ThrottlingErrorDetector (_THROTTLED_ERROR_CODES).
  static constexpr std::string_view kCodes[] = {"Throttling",
                                                "ThrottlingException",
                                                "ThrottledException",
                                                "RequestThrottledException",
                                                "TooManyRequestsException",
                                                "ProvisionedThroughputExceededException",
                                                "TransactionInProgressException",
                                                "RequestLimitExceeded",
                                                "BandwidthLimitExceeded",
                                                "LimitExceededException",
                                                "RequestThrottled",
                                                "SlowDown",
                                                "PriorRequestNotComplete",
                                                "EC2ThrottledException"};
  for (std::string_view code : kCodes) {
    if (error.code == code) return true;
  }
  return false;
}

bool IsRetryableError(const Error& error) {
  if (error.IsTransportError()) return true;
  if (IsThrottlingError(error)) return true;
  // botocore TransientRetryableChecker: codes and statuses.
  static constexpr std::string_view kTransient[] = {"RequestTimeout", "RequestTimeoutException",
                                                    "PriorRequestNotComplete"};
  for (std::string_view code : kTransient) {
    if (error.code == code) return true;
  }
  return error.http_status == 500 || error.http_status == 502 || error.http_status == 503 ||
         error.http_status == 504;
}

namespace {

Error ClientError(std::string message) {
  Error error;
  error.code = "ClientError";
  error.message = std::move(message);
  error.http_status = -1;  // never sent: neither a transport failure nor a service answer
  return error;
}

double DefaultRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// AWS-COMPAT: the aws partition's global services (botocore's endpoint rules): IAM at
// iam.amazonaws.com, Organizations and Account at <prefix>.us-east-1.amazonaws.com, all signed for
// us-east-1. STS is regional, as the SDKs default to now (sts_regional_endpoints = regional),
// although its model still names the legacy global endpoint.
bool IsGlobalService(const model::ServiceModel& service) {
  return service.signing_name == "iam" || service.signing_name == "organizations" ||
         service.signing_name == "account";
}

// The AWS endpoint of `service` in `region` when no endpoint URL is given.
std::string DefaultEndpointUrl(const model::ServiceModel& service, const std::string& region) {
  if (service.signing_name == "iam") return "https://iam.amazonaws.com";
  const std::string where = IsGlobalService(service) ? std::string("us-east-1") : region;
  return "https://" + service.endpoint_prefix + "." + where + ".amazonaws.com";
}

}  // namespace

// --- Client -----------------------------------------------------------------------------------

struct Client::Target {
  const model::ServiceModel* service = nullptr;
  Endpoint endpoint;
  std::string signing_region;
};

Client::Client(ClientOptions options, std::shared_ptr<Transport> transport)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      models_(options_.models != nullptr ? *options_.models : model::Registry::Embedded()) {
  if (!options_.endpoint_url.empty()) {
    auto endpoint = ParseEndpoint(options_.endpoint_url);
    if (endpoint.ok()) {
      fixed_endpoint_ = std::move(endpoint).value();
    } else {
      endpoint_status_ = endpoint.status();
    }
  }
  if (!options_.retry.sleep) {
    options_.retry.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!options_.retry.random) options_.retry.random = DefaultRandom;
}

Result<Client::Target> Client::Resolve(std::string_view service_name) const {
  OT_RETURN_IF_ERROR(endpoint_status_);
  Target target;
  target.service = models_.BySigningName(service_name);
  if (target.service == nullptr) target.service = models_.ByEndpointPrefix(service_name);
  if (target.service == nullptr) {
    return InvalidInputError("unknown service `" + std::string(service_name) + "`");
  }
  if (fixed_endpoint_) {
    target.endpoint = *fixed_endpoint_;
  } else {
    OT_ASSIGN_OR_RETURN(target.endpoint,
                        ParseEndpoint(DefaultEndpointUrl(*target.service, options_.region)));
  }
  target.signing_region = IsGlobalService(*target.service) ? "us-east-1" : options_.region;
  return target;
}

Status Client::Sign(HttpRequest& request, std::string_view service, TimePoint now) const {
  OT_ASSIGN_OR_RETURN(Target target, Resolve(service));
  if (request.Header("Host") == nullptr) {
    request.headers.emplace_back("Host", target.endpoint.HostHeader());
  }
  auth::SignRequest(request, options_.credentials.access_key_id,
                    options_.credentials.secret_access_key, target.signing_region,
                    target.service->signing_name, now, options_.credentials.session_token);
  return Status();
}

Result<HttpRequest> Client::Prepare(std::string_view service, std::string_view operation,
                                    const json::object& input) const {
  OT_ASSIGN_OR_RETURN(Target target, Resolve(service));
  const model::Operation* op = target.service->FindOperation(operation);
  if (op == nullptr) {
    return InvalidInputError("unknown operation `" + std::string(operation) + "` of " +
                             target.service->signing_name);
  }
  OT_ASSIGN_OR_RETURN(HttpRequest request, protocol::SerializeRequest(*target.service, *op, input));
  request.target = target.endpoint.base_path + request.target;
  request.headers.emplace_back("Host", target.endpoint.HostHeader());
  const TimePoint now = options_.clock != nullptr ? options_.clock->Now() : SystemClock().Now();
  auth::SignRequest(request, options_.credentials.access_key_id,
                    options_.credentials.secret_access_key, target.signing_region,
                    target.service->signing_name, now, options_.credentials.session_token);
  return request;
}

Outcome<json::object> Client::Call(std::string_view service, std::string_view operation,
                                   const json::object& input) {
  auto target = Resolve(service);
  if (!target.ok()) return ClientError(target.status().message());
  const model::Operation* op = target->service->FindOperation(operation);
  if (op == nullptr) {
    return ClientError("unknown operation `" + std::string(operation) + "` of " +
                       target->service->signing_name);
  }
  auto request = protocol::SerializeRequest(*target->service, *op, input);
  if (!request.ok()) return ClientError(request.status().message());
  request->target = target->endpoint.base_path + request->target;
  request->headers.emplace_back("Host", target->endpoint.HostHeader());
  return Send(*target, *op, *request);
}

Outcome<json::object> Client::Send(const Target& target, const model::Operation& operation,
                                   const HttpRequest& unsigned_request) {
  const RetryPolicy& retry = options_.retry;
  const int max_attempts = std::max(1, retry.max_attempts);
  Error error;
  for (int attempt = 1;; ++attempt) {
    // Each attempt is signed anew: a retry after a backoff must not carry a stale X-Amz-Date.
    HttpRequest request = unsigned_request;
    const TimePoint now = options_.clock != nullptr ? options_.clock->Now() : SystemClock().Now();
    auth::SignRequest(request, options_.credentials.access_key_id,
                      options_.credentials.secret_access_key, target.signing_region,
                      target.service->signing_name, now, options_.credentials.session_token);
    if (transport_ == nullptr)
      return ClientError("this client has no transport (Prepare/Sign only)");
    auto response = transport_->Send(target.endpoint, request);
    error = Error();
    if (!response.ok()) {
      error.message = response.status().message();
    } else if (response->status >= 200 && response->status < 300) {
      auto output = protocol::ParseResponse(*target.service, operation, *response);
      if (output.ok()) return std::move(output).value();
      // A 2xx whose body is not the protocol's document is not retried (the write may have
      // happened); the caller sees why.
      Error bad = ClientError(output.status().message());
      bad.http_status = response->status;
      bad.request_id = protocol::ResponseRequestId(*response);
      bad.attempts = attempt;
      return bad;
    } else {
      protocol::AwsError aws = protocol::ParseErrorResponse(*target.service, *response);
      error.code = std::move(aws.code);
      error.message = std::move(aws.message);
      error.http_status = aws.http_status;
      error.sender_fault = aws.sender_fault;
      error.fields = std::move(aws.fields);
      error.request_id = protocol::ResponseRequestId(*response);
    }
    error.attempts = attempt;
    if (attempt >= max_attempts || !IsRetryableError(error)) return error;
    // Standard mode: full jitter over an exponential base, capped.
    const double base =
        static_cast<double>(retry.base_delay.count()) * std::ldexp(1.0, attempt - 1);
    const double capped =
        std::min(retry.random() * base, static_cast<double>(retry.max_backoff.count()));
    retry.sleep(std::chrono::milliseconds(static_cast<int64_t>(capped)));
  }
}

namespace {

// The token members of `operation`: the model's paginator, else the NextToken / Marker
// convention when the input and output shapes have those members.
struct Tokens {
  std::vector<std::string> input;
  std::vector<std::string> output;
};

std::optional<Tokens> FindTokens(const model::ServiceModel& service,
                                 const model::Operation& operation) {
  if (const model::ServiceModel::Paginator* p = service.FindPaginator(operation.name)) {
    if (!p->input_token.empty() && p->input_token.size() == p->output_token.size()) {
      return Tokens{p->input_token, p->output_token};
    }
  }
  if (operation.input == nullptr || operation.output == nullptr) return std::nullopt;
  for (const char* name : {"NextToken", "Marker"}) {
    if (operation.input->FindMember(name) != nullptr &&
        operation.output->FindMember(name) != nullptr) {
      return Tokens{{name}, {name}};
    }
  }
  return std::nullopt;
}

}  // namespace

Outcome<size_t> Client::Paginate(std::string_view service, std::string_view operation,
                                 json::object input,
                                 const std::function<bool(const json::object&)>& on_page) {
  auto target = Resolve(service);
  if (!target.ok()) return ClientError(target.status().message());
  const model::Operation* op = target->service->FindOperation(operation);
  if (op == nullptr) return ClientError("unknown operation `" + std::string(operation) + "`");
  const std::optional<Tokens> tokens = FindTokens(*target->service, *op);
  size_t pages = 0;
  std::vector<json::value> previous;
  while (true) {
    Outcome<json::object> page = Call(service, operation, input);
    if (!page.ok()) return page.error();
    ++pages;
    if (!on_page(*page) || !tokens) return pages;
    // IAM: Marker is only meaningful while IsTruncated is true.
    if (const json::value* truncated = page->if_contains("IsTruncated");
        truncated != nullptr && truncated->is_bool() && !truncated->get_bool()) {
      return pages;
    }
    std::vector<json::value> next;
    bool any = false;
    for (size_t i = 0; i < tokens->output.size(); ++i) {
      const json::value* token = page->if_contains(tokens->output[i]);
      if (token != nullptr && !token->is_null() &&
          !(token->is_string() && token->get_string().empty())) {
        any = true;
        input[tokens->input[i]] = *token;
        next.push_back(*token);
      } else {
        input.erase(tokens->input[i]);
        next.emplace_back(nullptr);
      }
    }
    if (!any) return pages;
    // botocore refuses a token that repeats: the service would loop forever.
    if (next == previous) return ClientError("pagination token repeated: the service loops");
    previous = std::move(next);
  }
}

Outcome<std::vector<json::object>> Client::AllPages(std::string_view service,
                                                    std::string_view operation,
                                                    json::object input) {
  std::vector<json::object> pages;
  auto outcome = Paginate(service, operation, std::move(input), [&](const json::object& page) {
    pages.push_back(page);
    return true;
  });
  if (!outcome.ok()) return outcome.error();
  return pages;
}

}  // namespace orgtwin::client
