#include "protocol/json_protocol.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "protocol/wire.h"

namespace orgtwin::protocol::json_protocol {

namespace json = boost::json;
using model::Shape;
using model::ShapeType;

namespace {

Status Serialization(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("SerializationException");
}

const char* KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      return "structure or map";
    case json::kind::array:
      return "list";
    case json::kind::string:
      return "STRING_VALUE";
    case json::kind::bool_:
      return "BOOLEAN_VALUE";
    case json::kind::null:
      return "null";
    default:
      return "NUMBER_VALUE";
  }
}

Status Mismatch(const json::value& v, const char* target) {
  // AWS-COMPAT: Coral's wording for type mismatches, e.g. "STRING_VALUE can not be converted
  // to an Integer"; containers get "Start of list found where not expected".
  if (v.is_array()) return Serialization("Start of list found where not expected");
  if (v.is_object()) return Serialization("Start of structure or map found where not expected.");
  return Serialization(std::string(KindName(v)) + " can not be converted to " + target);
}

bool IsBodyMember(const model::Member& m) { return m.location.empty(); }

Result<json::value> ValueFromWire(const Shape& shape, const json::value& v);

Result<json::object> StructureFromWireImpl(const Shape& shape, const json::object& wire,
                                           bool body_only) {
  json::object out;
  for (const model::Member& m : shape.members) {
    if (body_only && !IsBodyMember(m)) continue;
    const json::value* v = wire.if_contains(m.WireName());
    if (v == nullptr || v->is_null()) continue;
    OT_ASSIGN_OR_RETURN(json::value converted, ValueFromWire(*m.shape, *v));
    out.emplace(m.name, std::move(converted));
  }
  return out;
}

Result<json::value> ValueFromWire(const Shape& shape, const json::value& v) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return Mismatch(v, "a Structure");
      OT_ASSIGN_OR_RETURN(json::object obj, StructureFromWireImpl(shape, v.get_object(), false));
      return json::value(std::move(obj));
    }
    case ShapeType::kList: {
      if (!v.is_array()) return Mismatch(v, "a List");
      json::array out;
      out.reserve(v.get_array().size());
      for (const json::value& e : v.get_array()) {
        if (e.is_null()) {
          out.emplace_back(nullptr);
          continue;
        }
        OT_ASSIGN_OR_RETURN(json::value converted, ValueFromWire(*shape.member.shape, e));
        out.push_back(std::move(converted));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return Mismatch(v, "a Map");
      json::object out;
      for (const auto& [key, value] : v.get_object()) {
        if (value.is_null()) continue;
        OT_ASSIGN_OR_RETURN(json::value converted, ValueFromWire(*shape.value.shape, value));
        out.emplace(key, std::move(converted));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kString:
      if (!v.is_string()) return Mismatch(v, "a String");
      return v;
    case ShapeType::kBlob:
      if (!v.is_string()) return Mismatch(v, "a Blob");
      if (!wire::IsBase64(v.get_string())) {
        return Serialization("Base64 encoded value is invalid");
      }
      return v;
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      if (v.is_int64()) {
        std::int64_t n = v.get_int64();
        if (shape.type == ShapeType::kInteger && (n > INT32_MAX || n < INT32_MIN)) {
          return Serialization("NUMBER_VALUE can not be converted to an Integer");
        }
        return v;
      }
      if (v.is_uint64()) return Serialization("NUMBER_VALUE can not be converted to a Long");
      if (v.is_double()) {
        double d = v.get_double();
        // Whole-valued doubles ("5.0") are accepted as integers; fractions are not.
        if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d < 9.2e18 && d > -9.2e18) {
          return json::value(static_cast<std::int64_t>(d));
        }
        return Serialization("NUMBER_VALUE can not be converted to an Integer");
      }
      return Mismatch(v, shape.type == ShapeType::kInteger ? "an Integer" : "a Long");
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (!v.is_number()) return Mismatch(v, "a Double");
      return json::value(v.to_number<double>());
    case ShapeType::kBoolean:
      if (!v.is_bool()) return Mismatch(v, "a Boolean");
      return v;
    case ShapeType::kTimestamp: {
      if (!v.is_number() && !v.is_string()) return Mismatch(v, "a Timestamp");
      auto seconds = wire::ToEpochSeconds(v);
      if (!seconds) return Serialization("Invalid timestamp value");
      return json::value(*seconds);
    }
  }
  return Serialization("unsupported shape");
}

// `format` is the member's timestampFormat, else the shape's ("" = the protocol's default).
json::value ValueToWire(const Shape& shape, const json::value& v, const std::string& format = "");

json::object StructureToWireImpl(const Shape& shape, const json::object& neutral, bool body_only) {
  json::object out;
  for (const model::Member& m : shape.members) {
    if (body_only && !IsBodyMember(m)) continue;
    const json::value* v = neutral.if_contains(m.name);
    if (v == nullptr || v->is_null()) continue;
    out.emplace(m.WireName(), ValueToWire(*m.shape, *v, m.timestamp_format));
  }
  return out;
}

json::value ValueToWire(const Shape& shape, const json::value& v, const std::string& format) {
  switch (shape.type) {
    case ShapeType::kStructure:
      if (!v.is_object()) return v;
      return StructureToWireImpl(shape, v.get_object(), false);
    case ShapeType::kList: {
      if (!v.is_array()) return v;
      json::array out;
      out.reserve(v.get_array().size());
      for (const json::value& e : v.get_array()) out.push_back(ValueToWire(*shape.member.shape, e));
      return out;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return v;
      json::object out;
      for (const auto& [key, value] : v.get_object()) {
        out.emplace(key, ValueToWire(*shape.value.shape, value));
      }
      return out;
    }
    case ShapeType::kTimestamp: {
      auto seconds = wire::ToEpochSeconds(v);
      if (!seconds) return v;
      // JSON protocols default to epoch seconds; a model may ask for ISO 8601 strings (the
      // Account API's AccountCreatedDate), which the SDKs then insist on.
      const std::string& chosen = format.empty() ? shape.timestamp_format : format;
      if (chosen == "iso8601") {
        return json::value(FormatIso8601Seconds(
            TimePoint(std::chrono::seconds(static_cast<int64_t>(std::floor(*seconds))))));
      }
      return wire::EpochSecondsJson(*seconds);
    }
    default:
      return v;
  }
}

}  // namespace

Result<json::object> StructureFromWire(const Shape& shape, const json::object& wire) {
  return StructureFromWireImpl(shape, wire, false);
}

Result<json::object> ParseBody(const Shape* input, std::string_view body) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return json::object();
  json::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return Serialization("Unable to parse request body as JSON: " + ec.message());
  if (!doc.is_object()) return Serialization("Start of structure or map expected");
  if (input == nullptr) return json::object();
  return StructureFromWireImpl(*input, doc.get_object(), true);
}

json::object StructureToWire(const Shape& shape, const json::object& neutral) {
  return StructureToWireImpl(shape, neutral, true);
}

std::string ContentType(const model::ServiceModel& service) {
  return "application/x-amz-json-" +
         (service.json_version.empty() ? std::string("1.0") : service.json_version);
}

HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const json::object& output, std::string_view request_id) {
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  response.headers.emplace_back("Content-Type", ContentType(service));
  response.body = operation.output == nullptr
                      ? "{}"
                      : json::serialize(StructureToWire(*operation.output, output));
  return response;
}

HttpResponse SerializeError(const model::ServiceModel* service, const AwsError& error,
                            std::string_view request_id, std::string_view content_type) {
  const Shape* shape = service != nullptr ? service->FindError(error.code) : nullptr;
  json::object body;
  body.emplace("__type", error.code);
  // Organizations' error shapes name the member "Message"; everyone else uses "message".
  const char* message_key =
      (shape != nullptr && shape->FindMember("Message") != nullptr) ? "Message" : "message";
  body.emplace(message_key, error.message);
  for (const auto& [name, value] : error.fields) {
    const model::Member* member = shape != nullptr ? shape->FindMember(name) : nullptr;
    json::value typed(value);
    if (member != nullptr) {
      ShapeType t = member->shape->type;
      if (t == ShapeType::kList || t == ShapeType::kMap || t == ShapeType::kStructure ||
          t == ShapeType::kInteger || t == ShapeType::kLong || t == ShapeType::kBoolean ||
          t == ShapeType::kDouble || t == ShapeType::kFloat) {
        json::error_code ec;
        json::value parsed = json::parse(value, ec);
        if (!ec) typed = std::move(parsed);
      }
    } else if (name == "fieldList") {
      // Unmodeled but structured (generic ValidationException): keep it JSON.
      json::error_code ec;
      json::value parsed = json::parse(value, ec);
      if (!ec) typed = std::move(parsed);
    }
    body[name] = std::move(typed);
  }
  HttpResponse response;
  response.status = error.http_status;
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  response.headers.emplace_back("x-amzn-ErrorType", error.code);
  response.headers.emplace_back("Content-Type", std::string(content_type));
  response.body = json::serialize(body);
  return response;
}

}  // namespace orgtwin::protocol::json_protocol
