// Query protocol, client side: the form body botocore writes, and the XML documents IAM and STS
// answer, read back into the neutral form. XML is read with Boost.PropertyTree (rapidxml: entities
// and character references decoded, element order kept); text is never trimmed, because values
// such as policy documents keep their whitespace.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "protocol/query/query_protocol.h"
#include "protocol/wire.h"

namespace orgtwin::protocol::query {
namespace {

namespace json = boost::json;
namespace pt = boost::property_tree;
using model::Member;
using model::Shape;
using model::ShapeType;

// application/x-www-form-urlencoded as Python's urlencode writes it (botocore): unreserved
// characters kept, space as '+', everything else %XX.
void AppendFormEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

void AddParam(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += '&';
  AppendFormEncoded(out, key);
  out += '=';
  AppendFormEncoded(out, value);
}

// A double as botocore writes it (Python's str(float)): the shortest text that reads back
// exactly, with ".0" on whole numbers in fixed notation ("0.25", "100.0", "1e+16").
std::string PythonFloatText(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string ScalarText(const Member& member, const json::value& value) {
  const Shape& shape = *member.shape;
  if (shape.type == ShapeType::kTimestamp) {
    auto seconds = wire::ToEpochSeconds(value);
    if (seconds) {
      const std::string& format =
          member.timestamp_format.empty() ? shape.timestamp_format : member.timestamp_format;
      const double whole = std::floor(*seconds);
      if (format == "unixTimestamp") {
        // botocore sends whole seconds for unixTimestamp members.
        return std::to_string(static_cast<int64_t>(whole));
      }
      std::string out;
      internal::AppendIso8601(out, whole);
      // botocore: "%Y-%m-%dT%H:%M:%S.%fZ" when there are microseconds, else whole seconds.
      const auto micros = static_cast<int64_t>(std::llround((*seconds - whole) * 1e6));
      if (micros > 0 && micros < 1000000) {
        char frac[8];
        std::snprintf(frac, sizeof(frac), ".%06lld", static_cast<long long>(micros));
        out.insert(out.size() - 1, frac);
      }
      return out;
    }
  }
  switch (value.kind()) {
    case json::kind::string:
      return std::string(value.get_string());
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case json::kind::double_:
      if (shape.type == ShapeType::kInteger || shape.type == ShapeType::kLong) {
        return std::to_string(static_cast<int64_t>(value.get_double()));
      }
      return PythonFloatText(value.get_double());
    default:
      return json::serialize(value);
  }
}

void SerializeValue(std::string& out, const std::string& prefix, const Member& member,
                    const json::value& value);

void SerializeStructure(std::string& out, const std::string& prefix, const Shape& shape,
                        const json::object& object) {
  // The order of `object`, as botocore keeps the caller's dict order.
  for (const auto& [name, value] : object) {
    const Member* m = shape.FindMember(name);
    if (m == nullptr || value.is_null()) continue;
    std::string key = prefix.empty() ? m->WireName() : prefix + "." + m->WireName();
    SerializeValue(out, key, *m, value);
  }
}

void SerializeValue(std::string& out, const std::string& prefix, const Member& member,
                    const json::value& value) {
  const Shape& shape = *member.shape;
  const bool flattened = member.flattened || shape.flattened;
  switch (shape.type) {
    case ShapeType::kStructure:
      if (value.is_object()) SerializeStructure(out, prefix, shape, value.get_object());
      return;
    case ShapeType::kList: {
      if (!value.is_array()) return;
      const json::array& items = value.get_array();
      // AWS-COMPAT: an empty list is sent as "L=" (botocore), which tells the service "empty".
      if (items.empty()) {
        AddParam(out, prefix, "");
        return;
      }
      std::string list_prefix;
      if (flattened) {
        list_prefix = prefix;
        if (!shape.member.location_name.empty()) {
          size_t dot = prefix.rfind('.');
          list_prefix = (dot == std::string::npos ? std::string() : prefix.substr(0, dot + 1)) +
                        shape.member.location_name;
        }
      } else {
        list_prefix = prefix + "." +
                      (shape.member.location_name.empty() ? std::string("member")
                                                          : shape.member.location_name);
      }
      for (size_t i = 0; i < items.size(); ++i) {
        SerializeValue(out, list_prefix + "." + std::to_string(i + 1), shape.member, items[i]);
      }
      return;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return;
      const std::string full = flattened ? prefix : prefix + ".entry";
      const std::string key_name =
          shape.key.location_name.empty() ? "key" : shape.key.location_name;
      const std::string value_name =
          shape.value.location_name.empty() ? "value" : shape.value.location_name;
      size_t i = 1;
      for (const auto& [k, v] : value.get_object()) {
        const std::string entry = full + "." + std::to_string(i++) + ".";
        AddParam(out, entry + key_name, k);
        SerializeValue(out, entry + value_name, shape.value, v);
      }
      return;
    }
    default:
      AddParam(out, prefix, ScalarText(member, value));
  }
}

// --- XML output -------------------------------------------------------------------------------

Status MalformedResponse(const std::string& what) {
  return InternalError("malformed Query response: " + what);
}

std::string MissingEntryPart(const std::string& key_name, const std::string& value_name) {
  std::string out = "map entry without " + key_name;
  out += "/" + value_name;
  return out;
}

// The children of `node` that are elements (PropertyTree keeps attributes under <xmlattr>).
bool IsElement(const std::string& key) { return key != "<xmlattr>" && key != "<xmlcomment>"; }

Result<json::value> ReadValue(const Member& member, const pt::ptree& node);

Result<json::object> ReadStructure(const Shape& shape, const pt::ptree& node) {
  json::object out;
  for (const Member& m : shape.members) {
    const Shape& ms = *m.shape;
    const bool flattened = m.flattened || ms.flattened;
    if (flattened && (ms.type == ShapeType::kList || ms.type == ShapeType::kMap)) {
      // Flattened: every child named like the member (or its item's locationName) is an item.
      const std::string& item_name = ms.type == ShapeType::kList && !ms.member.location_name.empty()
                                         ? ms.member.location_name
                                         : m.WireName();
      json::array list;
      json::object map;
      bool any = false;
      for (const auto& [key, child] : node) {
        if (key != item_name) continue;
        any = true;
        if (ms.type == ShapeType::kList) {
          OT_ASSIGN_OR_RETURN(json::value item, ReadValue(ms.member, child));
          list.push_back(std::move(item));
        } else {
          const std::string kname = ms.key.location_name.empty() ? "key" : ms.key.location_name;
          const std::string vname =
              ms.value.location_name.empty() ? "value" : ms.value.location_name;
          auto k = child.get_child_optional(kname);
          auto v = child.get_child_optional(vname);
          if (!k || !v) return MalformedResponse(MissingEntryPart(kname, vname));
          OT_ASSIGN_OR_RETURN(json::value item, ReadValue(ms.value, *v));
          map[k->data()] = std::move(item);
        }
      }
      if (any) {
        out.emplace(m.name, ms.type == ShapeType::kList ? json::value(std::move(list))
                                                        : json::value(std::move(map)));
      }
      continue;
    }
    auto child = node.get_child_optional(pt::ptree::path_type(m.WireName(), '\0'));
    if (!child) continue;
    OT_ASSIGN_OR_RETURN(json::value v, ReadValue(m, *child));
    out.emplace(m.name, std::move(v));
  }
  return out;
}

Result<json::value> ReadScalar(const Member& member, const std::string& text) {
  const Shape& shape = *member.shape;
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return MalformedResponse("`" + text + "` is not an integer");
      }
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      if (text == "NaN") return json::value(std::nan(""));
      if (text == "Infinity") return json::value(std::numeric_limits<double>::infinity());
      if (text == "-Infinity") return json::value(-std::numeric_limits<double>::infinity());
      json::error_code ec;
      json::value v = json::parse(text, ec);
      if (ec || !v.is_number()) return MalformedResponse("`" + text + "` is not a number");
      return json::value(v.to_number<double>());
    }
    case ShapeType::kBoolean:
      if (text == "true") return json::value(true);
      if (text == "false") return json::value(false);
      return MalformedResponse("`" + text + "` is not a boolean");
    case ShapeType::kTimestamp: {
      double seconds = 0;
      // Timestamps are doubles in the neutral form, as the JSON protocols read them.
      if (internal::ParseIso8601(text, seconds)) return json::value(seconds);
      json::error_code ec;
      json::value v = json::parse(text, ec);
      if (!ec && v.is_number()) return json::value(v.to_number<double>());
      return MalformedResponse("`" + text + "` is not a timestamp");
    }
    default:
      return json::value(text);
  }
}

Result<json::value> ReadValue(const Member& member, const pt::ptree& node) {
  const Shape& shape = *member.shape;
  switch (shape.type) {
    case ShapeType::kStructure: {
      OT_ASSIGN_OR_RETURN(json::object object, ReadStructure(shape, node));
      return json::value(std::move(object));
    }
    case ShapeType::kList: {
      const std::string item =
          shape.member.location_name.empty() ? "member" : shape.member.location_name;
      json::array list;
      for (const auto& [key, child] : node) {
        if (key != item) continue;
        OT_ASSIGN_OR_RETURN(json::value v, ReadValue(shape.member, child));
        list.push_back(std::move(v));
      }
      return json::value(std::move(list));
    }
    case ShapeType::kMap: {
      const std::string kname = shape.key.location_name.empty() ? "key" : shape.key.location_name;
      const std::string vname =
          shape.value.location_name.empty() ? "value" : shape.value.location_name;
      json::object map;
      for (const auto& [key, entry] : node) {
        if (key != "entry") continue;
        auto k = entry.get_child_optional(kname);
        auto v = entry.get_child_optional(vname);
        if (!k || !v) return MalformedResponse(MissingEntryPart(kname, vname));
        OT_ASSIGN_OR_RETURN(json::value value, ReadValue(shape.value, *v));
        map[k->data()] = std::move(value);
      }
      return json::value(std::move(map));
    }
    default:
      return ReadScalar(member, node.data());
  }
}

std::optional<pt::ptree> ParseDocument(std::string_view body) {
  std::istringstream in{std::string(body)};
  pt::ptree tree;
  try {
    pt::read_xml(in, tree);
  } catch (const pt::ptree_error&) {
    return std::nullopt;  // no exception leaves the adapter (STYLE 3.3)
  }
  return tree;
}

// The document element (the first element child of the document node), or nullptr.
const pt::ptree* Root(const pt::ptree& document, std::string* name) {
  for (const auto& [key, child] : document) {
    if (!IsElement(key) || key == "<xmldecl>") continue;
    *name = key;
    return &child;
  }
  return nullptr;
}

}  // namespace

std::string SerializeParams(const model::ServiceModel& service, const model::Operation& operation,
                            const json::object& input) {
  std::string out;
  out.reserve(64 + input.size() * 32);
  AddParam(out, "Action", operation.name);
  AddParam(out, "Version", service.api_version);
  if (operation.input != nullptr) SerializeStructure(out, "", *operation.input, input);
  return out;
}

Result<json::object> ParseOutputXml(const model::Operation& operation, std::string_view body) {
  if (operation.output == nullptr) return json::object();
  std::optional<pt::ptree> document = ParseDocument(body);
  if (!document) return MalformedResponse("not well-formed XML");
  std::string root_name;
  const pt::ptree* root = Root(*document, &root_name);
  if (root == nullptr || root_name != operation.name + "Response") {
    return MalformedResponse("expected <" + operation.name + "Response>, got <" + root_name + ">");
  }
  const pt::ptree* result = root;
  if (!operation.result_wrapper.empty()) {
    auto wrapped = root->get_child_optional(operation.result_wrapper);
    // An operation whose output is empty may omit its result element.
    if (!wrapped) return json::object();
    result = &*wrapped;
  }
  return ReadStructure(*operation.output, *result);
}

bool ParseErrorXml(std::string_view body, AwsError* error, std::string* request_id) {
  std::optional<pt::ptree> document = ParseDocument(body);
  if (!document) return false;
  std::string root_name;
  const pt::ptree* root = Root(*document, &root_name);
  if (root == nullptr) return false;
  boost::optional<const pt::ptree&> node;
  if (root_name == "ErrorResponse") {
    node = root->get_child_optional("Error");
  } else if (root_name == "Response") {  // the EC2-style layout some Query services answer
    node = root->get_child_optional("Errors.Error");
  }
  if (!node) return false;
  for (const auto& [key, child] : *node) {
    if (!IsElement(key)) continue;
    if (key == "Code") {
      error->code = child.data();
    } else if (key == "Message") {
      error->message = child.data();
    } else if (key == "Type") {
      error->sender_fault = child.data() != "Receiver";
    } else {
      error->fields[key] = child.data();
    }
  }
  if (request_id != nullptr) {
    auto id = root->get_child_optional("RequestId");
    if (!id) id = root->get_child_optional("RequestID");
    if (id) *request_id = id->data();
  }
  return !error->code.empty();
}

}  // namespace orgtwin::protocol::query
