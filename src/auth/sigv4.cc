#include "auth/sigv4.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace orgtwin::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::chrono::seconds kAllowedSkew(15 * 60);
constexpr int64_t kMaxPresignExpires = 604800;  // seven days, the signing key's lifetime

// AWS-COMPAT: the exact texts below are AWS's (Coral) messages, see the header for the codes.
constexpr std::string_view kMissingTokenMessage = "Request is missing Authentication Token";
constexpr std::string_view kSignatureMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

Status MissingToken() {
  return UnauthenticatedError(std::string(kMissingTokenMessage))
      .WithAwsCode("MissingAuthenticationToken");
}
Status Incomplete(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("IncompleteSignature");
}
Status Mismatch(std::string message) {
  return UnauthenticatedError(std::move(message)).WithAwsCode("SignatureDoesNotMatch");
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; '+' stays a '+' (SigV4 clients encode spaces as %20). A malformed escape is
// kept literally, so re-encoding turns its '%' into %25 and the signature simply mismatches.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// SigV4 "Trimall": strip both ends and collapse each run of whitespace to one space.
void AppendTrimAll(std::string_view value, std::string& out) {
  value = Trim(value);
  bool in_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 3986 section 5.2.4 dot-segment removal, and empty segments ("//") dropped as AWS does for
// every service but S3. A trailing slash survives; an empty result is "/".
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && !path.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string CanonicalUri(std::string_view raw_path, std::string_view service) {
  if (raw_path.empty()) return "/";
  // S3 signs the path exactly as sent; every other service normalizes it and encodes the
  // already-encoded path a second time ("%20" -> "%2520").
  if (service == "s3") return std::string(raw_path);
  return UriEncode(NormalizePath(raw_path), /*keep_slash=*/true);
}

struct QueryParam {
  std::string key;    // decoded
  std::string value;  // decoded
};

std::vector<QueryParam> ParseQuery(std::string_view raw) {
  std::vector<QueryParam> out;
  size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    size_t end = raw.find('&', pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view pair = raw.substr(pos, end - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.push_back({PercentDecode(pair), ""});
      } else {
        out.push_back({PercentDecode(pair.substr(0, eq)), PercentDecode(pair.substr(eq + 1))});
      }
    }
    pos = end + 1;
  }
  return out;
}

std::string CanonicalQuery(std::string_view raw, bool exclude_signature) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (QueryParam& p : ParseQuery(raw)) {
    if (exclude_signature && p.key == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(p.key, false), UriEncode(p.value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(k);
    out.push_back('=');
    out.append(v);
  }
  return out;
}

// "20261127T230744Z" -> time point; false unless exactly the basic format.
bool ParseAmzDate(std::string_view text, TimePoint* out) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return false;
  int v[6] = {0};
  const size_t offsets[6] = {0, 4, 6, 9, 11, 13};
  const size_t widths[6] = {4, 2, 2, 2, 2, 2};
  for (int f = 0; f < 6; ++f) {
    for (size_t i = 0; i < widths[f]; ++i) {
      char c = text[offsets[f] + i];
      if (c < '0' || c > '9') return false;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) {
    return false;
  }
  std::tm tm{};
  tm.tm_year = v[0] - 1900;
  tm.tm_mon = v[1] - 1;
  tm.tm_mday = v[2];
  tm.tm_hour = v[3];
  tm.tm_min = v[4];
  tm.tm_sec = v[5];
  // AWS-COMPAT: a request dated after 2261 is "not yet current" on AWS; the twin's TimePoint
  // cannot hold it, so here it is a malformed date.
  return TimePointFromSeconds(timegm(&tm), out);
}

// RFC 1123 HTTP date, "Fri, 27 Nov 2026 23:07:44 GMT".
bool ParseHttpDate(std::string_view text, TimePoint* out) {
  static constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string copy(Trim(text));
  char wday[4] = {0}, mon[4] = {0}, zone[4] = {0};
  int day = 0, year = 0, hour = 0, min = 0, sec = 0, consumed = 0;
  if (std::sscanf(copy.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wday, &day,
                  mon, &year, &hour, &min, &sec, zone, &consumed) != 8 ||
      consumed != static_cast<int>(copy.size()) || std::string_view(zone) != "GMT") {
    return false;
  }
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == mon) month = i;
  }
  if (month < 0 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return TimePointFromSeconds(timegm(&tm), out);  // as in ParseAmzDate
}

std::vector<std::string> SplitSignedHeaders(std::string_view list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(';', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view name = Trim(list.substr(pos, end - pos));
    if (!name.empty()) out.push_back(ToLower(name));
    pos = end + 1;
  }
  return out;
}

// Fills the scope fields from "AKID/20261127/us-east-1/sts/aws4_request".
Status ParseCredential(std::string_view credential, SigV4Request& out) {
  std::string_view trimmed = credential;
  // AWS-COMPAT: trailing slashes are ignored when counting the elements.
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    size_t end = trimmed.find('/', pos);
    if (end == std::string_view::npos) {
      parts.push_back(trimmed.substr(pos));
      break;
    }
    parts.push_back(trimmed.substr(pos, end - pos));
    pos = end + 1;
  }
  if (parts.size() != 5) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        std::string(credential) + "'");
  }
  out.access_key_id = std::string(parts[0]);
  out.scope_date = std::string(parts[1]);
  out.scope_region = std::string(parts[2]);
  out.scope_service = std::string(parts[3]);
  out.scope_terminator = std::string(parts[4]);
  return Status::Ok();
}

// Reads the request time: X-Amz-Date, else the Date header (RFC 1123), as AWS does.
Status ParseRequestDate(std::string_view text, bool http_date, SigV4Request& out) {
  TimePoint t;
  bool ok = http_date ? ParseHttpDate(text, &t) : ParseAmzDate(text, &t);
  if (!ok) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(text) +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  out.request_time = t;
  out.amz_date = FormatAmzDate(t);
  return Status::Ok();
}

Status CheckHostSigned(const SigV4Request& out) {
  for (const std::string& name : out.signed_headers) {
    if (name == "host" || name == ":authority") return Status::Ok();
  }
  return Mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

Status CheckAlgorithm(std::string_view algorithm) {
  if (algorithm == kAlgorithm) return Status::Ok();
  return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) +
                    "' (only AWS4-HMAC-SHA256 for now). ");
}

Result<SigV4Request> ParseAuthorizationHeader(const HttpRequest& request,
                                              const std::string& header) {
  std::string_view h = Trim(header);
  if (h.substr(0, 5) != "AWS4-") return MissingToken();
  size_t alg_end = 0;
  while (alg_end < h.size() && !IsSpace(h[alg_end]) && h[alg_end] != ',') ++alg_end;
  std::string_view algorithm = h.substr(0, alg_end);

  // AWS-COMPAT: components may be separated by commas, whitespace or both; a component without
  // '=' (e.g. a stray space inside the credential) is reported with the whole header.
  std::string_view credential, signed_headers, signature;
  size_t pos = alg_end;
  while (pos < h.size()) {
    while (pos < h.size() && (IsSpace(h[pos]) || h[pos] == ',')) ++pos;
    size_t end = pos;
    while (end < h.size() && !IsSpace(h[end]) && h[end] != ',') ++end;
    if (end == pos) break;
    std::string_view token = h.substr(pos, end - pos);
    pos = end;
    size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("'" + std::string(token) +
                        "' not a valid key=value pair (missing equal-sign) in Authorization "
                        "header: '" +
                        std::string(h) + "'.");
    }
    std::string_view key = token.substr(0, eq);
    std::string_view value = token.substr(eq + 1);
    if (key == "Credential") {
      credential = value;
    } else if (key == "SignedHeaders") {
      signed_headers = value;
    } else if (key == "Signature") {
      signature = value;
    }
  }

  const std::string* amz_date = request.Header("X-Amz-Date");
  const std::string* date = amz_date == nullptr ? request.Header("Date") : nullptr;
  std::string missing;
  if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (amz_date == nullptr && date == nullptr) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return Incomplete(missing + "Authorization=" + std::string(h));

  SigV4Request out;
  OT_RETURN_IF_ERROR(amz_date != nullptr ? ParseRequestDate(Trim(*amz_date), false, out)
                                         : ParseRequestDate(Trim(*date), true, out));
  out.signed_headers = SplitSignedHeaders(signed_headers);
  OT_RETURN_IF_ERROR(CheckHostSigned(out));
  OT_RETURN_IF_ERROR(CheckAlgorithm(algorithm));
  OT_RETURN_IF_ERROR(ParseCredential(credential, out));
  out.signature = std::string(signature);
  if (const std::string* token = request.Header("X-Amz-Security-Token")) {
    out.session_token = std::string(Trim(*token));
  }
  return out;
}

// Precondition: the request has no Authorization header (ParseSigV4 checks that first).
Result<SigV4Request> ParsePresignedQuery(const std::vector<QueryParam>& params) {
  auto find = [&params](std::string_view key) -> const std::string* {
    for (const QueryParam& p : params) {
      if (p.key == key) return &p.value;
    }
    return nullptr;
  };
  static constexpr std::string_view kRequired[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                                   "X-Amz-Signature", "X-Amz-SignedHeaders",
                                                   "X-Amz-Date"};
  std::string missing;
  for (std::string_view key : kRequired) {
    const std::string* v = find(key);
    if (v == nullptr || v->empty()) {
      missing += "AWS query-string parameters must include '" + std::string(key) + "'. ";
    }
  }
  if (!missing.empty()) return Incomplete(missing + "Re-examine the query-string parameters.");

  SigV4Request out;
  out.presigned = true;
  OT_RETURN_IF_ERROR(ParseRequestDate(*find("X-Amz-Date"), false, out));
  // AWS-COMPAT: without X-Amz-Expires a presigned request lives for the usual 15 minutes.
  out.expires_seconds = kAllowedSkew.count();
  if (const std::string* expires = find("X-Amz-Expires")) {
    // AWS-COMPAT: S3's texts for a bad X-Amz-Expires (the other services do not document theirs).
    std::string_view e = *expires;
    bool negative = !e.empty() && e.front() == '-';
    if (negative) e.remove_prefix(1);
    if (e.empty() || e.size() > 18 ||
        !std::all_of(e.begin(), e.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Incomplete("X-Amz-Expires should be a number");
    }
    if (negative) return Incomplete("X-Amz-Expires must be non-negative");
    out.expires_seconds = std::stoll(std::string(e));
    if (out.expires_seconds > kMaxPresignExpires) {
      return Incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
  }
  out.signed_headers = SplitSignedHeaders(*find("X-Amz-SignedHeaders"));
  OT_RETURN_IF_ERROR(CheckHostSigned(out));
  OT_RETURN_IF_ERROR(CheckAlgorithm(*find("X-Amz-Algorithm")));
  OT_RETURN_IF_ERROR(ParseCredential(*find("X-Amz-Credential"), out));
  out.signature = *find("X-Amz-Signature");
  if (const std::string* token = find("X-Amz-Security-Token")) out.session_token = *token;
  return out;
}

std::string PayloadHash(const HttpRequest& request, const SigV4Request& parsed) {
  if (const std::string* declared = request.Header("X-Amz-Content-Sha256")) {
    return std::string(Trim(*declared));
  }
  if (parsed.presigned && parsed.scope_service == "s3") return std::string(kUnsignedPayload);
  return Sha256Hex(request.body);
}

std::string BuildCanonicalRequest(const HttpRequest& request, const SigV4Request& parsed,
                                  std::string_view payload_hash) {
  std::string out;
  out.reserve(256 + request.target.size());
  out.append(request.method);
  out.push_back('\n');
  out.append(CanonicalUri(request.Path(), parsed.scope_service));
  out.push_back('\n');
  out.append(CanonicalQuery(request.RawQuery(), parsed.presigned));
  out.push_back('\n');
  for (const std::string& name : parsed.signed_headers) {
    out.append(name);
    out.push_back(':');
    bool first = true;
    for (const auto& [key, value] : request.headers) {
      if (!EqualsIgnoreCase(key, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendTrimAll(value, out);
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < parsed.signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out.append(parsed.signed_headers[i]);
  }
  out.push_back('\n');
  out.append(payload_hash);
  return out;
}

bool IsPlausibleRegion(std::string_view region) {
  // "us-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1": lowercase words joined by
  // '-', ending in a number.
  if (region.size() < 4 || region.size() > 32) return false;
  if (!(region[0] >= 'a' && region[0] <= 'z' && region[1] >= 'a' && region[1] <= 'z')) {
    return false;
  }
  if (!(region.back() >= '0' && region.back() <= '9')) return false;
  bool has_dash = false;
  for (size_t i = 0; i < region.size(); ++i) {
    char c = region[i];
    if (c == '-') {
      if (i == 0 || region[i - 1] == '-') return false;
      has_dash = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return has_dash;
}

std::string FormatSkewBound(TimePoint t) { return FormatAmzDate(t); }

Status CheckRequestTime(const SigV4Request& parsed, TimePoint now) {
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  const TimePoint t = parsed.request_time;
  // AWS-COMPAT: STS answers clock skew with SignatureDoesNotMatch and these texts (observed
  // live), not with the documented RequestExpired code.
  if (t > now_s + kAllowedSkew) {
    return Mismatch("Signature not yet current: " + parsed.amz_date + " is still later than " +
                    FormatSkewBound(now_s + kAllowedSkew) + " (" + FormatAmzDate(now_s) +
                    " + 15 min.)");
  }
  if (parsed.presigned) {
    if (now_s > t + std::chrono::seconds(parsed.expires_seconds)) {
      // AWS-COMPAT: the common-errors code for a presigned URL used after its expiry.
      return UnauthenticatedError("Request has expired.").WithAwsCode("RequestExpired");
    }
    return Status::Ok();
  }
  if (t < now_s - kAllowedSkew) {
    return Mismatch("Signature expired: " + parsed.amz_date + " is now earlier than " +
                    FormatSkewBound(now_s - kAllowedSkew) + " (" + FormatAmzDate(now_s) +
                    " - 15 min.)");
  }
  return Status::Ok();
}

Status CheckScopeForm(const SigV4Request& parsed) {
  std::string errors;
  if (!IsPlausibleRegion(parsed.scope_region)) {
    errors += "Credential should be scoped to a valid region. ";
  }
  if (parsed.scope_terminator != kTerminator) {
    errors += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
              parsed.scope_terminator + "'. ";
  }
  std::string_view http_day = std::string_view(parsed.amz_date).substr(0, 8);
  if (parsed.scope_date != http_day) {
    errors +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        parsed.scope_date + "' != '" + std::string(http_day) + "', from '" + parsed.amz_date +
        "'. ";
  }
  if (!errors.empty()) return Mismatch(std::move(errors));
  return Status::Ok();
}

std::string ComputeSignature(const SigV4Request& parsed, std::string_view signing_key,
                             std::string_view canonical_request, std::string* string_to_sign) {
  *string_to_sign = StringToSign(parsed, canonical_request);
  return HexEncode(HmacSha256(signing_key, *string_to_sign));
}

bool SignatureEquals(std::string_view expected, std::string_view provided) {
  return expected.size() == provided.size() &&
         CRYPTO_memcmp(expected.data(), provided.data(), expected.size()) == 0;
}

bool IsUnsignedHeader(std::string_view lower_name) {
  static constexpr std::string_view kSkip[] = {"authorization",
                                               "connection",
                                               "expect",
                                               "keep-alive",
                                               "proxy-authenticate",
                                               "proxy-authorization",
                                               "te",
                                               "trailer",
                                               "transfer-encoding",
                                               "upgrade",
                                               "user-agent",
                                               "x-amzn-trace-id"};
  return std::find(std::begin(kSkip), std::end(kSkip), lower_name) != std::end(kSkip);
}

void RemoveHeader(HttpRequest& request, std::string_view name) {
  auto& h = request.headers;
  h.erase(std::remove_if(h.begin(), h.end(),
                         [name](const auto& kv) { return EqualsIgnoreCase(kv.first, name); }),
          h.end());
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret.append(secret);
  std::string k_date = HmacSha256(k_secret, date);
  std::string k_region = HmacSha256(k_date, region);
  std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, kTerminator);
}

std::string SigningKeyCache::Get(std::string_view secret, std::string_view date,
                                 std::string_view region, std::string_view service) {
  std::string key;
  key.reserve(secret.size() + date.size() + region.size() + service.size() + 3);
  key.append(secret).push_back('\0');
  key.append(date).push_back('\0');
  key.append(region).push_back('\0');
  key.append(service);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = keys_.find(key);
    if (it != keys_.end()) return it->second;
  }
  // Derive outside the lock: two threads may race to derive the same key, which is harmless.
  std::string derived = DeriveSigningKey(secret, date, region, service);
  std::lock_guard<std::mutex> lock(mutex_);
  if (keys_.size() >= capacity_) keys_.clear();
  keys_.emplace(std::move(key), derived);
  return derived;
}

size_t SigningKeyCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_.size();
}

SigningKeyCache& SigningKeyCache::Global() {
  static SigningKeyCache* cache = new SigningKeyCache();  // never destroyed: used at exit too
  return *cache;
}

Result<SigV4Request> ParseSigV4(const HttpRequest& request) {
  if (const std::string* header = request.Header("Authorization")) {
    if (request.RawQuery().find("X-Amz-Algorithm") != std::string_view::npos) {
      for (const QueryParam& p : ParseQuery(request.RawQuery())) {
        if (p.key == "X-Amz-Algorithm") {
          return Mismatch(
              "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
              "header.");
        }
      }
    }
    return ParseAuthorizationHeader(request, *header);
  }
  std::string_view raw = request.RawQuery();
  if (raw.find("X-Amz-") != std::string_view::npos) {
    std::vector<QueryParam> params = ParseQuery(raw);
    for (const QueryParam& p : params) {
      if (p.key == "X-Amz-Algorithm") return ParsePresignedQuery(params);
    }
  }
  return MissingToken();
}

std::string_view PeekSigningService(const HttpRequest& request) {
  if (const std::string* header = request.Header("Authorization")) {
    std::string_view h(*header);
    size_t pos = h.find("Credential=");
    if (pos == std::string_view::npos) return {};
    pos += 11;
    size_t end = pos;
    while (end < h.size() && h[end] != ',' && !IsSpace(h[end])) ++end;
    std::string_view cred = h.substr(pos, end - pos);
    // keyid/date/region/service/aws4_request: the service is the fourth element.
    for (int skip = 0; skip < 3; ++skip) {
      size_t slash = cred.find('/');
      if (slash == std::string_view::npos) return {};
      cred.remove_prefix(slash + 1);
    }
    return cred.substr(0, cred.find('/'));
  }
  std::string_view q = request.RawQuery();
  size_t pos = 0;
  while (true) {
    pos = q.find("X-Amz-Credential=", pos);
    if (pos == std::string_view::npos) return {};
    if (pos == 0 || q[pos - 1] == '&') break;
    ++pos;
  }
  std::string_view cred = q.substr(pos + 17);
  cred = cred.substr(0, cred.find('&'));
  // The value is percent-encoded: the separators are '/' or "%2F".
  auto next_separator = [](std::string_view s, size_t* width) -> size_t {
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '/') {
        *width = 1;
        return i;
      }
      if (s[i] == '%' && i + 2 < s.size() && s[i + 1] == '2' &&
          (s[i + 2] == 'F' || s[i + 2] == 'f')) {
        *width = 3;
        return i;
      }
    }
    return std::string_view::npos;
  };
  size_t width = 0;
  for (int skip = 0; skip < 3; ++skip) {
    size_t sep = next_separator(cred, &width);
    if (sep == std::string_view::npos) return {};
    cred.remove_prefix(sep + width);
  }
  return cred.substr(0, next_separator(cred, &width));
}

std::string CanonicalRequest(const HttpRequest& request, const SigV4Request& parsed) {
  return BuildCanonicalRequest(request, parsed, PayloadHash(request, parsed));
}

std::string StringToSign(const SigV4Request& parsed, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out.append(parsed.amz_date);
  out.push_back('\n');
  out.append(parsed.scope_date).push_back('/');
  out.append(parsed.scope_region).push_back('/');
  out.append(parsed.scope_service).push_back('/');
  out.append(parsed.scope_terminator.empty() ? std::string(kTerminator) : parsed.scope_terminator);
  out.push_back('\n');
  out.append(Sha256Hex(canonical_request));
  return out;
}

Status CheckCredentialScope(const SigV4Request& parsed, std::string_view expected_service,
                            std::string_view expected_region) {
  std::string errors;
  if (!expected_region.empty() && parsed.scope_region != expected_region) {
    errors += "Credential should be scoped to a valid region. ";
  }
  if (parsed.scope_service != expected_service) {
    errors +=
        "Credential should be scoped to correct service: '" + std::string(expected_service) + "'. ";
  }
  if (!errors.empty()) return Mismatch(std::move(errors));
  return Status::Ok();
}

Status VerifySigV4(const HttpRequest& request, const SigV4Request& parsed,
                   std::string_view secret_access_key, TimePoint now) {
  OT_RETURN_IF_ERROR(CheckRequestTime(parsed, now));
  OT_RETURN_IF_ERROR(CheckScopeForm(parsed));
  const std::string signing_key = SigningKeyCache::Global().Get(
      secret_access_key, parsed.scope_date, parsed.scope_region, parsed.scope_service);
  const std::string payload_hash = PayloadHash(request, parsed);
  const std::string canonical = BuildCanonicalRequest(request, parsed, payload_hash);
  std::string string_to_sign;
  if (SignatureEquals(ComputeSignature(parsed, signing_key, canonical, &string_to_sign),
                      parsed.signature)) {
    return Status::Ok();
  }
  // Presigned URLs for services other than S3 are signed over the (empty) body hash by botocore
  // but over UNSIGNED-PAYLOAD by some other SDKs; accept either.
  if (parsed.presigned && payload_hash != kUnsignedPayload &&
      request.Header("X-Amz-Content-Sha256") == nullptr) {
    std::string unsigned_sts;
    if (SignatureEquals(ComputeSignature(parsed, signing_key,
                                         BuildCanonicalRequest(request, parsed, kUnsignedPayload),
                                         &unsigned_sts),
                        parsed.signature)) {
      return Status::Ok();
    }
  }
  // AWS-COMPAT: Query and JSON services echo the canonical request and string to sign they
  // expected (S3 does not), which is what makes client-side signing bugs debuggable.
  return Mismatch(std::string(kSignatureMismatchMessage) +
                  "\n\nThe Canonical String for this request should have been\n'" + canonical +
                  "'\n\nThe String-to-Sign should have been\n'" + string_to_sign + "'\n");
}

std::string_view JsonProtocolAuthCode(std::string_view query_code) {
  if (query_code == "SignatureDoesNotMatch") return "InvalidSignatureException";
  if (query_code == "MissingAuthenticationToken") return "MissingAuthenticationTokenException";
  if (query_code == "IncompleteSignature") return "IncompleteSignatureException";
  return query_code;
}

void SignRequest(HttpRequest& request, std::string_view access_key_id, std::string_view secret,
                 std::string_view region, std::string_view service, TimePoint now,
                 std::string_view session_token) {
  RemoveHeader(request, "Authorization");
  RemoveHeader(request, "X-Amz-Date");
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  request.headers.emplace_back("X-Amz-Date", FormatAmzDate(now_s));
  if (!session_token.empty()) {
    RemoveHeader(request, "X-Amz-Security-Token");
    request.headers.emplace_back("X-Amz-Security-Token", std::string(session_token));
  }
  SigV4Request p;
  p.access_key_id = std::string(access_key_id);
  p.amz_date = FormatAmzDate(now_s);
  p.request_time = now_s;
  p.scope_date = p.amz_date.substr(0, 8);
  p.scope_region = std::string(region);
  p.scope_service = std::string(service);
  p.scope_terminator = std::string(kTerminator);
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLower(name);
    if (!IsUnsignedHeader(lower)) p.signed_headers.push_back(std::move(lower));
  }
  std::sort(p.signed_headers.begin(), p.signed_headers.end());
  p.signed_headers.erase(std::unique(p.signed_headers.begin(), p.signed_headers.end()),
                         p.signed_headers.end());
  std::string string_to_sign;
  std::string signature =
      ComputeSignature(p, SigningKeyCache::Global().Get(secret, p.scope_date, region, service),
                       CanonicalRequest(request, p), &string_to_sign);
  std::string signed_list;
  for (const std::string& name : p.signed_headers) {
    if (!signed_list.empty()) signed_list.push_back(';');
    signed_list.append(name);
  }
  request.headers.emplace_back(
      "Authorization", std::string(kAlgorithm) + " Credential=" + p.access_key_id + "/" +
                           p.scope_date + "/" + p.scope_region + "/" + p.scope_service + "/" +
                           p.scope_terminator + ", SignedHeaders=" + signed_list +
                           ", Signature=" + signature);
}

}  // namespace orgtwin::auth
