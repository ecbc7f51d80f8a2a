// File: gateway/authorizer.h
//
// Authorizer: decides whether an authenticated caller may run an operation, with the policy
// engine (policy/evaluator.h) and exactly AWS's inputs:
//
//   operation + input --(operation_actions.h)--> action(s), resource ARN(s), request keys
//   caller --(policy/policy_set_loader.h over the store's repositories, cached)--> PolicySet:
//     identity (inline + managed, groups), permissions boundary, session policies, SCP levels
//     (member accounts) -- the same loader IAM's simulator uses; per request the resource side:
//     the role's trust policy for sts:AssumeRole* and RCP levels of the resource's account
//   + request context (aws:SourceIp, aws:SecureTransport, aws:RequestedRegion, MFA, tags, org)
//   -> policy::Evaluate for every check -> Ok, or AccessDenied with AWS's message.
//
// Cache and its correctness. Everything read from the store (a principal's compiled policy set,
// an account's organization and SCP/RCP levels, a role's trust policy, entity paths) is cached
// in memory and tagged with the policy epoch. The gateway calls BumpEpoch() after every
// operation that may write (operation_actions.h IsReadOnlyOperation) and after extension calls
// (reset, sign-up); the next lookup sees a new epoch and drops the whole cache. Operations that
// only add new resources (operation_actions.h OnlyAddsResources: CreateRole, CreateAccount, ...)
// cannot change what an existing principal may do, only facts about resources that did not
// exist (a role "not found", an account with no organization), so they call BumpResources():
// the resource facts are dropped and the principals' compiled policy sets are kept -- under a
// steady CreateRole load the caller's policies are then not re-read after every call. Resource
// facts are tagged with a generation that both bumps advance, principals with the epoch. Within one
// process this is exact: a write's handler has committed before the gateway bumps, every later
// request compares epochs before trusting an entry, and a loader that started before a bump
// never stores its result under the newer epoch (it re-checks the epoch it started with), so a
// policy change takes effect on the next request. Compiled documents are additionally memoized
// by content in a PolicyCache that survives epochs, so a bump costs re-reading rows, never
// re-compiling unchanged policies. A multi-node deployment (several processes on one
// PostgreSQL store) needs a shared epoch instead: a revision row bumped in the same transaction
// as each write and checked per request (or pushed with LISTEN/NOTIFY).
//
// Thread-safety: Authorize and BumpEpoch are safe to call concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/json.hpp>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "gateway/operation_actions.h"
#include "model/service_model.h"
#include "policy/compiled_policy.h"
#include "policy/evaluator.h"
#include "store/store.h"

namespace orgtwin::gateway {

// AWS's AccessDenied text when the root user calls sts:AssumeRole (always refused).
inline constexpr std::string_view kRootAssumeRoleMessage =
    "Roles may not be assumed by root accounts.";

// The policy engine's answer to one check of an operation's plan.
struct CheckDecision {
  AuthzCheck check;
  policy::Decision decision;
  // The policies the decision was made over: decision.matched points into them, so they are kept
  // alive here (shared pointers, no copies of documents).
  policy::PolicySet policies;
};

// What the authorizer decided for one request: every check it evaluated with the engine's
// Decision (the deciding statements included, for the audit trail and for diagnostics), and the
// outcome as the caller sees it.
struct Authorization {
  // No permission was needed (sts:GetCallerIdentity, sts:GetSessionToken): allowed even under an
  // explicit deny, `checks` is empty.
  bool exempt = false;
  // In plan order, up to and including the first check that was denied.
  std::vector<CheckDecision> checks;
  // Ok, or the AccessDenied error (with AWS's code and text) the caller is answered with. A
  // denial that needs no policy (root's sts:AssumeRole) has no checks.
  Status status;

  bool allowed() const { return status.ok(); }
  // The check that was denied; null when allowed or when no check decided the denial.
  const CheckDecision* denied() const {
    return allowed() || checks.empty() ? nullptr : &checks.back();
  }
};

struct AuthorizationRequest {
  const model::ServiceModel& service;
  const model::Operation& operation;
  const boost::json::object& input;
  const auth::Principal& caller;
  std::string_view region;     // SigV4 scope region
  std::string_view source_ip;  // HttpRequest::remote_address
  TimePoint now;
};

class Authorizer {
 public:
  explicit Authorizer(store::Store& store);
  ~Authorizer();
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // Decides the operation: allowed when every check of its plan is allowed. sts:AssumeRole by the
  // root user is always denied (kRootAssumeRoleMessage), whatever the policies say. A denial is
  // a value: Authorization::status is then an AccessDenied Status (ErrorCode::kAccessDenied; the
  // protocol layer renders AccessDenied / AccessDeniedException) whose message is AWS's text.
  // Fails (kUnavailable/kInternal) only when the store cannot be read.
  Result<Authorization> Authorize(const AuthorizationRequest& request);

  // One action on one resource for `caller`, outside the operation's own plan (a permission an
  // orgtwin extension operation stands for, e.g. payments:CreatePaymentInstrument). Same answers
  // as Authorize.
  Result<Authorization> AuthorizeAction(const auth::Principal& caller, std::string_view action,
                                        std::string_view resource, std::string_view region,
                                        std::string_view source_ip, TimePoint now);

  // The checks and request keys `request` amounts to, with the ARNs resolved against the
  // store (what Authorize evaluates; tests and diagnostics).
  Result<AuthzPlan> Plan(const AuthorizationRequest& request);

  // Invalidates every cached decision input (see the file comment).
  void BumpEpoch() {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    epoch_.fetch_add(1, std::memory_order_acq_rel);
  }
  // Invalidates the cached facts about resources, keeping the principals (see the file comment).
  void BumpResources() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Test/bench introspection: how many principals the cache holds now.
  size_t CachedPrincipals() const;

  struct PrincipalState;
  struct AccountOrg;
  struct RoleTrust;

 private:
  class Facts;
  friend class Facts;

  // Loaders (read the store; no caching).
  Result<std::shared_ptr<const PrincipalState>> LoadPrincipal(const auth::Principal& caller);
  Result<std::shared_ptr<const AccountOrg>> LoadAccountOrg(const std::string& account);
  Result<std::shared_ptr<const RoleTrust>> LoadRole(const std::string& role_arn);
  // Cached accessors.
  Result<std::shared_ptr<const PrincipalState>> CachedPrincipal(const auth::Principal& caller);
  Result<std::shared_ptr<const AccountOrg>> CachedAccount(const std::string& account);
  Result<std::shared_ptr<const RoleTrust>> CachedRole(const std::string& role_arn);

  // Evaluates one check of `plan` (its request keys) for the caller whose state is `state`,
  // appending its CheckDecision to `out` and setting out->status on a denial.
  Status EvaluateCheck(const PrincipalState& state, const auth::Principal& caller,
                       std::string_view signing_name, std::string_view region,
                       std::string_view source_ip, TimePoint now, const AuthzPlan& plan,
                       const AuthzCheck& check, Authorization* out);

  // Drops what the counters say is stale: everything when the epoch moved, the resource facts
  // when only the generation did. Returns the epoch (for principals) or the generation (for
  // resource facts) the cache now holds, to tag what the caller loads next.
  uint64_t SyncEpoch();
  uint64_t SyncGeneration();
  void Sync();

  store::Store& store_;
  std::atomic<uint64_t> epoch_{1};
  std::atomic<uint64_t> generation_{1};
  policy::PolicyCache compiled_;

  struct Cache;
  mutable std::shared_mutex mu_;
  std::unique_ptr<Cache> cache_;  // GUARDED_BY(mu_)
};

}  // namespace orgtwin::gateway
