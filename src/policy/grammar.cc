#include "policy/grammar.h"

#include <charconv>
#include <cstdint>
#include <vector>

namespace orgtwin::policy {
namespace {

// The partitions IAM accepts in a resource ARN: "*" (AWS's own managed policies use
// "arn:*:ssm:*:*:opsitem/*", data/policy/managed-policies.json) and the published partitions.
// AWS-COMPAT: the recorded AWS answers only show "aws" accepted and unknown names refused.
constexpr std::string_view kPartitions[] = {"*",          "aws",       "aws-cn",
                                            "aws-us-gov", "aws-iso",   "aws-iso-b",
                                            "aws-iso-e",  "aws-iso-f", "aws-eusc"};

// The resource types an IAM ARN may name, in the order AWS's message lists them.
constexpr std::string_view kIamResourceTypes[] = {"user/",
                                                  "federated-user/",
                                                  "role/",
                                                  "group/",
                                                  "instance-profile/",
                                                  "mfa/",
                                                  "server-certificate/",
                                                  "policy/",
                                                  "sms-mfa/",
                                                  "saml-provider/",
                                                  "oidc-provider/",
                                                  "report/",
                                                  "access-report/"};

bool KnownPartition(std::string_view p) {
  for (std::string_view k : kPartitions) {
    if (k == p) return true;
  }
  return false;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// Text after the first `sep`, or "" when there is none.
std::string_view After(std::string_view s, char sep) {
  size_t at = s.find(sep);
  return at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
}

// An optionally signed decimal integer, whole text; false on anything else (empty included).
bool ParseInt(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool InRange(std::string_view s, int64_t lo, int64_t hi) {
  int64_t v = 0;
  return ParseInt(s, &v) && v >= lo && v <= hi;
}

// "hh" or "hh:mm" after a '+' (or '-') offset sign: two digits each, 00-23 and 00-59.
bool OffsetParses(std::string_view offset) {
  std::string_view hours = offset.substr(0, offset.find(':'));
  if (hours.size() != 2 || !InRange(hours, 0, 23)) return false;
  if (offset.find(':') == std::string_view::npos) return true;
  std::string_view minutes = After(offset, ':');
  return minutes.size() == 2 && InRange(minutes, 0, 59);
}

// `ss`, `ss.fffffffff`, optionally followed by `z` or an offset; lower-cased already.
bool SecondsParse(std::string_view text) {
  std::string_view seconds = text;
  if (size_t z = text.find('z'); z != std::string_view::npos) {
    if (z + 1 != text.size()) return false;
    seconds = text.substr(0, z);
  } else if (size_t sign = text.find_first_of("+-"); sign != std::string_view::npos) {
    // AWS-COMPAT: the recorded answers only show "+hh[:mm]" offsets; "-hh[:mm]" is ISO 8601's
    // other sign and is taken the same way.
    if (!OffsetParses(text.substr(sign + 1))) return false;
    seconds = text.substr(0, sign);
  }
  std::string_view whole = seconds.substr(0, seconds.find('.'));
  if (!InRange(whole, 0, 59)) return false;
  if (seconds.find('.') == std::string_view::npos) return true;
  return InRange(After(seconds, '.'), 0, 999999999);
}

bool IsoDateTimeParses(std::string_view lowered) {
  size_t t = lowered.find('t');
  std::string_view date = lowered.substr(0, t);
  std::string_view time = t == std::string_view::npos ? std::string_view() : lowered.substr(t + 1);

  bool negative_year = !date.empty() && date.front() == '-';
  if (negative_year) date.remove_prefix(1);
  std::vector<std::string_view> parts = Split(date, '-');
  if (parts.size() > 3) return false;
  int64_t year = 0;
  if (!ParseInt(parts[0], &year)) return false;
  if (negative_year) year = -year;
  // The range of years Java's date/time types represent.
  if (year < -292275054 || year > 292278993) return false;
  if (parts.size() > 1 && !InRange(parts[1], 1, 12)) return false;
  if (parts.size() > 2 && !InRange(parts[2], 1, 31)) return false;

  std::vector<std::string_view> clock = Split(time, ':');
  if (!clock[0].empty() && !InRange(clock[0], 0, 23)) return false;
  if (clock.size() > 1 && !InRange(clock[1], 0, 59)) return false;
  if (clock.size() > 2) {
    // An offset's own colon splits it off: rejoin what follows the seconds.
    size_t seconds_at = static_cast<size_t>(clock[2].data() - time.data());
    if (!SecondsParse(time.substr(seconds_at))) return false;
  }
  return true;
}

// A policy variable's colon ("${aws:PrincipalAccount}") does not separate ARN parts: AWS reads
// "arn:aws:iam::${aws:PrincipalAccount}:user/*" as account "${aws:PrincipalAccount}". The colons
// inside "${...}" become \x01, a character policy text cannot hold, so positions are unchanged.
std::string MaskVariableColons(std::string_view text) {
  std::string out(text);
  size_t at = 0;
  while ((at = out.find("${", at)) != std::string::npos) {
    size_t end = out.find('}', at);
    if (end == std::string::npos) break;
    for (size_t i = at; i < end; ++i) {
      if (out[i] == ':') out[i] = '\x01';
    }
    at = end;
  }
  return out;
}

}  // namespace

std::optional<std::string> ResourceFormatError(std::string_view original) {
  if (original == "*") return std::nullopt;
  // Parts are found in `resource`, where the colons of policy variables are masked, and quoted
  // from `original`.
  const std::string masked = MaskVariableColons(original);
  const std::string_view resource = masked;
  auto quote = [&](std::string_view piece) {
    return std::string(
        original.substr(static_cast<size_t>(piece.data() - resource.data()), piece.size()));
  };
  size_t first = resource.find(':');
  if (first == std::string_view::npos) {
    return "Resource " + std::string(original) + " must be in ARN format or \"*\".";
  }
  std::string_view rest = resource.substr(first + 1);
  size_t second = rest.find(':');
  std::string_view partition = rest.substr(0, second);
  std::string_view after_partition =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
  if (!KnownPartition(partition)) {
    // AWS names the ARN it read, with "*" for each of vendor, region, account and resource
    // that is missing.
    std::vector<std::string_view> parts = Split(after_partition, ':');
    auto part = [&](size_t i) -> std::string {
      if (i >= parts.size()) return "*";
      if (i == 0 && parts[0].empty() && parts.size() == 1) return "*";
      if (i == 3) {
        std::string joined = quote(parts[3]);
        for (size_t k = 4; k < parts.size(); ++k) joined.append(":").append(quote(parts[k]));
        return joined;
      }
      return quote(parts[i]);
    };
    std::string p = quote(partition);
    return "Partition \"" + p + "\" is not valid for resource \"arn:" + p + ":" + part(0) + ":" +
           part(1) + ":" + part(2) + ":" + part(3) + "\".";
  }
  if (second == std::string_view::npos) {
    return std::string("Resource vendor must be fully qualified and cannot contain regexes.");
  }
  size_t third = after_partition.find(':');
  std::string_view vendor = after_partition.substr(0, third);
  std::string_view after_vendor =
      third == std::string_view::npos ? std::string_view() : after_partition.substr(third + 1);
  // IAM resources are global: the region field must be empty. So are S3 buckets and objects,
  // which have no account either; S3's access points and access grants are regional and
  // name their account ("arn:aws:s3:*:*:accesspoint/*" in AWS's managed policies).
  // AWS-COMPAT: the recorded refusal is "arn:aws:s3:us-east-1::example_bucket" (no account).
  const bool has_region = !after_vendor.starts_with(":");
  if (has_region && vendor == "iam") {
    return "IAM resource " + std::string(original) + " cannot contain region information.";
  }
  if (has_region && vendor == "s3" && After(after_vendor, ':').starts_with(":")) {
    return "Resource " + std::string(original) + " can not contain region information.";
  }
  if (vendor == "iam") {
    std::string_view path = After(After(after_vendor, ':'), ':');
    // "*" is named by the message itself; "root" is the account's root user, named by AWS's
    // root-task managed policies ("arn:aws:iam::*:root"). AWS-COMPAT: the message does not list
    // "root", so whether a customer policy may name it is not on record; AWS's own policies do.
    if (path == "*" || path == "root") return std::nullopt;
    for (std::string_view type : kIamResourceTypes) {
      if (path.starts_with(type)) return std::nullopt;
    }
    std::string message = "IAM resource path must either be \"*\" or start with ";
    for (size_t i = 0; i < std::size(kIamResourceTypes); ++i) {
      if (i > 0) message += ", ";
      message += kIamResourceTypes[i];
    }
    return message + ".";
  }
  return std::nullopt;
}

bool LegacyResourceParses(std::string_view original) {
  if (original == "*") return true;
  const std::string masked = MaskVariableColons(original);
  const std::string_view resource = masked;
  size_t colons = 0;
  for (char c : resource) colons += c == ':' ? 1 : 0;
  if (colons < 5 && resource.find("::") != std::string_view::npos) return false;
  std::vector<std::string_view> parts = Split(resource, ':');
  return parts.size() > 2 && !parts[2].empty();
}

bool DateConditionValueParses(std::string_view value) {
  std::string lowered(value);
  for (char& c : lowered) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lowered.find('t') != std::string::npos || lowered.find('-') != std::string::npos) {
    return IsoDateTimeParses(lowered);
  }
  int64_t seconds = 0;
  return ParseInt(lowered, &seconds) && seconds >= 0;
}

std::string_view BaseConditionOperator(std::string_view op) {
  if (op.starts_with("ForAnyValue:")) {
    op.remove_prefix(12);
  } else if (op.starts_with("ForAllValues:")) {
    op.remove_prefix(13);
  }
  if (op.ends_with("IfExists")) op.remove_suffix(8);
  return op;
}

}  // namespace orgtwin::policy
