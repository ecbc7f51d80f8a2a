// File: repo/session_repository.h
//
// Credentials' tables (migrations 0001, 0004_sts_sessions.sql, 0005): the session row behind a
// temporary access key, and who owns a long-term key. Rows only; the credential store
// (services/identity) and STS write them.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// What an STS session carries for authorization (0004_sts_sessions.sql).
struct SessionRow {
  std::string kind;  // AssumeRole | GetSessionToken | GetFederationToken | ...
  std::string role_id;
  std::string role_name;
  std::string session_name;
  std::string user_name;         // the issuing IAM user (GetFederationToken, GetSessionToken)
  std::string session_policies;  // JSON array of documents
  std::string session_tags;      // JSON object key -> value
  std::string source_identity;   // "" when none
  bool mfa_authenticated = false;
  std::optional<double> mfa_authenticated_at;
  double issued_at = 0;
};

Result<std::optional<SessionRow>> FindSession(store::Transaction& tx,
                                              std::string_view access_key_id);
// The IAM user a long-term access key belongs to ("" for root keys and unknown keys).
Result<std::string> AccessKeyUserName(store::Transaction& tx, std::string_view access_key_id);

}  // namespace orgtwin::repo
