// File: auth/principal.h
//
// Principal: who is making a request, once its signature has been verified. Every later layer
// (authorization, handlers, the audit trail) reads the caller from here.
//
// Thread-safety: a value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace orgtwin::auth {

// Matches the `userIdentity.type` values of CloudTrail and aws:PrincipalType.
enum class PrincipalType { kRoot, kUser, kAssumedRole, kFederatedUser, kAnonymous };

// Which STS operation issued temporary credentials. AWS restricts what each kind may call
// regardless of policy (services/identity/credential_store.h: CheckTemporaryCredentialScope).
enum class SessionKind {
  kAssumedRole,      // AssumeRole (and the WebIdentity/SAML variants)
  kSessionToken,     // GetSessionToken: IAM only with MFA; STS only AssumeRole, GetCallerIdentity
  kFederationToken,  // GetFederationToken: no IAM; STS only GetCallerIdentity
  kConsole,          // a console sign-in (root or IAM user): what the user itself may do
  kRootSession,      // AssumeRoot: a member account's root, limited by its task policy
};

// What STS recorded when it issued temporary credentials (table sts_sessions). Immutable once
// built and shared between the copies of a Principal, so copying a Principal stays cheap.
struct SessionInfo {
  SessionKind kind = SessionKind::kAssumedRole;
  std::string role_id;   // AssumedRole: AROA...
  std::string role_arn;  // AssumedRole: arn:aws:iam::A:role/<path><name> (aws:PrincipalArn)
  // Session policies (inline Policy + the documents of PolicyArns, resolved at issue time).
  // `has_session_policies` is true when any was passed: the session layer of the evaluation
  // applies (a federated-user session without one gets nothing).
  std::vector<std::string> session_policies;
  bool has_session_policies = false;
  // Session tags (aws:PrincipalTag/K; a session tag overrides a role tag with the same key),
  // as stored (a JSON object in sts_sessions), inherited transitive tags included.
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;   // carried into chained sessions
  std::string source_identity;                    // sts:SourceIdentity ("" when unset)
  std::optional<TimePoint> mfa_authenticated_at;  // for aws:MultiFactorAuthAge
  TimePoint expires_at{};
  bool chained = false;  // issued to a role session (role chaining)
};

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
  // The partition of the principal's account (common/partition.h): its keys work only there.
  std::string partition = "aws";
  bool temporary = false;  // credentials from STS (ASIA...)
  // aws:MultiFactorAuthPresent: true only for temporary credentials issued with a valid MFA code
  // (AWS-COMPAT: the key is absent for long-term keys -- the authorizer sets it only when
  // `temporary`).
  bool mfa_authenticated = false;
  TimePoint token_issue_time{};  // temporary credentials only (aws:TokenIssueTime)
  // Temporary credentials only: what STS recorded at issue time; null for long-term keys.
  std::shared_ptr<const SessionInfo> session;
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
