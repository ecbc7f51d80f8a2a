// File: auth/principal.h
//
// Principal: who is making a request, once its signature has been verified. Every later layer
// (authorization, handlers, the audit trail) reads the caller from here.
//
// Thread-safety: a value.
#pragma once

#include <string>

#include "common/clock.h"

namespace orgtwin::auth {

// Matches the `userIdentity.type` values of CloudTrail and aws:PrincipalType.
enum class PrincipalType { kRoot, kUser, kAssumedRole, kFederatedUser, kAnonymous };

struct Principal {
  PrincipalType type = PrincipalType::kAnonymous;
  std::string account_id;
  // IAM ARN: arn:aws:iam::A:root, arn:aws:iam::A:user/path/name,
  // arn:aws:sts::A:assumed-role/role/session, arn:aws:sts::A:federated-user/name.
  std::string arn;
  // aws:userid: the account ID for root, AIDA... for users, AROA...:session for role sessions.
  std::string user_id;
  std::string name;          // user name, role name or federated user name ("" for root)
  std::string session_name;  // role sessions only
  std::string access_key_id;
  bool temporary = false;  // credentials from STS (ASIA...)
  bool mfa_authenticated = false;
  TimePoint token_issue_time{};  // temporary credentials only
};

inline const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kRoot:
      return "Root";
    case PrincipalType::kUser:
      return "IAMUser";
    case PrincipalType::kAssumedRole:
      return "AssumedRole";
    case PrincipalType::kFederatedUser:
      return "FederatedUser";
    case PrincipalType::kAnonymous:
      return "AWSAccount";
  }
  return "Unknown";
}

inline std::string RootArn(const std::string& account_id) {
  return "arn:aws:iam::" + account_id + ":root";
}

}  // namespace orgtwin::auth
