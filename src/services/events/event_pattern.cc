#include "services/events/event_pattern.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>

namespace orgtwin::services::events {
namespace internal {

enum class Op {
  kExactString,
  kExactNumber,
  kExactLiteral,  // true, false or null, kept as its JSON text
  kPrefix,
  kPrefixIgnoreCase,
  kSuffix,
  kSuffixIgnoreCase,
  kEqualsIgnoreCase,
  kWildcard,
  kNumeric,
  kExists,
  kAbsent,
  kCidr,
  kAnythingBut,
};

struct Matcher {
  Op op = Op::kExactString;
  std::string text;  // the operand; lower-cased for the ignore-case operators
  double number = 0;
  // kNumeric: the bounds that are set.
  bool has_low = false, low_open = false, has_high = false, high_open = false;
  double low = 0, high = 0;
  // kWildcard: the literal parts between the `*`s (escapes resolved); size() - 1 stars.
  std::vector<std::string> parts;
  // kCidr: the network in network byte order, its family and prefix length.
  int family = 0;
  std::array<uint8_t, 16> network{};
  int prefix_bits = 0;
  // kAnythingBut: matches a present value that none of these matches.
  std::vector<Matcher> excluded;
};

struct Node;
struct Field {
  std::string key;
  std::unique_ptr<Node> child;  // a nested object pattern, or
  std::vector<Matcher> leaf;    // the array of values (OR)
};
struct Node {
  std::vector<Field> fields;           // AND
  std::vector<std::vector<Node>> ors;  // each `$or`: one of its alternatives must match
};

}  // namespace internal

namespace {

using internal::Field;
using internal::Matcher;
using internal::Node;
using internal::Op;

// Event Ruler's limit for numbers it compares as numbers (the user guide's "Numeric matching").
constexpr double kFiveBillion = 5e9;

Status Invalid(std::string_view reason) {
  // AWS-COMPAT: AWS appends Jackson's location, " at [Source: (String)\"...\"; line: 1, column:
  // 40]", to the reason; the twin's parser works on a DOM and gives the reason alone.
  return InvalidInputError("Event pattern is not valid. Reason: " + std::string(reason))
      .WithAwsCode("InvalidEventPatternException");
}

// AWS-COMPAT: Event Ruler folds case with Java's Unicode rules; the twin folds ASCII letters
// only (the alerting patterns it serves are ASCII: sources, event names, ARNs).
std::string Fold(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsNumber(const boost::json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}
double ToDouble(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

const char* TypeWord(const boost::json::value& v) {
  if (v.is_object()) return "{";
  if (v.is_array()) return "[";
  if (v.is_null()) return "null";
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return "value";
}

// ---- wildcards -------------------------------------------------------------------------------

// Splits a wildcard operand at its unescaped `*`s. Escapes: `\*` is a literal star, `\\` a
// backslash; any other backslash and two stars in a row are errors (Event Ruler's positions count
// the opening quote of the JSON string, so they are the byte index + 1).
Status ParseWildcard(std::string_view text, std::vector<std::string>* parts) {
  parts->assign(1, std::string());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        return Invalid("Consecutive wildcard characters at pos " + std::to_string(i + 1));
      }
      parts->emplace_back();
    } else if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        parts->back().push_back(text[++i]);
        continue;
      }
      return Invalid("Invalid escape character at pos " + std::to_string(i + 1));
    } else {
      parts->back().push_back(c);
    }
  }
  return Status::Ok();
}

bool WildcardMatches(const std::vector<std::string>& parts, std::string_view s) {
  if (parts.size() == 1) return s == parts[0];
  const std::string& first = parts.front();
  const std::string& last = parts.back();
  if (s.size() < first.size() + last.size()) return false;
  if (s.substr(0, first.size()) != first) return false;
  if (s.substr(s.size() - last.size()) != last) return false;
  // Leftmost placement of each middle part is optimal for `*`-only globs.
  size_t pos = first.size();
  const size_t end = s.size() - last.size();
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    size_t at = s.substr(0, end).find(parts[i], pos);
    if (at == std::string_view::npos) return false;
    pos = at + parts[i].size();
  }
  return true;
}

// ---- CIDR ------------------------------------------------------------------------------------

bool ParseIp(const std::string& text, int* family, std::array<uint8_t, 16>* bytes) {
  bytes->fill(0);
  if (text.find(':') != std::string::npos) {
    *family = AF_INET6;
    return inet_pton(AF_INET6, text.c_str(), bytes->data()) == 1;
  }
  *family = AF_INET;
  return inet_pton(AF_INET, text.c_str(), bytes->data()) == 1;
}

Status ParseCidr(const std::string& text, Matcher* m) {
  size_t slash = text.find('/');
  // AWS-COMPAT: Event Ruler's own messages for a bad CIDR are not documented; these name it.
  if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) {
    return Invalid("Malformed CIDR, one '/' required");
  }
  std::string bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Invalid("Malformed CIDR, mask bits must be an integer");
  }
  m->prefix_bits = std::stoi(bits);
  if (!ParseIp(text.substr(0, slash), &m->family, &m->network)) {
    return Invalid("Invalid CIDR: " + text);
  }
  if (m->prefix_bits > (m->family == AF_INET ? 32 : 128)) {
    return Invalid("Malformed CIDR, mask bits must not exceed the address length");
  }
  return Status::Ok();
}

bool CidrMatches(const Matcher& m, const std::string& ip) {
  int family = 0;
  std::array<uint8_t, 16> bytes{};
  if (!ParseIp(ip, &family, &bytes) || family != m.family) return false;
  int full = m.prefix_bits / 8;
  if (std::memcmp(bytes.data(), m.network.data(), full) != 0) return false;
  int rest = m.prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (m.network[full] & mask);
}

// ---- matching --------------------------------------------------------------------------------

bool MatchesScalar(const Matcher& m, const boost::json::value& v) {
  switch (m.op) {
    case Op::kExactString:
      return v.is_string() && v.get_string() == m.text;
    case Op::kExactNumber:
      return IsNumber(v) && ToDouble(v) == m.number;
    case Op::kExactLiteral:
      if (v.is_null()) return m.text == "null";
      return v.is_bool() && (v.get_bool() ? m.text == "true" : m.text == "false");
    case Op::kPrefix:
      return v.is_string() && v.get_string().starts_with(m.text);
    case Op::kPrefixIgnoreCase:
      return v.is_string() && Fold(v.get_string()).starts_with(m.text);
    case Op::kSuffix:
      return v.is_string() && v.get_string().ends_with(m.text);
    case Op::kSuffixIgnoreCase:
      return v.is_string() && Fold(v.get_string()).ends_with(m.text);
    case Op::kEqualsIgnoreCase:
      return v.is_string() && Fold(v.get_string()) == m.text;
    case Op::kWildcard:
      return v.is_string() && WildcardMatches(m.parts, v.get_string());
    case Op::kNumeric: {
      if (!IsNumber(v)) return false;
      double x = ToDouble(v);
      if (x < -kFiveBillion || x > kFiveBillion) return false;
      if (m.has_low && (m.low_open ? !(x > m.low) : !(x >= m.low))) return false;
      if (m.has_high && (m.high_open ? !(x < m.high) : !(x <= m.high))) return false;
      return true;
    }
    case Op::kExists:
      return true;
    case Op::kAbsent:
      return false;
    case Op::kCidr:
      return v.is_string() && CidrMatches(m, std::string(v.get_string()));
    case Op::kAnythingBut:
      return std::none_of(m.excluded.begin(), m.excluded.end(),
                          [&](const Matcher& e) { return MatchesScalar(e, v); });
  }
  return false;
}

// The leaf values at a field: the value itself, or an array's scalar elements (nested arrays
// flattened). Objects are not leaves: `exists` sees only leaf values, as the user guide says.
void CollectScalars(const boost::json::value& v, std::vector<const boost::json::value*>* out) {
  if (v.is_array()) {
    for (const boost::json::value& e : v.get_array()) CollectScalars(e, out);
  } else if (!v.is_object()) {
    out->push_back(&v);
  }
}

bool MatchesNode(const Node& node, const boost::json::value* v);

// A nested pattern against a field's value; into an array of objects, one element at a time, so
// that the fields of one sub-pattern all match within the same element (Event Ruler's array
// consistency).
bool MatchesChild(const Node& child, const boost::json::value* v) {
  if (v != nullptr && v->is_array()) {
    const boost::json::array& a = v->get_array();
    if (a.empty()) return MatchesNode(child, nullptr);
    return std::any_of(a.begin(), a.end(),
                       [&](const boost::json::value& e) { return MatchesChild(child, &e); });
  }
  return MatchesNode(child, v);
}

bool MatchesField(const Field& field, const boost::json::value* v) {
  if (field.child) return MatchesChild(*field.child, v);
  std::vector<const boost::json::value*> scalars;
  if (v != nullptr) CollectScalars(*v, &scalars);
  if (scalars.empty()) {
    return std::any_of(field.leaf.begin(), field.leaf.end(),
                       [](const Matcher& m) { return m.op == Op::kAbsent; });
  }
  for (const boost::json::value* s : scalars) {
    for (const Matcher& m : field.leaf) {
      if (MatchesScalar(m, *s)) return true;
    }
  }
  return false;
}

bool MatchesNode(const Node& node, const boost::json::value* v) {
  const boost::json::object* obj = v != nullptr && v->is_object() ? &v->get_object() : nullptr;
  for (const Field& field : node.fields) {
    const boost::json::value* fv = obj != nullptr ? obj->if_contains(field.key) : nullptr;
    if (!MatchesField(field, fv)) return false;
  }
  for (const std::vector<Node>& alternatives : node.ors) {
    if (std::none_of(alternatives.begin(), alternatives.end(),
                     [&](const Node& alt) { return MatchesNode(alt, v); })) {
      return false;
    }
  }
  return true;
}

// ---- parsing ---------------------------------------------------------------------------------

constexpr std::string_view kOr = "$or";

bool ReservedInsideOr(std::string_view key) {
  static constexpr std::string_view kReserved[] = {"exactly",
                                                   "equals-ignore-case",
                                                   "prefix",
                                                   "suffix",
                                                   "anything-but",
                                                   "exists",
                                                   "wildcard",
                                                   "numeric",
                                                   "cidr",
                                                   "=",
                                                   "<",
                                                   "<=",
                                                   ">",
                                                   ">=",
                                                   "regex",
                                                   "not-wildcard",
                                                   "not-equals-ignore-case",
                                                   "date-after",
                                                   "date-on-or-after",
                                                   "date-before",
                                                   "date-on-or-before",
                                                   "in-date-range",
                                                   "ip-address-in-range",
                                                   "ip-address-not-in-range"};
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

Status CheckNumberRange(double x) {
  if (x < -kFiveBillion || x > kFiveBillion) {
    return Invalid("Value must be between -5.0E9 and +5.0E9, inclusive");
  }
  return Status::Ok();
}

Status ParseNumeric(const boost::json::array& terms, Matcher* m) {
  m->op = Op::kNumeric;
  if (terms.empty() || !terms[0].is_string()) {
    return Invalid("Invalid member in numeric match: " +
                   std::string(terms.empty() ? "]" : TypeWord(terms[0])));
  }
  std::string op(terms[0].get_string());
  auto value_at = [&](size_t i, const std::string& name, double* out) -> Status {
    if (i >= terms.size() || !IsNumber(terms[i]))
      return Invalid("Value of " + name + " must be numeric");
    *out = ToDouble(terms[i]);
    return CheckNumberRange(*out);
  };
  if (op == "=") {
    double x = 0;
    OT_RETURN_IF_ERROR(value_at(1, "equals", &x));
    if (terms.size() > 2) return Invalid("Too many elements in numeric expression");
    m->has_low = m->has_high = true;
    m->low = m->high = x;
    return Status::Ok();
  }
  if (op == "<" || op == "<=") {
    OT_RETURN_IF_ERROR(value_at(1, op, &m->high));
    if (terms.size() > 2) return Invalid("Too many elements in numeric expression");
    m->has_high = true;
    m->high_open = op == "<";
    return Status::Ok();
  }
  if (op != ">" && op != ">=") return Invalid("Unrecognized numeric range operator: " + op);
  OT_RETURN_IF_ERROR(value_at(1, op, &m->low));
  m->has_low = true;
  m->low_open = op == ">";
  if (terms.size() == 2) return Status::Ok();
  if (!terms[2].is_string()) {
    return Invalid("Bad value in numeric range: " + std::string(TypeWord(terms[2])));
  }
  std::string top(terms[2].get_string());
  if (top != "<" && top != "<=") return Invalid("Bad numeric range operator: " + top);
  OT_RETURN_IF_ERROR(value_at(3, top, &m->high));
  if (terms.size() > 4) return Invalid("Too many terms in numeric range expression");
  m->has_high = true;
  m->high_open = top == "<";
  return Status::Ok();
}

// {"prefix": {"equals-ignore-case": "..."}} and the suffix form.
Status ParseIgnoreCaseOperand(const boost::json::object& inner, std::string_view what,
                              std::string* out) {
  if (inner.empty()) return Invalid(std::string(what) + " expression name not found");
  const auto& [key, value] = *inner.begin();
  if (key != "equals-ignore-case") {
    std::string lower(what);
    lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
    return Invalid("Unsupported " + lower + " pattern: " + std::string(key));
  }
  if (!value.is_string()) return Invalid("equals-ignore-case match pattern must be a string");
  if (inner.size() > 1) return Invalid("Only one key allowed in match expression");
  *out = Fold(value.get_string());
  return Status::Ok();
}

Status ParseAnythingBut(const boost::json::value& operand, Matcher* m) {
  m->op = Op::kAnythingBut;
  const boost::json::value* values = &operand;
  Op inner_op = Op::kExactString;
  bool is_set = false;  // anything-but with prefix / suffix / wildcard / equals-ignore-case
  if (operand.is_object()) {
    const boost::json::object& o = operand.get_object();
    if (o.empty()) return Invalid("Anything-But expression name not found");
    const auto& [key, value] = *o.begin();
    if (key == "equals-ignore-case") {
      inner_op = Op::kEqualsIgnoreCase;
    } else if (key == "prefix") {
      inner_op = Op::kPrefix;
    } else if (key == "suffix") {
      inner_op = Op::kSuffix;
    } else if (key == "wildcard") {
      inner_op = Op::kWildcard;
    } else {
      return Invalid("Unsupported anything-but pattern: " + std::string(key));
    }
    if (o.size() > 1) return Invalid("Too many elements in numeric expression");
    values = &value;
    is_set = true;
  }
  if (!values->is_array() && !values->is_string() && !IsNumber(*values)) {
    return Invalid("Value of anything-but must be an array or single string/number value.");
  }
  if (is_set) {
    std::vector<const boost::json::value*> items;
    if (values->is_array()) {
      for (const boost::json::value& v : values->get_array()) items.push_back(&v);
    } else {
      items.push_back(values);
    }
    for (const boost::json::value* v : items) {
      if (!v->is_string()) {
        if (inner_op == Op::kEqualsIgnoreCase) {
          return Invalid(
              "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
              "supported.");
        }
        if (inner_op == Op::kWildcard) return Invalid("wildcard match pattern must be a string");
        return Invalid("prefix/suffix match pattern must be a string");
      }
      Matcher e;
      e.op = inner_op;
      std::string_view text = v->get_string();
      if ((inner_op == Op::kPrefix || inner_op == Op::kSuffix) && text.empty()) {
        return Invalid("Null prefix/suffix not allowed");
      }
      if (inner_op == Op::kWildcard) {
        OT_RETURN_IF_ERROR(ParseWildcard(text, &e.parts));
      } else {
        e.text = inner_op == Op::kEqualsIgnoreCase ? Fold(text) : std::string(text);
      }
      m->excluded.push_back(std::move(e));
    }
    return Status::Ok();
  }
  auto add = [&](const boost::json::value& v) -> Status {
    Matcher e;
    if (v.is_string()) {
      e.op = Op::kExactString;
      e.text = std::string(v.get_string());
    } else {
      e.op = Op::kExactNumber;
      e.number = ToDouble(v);
      OT_RETURN_IF_ERROR(CheckNumberRange(e.number));
    }
    m->excluded.push_back(std::move(e));
    return Status::Ok();
  };
  if (!values->is_array()) return add(*values);
  bool has_string = false;
  bool has_number = false;
  for (const boost::json::value& v : values->get_array()) {
    if (v.is_string()) {
      has_string = true;
    } else if (IsNumber(v)) {
      has_number = true;
    } else {
      return Invalid("Inside anything but list, start|null|boolean is not supported.");
    }
    OT_RETURN_IF_ERROR(add(v));
  }
  if (has_string == has_number) {
    return Invalid(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  }
  return Status::Ok();
}

// One `{ "<operator>": ... }` element of a leaf array.
Status ParseMatchExpression(const boost::json::object& expr, Matcher* m) {
  if (expr.empty()) return Invalid("Match expression name not found");
  const auto& [key, operand] = *expr.begin();
  auto one_key = [&]() -> Status {
    return expr.size() > 1 ? Invalid("Only one key allowed in match expression") : Status::Ok();
  };
  if (key == "exactly") {
    if (!operand.is_string()) return Invalid("exact match pattern must be a string");
    m->op = Op::kExactString;
    m->text = std::string(operand.get_string());
    return one_key();
  }
  if (key == "prefix" || key == "suffix") {
    bool prefix = key == "prefix";
    if (operand.is_object()) {
      m->op = prefix ? Op::kPrefixIgnoreCase : Op::kSuffixIgnoreCase;
      OT_RETURN_IF_ERROR(
          ParseIgnoreCaseOperand(operand.get_object(), prefix ? "Prefix" : "Suffix", &m->text));
      return one_key();
    }
    if (!operand.is_string()) {
      return Invalid(std::string(key) + " match pattern must be a string");
    }
    m->op = prefix ? Op::kPrefix : Op::kSuffix;
    m->text = std::string(operand.get_string());
    return one_key();
  }
  if (key == "numeric") {
    if (!operand.is_array()) return Invalid("Value of numeric must be an array.");
    OT_RETURN_IF_ERROR(ParseNumeric(operand.get_array(), m));
    return expr.size() > 1 ? Invalid("Too many elements in numeric expression") : Status::Ok();
  }
  if (key == "anything-but") {
    OT_RETURN_IF_ERROR(ParseAnythingBut(operand, m));
    return expr.size() > 1 ? Invalid("Too many elements in numeric expression") : Status::Ok();
  }
  if (key == "exists") {
    if (!operand.is_bool()) return Invalid("exists match pattern must be either true or false.");
    m->op = operand.get_bool() ? Op::kExists : Op::kAbsent;
    return one_key();
  }
  if (key == "cidr") {
    if (!operand.is_string()) return Invalid("prefix match pattern must be a string");
    m->op = Op::kCidr;
    OT_RETURN_IF_ERROR(ParseCidr(std::string(operand.get_string()), m));
    return one_key();
  }
  if (key == "equals-ignore-case") {
    if (!operand.is_string()) return Invalid("equals-ignore-case match pattern must be a string");
    m->op = Op::kEqualsIgnoreCase;
    m->text = Fold(operand.get_string());
    return one_key();
  }
  if (key == "wildcard") {
    if (!operand.is_string()) return Invalid("wildcard match pattern must be a string");
    m->op = Op::kWildcard;
    OT_RETURN_IF_ERROR(ParseWildcard(operand.get_string(), &m->parts));
    return one_key();
  }
  return Invalid("Unrecognized match type " + std::string(key));
}

Status ParseLeaf(const boost::json::array& values, std::vector<Matcher>* out) {
  for (const boost::json::value& v : values) {
    Matcher m;
    if (v.is_object()) {
      OT_RETURN_IF_ERROR(ParseMatchExpression(v.get_object(), &m));
    } else if (v.is_string()) {
      m.op = Op::kExactString;
      m.text = std::string(v.get_string());
    } else if (IsNumber(v)) {
      // AWS-COMPAT: Event Ruler matches a number both as text and, within +-5e9, as a number;
      // the twin compares as numbers (doubles), which agrees for every number JSON writes alike.
      m.op = Op::kExactNumber;
      m.number = ToDouble(v);
    } else if (v.is_bool() || v.is_null()) {
      m.op = Op::kExactLiteral;
      m.text = v.is_null() ? "null" : (v.get_bool() ? "true" : "false");
    } else {
      return Invalid("Match value must be String, number, true, false, or null");
    }
    out->push_back(std::move(m));
  }
  if (out->empty()) return Invalid("Empty arrays are not allowed");
  return Status::Ok();
}

Status ParseObject(const boost::json::object& object, bool inside_or, Node* out);

Status ParseOr(const boost::json::value& value, Node* out) {
  if (!value.is_array()) return Invalid("It must be an Array followed with $or.");
  std::vector<Node> alternatives;
  for (const boost::json::value& v : value.get_array()) {
    if (!v.is_object()) {
      return Invalid("Only JSON object is allowed in array of $or relationship.");
    }
    Node alt;
    OT_RETURN_IF_ERROR(ParseObject(v.get_object(), true, &alt));
    alternatives.push_back(std::move(alt));
  }
  if (alternatives.size() < 2) {
    return Invalid("There must have at least 2 Objects in $or relationship.");
  }
  out->ors.push_back(std::move(alternatives));
  return Status::Ok();
}

Status ParseObject(const boost::json::object& object, bool inside_or, Node* out) {
  if (object.empty()) return Invalid("Empty objects are not allowed");
  for (const auto& [key, value] : object) {
    if (key == kOr) {
      OT_RETURN_IF_ERROR(ParseOr(value, out));
      continue;
    }
    if (inside_or && ReservedInsideOr(key)) {
      return Invalid(std::string(key) +
                     " is Ruler reserved fieldName which cannot be used inside $or.");
    }
    Field field;
    field.key = std::string(key);
    if (value.is_object()) {
      field.child = std::make_unique<Node>();
      OT_RETURN_IF_ERROR(ParseObject(value.get_object(), inside_or, field.child.get()));
    } else if (value.is_array()) {
      OT_RETURN_IF_ERROR(ParseLeaf(value.get_array(), &field.leaf));
    } else {
      return Invalid("\"" + std::string(key) + "\" must be an object or an array");
    }
    out->fields.push_back(std::move(field));
  }
  return Status::Ok();
}

}  // namespace

Result<EventPattern> EventPattern::Parse(std::string_view pattern_json) {
  boost::system::error_code ec;
  // Boost.JSON's default depth limit (32) bounds the recursion of parse and match alike.
  boost::json::value parsed = boost::json::parse(pattern_json, ec);
  if (ec) {
    // AWS-COMPAT: AWS quotes Jackson's parser message here ("Unexpected character ..."); the
    // twin names the syntax error in its own words.
    return Invalid("Unexpected token or malformed JSON: " + ec.message());
  }
  if (!parsed.is_object()) return Invalid("Filter is not an object");
  auto root = std::make_shared<Node>();
  OT_RETURN_IF_ERROR(ParseObject(parsed.get_object(), false, root.get()));
  return EventPattern(std::move(root));
}

bool EventPattern::Matches(const boost::json::value& event) const {
  return MatchesNode(*root_, &event);
}

}  // namespace orgtwin::services::events
