#include "services/identity/credential_store.h"

#include <mutex>

namespace orgtwin::services {

auth::Principal PrincipalFor(const std::string& account_id, const std::string& principal_type,
                             const std::string& principal_name, const std::string& access_key_id) {
  auth::Principal p;
  p.account_id = account_id;
  p.access_key_id = access_key_id;
  if (principal_type == "Root") {
    p.type = auth::PrincipalType::kRoot;
    p.arn = auth::RootArn(account_id);
    p.user_id = account_id;
  } else if (principal_type == "User") {
    p.type = auth::PrincipalType::kUser;
    p.name = principal_name;
    p.arn = "arn:aws:iam::" + account_id + ":user/" + principal_name;
  } else if (principal_type == "AssumedRole") {
    p.type = auth::PrincipalType::kAssumedRole;
    p.temporary = true;
    auto slash = principal_name.find('/');
    p.name = principal_name.substr(0, slash);
    if (slash != std::string::npos) p.session_name = principal_name.substr(slash + 1);
    p.arn = "arn:aws:sts::" + account_id + ":assumed-role/" + principal_name;
  } else if (principal_type == "FederatedUser") {
    p.type = auth::PrincipalType::kFederatedUser;
    p.temporary = true;
    p.name = principal_name;
    p.arn = "arn:aws:sts::" + account_id + ":federated-user/" + principal_name;
    p.user_id = account_id + ":" + principal_name;
  }
  return p;
}

Result<std::optional<Credential>> CredentialStore::Lookup(std::string_view access_key_id) {
  {
    std::shared_lock lock(mutex_);
    auto it = cache_.find(std::string(access_key_id));
    if (it != cache_.end()) return std::optional<Credential>(it->second);
  }
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  OT_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT secret_access_key, account_id, principal_type, "
                                           "principal_name, status, session_token, expires_at "
                                           "FROM access_keys WHERE access_key_id = ?",
                                           {std::string(access_key_id)}));
  if (rows.empty()) return std::optional<Credential>();
  const store::Row& row = rows.front();
  Credential credential;
  credential.access_key_id = std::string(access_key_id);
  credential.secret_access_key = row.Text(0);
  credential.active = row.Text(4) == "Active";
  credential.session_token = row.Text(5);
  if (!row.IsNull(6)) {
    credential.expires_at =
        TimePoint(std::chrono::microseconds(static_cast<int64_t>(row.Double(6) * 1e6)));
  }
  credential.principal =
      PrincipalFor(row.Text(1), row.Text(2), row.Text(3), credential.access_key_id);
  std::unique_lock lock(mutex_);
  cache_[credential.access_key_id] = credential;
  return std::optional<Credential>(std::move(credential));
}

Status CredentialStore::InsertRootAccessKey(store::Transaction& tx, const Clock& clock,
                                            const std::string& account_id,
                                            const std::string& access_key_id,
                                            const std::string& secret) {
  OT_ASSIGN_OR_RETURN(
      [[maybe_unused]] int64_t changed,
      tx.Execute("INSERT INTO access_keys (access_key_id, secret_access_key, account_id, "
                 "principal_type, principal_name, status, created_at) "
                 "VALUES (?, ?, ?, 'Root', '', 'Active', ?)",
                 {access_key_id, secret, account_id, ToEpochSeconds(clock.Now())}));
  return Status::Ok();
}

Result<Credential> CredentialStore::CreateRootAccessKey(store::Transaction& tx, IdGenerator& ids,
                                                        const Clock& clock,
                                                        const std::string& account_id) {
  Credential credential;
  credential.access_key_id = ids.UniqueId("AKIA");
  credential.secret_access_key = ids.SecretAccessKey();
  OT_RETURN_IF_ERROR(InsertRootAccessKey(tx, clock, account_id, credential.access_key_id,
                                         credential.secret_access_key));
  credential.principal = PrincipalFor(account_id, "Root", "", credential.access_key_id);
  return credential;
}

void CredentialStore::Invalidate() {
  std::unique_lock lock(mutex_);
  cache_.clear();
}

void CredentialStore::Invalidate(std::string_view access_key_id) {
  std::unique_lock lock(mutex_);
  cache_.erase(std::string(access_key_id));
}

}  // namespace orgtwin::services
