// File: policy/matching.h
//
// The low-level matchers of the engine, shared by the compiler and the evaluator: glob matching
// over encoded patterns, ARN segment splitting, policy-variable templates, and the value parsers
// of the condition families (numbers, ISO 8601 / epoch dates, IPv4/IPv6 CIDRs; base64 is
// common/base64.h).
//
// Pattern encoding: a compiled pattern stores the wildcard `*` as the byte kStar and `?` as kOne.
// Those bytes cannot occur in a valid policy (only TAB, LF, CR and U+0020..U+00FF are allowed),
// so the escapes `${*}` and `${?}` become the ordinary literal characters '*' and '?'.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"

namespace orgtwin::policy {

inline constexpr char kStar = '\x01';
inline constexpr char kOne = '\x02';

// Encodes a raw policy string with no variables: '*' -> kStar, '?' -> kOne.
std::string EncodeGlob(std::string_view raw);

// True when `value` matches the encoded `pattern` (case-sensitive, byte-wise; kStar matches any
// run, kOne exactly one character). Iterative, O(|pattern| * |value|) worst case, no recursion.
bool GlobMatch(std::string_view pattern, std::string_view value);

// True when the encoded pattern contains no kStar/kOne.
bool IsLiteral(std::string_view encoded);

// Splits "arn:partition:service:region:account:resource" at its first five ':'. Returns false
// when there are fewer than five.
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>* parts);

// ARN matching (Resource elements and the Arn* condition operators): segment by segment with
// globbing inside each segment when both sides are ARNs; whole-string glob otherwise.
bool ArnMatch(std::string_view encoded_pattern, std::string_view value);

// Lowercases ASCII in place / into a copy (common/ascii.h, shared with the rest of the twin).
using orgtwin::AsciiLower;
using orgtwin::AsciiLowerCopy;
bool AsciiIEquals(std::string_view a, std::string_view b);

// A policy string that may contain variables: a list of pieces, each literal (already encoded)
// or a variable `${key}` / `${key, 'default'}`.
struct TemplatePiece {
  bool is_variable = false;
  std::string text;  // literal: encoded text; variable: lowercase key
  bool has_default = false;
  std::string default_value;
};

struct TemplateString {
  std::vector<TemplatePiece> pieces;
  std::string literal;  // the whole encoded string when there are no variables
  bool has_variables = false;
};

// Parses `raw`. With `variables` false (Version 2008-10-17 or absent), `${...}` is literal text.
// `glob` false keeps '*' and '?' as ordinary characters (for exact-match operators).
TemplateString ParseTemplate(std::string_view raw, bool variables, bool glob);

// Numbers: integer or float; false on anything else.
bool ParseNumber(std::string_view s, double* out);

// Dates: ISO 8601 (date, date-time with optional fraction and Z / +hh:mm) or epoch seconds.
bool ParseDate(std::string_view s, double* out);

// An IPv4 or IPv6 address or CIDR, normalised to 16 bytes (IPv4 kept apart by `v4`).
struct IpNet {
  bool v4 = false;
  std::array<uint8_t, 16> addr{};
  int prefix = 0;  // 32 / 128 for a plain address
};
bool ParseIpNet(std::string_view s, IpNet* out);
bool IpInNet(const IpNet& ip, const IpNet& net);

}  // namespace orgtwin::policy
