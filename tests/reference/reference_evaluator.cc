// The reference evaluator (see reference_evaluator.h). Every function below is one rule of
// AWS-FACTS section 1, written for the reader, not for speed.
#include "reference_evaluator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include <arpa/inet.h>

namespace orgtwin::reference {
namespace {

namespace json = boost::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The request.

struct Principal {
  std::string type;  // Root | User | AssumedRole | FederatedUser | ServiceLinkedRole | Anonymous
  std::string arn;
  std::string account;
  std::string role_arn;  // sessions: the role behind the session
};

struct Request {
  Principal principal;
  std::string action;
  std::string resource;
  std::string resource_account;
  // Condition keys, by lowercased name (key names are case-insensitive, AWS-FACTS 1.6).
  std::map<std::string, std::vector<std::string>> context;
  std::set<std::string> multivalued;  // keys given as a JSON list
  bool has_boundary = false;
};

std::string ScalarToString(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    std::array<char, 64> buf{};
    auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v.get_double());
    return std::string(buf.data(), res.ptr);
  }
  return json::serialize(v);
}

// A value in a policy (or the context) that may be a single scalar or a list of scalars.
std::vector<std::string> ToStringList(const json::value& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& e : v.get_array()) out.push_back(ScalarToString(e));
  } else {
    out.push_back(ScalarToString(v));
  }
  return out;
}

// Looks a context key up; nullopt when the request does not carry it.
const std::vector<std::string>* LookupKey(const Request& req, std::string_view key) {
  auto it = req.context.find(Lower(key));
  return it == req.context.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// Globbing. A pattern is a sequence of characters, each either literal or a wildcard (`*`, `?`
// written in the policy). Characters produced by a policy variable or by the `${*}` escapes are
// literal (AWS-FACTS 1.7).

struct Tok {
  char c;
  bool wild;
};
using Pattern = std::vector<Tok>;

// Text as written in a policy: `*` and `?` are wildcards.
Pattern WildPattern(std::string_view s) {
  Pattern p;
  for (char c : s) p.push_back({c, c == '*' || c == '?'});
  return p;
}

std::string PatternText(const Pattern& p) {
  std::string s;
  for (const Tok& t : p) s.push_back(t.c);
  return s;
}

bool CharEq(char a, char b, bool icase) {
  if (!icase) return a == b;
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// Classic recursive glob: `*` any run (including empty), `?` exactly one character.
bool GlobFrom(const Pattern& p, size_t pi, std::string_view s, size_t si, bool icase) {
  while (pi < p.size()) {
    const Tok& t = p[pi];
    if (t.wild && t.c == '*') {
      for (size_t k = si; k <= s.size(); ++k) {
        if (GlobFrom(p, pi + 1, s, k, icase)) return true;
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (t.wild && t.c == '?') {
      ++pi;
      ++si;
      continue;
    }
    if (!CharEq(t.c, s[si], icase)) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

bool Glob(const Pattern& p, std::string_view s, bool icase) { return GlobFrom(p, 0, s, 0, icase); }

// Splits at the first five ':' into the six ARN segments; nullopt when there are fewer.
std::optional<std::vector<Pattern>> SplitArnPattern(const Pattern& p) {
  std::vector<Pattern> parts(1);
  for (const Tok& t : p) {
    if (t.c == ':' && parts.size() < 6) {
      parts.emplace_back();
    } else {
      parts.back().push_back(t);
    }
  }
  if (parts.size() != 6) return std::nullopt;
  return parts;
}

std::optional<std::vector<std::string>> SplitArn(std::string_view s) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == ':' && parts.size() < 6) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  if (parts.size() != 6) return std::nullopt;
  return parts;
}

// ARN matching: segment by segment, case-sensitive (AWS-FACTS 1.5 and the ARN operators of 1.6).
bool ArnGlob(const Pattern& pattern, std::string_view arn) {
  auto pp = SplitArnPattern(pattern);
  auto ap = SplitArn(arn);
  if (!pp || !ap) return false;
  for (int i = 0; i < 6; ++i) {
    if (!Glob((*pp)[i], (*ap)[i], /*icase=*/false)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Policy variables (AWS-FACTS 1.7). Returns nullopt when a variable resolves to nothing and has no
// default: the statement then does not match.

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::optional<Pattern> Substitute(std::string_view raw, bool variables_enabled,
                                  const Request& req) {
  Pattern out;
  size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (variables_enabled && c == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
      size_t close = raw.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string inner(raw.substr(i + 2, close - i - 2));
        i = close + 1;
        if (inner == "*" || inner == "?" || inner == "$") {
          out.push_back({inner[0], false});
          continue;
        }
        std::string key = inner;
        std::optional<std::string> fallback;
        size_t comma = inner.find(',');
        if (comma != std::string::npos) {
          key = inner.substr(0, comma);
          std::string def = Trim(std::string_view(inner).substr(comma + 1));
          if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') {
            fallback = def.substr(1, def.size() - 2);
          } else {
            fallback = def;
          }
        }
        key = Trim(key);
        const std::vector<std::string>* values = LookupKey(req, key);
        // Only single-valued keys can be substituted.
        if (values != nullptr && values->size() == 1 && req.multivalued.count(Lower(key)) == 0) {
          for (char vc : values->front()) out.push_back({vc, false});
        } else if (fallback) {
          for (char vc : *fallback) out.push_back({vc, false});
        } else {
          return std::nullopt;
        }
        continue;
      }
    }
    out.push_back({c, c == '*' || c == '?'});
    ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Condition value parsing.

std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ReadDigits(const std::string& s, size_t& pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[pos + k];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

// ISO 8601 (date, date-time with optional fraction and Z / +hh:mm offset) or epoch seconds.
std::optional<double> ParseDate(const std::string& s) {
  if (!s.empty() &&
      std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit((unsigned char)c); })) {
    return ParseNumber(s);
  }
  size_t pos = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, pos, 4, &y) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!ReadDigits(s, pos, 2, &mo) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!ReadDigits(s, pos, 2, &d)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  double frac = 0;
  int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't') return std::nullopt;
    ++pos;
    if (!ReadDigits(s, pos, 2, &h)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, &mi)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadDigits(s, pos, 2, &sec)) return std::nullopt;
        if (pos < s.size() && s[pos] == '.') {
          size_t start = pos;
          ++pos;
          while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
          frac = std::strtod(s.substr(start, pos - start).c_str(), nullptr);
        }
      }
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '+' ? 1 : -1;
        ++pos;
        int64_t oh = 0, om = 0;
        if (!ReadDigits(s, pos, 2, &oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (!ReadDigits(s, pos, 2, &om)) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  int64_t days = DaysFromCivil(y, mo, d);
  return static_cast<double>(days * 86400 + h * 3600 + mi * 60 + sec - offset) + frac;
}

struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;
};

std::optional<Cidr> ParseCidr(const std::string& s) {
  Cidr c;
  std::string addr = s;
  std::optional<int> prefix;
  size_t slash = s.find('/');
  if (slash != std::string::npos) {
    addr = s.substr(0, slash);
    std::string p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3 ||
        !std::all_of(p.begin(), p.end(), [](char ch) { return std::isdigit((unsigned char)ch); })) {
      return std::nullopt;
    }
    prefix = std::stoi(p);
  }
  if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET;
    c.prefix = prefix.value_or(32);
    if (c.prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET6;
    c.prefix = prefix.value_or(128);
    if (c.prefix > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return c;
}

bool CidrContains(const Cidr& net, const Cidr& ip) {
  if (net.family != ip.family) return false;
  for (int bit = 0; bit < net.prefix; ++bit) {
    int byte = bit / 8;
    int mask = 0x80 >> (bit % 8);
    if ((net.bytes[byte] & mask) != (ip.bytes[byte] & mask)) return false;
  }
  return true;
}

std::optional<std::string> Base64Decode(const std::string& s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int buffer = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != '='; ++i) {
    size_t v = kAlphabet.find(s[i]);
    if (v == std::string::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  for (; i < s.size(); ++i) {
    if (s[i] != '=') return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Condition operators (AWS-FACTS 1.6).

struct OperatorInfo {
  std::string base;      // positive operator name, e.g. StringEquals for StringNotEquals
  bool negated = false;  // StringNotEquals, NotIpAddress, ...
};

const std::map<std::string, OperatorInfo>& Operators() {
  static const auto* const kOps = new std::map<std::string, OperatorInfo>{
      {"StringEquals", {"StringEquals", false}},
      {"StringNotEquals", {"StringEquals", true}},
      {"StringEqualsIgnoreCase", {"StringEqualsIgnoreCase", false}},
      {"StringNotEqualsIgnoreCase", {"StringEqualsIgnoreCase", true}},
      {"StringLike", {"StringLike", false}},
      {"StringNotLike", {"StringLike", true}},
      {"NumericEquals", {"NumericEquals", false}},
      {"NumericNotEquals", {"NumericEquals", true}},
      {"NumericLessThan", {"NumericLessThan", false}},
      {"NumericLessThanEquals", {"NumericLessThanEquals", false}},
      {"NumericGreaterThan", {"NumericGreaterThan", false}},
      {"NumericGreaterThanEquals", {"NumericGreaterThanEquals", false}},
      {"DateEquals", {"DateEquals", false}},
      {"DateNotEquals", {"DateEquals", true}},
      {"DateLessThan", {"DateLessThan", false}},
      {"DateLessThanEquals", {"DateLessThanEquals", false}},
      {"DateGreaterThan", {"DateGreaterThan", false}},
      {"DateGreaterThanEquals", {"DateGreaterThanEquals", false}},
      {"Bool", {"Bool", false}},
      {"BinaryEquals", {"BinaryEquals", false}},
      {"IpAddress", {"IpAddress", false}},
      {"NotIpAddress", {"IpAddress", true}},
      {"ArnEquals", {"ArnLike", false}},
      {"ArnLike", {"ArnLike", false}},
      {"ArnNotEquals", {"ArnLike", true}},
      {"ArnNotLike", {"ArnLike", true}},
      {"Null", {"Null", false}},
  };
  return *kOps;
}

struct ParsedOperator {
  std::string set;  // "", "ForAllValues", "ForAnyValue"
  OperatorInfo info;
  bool if_exists = false;
};

std::optional<ParsedOperator> ParseOperator(std::string_view name) {
  ParsedOperator op;
  for (std::string_view prefix : {"ForAllValues:", "ForAnyValue:"}) {
    if (name.size() > prefix.size() && Lower(name.substr(0, prefix.size())) == Lower(prefix)) {
      op.set = std::string(prefix.substr(0, prefix.size() - 1));
      name.remove_prefix(prefix.size());
      break;
    }
  }
  constexpr std::string_view kIfExists = "IfExists";
  if (name.size() > kIfExists.size() && name.substr(name.size() - kIfExists.size()) == kIfExists) {
    op.if_exists = true;
    name.remove_suffix(kIfExists.size());
  }
  auto it = Operators().find(std::string(name));
  if (it == Operators().end()) return std::nullopt;
  op.info = it->second;
  if (op.info.base == "Null" && (op.if_exists || !op.set.empty())) return std::nullopt;
  return op;
}

// Does request value `v` satisfy the positive operator `base` for the single policy value `p`?
bool PositiveMatch(const std::string& base, const std::string& v, const Pattern& p) {
  const std::string pt = PatternText(p);
  if (base == "StringEquals") return v == pt;
  if (base == "StringEqualsIgnoreCase") return Lower(v) == Lower(pt);
  if (base == "StringLike") return Glob(p, v, /*icase=*/false);
  if (base.rfind("Numeric", 0) == 0) {
    auto a = ParseNumber(v);
    auto b = ParseNumber(pt);
    if (!a || !b) return false;
    if (base == "NumericEquals") return *a == *b;
    if (base == "NumericLessThan") return *a < *b;
    if (base == "NumericLessThanEquals") return *a <= *b;
    if (base == "NumericGreaterThan") return *a > *b;
    if (base == "NumericGreaterThanEquals") return *a >= *b;
  }
  if (base.rfind("Date", 0) == 0) {
    auto a = ParseDate(v);
    auto b = ParseDate(pt);
    if (!a || !b) return false;
    if (base == "DateEquals") return *a == *b;
    if (base == "DateLessThan") return *a < *b;
    if (base == "DateLessThanEquals") return *a <= *b;
    if (base == "DateGreaterThan") return *a > *b;
    if (base == "DateGreaterThanEquals") return *a >= *b;
  }
  if (base == "Bool") return Lower(v) == Lower(pt);
  if (base == "BinaryEquals") {
    auto a = Base64Decode(v);
    auto b = Base64Decode(pt);
    if (!a || !b) return v == pt;
    return *a == *b;
  }
  if (base == "IpAddress") {
    auto net = ParseCidr(pt);
    auto ip = ParseCidr(v);
    if (!net || !ip) return false;
    return CidrContains(*net, *ip);
  }
  if (base == "ArnLike") return ArnGlob(p, v);
  return false;
}

// One operator/key entry of a Condition block.
bool EvaluateConditionEntry(const ParsedOperator& op, std::string_view key,
                            const std::vector<Pattern>& policy_values, const Request& req) {
  const std::vector<std::string>* request_values = LookupKey(req, key);
  if (op.info.base == "Null") {
    const bool present = request_values != nullptr;
    for (const Pattern& p : policy_values) {
      std::string want = Lower(PatternText(p));
      if (want == "true" && !present) return true;
      if (want == "false" && present) return true;
    }
    return false;
  }
  // Missing key (AWS-FACTS 1.6): set operators first, then IfExists, then negation.
  if (request_values == nullptr) {
    if (op.set == "ForAllValues") return true;
    if (op.set == "ForAnyValue") return false;
    if (op.if_exists) return true;
    return op.info.negated;
  }
  // For one request value: positive = any policy value matches; negated = none matches.
  auto value_ok = [&](const std::string& v) {
    bool any = false;
    for (const Pattern& p : policy_values) {
      if (PositiveMatch(op.info.base, v, p)) {
        any = true;
        break;
      }
    }
    return op.info.negated ? !any : any;
  };
  if (op.set == "ForAllValues") {
    return std::all_of(request_values->begin(), request_values->end(), value_ok);
  }
  if (op.set == "ForAnyValue") {
    return std::any_of(request_values->begin(), request_values->end(), value_ok);
  }
  if (request_values->empty()) return op.info.negated;
  if (op.info.negated) {
    return std::all_of(request_values->begin(), request_values->end(), value_ok);
  }
  return std::any_of(request_values->begin(), request_values->end(), value_ok);
}

// ---------------------------------------------------------------------------------------------
// Statements.

enum class PrincipalMatch {
  kNone = 0,
  kAccount = 1,  // the account (arn:...:root or the bare ID): delegates to identity policies
  kRole = 2,     // the IAM role behind a role session
  kDirect = 3,   // the exact principal (user, session, federated user) or "*"
};

std::string AccountRootArn(const std::string& account) {
  return "arn:aws:iam::" + account + ":root";
}

// How a single Principal value names the request's principal.
PrincipalMatch MatchPrincipalValue(const std::string& v, const Principal& p) {
  if (v == "*") return PrincipalMatch::kDirect;
  if (p.type == "Anonymous") return PrincipalMatch::kNone;
  if (!p.account.empty() && (v == p.account || v == AccountRootArn(p.account))) {
    return p.type == "Root" ? PrincipalMatch::kDirect : PrincipalMatch::kAccount;
  }
  if (!p.arn.empty() && v == p.arn) return PrincipalMatch::kDirect;
  if (!p.role_arn.empty() && v == p.role_arn) return PrincipalMatch::kRole;
  return PrincipalMatch::kNone;
}

// Collects the values of a Principal/NotPrincipal element that can name AWS principals.
std::vector<std::string> AwsPrincipalValues(const json::value& element) {
  std::vector<std::string> out;
  if (element.is_string()) {
    out.push_back(std::string(element.get_string()));  // only "*" is legal here
    return out;
  }
  if (!element.is_object()) return out;
  for (const auto& [k, v] : element.get_object()) {
    if (k == "AWS") {
      for (const std::string& s : ToStringList(v)) out.push_back(s);
    }
    // Service / Federated / CanonicalUser principals never name the principal types a corpus
    // request can carry.
  }
  return out;
}

PrincipalMatch BestPrincipalMatch(const json::value& element, const Principal& p) {
  PrincipalMatch best = PrincipalMatch::kNone;
  for (const std::string& v : AwsPrincipalValues(element)) {
    best = std::max(best, MatchPrincipalValue(v, p));
  }
  return best;
}

// NotPrincipal excludes the caller only when every identity it has is listed: its own ARN, the
// role behind a session, and its account (NotPrincipal doc: list the account ARN too, and for a
// session the role ARN too). A caller with a permissions boundary is never excluded (current
// NotPrincipal doc, key points).
bool NotPrincipalExcludes(const json::value& element, const Principal& p, bool has_boundary) {
  std::vector<std::string> values = AwsPrincipalValues(element);
  auto listed = [&](const std::string& s) {
    return std::find(values.begin(), values.end(), s) != values.end();
  };
  if (listed("*")) return true;
  if (p.type == "Anonymous") return false;
  if (has_boundary && p.type != "Root") return false;
  const bool account_listed = listed(p.account) || listed(AccountRootArn(p.account));
  if (!account_listed) return false;
  if (p.type == "Root") return true;
  if (!listed(p.arn)) return false;
  if ((p.type == "AssumedRole" || p.type == "ServiceLinkedRole") && !p.role_arn.empty() &&
      !listed(p.role_arn)) {
    return false;
  }
  return true;
}

struct Statement {
  std::string effect;
  PrincipalMatch principal = PrincipalMatch::kNone;
};

std::vector<const json::object*> Statements(const json::object& doc) {
  std::vector<const json::object*> out;
  const json::value* st = doc.if_contains("Statement");
  if (st == nullptr) return out;
  if (st->is_object()) {
    out.push_back(&st->get_object());
  } else if (st->is_array()) {
    for (const auto& e : st->get_array()) {
      if (e.is_object()) out.push_back(&e.get_object());
    }
  }
  return out;
}

bool VariablesEnabled(const json::object& doc) {
  const json::value* v = doc.if_contains("Version");
  return v != nullptr && v->is_string() && v->get_string() == "2012-10-17";
}

// Does statement `st` apply to the request? For policies with a Principal element
// (`with_principal`), *principal_match says how the principal was named.
Result<bool> StatementApplies(const json::object& st, bool variables, bool with_principal,
                              const Request& req, PrincipalMatch* principal_match) {
  // Resolve every policy variable first: one that resolves to nothing makes the whole statement
  // not match (AWS-FACTS 1.7).
  std::vector<Pattern> resources;
  bool not_resource = false;
  bool has_resource_element = false;
  for (const char* name : {"Resource", "NotResource"}) {
    if (const json::value* r = st.if_contains(name)) {
      has_resource_element = true;
      not_resource = std::string_view(name) == "NotResource";
      for (const std::string& raw : ToStringList(*r)) {
        auto p = Substitute(raw, variables, req);
        if (!p) return false;
        resources.push_back(std::move(*p));
      }
    }
  }
  struct Entry {
    ParsedOperator op;
    std::string key;
    std::vector<Pattern> values;
  };
  std::vector<Entry> conditions;
  if (const json::value* c = st.if_contains("Condition")) {
    if (!c->is_object()) return InvalidInputError("Condition is not an object");
    for (const auto& [op_name, block] : c->get_object()) {
      auto op = ParseOperator(op_name);
      if (!op)
        return InvalidInputError("unknown condition operator `" + std::string(op_name) + "`");
      if (!block.is_object()) return InvalidInputError("condition block is not an object");
      for (const auto& [key, vals] : block.get_object()) {
        Entry e{*op, std::string(key), {}};
        for (const std::string& raw : ToStringList(vals)) {
          auto p = Substitute(raw, variables && op->info.base != "Null", req);
          if (!p) return false;
          e.values.push_back(std::move(*p));
        }
        conditions.push_back(std::move(e));
      }
    }
  }

  // Action / NotAction: case-insensitive, `*` and `?` (AWS-FACTS 1.5).
  const json::value* action = st.if_contains("Action");
  const json::value* not_action = st.if_contains("NotAction");
  if (action == nullptr && not_action == nullptr) return false;
  bool action_listed = false;
  for (const std::string& a : ToStringList(action != nullptr ? *action : *not_action)) {
    if (Glob(WildPattern(a), req.action, /*icase=*/true)) {
      action_listed = true;
    }
  }
  if ((action != nullptr) != action_listed) return false;

  // Resource / NotResource: "*" matches all, else ARN segment globbing, case-sensitive.
  if (has_resource_element) {
    bool listed = false;
    for (const Pattern& p : resources) {
      if ((p.size() == 1 && p[0].wild && p[0].c == '*') || ArnGlob(p, req.resource)) {
        listed = true;
      }
    }
    if (not_resource == listed) return false;
  }

  // Principal / NotPrincipal (resource-based policies and RCPs only).
  if (with_principal) {
    if (const json::value* pr = st.if_contains("Principal")) {
      *principal_match = BestPrincipalMatch(*pr, req.principal);
      if (*principal_match == PrincipalMatch::kNone) return false;
    } else if (const json::value* np = st.if_contains("NotPrincipal")) {
      if (NotPrincipalExcludes(*np, req.principal, req.has_boundary)) return false;
      // Everyone not excluded is named as themselves.
      *principal_match = PrincipalMatch::kDirect;
    } else {
      return false;
    }
  }

  // Condition: every operator and every key must hold.
  for (const Entry& e : conditions) {
    if (!EvaluateConditionEntry(e.op, e.key, e.values, req)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Policies and layers.

struct Policy {
  std::string id;
  json::object doc;
};

Result<json::object> DocumentOf(const json::value& v) {
  if (v.is_object()) return v.get_object();
  if (v.is_string()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(v.get_string(), ec);
    if (ec || !parsed.is_object()) return InvalidInputError("policy text does not parse");
    return parsed.get_object();
  }
  return InvalidInputError("policy document is neither an object nor a string");
}

Result<Policy> PolicyOf(const json::value& v) {
  if (!v.is_object()) return InvalidInputError("policy entry is not an object");
  const json::object& o = v.get_object();
  const json::value* id = o.if_contains("id");
  const json::value* doc = o.if_contains("document");
  if (id == nullptr || !id->is_string() || doc == nullptr) {
    return InvalidInputError("policy entry needs id and document");
  }
  OT_ASSIGN_OR_RETURN(json::object d, DocumentOf(*doc));
  return Policy{std::string(id->get_string()), std::move(d)};
}

Result<std::vector<Policy>> PolicyList(const json::value& v) {
  std::vector<Policy> out;
  if (v.is_object()) {
    OT_ASSIGN_OR_RETURN(Policy p, PolicyOf(v));
    out.push_back(std::move(p));
    return out;
  }
  if (!v.is_array()) return InvalidInputError("policy list is not an array");
  for (const auto& e : v.get_array()) {
    OT_ASSIGN_OR_RETURN(Policy p, PolicyOf(e));
    out.push_back(std::move(p));
  }
  return out;
}

// What one layer says about the request.
struct LayerVerdict {
  std::vector<Match> denies;
  std::vector<Match> allows;
  PrincipalMatch best_allow_principal = PrincipalMatch::kNone;
};

Result<LayerVerdict> Scan(const std::vector<Policy>& policies, bool with_principal,
                          const Request& req) {
  LayerVerdict verdict;
  for (const Policy& policy : policies) {
    const bool variables = VariablesEnabled(policy.doc);
    std::vector<const json::object*> statements = Statements(policy.doc);
    for (size_t i = 0; i < statements.size(); ++i) {
      PrincipalMatch pm = PrincipalMatch::kNone;
      OT_ASSIGN_OR_RETURN(bool applies,
                          StatementApplies(*statements[i], variables, with_principal, req, &pm));
      if (!applies) continue;
      const json::value* effect = statements[i]->if_contains("Effect");
      std::string eff = effect != nullptr && effect->is_string() ? std::string(effect->get_string())
                                                                 : std::string();
      Match m{policy.id, static_cast<int>(i)};
      if (eff == "Deny") {
        verdict.denies.push_back(m);
      } else if (eff == "Allow") {
        verdict.allows.push_back(m);
        verdict.best_allow_principal = std::max(verdict.best_allow_principal, pm);
      }
    }
  }
  return verdict;
}

// ---------------------------------------------------------------------------------------------
// The request from the case.

std::string StringField(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<Request> RequestOf(const json::object& r) {
  Request req;
  const json::value* p = r.if_contains("principal");
  if (p == nullptr || !p->is_object()) return InvalidInputError("request.principal missing");
  const json::object& po = p->get_object();
  req.principal.type = StringField(po, "type");
  req.principal.arn = StringField(po, "arn");
  req.principal.account = StringField(po, "account");
  req.principal.role_arn = StringField(po, "role_arn");
  static const std::set<std::string> kTypes = {
      "Root", "User", "AssumedRole", "FederatedUser", "ServiceLinkedRole", "Anonymous"};
  if (kTypes.count(req.principal.type) == 0) {
    return InvalidInputError("unknown principal type `" + req.principal.type + "`");
  }
  if (req.principal.type == "Root" && req.principal.arn.empty()) {
    req.principal.arn = AccountRootArn(req.principal.account);
  }
  // A session's role: given, or read from arn:aws:sts::A:assumed-role/R/S.
  if ((req.principal.type == "AssumedRole" || req.principal.type == "ServiceLinkedRole") &&
      req.principal.role_arn.empty()) {
    auto parts = SplitArn(req.principal.arn);
    if (parts && (*parts)[5].rfind("assumed-role/", 0) == 0) {
      std::string rest = (*parts)[5].substr(13);
      req.principal.role_arn =
          "arn:aws:iam::" + (*parts)[4] + ":role/" + rest.substr(0, rest.find('/'));
    }
  }
  req.action = StringField(r, "action");
  req.resource = StringField(r, "resource");
  if (req.action.empty() || req.resource.empty()) {
    return InvalidInputError("request needs action and resource");
  }
  req.resource_account = StringField(r, "resource_account");
  if (req.resource_account.empty()) req.resource_account = req.principal.account;
  if (const json::value* c = r.if_contains("context")) {
    if (!c->is_object()) return InvalidInputError("request.context is not an object");
    for (const auto& [k, v] : c->get_object()) {
      std::string key = Lower(k);
      req.context[key] = ToStringList(v);
      if (v.is_array()) req.multivalued.insert(key);
    }
  }
  return req;
}

// ---------------------------------------------------------------------------------------------
// The decision (AWS-FACTS 1.1-1.4, FORMAT.md decided_by/matched rules).

// An sts:AssumeRole* request on a role: the resource-based policy is the role's trust policy.
bool IsStsAssumeRole(const Request& req) {
  std::string a = Lower(req.action);
  auto arn = SplitArn(req.resource);
  return a.rfind("sts:assumerole", 0) == 0 && arn && (*arn)[2] == "iam" &&
         (*arn)[5].rfind("role/", 0) == 0;
}

Result<Outcome> Decide(const json::object& test_case) {
  const json::value* rv = test_case.if_contains("request");
  if (rv == nullptr || !rv->is_object()) return InvalidInputError("case has no request");
  OT_ASSIGN_OR_RETURN(Request req, RequestOf(rv->get_object()));
  const Principal& who = req.principal;

  json::object empty;
  const json::value* pv = test_case.if_contains("policies");
  if (pv != nullptr && !pv->is_object()) return InvalidInputError("policies is not an object");
  const json::object& pols = pv != nullptr ? pv->get_object() : empty;

  std::vector<Policy> identity;
  std::vector<Policy> boundary;
  std::vector<Policy> session;
  std::vector<Policy> resource;
  std::vector<std::vector<Policy>> scp_levels;
  std::vector<std::vector<Policy>> rcp_levels;
  const bool has_session = pols.contains("session");
  const bool has_scp = pols.contains("scp");
  const bool has_rcp = pols.contains("rcp");
  if (const json::value* v = pols.if_contains("identity")) {
    OT_ASSIGN_OR_RETURN(identity, PolicyList(*v));
  }
  if (const json::value* v = pols.if_contains("boundary")) {
    OT_ASSIGN_OR_RETURN(boundary, PolicyList(*v));
  }
  if (const json::value* v = pols.if_contains("session")) {
    OT_ASSIGN_OR_RETURN(session, PolicyList(*v));
  }
  if (const json::value* v = pols.if_contains("resource")) {
    OT_ASSIGN_OR_RETURN(resource, PolicyList(*v));
  }
  for (auto [name, levels] : {std::pair{"scp", &scp_levels}, std::pair{"rcp", &rcp_levels}}) {
    if (const json::value* v = pols.if_contains(name)) {
      if (!v->is_array()) return InvalidInputError(std::string(name) + " is not an array");
      for (const auto& level : v->get_array()) {
        OT_ASSIGN_OR_RETURN(std::vector<Policy> l, PolicyList(level));
        levels->push_back(std::move(l));
      }
    }
  }

  const bool is_root = who.type == "Root";
  const bool is_anonymous = who.type == "Anonymous";
  const bool is_slr = who.type == "ServiceLinkedRole";
  req.has_boundary = !boundary.empty() && !is_root;

  // Which layers apply. SCPs: member-account principals, never service-linked roles. RCPs:
  // member-account resources, never service-linked roles. Root and anonymous callers carry no
  // identity policies, boundary or session policy (AWS-FACTS 1.1, 1.4).
  const bool scp_applies = has_scp && !is_slr;
  const bool rcp_applies = has_rcp && !is_slr;
  const bool identity_applies = !is_root && !is_anonymous;
  const bool boundary_applies = identity_applies && !boundary.empty();
  const bool session_applies = identity_applies && has_session;

  std::vector<Policy> scp_all;
  std::vector<Policy> rcp_all;
  for (const auto& l : scp_levels) scp_all.insert(scp_all.end(), l.begin(), l.end());
  for (const auto& l : rcp_levels) rcp_all.insert(rcp_all.end(), l.begin(), l.end());

  Outcome out;
  LayerVerdict v_scp, v_rcp, v_identity, v_resource, v_boundary, v_session;
  if (scp_applies) {
    OT_ASSIGN_OR_RETURN(v_scp, Scan(scp_all, false, req));
  }
  if (rcp_applies) {
    OT_ASSIGN_OR_RETURN(v_rcp, Scan(rcp_all, true, req));
  }
  if (identity_applies) {
    OT_ASSIGN_OR_RETURN(v_identity, Scan(identity, false, req));
  }
  OT_ASSIGN_OR_RETURN(v_resource, Scan(resource, true, req));
  if (boundary_applies) {
    OT_ASSIGN_OR_RETURN(v_boundary, Scan(boundary, false, req));
  }
  if (session_applies) {
    OT_ASSIGN_OR_RETURN(v_session, Scan(session, false, req));
  }

  // Step 1: an explicit deny anywhere wins.
  const std::vector<std::pair<const char*, const LayerVerdict*>> layers = {
      {"scp", &v_scp},           {"rcp", &v_rcp},           {"identity", &v_identity},
      {"resource", &v_resource}, {"boundary", &v_boundary}, {"session", &v_session}};
  for (const auto& [name, verdict] : layers) {
    if (!verdict->denies.empty() && out.decided_by.empty()) out.decided_by = name;
    out.matched.insert(out.matched.end(), verdict->denies.begin(), verdict->denies.end());
  }
  if (!out.decided_by.empty()) {
    out.decision = "ExplicitDeny";
    std::sort(out.matched.begin(), out.matched.end());
    return out;
  }
  out.matched.clear();

  auto implicit = [&](const char* by) {
    Outcome o;
    o.decision = "ImplicitDeny";
    o.decided_by = by;
    return o;
  };

  // Steps 2-3: every SCP level, then every RCP level, must allow.
  if (scp_applies) {
    for (const auto& level : scp_levels) {
      OT_ASSIGN_OR_RETURN(LayerVerdict lv, Scan(level, false, req));
      if (lv.allows.empty()) return implicit("scp");
    }
  }
  if (rcp_applies) {
    for (const auto& level : rcp_levels) {
      OT_ASSIGN_OR_RETURN(LayerVerdict lv, Scan(level, true, req));
      if (lv.allows.empty()) return implicit("rcp");
    }
  }

  auto allow = [&](const char* by) {
    Outcome o;
    o.decision = "Allow";
    o.decided_by = by;
    o.matched = v_identity.allows;
    o.matched.insert(o.matched.end(), v_resource.allows.begin(), v_resource.allows.end());
    std::sort(o.matched.begin(), o.matched.end());
    return o;
  };

  const bool same_account = req.resource_account == who.account;
  const bool rbp_any = !v_resource.allows.empty();

  // Root user (AWS-FACTS 1.4): implicitly allowed in its own account; elsewhere the resource's
  // policy must name it (its account). Either way the root user's allow is decided_by "root".
  if (is_root) {
    if (same_account || rbp_any) return allow("root");
    return implicit("resource");
  }
  // Anonymous: only a resource-based policy naming "*" can grant.
  if (is_anonymous) {
    if (rbp_any) return allow("resource");
    return implicit("identity");
  }

  const bool id_allow = !v_identity.allows.empty();
  const bool boundary_ok = !boundary_applies || !v_boundary.allows.empty();
  // A federated user with no session policy gets nothing (AWS-FACTS 1.1 step 7).
  const bool session_ok = session_applies ? !v_session.allows.empty() : who.type != "FederatedUser";
  const bool identity_path = id_allow && boundary_ok && session_ok;

  if (!same_account) {
    // Cross-account (AWS-FACTS 1.3): both sides must allow.
    if (identity_path && rbp_any) return allow("identity");
    if (!id_allow) return implicit("identity");
    if (!rbp_any) return implicit("resource");
    if (!boundary_ok) return implicit("boundary");
    return implicit("session");
  }

  // Same account (AWS-FACTS 1.2): a resource-based policy naming the exact principal is enough
  // on its own; naming a role (for a role session) is still limited by the boundary and session
  // policy; naming the account delegates to the identity policies.
  const PrincipalMatch named = v_resource.best_allow_principal;
  const bool rbp_direct = named == PrincipalMatch::kDirect;
  const bool rbp_role = named == PrincipalMatch::kRole;
  const bool rbp_path = rbp_direct || (rbp_role && boundary_ok && session_ok);
  // Role trust policies: the trust policy itself must allow (AWS-FACTS 1.2 note).
  const bool trust = IsStsAssumeRole(req);
  const bool identity_path_ok = identity_path && (!trust || rbp_any);
  if (identity_path_ok) return allow("identity");
  if (rbp_path) return allow("resource");
  if (!id_allow && !rbp_direct && !rbp_role) return implicit("identity");
  if (trust && !rbp_any) return implicit("resource");
  if (!boundary_ok) return implicit("boundary");
  return implicit("session");
}

// ---------------------------------------------------------------------------------------------
// Validation (AWS-FACTS 1.5, 1.9).

struct Invalid {
  std::string error;
  std::string message;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Decodes UTF-8 and checks every code point is TAB, LF, CR or U+0020-U+00FF.
bool AllowedCharacters(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    if (!(cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0xFF))) return false;
  }
  return true;
}

std::optional<Invalid> ValidateDocument(const std::string& flavour, const std::string& text) {
  const bool org = flavour == "scp" || flavour == "rcp";
  const std::string malformed =
      org ? "MalformedPolicyDocumentException" : "MalformedPolicyDocument";
  auto bad = [&](std::string message = "") { return Invalid{malformed, std::move(message)}; };

  // Size limits (AWS-FACTS 1.9).
  size_t non_ws = 0;
  for (char c : text) non_ws += IsWhitespace(c) ? 0 : 1;
  if (org && text.size() > 5120) return Invalid{"ConstraintViolationException", ""};
  if ((flavour == "identity" || flavour == "boundary") && non_ws > 6144) {
    return Invalid{"LimitExceeded", ""};
  }
  if (flavour == "trust" && non_ws > 2048) return Invalid{"LimitExceeded", ""};

  if (!AllowedCharacters(text)) return bad();
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return bad(org ? "" : "Syntax errors in policy.");
  const json::object& doc = parsed.get_object();

  for (const auto& [k, v] : doc) {
    if (k != "Version" && k != "Id" && k != "Statement") return bad();
  }
  if (const json::value* version = doc.if_contains("Version")) {
    if (!version->is_string()) return bad();
    std::string ver(version->get_string());
    if (ver != "2012-10-17" && ver != "2008-10-17") return bad();
    if (org && ver != "2012-10-17") return bad();
  } else if (org) {
    return bad();
  }
  const json::value* st = doc.if_contains("Statement");
  if (st == nullptr || !(st->is_object() || st->is_array())) return bad();
  std::vector<const json::value*> statements;
  if (st->is_object()) {
    statements.push_back(st);
  } else {
    for (const auto& e : st->get_array()) statements.push_back(&e);
  }
  const bool has_principal_element =
      flavour == "resource" || flavour == "trust" || flavour == "rcp";
  const bool sid_alnum = flavour != "resource";
  std::set<std::string> sids;
  for (const json::value* sv : statements) {
    if (!sv->is_object()) return bad();
    const json::object& s = sv->get_object();
    for (const auto& [k, v] : s) {
      static const std::set<std::string> kKeys = {"Sid",       "Effect",       "Action",
                                                  "NotAction", "Resource",     "NotResource",
                                                  "Principal", "NotPrincipal", "Condition"};
      if (kKeys.count(std::string(k)) == 0) return bad();
    }
    if (const json::value* sid = s.if_contains("Sid")) {
      if (!sid->is_string()) return bad();
      std::string id(sid->get_string());
      if (sid_alnum && !std::all_of(id.begin(), id.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0;
          })) {
        return bad();
      }
      if (!id.empty() && !sids.insert(id).second) return bad();
    }
    const json::value* effect = s.if_contains("Effect");
    if (effect == nullptr || !effect->is_string() ||
        (effect->get_string() != "Allow" && effect->get_string() != "Deny")) {
      return bad();
    }
    const bool has_p = s.contains("Principal");
    const bool has_np = s.contains("NotPrincipal");
    if (!has_principal_element && (has_p || has_np)) {
      return bad(flavour == "identity" ? "Policy document should not specify a principal." : "");
    }
    if (has_principal_element && has_p == has_np) return bad();
    if (flavour == "trust" && has_np) return bad();
    if (has_p) {
      const json::value& p = s.at("Principal");
      if (p.is_string() && p.get_string() != "*") return bad();
      if (!p.is_string() && !p.is_object()) return bad();
    }
    const bool has_a = s.contains("Action");
    const bool has_na = s.contains("NotAction");
    if (has_a == has_na) return bad();
    for (const std::string& a :
         ToStringList(s.contains("Action") ? s.at("Action") : s.at("NotAction"))) {
      if (a != "*" && (a.find(':') == std::string::npos || a.front() == ':')) return bad();
    }
    const bool has_r = s.contains("Resource");
    const bool has_nr = s.contains("NotResource");
    if (has_r && has_nr) return bad();
    if (flavour == "trust" && (has_r || has_nr)) return bad();
    if (flavour != "trust" && !has_r && !has_nr) return bad();
    if (has_r || has_nr) {
      for (const std::string& r : ToStringList(has_r ? s.at("Resource") : s.at("NotResource"))) {
        if (r != "*" && !SplitArn(r)) return bad();
      }
    }
    if (const json::value* c = s.if_contains("Condition")) {
      if (!c->is_object()) return bad();
      for (const auto& [op, block] : c->get_object()) {
        if (!ParseOperator(op) || !block.is_object()) return bad();
      }
    }
  }
  return std::nullopt;
}

Result<Outcome> Validate(const json::object& v) {
  const std::string flavour = StringField(v, "flavour");
  static const std::set<std::string> kFlavours = {"identity", "resource", "trust", "boundary",
                                                  "session",  "scp",      "rcp"};
  if (kFlavours.count(flavour) == 0) return InvalidInputError("unknown flavour `" + flavour + "`");
  const json::value* d = v.if_contains("document");
  if (d == nullptr) return InvalidInputError("validate.document missing");
  std::string text = d->is_string() ? std::string(d->get_string()) : json::serialize(*d);
  Outcome out;
  if (auto invalid = ValidateDocument(flavour, text)) {
    out.valid = false;
    out.error = invalid->error;
    out.message = invalid->message;
  }
  return out;
}

}  // namespace

Result<Outcome> EvaluateCase(const boost::json::object& test_case) {
  if (const json::value* v = test_case.if_contains("validate")) {
    if (!v->is_object()) return InvalidInputError("validate is not an object");
    return Validate(v->get_object());
  }
  return Decide(test_case);
}

}  // namespace orgtwin::reference
