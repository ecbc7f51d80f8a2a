#include "verify/state.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "client/profiles.h"
#include "common/json_fields.h"
#include "structure/documents.h"

namespace orgtwin::verify {
namespace {

namespace json = boost::json;
using json_fields::Arr;
using json_fields::Str;

// The parties that may read `account`: its owner first, then every other party with a profile
// there (the file's `profiles`).
std::vector<std::string> ReadersOf(const structure::Structure& s, const std::string& account) {
  std::vector<std::string> readers;
  const structure::Account* found = s.FindAccount(account);
  if (found != nullptr) readers.push_back(found->owner.value);
  for (const auto& [key, party] : s.parties) {
    if (party.account_profiles.count(account) != 0 &&
        std::find(readers.begin(), readers.end(), key) == readers.end()) {
      readers.push_back(key);
    }
  }
  return readers;
}

// The attached managed policies' documents from the listing's Policies (their default version).
std::map<std::string, std::string> ManagedDocuments(const std::vector<json::object>& pages) {
  std::map<std::string, std::string> documents;
  for (const json::object& page : pages) {
    for (const json::value& policy : Arr(page, "Policies")) {
      const json::object& p = policy.as_object();
      for (const json::value& version : Arr(p, "PolicyVersionList")) {
        const json::object& v = version.as_object();
        const json::value* is_default = v.if_contains("IsDefaultVersion");
        if (is_default != nullptr && is_default->is_bool() && is_default->as_bool()) {
          documents[Str(p, "Arn")] = structure::DecodeDocument(Str(v, "Document"));
        }
      }
    }
  }
  return documents;
}

void AddInline(const json::object& entity, const char* list, const std::string& owner,
               std::vector<Document>* into) {
  for (const json::value& policy : Arr(entity, list)) {
    const json::object& p = policy.as_object();
    into->push_back({owner + " inline " + Str(p, "PolicyName"),
                     structure::DecodeDocument(Str(p, "PolicyDocument"))});
  }
}

void AddAttached(const json::object& entity, const std::map<std::string, std::string>& managed,
                 std::vector<Document>* into, std::vector<std::string>* unread) {
  for (const json::value& policy : Arr(entity, "AttachedManagedPolicies")) {
    const std::string arn = Str(policy.as_object(), "PolicyArn");
    auto found = managed.find(arn);
    if (found == managed.end()) {
      unread->push_back("the document of " + arn + " (not in GetAccountAuthorizationDetails)");
      continue;
    }
    into->push_back({arn, found->second});
  }
}

std::optional<Document> Boundary(const json::object& entity,
                                 const std::map<std::string, std::string>& managed) {
  const json::value* boundary = entity.if_contains("PermissionsBoundary");
  if (boundary == nullptr || !boundary->is_object()) return std::nullopt;
  const std::string arn = Str(boundary->as_object(), "PermissionsBoundaryArn");
  auto found = managed.find(arn);
  if (arn.empty() || found == managed.end()) return std::nullopt;
  return Document{arn, found->second};
}

// A user or role of GetAccountAuthorizationDetails with its own policies and boundary (a user's
// groups and a role's trust are the caller's to add).
IamPrincipal IamPrincipalFrom(const json::object& entity, PrincipalKind kind,
                              const std::string& account_id,
                              const std::map<std::string, std::string>& managed,
                              std::vector<std::string>* unread) {
  const bool user = kind == PrincipalKind::kUser;
  IamPrincipal p;
  p.kind = kind;
  p.account_id = account_id;
  p.name = Str(entity, user ? "UserName" : "RoleName");
  p.arn = Str(entity, "Arn");
  AddInline(entity, user ? "UserPolicyList" : "RolePolicyList", (user ? "user/" : "role/") + p.name,
            &p.identity);
  AddAttached(entity, managed, &p.identity, unread);
  p.boundary = Boundary(entity, managed);
  return p;
}

// The account's IAM, from GetAccountAuthorizationDetails.
void FillIam(const std::vector<json::object>& pages, AccountView* view,
             std::vector<std::string>* unread) {
  const std::map<std::string, std::string> managed = ManagedDocuments(pages);
  std::map<std::string, std::vector<Document>> group_policies;
  for (const json::object& page : pages) {
    for (const json::value& group : Arr(page, "GroupDetailList")) {
      const json::object& g = group.as_object();
      std::vector<Document>& docs = group_policies[Str(g, "GroupName")];
      AddInline(g, "GroupPolicyList", "group/" + Str(g, "GroupName"), &docs);
      AddAttached(g, managed, &docs, unread);
    }
  }
  for (const json::object& page : pages) {
    for (const json::value& user : Arr(page, "UserDetailList")) {
      const json::object& u = user.as_object();
      IamPrincipal p = IamPrincipalFrom(u, PrincipalKind::kUser, view->id, managed, unread);
      for (const json::value& group : Arr(u, "GroupList")) {
        p.groups.emplace_back(group.as_string());
        const auto& docs = group_policies[std::string(group.as_string())];
        p.identity.insert(p.identity.end(), docs.begin(), docs.end());
      }
      view->users.push_back(std::move(p));
    }
    for (const json::value& role : Arr(page, "RoleDetailList")) {
      const json::object& r = role.as_object();
      IamPrincipal p = IamPrincipalFrom(r, PrincipalKind::kRole, view->id, managed, unread);
      p.trust = structure::DecodeDocument(Str(r, "AssumeRolePolicyDocument"));
      view->roles.push_back(std::move(p));
    }
  }
}

// Reads the IAM and the root user's credentials of `view`, as the first reader that can.
void ReadAccount(structure::Session& session, AccountView* view, State* state) {
  const structure::Structure& s = session.structure();
  std::string failures;
  for (const std::string& party : ReadersOf(s, view->key)) {
    auto pages = session.AllPages(party, view->key, "iam", "GetAccountAuthorizationDetails");
    if (!pages.ok()) {
      failures.append(failures.empty() ? "" : "; ").append(party + ": " + pages.error().code);
      continue;
    }
    FillIam(*pages, view, &state->unread);
    view->iam_read = true;
    auto summary = session.Call(party, view->key, "iam", "GetAccountSummary");
    if (summary.ok()) {
      const json::value* map = summary->if_contains("SummaryMap");
      auto count = [&](const char* key) {
        const json::value* v =
            map != nullptr && map->is_object() ? map->as_object().if_contains(key) : nullptr;
        return v != nullptr && v->is_int64() && v->as_int64() > 0;
      };
      view->summary_read = true;
      view->root_access_keys = count("AccountAccessKeysPresent");
      view->root_mfa = count("AccountMFAEnabled");
      view->root_password = count("AccountPasswordPresent");
    } else {
      state->unread.push_back("the root user's credentials in `" + view->key +
                              "` (GetAccountSummary: " + summary.error().code + ")");
    }
    return;
  }
  state->unread.push_back("the IAM of `" + view->key + "` (" +
                          (failures.empty() ? "no party has a profile there" : failures) + ")");
}

// The IDs of the levels from the root down to `account_id` (itself last): where policies apply.
Result<std::vector<std::string>> LevelsDownTo(structure::Session& session, const std::string& party,
                                              const std::string& management,
                                              const std::string& account_id) {
  std::vector<std::string> levels{account_id};
  for (std::string child = account_id;;) {
    auto parents =
        session.Call(party, management, "organizations", "ListParents", {{"ChildId", child}});
    if (!parents.ok()) return InvalidInputError("ListParents: " + parents.error().ToString());
    const json::array& list = Arr(*parents, "Parents");
    if (list.empty()) break;
    const json::object& parent = list.front().as_object();
    levels.push_back(Str(parent, "Id"));
    if (Str(parent, "Type") == "ROOT") break;
    child = Str(parent, "Id");
  }
  std::reverse(levels.begin(), levels.end());
  return levels;
}

// Every OU of the organization, by ID, with its path from the root ("Workloads/Prod").
std::map<std::string, std::string> ReadUnits(structure::Session& session, const std::string& party,
                                             const std::string& management,
                                             const std::string& root_id, State* state) {
  std::map<std::string, std::string> paths;
  std::vector<std::pair<std::string, std::string>> pending{{root_id, ""}};  // id, its path
  while (!pending.empty()) {
    auto [parent, prefix] = pending.back();
    pending.pop_back();
    auto pages = session.AllPages(party, management, "organizations",
                                  "ListOrganizationalUnitsForParent", {{"ParentId", parent}});
    if (!pages.ok()) {
      state->unread.push_back("the OUs under " + parent + " (" + pages.error().code + ")");
      continue;
    }
    for (const json::object& page : *pages) {
      for (const json::value& unit : Arr(page, "OrganizationalUnits")) {
        const std::string id = Str(unit.as_object(), "Id");
        const std::string path = prefix + Str(unit.as_object(), "Name");
        paths[id] = path;
        pending.emplace_back(id, path + "/");
      }
    }
  }
  return paths;
}

// The policies of `type` attached at each level, root first.
Result<std::vector<std::vector<Document>>> PoliciesAt(structure::Session& session,
                                                      const std::string& party,
                                                      const std::string& management,
                                                      const std::vector<std::string>& targets,
                                                      const std::string& type,
                                                      std::map<std::string, Document>* cache) {
  std::vector<std::vector<Document>> levels;
  for (const std::string& target : targets) {
    auto pages = session.AllPages(party, management, "organizations", "ListPoliciesForTarget",
                                  {{"TargetId", target}, {"Filter", type}});
    if (!pages.ok()) {
      return InvalidInputError("ListPoliciesForTarget: " + pages.error().ToString());
    }
    std::vector<Document>& level = levels.emplace_back();
    for (const json::object& page : *pages) {
      for (const json::value& summary : Arr(page, "Policies")) {
        const std::string id = Str(summary.as_object(), "Id");
        auto cached = cache->find(id);
        if (cached == cache->end()) {
          auto described = session.Call(party, management, "organizations", "DescribePolicy",
                                        {{"PolicyId", id}});
          if (!described.ok()) {
            return InvalidInputError("DescribePolicy: " + described.error().ToString());
          }
          const json::object& policy = described->at("Policy").as_object();
          const std::string name = Str(policy.at("PolicySummary").as_object(), "Name");
          cached =
              cache->emplace(id, Document{name + " (" += id + ")", Str(policy, "Content")}).first;
        }
        level.push_back(cached->second);
      }
    }
  }
  return levels;
}

// The payer's organization: who is a member, and the SCP and RCP levels above each member.
void ReadOrganization(structure::Session& session, State* state) {
  const structure::Structure& s = session.structure();
  if (!s.organization) return;
  const std::string& management = s.organization->management_account;
  const std::string& admin = s.organization->administered_by.value;
  for (AccountView& view : state->accounts) view.management = view.key == management;
  auto described = session.Call(admin, management, "organizations", "DescribeOrganization");
  if (described.ok()) {
    state->organization_id = Str(described->at("Organization").as_object(), "Id");
  }
  auto roots = session.Call(admin, management, "organizations", "ListRoots");
  if (!roots.ok()) {
    state->unread.push_back("the organization of `" + management + "` (" + admin +
                            ": ListRoots: " + roots.error().code + ")");
    return;
  }
  const json::array& root_list = Arr(*roots, "Roots");
  if (root_list.empty()) return;
  const json::object& root = root_list.front().as_object();
  std::set<std::string> enabled;
  for (const json::value& type : Arr(root, "PolicyTypes")) {
    if (Str(type.as_object(), "Status") == "ENABLED") enabled.insert(Str(type.as_object(), "Type"));
  }
  auto accounts = session.AllPages(admin, management, "organizations", "ListAccounts");
  if (!accounts.ok()) {
    state->unread.push_back("the organization's accounts (ListAccounts: " + accounts.error().code +
                            ")");
    return;
  }
  std::set<std::string> members;
  for (const json::object& page : *accounts) {
    for (const json::value& a : Arr(page, "Accounts")) members.insert(Str(a.as_object(), "Id"));
  }
  std::map<std::string, Document> cache;
  const std::map<std::string, std::string> unit_paths =
      ReadUnits(session, admin, management, Str(root, "Id"), state);
  for (const auto& [id, path] : unit_paths) state->units.push_back(path);
  std::sort(state->units.begin(), state->units.end());
  for (AccountView& view : state->accounts) {
    if (view.management) view.organization_root_id = Str(root, "Id");
    view.member = !view.management && members.count(view.id) != 0;
    if (!view.member) continue;
    auto above = LevelsDownTo(session, admin, management, view.id);
    if (!above.ok()) {
      state->unread.push_back("the place of `" + view.key + "`: " + above.status().message());
      continue;
    }
    for (const std::string& level : *above) {
      if (auto unit = unit_paths.find(level); unit != unit_paths.end()) {
        view.ou_path = unit->second;
      }
    }
    for (const auto& [type, levels] : {std::pair{"SERVICE_CONTROL_POLICY", &view.scp_levels},
                                       std::pair{"RESOURCE_CONTROL_POLICY", &view.rcp_levels}}) {
      if (enabled.count(type) == 0) continue;
      auto read = PoliciesAt(session, admin, management, *above, type, &cache);
      if (!read.ok()) {
        state->unread.push_back(std::string(type) + " above `" + view.key +
                                "`: " + read.status().message());
        continue;
      }
      *levels = *std::move(read);
    }
  }
}

// Follows each profile of each party to the keys behind it.
void ReadFootholds(structure::Session& session, State* state) {
  const structure::Structure& s = session.structure();
  auto files = client::AwsConfigFiles::Load();
  for (const auto& [key, party] : s.parties) {
    std::set<std::string> profiles{party.profile};
    for (const auto& [account, profile] : party.account_profiles) profiles.insert(profile.value);
    for (const std::string& named : profiles) {
      Foothold hold;
      hold.party = key;
      hold.reached_through = named;
      std::string profile = named;
      // A role profile is a path, not a credential: the party holds its source's keys (and the
      // MFA device and external ID the profile names); the analysis finds the role itself.
      for (int depth = 0; files.ok() && depth < 8; ++depth) {
        const client::ProfileValues* values = files->Profile(profile);
        if (values == nullptr) break;
        auto role = values->find("role_arn");
        auto source = values->find("source_profile");
        if (role == values->end() || source == values->end()) break;
        if (values->count("mfa_serial") != 0) hold.mfa = true;
        if (auto external = values->find("external_id"); external != values->end()) {
          hold.external_ids.push_back(external->second);
        }
        profile = source->second;
      }
      hold.profile = profile;
      auto who = session.CallerIdentityOf(profile);
      if (!who.ok()) {
        std::string what = "the keys of party `" + key;
        what.append("` behind profile `").append(named).append("`: ");
        state->unread.push_back(what.append(who.status().message()));
        continue;
      }
      hold.arn = Str(*who, "Arn");
      hold.account_id = Str(*who, "Account");
      auto same = std::find_if(
          state->footholds.begin(), state->footholds.end(),
          [&](const Foothold& f) { return f.party == hold.party && f.arn == hold.arn; });
      if (same != state->footholds.end()) {
        same->mfa = same->mfa || hold.mfa;
        same->external_ids.insert(same->external_ids.end(), hold.external_ids.begin(),
                                  hold.external_ids.end());
        continue;
      }
      state->footholds.push_back(std::move(hold));
    }
  }
}

// The alerting the file's `alerts:` rely on, as the organization's administrator (who builds it,
// task III.7) sees it in each alerted account.
void ReadAlerting(structure::Session& session, State* state) {
  const structure::Structure& s = session.structure();
  for (const structure::AlertRule& rule : s.alerts) {
    const std::string& account = rule.account.value;
    if (state->FindByKey(account) == nullptr) continue;
    const std::string reader = s.organization ? s.organization->administered_by.value
                                              : s.FindAccount(account)->owner.value;
    AlertPathView path;
    path.account = account;
    auto unread = [&](const std::string& what, const client::Error& error) {
      std::string gap = "the alerting of `" + account;
      gap.append("`: ").append(what).append(" (").append(reader).append(": ").append(error.code);
      state->unread.push_back(gap.append(")"));
    };
    auto trails = session.Call(reader, account, "cloudtrail", "DescribeTrails");
    if (!trails.ok()) unread("DescribeTrails", trails.error());
    for (const json::value& t : trails.ok() ? Arr(*trails, "trailList") : json::array{}) {
      const json::object& trail = t.as_object();
      auto status = session.Call(reader, account, "cloudtrail", "GetTrailStatus",
                                 {{"Name", Str(trail, "TrailARN")}});
      const json::value* logging = status.ok() ? status->if_contains("IsLogging") : nullptr;
      const bool on = logging != nullptr && logging->is_bool() && logging->as_bool();
      const json::value* org = trail.if_contains("IsOrganizationTrail");
      const bool organization = org != nullptr && org->is_bool() && org->as_bool();
      path.logging = path.logging || on;
      path.trails.push_back(Str(trail, "Name") + (organization ? " (organization trail, " : " (") +
                            (on ? "logging)" : "not logging)"));
    }
    std::set<std::string> alerted_topics;
    auto rules = session.AllPages(reader, account, "events", "ListRules");
    if (!rules.ok()) unread("ListRules", rules.error());
    for (const json::object& page : rules.ok() ? *rules : std::vector<json::object>{}) {
      for (const json::value& r : Arr(page, "Rules")) {
        const json::object& rule_object = r.as_object();
        // A rule that matches a console sign-in (the pattern III.7 writes, or any naming it).
        if (Str(rule_object, "EventPattern").find("Console Sign In") == std::string::npos) continue;
        const bool enabled = Str(rule_object, "State") == "ENABLED";
        auto targets = session.Call(reader, account, "events", "ListTargetsByRule",
                                    {{"Rule", Str(rule_object, "Name")}});
        std::string line = Str(rule_object, "Name") + " " + Str(rule_object, "State") + " ->";
        for (const json::value& target : targets.ok() ? Arr(*targets, "Targets") : json::array{}) {
          const std::string arn = Str(target.as_object(), "Arn");
          line.append(" ").append(arn);
          if (enabled) alerted_topics.insert(arn);
        }
        path.rule_enabled = path.rule_enabled || enabled;
        path.rules.push_back(std::move(line));
      }
    }
    auto subscriptions = session.AllPages(reader, account, "sns", "ListSubscriptions");
    if (!subscriptions.ok()) unread("ListSubscriptions", subscriptions.error());
    for (const json::object& page :
         subscriptions.ok() ? *subscriptions : std::vector<json::object>{}) {
      for (const json::value& sub : Arr(page, "Subscriptions")) {
        const json::object& o = sub.as_object();
        if (alerted_topics.count(Str(o, "TopicArn")) == 0) continue;
        path.deliveries.push_back({Str(o, "TopicArn"), Str(o, "Protocol"), Str(o, "Endpoint"),
                                   Str(o, "SubscriptionArn") != "PendingConfirmation"});
      }
    }
    state->alert_paths.push_back(std::move(path));
  }
}

}  // namespace

const AccountView* State::FindById(const std::string& id) const {
  for (const AccountView& a : accounts) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const AccountView* State::FindByKey(const std::string& key) const {
  for (const AccountView& a : accounts) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

Result<State> ReadState(structure::Session& session) {
  State state;
  const int64_t before = session.calls();
  for (const auto& [key, account] : session.structure().accounts) {
    std::optional<std::string> id = session.AccountId(key);
    if (!id) {
      state.unread.push_back("account `" + key + "`: its ID is not known (not created yet?)");
      continue;
    }
    AccountView view;
    view.key = key;
    view.id = *id;
    state.accounts.push_back(std::move(view));
  }
  for (AccountView& view : state.accounts) ReadAccount(session, &view, &state);
  ReadOrganization(session, &state);
  ReadFootholds(session, &state);
  ReadAlerting(session, &state);
  state.calls = session.calls() - before;
  return state;
}

}  // namespace orgtwin::verify
