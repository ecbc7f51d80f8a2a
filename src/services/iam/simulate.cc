// Policy tools: SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysForPrincipalPolicy
// and GetContextKeysForCustomPolicy, on the policy engine (policy/evaluator.h), with the
// principal's policies gathered by the loader the authorizer uses (policy/policy_set_loader.h),
// so a simulation and a real request see the same policies. A simulation
// evaluates every ActionNames x ResourceArns pair against the principal's identity policies (or
// the given ones), its permissions boundary, an optional resource-based policy and -- for a
// principal of a member account -- the SCPs on its path in the organization.
#include <algorithm>
#include <map>
#include <set>

#include "policy/compiled_policy.h"
#include "policy/document.h"
#include "policy/evaluator.h"
#include "policy/policy_set_loader.h"
#include "repo/store_policy_source.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// One policy taking part in a simulation, with what the response says about it.
struct SimPolicy {
  std::string source_id;    // SourcePolicyId: a policy name, or "PolicyInputList.1"
  std::string source_type;  // SourcePolicyType: user | group | role | aws-managed | ...
  std::string text;
  policy::PolicyDocument doc;
  policy::PolicyPtr compiled;
};

struct SimSet {
  std::vector<std::unique_ptr<SimPolicy>> owned;
  std::vector<SimPolicy*> identity;
  SimPolicy* boundary = nullptr;
  SimPolicy* resource = nullptr;
  bool in_org = false;  // the principal's account is in an organization
  bool has_scp = false;
  std::vector<std::vector<SimPolicy*>> scp;
  std::map<const policy::CompiledPolicy*, SimPolicy*> by_compiled;
};

Result<SimPolicy*> AddPolicy(SimSet& set, std::string source_id, std::string source_type,
                             std::string text, policy::Flavour flavour, bool input) {
  auto p = std::make_unique<SimPolicy>();
  p->source_id = std::move(source_id);
  p->source_type = std::move(source_type);
  p->text = std::move(text);
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;
  Result<policy::PolicyDocument> doc = policy::ParsePolicy(p->text, flavour, options);
  if (!doc.ok()) {
    // AWS-COMPAT: a policy given to the simulator that does not parse is invalid input.
    if (input) return InvalidInput(std::string(doc.status().message()));
    return doc.status();
  }
  p->doc = *std::move(doc);
  OT_ASSIGN_OR_RETURN(p->compiled,
                      policy::Compile(p->doc, flavour, std::to_string(set.owned.size())));
  SimPolicy* raw = p.get();
  set.by_compiled[raw->compiled.get()] = raw;
  set.owned.push_back(std::move(p));
  return raw;
}

// Adds a policy the loader found (policy/policy_set_loader.h), parsed again for what the
// simulator reports about its statements (positions, condition keys).
Result<SimPolicy*> AddLoaded(SimSet& set, const policy::SourcedPolicy& loaded,
                             policy::Flavour flavour) {
  return AddPolicy(set, loaded.source_id, loaded.source_type, loaded.text, flavour, false);
}

// The identity policies and boundary of a loaded user, group or role.
Status AddEntity(SimSet& set, const policy::EntityPolicies& loaded) {
  for (const policy::SourcedPolicyPtr& p : loaded.identity) {
    OT_ASSIGN_OR_RETURN(SimPolicy * sp, AddLoaded(set, *p, policy::Flavour::kIdentity));
    set.identity.push_back(sp);
  }
  if (loaded.boundary != nullptr) {
    OT_ASSIGN_OR_RETURN(set.boundary, AddLoaded(set, *loaded.boundary, policy::Flavour::kBoundary));
  }
  return Status::Ok();
}

// The SCP levels (root -> OUs -> account) that apply to `account`, when it is a member account
// of an organization with SCPs enabled: the same loader the authorizer uses.
Status AddScps(policy::PolicySetLoader& loader, const std::string& account, SimSet& set) {
  OT_ASSIGN_OR_RETURN(policy::OrgPolicies org, loader.LoadOrganization(account));
  set.in_org = !org.org_id.empty();
  set.has_scp = org.has_scp;
  for (const auto& level : org.scp) {
    std::vector<SimPolicy*> sims;
    for (const policy::SourcedPolicyPtr& p : level) {
      OT_ASSIGN_OR_RETURN(SimPolicy * sp, AddLoaded(set, *p, policy::Flavour::kScp));
      sims.push_back(sp);
    }
    set.scp.push_back(std::move(sims));
  }
  return Status::Ok();
}

// 1-based line and column of byte `offset` of `text`.
Json PositionOf(std::string_view text, size_t offset) {
  int64_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return Json{{"Line", line}, {"Column", column}};
}

// Byte ranges [begin, end) of each statement object of a policy document's "Statement" member
// (an object or an array of objects), found by a small scanner over the (valid) JSON text.
std::vector<std::pair<size_t, size_t>> StatementRanges(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> out;
  int depth = 0;
  bool in_string = false;
  std::string current, last_string;
  bool after_statement_key = false;
  int statement_depth = 0;  // depth of the Statement value once opened; -1 when finished
  bool array_mode = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size() && statement_depth >= 0; ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        last_string = current;
      } else {
        current.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      current.clear();
    } else if (c == ':') {
      after_statement_key = depth == 1 && last_string == "Statement" && statement_depth == 0;
    } else if (c == '{' || c == '[') {
      ++depth;
      if (after_statement_key) {
        after_statement_key = false;
        statement_depth = depth;
        array_mode = c == '[';
        start = i;
      } else if (statement_depth > 0 && array_mode && depth == statement_depth + 1 && c == '{') {
        start = i;
      }
    } else if (c == '}' || c == ']') {
      if (statement_depth > 0) {
        if (array_mode && depth == statement_depth + 1 && c == '}') out.emplace_back(start, i + 1);
        if (depth == statement_depth) {
          if (!array_mode) out.emplace_back(start, i + 1);
          statement_depth = -1;
        }
      }
      --depth;
    }
  }
  return out;
}

Json StatementObject(const SimPolicy& p, int index) {
  Json out{{"SourcePolicyId", p.source_id}, {"SourcePolicyType", p.source_type}};
  auto ranges = StatementRanges(p.text);
  if (index >= 0 && static_cast<size_t>(index) < ranges.size()) {
    out["StartPosition"] = PositionOf(p.text, ranges[static_cast<size_t>(index)].first);
    out["EndPosition"] = PositionOf(p.text, ranges[static_cast<size_t>(index)].second);
  }
  return out;
}

Status ApplyContext(const Json& input, policy::Context& context) {
  for (const auto& entry : Array(input, "ContextEntries")) {
    if (!entry.is_object()) continue;
    const Json& e = entry.as_object();
    std::string key = Str(e, "ContextKeyName");
    std::string type = Str(e, "ContextKeyType", "string");
    std::vector<std::string> values;
    for (const auto& v : Array(e, "ContextKeyValues")) {
      if (v.is_string()) values.emplace_back(v.as_string());
    }
    bool multi = type.size() > 4 && type.compare(type.size() - 4, 4, "List") == 0;
    if (multi) {
      context.SetMulti(key, std::move(values));
    } else if (values.size() == 1) {
      context.Set(key, values.front());
    } else if (!values.empty()) {
      std::string message = "Context key " + key;
      message += " of type " + type + " must have exactly one value.";
      return InvalidInput(std::move(message));
    }
  }
  return Status::Ok();
}

// Condition keys of the statements that could apply to `req` whose values the context lacks.
std::vector<std::string> MissingKeys(const SimSet& set, const policy::Request& req,
                                     const std::vector<SimPolicy*>& policies) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  const std::string lower_action = Lower(req.action);
  for (const SimPolicy* p : policies) {
    if (p == nullptr) continue;
    const auto& statements = p->compiled->statements();
    for (size_t i = 0; i < statements.size(); ++i) {
      if (statements[i].conditions.empty() || !statements[i].MatchesAction(lower_action)) {
        continue;
      }
      policy::Tri t = policy::MatchStatement(statements[i], *p->compiled, req,
                                             /*conditions_unknown=*/true, set.boundary != nullptr);
      if (t == policy::Tri::kNo) continue;
      for (const auto& cond : p->doc.statements[i].conditions) {
        std::string lower = Lower(cond.key);
        if (req.context.Find(lower) != nullptr) continue;
        if (seen.insert(lower).second) out.push_back(cond.key);
      }
    }
  }
  return out;
}

std::string DecisionName(policy::DecisionEffect e) {
  switch (e) {
    case policy::DecisionEffect::kAllow:
      return "allowed";
    case policy::DecisionEffect::kExplicitDeny:
      return "explicitDeny";
    case policy::DecisionEffect::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

policy::PolicyPtr Compiled(const SimPolicy* p) { return p == nullptr ? nullptr : p->compiled; }

// The principal the engine sees for an ARN (user, role, assumed-role session or anything else).
policy::Principal PrincipalForArn(const std::string& arn, const std::string& account) {
  policy::Principal p;
  p.type = policy::PrincipalType::kUser;
  p.arn = arn;
  p.account = account;
  if (arn.find(":role/") != std::string::npos) {
    p.type = policy::PrincipalType::kAssumedRole;
    std::string name = arn.substr(arn.rfind('/') + 1);
    p.role_arn = arn;
    p.arn = "arn:aws:sts::" + account + ":assumed-role/" + name + "/iam-policy-simulator";
  } else if (arn.find(":assumed-role/") != std::string::npos) {
    p.type = policy::PrincipalType::kAssumedRole;
  }
  return p;
}

Result<Json> Simulate(gateway::RequestContext& ctx, const Json& input, SimSet& set,
                      const policy::Principal& principal) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  int n = 0;
  for (const auto& v : Array(input, "PolicyInputList")) {
    ++n;
    OT_ASSIGN_OR_RETURN(SimPolicy * sp,
                        AddPolicy(set, "PolicyInputList." + std::to_string(n), "IAM Policy",
                                  std::string(v.as_string()), policy::Flavour::kIdentity, true));
    set.identity.push_back(sp);
  }
  // A boundary given as input replaces the principal's own (only the first is used).
  n = 0;
  for (const auto& v : Array(input, "PermissionsBoundaryPolicyInputList")) {
    ++n;
    OT_ASSIGN_OR_RETURN(SimPolicy * sp,
                        AddPolicy(set, "PermissionsBoundaryPolicyInputList." + std::to_string(n),
                                  "PermissionsBoundaryPolicy", std::string(v.as_string()),
                                  policy::Flavour::kBoundary, true));
    if (n == 1) set.boundary = sp;
  }
  if (Has(input, "ResourcePolicy")) {
    OT_ASSIGN_OR_RETURN(set.resource,
                        AddPolicy(set, "ResourcePolicy", "resource", Str(input, "ResourcePolicy"),
                                  policy::Flavour::kResource, true));
  }
  std::string owner = Str(input, "ResourceOwner");
  if (owner.rfind("arn:", 0) == 0) {
    // arn:aws:iam::<account>:root
    size_t a = owner.find("::");
    size_t b = a == std::string::npos ? a : owner.find(':', a + 2);
    owner =
        (a == std::string::npos || b == std::string::npos) ? "" : owner.substr(a + 2, b - a - 2);
  }
  policy::Context context;
  OT_RETURN_IF_ERROR(ApplyContext(input, context));

  policy::PolicySet ps;
  std::vector<SimPolicy*> all;
  for (SimPolicy* p : set.identity) {
    ps.identity.push_back(p->compiled);
    all.push_back(p);
  }
  ps.boundary = Compiled(set.boundary);
  ps.resource = Compiled(set.resource);
  all.push_back(set.boundary);
  all.push_back(set.resource);
  ps.has_scp = set.has_scp;
  for (const auto& level : set.scp) {
    std::vector<policy::PolicyPtr> compiled;
    compiled.reserve(level.size());
    for (SimPolicy* p : level) compiled.push_back(p->compiled);
    ps.scp.push_back(std::move(compiled));
  }

  std::vector<std::string> resources;
  for (const auto& v : Array(input, "ResourceArns")) resources.emplace_back(v.as_string());
  if (resources.empty()) resources.push_back("*");

  std::vector<std::pair<std::string, boost::json::value>> items;
  size_t position = 0;
  for (const auto& action_value : Array(input, "ActionNames")) {
    std::string action(action_value.as_string());
    for (const std::string& resource : resources) {
      policy::Request req;
      req.principal = principal;
      req.action = action;
      req.resource = resource;
      req.resource_account = owner;
      req.context = context;
      req.epoch_seconds = static_cast<int64_t>(NowSeconds(ctx));
      // AWS-COMPAT: the simulator knows only the context it is given (plus the principal's
      // own keys); environment keys such as aws:CurrentTime are reported missing.
      req.environment_defaults = false;
      req.DeriveGlobalKeys();
      policy::Decision d = policy::Evaluate(req, ps);
      Json result{{"EvalActionName", action},
                  {"EvalResourceName", resource},
                  {"EvalDecision", DecisionName(d.effect)}};
      boost::json::array matched;
      if (d.effect != policy::DecisionEffect::kImplicitDeny) {
        for (const policy::MatchedStatement& m : d.matched) {
          auto it = set.by_compiled.find(m.policy);
          if (it == set.by_compiled.end()) continue;
          if (d.effect == policy::DecisionEffect::kAllow && m.effect != policy::Effect::kAllow) {
            continue;
          }
          matched.push_back(StatementObject(*it->second, m.index));
        }
      }
      result["MatchedStatements"] = std::move(matched);
      boost::json::array missing;
      for (std::string& key : MissingKeys(set, req, all))
        missing.push_back(boost::json::string(key));
      result["MissingContextValues"] = std::move(missing);
      if (set.in_org) {
        bool allowed = true;
        if (set.has_scp) {
          policy::PolicySet scp_only;
          scp_only.has_scp = true;
          scp_only.scp = ps.scp;
          // Everything the SCPs allow, nothing else: an identity policy that allows all.
          static const policy::PolicyPtr kAllowAll = *policy::CompileText(
              R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})",
              policy::Flavour::kIdentity, "allow-all");
          scp_only.identity.push_back(kAllowAll);
          allowed = policy::Evaluate(req, scp_only).allowed();
        }
        result["OrganizationsDecisionDetail"] = Json{{"AllowedByOrganizations", allowed}};
      }
      if (set.boundary != nullptr) {
        policy::PolicySet boundary_only;
        boundary_only.identity.push_back(set.boundary->compiled);
        result["PermissionsBoundaryDecisionDetail"] =
            Json{{"AllowedByPermissionsBoundary", policy::Evaluate(req, boundary_only).allowed()}};
      }
      std::string key = std::to_string(position++);
      key.insert(0, 10 - std::min<size_t>(10, key.size()), '0');
      items.emplace_back(std::move(key), std::move(result));
    }
  }
  Json out;
  EmitPage(std::move(items), page, "EvaluationResults", out);
  return out;
}

// Parses an IAM ARN "arn:aws:iam::<account>:<kind><path><name>" into kind and name.
bool SplitIamArn(const std::string& arn, std::string* account, std::string* kind,
                 std::string* name) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.rfind(kPrefix, 0) != 0) return false;
  size_t colon = arn.find(':', kPrefix.size());
  if (colon == std::string::npos) return false;
  *account = arn.substr(kPrefix.size(), colon - kPrefix.size());
  std::string resource = arn.substr(colon + 1);
  size_t slash = resource.find('/');
  if (slash == std::string::npos) return false;
  *kind = resource.substr(0, slash);
  *name = resource.substr(resource.rfind('/') + 1);
  return true;
}

// Loads the policies of the user, group or role `arn` names into `set`; returns the principal.
Result<policy::Principal> LoadPrincipal(gateway::RequestContext& ctx,
                                        policy::PolicySetLoader& loader, const std::string& arn,
                                        SimSet& set) {
  const std::string& account = AccountOf(ctx);
  std::string arn_account, kind, name;
  if (!SplitIamArn(arn, &arn_account, &kind, &name) || arn_account != account) {
    return InvalidInput("Invalid ARN: " + arn);
  }
  policy::EntityPolicies loaded;
  if (kind == "user") {
    OT_ASSIGN_OR_RETURN(loaded, loader.LoadUser(account, name));
  } else if (kind == "group") {
    OT_ASSIGN_OR_RETURN(loaded, loader.LoadGroup(account, name));
  } else if (kind == "role") {
    OT_ASSIGN_OR_RETURN(loaded, loader.LoadRole(account, name));
  } else {
    return InvalidInput("Invalid ARN: " + arn);
  }
  if (!loaded.entity.has_value()) {
    return NoSuchEntity("The " + kind + " with name " + name + " cannot be found.");
  }
  OT_RETURN_IF_ERROR(AddEntity(set, loaded));
  const policy::PolicySource::Entity& entity = *loaded.entity;
  const std::string entity_arn = IamArn(account, kind, entity.path, entity.name);
  if (kind == "user") {
    policy::Principal p;
    p.type = policy::PrincipalType::kUser;
    p.arn = entity_arn;
    p.account = account;
    p.user_id = entity.id;
    return p;
  }
  policy::Principal p = PrincipalForArn(entity_arn, account);
  if (kind == "role") p.user_id = entity.id + ":iam-policy-simulator";
  return p;
}

// Every context key a set of policies refers to: condition keys and policy variables, as
// written, first spelling wins, compared case-insensitively.
boost::json::array ContextKeys(const SimSet& set) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  auto add = [&](std::string key) {
    if (seen.insert(Lower(key)).second) keys.push_back(std::move(key));
  };
  auto scan_variables = [&](std::string_view text) {
    for (size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 2)) {
      size_t end = text.find_first_of(",}", at + 2);
      if (end == std::string_view::npos) break;
      std::string key(text.substr(at + 2, end - at - 2));
      while (!key.empty() && key.back() == ' ') key.pop_back();
      if (key.find(':') != std::string::npos) add(std::move(key));
    }
  };
  for (const auto& p : set.owned) {
    for (const auto& st : p->doc.statements) {
      for (const auto& r : st.resources) scan_variables(r);
      for (const auto& c : st.conditions) {
        add(c.key);
        for (const auto& v : c.values) scan_variables(v);
      }
    }
  }
  boost::json::array out;
  for (std::string& k : keys) out.push_back(boost::json::string(k));
  return out;
}

}  // namespace

Result<Json> SimulatePrincipalPolicy(gateway::RequestContext& ctx, const Json& input) {
  repo::StorePolicySource source(ctx.tx);
  policy::PolicyCache compiled;
  policy::PolicySetLoader loader(source, compiled);
  SimSet set;
  OT_ASSIGN_OR_RETURN(policy::Principal principal,
                      LoadPrincipal(ctx, loader, Str(input, "PolicySourceArn"), set));
  if (Has(input, "CallerArn")) principal = PrincipalForArn(Str(input, "CallerArn"), AccountOf(ctx));
  OT_RETURN_IF_ERROR(AddScps(loader, AccountOf(ctx), set));
  return Simulate(ctx, input, set, principal);
}

Result<Json> SimulateCustomPolicy(gateway::RequestContext& ctx, const Json& input) {
  SimSet set;
  std::string caller = Str(input, "CallerArn");
  if (caller.empty()) {
    // AWS-COMPAT: without CallerArn the simulated caller is an anonymous IAM user of the account.
    caller = IamArn(AccountOf(ctx), "user", "/", "iam-policy-simulator");
  }
  return Simulate(ctx, input, set, PrincipalForArn(caller, AccountOf(ctx)));
}

Result<Json> GetContextKeysForPrincipalPolicy(gateway::RequestContext& ctx, const Json& input) {
  repo::StorePolicySource source(ctx.tx);
  policy::PolicyCache compiled;
  policy::PolicySetLoader loader(source, compiled);
  SimSet set;
  OT_RETURN_IF_ERROR(LoadPrincipal(ctx, loader, Str(input, "PolicySourceArn"), set).status());
  int n = 0;
  for (const auto& v : Array(input, "PolicyInputList")) {
    OT_RETURN_IF_ERROR(AddPolicy(set, "PolicyInputList." + std::to_string(++n), "IAM Policy",
                                 std::string(v.as_string()), policy::Flavour::kIdentity, true)
                           .status());
  }
  return Json{{"ContextKeyNames", ContextKeys(set)}};
}

Result<Json> GetContextKeysForCustomPolicy(gateway::RequestContext& /*ctx*/, const Json& input) {
  SimSet set;
  int n = 0;
  for (const auto& v : Array(input, "PolicyInputList")) {
    OT_RETURN_IF_ERROR(AddPolicy(set, "PolicyInputList." + std::to_string(++n), "IAM Policy",
                                 std::string(v.as_string()), policy::Flavour::kIdentity, true)
                           .status());
  }
  return Json{{"ContextKeyNames", ContextKeys(set)}};
}

}  // namespace orgtwin::services::iam
