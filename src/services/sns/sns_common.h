// File: services/sns/sns_common.h
//
// Internal to services/sns: SNS's wire errors (the codes of models/sns: NotFound 404,
// InvalidParameter 400, AuthorizationError 403) and the ARN helpers the handlers, the publisher
// and the delivery worker share.
//
// Thread-safety: stateless helpers.
#pragma once

#include <string>
#include <string_view>

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

// The account field of an SNS ARN ("arn:aws:sns:us-east-1:123456789012:t" -> "123456789012"),
// "" when `arn` has no such field.
inline std::string SnsArnAccount(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return "";
  return std::string(arn.substr(pos, end - pos));
}

// The topic ARN a subscription ARN belongs to (everything before its last ':'), or "".
inline std::string TopicOfSubscription(std::string_view subscription_arn) {
  size_t colon = subscription_arn.rfind(':');
  if (colon == std::string_view::npos || colon < 12) return "";
  return std::string(subscription_arn.substr(0, colon));
}

}  // namespace orgtwin::services::sns
