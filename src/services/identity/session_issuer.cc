#include "services/identity/session_issuer.h"

#include <cmath>

#include "repo/session_repository.h"
#include "services/identity/session_token.h"

namespace orgtwin::services {
namespace {

std::string JsonStrings(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return boost::json::serialize(out);
}

// session_tags is a JSON object key -> value (0004_sts_sessions.sql; the authorizer reads it).
std::string JsonTags(const std::vector<std::pair<std::string, std::string>>& pairs) {
  boost::json::object out;
  for (const auto& [k, v] : pairs) out[k] = v;
  return boost::json::serialize(out);
}

}  // namespace

Result<TemporaryCredentials> IssueTemporaryCredentials(store::Transaction& tx, IdGenerator& ids,
                                                       TimePoint now, const SessionGrant& grant,
                                                       int64_t duration_seconds) {
  TemporaryCredentials issued;
  issued.access_key_id = ids.UniqueId("ASIA");
  issued.secret_access_key = ids.SecretAccessKey();
  issued.session_token = NewSessionToken(ids);
  // AWS-COMPAT: Expiration has whole seconds.
  double issued_at = std::floor(ToEpochSeconds(now));
  issued.expires_at = issued_at + static_cast<double>(duration_seconds);
  repo::AccessKeyRow key;
  key.access_key_id = issued.access_key_id;
  key.secret_access_key = issued.secret_access_key;
  key.account_id = grant.account_id;
  key.principal_type = grant.kind;
  key.principal_name = grant.principal_name;
  // The seed stands for the token (session_token.h).
  key.session_token = issued.session_token.substr(0, kSessionTokenSeedChars);
  key.expires_at = issued.expires_at;
  key.created_at = issued_at;
  OT_RETURN_IF_ERROR(repo::InsertAccessKey(tx, key));
  repo::SessionRow session;
  session.kind = grant.kind;
  session.role_id = grant.role_id;
  session.role_name = grant.role_name;
  session.session_name = grant.session_name;
  session.user_name = grant.user_name;
  session.session_policies = JsonStrings(grant.session_policies);
  session.session_tags = JsonTags(grant.tags);
  session.transitive_tag_keys = JsonStrings(grant.transitive_tag_keys);
  session.source_identity = grant.source_identity;
  session.mfa_authenticated = grant.mfa_at.has_value();
  if (grant.mfa_at.has_value()) session.mfa_authenticated_at = ToEpochSeconds(*grant.mfa_at);
  session.issued_at = issued_at;
  session.expires_at = issued.expires_at;
  session.chained = grant.chained;
  OT_RETURN_IF_ERROR(repo::InsertSession(tx, issued.access_key_id, grant.account_id, session));
  return issued;
}

boost::json::object CredentialsObject(const TemporaryCredentials& credentials) {
  return boost::json::object{{"AccessKeyId", credentials.access_key_id},
                             {"SecretAccessKey", credentials.secret_access_key},
                             {"SessionToken", credentials.session_token},
                             {"Expiration", credentials.expires_at}};
}

}  // namespace orgtwin::services
