#include "repo/session_repository.h"

namespace orgtwin::repo {

Result<std::optional<SessionRow>> FindSession(store::Transaction& tx,
                                              std::string_view access_key_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT kind, role_id, role_name, session_name, "
                                          "user_name, session_policies, session_tags, "
                                          "source_identity, mfa_authenticated, "
                                          "mfa_authenticated_at, issued_at "
                                          "FROM sts_sessions WHERE access_key_id = ?",
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
  if (!r.IsNull(7)) s.source_identity = r.Text(7);
  s.mfa_authenticated = r.Int(8) != 0;
  if (!r.IsNull(9)) s.mfa_authenticated_at = r.Double(9);
  s.issued_at = r.Double(10);
  return std::optional<SessionRow>(std::move(s));
}

Result<std::string> AccessKeyUserName(store::Transaction& tx, std::string_view access_key_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT principal_name FROM access_keys "
                                          "WHERE access_key_id = ? AND principal_type = 'User'",
                                          {std::string(access_key_id)}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

}  // namespace orgtwin::repo
