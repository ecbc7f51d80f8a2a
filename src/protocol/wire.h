// File: protocol/wire.h
//
// Small helpers every wire protocol needs: UTF-8 length (AWS length constraints count
// characters), lowerCamel member paths for validation messages, percent-decoding and
// query-string splitting, base64 checks, and timestamp conversion between the neutral form
// (seconds since the epoch) and the protocols' text forms.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

namespace orgtwin::protocol::wire {

// Number of Unicode code points in `text` (invalid bytes count as one each).
size_t Utf8Length(std::string_view text);

// "RoleName" -> "roleName" (Coral/AWS validation messages name members this way).
std::string LowerCamel(std::string_view name);

// Percent-decodes `text`; '+' becomes ' ' when `plus_is_space` (form encoding). Returns nullopt
// on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=2" into decoded pairs in order; malformed escapes are kept verbatim.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query,
                                                                  bool plus_is_space);

// True when `text` is canonical or unpadded standard base64.
bool IsBase64(std::string_view text);

// Neutral timestamp (number of epoch seconds, or an ISO 8601 / SigV4 string) -> epoch seconds.
std::optional<double> ToEpochSeconds(const boost::json::value& value);

// Epoch seconds as the JSON value AWS writes: an integer when whole, else a double.
boost::json::value EpochSecondsJson(double seconds);

// The service from a SigV4 credential scope, found in the Authorization header
// ("Credential=AKID/20260101/us-east-1/iam/aws4_request") or an X-Amz-Credential value;
// "" when absent.
std::string_view CredentialScopeService(std::string_view credential_or_authorization);

}  // namespace orgtwin::protocol::wire
