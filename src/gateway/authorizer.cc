#include "gateway/authorizer.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/log.h"
#include "policy/policy_set_loader.h"
#include "repo/iam_repository.h"
#include "repo/org_repository.h"
#include "repo/session_repository.h"
#include "repo/sns_repository.h"
#include "repo/store_policy_source.h"

namespace orgtwin::gateway {

struct Authorizer::PrincipalState {
  policy::Principal principal;
  // identity, boundary, session and SCP layers; the resource side is added per request.
  policy::PolicySet policies;
  std::vector<std::pair<std::string, std::string>> context;
  std::vector<std::pair<std::string, std::vector<std::string>>> multi_context;
  std::optional<double> mfa_at;  // epoch seconds of the MFA authentication (sessions)
  std::string user_name;         // IAM users
  std::string user_path = "/";
};

struct Authorizer::AccountOrg {
  std::string org_id;  // "" = not in an organization
  std::string management_account;
  std::string feature_set;  // "ALL" | "CONSOLIDATED_BILLING"
  bool member = false;      // in an organization and not its management account
  std::string org_path;     // aws:PrincipalOrgPaths value: "o-x/r-x/ou-x/"
  bool has_scp = false;     // SCPs enabled on the root (member accounts only)
  std::vector<std::vector<policy::PolicyPtr>> scp;
  bool has_rcp = false;
  std::vector<std::vector<policy::PolicyPtr>> rcp;
};

struct Authorizer::RoleTrust {
  bool exists = false;
  policy::PolicyPtr trust;
};

struct Authorizer::Cache {
  uint64_t epoch = 0;       // of `principals`
  uint64_t generation = 0;  // of the resource facts below
  std::unordered_map<std::string, std::shared_ptr<const PrincipalState>> principals;
  std::unordered_map<std::string, std::shared_ptr<const AccountOrg>> accounts;
  std::unordered_map<std::string, std::shared_ptr<const RoleTrust>> roles;
  std::unordered_map<std::string, ResourceFacts::IamEntity> entities;
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> org_tags;
  std::unordered_map<std::string, std::pair<ResourceFacts::OrgInfo, std::string>> handshakes;
  std::unordered_map<std::string, std::string> strings;  // small facts, keyed "kind:id"
};

namespace {

using policy::Flavour;
using policy::PolicyPtr;

std::string IsoSeconds(double epoch_seconds) {
  return FormatIso8601Seconds(
      TimePoint(std::chrono::microseconds(static_cast<int64_t>(epoch_seconds * 1e6))));
}

// The principal ID the cache is keyed by: a session is its own principal (its session policies
// and tags are its own); long-term keys of one user share the user's entry.
std::string PrincipalKey(const auth::Principal& caller) {
  if (caller.temporary || caller.access_key_id.starts_with("ASIA")) {
    return "session:" + caller.access_key_id;
  }
  return std::string(auth::PrincipalTypeName(caller.type)) + ":" + caller.account_id + ":" +
         caller.name;
}

// Runs `read` in a fresh read transaction: a failed statement poisons its transaction, and the
// lookups are independent. A failure to read is logged and answered with `fallback` (a fact the
// store cannot give is treated as absent; the request then fails closed).
template <typename T, typename Read>
T ReadOr(store::Store& store, T fallback, Read&& read) {
  Result<T> value = [&]() -> Result<T> {
    OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kRead));
    return read(*tx);
  }();
  if (value.ok()) return *std::move(value);
  Log(LogLevel::kWarn, "authorizer: " + value.status().ToString());
  return fallback;
}

// Whether an Allow statement of a role's trust policy matches `req` (principal, conditions).
bool TrustPolicyAllows(const policy::CompiledPolicy& trust, const policy::Request& req) {
  const std::string lower = AsciiLowerCopy(req.action);
  bool allowed = false;
  trust.ForEachCandidate(
      policy::ActionInterner::Global().Find(lower), lower,
      [&](const policy::CompiledStatement& st) {
        if (!allowed && st.effect == policy::Effect::kAllow &&
            policy::MatchStatement(st, trust, req, /*conditions_unknown=*/false,
                                   /*has_boundary=*/false) == policy::Tri::kYes) {
          allowed = true;
        }
      });
  return allowed;
}

// The Deny statements of `policy` that match `req`, as a decision's matched statements.
void MatchingDenies(const policy::CompiledPolicy& policy, const policy::Request& req,
                    policy::Layer layer, std::vector<policy::MatchedStatement>* out) {
  const std::string lower = AsciiLowerCopy(req.action);
  policy.ForEachCandidate(
      policy::ActionInterner::Global().Find(lower), lower,
      [&](const policy::CompiledStatement& st) {
        if (st.effect == policy::Effect::kDeny &&
            policy::MatchStatement(st, policy, req, /*conditions_unknown=*/false,
                                   /*has_boundary=*/false) == policy::Tri::kYes) {
          out->push_back({layer, &policy, st.index, policy::Effect::kDeny});
        }
      });
}

}  // namespace

// ResourceFacts over the store's repositories, cached per generation like everything else.
class Authorizer::Facts final : public ResourceFacts {
 public:
  explicit Facts(Authorizer& authorizer) : a_(authorizer) {}

  IamEntity FindIamEntity(std::string_view kind, std::string_view account,
                          std::string_view name) override {
    std::string key = std::string(kind) + ":" + std::string(account) + ":" + AsciiLowerCopy(name);
    return Cached(&Cache::entities, key, [&](store::Transaction& tx) -> Result<IamEntity> {
      IamEntity entity;
      std::string_view tag_type;  // the entity type iam_tags keeps its tags under
      std::string id;
      if (kind == "user") {
        OT_ASSIGN_OR_RETURN(auto user, repo::FindUser(tx, account, name));
        if (!user.has_value()) return entity;
        entity.path = user->path;
        entity.boundary_arn = user->boundary_arn;
        tag_type = repo::kUserEntity;
        id = user->user_id;
      } else if (kind == "role") {
        OT_ASSIGN_OR_RETURN(auto role, repo::FindRole(tx, account, name));
        if (!role.has_value()) return entity;
        entity.path = role->path;
        entity.boundary_arn = role->boundary_arn;
        tag_type = repo::kRoleEntity;
        id = role->role_id;
      } else if (kind == "group") {
        OT_ASSIGN_OR_RETURN(auto group, repo::FindGroup(tx, account, name));
        if (!group.has_value()) return entity;
        entity.path = group->path;
      } else if (kind == "instance-profile") {
        OT_ASSIGN_OR_RETURN(auto path, repo::FindInstanceProfilePath(tx, account, name));
        if (!path.has_value()) return entity;
        entity.path = *path;
      } else if (kind == "server-certificate") {
        OT_ASSIGN_OR_RETURN(auto path, repo::FindServerCertificatePath(tx, account, name));
        if (!path.has_value()) return entity;
        entity.path = *path;
      } else {
        return entity;
      }
      entity.exists = true;
      if (entity.path.empty()) entity.path = "/";
      if (!tag_type.empty()) {
        OT_ASSIGN_OR_RETURN(entity.tags, repo::EntityTags(tx, tag_type, id));
      }
      return entity;
    });
  }

  OrgInfo OrgOfAccount(std::string_view account) override {
    auto org = a_.CachedAccount(std::string(account));
    if (!org.ok()) return {};
    return OrgInfo{(*org)->org_id, (*org)->management_account, (*org)->feature_set};
  }

  OrgInfo OrgOfHandshake(std::string_view handshake_id, std::string* action) override {
    using Found = std::pair<OrgInfo, std::string>;
    Found found = Cached(
        &Cache::handshakes, std::string(handshake_id),
        [&](store::Transaction& tx) -> Result<Found> {
          OT_ASSIGN_OR_RETURN(auto h, repo::FindHandshakeOrg(tx, handshake_id));
          if (!h.has_value()) return Found();
          return Found(OrgInfo{h->org.org_id, h->org.management_account_id, h->org.feature_set},
                       h->action);
        });
    *action = found.second;
    return found.first;
  }

  std::vector<std::pair<std::string, std::string>> OrgResourceTags(
      std::string_view resource_id) override {
    return Cached(&Cache::org_tags, std::string(resource_id),
                  [&](store::Transaction& tx) { return repo::ResourceTags(tx, resource_id); });
  }

  std::string TransferDirection(std::string_view transfer_id, std::string_view account) override {
    // "target|source": the two management accounts of the transfer.
    std::string packed =
        Cached(&Cache::strings, "transfer:" + std::string(transfer_id),
               [&](store::Transaction& tx) -> Result<std::string> {
                 OT_ASSIGN_OR_RETURN(auto t, repo::FindTransferParties(tx, transfer_id));
                 if (!t.has_value()) return std::string();
                 return t->target_account_id + "|" + t->source_account_id;
               });
    size_t bar = packed.find('|');
    if (bar == std::string::npos || account.empty()) return "";
    if (packed.compare(0, bar, account) == 0) return "inbound";
    if (packed.compare(bar + 1, std::string::npos, account) == 0) return "outbound";
    return "";
  }

  std::string OrgPolicyType(std::string_view policy_id) override {
    return Cached(&Cache::strings, "policytype:" + std::string(policy_id),
                  [&](store::Transaction& tx) { return repo::PolicyTypeOf(tx, policy_id); });
  }

  // The access policy of an SNS topic (its Policy attribute or AWS's default); "" when the
  // topic does not exist.
  std::string SnsTopicPolicy(std::string_view topic_arn) {
    return Cached(&Cache::strings, "snspolicy:" + std::string(topic_arn),
                  [&](store::Transaction& tx) -> Result<std::string> {
                    OT_ASSIGN_OR_RETURN(auto topic, repo::FindSnsTopic(tx, topic_arn));
                    if (!topic.has_value()) return std::string();
                    return repo::EffectiveSnsTopicPolicy(*topic);
                  });
  }

  std::string AccessKeyUser(std::string_view access_key_id) override {
    return Cached(
        &Cache::strings, "keyuser:" + std::string(access_key_id),
        [&](store::Transaction& tx) { return repo::AccessKeyUserName(tx, access_key_id); });
  }

 private:
  // The cached value of `key` in `map`, read with `read` (in a read transaction of its own) and
  // stored under the generation it was read in; a value that cannot be read is the default
  // (absent) and is not cached.
  template <typename T, typename Read>
  T Cached(std::unordered_map<std::string, T> Cache::*map, const std::string& key, Read&& read) {
    uint64_t generation = a_.SyncGeneration();
    {
      std::shared_lock lock(a_.mu_);
      auto it = ((*a_.cache_).*map).find(key);
      if (it != ((*a_.cache_).*map).end()) return it->second;
    }
    bool failed = false;
    T value = ReadOr<T>(a_.store_, T(), [&](store::Transaction& tx) -> Result<T> {
      Result<T> r = read(tx);
      failed = !r.ok();
      return r;
    });
    if (failed) return value;
    std::unique_lock lock(a_.mu_);
    if (a_.cache_->generation == generation && a_.generation() == generation) {
      ((*a_.cache_).*map)[key] = value;
    }
    return value;
  }

  Authorizer& a_;
};

Authorizer::Authorizer(store::Store& store) : store_(store), cache_(std::make_unique<Cache>()) {}

Authorizer::~Authorizer() = default;

size_t Authorizer::CachedPrincipals() const {
  std::shared_lock lock(mu_);
  return cache_->principals.size();
}

void Authorizer::Sync() {
  uint64_t epoch = this->epoch();
  uint64_t generation = this->generation();
  {
    std::shared_lock lock(mu_);
    if (cache_->epoch == epoch && cache_->generation == generation) return;
  }
  std::unique_lock lock(mu_);
  epoch = this->epoch();
  generation = this->generation();
  if (cache_->epoch == epoch && cache_->generation == generation) return;
  auto fresh = std::make_unique<Cache>();
  fresh->epoch = epoch;
  fresh->generation = generation;
  // Only the resource facts went stale: the principals' policy sets carry over.
  if (cache_->epoch == epoch) fresh->principals = std::move(cache_->principals);
  cache_ = std::move(fresh);
}

uint64_t Authorizer::SyncEpoch() {
  Sync();
  std::shared_lock lock(mu_);
  return cache_->epoch;
}

uint64_t Authorizer::SyncGeneration() {
  Sync();
  std::shared_lock lock(mu_);
  return cache_->generation;
}

Result<std::shared_ptr<const Authorizer::AccountOrg>> Authorizer::LoadAccountOrg(
    const std::string& account) {
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  repo::StorePolicySource source(*tx);
  policy::PolicySetLoader loader(source, compiled_);
  OT_ASSIGN_OR_RETURN(policy::OrgPolicies loaded, loader.LoadOrganization(account));
  auto org = std::make_shared<AccountOrg>();
  org->org_id = std::move(loaded.org_id);
  org->management_account = std::move(loaded.management_account_id);
  org->feature_set = std::move(loaded.feature_set);
  org->member = loaded.member;
  org->org_path = std::move(loaded.org_path);
  org->has_scp = loaded.has_scp;
  org->scp = policy::CompiledLevels(loaded.scp);
  org->has_rcp = loaded.has_rcp;
  org->rcp = policy::CompiledLevels(loaded.rcp);
  return std::shared_ptr<const AccountOrg>(std::move(org));
}

Result<std::shared_ptr<const Authorizer::RoleTrust>> Authorizer::LoadRole(
    const std::string& role_arn) {
  auto role = std::make_shared<RoleTrust>();
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  // AWS-COMPAT: a role ARN must carry the role's path to name it (FindRoleByArn compares it).
  OT_ASSIGN_OR_RETURN(auto row, repo::FindRoleByArn(*tx, role_arn));
  if (row.has_value()) {
    role->exists = true;
    policy::ParseOptions options;
    options.size_rule = policy::SizeRule::kNone;
    Result<PolicyPtr> trust =
        compiled_.Get(role_arn + "/trust", "", row->trust_policy, Flavour::kTrust, options);
    if (trust.ok()) {
      role->trust = *std::move(trust);
    } else {
      Log(LogLevel::kWarn, "authorizer: the trust policy of " + role_arn +
                               " does not compile: " + trust.status().ToString());
    }
  }
  return std::shared_ptr<const RoleTrust>(std::move(role));
}

Result<std::shared_ptr<const Authorizer::PrincipalState>> Authorizer::LoadPrincipal(
    const auth::Principal& caller) {
  auto state = std::make_shared<PrincipalState>();
  policy::Principal& p = state->principal;
  p.account = caller.account_id;
  p.arn = caller.arn;
  p.user_id = caller.user_id;
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  repo::StorePolicySource source(*tx);
  policy::PolicySetLoader loader(source, compiled_);

  // Temporary credentials: the session row (0004_sts_sessions.sql) carries the session's
  // policies, tags, MFA state and issue time.
  std::optional<repo::SessionRow> session;
  if (caller.temporary || caller.access_key_id.starts_with("ASIA")) {
    OT_ASSIGN_OR_RETURN(session, repo::FindSession(*tx, caller.access_key_id));
  }
  std::vector<std::pair<std::string, std::string>> tags;  // aws:PrincipalTag, later wins
  // The identity side of a loaded user or role.
  auto take = [&](policy::EntityPolicies loaded, bool with_tags) {
    state->policies.identity = policy::CompiledOf(loaded.identity);
    if (loaded.boundary != nullptr) state->policies.boundary = loaded.boundary->compiled;
    if (with_tags && loaded.entity.has_value()) tags = loaded.entity->tags;
  };
  auto load_session_policies = [&]() {
    if (!session.has_value()) return;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(session->session_policies, ec);
    if (ec || !parsed.is_array()) return;
    policy::ParseOptions options;
    options.size_rule = policy::SizeRule::kNone;
    int index = 0;
    for (const auto& doc : parsed.get_array()) {
      std::string text =
          doc.is_string() ? std::string(doc.get_string()) : boost::json::serialize(doc);
      Result<PolicyPtr> compiled = compiled_.Get(caller.arn + "/session/" + std::to_string(index++),
                                                 "", text, Flavour::kSession, options);
      if (compiled.ok()) state->policies.session.push_back(*std::move(compiled));
    }
    state->policies.has_session = !parsed.get_array().empty();
  };

  switch (caller.type) {
    case auth::PrincipalType::kRoot:
      p.type = policy::PrincipalType::kRoot;
      if (p.user_id.empty()) p.user_id = caller.account_id;
      // An AssumeRoot session is the member's root scoped by its task policy (EvaluateCheck).
      if (caller.session != nullptr && caller.session->kind == auth::SessionKind::kRootSession) {
        load_session_policies();
        state->context.emplace_back("aws:AssumedRoot", "true");
      }
      break;
    case auth::PrincipalType::kUser: {
      p.type = policy::PrincipalType::kUser;
      state->user_name = caller.name;
      // A deleted user: no policies, denied.
      OT_ASSIGN_OR_RETURN(policy::EntityPolicies user,
                          loader.LoadUser(caller.account_id, caller.name));
      if (user.entity.has_value()) state->user_path = user.entity->path;
      take(std::move(user), /*with_tags=*/true);
      // AWS-COMPAT: the user's ARN carries its path.
      p.arn = "arn:aws:iam::" + caller.account_id + ":user" + state->user_path + caller.name;
      break;
    }
    case auth::PrincipalType::kAssumedRole: {
      p.type = policy::PrincipalType::kAssumedRole;
      policy::EntityPolicies role;
      if (session.has_value() && !session->role_id.empty()) {
        OT_ASSIGN_OR_RETURN(role, loader.LoadRoleById(session->role_id));
      } else {
        OT_ASSIGN_OR_RETURN(role, loader.LoadRole(caller.account_id, caller.name));
      }
      if (role.entity.has_value()) {
        const policy::PolicySource::Entity& entity = *role.entity;
        p.role_arn = "arn:aws:iam::" + caller.account_id + ":role" + entity.path + entity.name;
        // AWS-COMPAT: sessions of service-linked roles are exempt from SCPs and RCPs.
        if (entity.path.starts_with("/aws-service-role/")) {
          p.type = policy::PrincipalType::kServiceLinkedRole;
        }
        if (p.user_id.empty()) p.user_id = entity.id + ":" + caller.session_name;
        take(std::move(role), /*with_tags=*/true);
      }
      load_session_policies();
      break;
    }
    case auth::PrincipalType::kFederatedUser: {
      p.type = policy::PrincipalType::kFederatedUser;
      // AWS-COMPAT: a federated user gets the intersection of the issuing IAM user's policies
      // and the session policies passed to GetFederationToken (none passed: nothing).
      if (session.has_value() && !session->user_name.empty()) {
        OT_ASSIGN_OR_RETURN(
            policy::EntityPolicies user,
            loader.LoadUser(caller.account_id, session->user_name, /*with_boundary=*/false));
        if (user.entity.has_value()) state->user_path = user.entity->path;
        take(std::move(user), /*with_tags=*/false);
      }
      load_session_policies();
      state->policies.has_session = true;
      break;
    }
    case auth::PrincipalType::kAnonymous:
      p.type = policy::PrincipalType::kAnonymous;
      break;
  }

  // Session tags override the role's tags of the same key (case-insensitively).
  if (session.has_value()) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(session->session_tags, ec);
    if (!ec && parsed.is_object()) {
      for (const auto& kv : parsed.get_object()) {
        if (!kv.value().is_string()) continue;
        std::string key(kv.key());
        std::erase_if(
            tags, [&](const auto& t) { return AsciiLowerCopy(t.first) == AsciiLowerCopy(key); });
        tags.emplace_back(key, std::string(kv.value().get_string()));
      }
    }
    const bool mfa = session->mfa_authenticated;
    state->context.emplace_back("aws:MultiFactorAuthPresent", mfa ? "true" : "false");
    if (mfa && session->mfa_authenticated_at.has_value()) {
      state->mfa_at = session->mfa_authenticated_at;
    }
    state->context.emplace_back("aws:TokenIssueTime", IsoSeconds(session->issued_at));
    if (!session->source_identity.empty()) {
      state->context.emplace_back("aws:SourceIdentity", session->source_identity);
    }
  } else if (caller.temporary) {
    state->context.emplace_back("aws:MultiFactorAuthPresent",
                                caller.mfa_authenticated ? "true" : "false");
  }
  // AWS-COMPAT: long-term access keys carry no aws:MultiFactorAuthPresent at all (so a
  // "BoolIfExists false" deny catches them and a plain "Bool false" does not).
  for (auto& [key, value] : tags) state->context.emplace_back("aws:PrincipalTag/" + key, value);
  tx.reset();

  OT_ASSIGN_OR_RETURN(auto org, CachedAccount(caller.account_id));
  if (!org->org_id.empty()) {
    state->context.emplace_back("aws:PrincipalOrgID", org->org_id);
    state->multi_context.emplace_back("aws:PrincipalOrgPaths",
                                      std::vector<std::string>{org->org_path});
  }
  if (org->member && org->has_scp) {
    state->policies.has_scp = true;
    state->policies.scp = org->scp;
  }
  return std::shared_ptr<const PrincipalState>(std::move(state));
}

Result<std::shared_ptr<const Authorizer::PrincipalState>> Authorizer::CachedPrincipal(
    const auth::Principal& caller) {
  std::string key = PrincipalKey(caller);
  uint64_t epoch = SyncEpoch();
  {
    std::shared_lock lock(mu_);
    auto it = cache_->principals.find(key);
    if (it != cache_->principals.end()) return it->second;
  }
  OT_ASSIGN_OR_RETURN(auto state, LoadPrincipal(caller));
  std::unique_lock lock(mu_);
  if (cache_->epoch == epoch && this->epoch() == epoch) cache_->principals[key] = state;
  return state;
}

Result<std::shared_ptr<const Authorizer::AccountOrg>> Authorizer::CachedAccount(
    const std::string& account) {
  uint64_t generation = SyncGeneration();
  {
    std::shared_lock lock(mu_);
    auto it = cache_->accounts.find(account);
    if (it != cache_->accounts.end()) return it->second;
  }
  OT_ASSIGN_OR_RETURN(auto org, LoadAccountOrg(account));
  std::unique_lock lock(mu_);
  if (cache_->generation == generation && this->generation() == generation) {
    cache_->accounts[account] = org;
  }
  return org;
}

Result<std::shared_ptr<const Authorizer::RoleTrust>> Authorizer::CachedRole(
    const std::string& role_arn) {
  uint64_t generation = SyncGeneration();
  {
    std::shared_lock lock(mu_);
    auto it = cache_->roles.find(role_arn);
    if (it != cache_->roles.end()) return it->second;
  }
  OT_ASSIGN_OR_RETURN(auto role, LoadRole(role_arn));
  std::unique_lock lock(mu_);
  if (cache_->generation == generation && this->generation() == generation) {
    cache_->roles[role_arn] = role;
  }
  return role;
}

namespace {

CallerFacts CallerFactsOf(const AuthorizationRequest& request, const policy::Principal& principal,
                          const std::string& user_name, const std::string& user_path) {
  CallerFacts caller;
  caller.account = request.caller.account_id;
  caller.arn = principal.arn;
  caller.user_name = user_name;
  caller.user_path = user_path;
  caller.region = std::string(request.region);
  return caller;
}

// The AccessDenied error a denied check answers, in the words AWS uses for it.
Status DenialStatus(std::string_view signing_name, const policy::Request& req,
                    const AuthzCheck& check, const policy::Decision& decision) {
  if (check.dependency) {
    // AWS-COMPAT: the service could not create the service-linked role the operation needs
    // with the caller's permissions.
    return AccessDeniedError(
               "The request failed because your credentials do not have permission to create "
               "the service-linked role required by AWS Organizations.")
        .WithAwsCode("AccessDeniedForDependencyException")
        .WithField("Reason", "ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE");
  }
  // AWS-COMPAT: SNS answers a denial with its own code, AuthorizationError (403).
  if (signing_name == "sns") {
    return AccessDeniedError(policy::AccessDeniedMessage(req, decision))
        .WithAwsCode("AuthorizationError");
  }
  // AWS-COMPAT: Organizations answers every authorization failure with this fixed text.
  if (signing_name == "organizations") {
    return AccessDeniedError("You don't have permissions to access this resource.");
  }
  if (!check.message_resource.empty()) {
    // AWS-COMPAT: IAM names some resources in the message by kind and name ("role MyRole"),
    // not by ARN; the evaluation above used the ARN.
    policy::Request shown = req;
    shown.resource = check.message_resource;
    return AccessDeniedError(policy::AccessDeniedMessage(shown, decision));
  }
  return AccessDeniedError(policy::AccessDeniedMessage(req, decision));
}

}  // namespace

Result<AuthzPlan> Authorizer::Plan(const AuthorizationRequest& request) {
  OT_ASSIGN_OR_RETURN(auto state, CachedPrincipal(request.caller));
  Facts facts(*this);
  return PlanAuthorization(
      request.service, request.operation, request.input,
      CallerFactsOf(request, state->principal, state->user_name, state->user_path), facts);
}

Result<Authorization> Authorizer::Authorize(const AuthorizationRequest& request) {
  Authorization out;
  // AWS-COMPAT: STS refuses AssumeRole to the root user outright, before any policy (identity,
  // SCP or the role's trust policy) is looked at. GetSessionToken stays open to root.
  if (request.caller.type == auth::PrincipalType::kRoot && request.service.signing_name == "sts" &&
      request.operation.name == "AssumeRole") {
    out.status = AccessDeniedError(std::string(kRootAssumeRoleMessage));
    return out;
  }
  OT_ASSIGN_OR_RETURN(auto state, CachedPrincipal(request.caller));
  Facts facts(*this);
  AuthzPlan plan = PlanAuthorization(
      request.service, request.operation, request.input,
      CallerFactsOf(request, state->principal, state->user_name, state->user_path), facts);
  if (plan.exempt) {
    out.exempt = true;
    return out;
  }
  out.checks.reserve(plan.checks.size());
  for (const AuthzCheck& check : plan.checks) {
    OT_RETURN_IF_ERROR(EvaluateCheck(*state, request.caller, request.service.signing_name,
                                     request.region, request.source_ip, request.now, plan, check,
                                     &out));
    if (!out.allowed()) break;
  }
  return out;
}

Result<Authorization> Authorizer::AuthorizeAction(const auth::Principal& caller,
                                                  std::string_view action,
                                                  std::string_view resource,
                                                  std::string_view region,
                                                  std::string_view source_ip, TimePoint now) {
  OT_ASSIGN_OR_RETURN(auto state, CachedPrincipal(caller));
  AuthzCheck check;
  check.action = std::string(action);
  check.resource = std::string(resource);
  const std::string_view service = action.substr(0, action.find(':'));
  Authorization out;
  OT_RETURN_IF_ERROR(
      EvaluateCheck(*state, caller, service, region, source_ip, now, AuthzPlan{}, check, &out));
  return out;
}

Status Authorizer::EvaluateCheck(const PrincipalState& state_ref, const auth::Principal& caller,
                                 std::string_view signing_name, std::string_view region,
                                 std::string_view source_ip, TimePoint now, const AuthzPlan& plan,
                                 const AuthzCheck& check, Authorization* out) {
  const PrincipalState* state = &state_ref;
  const int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  policy::Request req;
  req.principal = state->principal;
  req.action = check.action;
  req.resource = check.resource;
  if (check.resource_account != caller.account_id) {
    req.resource_account = check.resource_account;
  }
  req.epoch_seconds = now_seconds;
  for (const auto& [key, value] : state->context) req.context.Set(key, value);
  for (const auto& [key, values] : state->multi_context) req.context.SetMulti(key, values);
  if (state->mfa_at.has_value()) {
    req.context.Set(
        "aws:MultiFactorAuthAge",
        std::to_string(std::max<int64_t>(0, now_seconds - static_cast<int64_t>(*state->mfa_at))));
  }
  if (!source_ip.empty()) {
    req.context.Set("aws:SourceIp", std::string(source_ip));
  }
  // orgtwin serves plain HTTP.
  req.context.Set("aws:SecureTransport", "false");
  req.context.Set("aws:RequestedRegion", std::string(region));
  for (const auto& [key, value] : plan.context) req.context.Set(key, value);
  for (const auto& [key, values] : plan.multi_context) req.context.SetMulti(key, values);
  req.DeriveGlobalKeys();

  policy::PolicySet set = state->policies;
  policy::Decision decision;
  bool evaluated = false;
  if (check.trust) {
    OT_ASSIGN_OR_RETURN(auto role, CachedRole(check.resource));
    if (!role->exists || role->trust == nullptr) {
      // No such role: nothing can allow the request.
      decision.effect = policy::DecisionEffect::kImplicitDeny;
      decision.decided_by = policy::Layer::kResource;
      decision.reason_layer = policy::Layer::kResource;
      evaluated = true;
    } else {
      set.resource = role->trust;
      // RCPs guard STS in the role's account when that account is a member account.
      OT_ASSIGN_OR_RETURN(auto owner, CachedAccount(req.EffectiveResourceAccount()));
      if (owner->member && owner->has_rcp) {
        set.has_rcp = true;
        set.rcp = owner->rcp;
      }
    }
  }
  if (check.action.rfind("sns:", 0) == 0 && check.resource.rfind("arn:aws:sns:", 0) == 0) {
    // The topic's policy is the request's resource-based policy: it alone can let another
    // account in, and in the topic's own account it allows beside the identity policies.
    Facts facts(*this);
    const std::string document = facts.SnsTopicPolicy(check.resource);
    if (!document.empty()) {
      policy::ParseOptions options;
      options.size_rule = policy::SizeRule::kNone;
      Result<PolicyPtr> topic_policy =
          compiled_.Get(check.resource + "/policy", "", document, Flavour::kResource, options);
      if (topic_policy.ok()) set.resource = *std::move(topic_policy);
      // AWS-COMPAT: SNS's legacy AWS:SourceOwner key (AWS's default topic policy tests it) is
      // the calling principal's account for an API call.
      if (req.context.Find("aws:sourceowner") == nullptr) {
        req.context.Set("aws:SourceOwner", caller.account_id);
      }
    }
  }
  if (!evaluated) decision = policy::Evaluate(req, set);
  // AWS-COMPAT: the root user's implicit allow in its own account never reaches a role's
  // trust policy: the trust policy itself must allow the caller (AWS-FACTS 1.2). Root's
  // sts:AssumeRole is refused before this (Authorize); this guards any other trust check.
  // Explicit denies, SCPs and RCPs were already applied by Evaluate.
  if (check.trust && decision.allowed() && decision.decided_by == policy::Layer::kRoot &&
      (set.resource == nullptr || !TrustPolicyAllows(*set.resource, req))) {
    decision = policy::Decision{};
    decision.effect = policy::DecisionEffect::kImplicitDeny;
    decision.decided_by = policy::Layer::kResource;
    decision.reason_layer = policy::Layer::kResource;
  }
  // AWS-COMPAT: an AssumeRoot session's task policy (a session policy) only denies: the AWS
  // managed root-task policies are Deny statements around root's implicit allow, so what they
  // do not deny stays allowed and what they deny is an explicit deny in a session policy.
  // (The engine applies session policies to role and federated sessions only.)
  if (decision.allowed() && state->principal.type == policy::PrincipalType::kRoot &&
      set.has_session) {
    std::vector<policy::MatchedStatement> denies;
    for (const PolicyPtr& session_policy : set.session) {
      MatchingDenies(*session_policy, req, policy::Layer::kSession, &denies);
    }
    if (!denies.empty()) {
      decision = policy::Decision{};
      decision.effect = policy::DecisionEffect::kExplicitDeny;
      decision.decided_by = policy::Layer::kSession;
      decision.reason_layer = policy::Layer::kSession;
      decision.matched = std::move(denies);
    }
  }
  const bool allowed = decision.allowed();
  Status denial = allowed ? Status::Ok() : DenialStatus(signing_name, req, check, decision);
  out->checks.push_back(CheckDecision{check, std::move(decision), std::move(set)});
  out->status = std::move(denial);
  return Status::Ok();
}

}  // namespace orgtwin::gateway
