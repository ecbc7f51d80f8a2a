// File: repo/session_repository.h
//
// Credentials' tables (migrations 0001, 0004_sts_sessions.sql, 0005, 0006): the access keys of
// root users, IAM users and STS sessions, and the session row behind a temporary key. The
// credential store (services/identity) owns access_keys and STS owns sts_sessions; IAM's
// access-key operations and reports, STS (issuing keys, GetAccessKeyInfo) and the authorizer
// read and write those rows through these functions, so each statement is written once.
//
// A repository knows SQL and rows, nothing of the wire: no AWS errors, no JSON (the JSON columns
// of a session are passed through as text). Every function takes the caller's open Transaction;
// none commits. The SQL is the portable subset SQLite and PostgreSQL share.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// ---- access_keys (0001, last use 0006) ----

// A row of access_keys. principal_type: Root | User | AssumedRole | SessionToken |
// FederatedUser; principal_name the user name ("" for root), or "role/session" for sessions.
struct AccessKeyRow {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string principal_type;
  std::string principal_name;
  std::string status = "Active";             // Active | Inactive
  std::optional<std::string> session_token;  // temporary credentials only
  std::optional<double> expires_at;          // temporary credentials only
  double created_at = 0;
  std::optional<double> last_used_at;  // written by the credential store's flusher
  std::string last_used_service;
  std::string last_used_region;
};

Result<std::optional<AccessKeyRow>> FindAccessKey(store::Transaction& tx,
                                                  std::string_view access_key_id);
// The keys of one principal of `account_id`, oldest first (creation time, then key ID).
Result<std::vector<AccessKeyRow>> AccessKeysOf(store::Transaction& tx, std::string_view account_id,
                                               std::string_view principal_type,
                                               std::string_view principal_name);
Result<int64_t> CountAccessKeys(store::Transaction& tx, std::string_view account_id,
                                std::string_view principal_type, std::string_view principal_name);
// The IAM user a long-term access key belongs to ("" for root keys and unknown keys).
Result<std::string> AccessKeyUserName(store::Transaction& tx, std::string_view access_key_id);

// Inserts `key` (its last-use columns are left unset).
Status InsertAccessKey(store::Transaction& tx, const AccessKeyRow& key);
Status SetAccessKeyStatus(store::Transaction& tx, std::string_view access_key_id,
                          std::string_view status);
Status DeleteAccessKey(store::Transaction& tx, std::string_view access_key_id);
// The keys of IAM user `old_name` of `account_id` follow its rename to `new_name`.
Status RenameAccessKeyUser(store::Transaction& tx, std::string_view account_id,
                           std::string_view old_name, std::string_view new_name);
// Where and when the key was last used; a key deleted meanwhile updates no row.
Status RecordAccessKeyUse(store::Transaction& tx, std::string_view access_key_id, double at,
                          std::string_view service, std::string_view region);

// ---- sts_sessions (0004) ----

// What an STS session carries for authentication and authorization.
struct SessionRow {
  // AssumedRole | SessionToken | FederatedUser | ConsoleSession (a console sign-in, root or
  // IAM user) | RootSession (AssumeRoot: a member account's root, scoped by a task policy)
  std::string kind;
  std::string role_id;
  std::string role_name;
  std::string session_name;
  std::string user_name;            // the issuing IAM user (GetFederationToken, GetSessionToken)
  std::string session_policies;     // JSON array of documents
  std::string session_tags;         // JSON object key -> value
  std::string transitive_tag_keys;  // JSON array of keys
  std::string source_identity;      // "" when none
  bool mfa_authenticated = false;
  std::optional<double> mfa_authenticated_at;
  double issued_at = 0;
  double expires_at = 0;
  bool chained = false;  // issued to a role session (role chaining)
  // The path of the session's role while the role exists (a deleted role keeps its sessions).
  std::optional<std::string> role_path;
};

Result<std::optional<SessionRow>> FindSession(store::Transaction& tx,
                                              std::string_view access_key_id);
// Inserts the session behind temporary key `access_key_id` of `account_id` (role_path unused).
Status InsertSession(store::Transaction& tx, std::string_view access_key_id,
                     std::string_view account_id, const SessionRow& session);

}  // namespace orgtwin::repo
