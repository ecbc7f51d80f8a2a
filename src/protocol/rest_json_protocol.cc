#include "protocol/rest_json_protocol.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "protocol/json_protocol.h"
#include "protocol/wire.h"

namespace orgtwin::protocol::rest_json {

namespace json = boost::json;
using model::Shape;
using model::ShapeType;

namespace {

Status Serialization(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("SerializationException");
}

// A scalar from its text form (label, query string or header) -> neutral value.
Result<json::value> ScalarFromText(const Shape& shape, const std::string& text) {
  switch (shape.type) {
    case ShapeType::kString:
    case ShapeType::kBlob:
      return json::value(text);
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Serialization("STRING_VALUE can not be converted to an Integer");
      }
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      json::error_code ec;
      json::value v = json::parse(text, ec);
      if (ec || !v.is_number())
        return Serialization("STRING_VALUE can not be converted to a Double");
      return json::value(v.to_number<double>());
    }
    case ShapeType::kBoolean:
      if (text == "true") return json::value(true);
      if (text == "false") return json::value(false);
      return Serialization("STRING_VALUE can not be converted to a Boolean");
    case ShapeType::kTimestamp: {
      json::error_code ec;
      json::value v = json::parse(text, ec);
      auto seconds = wire::ToEpochSeconds(!ec && v.is_number() ? v : json::value(text));
      if (!seconds) return Serialization("Invalid timestamp value");
      return json::value(*seconds);
    }
    default:
      return Serialization("Unsupported binding for a non-scalar member");
  }
}

}  // namespace

bool MatchRequest(const model::Operation& operation, std::string_view method, std::string_view path,
                  std::map<std::string, std::string>* labels) {
  if (operation.http_method != method) return false;
  std::string_view tmpl = operation.request_uri;
  tmpl = tmpl.substr(0, tmpl.find('?'));
  labels->clear();
  size_t t = 0, p = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] == '{') {
      size_t close = tmpl.find('}', t);
      if (close == std::string_view::npos) return false;
      std::string_view name = tmpl.substr(t + 1, close - t - 1);
      bool greedy = !name.empty() && name.back() == '+';
      if (greedy) name.remove_suffix(1);
      size_t end;
      if (greedy) {
        end = path.size();
        // Leave room for any literal suffix after the greedy label.
        std::string_view suffix = tmpl.substr(close + 1);
        if (suffix.size() > end - p) return false;
        end -= suffix.size();
      } else {
        end = path.find('/', p);
        if (end == std::string_view::npos) end = path.size();
      }
      if (end == p) return false;  // labels are never empty
      auto decoded = wire::PercentDecode(path.substr(p, end - p), false);
      if (!decoded) return false;
      (*labels)[std::string(name)] = std::move(*decoded);
      p = end;
      t = close + 1;
      continue;
    }
    if (p >= path.size() || path[p] != tmpl[t]) return false;
    ++p;
    ++t;
  }
  // A trailing slash is tolerated ("/getAlternateContact/").
  return p == path.size() || (p + 1 == path.size() && path[p] == '/');
}

Result<json::object> ParseInput(const model::Operation& operation, const HttpRequest& request,
                                const std::map<std::string, std::string>& labels) {
  if (operation.input == nullptr) return json::object();
  const Shape& input = *operation.input;
  json::object out;
  const Shape* payload_shape = nullptr;
  if (!input.payload.empty()) {
    const model::Member* payload = input.FindMember(input.payload);
    if (payload != nullptr) payload_shape = payload->shape;
  }
  if (payload_shape != nullptr) {
    if (payload_shape->type == ShapeType::kStructure) {
      OT_ASSIGN_OR_RETURN(json::object body, json_protocol::ParseBody(payload_shape, request.body));
      if (!request.body.empty()) out.emplace(input.payload, std::move(body));
    } else if (!request.body.empty()) {
      out.emplace(input.payload, request.body);
    }
  } else {
    OT_ASSIGN_OR_RETURN(out, json_protocol::ParseBody(&input, request.body));
  }

  std::vector<std::pair<std::string, std::string>> query;
  bool query_parsed = false;
  for (const model::Member& m : input.members) {
    if (m.location == "uri") {
      auto it = labels.find(m.WireName());
      if (it == labels.end()) continue;
      OT_ASSIGN_OR_RETURN(json::value v, ScalarFromText(*m.shape, it->second));
      out[m.name] = std::move(v);
    } else if (m.location == "querystring") {
      if (!query_parsed) {
        query = wire::ParseQueryString(request.RawQuery(), true);
        query_parsed = true;
      }
      if (m.shape->type == ShapeType::kMap) {
        json::object map;
        for (const auto& [k, v] : query) map[k] = v;
        if (!map.empty()) out[m.name] = std::move(map);
      } else if (m.shape->type == ShapeType::kList) {
        json::array list;
        for (const auto& [k, v] : query) {
          if (k != m.WireName()) continue;
          OT_ASSIGN_OR_RETURN(json::value e, ScalarFromText(*m.shape->member.shape, v));
          list.push_back(std::move(e));
        }
        if (!list.empty()) out[m.name] = std::move(list);
      } else {
        for (const auto& [k, v] : query) {
          if (k != m.WireName()) continue;
          OT_ASSIGN_OR_RETURN(json::value e, ScalarFromText(*m.shape, v));
          out[m.name] = std::move(e);
          break;
        }
      }
    } else if (m.location == "header") {
      const std::string* h = request.Header(m.WireName());
      if (h == nullptr) continue;
      OT_ASSIGN_OR_RETURN(json::value v, ScalarFromText(*m.shape, *h));
      out[m.name] = std::move(v);
    } else if (m.location == "headers") {
      json::object map;
      for (const auto& [name, value] : request.headers) {
        std::string_view prefix = m.WireName();
        if (name.size() >= prefix.size() &&
            EqualsIgnoreCase(name.substr(0, prefix.size()), prefix)) {
          map[name.substr(prefix.size())] = value;
        }
      }
      if (!map.empty()) out[m.name] = std::move(map);
    }
  }
  return out;
}

HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const json::object& output, std::string_view request_id) {
  (void)service;
  HttpResponse response;
  response.status = operation.success_status;
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  if (operation.output == nullptr) return response;
  const Shape& shape = *operation.output;
  for (const model::Member& m : shape.members) {
    const json::value* v = output.if_contains(m.name);
    if (v == nullptr || v->is_null()) continue;
    if (m.location == "header") {
      std::string text;
      if (v->is_string()) {
        text = std::string(v->get_string());
      } else if (m.shape->type == ShapeType::kTimestamp) {
        auto seconds = wire::ToEpochSeconds(*v);
        if (seconds) {
          text = FormatIso8601Seconds(
              TimePoint(std::chrono::seconds(static_cast<std::int64_t>(*seconds))));
        }
      } else {
        text = json::serialize(*v);
      }
      response.headers.emplace_back(m.WireName(), std::move(text));
    } else if (m.location == "statusCode") {
      if (v->is_int64()) response.status = static_cast<int>(v->get_int64());
    } else if (m.location == "headers" && v->is_object()) {
      for (const auto& [k, value] : v->get_object()) {
        if (value.is_string()) {
          response.headers.emplace_back(m.WireName() + std::string(k),
                                        std::string(value.get_string()));
        }
      }
    }
  }
  if (!shape.payload.empty()) {
    const model::Member* payload = shape.FindMember(shape.payload);
    const json::value* v = output.if_contains(shape.payload);
    if (payload != nullptr && v != nullptr) {
      if (payload->shape->type == ShapeType::kStructure && v->is_object()) {
        response.headers.emplace_back("Content-Type", "application/json");
        response.body =
            json::serialize(json_protocol::StructureToWire(*payload->shape, v->get_object()));
      } else if (v->is_string()) {
        response.body = std::string(v->get_string());
      }
    }
    return response;
  }
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = json::serialize(json_protocol::StructureToWire(shape, output));
  return response;
}

}  // namespace orgtwin::protocol::rest_json
