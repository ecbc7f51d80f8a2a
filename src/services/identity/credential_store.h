// File: services/identity/credential_store.h
//
// CredentialStore: access key ID -> (secret, principal), the lookup every signed request makes.
// Backed by the `access_keys` table; hot keys are cached in memory so authentication is a hash
// lookup, not a query. Writers that create, deactivate or delete keys go through this class (or
// call Invalidate) so the cache never serves a stale secret.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace orgtwin::services {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  bool active = true;
  std::optional<TimePoint> expires_at;
  auth::Principal principal;
};

class CredentialStore {
 public:
  explicit CredentialStore(store::Store& store) : store_(store) {}

  // The credential for `access_key_id`, or std::nullopt if no such key exists.
  // kUnavailable/kInternal if the store cannot be read.
  Result<std::optional<Credential>> Lookup(std::string_view access_key_id);

  // Inserts a new long-term root access key for `account_id` in `tx`. The cache learns about it
  // on first lookup after the transaction commits.
  Result<Credential> CreateRootAccessKey(store::Transaction& tx, IdGenerator& ids,
                                         const Clock& clock, const std::string& account_id);

  // Inserts a known key (used to keep the default account's key stable across resets).
  Status InsertRootAccessKey(store::Transaction& tx, const Clock& clock,
                             const std::string& account_id, const std::string& access_key_id,
                             const std::string& secret);

  // Drops every cached entry (after a reset or a bulk change).
  void Invalidate();
  void Invalidate(std::string_view access_key_id);

 private:
  store::Store& store_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Credential> cache_;  // GUARDED_BY(mutex_)
};

// Builds the Principal for a row of `access_keys`.
auth::Principal PrincipalFor(const std::string& account_id, const std::string& principal_type,
                             const std::string& principal_name, const std::string& access_key_id);

}  // namespace orgtwin::services
