// Client side of the wire protocols (client_codec.h): the JSON document codec of
// json_protocol.h run in the other direction, the rest-json HTTP bindings, and the Query
// protocol's client half in query/query_client.cc.
#include "protocol/client_codec.h"

#include <cmath>
#include <cstdint>

#include "common/clock.h"
#include "protocol/json_protocol.h"
#include "protocol/wire.h"

#ifdef OT_HAVE_QUERY_PROTOCOL
#include "protocol/query/query_protocol.h"
#endif

namespace orgtwin::protocol {

namespace json = boost::json;
using model::Member;
using model::Shape;
using model::ShapeType;

namespace {

// SigV4-style percent-encoding (RFC 3986 unreserved kept), as botocore's percent_encode.
std::string PercentEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// A scalar for a URI label, query string or header (rest protocols).
std::string TextOf(const Member& member, const json::value& value, bool in_header) {
  if (member.shape->type == ShapeType::kTimestamp) {
    auto seconds = wire::ToEpochSeconds(value);
    if (seconds) {
      const auto t = TimePoint(std::chrono::seconds(static_cast<int64_t>(std::floor(*seconds))));
      // botocore: headers default to RFC 822 dates, query strings and labels to ISO 8601. Our
      // models carry no header timestamps, so ISO 8601 (whole seconds) serves both here.
      (void)in_header;
      return FormatIso8601Seconds(t);
    }
  }
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_bool()) return value.get_bool() ? "true" : "false";
  return json::serialize(value);
}

Result<HttpRequest> SerializeRestJson(const model::Operation& operation,
                                      const json::object& input) {
  HttpRequest request;
  request.method = operation.http_method.empty() ? "POST" : operation.http_method;
  // (Not a ?: with "/": its std::string result would be a temporary the view outlives.)
  std::string_view uri = operation.request_uri;
  if (uri.empty()) uri = "/";
  std::string literal_query;
  if (size_t q = uri.find('?'); q != std::string_view::npos) {
    literal_query = std::string(uri.substr(q + 1));
    uri = uri.substr(0, q);
  }
  const Shape* shape = operation.input;
  // Path: {Label} percent-encoded, {Label+} keeping its slashes.
  std::string path;
  for (size_t i = 0; i < uri.size();) {
    if (uri[i] != '{') {
      path += uri[i++];
      continue;
    }
    size_t close = uri.find('}', i);
    if (close == std::string_view::npos) return InternalError("bad request URI template");
    std::string_view name = uri.substr(i + 1, close - i - 1);
    const bool greedy = !name.empty() && name.back() == '+';
    if (greedy) name.remove_suffix(1);
    const Member* member = nullptr;
    if (shape != nullptr) {
      for (const Member& m : shape->members) {
        if (m.location == "uri" && m.WireName() == name) member = &m;
      }
    }
    const json::value* v = member != nullptr ? input.if_contains(member->name) : nullptr;
    if (v == nullptr || v->is_null()) {
      return InvalidInputError("missing URI label `" + std::string(name) + "`");
    }
    path += PercentEncode(TextOf(*member, *v, false), greedy);
    i = close + 1;
  }
  std::string query = literal_query;
  auto add_query = [&](std::string_view key, std::string_view value) {
    if (!query.empty()) query += '&';
    query += PercentEncode(key, false);
    query += '=';
    query += PercentEncode(value, false);
  };
  bool has_body_members = false;
  if (shape != nullptr) {
    for (const Member& m : shape->members) {
      if (m.location.empty()) has_body_members = true;
      const json::value* v = input.if_contains(m.name);
      if (v == nullptr || v->is_null()) continue;
      if (m.location == "querystring") {
        if (m.shape->type == ShapeType::kMap && v->is_object()) {
          for (const auto& [k, item] : v->get_object()) {
            add_query(k, TextOf(m.shape->value, item, false));
          }
        } else if (m.shape->type == ShapeType::kList && v->is_array()) {
          for (const json::value& item : v->get_array()) {
            add_query(m.WireName(), TextOf(m.shape->member, item, false));
          }
        } else {
          add_query(m.WireName(), TextOf(m, *v, false));
        }
      } else if (m.location == "header") {
        request.headers.emplace_back(m.WireName(), TextOf(m, *v, true));
      } else if (m.location == "headers" && v->is_object()) {
        for (const auto& [k, item] : v->get_object()) {
          request.headers.emplace_back(m.WireName() + std::string(k),
                                       TextOf(m.shape->value, item, true));
        }
      }
    }
  }
  request.target = query.empty() ? path : path + "?" + query;
  if (shape != nullptr && !shape->payload.empty()) {
    const Member* payload = shape->FindMember(shape->payload);
    const json::value* v = input.if_contains(shape->payload);
    if (payload != nullptr && v != nullptr && !v->is_null()) {
      if (payload->shape->type == ShapeType::kStructure && v->is_object()) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.body =
            json::serialize(json_protocol::StructureToWire(*payload->shape, v->get_object()));
      } else if (v->is_string()) {
        request.body = std::string(v->get_string());
      }
    }
  } else if (shape != nullptr && has_body_members) {
    // AWS-COMPAT: botocore sends "{}" when the input has body members but none is set, and a
    // Content-Type of application/json whenever there is a JSON body.
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = json::serialize(json_protocol::StructureToWire(*shape, input));
  }
  return request;
}

Result<json::object> ParseJsonBody(const Shape& shape, std::string_view body) {
  // ParseBody reads body members only (located members come from headers, rest-json).
  auto parsed = json_protocol::ParseBody(&shape, body);
  if (!parsed.ok()) return InternalError("malformed JSON response: " + parsed.status().message());
  return parsed;
}

Result<json::object> ParseRestJson(const model::Operation& operation,
                                   const HttpResponse& response) {
  if (operation.output == nullptr) return json::object();
  const Shape& shape = *operation.output;
  json::object out;
  const Member* payload = shape.payload.empty() ? nullptr : shape.FindMember(shape.payload);
  if (payload != nullptr) {
    if (payload->shape->type == ShapeType::kStructure) {
      if (!response.body.empty()) {
        OT_ASSIGN_OR_RETURN(json::object inner, ParseJsonBody(*payload->shape, response.body));
        out.emplace(payload->name, std::move(inner));
      }
    } else if (!response.body.empty()) {
      out.emplace(payload->name, response.body);
    }
  } else {
    OT_ASSIGN_OR_RETURN(out, ParseJsonBody(shape, response.body));
  }
  for (const Member& m : shape.members) {
    if (m.location == "statusCode") {
      out[m.name] = response.status;
    } else if (m.location == "header") {
      for (const auto& [name, value] : response.headers) {
        if (!EqualsIgnoreCase(name, m.WireName())) continue;
        switch (m.shape->type) {
          case ShapeType::kInteger:
          case ShapeType::kLong:
          case ShapeType::kBoolean:
          case ShapeType::kFloat:
          case ShapeType::kDouble: {
            json::error_code ec;
            json::value v = json::parse(value, ec);
            if (ec) return InternalError("malformed header `" + name + "`");
            out[m.name] = std::move(v);
            break;
          }
          case ShapeType::kTimestamp: {
            auto seconds = wire::ToEpochSeconds(json::value(value));
            if (!seconds) return InternalError("malformed timestamp header `" + name + "`");
            out[m.name] = *seconds;
            break;
          }
          default:
            out[m.name] = value;
        }
        break;
      }
    } else if (m.location == "headers") {
      json::object map;
      for (const auto& [name, value] : response.headers) {
        const std::string& prefix = m.WireName();
        if (name.size() >= prefix.size() &&
            EqualsIgnoreCase(std::string_view(name).substr(0, prefix.size()), prefix)) {
          map[name.substr(prefix.size())] = value;
        }
      }
      if (!map.empty()) out[m.name] = std::move(map);
    }
  }
  return out;
}

// botocore: "ns#Code:uri" -> "Code".
std::string CleanCode(std::string_view code) {
  code = code.substr(0, code.find(':'));
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  return std::string(code);
}

std::string FieldText(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

// JSON 1.1 and rest-json errors, as botocore's BaseJSONParser / RestJSONParser read them.
AwsError ParseJsonError(const model::ServiceModel& service, const HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  error.sender_fault = response.status < 500;
  json::error_code ec;
  json::value doc = json::parse(response.body, ec);
  const json::object empty;
  const json::object& body = (!ec && doc.is_object()) ? doc.get_object() : empty;
  std::string code;
  const std::string* header = nullptr;
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "x-amzn-ErrorType")) header = &value;
  }
  // The body's code member, as botocore looks for it: __type, then code, then Code.
  const json::value* body_code = nullptr;
  for (const char* member : {"__type", "code", "Code"}) {
    const json::value* v = body.if_contains(member);
    if (v != nullptr && v->is_string()) {
      body_code = v;
      break;
    }
  }
  // rest-json: the header wins over the body; the other protocols look at the header only when
  // the body names no code.
  const bool header_first = service.protocol == model::Protocol::kRestJson || body_code == nullptr;
  if (header != nullptr && header_first) {
    code = *header;
  } else if (body_code != nullptr) {
    code = std::string(body_code->get_string());
  } else {
    code = std::to_string(response.status);  // botocore's generic error: the status code
  }
  error.code = CleanCode(code);
  if (const json::value* m = body.if_contains("message"); m && m->is_string()) {
    error.message = std::string(m->get_string());
  } else if (const json::value* m2 = body.if_contains("Message"); m2 && m2->is_string()) {
    error.message = std::string(m2->get_string());
  }
  if (const Shape* shape = service.FindError(error.code)) {
    for (const Member& m : shape->members) {
      if (m.name == "message" || m.name == "Message") continue;
      if (m.location == "header") {
        for (const auto& [name, value] : response.headers) {
          if (EqualsIgnoreCase(name, m.WireName())) error.fields[m.name] = value;
        }
      } else if (const json::value* v = body.if_contains(m.WireName()); v && !v->is_null()) {
        error.fields[m.name] = FieldText(*v);
      }
    }
  }
  return error;
}

}  // namespace

Result<HttpRequest> SerializeRequest(const model::ServiceModel& service,
                                     const model::Operation& operation, const json::object& input) {
  switch (service.protocol) {
    case model::Protocol::kJson: {
      HttpRequest request;
      request.method = "POST";
      request.target = "/";
      request.headers.emplace_back("X-Amz-Target", service.target_prefix + "." + operation.name);
      request.headers.emplace_back("Content-Type", json_protocol::ContentType(service));
      request.body = operation.input == nullptr
                         ? "{}"
                         : json::serialize(json_protocol::StructureToWire(*operation.input, input));
      return request;
    }
    case model::Protocol::kRestJson:
      return SerializeRestJson(operation, input);
#ifdef OT_HAVE_QUERY_PROTOCOL
    case model::Protocol::kQuery: {
      HttpRequest request;
      request.method = "POST";
      request.target = "/";
      request.headers.emplace_back("Content-Type",
                                   "application/x-www-form-urlencoded; charset=utf-8");
      request.body = query::SerializeParams(service, operation, input);
      return request;
    }
#endif
    default:
      return InternalError("no client serializer for the protocol of " + service.service_id);
  }
}

Result<json::object> ParseResponse(const model::ServiceModel& service,
                                   const model::Operation& operation,
                                   const HttpResponse& response) {
  switch (service.protocol) {
    case model::Protocol::kJson:
      if (operation.output == nullptr) return json::object();
      return ParseJsonBody(*operation.output, response.body);
    case model::Protocol::kRestJson:
      return ParseRestJson(operation, response);
#ifdef OT_HAVE_QUERY_PROTOCOL
    case model::Protocol::kQuery:
      return query::ParseOutputXml(operation, response.body);
#endif
    default:
      return InternalError("no client parser for the protocol of " + service.service_id);
  }
}

AwsError ParseErrorResponse(const model::ServiceModel& service, const HttpResponse& response) {
#ifdef OT_HAVE_QUERY_PROTOCOL
  if (service.protocol == model::Protocol::kQuery) {
    AwsError error;
    error.http_status = response.status;
    if (query::ParseErrorXml(response.body, &error, nullptr)) return error;
    error = AwsError();
    error.http_status = response.status;
    error.sender_fault = response.status < 500;
    error.code = std::to_string(response.status);
    return error;
  }
#endif
  return ParseJsonError(service, response);
}

std::string ResponseRequestId(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "x-amzn-RequestId") || EqualsIgnoreCase(name, "x-amz-request-id")) {
      return value;
    }
  }
#ifdef OT_HAVE_QUERY_PROTOCOL
  if (response.body.find("<RequestId>") != std::string::npos) {
    size_t start = response.body.find("<RequestId>") + 11;
    size_t end = response.body.find("</RequestId>", start);
    if (end != std::string::npos) return response.body.substr(start, end - start);
  }
#endif
  return {};
}

}  // namespace orgtwin::protocol
