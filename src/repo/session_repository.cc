#include "repo/session_repository.h"

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

using internal::Exec;

constexpr char kAccessKeyCols[] =
    "SELECT access_key_id, secret_access_key, account_id, principal_type, principal_name, "
    "status, session_token, expires_at, created_at, last_used_at, last_used_service, "
    "last_used_region FROM access_keys ";

AccessKeyRow ToAccessKey(const store::Row& r) {
  AccessKeyRow k;
  k.access_key_id = r.Text(0);
  k.secret_access_key = r.Text(1);
  k.account_id = r.Text(2);
  k.principal_type = r.Text(3);
  k.principal_name = r.Text(4);
  k.status = r.Text(5);
  if (!r.IsNull(6)) k.session_token = r.Text(6);
  if (!r.IsNull(7)) k.expires_at = r.Double(7);
  k.created_at = r.Double(8);
  if (!r.IsNull(9)) k.last_used_at = r.Double(9);
  k.last_used_service = r.Text(10);
  k.last_used_region = r.Text(11);
  return k;
}

}  // namespace

Result<std::optional<AccessKeyRow>> FindAccessKey(store::Transaction& tx,
                                                  std::string_view access_key_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kAccessKeyCols) + "WHERE access_key_id = ?",
                                          {std::string(access_key_id)}));
  if (rows.empty()) return std::optional<AccessKeyRow>();
  return std::optional<AccessKeyRow>(ToAccessKey(rows.front()));
}

Result<std::vector<AccessKeyRow>> AccessKeysOf(store::Transaction& tx, std::string_view account_id,
                                               std::string_view principal_type,
                                               std::string_view principal_name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kAccessKeyCols) +
                                              "WHERE account_id = ? AND principal_type = ? AND "
                                              "principal_name = ? ORDER BY created_at, "
                                              "access_key_id",
                                          {std::string(account_id), std::string(principal_type),
                                           std::string(principal_name)}));
  std::vector<AccessKeyRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToAccessKey(r));
  return out;
}

Result<int64_t> CountAccessKeys(store::Transaction& tx, std::string_view account_id,
                                std::string_view principal_type, std::string_view principal_name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM access_keys WHERE account_id = ? "
                                          "AND principal_type = ? AND principal_name = ?",
                                          {std::string(account_id), std::string(principal_type),
                                           std::string(principal_name)}));
  return rows.front().Int(0);
}

Result<std::string> AccessKeyUserName(store::Transaction& tx, std::string_view access_key_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT principal_name FROM access_keys "
                                          "WHERE access_key_id = ? AND principal_type = 'User'",
                                          {std::string(access_key_id)}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

Status InsertAccessKey(store::Transaction& tx, const AccessKeyRow& key) {
  store::Value token = std::monostate();
  if (key.session_token.has_value()) token = *key.session_token;
  store::Value expires = std::monostate();
  if (key.expires_at.has_value()) expires = *key.expires_at;
  return Exec(tx,
              "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, "
              "principal_type, principal_name, status, session_token, expires_at, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {key.access_key_id, key.secret_access_key, key.account_id, key.principal_type,
               key.principal_name, key.status, token, expires, key.created_at});
}

Status SetAccessKeyStatus(store::Transaction& tx, std::string_view access_key_id,
                          std::string_view status) {
  return Exec(tx, "UPDATE access_keys SET status = ? WHERE access_key_id = ?",
              {std::string(status), std::string(access_key_id)});
}

Status DeleteAccessKey(store::Transaction& tx, std::string_view access_key_id) {
  return Exec(tx, "DELETE FROM access_keys WHERE access_key_id = ?", {std::string(access_key_id)});
}

Status RenameAccessKeyUser(store::Transaction& tx, std::string_view account_id,
                           std::string_view old_name, std::string_view new_name) {
  return Exec(tx,
              "UPDATE access_keys SET principal_name = ? WHERE account_id = ? AND "
              "principal_type = 'User' AND principal_name = ?",
              {std::string(new_name), std::string(account_id), std::string(old_name)});
}

Status RecordAccessKeyUse(store::Transaction& tx, std::string_view access_key_id, double at,
                          std::string_view service, std::string_view region) {
  return Exec(tx,
              "UPDATE access_keys SET last_used_at = ?, last_used_service = ?, "
              "last_used_region = ? WHERE access_key_id = ?",
              {at, std::string(service), std::string(region), std::string(access_key_id)});
}

Result<std::optional<SessionRow>> FindSession(store::Transaction& tx,
                                              std::string_view access_key_id) {
  // The role's path comes with the session (LEFT JOIN: a deleted role leaves it NULL).
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT s.kind, s.role_id, s.role_name, s.session_name, s.user_name, "
               "s.session_policies, s.session_tags, s.transitive_tag_keys, s.source_identity, "
               "s.mfa_authenticated, s.mfa_authenticated_at, s.issued_at, s.expires_at, "
               "s.chained, r.path "
               "FROM sts_sessions s LEFT JOIN iam_roles r ON r.role_id = s.role_id "
               "WHERE s.access_key_id = ?",
               {std::string(access_key_id)}));
  if (rows.empty()) return std::optional<SessionRow>();
  const store::Row& r = rows.front();
  SessionRow s;
  s.kind = r.Text(0);
  s.role_id = r.Text(1);
  s.role_name = r.Text(2);
  s.session_name = r.Text(3);
  s.user_name = r.Text(4);
  s.session_policies = r.Text(5);
  s.session_tags = r.Text(6);
  s.transitive_tag_keys = r.Text(7);
  if (!r.IsNull(8)) s.source_identity = r.Text(8);
  s.mfa_authenticated = r.Int(9) != 0;
  if (!r.IsNull(10)) s.mfa_authenticated_at = r.Double(10);
  s.issued_at = r.Double(11);
  s.expires_at = r.Double(12);
  s.chained = r.Int(13) != 0;
  if (!r.IsNull(14)) s.role_path = r.Text(14);
  return std::optional<SessionRow>(std::move(s));
}

Status InsertSession(store::Transaction& tx, std::string_view access_key_id,
                     std::string_view account_id, const SessionRow& session) {
  auto text_or_null = [](const std::string& v) -> store::Value {
    if (v.empty()) return std::monostate();
    return v;
  };
  store::Value mfa_at = std::monostate();
  if (session.mfa_authenticated_at.has_value()) mfa_at = *session.mfa_authenticated_at;
  // user_name is '' rather than NULL for a root GetSessionToken session (the column's meaning).
  store::Value user_name = session.kind == "SessionToken" ? store::Value(session.user_name)
                                                          : text_or_null(session.user_name);
  return internal::Exec(
      tx,
      "INSERT INTO sts_sessions (access_key_id, account_id, kind, role_id, role_name, "
      "session_name, user_name, session_policies, session_tags, transitive_tag_keys, "
      "source_identity, mfa_authenticated, mfa_authenticated_at, issued_at, expires_at, chained) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {std::string(access_key_id), std::string(account_id), session.kind,
       text_or_null(session.role_id), text_or_null(session.role_name),
       text_or_null(session.session_name), user_name, session.session_policies,
       session.session_tags, session.transitive_tag_keys, text_or_null(session.source_identity),
       int64_t{session.mfa_authenticated ? 1 : 0}, mfa_at, session.issued_at, session.expires_at,
       int64_t{session.chained ? 1 : 0}});
}

}  // namespace orgtwin::repo
