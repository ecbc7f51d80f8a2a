#include "gateway/authorizer.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/log.h"
#include "policy/catalog.h"

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
  std::unordered_map<std::string, std::string> strings;  // small facts, keyed "kind:id"
};

namespace {

using policy::Flavour;
using policy::PolicyPtr;

constexpr std::string_view kAwsManagedPrefix = "arn:aws:iam::aws:policy/";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string IsoSeconds(double epoch_seconds) {
  return FormatIso8601Seconds(
      TimePoint(std::chrono::microseconds(static_cast<int64_t>(epoch_seconds * 1e6))));
}

// The principal ID the cache is keyed by: a session is its own principal (its session policies
// and tags are its own); long-term keys of one user share the user's entry.
std::string PrincipalKey(const auth::Principal& caller) {
  if (caller.temporary || StartsWith(caller.access_key_id, "ASIA")) {
    return "session:" + caller.access_key_id;
  }
  return std::string(auth::PrincipalTypeName(caller.type)) + ":" + caller.account_id + ":" +
         caller.name;
}

// A fresh read transaction per lookup: a failed statement poisons its transaction, and the
// lookups are independent.
Result<std::vector<store::Row>> ReadRows(store::Store& store, std::string_view sql,
                                         std::initializer_list<store::Value> params) {
  OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kRead));
  return tx->Query(sql, params);
}

// The resource's role name and path from "arn:aws:iam::A:role/path/name".
bool SplitRoleArn(std::string_view arn, std::string* account, std::string* path,
                  std::string* name) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (!StartsWith(arn, kPrefix)) return false;
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return false;
  *account = std::string(rest.substr(0, colon));
  std::string_view resource = rest.substr(colon + 1);
  if (!StartsWith(resource, "role/")) return false;
  std::string_view path_name = resource.substr(4);  // "/path/name"
  size_t last = path_name.rfind('/');
  *path = std::string(path_name.substr(0, last + 1));
  *name = std::string(path_name.substr(last + 1));
  return !name->empty();
}

// Whether an Allow statement of a role's trust policy matches `req` (principal, conditions).
bool TrustPolicyAllows(const policy::CompiledPolicy& trust, const policy::Request& req) {
  const std::string lower = LowerAscii(req.action);
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

}  // namespace

// ResourceFacts over the store, cached per epoch like everything else.
class Authorizer::Facts final : public ResourceFacts {
 public:
  explicit Facts(Authorizer& authorizer) : a_(authorizer) {}

  IamEntity FindIamEntity(std::string_view kind, std::string_view account,
                          std::string_view name) override {
    std::string key = std::string(kind) + ":" + std::string(account) + ":" + LowerAscii(name);
    uint64_t generation = a_.SyncGeneration();
    {
      std::shared_lock lock(a_.mu_);
      auto it = a_.cache_->entities.find(key);
      if (it != a_.cache_->entities.end()) return it->second;
    }
    IamEntity entity;
    std::string sql;
    // The third column is the ID under which iam_tags keeps the entity's tags ("" = untagged).
    std::string tag_type;
    if (kind == "user") {
      sql =
          "SELECT path, permissions_boundary_arn, user_id FROM iam_users "
          "WHERE account_id = ? AND user_name_lower = ?";
      tag_type = "User";
    } else if (kind == "role") {
      sql =
          "SELECT path, permissions_boundary_arn, role_id FROM iam_roles "
          "WHERE account_id = ? AND role_name_lower = ?";
      tag_type = "Role";
    } else if (kind == "group") {
      sql = "SELECT path, '', '' FROM iam_groups WHERE account_id = ? AND group_name_lower = ?";
    } else if (kind == "instance-profile") {
      sql =
          "SELECT path, '', '' FROM iam_instance_profiles "
          "WHERE account_id = ? AND profile_name_lower = ?";
    }
    if (!sql.empty()) {
      auto rows = ReadRows(a_.store_, sql, {std::string(account), LowerAscii(name)});
      if (!rows.ok()) {
        Log(LogLevel::kWarn, "authorizer: " + rows.status().ToString());
      } else if (!rows->empty()) {
        entity.exists = true;
        entity.path = rows->front().Text(0).empty() ? "/" : rows->front().Text(0);
        entity.boundary_arn = rows->front().Text(1);
        const std::string& id = rows->front().Text(2);
        if (!tag_type.empty() && !id.empty()) {
          auto tags = ReadRows(a_.store_,
                               "SELECT tag_key, tag_value FROM iam_tags WHERE entity_type = ? "
                               "AND entity_id = ? ORDER BY position",
                               {tag_type, id});
          if (!tags.ok()) {
            Log(LogLevel::kWarn, "authorizer: " + tags.status().ToString());
          } else {
            for (const store::Row& tag : *tags) entity.tags.emplace_back(tag.Text(0), tag.Text(1));
          }
        }
      }
    }
    Store(generation, [&](Cache& c) { c.entities[key] = entity; });
    return entity;
  }

  OrgInfo OrgOfAccount(std::string_view account) override {
    auto org = a_.CachedAccount(std::string(account));
    if (!org.ok()) return {};
    return OrgInfo{(*org)->org_id, (*org)->management_account, (*org)->feature_set};
  }

  OrgInfo OrgOfHandshake(std::string_view handshake_id, std::string* action) override {
    std::string packed =
        CachedString("handshake:" + std::string(handshake_id),
                     "SELECT h.org_id || '|' || o.management_account_id || '|' || "
                     "o.feature_set || '|' || h.action "
                     "FROM org_handshakes h JOIN organizations o ON o.org_id = h.org_id "
                     "WHERE h.handshake_id = ?",
                     handshake_id);
    // "org|management|feature_set|action"
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t bar = packed.find('|', start);
      parts.push_back(packed.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (parts.size() != 4) return {};
    *action = parts[3];
    return OrgInfo{parts[0], parts[1], parts[2]};
  }

  std::vector<std::pair<std::string, std::string>> OrgResourceTags(
      std::string_view resource_id) override {
    // Packed as key US value RS ...: the tag pattern allows neither control character.
    std::string packed = CachedString(
        "orgtags:" + std::string(resource_id),
        "SELECT COALESCE(group_concat(tag_key || char(31) || tag_value, char(30)), '') FROM "
        "(SELECT tag_key, tag_value FROM org_tags WHERE resource_id = ? ORDER BY tag_key)",
        resource_id);
    std::vector<std::pair<std::string, std::string>> tags;
    for (size_t start = 0; start < packed.size();) {
      size_t end = packed.find('\x1e', start);
      if (end == std::string::npos) end = packed.size();
      std::string tag = packed.substr(start, end - start);
      size_t unit = tag.find('\x1f');
      if (unit != std::string::npos) tags.emplace_back(tag.substr(0, unit), tag.substr(unit + 1));
      start = end + 1;
    }
    return tags;
  }

  std::string TransferDirection(std::string_view transfer_id, std::string_view account) override {
    // "target|source": the two management accounts of the transfer.
    std::string packed = CachedString("transfer:" + std::string(transfer_id),
                                      "SELECT target_account_id || '|' || source_account_id FROM "
                                      "org_responsibility_transfers WHERE transfer_id = ?",
                                      transfer_id);
    size_t bar = packed.find('|');
    if (bar == std::string::npos || account.empty()) return "";
    if (packed.compare(0, bar, account) == 0) return "inbound";
    if (packed.compare(bar + 1, std::string::npos, account) == 0) return "outbound";
    return "";
  }

  std::string OrgPolicyType(std::string_view policy_id) override {
    return CachedString("policytype:" + std::string(policy_id),
                        "SELECT policy_type FROM org_policies WHERE policy_id = ?", policy_id);
  }

  std::string AccessKeyUser(std::string_view access_key_id) override {
    return CachedString("keyuser:" + std::string(access_key_id),
                        "SELECT principal_name FROM access_keys "
                        "WHERE access_key_id = ? AND principal_type = 'User'",
                        access_key_id);
  }

 private:
  template <typename Fn>
  void Store(uint64_t generation, Fn&& fn) {
    std::unique_lock lock(a_.mu_);
    if (a_.cache_->generation == generation && a_.generation() == generation) fn(*a_.cache_);
  }

  // One text column of the first row of `sql` (bound to `id`), "" when absent.
  std::string CachedString(const std::string& key, std::string_view sql, std::string_view id) {
    uint64_t generation = a_.SyncGeneration();
    {
      std::shared_lock lock(a_.mu_);
      auto it = a_.cache_->strings.find(key);
      if (it != a_.cache_->strings.end()) return it->second;
    }
    std::string value;
    auto rows = ReadRows(a_.store_, sql, {std::string(id)});
    if (!rows.ok()) {
      Log(LogLevel::kWarn, "authorizer: " + rows.status().ToString());
    } else if (!rows->empty()) {
      value = rows->front().Text(0);
    }
    Store(generation, [&](Cache& c) { c.strings[key] = value; });
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

PolicyPtr Authorizer::CompileStored(std::string_view id, std::string_view text, Flavour flavour) {
  // Stored documents passed their size rule when written (inline limits differ per entity).
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;
  Result<PolicyPtr> compiled = compiled_.Get(id, "", text, flavour, options);
  if (!compiled.ok()) {
    Log(LogLevel::kWarn, "authorizer: stored policy " + std::string(id) +
                             " does not compile: " + compiled.status().ToString());
    return nullptr;
  }
  return *compiled;
}

Result<PolicyPtr> Authorizer::ManagedPolicy(store::Transaction& tx, const std::string& arn,
                                            Flavour flavour) {
  if (StartsWith(arn, kAwsManagedPrefix)) {
    const policy::ManagedPolicy* managed = policy::ManagedPolicies().FindByArn(arn);
    if (managed == nullptr) return PolicyPtr();
    return CompileStored(arn, managed->document, flavour);
  }
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT p.policy_id, v.document, p.default_version_id, "
                                          "v.version_number FROM iam_policies p "
                                          "JOIN iam_policy_versions v ON v.policy_id = p.policy_id "
                                          "WHERE p.arn = ?",
                                          {arn}));
  for (const store::Row& row : rows) {
    if (row.Text(2) == "v" + std::to_string(row.Int(3))) {
      return CompileStored(arn, row.Text(1), flavour);
    }
  }
  return PolicyPtr();
}

Status Authorizer::AddEntityPolicies(store::Transaction& tx, std::string_view entity_type,
                                     const std::string& entity_id, const std::string& label,
                                     std::vector<PolicyPtr>* out) {
  OT_ASSIGN_OR_RETURN(auto inline_rows,
                      tx.Query("SELECT policy_name, document FROM iam_inline_policies "
                               "WHERE entity_type = ? AND entity_id = ? ORDER BY policy_name",
                               {std::string(entity_type), entity_id}));
  for (const store::Row& row : inline_rows) {
    PolicyPtr p = CompileStored(label + "/" + row.Text(0), row.Text(1), Flavour::kIdentity);
    if (p != nullptr) out->push_back(std::move(p));
  }
  OT_ASSIGN_OR_RETURN(auto attached,
                      tx.Query("SELECT policy_arn FROM iam_attachments "
                               "WHERE entity_type = ? AND entity_id = ? ORDER BY policy_arn",
                               {std::string(entity_type), entity_id}));
  for (const store::Row& row : attached) {
    OT_ASSIGN_OR_RETURN(PolicyPtr p, ManagedPolicy(tx, row.Text(0), Flavour::kIdentity));
    if (p != nullptr) out->push_back(std::move(p));
  }
  return Status::Ok();
}

Result<std::shared_ptr<const Authorizer::AccountOrg>> Authorizer::LoadAccountOrg(
    const std::string& account) {
  auto org = std::make_shared<AccountOrg>();
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
  OT_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT a.org_id, a.parent_id, o.management_account_id, "
                                           "o.feature_set FROM org_accounts a "
                                           "JOIN organizations o ON o.org_id = a.org_id "
                                           "WHERE a.account_id = ?",
                                           {account}));
  if (rows.empty()) return std::shared_ptr<const AccountOrg>(std::move(org));
  org->org_id = rows.front().Text(0);
  org->management_account = rows.front().Text(2);
  org->member = org->management_account != account;
  org->feature_set = rows.front().Text(3);
  const bool all_features = org->feature_set == "ALL";

  // Parent chain account -> OU... -> root (OUs nest at most 5 deep; the bound guards bad data).
  std::vector<std::string> chain;  // root first once reversed
  std::string parent = rows.front().Text(1);
  for (int depth = 0; depth < 16 && StartsWith(parent, "ou-"); ++depth) {
    chain.push_back(parent);
    OT_ASSIGN_OR_RETURN(auto up,
                        tx->Query("SELECT parent_id FROM org_units WHERE ou_id = ?", {parent}));
    if (up.empty()) break;
    parent = up.front().Text(0);
  }
  chain.push_back(parent);  // the root
  std::vector<std::string> levels(chain.rbegin(), chain.rend());
  org->org_path = org->org_id + "/";
  for (const std::string& id : levels) org->org_path += id + "/";
  levels.push_back(account);

  if (!org->member || !all_features) return std::shared_ptr<const AccountOrg>(std::move(org));
  struct Kind {
    const char* type;
    Flavour flavour;
    bool* has;
    std::vector<std::vector<PolicyPtr>>* out;
  };
  const Kind kinds[] = {
      {"SERVICE_CONTROL_POLICY", Flavour::kScp, &org->has_scp, &org->scp},
      {"RESOURCE_CONTROL_POLICY", Flavour::kRcp, &org->has_rcp, &org->rcp},
  };
  for (const Kind& kind : kinds) {
    OT_ASSIGN_OR_RETURN(auto status, tx->Query("SELECT status FROM org_root_policy_types "
                                               "WHERE root_id = ? AND policy_type = ?",
                                               {levels.front(), std::string(kind.type)}));
    if (status.empty() || status.front().Text(0) != "ENABLED") continue;
    *kind.has = true;
    for (const std::string& target : levels) {
      OT_ASSIGN_OR_RETURN(auto attached,
                          tx->Query("SELECT p.policy_id, p.content FROM org_policy_attachments a "
                                    "JOIN org_policies p ON p.policy_id = a.policy_id "
                                    "WHERE a.org_id = ? AND a.target_id = ? AND p.policy_type = ? "
                                    "ORDER BY p.policy_id",
                                    {org->org_id, target, std::string(kind.type)}));
      std::vector<PolicyPtr> level;
      for (const store::Row& row : attached) {
        PolicyPtr p = CompileStored(row.Text(0), row.Text(1), kind.flavour);
        if (p != nullptr) level.push_back(std::move(p));
      }
      kind.out->push_back(std::move(level));
    }
  }
  return std::shared_ptr<const AccountOrg>(std::move(org));
}

Result<std::shared_ptr<const Authorizer::RoleTrust>> Authorizer::LoadRole(
    const std::string& role_arn) {
  auto role = std::make_shared<RoleTrust>();
  std::string account, path, name;
  if (!SplitRoleArn(role_arn, &account, &path, &name)) {
    return std::shared_ptr<const RoleTrust>(std::move(role));
  }
  OT_ASSIGN_OR_RETURN(auto rows, ReadRows(store_,
                                          "SELECT path, assume_role_policy FROM iam_roles "
                                          "WHERE account_id = ? AND role_name_lower = ?",
                                          {account, LowerAscii(name)}));
  // AWS-COMPAT: a role ARN must carry the role's path to name it.
  if (!rows.empty() && rows.front().Text(0) == path) {
    role->exists = true;
    role->trust = CompileStored(role_arn + "/trust", rows.front().Text(1), Flavour::kTrust);
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

  // Temporary credentials: the session row (0004_sts_sessions.sql) carries the session's
  // policies, tags, MFA state and issue time.
  std::optional<store::Row> session;
  if (caller.temporary || StartsWith(caller.access_key_id, "ASIA")) {
    OT_ASSIGN_OR_RETURN(auto rows,
                        tx->Query("SELECT kind, role_id, role_name, session_name, user_name, "
                                  "session_policies, session_tags, source_identity, "
                                  "mfa_authenticated, mfa_authenticated_at, issued_at "
                                  "FROM sts_sessions WHERE access_key_id = ?",
                                  {caller.access_key_id}));
    if (!rows.empty()) session = rows.front();
  }
  std::vector<std::pair<std::string, std::string>> tags;  // aws:PrincipalTag, later wins
  auto read_tags = [&](std::string_view entity_type, const std::string& id) -> Status {
    OT_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT tag_key, tag_value FROM iam_tags "
                                             "WHERE entity_type = ? AND entity_id = ? "
                                             "ORDER BY position",
                                             {std::string(entity_type), id}));
    for (const store::Row& row : rows) tags.emplace_back(row.Text(0), row.Text(1));
    return Status::Ok();
  };
  // An IAM user's identity policies (its own and its groups'), boundary and tags.
  auto load_user = [&](const std::string& name, bool tags_and_boundary) -> Status {
    OT_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT user_id, path, permissions_boundary_arn "
                                             "FROM iam_users WHERE account_id = ? "
                                             "AND user_name_lower = ?",
                                             {caller.account_id, LowerAscii(name)}));
    if (rows.empty()) return Status::Ok();  // a deleted user: no policies, denied
    const std::string user_id = rows.front().Text(0);
    state->user_path = rows.front().Text(1).empty() ? "/" : rows.front().Text(1);
    const std::string label = "user/" + name;
    OT_RETURN_IF_ERROR(AddEntityPolicies(*tx, "User", user_id, label, &state->policies.identity));
    OT_ASSIGN_OR_RETURN(auto groups, tx->Query("SELECT group_id FROM iam_group_members "
                                               "WHERE user_id = ? ORDER BY group_id",
                                               {user_id}));
    for (const store::Row& g : groups) {
      OT_RETURN_IF_ERROR(AddEntityPolicies(*tx, "Group", g.Text(0), "group/" + g.Text(0),
                                           &state->policies.identity));
    }
    if (tags_and_boundary) {
      if (!rows.front().IsNull(2) && !rows.front().Text(2).empty()) {
        OT_ASSIGN_OR_RETURN(state->policies.boundary,
                            ManagedPolicy(*tx, rows.front().Text(2), Flavour::kBoundary));
      }
      OT_RETURN_IF_ERROR(read_tags("User", user_id));
    }
    return Status::Ok();
  };
  auto load_session_policies = [&]() {
    if (!session.has_value()) return;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(session->Text(5), ec);
    if (ec || !parsed.is_array()) return;
    int index = 0;
    for (const auto& doc : parsed.get_array()) {
      std::string text =
          doc.is_string() ? std::string(doc.get_string()) : boost::json::serialize(doc);
      PolicyPtr compiled = CompileStored(caller.arn + "/session/" + std::to_string(index++), text,
                                         Flavour::kSession);
      if (compiled != nullptr) state->policies.session.push_back(std::move(compiled));
    }
    state->policies.has_session = !parsed.get_array().empty();
  };

  switch (caller.type) {
    case auth::PrincipalType::kRoot:
      p.type = policy::PrincipalType::kRoot;
      if (p.user_id.empty()) p.user_id = caller.account_id;
      break;
    case auth::PrincipalType::kUser: {
      p.type = policy::PrincipalType::kUser;
      state->user_name = caller.name;
      OT_RETURN_IF_ERROR(load_user(caller.name, /*tags_and_boundary=*/true));
      // AWS-COMPAT: the user's ARN carries its path.
      p.arn = "arn:aws:iam::" + caller.account_id + ":user" + state->user_path + caller.name;
      break;
    }
    case auth::PrincipalType::kAssumedRole: {
      p.type = policy::PrincipalType::kAssumedRole;
      std::string sql = "SELECT role_id, path, role_name, permissions_boundary_arn FROM iam_roles ";
      std::vector<store::Value> params;
      if (session.has_value() && !session->Text(1).empty()) {
        sql += "WHERE role_id = ?";
        params.push_back(session->Text(1));
      } else {
        sql += "WHERE account_id = ? AND role_name_lower = ?";
        params.push_back(caller.account_id);
        params.push_back(LowerAscii(caller.name));
      }
      OT_ASSIGN_OR_RETURN(auto roles, tx->Query(sql, params));
      if (!roles.empty()) {
        const store::Row& role = roles.front();
        const std::string role_id = role.Text(0);
        const std::string path = role.Text(1).empty() ? "/" : role.Text(1);
        p.role_arn = "arn:aws:iam::" + caller.account_id + ":role" + path + role.Text(2);
        // AWS-COMPAT: sessions of service-linked roles are exempt from SCPs and RCPs.
        if (StartsWith(path, "/aws-service-role/")) {
          p.type = policy::PrincipalType::kServiceLinkedRole;
        }
        if (p.user_id.empty()) p.user_id = role_id + ":" + caller.session_name;
        OT_RETURN_IF_ERROR(AddEntityPolicies(*tx, "Role", role_id, "role/" + role.Text(2),
                                             &state->policies.identity));
        if (!role.IsNull(3) && !role.Text(3).empty()) {
          OT_ASSIGN_OR_RETURN(state->policies.boundary,
                              ManagedPolicy(*tx, role.Text(3), Flavour::kBoundary));
        }
        OT_RETURN_IF_ERROR(read_tags("Role", role_id));
      }
      load_session_policies();
      break;
    }
    case auth::PrincipalType::kFederatedUser: {
      p.type = policy::PrincipalType::kFederatedUser;
      // AWS-COMPAT: a federated user gets the intersection of the issuing IAM user's policies
      // and the session policies passed to GetFederationToken (none passed: nothing).
      if (session.has_value() && !session->Text(4).empty()) {
        OT_RETURN_IF_ERROR(load_user(session->Text(4), /*tags_and_boundary=*/false));
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
    boost::json::value parsed = boost::json::parse(session->Text(6), ec);
    if (!ec && parsed.is_object()) {
      for (const auto& kv : parsed.get_object()) {
        if (!kv.value().is_string()) continue;
        std::string key(kv.key());
        std::erase_if(tags, [&](const auto& t) { return LowerAscii(t.first) == LowerAscii(key); });
        tags.emplace_back(key, std::string(kv.value().get_string()));
      }
    }
    const bool mfa = session->Int(8) != 0;
    state->context.emplace_back("aws:MultiFactorAuthPresent", mfa ? "true" : "false");
    if (mfa && !session->IsNull(9)) state->mfa_at = session->Double(9);
    state->context.emplace_back("aws:TokenIssueTime", IsoSeconds(session->Double(10)));
    if (!session->IsNull(7) && !session->Text(7).empty()) {
      state->context.emplace_back("aws:SourceIdentity", session->Text(7));
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
  const bool allowed = decision.allowed();
  Status denial = allowed ? Status::Ok() : DenialStatus(signing_name, req, check, decision);
  out->checks.push_back(CheckDecision{check, std::move(decision), std::move(set)});
  out->status = std::move(denial);
  return Status::Ok();
}

}  // namespace orgtwin::gateway
