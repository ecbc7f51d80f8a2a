#include "policy/document.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include <boost/json.hpp>

#include "policy/grammar.h"

namespace orgtwin::policy {
namespace json = boost::json;

namespace {

constexpr std::string_view kSyntax = "Syntax errors in policy.";
constexpr std::string_view kOrgMalformed =
    "The provided policy document does not meet the requirements of the specified policy type.";

bool IsOrg(Flavour f) { return f == Flavour::kScp || f == Flavour::kRcp; }
bool AllowsPrincipal(Flavour f) {
  return f == Flavour::kResource || f == Flavour::kTrust || f == Flavour::kRcp;
}

// Builds the error in the flavour's vocabulary: IAM's MalformedPolicyDocument with AWS's text, or
// Organizations' single MalformedPolicyDocumentException message.
Status Malformed(Flavour flavour, std::string_view message) {
  if (IsOrg(flavour)) {
    return InvalidInputError(std::string(kOrgMalformed))
        .WithAwsCode("MalformedPolicyDocumentException");
  }
  return InvalidInputError(std::string(message)).WithAwsCode("MalformedPolicyDocument");
}

// Decodes UTF-8 and checks every code point against the model's pattern
// [\u0009\u000A\u000D\u0020-\u00FF]. Returns false on a disallowed character or bad UTF-8.
bool AllowedCharacters(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    uint32_t cp;
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      if (cp < 0x80) return false;  // overlong encoding
      i += 2;
    } else {
      return false;  // 3- and 4-byte sequences encode code points above U+00FF
    }
    if (!(cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0xFF))) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads a string-or-array-of-strings element; false when the shape is wrong.
bool ReadStringList(const json::value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->emplace_back(v.get_string());
    return true;
  }
  if (!v.is_array()) return false;
  for (const auto& e : v.get_array()) {
    if (!e.is_string()) return false;
    out->emplace_back(e.get_string());
  }
  return true;
}

// Condition values may be written as JSON strings, numbers or booleans; AWS compares their text.
bool ReadConditionValue(const json::value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->emplace_back(v.get_string());
  } else if (v.is_bool()) {
    out->emplace_back(v.get_bool() ? "true" : "false");
  } else if (v.is_int64()) {
    out->push_back(std::to_string(v.get_int64()));
  } else if (v.is_uint64()) {
    out->push_back(std::to_string(v.get_uint64()));
  } else if (v.is_double()) {
    out->push_back(json::serialize(v));
  } else {
    return false;
  }
  return true;
}

constexpr std::string_view kOperators[] = {"StringEquals",
                                           "StringNotEquals",
                                           "StringEqualsIgnoreCase",
                                           "StringNotEqualsIgnoreCase",
                                           "StringLike",
                                           "StringNotLike",
                                           "NumericEquals",
                                           "NumericNotEquals",
                                           "NumericLessThan",
                                           "NumericLessThanEquals",
                                           "NumericGreaterThan",
                                           "NumericGreaterThanEquals",
                                           "DateEquals",
                                           "DateNotEquals",
                                           "DateLessThan",
                                           "DateLessThanEquals",
                                           "DateGreaterThan",
                                           "DateGreaterThanEquals",
                                           "Bool",
                                           "BinaryEquals",
                                           "IpAddress",
                                           "NotIpAddress",
                                           "ArnEquals",
                                           "ArnLike",
                                           "ArnNotEquals",
                                           "ArnNotLike",
                                           "Null"};

bool KnownOperator(std::string_view op) {
  if (op.starts_with("ForAnyValue:")) {
    op.remove_prefix(12);
  } else if (op.starts_with("ForAllValues:")) {
    op.remove_prefix(13);
  }
  if (op.ends_with("IfExists") && op != "IfExists") {
    op.remove_suffix(8);
    if (op == "Null") return false;  // Null has no IfExists form
  }
  for (auto k : kOperators) {
    if (k == op) return true;
  }
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An AWS principal value: "*", a 12-digit account, or an IAM/STS principal ARN.
bool ValidAwsPrincipal(std::string_view v) {
  if (v == "*") return true;
  if (v.size() == 12 && AllDigits(v)) return true;
  auto rest = v;
  std::string_view service;
  if (rest.starts_with("arn:aws:iam::")) {
    rest.remove_prefix(13);
    service = "iam";
  } else if (rest.starts_with("arn:aws:sts::")) {
    rest.remove_prefix(13);
    service = "sts";
  } else {
    return false;
  }
  if (rest.size() < 13 || rest[12] != ':' || !AllDigits(rest.substr(0, 12))) return false;
  rest.remove_prefix(13);
  if (service == "iam") {
    return rest == "root" || (rest.starts_with("user/") && rest.size() > 5) ||
           (rest.starts_with("role/") && rest.size() > 5);
  }
  return (rest.starts_with("assumed-role/") && rest.size() > 13) ||
         (rest.starts_with("federated-user/") && rest.size() > 15);
}

Status ReadPrincipal(const json::value& v, bool negated, Flavour flavour, PrincipalSpec* out) {
  out->present = true;
  out->negated = negated;
  if (v.is_string()) {
    if (v.get_string() != "*") {
      return Malformed(flavour,
                       "Invalid principal in policy: \"" + std::string(v.get_string()) + "\"");
    }
    out->entries.push_back({"*", "*"});
    return Status::Ok();
  }
  if (!v.is_object()) return Malformed(flavour, kSyntax);
  for (const auto& [k, val] : v.get_object()) {
    std::vector<std::string> values;
    if (!ReadStringList(val, &values)) return Malformed(flavour, kSyntax);
    std::string type(k);
    for (auto& value : values) {
      bool ok = true;
      if (type == "AWS") {
        ok = ValidAwsPrincipal(value);
      } else if (type == "Service" || type == "Federated" || type == "CanonicalUser") {
        ok = !value.empty();
      } else {
        ok = false;
      }
      if (!ok) {
        std::string message = "Invalid principal in policy: \"";
        message.append(type).append("\":\"").append(value).append("\"");
        return Malformed(flavour, message);
      }
      out->entries.push_back({type, std::move(value)});
    }
  }
  if (out->entries.empty()) return Malformed(flavour, kSyntax);
  return Status::Ok();
}

// `*effect_miscased` is set for "allow"/"DENY" and the like: the grammar accepts them, the legacy
// parser (a later step, see ParsePolicy) does not.
Status ParseStatement(const json::value& v, Flavour flavour, StatementDoc* st,
                      bool* effect_miscased) {
  if (!v.is_object()) return Malformed(flavour, kSyntax);
  const auto& obj = v.get_object();
  bool has_effect = false;
  for (const auto& [key, val] : obj) {
    if (key == "Sid") {
      if (!val.is_string()) return Malformed(flavour, kSyntax);
      st->has_sid = true;
      st->sid = val.get_string();
    } else if (key == "Effect") {
      if (!val.is_string()) return Malformed(flavour, kSyntax);
      std::string_view e = val.get_string();
      if (e == "Allow") {
        st->effect = Effect::kAllow;
      } else if (e == "Deny") {
        st->effect = Effect::kDeny;
      } else {
        std::string lower(e);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower != "allow" && lower != "deny") return Malformed(flavour, kSyntax);
        st->effect = lower == "allow" ? Effect::kAllow : Effect::kDeny;
        *effect_miscased = true;
      }
      has_effect = true;
    } else if (key == "Action" || key == "NotAction") {
      if (st->has_action) return Malformed(flavour, kSyntax);
      st->has_action = true;
      st->not_action = key == "NotAction";
      if (!ReadStringList(val, &st->actions)) return Malformed(flavour, kSyntax);
    } else if (key == "Resource" || key == "NotResource") {
      if (st->has_resource) return Malformed(flavour, kSyntax);
      st->has_resource = true;
      st->not_resource = key == "NotResource";
      if (!ReadStringList(val, &st->resources)) return Malformed(flavour, kSyntax);
    } else if (key == "Principal" || key == "NotPrincipal") {
      if (!AllowsPrincipal(flavour)) {
        return Malformed(flavour, "Policy document should not specify a principal.");
      }
      if (st->principal.present) return Malformed(flavour, kSyntax);
      OT_RETURN_IF_ERROR(ReadPrincipal(val, key == "NotPrincipal", flavour, &st->principal));
    } else if (key == "Condition") {
      if (!val.is_object()) return Malformed(flavour, kSyntax);
      for (const auto& [op, block] : val.get_object()) {
        if (!block.is_object()) return Malformed(flavour, kSyntax);
        if (!KnownOperator(op) && !block.get_object().empty()) return Malformed(flavour, kSyntax);
        for (const auto& [ckey, cval] : block.get_object()) {
          ConditionSpec c;
          c.op = op;
          c.key = ckey;
          if (cval.is_array()) {
            for (const auto& e : cval.get_array()) {
              if (!ReadConditionValue(e, &c.values)) return Malformed(flavour, kSyntax);
            }
          } else if (!ReadConditionValue(cval, &c.values)) {
            return Malformed(flavour, kSyntax);
          }
          st->conditions.push_back(std::move(c));
        }
      }
    } else {
      return Malformed(flavour, kSyntax);
    }
  }
  if (!has_effect) return Malformed(flavour, kSyntax);
  return Status::Ok();
}

bool SidAlnum(std::string_view sid, bool allow_spaces) {
  for (char c : sid) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (allow_spaces && c == ' ');
    if (!ok) return false;
  }
  return true;
}

Status CheckAction(Flavour flavour, std::string_view action) {
  if (action == "*") return Status::Ok();
  auto colon = action.find(':');
  if (colon == std::string_view::npos) {
    return Malformed(flavour,
                     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  }
  if (action.find(':', colon + 1) != std::string_view::npos) {
    return Malformed(flavour, "Actions/Condition can contain only one colon.");
  }
  auto vendor = action.substr(0, colon);
  for (char c : vendor) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '.';
    if (!ok) return Malformed(flavour, "Vendor " + std::string(vendor) + " is not valid");
  }
  return Status::Ok();
}

Status CheckSize(std::string_view text, Flavour flavour, const ParseOptions& options) {
  SizeRule rule = options.size_rule;
  if (rule == SizeRule::kDefault) {
    switch (flavour) {
      case Flavour::kIdentity:
      case Flavour::kBoundary:
        rule = SizeRule::kManaged;
        break;
      case Flavour::kTrust:
        rule = SizeRule::kTrust;
        break;
      case Flavour::kSession:
        rule = SizeRule::kSession;
        break;
      case Flavour::kScp:
      case Flavour::kRcp:
        rule = SizeRule::kOrganizations;
        break;
      case Flavour::kResource:
        rule = SizeRule::kNone;
        break;
    }
  }
  auto limit_error = [](std::string message) {
    return LimitExceededError(std::move(message)).WithAwsCode("LimitExceeded");
  };
  switch (rule) {
    case SizeRule::kDefault:
    case SizeRule::kNone:
      return Status::Ok();
    case SizeRule::kManaged:
      if (PolicySize(text, false) > 6144)
        return limit_error("Cannot exceed quota for PolicySize: 6144");
      return Status::Ok();
    case SizeRule::kUserInline:
      if (PolicySize(text, false) > 2048) {
        return limit_error("Maximum policy size of 2048 bytes exceeded for user " +
                           options.entity_name);
      }
      return Status::Ok();
    case SizeRule::kGroupInline:
      if (PolicySize(text, false) > 5120) {
        return limit_error("Maximum policy size of 5120 bytes exceeded for group " +
                           options.entity_name);
      }
      return Status::Ok();
    case SizeRule::kRoleInline:
      if (PolicySize(text, false) > 10240) {
        return limit_error("Maximum policy size of 10240 bytes exceeded for role " +
                           options.entity_name);
      }
      return Status::Ok();
    case SizeRule::kTrust:
      if (PolicySize(text, false) > 2048) {
        return limit_error("Cannot exceed quota for ACLSizePerRole: 2048");
      }
      return Status::Ok();
    case SizeRule::kSession:
      // AWS-COMPAT: STS reports an oversized plaintext session policy as PackedPolicyTooLarge.
      if (PolicySize(text, true) > 2048) {
        return LimitExceededError(
                   "Packed policy consumes more than 100% of the allotted space; session policy "
                   "exceeds 2048 characters")
            .WithAwsCode("PackedPolicyTooLarge");
      }
      return Status::Ok();
    case SizeRule::kOrganizations:
      // AWS-COMPAT: Organizations counts every character, whitespace included (AWS-FACTS 1.9).
      if (PolicySize(text, true) > 5120) {
        return LimitExceededError("You have exceeded the maximum size of the policy content.")
            .WithAwsCode("ConstraintViolationException")
            .WithField("Reason", "POLICY_CONTENT_LIMIT_EXCEEDED");
      }
      return Status::Ok();
  }
  return Status::Ok();
}

// IAM's "legacy parser" step: a miscased Effect, a Date condition value that is not a date, or
// (identity and boundary documents) an ARN the old parser cannot split fails the whole document
// with one message. It also finds the resource-format error that AWS reports only after the SID,
// action and resource-presence checks; that text is returned ("" when none).
Result<std::string> LegacyParse(const PolicyDocument& doc, Flavour flavour, bool effect_miscased) {
  constexpr std::string_view kLegacy = "The policy failed legacy parsing";
  // Organizations answers its single message for a miscased Effect too (Malformed).
  if (effect_miscased) return Malformed(flavour, kLegacy);
  if (IsOrg(flavour)) return std::string();
  // Date values are IAM's rule; resource policies here are other services' (SNS topic policies).
  if (flavour != Flavour::kResource) {
    for (const StatementDoc& st : doc.statements) {
      for (const ConditionSpec& c : st.conditions) {
        if (!BaseConditionOperator(c.op).starts_with("Date")) continue;
        for (const std::string& value : c.values) {
          if (!DateConditionValueParses(value)) return Malformed(flavour, kLegacy);
        }
      }
    }
    // AWS-COMPAT: Numeric*, IpAddress and Bool values are not refused when the policy is
    // stored: no recorded AWS answer shows a refusal, and moto and LocalStack store them as
    // written. The evaluator treats a value it cannot read as not matching.
  }
  const bool iam_resource_rules = flavour == Flavour::kIdentity || flavour == Flavour::kBoundary;
  std::string resource_error;
  if (!iam_resource_rules) {
    for (const StatementDoc& st : doc.statements) {
      for (const std::string& r : st.resources) {
        if (resource_error.empty() && r != "*" && r.find(':') == std::string::npos) {
          resource_error = "Resource " + r + " must be in ARN format or \"*\".";
        }
      }
    }
    return resource_error;
  }
  // Resource lists first, then NotResource lists. Within a statement AWS checks the values in
  // descending order and the last refusal found is the one reported (moto's recorded cases:
  // ["arn:error:s3:::b", "arn:error:s3::b"] names the first). The legacy ARN split runs for a
  // statement only while no format error has been found.
  for (bool negated : {false, true}) {
    for (const StatementDoc& st : doc.statements) {
      if (!st.has_resource || st.not_resource != negated) continue;
      std::vector<std::string> sorted = st.resources;
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      for (const std::string& r : sorted) {
        if (std::optional<std::string> error = ResourceFormatError(r)) resource_error = *error;
      }
      if (!resource_error.empty()) continue;
      for (const std::string& r : st.resources) {
        if (!LegacyResourceParses(r)) return Malformed(flavour, kLegacy);
      }
    }
  }
  return resource_error;
}

}  // namespace

Result<Flavour> FlavourFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, Flavour> kNames[] = {
      {"identity", Flavour::kIdentity},
      {"resource", Flavour::kResource},
      {"trust", Flavour::kTrust},
      {"boundary", Flavour::kBoundary},
      {"session", Flavour::kSession},
      {"scp", Flavour::kScp},
      {"rcp", Flavour::kRcp}};
  for (const auto& [n, f] : kNames) {
    if (n == name) return f;
  }
  return InvalidInputError("unknown policy flavour `" + std::string(name) + "`");
}

std::string_view FlavourName(Flavour flavour) {
  switch (flavour) {
    case Flavour::kIdentity:
      return "identity";
    case Flavour::kResource:
      return "resource";
    case Flavour::kTrust:
      return "trust";
    case Flavour::kBoundary:
      return "boundary";
    case Flavour::kSession:
      return "session";
    case Flavour::kScp:
      return "scp";
    case Flavour::kRcp:
      return "rcp";
  }
  return "identity";
}

size_t PolicySize(std::string_view text, bool count_whitespace) {
  size_t n = 0;
  for (char c : text) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    if (!count_whitespace && IsSpace(c)) continue;
    ++n;
  }
  return n;
}

Result<PolicyDocument> ParsePolicy(std::string_view text, Flavour flavour,
                                   const ParseOptions& options) {
  if (text.empty() || !AllowedCharacters(text)) {
    // AWS-COMPAT: a character outside [\u0009\u000A\u000D\u0020-\u00FF] is reported as a
    // malformed document (the wire layer may reject it earlier with the model's pattern).
    return Malformed(flavour, kSyntax);
  }
  OT_RETURN_IF_ERROR(CheckSize(text, flavour, options));

  json::parse_options popts;
  popts.max_depth = kMaxPolicyDepth;
  boost::system::error_code ec;
  json::value root;
  try {
    root = json::parse(text, ec, json::storage_ptr(), popts);
  } catch (const std::exception&) {
    // Only allocation failure can throw here; report it like any unparsable document.
    return Malformed(flavour, kSyntax);
  }
  if (ec || !root.is_object()) return Malformed(flavour, kSyntax);

  PolicyDocument doc;
  const json::value* statement = nullptr;
  for (const auto& [key, val] : root.get_object()) {
    if (key == "Version") {
      if (!val.is_string()) return Malformed(flavour, kSyntax);
      doc.has_version = true;
      doc.version = val.get_string();
      if (doc.version != "2012-10-17" && doc.version != "2008-10-17") {
        return Malformed(flavour, kSyntax);
      }
    } else if (key == "Id") {
      if (!val.is_string()) return Malformed(flavour, kSyntax);
      doc.id = val.get_string();
    } else if (key == "Statement") {
      statement = &val;
    } else {
      return Malformed(flavour, kSyntax);
    }
  }
  if (statement == nullptr) return Malformed(flavour, kSyntax);
  // AWS-COMPAT: Organizations accepts only the current policy language version.
  if (IsOrg(flavour) && doc.version != "2012-10-17") return Malformed(flavour, kSyntax);

  bool effect_miscased = false;
  if (statement->is_object()) {
    doc.statements.emplace_back();
    OT_RETURN_IF_ERROR(
        ParseStatement(*statement, flavour, &doc.statements.back(), &effect_miscased));
  } else if (statement->is_array()) {
    if (statement->get_array().empty()) return Malformed(flavour, kSyntax);
    for (const auto& s : statement->get_array()) {
      doc.statements.emplace_back();
      OT_RETURN_IF_ERROR(ParseStatement(s, flavour, &doc.statements.back(), &effect_miscased));
    }
  } else {
    return Malformed(flavour, kSyntax);
  }

  // Semantic rules, in the order AWS reports them (docs/policy-evaluation.md section 1):
  // version, legacy parsing, SIDs, actions, principals and resources, resource formats, action
  // vendors.
  if (options.require_current_version && doc.version != "2012-10-17") {
    return Malformed(flavour, "Policy document must be version 2012-10-17 or greater.");
  }
  OT_ASSIGN_OR_RETURN(std::string resource_error, LegacyParse(doc, flavour, effect_miscased));
  const bool iam_sid_rule = flavour != Flavour::kResource;
  std::set<std::string> sids;
  for (const auto& st : doc.statements) {
    if (st.has_sid && !SidAlnum(st.sid, !iam_sid_rule)) {
      return Malformed(flavour,
                       "Statement IDs (SID) must be alpha-numeric. Check that your input "
                       "satisfies the regular expression [0-9A-Za-z]*");
    }
  }
  for (const auto& st : doc.statements) {
    if (st.has_sid && !st.sid.empty() && !sids.insert(st.sid).second) {
      return Malformed(flavour, "Statement IDs (SID) in a single policy must be unique.");
    }
  }
  for (const auto& st : doc.statements) {
    if (!st.has_action || st.actions.empty()) {
      return Malformed(flavour, "Policy statement must contain actions.");
    }
  }
  for (const auto& st : doc.statements) {
    if (flavour == Flavour::kTrust) {
      if (st.has_resource) {
        return Malformed(flavour, st.not_resource ? "Has prohibited field NotResource"
                                                  : "Has prohibited field Resource");
      }
      if (!st.principal.present) return Malformed(flavour, "Missing required field Principal");
      if (st.principal.negated) return Malformed(flavour, "Has prohibited field NotPrincipal");
    } else if (flavour == Flavour::kResource || flavour == Flavour::kRcp) {
      if (!st.principal.present) return Malformed(flavour, "Missing required field Principal");
    }
    if (flavour == Flavour::kRcp && st.principal.negated) return Malformed(flavour, kSyntax);
    const bool needs_resource = flavour == Flavour::kIdentity || flavour == Flavour::kBoundary ||
                                flavour == Flavour::kSession || flavour == Flavour::kResource ||
                                flavour == Flavour::kRcp;
    if (needs_resource && (!st.has_resource || st.resources.empty())) {
      return Malformed(flavour, "Policy statement must contain resources.");
    }
  }
  if (!resource_error.empty()) return Malformed(flavour, resource_error);
  for (const auto& st : doc.statements) {
    for (const auto& a : st.actions) OT_RETURN_IF_ERROR(CheckAction(flavour, a));
  }
  return doc;
}

}  // namespace orgtwin::policy
