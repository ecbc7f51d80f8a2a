#include "verify/analysis.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <set>
#include <unordered_map>

#include "common/ascii.h"
#include "policy/compiled_policy.h"
#include "policy/effective.h"
#include "policy/evaluator.h"

namespace orgtwin::verify {
namespace {

using policy::Flavour;
using policy::PolicyPtr;

constexpr std::string_view kRegion = "us-east-1";
// The name of a resource that does not exist: a capability is asked of "any" role, trail,
// rule or topic, so a statement scoped to one named resource does not grant it.
constexpr std::string_view kProbe = "orgtwin-verify-probe";
// An allow-everything identity policy: what a principal that can grant itself any permission
// ends up with (SCPs still apply).
constexpr std::string_view kAnything =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

// One principal a party can act as.
struct Node {
  enum class Kind { kPrincipal, kAdministrator, kRoot };
  Kind kind = Kind::kPrincipal;
  const IamPrincipal* principal = nullptr;  // kPrincipal
  const AccountView* account = nullptr;
  bool mfa = false;
  std::vector<std::string> external_ids;
  Chain chain;
  const char* via = "assume";  // how the step that reached it is drawn: Edge::kind

  std::string Arn() const {
    switch (kind) {
      case Kind::kRoot:
        return account->RootArn();
      case Kind::kAdministrator:
        return "any new principal of " + account->id;
      case Kind::kPrincipal:
        break;
    }
    return principal->arn;
  }
  std::string Key() const { return Arn() + (mfa ? "+mfa" : ""); }
};

struct Grant {
  Verdict verdict = Verdict::kDenied;
  std::vector<std::string> statements;
  std::vector<std::string> conditions;
};

// False when no Allow statement of `trust` can name `p` (its ARN, its role, its account, or
// everyone): the role is then closed to it, since a trust policy must always name its caller
// (AWS-FACTS 1.2). A cheap test before the decision itself, which most roles fail.
bool TrustMayName(const policy::CompiledPolicy& trust, const policy::Principal& p) {
  for (const policy::CompiledStatement& st : trust.statements()) {
    if (st.effect != policy::Effect::kAllow) continue;
    const policy::CompiledPrincipal& named = st.principal;
    if (!named.present || named.negated || named.wildcard) return true;
    auto has = [](const std::vector<std::string>& list, const std::string& value) {
      return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
    };
    if (has(named.accounts, p.account) || has(named.arns, p.arn) || has(named.arns, p.role_arn)) {
      return true;
    }
  }
  return false;
}

std::string StatementName(const policy::CompiledPolicy* p, int index, const std::string& sid) {
  return p->id() + (sid.empty() ? " statement " + std::to_string(index) : " " + sid);
}

class Analyzer {
 public:
  Analyzer(const State& state, const structure::Structure& s) : state_(state), s_(s) {}

  Analysis Run();

 private:
  PolicyPtr Compiled(const Document& document, Flavour flavour);
  struct Parts {
    std::vector<PolicyPtr> identity;
    PolicyPtr boundary;
  };
  const Parts& IdentityParts(const Node& node);
  const std::vector<std::vector<PolicyPtr>>& Levels(const AccountView& account, Flavour flavour);
  PolicyPtr TrustOf(const IamPrincipal& role);
  policy::PolicySet PolicySetOf(const Node& node, const AccountView& resource_account,
                                PolicyPtr resource_policy);
  policy::Principal PrincipalOf(const Node& node) const;
  Grant Decide(const Node& node, const std::string& action, const std::string& resource,
               const AccountView& resource_account, PolicyPtr resource_policy = nullptr);
  Grant DecideAny(const Node& node, std::initializer_list<std::string_view> actions,
                  const std::string& resource);
  bool TrustsService(const IamPrincipal& role, std::string_view service);

  // Every principal `party` reaches from `starts`, with the escalations found on the way.
  std::vector<Node> Reach(const std::string& party, std::vector<Node> starts);
  void Edges(const std::string& party, const Node& from, std::vector<Node>* out);
  void Escalate(const std::string& party, const Node& from, Node to, const std::string& how,
                const Grant& grant, std::vector<Node>* out);
  std::vector<Node> Footholds(const std::string& party);
  // The root-user factors `party` gains through the principals it reaches (phone, mailbox).
  void GainedFactors(const std::string& party, const std::vector<Node>& nodes);
  bool CoalitionReachesRoot(const std::set<std::string>& parties, const AccountView& account,
                            const structure::Custody& custody) const;
  void Coalitions(Analysis* out);
  Cell Best(const std::string& party, const AccountView& account, Capability capability,
            const std::vector<Node>& nodes);

  const State& state_;
  const structure::Structure& s_;
  std::map<std::string, PolicyPtr> compiled_;
  std::vector<std::string> not_modeled_;
  std::vector<Escalation> escalations_;
  std::vector<Edge> edges_;
  // (party, account key) -> factors it can set through IAM: "phone", "mailbox".
  std::map<std::pair<std::string, std::string>, std::set<std::string>> gained_;
  std::map<std::pair<std::string, std::string>, std::string> gained_how_;
  int64_t decisions_ = 0;
  // By principal (or, for an administrator, by account), by account, by role.
  std::unordered_map<const void*, Parts> identity_parts_;
  std::unordered_map<const AccountView*, std::vector<std::vector<PolicyPtr>>> scp_levels_;
  std::unordered_map<const AccountView*, std::vector<std::vector<PolicyPtr>>> rcp_levels_;
  std::unordered_map<const IamPrincipal*, PolicyPtr> trust_;
};

PolicyPtr Analyzer::Compiled(const Document& document, Flavour flavour) {
  const std::string key =
      std::to_string(static_cast<int>(flavour)) + "|" + document.id + "|" + document.text;
  if (auto found = compiled_.find(key); found != compiled_.end()) return found->second;
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;  // stored documents were sized when written
  auto made = policy::CompileText(document.text, flavour, document.id, options);
  PolicyPtr result = made.ok() ? *made : nullptr;
  if (!made.ok()) {
    not_modeled_.push_back("policy " + document.id + " does not compile (" +
                           made.status().message() + "): left out of every decision");
  }
  compiled_.emplace(key, result);
  return result;
}

const Analyzer::Parts& Analyzer::IdentityParts(const Node& node) {
  const void* key = node.kind == Node::Kind::kPrincipal ? static_cast<const void*>(node.principal)
                                                        : static_cast<const void*>(node.account);
  auto [found, fresh] = identity_parts_.try_emplace(key);
  if (!fresh) return found->second;
  Parts& parts = found->second;
  auto add = [&](const Document& d) {
    if (PolicyPtr p = Compiled(d, Flavour::kIdentity)) parts.identity.push_back(std::move(p));
  };
  if (node.kind == Node::Kind::kPrincipal) {
    for (const Document& d : node.principal->identity) add(d);
    if (node.principal->boundary) {
      parts.boundary = Compiled(*node.principal->boundary, Flavour::kBoundary);
    }
  } else if (node.kind == Node::Kind::kAdministrator) {
    add(Document{"any permission it grants itself", std::string(kAnything)});
  }
  return parts;
}

const std::vector<std::vector<PolicyPtr>>& Analyzer::Levels(const AccountView& account,
                                                            Flavour flavour) {
  auto& cache = flavour == Flavour::kScp ? scp_levels_ : rcp_levels_;
  auto [found, fresh] = cache.try_emplace(&account);
  if (!fresh) return found->second;
  for (const auto& level : flavour == Flavour::kScp ? account.scp_levels : account.rcp_levels) {
    auto& out = found->second.emplace_back();
    for (const Document& d : level) {
      if (PolicyPtr p = Compiled(d, flavour)) out.push_back(std::move(p));
    }
  }
  return found->second;
}

PolicyPtr Analyzer::TrustOf(const IamPrincipal& role) {
  auto [found, fresh] = trust_.try_emplace(&role);
  if (fresh)
    found->second = Compiled(Document{role.arn + " trust policy", role.trust}, Flavour::kTrust);
  return found->second;
}

// The policies deciding a request of `node` on a resource of `resource_account`. Compiled once
// per principal and account; a set shares them.
policy::PolicySet Analyzer::PolicySetOf(const Node& node, const AccountView& resource_account,
                                        PolicyPtr resource_policy) {
  policy::PolicySet set;
  if (node.kind != Node::Kind::kRoot) {
    const Parts& parts = IdentityParts(node);
    set.identity = parts.identity;
    set.boundary = parts.boundary;
  }
  set.has_scp = node.account->member && !node.account->scp_levels.empty();
  if (set.has_scp) set.scp = Levels(*node.account, Flavour::kScp);
  set.has_rcp = resource_account.member && !resource_account.rcp_levels.empty();
  if (set.has_rcp) set.rcp = Levels(resource_account, Flavour::kRcp);
  set.resource = std::move(resource_policy);
  return set;
}

policy::Principal Analyzer::PrincipalOf(const Node& node) const {
  policy::Principal p;
  p.account = node.account->id;
  switch (node.kind) {
    case Node::Kind::kRoot:
      p.type = policy::PrincipalType::kRoot;
      p.arn = node.account->RootArn();
      break;
    case Node::Kind::kAdministrator:
      p.type = policy::PrincipalType::kUser;
      p.arn = "arn:aws:iam::" + node.account->id + ":user/" + std::string(kProbe);
      break;
    case Node::Kind::kPrincipal:
      if (node.principal->kind == PrincipalKind::kRole) {
        p.type = policy::PrincipalType::kAssumedRole;
        p.arn = "arn:aws:sts::" + node.account->id + ":assumed-role/" + node.principal->name +
                "/orgtwin-verify";
        p.role_arn = node.principal->arn;
      } else {
        p.type = policy::PrincipalType::kUser;
        p.arn = node.principal->arn;
      }
      break;
  }
  return p;
}

Grant Analyzer::Decide(const Node& node, const std::string& action, const std::string& resource,
                       const AccountView& resource_account, PolicyPtr resource_policy) {
  const policy::PolicySet set = PolicySetOf(node, resource_account, std::move(resource_policy));
  policy::Request request;
  request.principal = PrincipalOf(node);
  request.action = action;
  request.resource = resource;
  request.resource_account = resource_account.id;
  const bool session =
      node.kind == Node::Kind::kPrincipal && node.principal->kind == PrincipalKind::kRole;
  if (node.mfa) {
    request.context.Set("aws:MultiFactorAuthPresent", "true");
    request.context.Set("aws:MultiFactorAuthAge", "1");
  } else if (session) {
    request.context.Set("aws:MultiFactorAuthPresent", "false");
  }
  // The external IDs the party knows are tried one by one, and none.
  std::vector<std::string> external_ids{""};
  if (action == "sts:AssumeRole") {
    external_ids.insert(external_ids.end(), node.external_ids.begin(), node.external_ids.end());
  }
  for (const std::string& external_id : external_ids) {
    policy::Request tried = request;
    if (!external_id.empty()) tried.context.Set("sts:ExternalId", external_id);
    tried.DeriveGlobalKeys();
    ++decisions_;
    const policy::Decision decision = policy::Evaluate(tried, set);
    if (!decision.allowed()) continue;
    Grant grant;
    grant.verdict = Verdict::kAllowed;
    for (const policy::MatchedStatement& m : decision.matched) {
      grant.statements.push_back(StatementName(m.policy, m.index, m.sid()));
    }
    if (decision.matched.empty()) grant.statements.emplace_back("the root user's own account");
    return grant;
  }
  ++decisions_;
  const policy::ActionPermission maybe = policy::ClassifyRequest(request, set);
  Grant grant;
  if (maybe.permission == policy::Permission::kConditional) {
    grant.verdict = Verdict::kConditional;
    grant.conditions = maybe.condition_keys;
    for (const policy::ConditionalStatement& c : maybe.conditions) {
      grant.statements.push_back(StatementName(
          c.policy, c.index, c.policy->statements()[static_cast<size_t>(c.index)].sid));
    }
  }
  return grant;
}

Grant Analyzer::DecideAny(const Node& node, std::initializer_list<std::string_view> actions,
                          const std::string& resource) {
  Grant best;
  for (std::string_view action : actions) {
    Grant g = Decide(node, std::string(action), resource, *node.account);
    if (g.verdict > best.verdict) best = std::move(g);
    if (best.verdict == Verdict::kAllowed) break;
  }
  return best;
}

bool Analyzer::TrustsService(const IamPrincipal& role, std::string_view service) {
  PolicyPtr trust = TrustOf(role);
  if (trust == nullptr) return false;
  policy::PolicySet set;
  set.resource = trust;
  policy::Request request;
  request.principal.type = policy::PrincipalType::kService;
  request.principal.arn = std::string(service);
  request.action = "sts:AssumeRole";
  request.resource = role.arn;
  request.resource_account = role.account_id;
  ++decisions_;
  return policy::Evaluate(request, set).allowed();
}

void Analyzer::Escalate(const std::string& party, const Node& from, Node to, const std::string& how,
                        const Grant& grant, std::vector<Node>* out) {
  to.chain = from.chain;
  to.chain.steps.push_back(how);
  to.via = to.kind == Node::Kind::kRoot ? "root" : "escalation";
  to.chain.conditions.insert(to.chain.conditions.end(), grant.conditions.begin(),
                             grant.conditions.end());
  escalations_.push_back(
      {party, from.Arn(), to.Arn(), how, grant.verdict == Verdict::kConditional});
  out->push_back(std::move(to));
}

void Analyzer::Edges(const std::string& party, const Node& from, std::vector<Node>* out) {
  const AccountView& here = *from.account;
  const std::string iam = "arn:aws:iam::" + here.id + ":";
  if (from.kind == Node::Kind::kRoot) {
    // The root user cannot assume roles; it can make an administrator that can.
    Node admin{Node::Kind::kAdministrator, nullptr, from.account, from.mfa, from.external_ids, {}};
    admin.chain = from.chain;
    admin.chain.steps.push_back("as the root user, creates an IAM principal with any permission");
    admin.via = "root";
    out->push_back(std::move(admin));
    return;
  }
  // Roles whose trust and the caller's own policies let it in, in every account.
  for (const AccountView& account : state_.accounts) {
    for (const IamPrincipal& role : account.roles) {
      if (from.principal == &role) continue;
      PolicyPtr trust = TrustOf(role);
      if (trust == nullptr || !TrustMayName(*trust, PrincipalOf(from))) continue;
      Grant g = Decide(from, "sts:AssumeRole", role.arn, account, trust);
      if (g.verdict == Verdict::kDenied) continue;
      Node to{Node::Kind::kPrincipal, &role, &account, from.mfa, from.external_ids, from.chain};
      to.chain.steps.push_back("assumes role " + role.arn + (from.mfa ? " with MFA" : ""));
      to.chain.conditions.insert(to.chain.conditions.end(), g.conditions.begin(),
                                 g.conditions.end());
      out->push_back(std::move(to));
    }
  }
  if (from.kind == Node::Kind::kAdministrator) return;
  // PMapper's edges inside the account.
  for (const IamPrincipal& user : here.users) {
    if (from.principal == &user) continue;
    Node to{Node::Kind::kPrincipal, &user, &here, false, {}, {}};
    Grant key = Decide(from, "iam:CreateAccessKey", user.arn, here);
    if (key.verdict != Verdict::kDenied) {
      Escalate(party, from, to, "creates an access key for " + user.arn, key, out);
      continue;
    }
    Grant password =
        DecideAny(from, {"iam:CreateLoginProfile", "iam:UpdateLoginProfile"}, user.arn);
    if (password.verdict != Verdict::kDenied) {
      Escalate(party, from, to, "sets the console password of " + user.arn, password, out);
    }
  }
  // Services that run code as a role passed to them, and the action that starts it.
  static constexpr std::pair<std::string_view, std::string_view> kRunners[] = {
      {"lambda.amazonaws.com", "lambda:CreateFunction"},
      {"ec2.amazonaws.com", "ec2:RunInstances"},
      {"cloudformation.amazonaws.com", "cloudformation:CreateStack"}};
  for (const IamPrincipal& role : here.roles) {
    if (from.principal == &role) continue;
    Node to{Node::Kind::kPrincipal, &role, &here, false, {}, {}};
    Grant trust = Decide(from, "iam:UpdateAssumeRolePolicy", role.arn, here);
    if (trust.verdict != Verdict::kDenied) {
      Escalate(party, from, to, "rewrites the trust policy of " + role.arn, trust, out);
      continue;
    }
    Grant pass = Decide(from, "iam:PassRole", role.arn, here);
    if (pass.verdict == Verdict::kDenied) continue;
    for (const auto& [service, action] : kRunners) {
      Grant run = Decide(from, std::string(action), "*", here);
      if (run.verdict == Verdict::kDenied || !TrustsService(role, service)) continue;
      Grant both = run.verdict < pass.verdict ? run : pass;
      Escalate(party, from, to,
               "passes " + role.arn + " to " + std::string(service) + " and runs code as it", both,
               out);
      break;
    }
  }
  // Any permission: a policy on itself, or a new principal it writes the policy of.
  const IamPrincipal& self = *from.principal;
  Grant own;
  std::string own_how;
  if (self.kind == PrincipalKind::kUser) {
    own = DecideAny(from, {"iam:PutUserPolicy", "iam:AttachUserPolicy"}, self.arn);
    own_how = "attaches a policy to itself";
    for (const std::string& group : self.groups) {
      if (own.verdict == Verdict::kAllowed) break;
      Grant g =
          DecideAny(from, {"iam:PutGroupPolicy", "iam:AttachGroupPolicy"}, iam + "group/" += group);
      if (g.verdict > own.verdict) {
        own = g;
        own_how = "attaches a policy to its group " + group;
      }
    }
  } else {
    own = DecideAny(from, {"iam:PutRolePolicy", "iam:AttachRolePolicy"}, self.arn);
    own_how = "attaches a policy to its own role";
  }
  for (const Document& d : self.identity) {
    if (own.verdict == Verdict::kAllowed) break;
    if (d.id.rfind(iam + "policy/", 0) != 0) continue;  // customer managed policies only
    Grant g = Decide(from, "iam:CreatePolicyVersion", d.id, here);
    if (g.verdict > own.verdict) {
      own = g;
      own_how = "writes a new default version of its policy " + d.id;
    }
  }
  const std::string probe_role = iam + "role/" + std::string(kProbe);
  const std::string probe_user = iam + "user/" + std::string(kProbe);
  if (own.verdict != Verdict::kAllowed) {
    Grant create = Decide(from, "iam:CreateRole", probe_role, here);
    Grant policy = DecideAny(from, {"iam:AttachRolePolicy", "iam:PutRolePolicy"}, probe_role);
    Grant both = create.verdict < policy.verdict ? create : policy;
    if (both.verdict > own.verdict) {
      own = both;
      own_how = "creates a role that trusts it, with any permission";
    }
  }
  if (own.verdict != Verdict::kAllowed) {
    Grant create = Decide(from, "iam:CreateUser", probe_user, here);
    Grant policy = DecideAny(from, {"iam:AttachUserPolicy", "iam:PutUserPolicy"}, probe_user);
    Grant key = Decide(from, "iam:CreateAccessKey", probe_user, here);
    Grant all = std::min({create, policy, key},
                         [](const Grant& a, const Grant& b) { return a.verdict < b.verdict; });
    if (all.verdict > own.verdict) {
      own = all;
      own_how = "creates a user with any permission and an access key for it";
    }
  }
  if (own.verdict != Verdict::kDenied) {
    Escalate(party, from, Node{Node::Kind::kAdministrator, nullptr, &here, from.mfa, {}, {}},
             own_how, own, out);
  }
  // sts:AssumeRoot from the management account into its members (centralized root access).
  if (here.management) {
    for (const AccountView& member : state_.accounts) {
      if (!member.member) continue;
      Grant g = Decide(from, "sts:AssumeRoot", member.RootArn(), member);
      if (g.verdict == Verdict::kDenied) continue;
      // AWS-COMPAT: whether centralized root access is enabled is not read; the edge needs it.
      g.verdict = Verdict::kConditional;
      g.conditions.emplace_back(
          "centralized root access enabled (iam:EnableOrganizationsRootSessions)");
      Escalate(party, from, Node{Node::Kind::kRoot, nullptr, &member, false, {}, {}},
               "takes a root session in " + member.id + " with sts:AssumeRoot", g, out);
    }
  }
}

std::vector<Node> Analyzer::Footholds(const std::string& party) {
  std::vector<Node> starts;
  for (const Foothold& hold : state_.footholds) {
    if (hold.party != party) continue;
    const AccountView* account = state_.FindById(hold.account_id);
    if (account == nullptr) continue;
    Node node;
    node.account = account;
    node.mfa = hold.mfa;
    node.external_ids = hold.external_ids;
    node.chain.steps.push_back("holds the keys of profile `" + hold.profile + "` (" + hold.arn +
                               ")");
    if (hold.arn == account->RootArn()) {
      node.kind = Node::Kind::kRoot;
    } else {
      const std::string role_arn = policy::RoleArnFromSessionArn(hold.arn);
      for (const auto* list : {&account->users, &account->roles}) {
        for (const IamPrincipal& p : *list) {
          if (p.arn == hold.arn ||
              (!role_arn.empty() && p.kind == PrincipalKind::kRole &&
               p.arn.substr(p.arn.rfind('/') + 1) == role_arn.substr(role_arn.rfind('/') + 1))) {
            node.principal = &p;
          }
        }
      }
      if (node.principal == nullptr) continue;
    }
    starts.push_back(std::move(node));
  }
  return starts;
}

std::vector<Node> Analyzer::Reach(const std::string& party, std::vector<Node> starts) {
  std::vector<Node> reached;
  std::set<std::string> seen;
  for (const Node& start : starts) {
    edges_.push_back({party, "party " + party, start.Arn(), start.chain.steps.back(), "holds"});
  }
  std::deque<Node> queue(starts.begin(), starts.end());
  while (!queue.empty()) {
    Node node = std::move(queue.front());
    queue.pop_front();
    if (!seen.insert(node.Key()).second) continue;
    std::vector<Node> next;
    Edges(party, node, &next);
    for (Node& n : next) {
      edges_.push_back({party, node.Arn(), n.Arn(), n.chain.steps.back(), n.via});
      if (seen.count(n.Key()) == 0) queue.push_back(std::move(n));
    }
    reached.push_back(std::move(node));
  }
  return reached;
}

void Analyzer::GainedFactors(const std::string& party, const std::vector<Node>& nodes) {
  for (const Node& node : nodes) {
    if (node.kind == Node::Kind::kRoot) continue;
    const AccountView& here = *node.account;
    auto gain = [&](const AccountView& target, const char* factor, const Grant& g,
                    const std::string& how) {
      if (g.verdict != Verdict::kAllowed) return;
      if (gained_[{party, target.key}].insert(factor).second) {
        gained_how_[{party, target.key + factor}] = node.Arn() + " " + how;
      }
    };
    const std::string arn = "arn:aws:account::" + here.id + ":account";
    gain(here, "phone", Decide(node, "account:PutContactInformation", arn, here),
         "can set the primary contact phone (account:PutContactInformation)");
    if (!here.management || state_.organization_id.empty()) continue;
    for (const AccountView& member : state_.accounts) {
      if (!member.member) continue;
      const std::string member_arn = arn + "/" + state_.organization_id + "/" + member.id;
      gain(member, "phone", Decide(node, "account:PutContactInformation", member_arn, here),
           "can set the member's primary contact phone (account:PutContactInformation)");
      gain(member, "mailbox", Decide(node, "account:StartPrimaryEmailUpdate", member_arn, here),
           "can move the member's root email to a mailbox it reads "
           "(account:StartPrimaryEmailUpdate)");
    }
  }
}

bool Analyzer::CoalitionReachesRoot(const std::set<std::string>& parties,
                                    const AccountView& account,
                                    const structure::Custody& custody) const {
  auto has = [&](structure::RootFactor factor, const char* gained) {
    auto held = custody.held.find(factor);
    for (const std::string& party : parties) {
      if (held != custody.held.end() && held->second.value == party) return true;
      auto g = gained_.find({party, account.key});
      if (gained != nullptr && g != gained_.end() && g->second.count(gained) != 0) return true;
    }
    return false;
  };
  const bool mailbox = has(structure::RootFactor::kRootEmailMailbox, "mailbox");
  const bool phone = has(structure::RootFactor::kPhone, "phone");
  // Without the state (no summary read) the file's custody is taken at its word.
  const bool password_set = !account.summary_read || account.root_password;
  const bool mfa_enabled = !account.summary_read || account.root_mfa;
  // A password reset needs only the mailbox (AWS-FACTS 6); MFA recovery the mailbox and phone.
  const bool password =
      (password_set && has(structure::RootFactor::kRootPassword, nullptr)) || mailbox;
  const bool second =
      !mfa_enabled || has(structure::RootFactor::kRootMfa, nullptr) || (mailbox && phone);
  return password && second;
}

void Analyzer::Coalitions(Analysis* out) {
  std::vector<std::string> parties;
  for (const auto& [key, party] : s_.parties) parties.push_back(key);
  for (const auto& [key, custody] : s_.custody) {
    const AccountView* account = state_.FindByKey(key);
    if (account == nullptr) continue;
    RootCoalitions result;
    result.account = key;
    std::vector<std::set<std::string>> minimal;
    const size_t n = parties.size();
    for (size_t mask = 1; mask < (size_t{1} << n); ++mask) {
      std::set<std::string> chosen;
      for (size_t i = 0; i < n; ++i) {
        if ((mask >> i) & 1U) chosen.insert(parties[i]);
      }
      const bool covers = std::any_of(minimal.begin(), minimal.end(), [&](const auto& m) {
        return std::includes(chosen.begin(), chosen.end(), m.begin(), m.end());
      });
      if (!covers && CoalitionReachesRoot(chosen, *account, custody)) minimal.push_back(chosen);
    }
    std::sort(minimal.begin(), minimal.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (const auto& m : minimal) result.minimal.emplace_back(m.begin(), m.end());
    if (account->summary_read) {
      if (!account->root_mfa) result.notes.push_back("the root user has no MFA device");
      if (!account->root_password) {
        result.notes.push_back("the root user has no password: whoever reads the mailbox sets one");
      }
      if (account->root_access_keys) result.notes.push_back("the root user has access keys");
    } else {
      result.notes.push_back(
          "the root user's credentials were not read: the file's custody is "
          "taken at its word");
    }
    if (custody.held.count(structure::RootFactor::kSecurityQuestions) != 0) {
      result.notes.push_back(
          "security questions are no longer a recovery factor (AWS retired them); their holder "
          "gains nothing");
    }
    for (const auto& [who, factors] : gained_) {
      if (who.second != key) continue;
      for (const std::string& factor : factors) {
        result.notes.push_back(who.first + " gains the " + factor +
                               " factor: " + gained_how_[{who.first, key + factor}]);
      }
    }
    out->coalitions.push_back(std::move(result));
  }
}

struct CapabilityProbe {
  Capability capability;
  std::vector<std::string_view> actions;
  std::string_view resource;  // {A} is the account ID, {P} the probe name
};

const std::vector<CapabilityProbe>& Probes() {
  static const std::vector<CapabilityProbe> kProbes = {
      {Capability::kReadBilling,
       {"ce:GetCostAndUsage", "invoicing:ListInvoiceSummaries", "aws-portal:ViewBilling"},
       "*"},
      {Capability::kChangePayment,
       {"payments:CreatePaymentInstrument", "aws-portal:ModifyPaymentMethods"},
       "*"},
      {Capability::kAdministerOrganization,
       {"organizations:InviteAccountToOrganization", "organizations:RemoveAccountFromOrganization",
        "organizations:MoveAccount", "organizations:UpdatePolicy", "organizations:DetachPolicy",
        "organizations:DeletePolicy"},
       "*"},
      {Capability::kAdministerIam,
       {"iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy"},
       "arn:aws:iam::{A}:role/{P}"},
      {Capability::kAdministerIam,
       {"iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"},
       "arn:aws:iam::{A}:user/{P}"},
      {Capability::kChangeAuditTrail,
       {"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors"},
       "arn:aws:cloudtrail:{R}:{A}:trail/{P}"},
      {Capability::kChangeAlerting,
       {"events:DisableRule", "events:DeleteRule", "events:RemoveTargets", "events:PutRule"},
       "arn:aws:events:{R}:{A}:rule/{P}"},
      {Capability::kChangeAlerting,
       {"sns:DeleteTopic", "sns:Unsubscribe", "sns:SetTopicAttributes"},
       "arn:aws:sns:{R}:{A}:{P}"},
      {Capability::kChangeRootFactors,
       {"account:PutContactInformation"},
       "arn:aws:account::{A}:account"},
  };
  return kProbes;
}

std::string Expand(std::string_view pattern, const AccountView& account) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 3, "{A}") == 0) {
      out += account.id;
    } else if (pattern.compare(i, 3, "{R}") == 0) {
      out += kRegion;
    } else if (pattern.compare(i, 3, "{P}") == 0) {
      out += kProbe;
    } else {
      out += pattern[i];
      continue;
    }
    i += 2;
  }
  return out;
}

Cell Analyzer::Best(const std::string& party, const AccountView& account, Capability capability,
                    const std::vector<Node>& nodes) {
  Cell best;
  best.party = party;
  best.account = account.key;
  best.capability = capability;
  auto better = [&](const Cell& c) {
    return c.verdict > best.verdict ||
           (c.verdict == best.verdict && c.verdict != Verdict::kDenied &&
            c.chain.steps.size() < best.chain.steps.size());
  };
  for (const Node& node : nodes) {
    if (node.account != &account) continue;
    if (capability == Capability::kActAsRoot) {
      if (node.kind != Node::Kind::kRoot) continue;
      Cell c = best;
      c.verdict = node.chain.conditions.empty() ? Verdict::kAllowed : Verdict::kConditional;
      c.principal = node.Arn();
      c.chain = node.chain;
      c.conditions = node.chain.conditions;
      if (better(c)) best = std::move(c);
      continue;
    }
    if (capability == Capability::kAdministerOrganization && !account.management) continue;
    for (const CapabilityProbe& probe : Probes()) {
      if (probe.capability != capability) continue;
      const std::string resource = Expand(probe.resource, account);
      for (std::string_view action : probe.actions) {
        Grant g = Decide(node, std::string(action), resource, account);
        if (g.verdict == Verdict::kDenied) continue;
        Cell c = best;
        c.verdict = g.verdict == Verdict::kAllowed && node.chain.conditions.empty()
                        ? Verdict::kAllowed
                        : Verdict::kConditional;
        c.principal = node.Arn();
        c.action = std::string(action);
        c.chain = node.chain;
        c.statements = g.statements;
        c.conditions = node.chain.conditions;
        c.conditions.insert(c.conditions.end(), g.conditions.begin(), g.conditions.end());
        if (better(c)) best = std::move(c);
        if (best.verdict == Verdict::kAllowed) break;
      }
    }
  }
  return best;
}

Analysis Analyzer::Run() {
  Analysis out;
  // Each party's reach; the factors it gains there can hand it a root user, which reaches
  // further: repeated until nothing changes (twice in practice).
  std::map<std::string, std::vector<Node>> reach;
  for (const auto& [party, unused] : s_.parties) reach[party] = Reach(party, Footholds(party));
  for (int round = 0; round < 4; ++round) {
    for (const auto& [party, nodes] : reach) GainedFactors(party, nodes);
    bool grew = false;
    for (const auto& [key, custody] : s_.custody) {
      const AccountView* account = state_.FindByKey(key);
      if (account == nullptr) continue;
      for (auto& [party, nodes] : reach) {
        const bool has_root = std::any_of(nodes.begin(), nodes.end(), [&](const Node& n) {
          return n.kind == Node::Kind::kRoot && n.account == account;
        });
        if (has_root || !CoalitionReachesRoot({party}, *account, custody)) continue;
        Node root{Node::Kind::kRoot, nullptr, account, true, {}, {}};
        root.chain.steps.push_back(
            "signs in as the root user with the factors it holds or can "
            "set (see the coalitions)");
        std::vector<Node> starts = Footholds(party);
        starts.push_back(std::move(root));
        nodes = Reach(party, std::move(starts));
        grew = true;
      }
    }
    if (!grew) break;
  }
  Coalitions(&out);
  for (const auto& [party, nodes] : reach) {
    for (const AccountView& account : state_.accounts) {
      for (Capability capability : kCapabilities) {
        out.cells.push_back(Best(party, account, capability, nodes));
      }
    }
  }
  // Escalations and edges, once each (a party's reach is walked again when it gains a root).
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (Escalation& e : escalations_) {
    if (seen.insert({e.party, e.from, e.to}).second) out.escalations.push_back(std::move(e));
  }
  seen.clear();
  for (Edge& e : edges_) {
    if (seen.insert({e.party, e.from, e.to}).second) out.edges.push_back(std::move(e));
  }
  // Findings: a party alone at a root user the file puts under custody, the root's own
  // credentials, then escalations.
  for (const RootCoalitions& c : out.coalitions) {
    for (const auto& coalition : c.minimal) {
      if (coalition.size() != 1) continue;
      Finding f{3,
                coalition.front() + " alone can sign in as the root user of `" + c.account +
                    "`, which the file puts under split custody",
                c.notes};
      out.findings.push_back(std::move(f));
    }
  }
  for (const Foothold& hold : state_.footholds) {
    const AccountView* account = state_.FindById(hold.account_id);
    if (account == nullptr || hold.arn != account->RootArn()) continue;
    out.findings.push_back(
        {3,
         hold.party + " holds access keys of the root user of `" + account->key + "` (profile `" +
             hold.profile + "`)",
         {"AWS advises against root access keys; delete them once the "
          "console-only tasks are done (iam DeleteAccessKey as the root user)"}});
  }
  // The seed's alerting: a root login must reach every party named; a party that can stop the
  // trail or change the alerting where it runs (the alerted account, and the management account
  // that holds an organization trail) can silence the others alone.
  for (const structure::AlertRule& rule : s_.alerts) {
    std::set<std::string> where{rule.account.value};
    if (s_.organization) where.insert(s_.organization->management_account);
    for (const auto& [party, unused] : s_.parties) {
      for (const std::string& account : where) {
        for (Capability c : {Capability::kChangeAuditTrail, Capability::kChangeAlerting}) {
          const Cell* cell = out.Find(party, account, c);
          if (cell == nullptr || cell->verdict == Verdict::kDenied) continue;
          std::vector<std::string> evidence{
              cell->principal + (cell->action.empty() ? "" : " (" + cell->action + ")")};
          evidence.insert(evidence.end(), cell->chain.steps.begin(), cell->chain.steps.end());
          std::string title = party + " alone can ";
          title.append(CapabilityName(c)).append(" in `").append(account);
          title.append("`, which the root-login alerts of `").append(rule.account.value);
          title.append("` depend on");
          if (cell->verdict == Verdict::kConditional) title.append(" (under conditions)");
          out.findings.push_back({2, std::move(title), std::move(evidence)});
        }
      }
    }
  }
  // The alerting as it stands: a trail logging, a rule enabled, a confirmed subscription for
  // each party the file says is told.
  for (const AlertPathView& path : state_.alert_paths) {
    const std::string where = " in `" + path.account + "`";
    if (!path.logging) {
      out.findings.push_back({2, "no logging trail records root sign-ins" + where, path.trails});
    }
    if (!path.rule_enabled) {
      out.findings.push_back(
          {2, "no enabled EventBridge rule matches a root console sign-in" + where, path.rules});
    }
    for (const structure::AlertRule& rule : s_.alerts) {
      if (rule.account.value != path.account) continue;
      for (const structure::LocatedString& party : rule.notify) {
        const structure::Party* p = s_.FindParty(party.value);
        if (p == nullptr) continue;
        const bool reached = std::any_of(
            path.deliveries.begin(), path.deliveries.end(), [&](const AlertPathView::Delivery& d) {
              return d.confirmed &&
                     std::any_of(p->alert_emails.begin(), p->alert_emails.end(),
                                 [&](const structure::LocatedString& a) {
                                   return AsciiLowerCopy(a.value) == AsciiLowerCopy(d.endpoint);
                                 });
            });
        if (reached) continue;
        std::vector<std::string> evidence;
        for (const AlertPathView::Delivery& d : path.deliveries) {
          evidence.push_back(d.protocol + " " + d.endpoint +
                             (d.confirmed ? " (confirmed)" : " (pending confirmation)"));
        }
        out.findings.push_back({2,
                                "a root login" + where + " does not reach " + party.value +
                                    ": no confirmed subscription for its alert addresses",
                                std::move(evidence)});
      }
    }
  }
  // Escalations, one finding per principal that can make itself into others.
  std::map<std::pair<std::string, std::string>, std::vector<const Escalation*>> by_source;
  for (const Escalation& e : out.escalations) by_source[{e.party, e.from}].push_back(&e);
  for (const auto& [source, found] : by_source) {
    std::vector<std::string> evidence;
    for (const Escalation* e : found) {
      evidence.push_back(e->how + (e->conditional ? " (under conditions)" : ""));
    }
    out.findings.push_back({1,
                            source.first + ": " + source.second + " can make itself into " +
                                std::to_string(found.size()) + " other principal(s)",
                            std::move(evidence)});
  }
  out.not_modeled = std::move(not_modeled_);
  out.not_modeled.insert(
      out.not_modeled.end(),
      {"resource-based policies other than trust policies (SNS topic, S3 bucket, KMS key "
       "policies) are not read: cross-account grants through them are not found",
       "the account's switch for IAM access to billing has no API: billing cells assume it is on",
       "conditions other than MFA and sts:ExternalId are not decided: such grants are "
       "'conditional'",
       "service control policies of organizations other than the payer's are not read"});
  out.decisions = decisions_;
  return out;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllowed:
      return "allowed";
    case Verdict::kConditional:
      return "conditional";
    case Verdict::kDenied:
      break;
  }
  return "denied";
}

std::string_view CapabilityName(Capability capability) {
  switch (capability) {
    case Capability::kReadBilling:
      return "read billing";
    case Capability::kChangePayment:
      return "change payment";
    case Capability::kAdministerOrganization:
      return "administer the organization";
    case Capability::kAdministerIam:
      return "administer IAM";
    case Capability::kChangeAuditTrail:
      return "stop or change the audit trail";
    case Capability::kChangeAlerting:
      return "stop or change the alerting";
    case Capability::kChangeRootFactors:
      return "change root recovery factors";
    case Capability::kActAsRoot:
      break;
  }
  return "act as root";
}

std::string_view CapabilityKey(Capability capability) {
  switch (capability) {
    case Capability::kReadBilling:
      return "read_billing";
    case Capability::kChangePayment:
      return "change_payment";
    case Capability::kAdministerOrganization:
      return "administer_organization";
    case Capability::kAdministerIam:
      return "administer_iam";
    case Capability::kChangeAuditTrail:
      return "change_audit_trail";
    case Capability::kChangeAlerting:
      return "change_alerting";
    case Capability::kChangeRootFactors:
      return "change_root_factors";
    case Capability::kActAsRoot:
      break;
  }
  return "act_as_root";
}

const Cell* Analysis::Find(const std::string& party, const std::string& account,
                           Capability capability) const {
  for (const Cell& c : cells) {
    if (c.party == party && c.account == account && c.capability == capability) return &c;
  }
  return nullptr;
}

Analysis Analyze(const State& state, const structure::Structure& structure) {
  return Analyzer(state, structure).Run();
}

}  // namespace orgtwin::verify
