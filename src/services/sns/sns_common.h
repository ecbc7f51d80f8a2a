// File: services/sns/sns_common.h
//
// Internal to services/sns: SNS's wire errors (the codes of models/sns: NotFound 404,
// InvalidParameter 400, AuthorizationError 403) and the ARN helpers the handlers, the publisher
// and the delivery worker share.
//
// Thread-safety: stateless helpers.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/arn.h"
#include "common/status.h"

namespace orgtwin::services::sns {

inline Status SnsNotFound(std::string message) {
  return NotFoundError(std::move(message)).WithAwsCode("NotFound");
}
inline Status TopicNotFound() { return SnsNotFound("Topic does not exist"); }
// "Invalid parameter: <what>", AWS's form.
inline Status InvalidParameter(std::string_view what) {
  return InvalidInputError("Invalid parameter: " + std::string(what))
      .WithAwsCode("InvalidParameter");
}
inline Status SnsAuthorizationError(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("AuthorizationError");
}

// A topic's or subscription's attributes as stored (a JSON object of strings); {} when unreadable.
inline std::map<std::string, std::string> ParseAttributes(const std::string& text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return out;
  for (const auto& kv : parsed.get_object()) {
    if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
  }
  return out;
}

// The account field of an SNS ARN ("arn:aws:sns:us-east-1:123456789012:t" -> "123456789012"),
// "" when `arn` has no such field.
inline std::string SnsArnAccount(std::string_view arn) { return ArnAccount(arn); }

// The topic ARN a subscription ARN belongs to (everything before its last ':'), or "".
inline std::string TopicOfSubscription(std::string_view subscription_arn) {
  size_t colon = subscription_arn.rfind(':');
  if (colon == std::string_view::npos || colon < 12) return "";
  return std::string(subscription_arn.substr(0, colon));
}

}  // namespace orgtwin::services::sns
