// File: services/identity/session_issuer.h
//
// Issues temporary credentials (ASIA...): the access key in access_keys and the session behind
// it in sts_sessions, in the caller's transaction. STS (AssumeRole, GetSessionToken,
// GetFederationToken, AssumeRoot) and the console sign-in all issue through here, so a session
// is written one way whoever makes it; the credential store reads it back into a Principal.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace orgtwin::services {

// What a new session is.
struct SessionGrant {
  std::string account_id;
  // sts_sessions.kind / access_keys.principal_type: AssumedRole | SessionToken | FederatedUser |
  // ConsoleSession | RootSession.
  std::string kind;
  std::string principal_name;  // access_keys.principal_name: user name, "role/session", ...
  std::string role_id, role_name, session_name, user_name;
  bool chained = false;  // issued to a role session
  std::vector<std::string> session_policies;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string source_identity;
  std::optional<TimePoint> mfa_at;  // when MFA was used; aws:MultiFactorAuthAge counts from it
};

struct TemporaryCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  double expires_at = 0;  // epoch seconds, whole
};

// Writes a session of `duration_seconds` from `now`.
Result<TemporaryCredentials> IssueTemporaryCredentials(store::Transaction& tx, IdGenerator& ids,
                                                       TimePoint now, const SessionGrant& grant,
                                                       int64_t duration_seconds);

// The STS `Credentials` shape: {AccessKeyId, SecretAccessKey, SessionToken, Expiration}.
boost::json::object CredentialsObject(const TemporaryCredentials& credentials);

}  // namespace orgtwin::services
