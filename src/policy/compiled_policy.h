// File: policy/compiled_policy.h
//
// Step 2 of the engine: a validated PolicyDocument compiled into a form that evaluates without
// touching JSON. Actions are lowercased and interned (one global id per distinct action name),
// resources are encoded glob patterns (pre-split into ARN segments by the matcher), condition
// values are pre-parsed per operator family (numbers, dates, CIDRs, booleans, base64), and each
// policy carries an index action-id -> candidate statements plus a short list of statements
// with wildcards or NotAction, so a decision looks only at statements that can match.
//
// CompiledPolicy is immutable after Compile(); share it by shared_ptr. PolicyCache memoizes
// compilation by (id, revision) or by content hash.
//
// Thread-safety: CompiledPolicy is immutable and safe to share. ActionInterner and PolicyCache
// are internally synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "policy/document.h"
#include "policy/matching.h"

namespace orgtwin::policy {

using ActionId = uint32_t;
inline constexpr ActionId kNoAction = 0xFFFFFFFFu;

// Process-wide interning of lowercase action names ("s3:getobject").
class ActionInterner {
 public:
  static ActionInterner& Global();
  // Interns `lower` (must already be lowercase).
  ActionId Intern(std::string_view lower);
  // kNoAction when never interned.
  ActionId Find(std::string_view lower) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ActionId> ids_;  // GUARDED_BY(mu_)
};

enum class OpFamily {
  kString,
  kStringIgnoreCase,
  kStringLike,
  kNumeric,
  kDate,
  kBool,
  kBinary,
  kIp,
  kArn,
  kNull
};
enum class Cmp { kEq, kLt, kLe, kGt, kGe };
enum class SetMod { kNone, kAnyValue, kAllValues };

struct CondValue {
  TemplateString text;  // exact-match families: unencoded; Like/Arn: glob-encoded
  std::string lower;    // IgnoreCase: lowercase literal
  bool parsed = false;  // number/date/ip/binary/bool pre-parsed successfully
  double number = 0;
  IpNet ip;
  std::string bytes;
  bool boolean = false;
};

struct CompiledCondition {
  OpFamily family = OpFamily::kString;
  Cmp cmp = Cmp::kEq;
  bool negated = false;
  bool if_exists = false;
  SetMod set = SetMod::kNone;
  std::string key;  // lowercase
  std::vector<CondValue> values;
};

// A principal entry compiled for matching a request principal.
struct CompiledPrincipal {
  bool present = false;
  bool negated = false;
  bool wildcard = false;               // "*" or {"AWS":"*"}
  std::vector<std::string> accounts;   // from 12-digit IDs and arn:aws:iam::A:root
  std::vector<std::string> arns;       // user, role, session, federated-user ARNs
  std::vector<std::string> services;   // Service principals
  std::vector<std::string> federated;  // Federated principals (identity providers)
  std::vector<std::string> canonical;  // CanonicalUser IDs
};

struct ActionPattern {
  enum Kind { kAny, kExact, kPrefix, kGlob } kind = kGlob;
  std::string text;  // lowercase; encoded for kGlob; the prefix for kPrefix
};

struct CompiledStatement {
  int index = 0;
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;
  std::vector<ActionPattern> actions;
  bool has_resource = false;
  bool not_resource = false;
  bool any_resource = false;  // Resource contains "*" (only meaningful with !not_resource)
  std::vector<TemplateString> resources;  // glob-encoded
  CompiledPrincipal principal;
  std::vector<CompiledCondition> conditions;

  bool MatchesAction(std::string_view lower_action) const;
};

class CompiledPolicy {
 public:
  const std::string& id() const { return id_; }
  Flavour flavour() const { return flavour_; }
  bool variables() const { return variables_; }
  const std::vector<CompiledStatement>& statements() const { return statements_; }

  // Calls fn(const CompiledStatement&) for every statement whose Action/NotAction can match
  // the action (`id` from ActionInterner::Find, `lower` its lowercase text), in statement order
  // within each group (exact-indexed first, then wildcard/NotAction statements).
  template <typename Fn>
  void ForEachCandidate(ActionId id, std::string_view lower, Fn&& fn) const {
    if (id != kNoAction) {
      auto it = exact_.find(id);
      if (it != exact_.end()) {
        for (uint32_t i : it->second) fn(statements_[i]);
      }
    }
    for (uint32_t i : wildcard_) {
      if (statements_[i].MatchesAction(lower)) fn(statements_[i]);
    }
  }

 private:
  friend Result<std::shared_ptr<const CompiledPolicy>> Compile(const PolicyDocument&, Flavour,
                                                               std::string);
  std::string id_;
  Flavour flavour_ = Flavour::kIdentity;
  bool variables_ = false;
  std::vector<CompiledStatement> statements_;
  std::unordered_map<ActionId, std::vector<uint32_t>> exact_;
  std::vector<uint32_t> wildcard_;
};

using PolicyPtr = std::shared_ptr<const CompiledPolicy>;

// Pre-parses one raw condition value for its operator family (used again at evaluation time
// for values that contained policy variables).
void PrepareCondValue(OpFamily family, std::string_view raw, CondValue* v);

// Compiles a validated document; `id` names the policy in decisions. kInvalidInput for an
// unknown condition operator that slipped past validation.
Result<PolicyPtr> Compile(const PolicyDocument& doc, Flavour flavour, std::string id);

// Parse + validate + compile in one call.
Result<PolicyPtr> CompileText(std::string_view text, Flavour flavour, std::string id,
                              const ParseOptions& options = {});

// Memoizes compiled policies. Keyed by (id, revision) when the caller has a revision
// (the store's policy version), else by (id, content hash).
class PolicyCache {
 public:
  Result<PolicyPtr> Get(std::string_view id, std::string_view revision, std::string_view text,
                        Flavour flavour, const ParseOptions& options = {});
  size_t size() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, PolicyPtr> cache_;  // GUARDED_BY(mu_)
};

}  // namespace orgtwin::policy
