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
//   (InvalidClientTokenId is the caller's, after the key lookup).
//
// Thread-safety: free functions; SigningKeyCache is internally synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/http_message.h"
#include "common/status.h"

namespace orgtwin::auth {

struct SigV4Request {
  std::string access_key_id;
  std::string scope_date;     // "20261127"
  std::string scope_region;   // "us-east-1"
  std::string scope_service;  // "sts", "iam", "organizations", ...
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;      // lowercase hex
  std::string amz_date;       // X-Amz-Date (or Date header), "20261127T230744Z"
  TimePoint request_time;     // amz_date parsed
  bool presigned = false;     // signature came from the query string
  int64_t expires_seconds = 0;  // presigned: X-Amz-Expires
  std::optional<std::string> session_token;  // X-Amz-Security-Token, if present
};

// Extracts the SigV4 parts without checking the signature. Errors:
//  - no Authorization header and no X-Amz-Algorithm query parameter -> MissingAuthenticationToken
//  - a malformed Authorization header / credential scope / missing X-Amz-Date ->
//    IncompleteSignature (AWS's messages)
Result<SigV4Request> ParseSigV4(const HttpRequest& request);

// Which service the request says it is signed for, from the Authorization header or the
// X-Amz-Credential query parameter, without full parsing (used by routing). "" if none.
std::string_view PeekSigningService(const HttpRequest& request);

// Verifies the signature with `secret_access_key`. Checks the request time against `now`
// (±15 minutes -> RequestExpired with AWS's message; presigned: past X-Amz-Date + X-Amz-Expires
// -> AccessDenied/"Request has expired" as AWS does) and then the signature in constant time
// (SignatureDoesNotMatch with AWS's message).
Status VerifySigV4(const HttpRequest& request, const SigV4Request& parsed,
                   std::string_view secret_access_key, TimePoint now);

// Building blocks, exposed for tests, benchmarks and the load harness (which signs requests).
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
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
