// Model-driven input validation with each service's own error style.
//
// Styles (picked from the model, not from service names, where the model says enough):
//  - Query services (IAM, STS): `ValidationError`, Coral's text
//      "1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member
//      must have length less than or equal to 64", several joined with "; " after
//      "N validation errors detected: "; a missing member is "Value null at 'x' ... Member must
//      not be null" (AWS-COMPAT: IAM and STS answer this, not MissingParameter).
//  - Services whose InvalidInputException has a `Reason` (Organizations): the first violation
//    as InvalidInputException with Reason INPUT_REQUIRED / INVALID_PATTERN / MAX_LENGTH_EXCEEDED
//    / MIN_LENGTH_EXCEEDED / MAX_VALUE_EXCEEDED / MIN_VALUE_EXCEEDED / INVALID_ENUM.
//  - Services whose ValidationException has `reason` and `fieldList` (Account, billing,
//    invoicing): ValidationException, Coral text, reason "fieldValidationFailed", fieldList
//    [{name, message}] (AWS-COMPAT: field names are the lowerCamel paths; UNCONFIRMED).
//  - Any other JSON service (CloudTrail): generic Coral `ValidationException` with the text.
// Unknown members are ignored, as AWS's JSON and Query front ends do.
#include "protocol/validation.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>

#include "protocol/wire.h"

namespace orgtwin::protocol {

namespace json = boost::json;
using model::Shape;
using model::ShapeType;

namespace {

// ---- Patterns -------------------------------------------------------------------------------

// Model patterns are Java regexes. RE2 covers nearly all of them once Java's \uXXXX escapes
// (including UTF-16 surrogate pairs and the models' "\u10000"-style supplementary code points)
// become \x{...}; patterns RE2 rejects (look-around) fall back to std::regex, and a pattern
// neither accepts is not enforced.
std::string TranslateJavaPattern(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 16);
  auto hex4 = [&](size_t at, unsigned* cp) {
    if (at + 4 > pattern.size()) return false;
    unsigned v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      char c = pattern[k];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return false;
      v = v * 16 + static_cast<unsigned>(d);
    }
    *cp = v;
    return true;
  };
  auto is_hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  char buf[32];
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      unsigned cp = 0;
      if (pattern[i + 1] == 'u' && hex4(i + 2, &cp)) {
        size_t next = i + 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && next + 6 <= pattern.size() && pattern[next] == '\\' &&
            pattern[next + 1] == 'u') {
          unsigned low = 0;
          if (hex4(next + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            next += 6;
          }
        } else if ((cp >> 8) == 0x10 && next < pattern.size() && is_hex(pattern[next])) {
          // "\u10000" / "\u10FFFF": the model means a supplementary code point.
          unsigned extended = cp;
          size_t k = next;
          while (k < pattern.size() && k < i + 8 && is_hex(pattern[k])) {
            char c = pattern[k];
            extended = extended * 16 + static_cast<unsigned>(c <= '9'   ? c - '0'
                                                             : c <= 'F' ? c - 'A' + 10
                                                                        : c - 'a' + 10);
            ++k;
          }
          if (extended <= 0x10FFFF) {
            cp = extended;
            next = k;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = cp <= 0xDBFF ? 0xD7FF : 0xE000;  // lone surrogate
        std::snprintf(buf, sizeof(buf), "\\x{%X}", cp);
        out += buf;
        i = next - 1;
        continue;
      }
      out.push_back(pattern[i]);
      out.push_back(pattern[i + 1]);
      ++i;
      continue;
    }
    out.push_back(pattern[i]);
  }
  return out;
}

class CompiledPattern {
 public:
  explicit CompiledPattern(const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_dot_nl(false);
    auto re = std::make_unique<RE2>(TranslateJavaPattern(pattern), options);
    if (re->ok()) {
      re2_ = std::move(re);
      return;
    }
    try {
      std_ = std::make_unique<std::regex>(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      std_.reset();  // neither engine understands it: not enforced
    }
  }

  // True when the whole of `value` matches (AWS anchors model patterns).
  bool enforced() const { return re2_ != nullptr || std_ != nullptr; }

  bool FullMatch(std::string_view value) const {
    if (re2_) return RE2::FullMatch(value, *re2_);
    if (std_) {
      // std::regex recurses per character; keep it away from huge inputs.
      if (value.size() > 4096) return true;
      return std::regex_match(value.begin(), value.end(), *std_);
    }
    return true;
  }

 private:
  std::unique_ptr<RE2> re2_;
  std::unique_ptr<std::regex> std_;
};

const CompiledPattern& PatternFor(const Shape& shape) {
  static std::shared_mutex mu;
  static auto* cache = new std::unordered_map<const Shape*, std::unique_ptr<CompiledPattern>>();
  {
    std::shared_lock lock(mu);
    auto it = cache->find(&shape);
    if (it != cache->end()) return *it->second;
  }
  auto compiled = std::make_unique<CompiledPattern>(*shape.pattern);
  std::unique_lock lock(mu);
  auto [it, inserted] = cache->emplace(&shape, std::move(compiled));
  return *it->second;
}

// ---- Violations -----------------------------------------------------------------------------

enum class Kind { kRequired, kPattern, kMinLength, kMaxLength, kMinValue, kMaxValue, kEnum, kType };

struct Violation {
  Kind kind;
  std::string path;        // lowerCamel Coral path: "tags.1.member.key"
  std::string value;       // rendered value for the message; "" when sensitive or null
  bool show_value = true;  // false for sensitive shapes
  std::string constraint;  // "Member must ..."
  std::string shape_name;  // the model shape the value failed, e.g. "pathType"
};

std::string FormatNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e18) return std::to_string(static_cast<long long>(v));
  std::string s = json::serialize(json::value(v));
  return s;
}

std::string RenderValue(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      return FormatNumber(v.get_double());
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case json::kind::null:
      return "null";
    case json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        out += RenderValue(e);
      }
      return out + "]";
    }
    case json::kind::object:
      return json::serialize(v);
  }
  return "";
}

class Walker {
 public:
  std::vector<Violation> violations;

  void Structure(const Shape& shape, const json::object& obj, const std::string& prefix) {
    for (const model::Member& m : shape.members) {
      const json::value* v = obj.if_contains(m.name);
      std::string path =
          prefix.empty() ? wire::LowerCamel(m.name) : prefix + "." + wire::LowerCamel(m.name);
      if (v == nullptr || v->is_null()) {
        if (shape.IsRequired(m.name)) {
          violations.push_back({Kind::kRequired, path, "", false, "Member must not be null", ""});
        }
        continue;
      }
      Value(*m.shape, *v, path);
    }
  }

  void Value(const Shape& shape, const json::value& v, const std::string& path) {
    switch (shape.type) {
      case ShapeType::kStructure:
        if (!v.is_object()) return TypeError(shape, v, path, "structure");
        Structure(shape, v.get_object(), path);
        return;
      case ShapeType::kList: {
        if (!v.is_array()) return TypeError(shape, v, path, "list");
        const json::array& arr = v.get_array();
        Length(shape, v, arr.size(), path);
        for (size_t i = 0; i < arr.size(); ++i) {
          if (arr[i].is_null()) continue;
          Value(*shape.member.shape, arr[i], path + "." + std::to_string(i + 1) + ".member");
        }
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return TypeError(shape, v, path, "map");
        const json::object& obj = v.get_object();
        Length(shape, v, obj.size(), path);
        for (const auto& [key, value] : obj) {
          Value(*shape.key.shape, json::value(key), path + ".key");
          if (!value.is_null()) Value(*shape.value.shape, value, path + "." + std::string(key));
        }
        return;
      }
      case ShapeType::kString: {
        if (!v.is_string()) return TypeError(shape, v, path, "string");
        std::string_view s = v.get_string();
        if (shape.pattern && !PatternFor(shape).FullMatch(s)) {
          Add(Kind::kPattern, shape, v, path,
              "Member must satisfy regular expression pattern: " + *shape.pattern);
        }
        Length(shape, v, wire::Utf8Length(s), path);
        if (!shape.enum_values.empty()) {
          bool found = false;
          for (const std::string& e : shape.enum_values) found = found || e == s;
          if (!found) {
            std::string set = "[";
            for (size_t i = 0; i < shape.enum_values.size(); ++i) {
              if (i > 0) set += ", ";
              set += shape.enum_values[i];
            }
            Add(Kind::kEnum, shape, v, path, "Member must satisfy enum value set: " + set + "]");
          }
        }
        return;
      }
      case ShapeType::kBlob: {
        if (!v.is_string()) return TypeError(shape, v, path, "blob");
        std::string_view s = v.get_string();
        // Length constraints on blobs count decoded bytes.
        size_t pad = 0;
        while (pad < s.size() && pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
        Length(shape, v, (s.size() - pad) * 3 / 4, path);
        return;
      }
      case ShapeType::kInteger:
      case ShapeType::kLong: {
        if (!v.is_int64() && !v.is_uint64()) return TypeError(shape, v, path, "integer");
        double d =
            v.is_int64() ? static_cast<double>(v.get_int64()) : static_cast<double>(v.get_uint64());
        Range(shape, v, d, path);
        return;
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        if (!v.is_number()) return TypeError(shape, v, path, "number");
        Range(shape, v, v.to_number<double>(), path);
        return;
      case ShapeType::kBoolean:
        if (!v.is_bool()) return TypeError(shape, v, path, "boolean");
        return;
      case ShapeType::kTimestamp:
        if (!v.is_number()) return TypeError(shape, v, path, "timestamp");
        return;
    }
  }

 private:
  void Add(Kind kind, const Shape& shape, const json::value& v, const std::string& path,
           std::string constraint) {
    violations.push_back({kind, path, shape.sensitive ? "" : RenderValue(v), !shape.sensitive,
                          std::move(constraint), shape.name});
  }

  void Length(const Shape& shape, const json::value& v, size_t length, const std::string& path) {
    if (shape.min && static_cast<double>(length) < *shape.min) {
      Add(Kind::kMinLength, shape, v, path,
          "Member must have length greater than or equal to " + FormatNumber(*shape.min));
    }
    if (shape.max && static_cast<double>(length) > *shape.max) {
      Add(Kind::kMaxLength, shape, v, path,
          "Member must have length less than or equal to " + FormatNumber(*shape.max));
    }
  }

  void Range(const Shape& shape, const json::value& v, double d, const std::string& path) {
    if (shape.min && d < *shape.min) {
      Add(Kind::kMinValue, shape, v, path,
          "Member must have value greater than or equal to " + FormatNumber(*shape.min));
    }
    if (shape.max && d > *shape.max) {
      Add(Kind::kMaxValue, shape, v, path,
          "Member must have value less than or equal to " + FormatNumber(*shape.max));
    }
  }

  void TypeError(const Shape& shape, const json::value& v, const std::string& path,
                 const char* expected) {
    Add(Kind::kType, shape, v, path, std::string("Member must be of type ") + expected);
  }
};

std::string ViolationText(const Violation& v) {
  std::string out = "Value ";
  if (v.kind == Kind::kRequired) {
    out += "null ";
  } else if (v.show_value) {
    out += "'" + v.value + "' ";
  }
  out += "at '" + v.path + "' failed to satisfy constraint: " + v.constraint;
  return out;
}

std::string CoralMessage(const std::vector<Violation>& violations) {
  std::string out =
      std::to_string(violations.size()) +
      (violations.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) out += "; ";
    out += ViolationText(violations[i]);
  }
  return out;
}

bool HasEnumValue(const Shape* shape, std::string_view value) {
  if (shape == nullptr) return false;
  for (const std::string& e : shape->enum_values) {
    if (e == value) return true;
  }
  return false;
}

// Organizations-style reason and message for one violation.
std::pair<const char*, const char*> OrganizationsReason(Kind kind) {
  switch (kind) {
    case Kind::kRequired:
      return {"INPUT_REQUIRED", "You must specify a value for all required parameters."};
    case Kind::kPattern:
      return {"INVALID_PATTERN", "You provided a value that does not match the required pattern."};
    case Kind::kMinLength:
      return {"MIN_LENGTH_EXCEEDED",
              "You provided a string parameter that is shorter than allowed."};
    case Kind::kMaxLength:
      return {"MAX_LENGTH_EXCEEDED",
              "You provided a string parameter that is longer than allowed."};
    case Kind::kMinValue:
      return {"MIN_VALUE_EXCEEDED",
              "You provided a numeric parameter that has a smaller value than allowed."};
    case Kind::kMaxValue:
      return {"MAX_VALUE_EXCEEDED",
              "You provided a numeric parameter that has a larger value than allowed."};
    case Kind::kEnum:
    case Kind::kType:
      return {"INVALID_ENUM", "You specified an invalid value."};
  }
  return {"INVALID_ENUM", "You specified an invalid value."};
}

// IAM checks its path members itself, with its own text, and Coral does not report their
// patterns: CreateUser Path "test/" answers "ValidationError: The specified value for path is
// invalid. It must begin and end with / and contain only alphanumeric characters and/or /
// characters." (aws-cloudformation/cfn-lint#722,
// ministryofjustice/cloud-platform-environments#1726) and ListPolicies PathPrefix "/foo"
// (policyPathType must end with "/") answers "The specified value for pathPrefix is invalid. It
// must begin with the / character and contain only alphanumeric characters and/or / characters."
// (aws/aws-cli#5860). The member is named by its lowerCamel wire path ("path", "newPath",
// "pathPrefix").
bool IsIamPathPattern(const model::ServiceModel& service, const Violation& v) {
  return service.endpoint_prefix == "iam" && v.kind == Kind::kPattern &&
         (v.shape_name == "pathType" || v.shape_name == "pathPrefixType" ||
          v.shape_name == "policyPathType");
}

std::string IamPathMessage(const Violation& v) {
  if (v.path.ends_with("Prefix")) {
    return "The specified value for " + v.path +
           " is invalid. It must begin with the / character and contain only alphanumeric "
           "characters and/or / characters.";
  }
  return "The specified value for " + v.path +
         " is invalid. It must begin and end with / and contain only alphanumeric characters "
         "and/or / characters.";
}

}  // namespace

Status ValidateInput(const model::ServiceModel& service, const model::Shape& input_shape,
                     const json::object& input) {
  Walker walker;
  walker.Structure(input_shape, input, "");
  if (walker.violations.empty()) return Status::Ok();
  std::vector<Violation>& violations = walker.violations;

  // A value of the wrong type is a deserialization failure, before any constraint.
  for (const Violation& v : violations) {
    if (v.kind != Kind::kType) continue;
    if (service.protocol == model::Protocol::kQuery) {
      return InvalidInputError(CoralMessage({v})).WithAwsCode("ValidationError");
    }
    return InvalidInputError(
               "Unexpected value type at '" + v.path +
               "': " + v.constraint.substr(std::string_view("Member must be of type ").size()))
        .WithAwsCode("SerializationException");
  }

  if (service.protocol == model::Protocol::kQuery) {
    // IAM's own path check runs after Coral's, so Coral's other violations come first.
    std::vector<Violation> coral;
    const Violation* iam_path = nullptr;
    for (const Violation& v : violations) {
      if (IsIamPathPattern(service, v)) {
        if (iam_path == nullptr) iam_path = &v;
      } else {
        coral.push_back(v);
      }
    }
    if (coral.empty() && iam_path != nullptr) {
      return InvalidInputError(IamPathMessage(*iam_path)).WithAwsCode("ValidationError");
    }
    return InvalidInputError(CoralMessage(coral)).WithAwsCode("ValidationError");
  }

  const Shape* invalid_input = service.FindError("InvalidInputException");
  const model::Member* reason_member =
      invalid_input != nullptr ? invalid_input->FindMember("Reason") : nullptr;
  if (reason_member != nullptr) {
    // INVARIANT: violations is non-empty here. Required members are reported first, as a
    // missing member makes the request unusable regardless of the others.
    const Violation* first = &violations.front();
    for (const Violation& v : violations) {
      if (v.kind == Kind::kRequired) {
        first = &v;
        break;
      }
    }
    auto [reason, message] = OrganizationsReason(first->kind);
    Status status = InvalidInputError(message).WithAwsCode("InvalidInputException");
    if (HasEnumValue(reason_member->shape, reason)) {
      return std::move(status).WithField("Reason", reason);
    }
    return status;
  }

  std::string message = CoralMessage(violations);
  Status status = InvalidInputError(message).WithAwsCode("ValidationException");
  const Shape* validation = service.FindError("ValidationException");
  if (validation != nullptr && validation->FindMember("fieldList") != nullptr &&
      validation->FindMember("reason") != nullptr) {
    json::array fields;
    for (const Violation& v : violations) {
      fields.push_back(json::object{{"name", v.path}, {"message", ViolationText(v)}});
    }
    return std::move(status)
        .WithField("reason", "fieldValidationFailed")
        .WithField("fieldList", json::serialize(fields));
  }
  return status;
}

bool PatternIsEnforced(const model::Shape& shape) {
  return shape.pattern.has_value() && PatternFor(shape).enforced();
}

}  // namespace orgtwin::protocol
