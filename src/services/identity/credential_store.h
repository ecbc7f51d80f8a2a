// File: services/identity/credential_store.h
//
// CredentialStore: access key ID -> (secret, principal), the lookup every signed request makes.
// Backed by the `access_keys` table; hot keys are cached in memory so authentication is a hash
// lookup, not a query. Writers that create, deactivate or delete keys go through this class (or
// call Invalidate) so the cache never serves a stale secret.
//
// Temporary credentials (ASIA...) join their `sts_sessions` row, so the Principal a request
// carries is complete: aws:userid "AROA...:session", the assumed-role ARN, MFA flags, the token
// issue time, session policies and tags (auth::SessionInfo).
//
// Last use of a key (GetAccessKeyLastUsed) is recorded in memory by RecordUse (a hash-map
// update, no I/O) and written to the store by a background thread at most once a minute per key
// (kUsageFlushInterval); LastUse merges the pending in-memory value so readers see it at once.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
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

// Where and when a key was last used (GetAccessKeyLastUsed).
struct KeyUse {
  TimePoint at{};
  std::string service;  // signing name: "iam", "sts", "s3", ...
  std::string region;
};

class CredentialStore {
 public:
  // How often pending key uses are written to the store.
  static constexpr std::chrono::seconds kUsageFlushInterval{60};

  explicit CredentialStore(store::Store& store) : store_(store) {}
  // Writes pending key uses and stops the flusher thread. A join that fails (std::system_error)
  // terminates: the flusher would otherwise outlive the store it writes to.
  ~CredentialStore();  // NOLINT(bugprone-exception-escape)
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

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

  // Drops every cached entry (after a reset or a bulk change) and pending key uses.
  void Invalidate();
  void Invalidate(std::string_view access_key_id);
  // Drops every cached entry but keeps pending key uses: another node changed the store (its
  // keys' uses recorded here are still true).
  void ForgetCached();

  // Notes that `access_key_id` authenticated a request to `service` in `region` at `at`. Cheap
  // (no I/O); the gateway calls it after a successful SigV4 verification.
  void RecordUse(std::string_view access_key_id, std::string_view service, std::string_view region,
                 TimePoint at);
  // The last use of `access_key_id`: the pending in-memory record, else the stored one.
  Result<std::optional<KeyUse>> LastUse(std::string_view access_key_id);
  // Writes every pending key use to the store now (tests, shutdown).
  Status FlushUsage();

 private:
  void FlusherLoop();

  store::Store& store_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Credential> cache_;  // GUARDED_BY(mutex_)
  // Raised by every invalidation (under mutex_): a lookup caches what it read only if no
  // invalidation happened while it read.
  std::atomic<uint64_t> generation_{0};

  std::mutex usage_mutex_;
  std::condition_variable usage_cv_;
  std::unordered_map<std::string, KeyUse> pending_uses_;  // GUARDED_BY(usage_mutex_)
  bool stopping_ = false;                                 // GUARDED_BY(usage_mutex_)
  std::thread flusher_;                                   // started by the first RecordUse
};

// AWS-COMPAT: temporary credentials are limited regardless of policy. GetSessionToken
// credentials may call IAM only if MFA was used and, in STS, only AssumeRole and
// GetCallerIdentity; GetFederationToken credentials may not call IAM and, in STS, only
// GetCallerIdentity. Refused IAM calls answer InvalidClientTokenId ("The security token included
// in the request is invalid"), refused STS calls AccessDenied ("Cannot call <Op> with session
// credentials"). Ok for everything else. `service` is the signing name ("iam", "sts").
Status CheckTemporaryCredentialScope(const auth::Principal& caller, std::string_view service,
                                     std::string_view operation);

// Builds the Principal for a row of `access_keys`.
auth::Principal PrincipalFor(const std::string& account_id, const std::string& principal_type,
                             const std::string& principal_name, const std::string& access_key_id);

}  // namespace orgtwin::services
