// File: common/arn.h
//
// The fields of an Amazon Resource Name, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (the
// resource may itself hold ':' and '/'). Who reads them: the gateway (the account a request's
// resource belongs to), the audit trail (the accounts and resources an event names), SNS (a
// topic's owner).
//
// Thread-safety: pure functions; the views point into the caller's string.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace orgtwin {

struct ArnParts {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;
};

// The fields of `arn`; nullopt when it does not start with "arn:" or has fewer than six fields.
inline std::optional<ArnParts> SplitArn(std::string_view arn) {
  if (arn.substr(0, 4) != "arn:") return std::nullopt;
  std::array<std::string_view, 4> fields;
  size_t pos = 4;
  for (std::string_view& field : fields) {
    size_t colon = arn.find(':', pos);
    if (colon == std::string_view::npos) return std::nullopt;
    field = arn.substr(pos, colon - pos);
    pos = colon + 1;
  }
  return ArnParts{fields[0], fields[1], fields[2], fields[3], arn.substr(pos)};
}

// The account field of `arn` ("arn:aws:iam::123456789012:role/x" -> "123456789012"); "" when
// `arn` is not an ARN.
inline std::string ArnAccount(std::string_view arn) {
  std::optional<ArnParts> parts = SplitArn(arn);
  return parts.has_value() ? std::string(parts->account) : std::string();
}

}  // namespace orgtwin
