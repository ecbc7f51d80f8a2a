#include "services/identity/credential_store.h"

#include <mutex>

#include <boost/json.hpp>

#include "common/log.h"
#include "repo/account_repository.h"
#include "repo/iam_repository.h"
#include "repo/session_repository.h"
#include "services/identity/session_token.h"

namespace orgtwin::services {
namespace {

TimePoint FromEpochSeconds(double seconds) {
  return TimePoint(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
}

// Parses a JSON column written by STS; a malformed value (never written by us) reads as empty.
boost::json::value ParseColumn(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  return ec ? boost::json::value() : v;
}

// Fills the user's unique ID and path-qualified ARN. False when the user no longer exists.
Result<bool> FillUser(store::Transaction& tx, auth::Principal& p) {
  OT_ASSIGN_OR_RETURN(std::optional<repo::UserRow> user, repo::FindUser(tx, p.account_id, p.name));
  if (!user.has_value()) return false;
  p.user_id = user->user_id;
  p.name = user->name;
  p.arn = user->Arn();
  return true;
}

// Joins the sts_sessions row of a temporary key into `p`.
Status FillSession(store::Transaction& tx, const std::string& access_key_id, auth::Principal& p) {
  OT_ASSIGN_OR_RETURN(std::optional<repo::SessionRow> row, repo::FindSession(tx, access_key_id));
  auto info = std::make_shared<auth::SessionInfo>();
  p.temporary = true;
  if (!row.has_value()) {
    p.session = std::move(info);
    return Status::Ok();
  }
  const repo::SessionRow& r = *row;
  info->kind = r.kind == "SessionToken"     ? auth::SessionKind::kSessionToken
               : r.kind == "FederatedUser"  ? auth::SessionKind::kFederationToken
               : r.kind == "ConsoleSession" ? auth::SessionKind::kConsole
               : r.kind == "RootSession"    ? auth::SessionKind::kRootSession
                                            : auth::SessionKind::kAssumedRole;
  info->role_id = r.role_id;
  if (info->kind == auth::SessionKind::kAssumedRole) {
    // A deleted role keeps its sessions alive (they then fail authorization); its path is gone.
    info->role_arn = repo::IamArn(p.account_id, "role", r.role_path.value_or("/"), r.role_name);
    p.user_id = info->role_id + ":" + r.session_name;
  }
  boost::json::value policies = ParseColumn(r.session_policies);
  if (policies.is_array()) {
    info->has_session_policies = !policies.as_array().empty();
    for (const auto& doc : policies.as_array()) {
      if (doc.is_string()) info->session_policies.emplace_back(doc.as_string());
    }
  }
  boost::json::value tags = ParseColumn(r.session_tags);
  if (tags.is_object()) {
    for (const auto& kv : tags.as_object()) {
      if (kv.value().is_string()) {
        info->tags.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
      }
    }
  }
  boost::json::value transitive = ParseColumn(r.transitive_tag_keys);
  if (transitive.is_array()) {
    for (const auto& key : transitive.as_array()) {
      if (key.is_string()) info->transitive_tag_keys.emplace_back(key.as_string());
    }
  }
  info->source_identity = r.source_identity;
  p.mfa_authenticated = r.mfa_authenticated;
  if (r.mfa_authenticated_at.has_value()) {
    info->mfa_authenticated_at = FromEpochSeconds(*r.mfa_authenticated_at);
  }
  p.token_issue_time = FromEpochSeconds(r.issued_at);
  info->expires_at = FromEpochSeconds(r.expires_at);
  info->chained = r.chained;
  p.session = std::move(info);
  return Status::Ok();
}

}  // namespace

auth::Principal PrincipalFor(const std::string& account_id, const std::string& principal_type,
                             const std::string& principal_name, const std::string& access_key_id) {
  auth::Principal p;
  p.account_id = account_id;
  p.access_key_id = access_key_id;
  // Sessions of a user or of root (GetSessionToken, console sign-in) act as that user or root;
  // an AssumeRoot session is the member account's root.
  const bool user_session = principal_type == "SessionToken" || principal_type == "ConsoleSession";
  if (principal_type == "Root" || principal_type == "RootSession" ||
      (user_session && principal_name.empty())) {
    p.type = auth::PrincipalType::kRoot;
    p.arn = auth::RootArn(account_id);
    p.user_id = account_id;
  } else if (principal_type == "User" || user_session) {
    p.type = auth::PrincipalType::kUser;
    p.name = principal_name;
    p.arn = "arn:aws:iam::" + account_id + ":user/" + principal_name;
  } else if (principal_type == "AssumedRole") {
    p.type = auth::PrincipalType::kAssumedRole;
    auto slash = principal_name.find('/');
    p.name = principal_name.substr(0, slash);
    if (slash != std::string::npos) p.session_name = principal_name.substr(slash + 1);
    p.arn = "arn:aws:sts::" + account_id + ":assumed-role/" + principal_name;
  } else if (principal_type == "FederatedUser") {
    p.type = auth::PrincipalType::kFederatedUser;
    p.name = principal_name;
    p.arn = "arn:aws:sts::" + account_id + ":federated-user/" + principal_name;
    p.user_id = account_id + ":" + principal_name;
  }
  p.temporary = user_session || principal_type == "AssumedRole" ||
                principal_type == "FederatedUser" || principal_type == "RootSession";
  return p;
}

CredentialStore::~CredentialStore() {  // NOLINT(bugprone-exception-escape): see the header
  {
    std::lock_guard lock(usage_mutex_);
    stopping_ = true;
  }
  usage_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Status flushed = FlushUsage();
  if (!flushed.ok()) Log(LogLevel::kWarn, "access key usage not saved: " + flushed.ToString());
}

Result<std::optional<Credential>> CredentialStore::Lookup(std::string_view access_key_id) {
  {
    std::shared_lock lock(mutex_);
    auto it = cache_.find(std::string(access_key_id));
    if (it != cache_.end()) return std::optional<Credential>(it->second);
  }
  // What is read below is cached only if no invalidation came in between: a read that began
  // before a key was deleted must not put the key back after its invalidation.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccessKeyRow> key,
                      repo::FindAccessKey(*tx, access_key_id));
  if (!key.has_value()) return std::optional<Credential>();
  Credential credential;
  credential.access_key_id = std::string(access_key_id);
  credential.secret_access_key = key->secret_access_key;
  credential.active = key->status == "Active";
  credential.session_token = SessionTokenOfStored(key->session_token.value_or(""));
  if (key->expires_at.has_value()) credential.expires_at = FromEpochSeconds(*key->expires_at);
  credential.principal = PrincipalFor(key->account_id, key->principal_type, key->principal_name,
                                      credential.access_key_id);
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccountRow> account,
                      repo::FindAccount(*tx, key->account_id));
  if (account.has_value()) credential.principal.partition = account->aws_partition;
  if (credential.principal.type == auth::PrincipalType::kUser) {
    OT_ASSIGN_OR_RETURN(bool exists, FillUser(*tx, credential.principal));
    // A key whose user is gone authenticates nobody (IAM deletes keys with the user).
    if (!exists) return std::optional<Credential>();
  }
  if (credential.principal.temporary) {
    OT_RETURN_IF_ERROR(FillSession(*tx, credential.access_key_id, credential.principal));
  }
  std::unique_lock lock(mutex_);
  if (generation_.load(std::memory_order_acquire) == generation) {
    cache_[credential.access_key_id] = credential;
  }
  return std::optional<Credential>(std::move(credential));
}

Status CredentialStore::InsertRootAccessKey(store::Transaction& tx, const Clock& clock,
                                            const std::string& account_id,
                                            const std::string& access_key_id,
                                            const std::string& secret) {
  repo::AccessKeyRow key;
  key.access_key_id = access_key_id;
  key.secret_access_key = secret;
  key.account_id = account_id;
  key.principal_type = "Root";
  key.created_at = ToEpochSeconds(clock.Now());
  return repo::InsertAccessKey(tx, key);
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
  ForgetCached();
  std::lock_guard lock(usage_mutex_);
  pending_uses_.clear();
}

void CredentialStore::ForgetCached() {
  std::unique_lock lock(mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  cache_.clear();
}

void CredentialStore::Invalidate(std::string_view access_key_id) {
  std::unique_lock lock(mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  cache_.erase(std::string(access_key_id));
}

void CredentialStore::RecordUse(std::string_view access_key_id, std::string_view service,
                                std::string_view region, TimePoint at) {
  std::lock_guard lock(usage_mutex_);
  KeyUse& use = pending_uses_[std::string(access_key_id)];
  use.at = at;
  if (use.service != service) use.service.assign(service);
  if (use.region != region) use.region.assign(region);
  if (!flusher_.joinable() && !stopping_) flusher_ = std::thread([this] { FlusherLoop(); });
}

Result<std::optional<KeyUse>> CredentialStore::LastUse(std::string_view access_key_id) {
  {
    std::lock_guard lock(usage_mutex_);
    auto it = pending_uses_.find(std::string(access_key_id));
    if (it != pending_uses_.end()) return std::optional<KeyUse>(it->second);
  }
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccessKeyRow> key,
                      repo::FindAccessKey(*tx, access_key_id));
  if (!key.has_value() || !key->last_used_at.has_value()) return std::optional<KeyUse>();
  KeyUse use;
  use.at = FromEpochSeconds(*key->last_used_at);
  use.service = std::move(key->last_used_service);
  use.region = std::move(key->last_used_region);
  return std::optional<KeyUse>(std::move(use));
}

Status CredentialStore::FlushUsage() {
  std::unordered_map<std::string, KeyUse> batch;
  {
    std::lock_guard lock(usage_mutex_);
    batch.swap(pending_uses_);
  }
  if (batch.empty()) return Status::Ok();
  Status written = [&]() -> Status {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
    for (const auto& [key, use] : batch) {
      // A key deleted meanwhile updates no row; that is fine.
      OT_RETURN_IF_ERROR(
          repo::RecordAccessKeyUse(*tx, key, ToEpochSeconds(use.at), use.service, use.region));
    }
    return tx->Commit();
  }();
  if (!written.ok()) {
    // Keep the uses for the next attempt unless newer ones arrived.
    std::lock_guard lock(usage_mutex_);
    for (auto& [key, use] : batch) pending_uses_.try_emplace(key, std::move(use));
  }
  return written;
}

void CredentialStore::FlusherLoop() {
  std::unique_lock lock(usage_mutex_);
  while (!stopping_) {
    usage_cv_.wait_for(lock, kUsageFlushInterval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Status flushed = FlushUsage();
    if (!flushed.ok()) Log(LogLevel::kWarn, "access key usage not saved: " + flushed.ToString());
    lock.lock();
  }
}

Status CheckTemporaryCredentialScope(const auth::Principal& caller, std::string_view service,
                                     std::string_view operation) {
  if (!caller.temporary) return Status::Ok();
  if (service == "sts" && (operation == "GetSessionToken" || operation == "GetFederationToken")) {
    return AccessDeniedError("Cannot call " + std::string(operation) + " with session credentials")
        .WithAwsCode("AccessDenied");
  }
  if (caller.session == nullptr) return Status::Ok();
  auth::SessionKind kind = caller.session->kind;
  // Role sessions, console sessions and AssumeRoot sessions have no such limits (policies and a
  // task policy limit them).
  if (kind == auth::SessionKind::kAssumedRole || kind == auth::SessionKind::kConsole ||
      kind == auth::SessionKind::kRootSession) {
    return Status::Ok();
  }
  bool federated = kind == auth::SessionKind::kFederationToken;
  if (service == "iam" && (federated || !caller.mfa_authenticated)) {
    return UnauthenticatedError("The security token included in the request is invalid")
        .WithAwsCode("InvalidClientTokenId");
  }
  if (service == "sts") {
    bool allowed = operation == "GetCallerIdentity" || (!federated && operation == "AssumeRole");
    if (!allowed) {
      return AccessDeniedError("Cannot call " + std::string(operation) +
                               " with session credentials")
          .WithAwsCode("AccessDenied");
    }
  }
  return Status::Ok();
}

}  // namespace orgtwin::services
