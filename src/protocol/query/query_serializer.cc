// Query protocol output: the XML documents IAM and STS send, written straight into one
// pre-reserved std::string by walking the output shape (no DOM, no per-member allocation).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/query/query_protocol.h"

namespace orgtwin::protocol::query {
namespace {

namespace json = boost::json;
using model::Member;
using model::Shape;
using model::ShapeType;

void Open(std::string& out, std::string_view name) {
  out += '<';
  out += name;
  out += '>';
}

void Close(std::string& out, std::string_view name) {
  out += "</";
  out += name;
  out += '>';
}

void AppendInt(std::string& out, int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

void AppendDouble(std::string& out, double value) {
  // AWS-COMPAT: non-finite doubles travel as NaN / Infinity / -Infinity (Smithy awsQuery).
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  }
}

// Any JSON scalar as text (for a value whose JSON type does not match its shape).
void AppendScalarText(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      internal::AppendXmlEscaped(out, value.get_string());
      break;
    case json::kind::int64:
      AppendInt(out, value.get_int64());
      break;
    case json::kind::uint64: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value.get_uint64());
      out.append(buffer, end);
      break;
    }
    case json::kind::double_:
      AppendDouble(out, value.get_double());
      break;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      break;
    default:
      internal::AppendXmlEscaped(out, json::serialize(value));
      break;
  }
}

void AppendTimestamp(std::string& out, const Member& member, const json::value& value) {
  const Shape& shape = *member.shape;
  const std::string& format =
      member.timestamp_format.empty() ? shape.timestamp_format : member.timestamp_format;
  double seconds = 0;
  bool have_seconds = true;
  if (value.is_number()) {
    seconds = value.to_number<double>();
  } else if (value.is_string()) {
    have_seconds = internal::ParseIso8601(value.get_string(), seconds);
  } else {
    have_seconds = false;
  }
  if (!have_seconds) {
    AppendScalarText(out, value);  // not a timestamp we understand: sent as given
  } else if (format == "unixTimestamp") {
    AppendDouble(out, seconds);
  } else {
    internal::AppendIso8601(out, seconds);
  }
}

void WriteStructure(std::string& out, const Shape& shape, const json::object& object);

// Writes `value` as element(s) named `name`, per `member`'s shape.
void WriteValue(std::string& out, std::string_view name, const Member& member,
                const json::value& value) {
  const Shape& shape = *member.shape;
  const bool flattened = member.flattened || shape.flattened;
  switch (shape.type) {
    case ShapeType::kList: {
      const json::array* array = value.if_array();
      if (array == nullptr || shape.member.shape == nullptr) return;
      if (flattened) {
        const std::string_view element =
            shape.member.location_name.empty() ? name : shape.member.location_name;
        for (const json::value& item : *array) WriteValue(out, element, shape.member, item);
        return;
      }
      const std::string_view element = shape.member.location_name.empty()
                                           ? std::string_view("member")
                                           : std::string_view(shape.member.location_name);
      Open(out, name);
      for (const json::value& item : *array) WriteValue(out, element, shape.member, item);
      Close(out, name);
      return;
    }
    case ShapeType::kMap: {
      const json::object* object = value.if_object();
      if (object == nullptr || shape.value.shape == nullptr) return;
      const std::string_view key_name =
          shape.key.location_name.empty() ? "key" : std::string_view(shape.key.location_name);
      const std::string_view value_name =
          shape.value.location_name.empty() ? "value" : std::string_view(shape.value.location_name);
      const std::string_view entry = flattened ? name : std::string_view("entry");
      if (!flattened) Open(out, name);
      for (const auto& kv : *object) {
        Open(out, entry);
        Open(out, key_name);
        internal::AppendXmlEscaped(out, kv.key());
        Close(out, key_name);
        WriteValue(out, value_name, shape.value, kv.value());
        Close(out, entry);
      }
      if (!flattened) Close(out, name);
      return;
    }
    default:
      break;
  }
  if (value.is_null()) return;
  Open(out, name);
  switch (shape.type) {
    case ShapeType::kStructure:
      if (const json::object* object = value.if_object()) WriteStructure(out, shape, *object);
      break;
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (value.is_double() && std::isfinite(value.get_double())) {
        AppendInt(out, static_cast<int64_t>(value.get_double()));
      } else {
        AppendScalarText(out, value);
      }
      break;
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (value.is_number()) {
        AppendDouble(out, value.to_number<double>());
      } else {
        AppendScalarText(out, value);
      }
      break;
    case ShapeType::kTimestamp:
      AppendTimestamp(out, member, value);
      break;
    default:  // string, blob (already base64 text), boolean
      AppendScalarText(out, value);
      break;
  }
  Close(out, name);
}

void WriteStructure(std::string& out, const Shape& shape, const json::object& object) {
  if (object.empty()) return;
  for (const Member& member : shape.members) {
    if (member.shape == nullptr) continue;
    const auto it = object.find(member.name);
    if (it == object.end() || it->value().is_null()) continue;
    WriteValue(out, member.WireName(), member, it->value());
  }
}

void FinishResponse(HttpResponse& response, std::string_view request_id) {
  response.headers.reserve(2);
  response.headers.emplace_back("Content-Type", "text/xml");
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
}

}  // namespace

HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const boost::json::object& output, std::string_view request_id) {
  HttpResponse response;
  response.status = operation.success_status;
  std::string& out = response.body;
  out.reserve(512 + service.xml_namespace.size() + 2 * operation.name.size() + 96 * output.size());
  out += '<';
  out += operation.name;
  out += "Response xmlns=\"";
  internal::AppendXmlEscaped(out, service.xml_namespace);
  out += "\">";
  if (operation.output != nullptr) {
    // botocore looks the wrapper up unconditionally, so it is written even when empty.
    if (operation.result_wrapper.empty()) {
      WriteStructure(out, *operation.output, output);
    } else {
      Open(out, operation.result_wrapper);
      WriteStructure(out, *operation.output, output);
      Close(out, operation.result_wrapper);
    }
  }
  out += "<ResponseMetadata><RequestId>";
  internal::AppendXmlEscaped(out, request_id);
  out += "</RequestId></ResponseMetadata></";
  out += operation.name;
  out += "Response>";
  FinishResponse(response, request_id);
  return response;
}

HttpResponse SerializeError(const model::ServiceModel& service, const AwsError& error,
                            std::string_view request_id) {
  HttpResponse response;
  response.status = error.http_status;
  std::string& out = response.body;
  out.reserve(256 + service.xml_namespace.size() + error.code.size() + error.message.size());
  // AWS-COMPAT: IAM and STS both answer <ErrorResponse xmlns="<the service's own namespace>">
  // with <Type>Sender|Receiver</Type> first and <RequestId> after </Error>. Pinned by the error
  // fixtures in tests/conformance/protocol/query/.
  out += "<ErrorResponse xmlns=\"";
  internal::AppendXmlEscaped(out, service.xml_namespace);
  out += "\"><Error><Type>";
  out += error.sender_fault ? "Sender" : "Receiver";
  out += "</Type><Code>";
  internal::AppendXmlEscaped(out, error.code);
  out += "</Code><Message>";
  internal::AppendXmlEscaped(out, error.message);
  out += "</Message>";
  for (const auto& [name, value] : error.fields) {
    Open(out, name);
    internal::AppendXmlEscaped(out, value);
    Close(out, name);
  }
  out += "</Error><RequestId>";
  internal::AppendXmlEscaped(out, request_id);
  out += "</RequestId></ErrorResponse>";
  FinishResponse(response, request_id);
  return response;
}

namespace internal {

void AppendXmlEscaped(std::string& out, std::string_view text) {
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < text.size(); ++i) {
    const char* replacement = nullptr;
    switch (text[i]) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        replacement = "&gt;";
        break;
      case '"':
        replacement = "&quot;";
        break;
      case '\'':
        replacement = "&apos;";
        break;
      case '\r':  // a raw CR would be normalized away by the reader's XML parser
        replacement = "&#13;";
        break;
      default:
        continue;
    }
    out.append(text.data() + run, i - run);
    out += replacement;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

void AppendIso8601(std::string& out, double epoch_seconds) {
  // Years 0000..9999 only: ISO 8601's four-digit form.
  constexpr double kMin = -62167219200.0;              // 0000-01-01T00:00:00Z
  constexpr double kMax = 253402300799.0;              // 9999-12-31T23:59:59Z
  if (!(epoch_seconds >= kMin)) epoch_seconds = kMin;  // also catches NaN
  if (epoch_seconds > kMax) epoch_seconds = kMax;
  // AWS-COMPAT: IAM (CreateDate, ...) and STS (Credentials.Expiration) send whole seconds with
  // a 'Z' suffix, e.g. 2026-11-27T23:07:44Z. Pinned by QuerySerializeTest.TimestampFormat.
  const auto seconds = static_cast<int64_t>(std::floor(epoch_seconds));
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days (H. Hinnant's public-domain date algorithms).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  const auto hour = static_cast<unsigned>(rem / 3600);
  const auto minute = static_cast<unsigned>(rem % 3600 / 60);
  const auto second = static_cast<unsigned>(rem % 60);

  char buffer[20];
  auto put = [&buffer](int pos, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buffer[pos + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, static_cast<unsigned>(year), 4);
  buffer[4] = '-';
  put(5, month, 2);
  buffer[7] = '-';
  put(8, day, 2);
  buffer[10] = 'T';
  put(11, hour, 2);
  buffer[13] = ':';
  put(14, minute, 2);
  buffer[16] = ':';
  put(17, second, 2);
  buffer[19] = 'Z';
  out.append(buffer, sizeof(buffer));
}

}  // namespace internal

}  // namespace orgtwin::protocol::query
