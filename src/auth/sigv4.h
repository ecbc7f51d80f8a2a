// File: auth/sigv4.h
//
// AWS Signature Version 4 verification, in the Authorization header and as a presigned query
// string, with OpenSSL's SHA-256/HMAC. Parsing is split from verification so the caller can look
// up the secret for the access key in between:
//
//   HttpRequest --ParseSigV4()--> SigV4Request{access key, scope, signed headers, signature}
//     caller: access key -> secret (or InvalidClientTokenId)
//   --VerifySigV4(secret, now)--> ok | SignatureDoesNotMatch | RequestExpired
//
// Errors are Status values with aws_code() set to the AWS error code and message() to AWS's text:
//   MissingAuthenticationToken, IncompleteSignature, SignatureDoesNotMatch, RequestExpired,
//   (InvalidClientTokenId is the caller's, after the key lookup). The codes are the Query
//   protocol's (STS, IAM); JSON services name two of them differently on the wire
//   (MissingAuthenticationTokenException, InvalidSignatureException) -- see JsonProtocolAuthCode.
//
// Thread-safety: free functions; SigningKeyCache is internally synchronized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/http_message.h"
#include "common/status.h"

namespace orgtwin::auth {

struct SigV4Request {
  std::string access_key_id;
  std::string scope_date;                    // "20261127"
  std::string scope_region;                  // "us-east-1"
  std::string scope_service;                 // "sts", "iam", "organizations", ...
  std::string scope_terminator;              // "aws4_request" (checked by VerifySigV4)
  std::vector<std::string> signed_headers;   // lowercase, as listed
  std::string signature;                     // lowercase hex
  std::string amz_date;                      // X-Amz-Date (or Date header), "20261127T230744Z"
  TimePoint request_time;                    // amz_date parsed
  bool presigned = false;                    // signature came from the query string
  int64_t expires_seconds = 0;               // presigned: X-Amz-Expires
  std::optional<std::string> session_token;  // X-Amz-Security-Token, if present
};

// Extracts the SigV4 parts without checking the signature. Errors:
//  - no Authorization header and no X-Amz-Algorithm query parameter, or an Authorization header
//    that is not AWS4-* -> MissingAuthenticationToken (kUnauthenticated)
//  - a malformed Authorization header / presigned query / credential / date, or an unsupported
//    algorithm -> IncompleteSignature (kInvalidInput, AWS's messages)
//  - both an Authorization header and X-Amz-Algorithm, or 'host' not signed ->
//    SignatureDoesNotMatch (kUnauthenticated)
Result<SigV4Request> ParseSigV4(const HttpRequest& request);

// Checks the credential scope against what the endpoint serves: `expected_service` ("sts") and,
// when non-empty, `expected_region`. SignatureDoesNotMatch with AWS's "Credential should be
// scoped ..." messages. VerifySigV4 checks the scope's form (terminator, date, region shape) but
// not these, since only the router knows which service and region the request reached.
Status CheckCredentialScope(const SigV4Request& parsed, std::string_view expected_service,
                            std::string_view expected_region = {});

// Which service the request says it is signed for, from the Authorization header or the
// X-Amz-Credential query parameter, without full parsing (used by routing). "" if none.
std::string_view PeekSigningService(const HttpRequest& request);

// Verifies the signature with `secret_access_key`. Checks the request time against `now`
// (outside ±15 minutes -> SignatureDoesNotMatch "Signature expired: ..." / "Signature not yet
// current: ...", which is what STS answers; presigned: past X-Amz-Date + X-Amz-Expires ->
// RequestExpired "Request has expired."), the credential scope's form, and then the signature in
// constant time (SignatureDoesNotMatch with AWS's message). All errors are kUnauthenticated.
// Signing keys come from SigningKeyCache::Global().
Status VerifySigV4(const HttpRequest& request, const SigV4Request& parsed,
                   std::string_view secret_access_key, TimePoint now);

// The wire code a JSON-protocol service (Organizations, Account) uses for `query_code`, e.g.
// "SignatureDoesNotMatch" -> "InvalidSignatureException"; other codes are returned unchanged.
std::string_view JsonProtocolAuthCode(std::string_view query_code);

// Derived SigV4 signing keys, keyed by (secret, date, region, service). A hot-path cache: a hit
// saves the four chained HMACs of DeriveSigningKey on every request from the same credentials on
// the same day. Bounded: cleared wholesale when full (keys are re-derived cheaply).
// Thread-safety: all methods may be called concurrently.
class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 4096) : capacity_(capacity) {}
  // The 32-byte signing key, derived on a miss.
  std::string Get(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);
  size_t size() const;
  static SigningKeyCache& Global();

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> keys_;  // GUARDED_BY(mutex_)
};

// Building blocks, exposed for tests, benchmarks and the load harness (which signs requests).
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);                        // lowercase
// SigV4 URI encoding: everything but A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`) as %XX.
std::string UriEncode(std::string_view text, bool keep_slash);
// The canonical request. The payload hash is the X-Amz-Content-Sha256 header when present, else
// UNSIGNED-PAYLOAD for presigned S3, else the hex SHA-256 of the body.
std::string CanonicalRequest(const HttpRequest& request, const SigV4Request& parsed);
std::string StringToSign(const SigV4Request& parsed, std::string_view canonical_request);
std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service);

// Signs `request` in place with an Authorization header (adds X-Amz-Date, and
// X-Amz-Security-Token when `session_token` is non-empty). For clients: the load harness, tests.
void SignRequest(HttpRequest& request, std::string_view access_key_id, std::string_view secret,
                 std::string_view region, std::string_view service, TimePoint now,
                 std::string_view session_token = {});

}  // namespace orgtwin::auth
