// Protocol dispatch: routing of every request to (service, operation), and the per-protocol
// parse / serialize entry points of protocol.h. JSON and rest-json live beside this file; the
// Query/XML protocol lives in query/ (compiled in when OT_HAVE_QUERY_PROTOCOL is defined).
#include "protocol/protocol.h"

#include "protocol/json_protocol.h"
#include "protocol/rest_json_protocol.h"
#include "protocol/validation.h"
#include "protocol/wire.h"

#ifdef OT_HAVE_QUERY_PROTOCOL
#include "protocol/query/query_protocol.h"
#endif

namespace orgtwin::protocol {

namespace json = boost::json;

namespace {

bool IsFormRequest(const HttpRequest& request) {
  const std::string* ct = request.Header("Content-Type");
  return ct != nullptr && ct->find("application/x-www-form-urlencoded") != std::string::npos;
}

std::vector<std::pair<std::string, std::string>> DecodeQueryParams(const HttpRequest& request) {
#ifdef OT_HAVE_QUERY_PROTOCOL
  return query::DecodeParams(request);
#else
  auto params = wire::ParseQueryString(request.RawQuery(), true);
  if (IsFormRequest(request)) {
    auto body = wire::ParseQueryString(request.body, true);
    params.insert(params.end(), body.begin(), body.end());
  }
  return params;
#endif
}

const std::string* FindParam(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

// The signing service named by the request's SigV4 credential scope ("" when unsigned).
std::string_view ScopeService(const HttpRequest& request,
                              const std::vector<std::pair<std::string, std::string>>* params) {
  if (const std::string* auth = request.Header("Authorization")) {
    std::string_view s = wire::CredentialScopeService(*auth);
    if (!s.empty()) return s;
  }
  if (params != nullptr) {
    if (const std::string* cred = FindParam(*params, "X-Amz-Credential")) {
      return wire::CredentialScopeService(*cred);
    }
  }
  return {};
}

RouteOutcome Fail(const model::ServiceModel* service, std::string code, std::string message,
                  int status) {
  RouteOutcome out;
  out.routed.service = service;
  out.error.code = std::move(code);
  out.error.message = std::move(message);
  out.error.http_status = status;
  return out;
}

RouteOutcome RouteJson(const model::Registry& registry, std::string_view target) {
  size_t dot = target.rfind('.');
  if (dot == std::string_view::npos) {
    return Fail(nullptr, "UnknownOperationException", "", 400);
  }
  const model::ServiceModel* service = registry.ByTargetPrefix(target.substr(0, dot));
  if (service == nullptr) return Fail(nullptr, "UnknownOperationException", "", 400);
  const model::Operation* op = service->FindOperation(target.substr(dot + 1));
  if (op == nullptr) return Fail(service, "UnknownOperationException", "", 400);
  RouteOutcome out;
  out.ok = true;
  out.routed.service = service;
  out.routed.operation = op;
  return out;
}

RouteOutcome RouteQuery(const model::Registry& registry, const HttpRequest& request,
                        std::vector<std::pair<std::string, std::string>> params) {
  const model::ServiceModel* service = nullptr;
  const std::string* version = FindParam(params, "Version");
  if (version != nullptr) service = registry.ByApiVersion(*version);
  if (service == nullptr) {
    std::string_view scope = ScopeService(request, &params);
    if (!scope.empty()) service = registry.BySigningName(scope);
  }
  if (service != nullptr && service->protocol != model::Protocol::kQuery) service = nullptr;
  const std::string* action = FindParam(params, "Action");
  if (service == nullptr) {
    // AWS-COMPAT: an unknown Version gets InvalidAction naming the operation and version.
    return Fail(nullptr, "InvalidAction",
                "Could not find operation " + (action ? *action : std::string()) + " for version " +
                    (version ? *version : std::string("NO_VERSION_SPECIFIED")),
                400);
  }
  if (action == nullptr || action->empty()) {
    return Fail(service, "MissingAction", "Missing Action", 400);
  }
  const model::Operation* op = service->FindOperation(*action);
  if (op == nullptr) {
    return Fail(service, "InvalidAction",
                "Could not find operation " + *action + " for version " +
                    (version ? *version : service->api_version),
                400);
  }
  RouteOutcome out;
  out.ok = true;
  out.routed.service = service;
  out.routed.operation = op;
  out.routed.params = std::move(params);
  return out;
}

RouteOutcome RouteRest(const model::Registry& registry, const HttpRequest& request) {
  std::string_view scope = ScopeService(request, nullptr);
  std::string_view path = request.Path();
  const model::ServiceModel* recognized = nullptr;
  for (const model::ServiceModel* service : registry.services()) {
    if (service->protocol != model::Protocol::kRestJson) continue;
    if (!scope.empty() && service->signing_name != scope) continue;
    recognized = service;
    std::map<std::string, std::string> labels;
    for (const auto& [name, op] : service->operations()) {
      if (rest_json::MatchRequest(op, request.method, path, &labels)) {
        RouteOutcome out;
        out.ok = true;
        out.routed.service = service;
        out.routed.operation = &op;
        out.routed.labels = std::move(labels);
        return out;
      }
    }
  }
  if (scope.empty()) recognized = nullptr;
  return Fail(recognized, "UnknownOperationException", "", 404);
}

}  // namespace

RouteOutcome Route(const model::Registry& registry, const HttpRequest& request) {
  if (const std::string* target = request.Header("X-Amz-Target")) {
    return RouteJson(registry, *target);
  }
  // Query-protocol requests are sent to "/"; a request for another path that a rest-json
  // operation claims is that operation, whatever its Content-Type (a plain urllib POST of a JSON
  // body to the orgtwin extension says application/x-www-form-urlencoded).
  if (request.Path() != "/") {
    RouteOutcome rest = RouteRest(registry, request);
    if (rest.ok) return rest;
  }
  bool form = IsFormRequest(request);
  if (form || request.RawQuery().find("Action=") != std::string_view::npos) {
    auto params = DecodeQueryParams(request);
    if (FindParam(params, "Action") != nullptr || form) {
      return RouteQuery(registry, request, std::move(params));
    }
  }
  // A request signed for a JSON-protocol service but without X-Amz-Target.
  std::string_view scope = ScopeService(request, nullptr);
  if (!scope.empty()) {
    const model::ServiceModel* service = registry.BySigningName(scope);
    if (service != nullptr && service->protocol == model::Protocol::kJson) {
      return Fail(service, "UnknownOperationException", "", 400);
    }
    if (service != nullptr && service->protocol == model::Protocol::kQuery) {
      return RouteQuery(registry, request, DecodeQueryParams(request));
    }
  }
  return RouteRest(registry, request);
}

Result<json::object> ParseInput(const RoutedRequest& routed, const HttpRequest& request) {
  if (routed.service == nullptr || routed.operation == nullptr) {
    return InternalError("ParseInput called on an unrouted request");
  }
  const model::ServiceModel& service = *routed.service;
  const model::Operation& op = *routed.operation;
  json::object input;
  switch (service.protocol) {
    case model::Protocol::kJson: {
      OT_ASSIGN_OR_RETURN(input, json_protocol::ParseBody(op.input, request.body));
      break;
    }
    case model::Protocol::kRestJson: {
      OT_ASSIGN_OR_RETURN(input, rest_json::ParseInput(op, request, routed.labels));
      break;
    }
    case model::Protocol::kQuery: {
#ifdef OT_HAVE_QUERY_PROTOCOL
      // query::ParseInput runs ValidateInput itself.
      return query::ParseInput(service, op, routed.params);
#else
      return InternalError("the Query protocol is not compiled in");
#endif
    }
    default:
      return InternalError("unsupported protocol");
  }
  if (op.input != nullptr) OT_RETURN_IF_ERROR(ValidateInput(service, *op.input, input));
  return input;
}

HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const json::object& output, std::string_view request_id) {
  switch (service.protocol) {
    case model::Protocol::kRestJson:
      return rest_json::SerializeOutput(service, operation, output, request_id);
#ifdef OT_HAVE_QUERY_PROTOCOL
    case model::Protocol::kQuery:
      return query::SerializeOutput(service, operation, output, request_id);
#endif
    default:
      return json_protocol::SerializeOutput(service, operation, output, request_id);
  }
}

HttpResponse SerializeError(const model::ServiceModel* service, const AwsError& error,
                            std::string_view request_id) {
  if (service == nullptr) {
    return json_protocol::SerializeError(nullptr, error, request_id, "application/x-amz-json-1.1");
  }
  switch (service->protocol) {
    case model::Protocol::kRestJson:
      return json_protocol::SerializeError(service, error, request_id, "application/json");
#ifdef OT_HAVE_QUERY_PROTOCOL
    case model::Protocol::kQuery:
      return query::SerializeError(*service, error, request_id);
#endif
    default:
      return json_protocol::SerializeError(service, error, request_id,
                                           json_protocol::ContentType(*service));
  }
}

}  // namespace orgtwin::protocol
