#include "policy/corpus_adapter.h"

#include <boost/json.hpp>

#include "policy/catalog.h"
#include "policy/evaluator.h"

namespace orgtwin::policy {
namespace json = boost::json;

namespace {

PolicyCache& AdapterCache() {
  static PolicyCache* cache = new PolicyCache();  // lives for the process
  return *cache;
}

std::string DocumentText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

// Compiles one {"id", "document"} entry (or {"id", "arn"} naming an AWS managed policy).
Result<PolicyPtr> LoadPolicy(const json::value& entry, Flavour flavour) {
  if (!entry.is_object()) return InvalidInputError("policy entry is not an object");
  const auto& obj = entry.get_object();
  std::string id;
  if (auto* v = obj.if_contains("id"); v != nullptr && v->is_string()) id = v->get_string();
  std::string text;
  if (auto* doc = obj.if_contains("document"); doc != nullptr) {
    text = DocumentText(*doc);
  } else if (auto* arn = obj.if_contains("arn"); arn != nullptr && arn->is_string()) {
    const ManagedPolicy* mp = ManagedPolicies().FindByArn(arn->get_string());
    if (mp == nullptr) {
      return InvalidInputError("unknown managed policy `" + std::string(arn->get_string()) + "`");
    }
    text = std::string(mp->document);
    if (id.empty()) id = std::string(arn->get_string());
  } else {
    return InvalidInputError("policy `" + id + "` has no document");
  }
  if (flavour == Flavour::kResource) {
    // A resource entry may be a role trust policy (no Resource element).
    auto r = AdapterCache().Get(id, "", text, Flavour::kResource);
    if (r.ok()) return r;
    auto t = AdapterCache().Get(id, "", text, Flavour::kTrust);
    if (t.ok()) return t;
    return InvalidInputError("policy `" + id + "` is invalid: " + r.status().message());
  }
  auto r = AdapterCache().Get(id, "", text, flavour);
  if (!r.ok()) return InvalidInputError("policy `" + id + "` is invalid: " + r.status().message());
  return r;
}

Result<std::vector<PolicyPtr>> LoadList(const json::value& v, Flavour flavour) {
  std::vector<PolicyPtr> out;
  if (!v.is_array()) return InvalidInputError("expected an array of policies");
  for (const auto& e : v.get_array()) {
    OT_ASSIGN_OR_RETURN(PolicyPtr p, LoadPolicy(e, flavour));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<std::vector<PolicyPtr>>> LoadLevels(const json::value& v, Flavour flavour) {
  std::vector<std::vector<PolicyPtr>> out;
  if (!v.is_array()) return InvalidInputError("expected an array of levels");
  for (const auto& level : v.get_array()) {
    OT_ASSIGN_OR_RETURN(auto list, LoadList(level, flavour));
    out.push_back(std::move(list));
  }
  return out;
}

std::string ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return json::serialize(v);
}

Result<CorpusOutcome> RunValidation(const json::object& spec) {
  auto* fl = spec.if_contains("flavour");
  auto* doc = spec.if_contains("document");
  if (fl == nullptr || !fl->is_string() || doc == nullptr) {
    return InvalidInputError("validate needs `flavour` and `document`");
  }
  OT_ASSIGN_OR_RETURN(Flavour flavour, FlavourFromName(fl->get_string()));
  ParseOptions options;
  if (auto* rule = spec.if_contains("size_rule"); rule != nullptr && rule->is_string()) {
    std::string_view r = rule->get_string();
    if (r == "user_inline") options.size_rule = SizeRule::kUserInline;
    if (r == "group_inline") options.size_rule = SizeRule::kGroupInline;
    if (r == "role_inline") options.size_rule = SizeRule::kRoleInline;
    if (r == "managed") options.size_rule = SizeRule::kManaged;
  }
  if (auto* name = spec.if_contains("entity_name"); name != nullptr && name->is_string()) {
    options.entity_name = name->get_string();
  }
  CorpusOutcome out;
  auto parsed = ParsePolicy(DocumentText(*doc), flavour, options);
  if (parsed.ok()) {
    out.valid = true;
    // Compilation must also accept everything validation accepts.
    auto compiled = Compile(*parsed, flavour, "validate");
    if (!compiled.ok()) return compiled.status();
  } else {
    out.valid = false;
    out.error = parsed.status().aws_code();
    out.message = parsed.status().message();
  }
  return out;
}

Result<CorpusOutcome> RunEvaluation(const json::object& tc) {
  auto* rq = tc.if_contains("request");
  if (rq == nullptr || !rq->is_object()) return InvalidInputError("case has no `request`");
  const auto& r = rq->get_object();
  Request req;
  auto* pr = r.if_contains("principal");
  if (pr == nullptr || !pr->is_object()) return InvalidInputError("request has no `principal`");
  const auto& po = pr->get_object();
  auto str = [](const json::object& o, std::string_view k) -> std::string {
    auto* v = o.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  if (!PrincipalTypeFromName(str(po, "type"), &req.principal.type)) {
    return InvalidInputError("unknown principal type `" + str(po, "type") + "`");
  }
  req.principal.arn = str(po, "arn");
  req.principal.account = str(po, "account");
  req.principal.role_arn = str(po, "role_arn");
  req.principal.user_id = str(po, "user_id");
  req.action = str(r, "action");
  if (req.action.empty()) return InvalidInputError("request has no `action`");
  req.resource = str(r, "resource");
  if (req.resource.empty()) req.resource = "*";
  req.resource_account = str(r, "resource_account");
  if (auto* ctx = r.if_contains("context"); ctx != nullptr) {
    if (!ctx->is_object()) return InvalidInputError("`context` is not an object");
    for (const auto& [k, v] : ctx->get_object()) {
      if (v.is_array()) {
        std::vector<std::string> values;
        for (const auto& e : v.get_array()) values.push_back(ScalarText(e));
        req.context.SetMulti(k, std::move(values));
      } else {
        req.context.Set(k, ScalarText(v));
      }
    }
  }
  if (const auto* e = req.context.Find("aws:epochtime"); e != nullptr && !e->values.empty()) {
    double t;
    if (ParseNumber(e->values.front(), &t)) req.epoch_seconds = static_cast<int64_t>(t);
  } else if (const auto* c = req.context.Find("aws:currenttime");
             c != nullptr && !c->values.empty()) {
    double t;
    if (ParseDate(c->values.front(), &t)) req.epoch_seconds = static_cast<int64_t>(t);
  }
  req.environment_defaults = false;
  req.DeriveGlobalKeys();

  PolicySet set;
  auto* pols = tc.if_contains("policies");
  if (pols != nullptr) {
    if (!pols->is_object()) return InvalidInputError("`policies` is not an object");
    const auto& p = pols->get_object();
    if (auto* v = p.if_contains("identity")) {
      OT_ASSIGN_OR_RETURN(set.identity, LoadList(*v, Flavour::kIdentity));
    }
    if (auto* v = p.if_contains("boundary"); v != nullptr && !v->is_null()) {
      OT_ASSIGN_OR_RETURN(set.boundary, LoadPolicy(*v, Flavour::kBoundary));
    }
    if (auto* v = p.if_contains("session"); v != nullptr && !v->is_null()) {
      set.has_session = true;
      OT_ASSIGN_OR_RETURN(set.session, LoadList(*v, Flavour::kSession));
    }
    if (auto* v = p.if_contains("resource"); v != nullptr && !v->is_null()) {
      OT_ASSIGN_OR_RETURN(set.resource, LoadPolicy(*v, Flavour::kResource));
    }
    if (auto* v = p.if_contains("scp"); v != nullptr && !v->is_null()) {
      set.has_scp = true;
      OT_ASSIGN_OR_RETURN(set.scp, LoadLevels(*v, Flavour::kScp));
    }
    if (auto* v = p.if_contains("rcp"); v != nullptr && !v->is_null()) {
      set.has_rcp = true;
      OT_ASSIGN_OR_RETURN(set.rcp, LoadLevels(*v, Flavour::kRcp));
    }
  }
  Decision d = Evaluate(req, set);
  CorpusOutcome out;
  out.decision = std::string(DecisionEffectName(d.effect));
  out.decided_by = std::string(LayerName(d.decided_by));
  for (const auto& m : d.matched) out.matched.push_back({m.policy_id(), m.index});
  return out;
}

}  // namespace

Result<CorpusOutcome> EvaluateCorpusCase(const boost::json::object& test_case) {
  try {
    if (auto* v = test_case.if_contains("validate"); v != nullptr) {
      if (!v->is_object()) return InvalidInputError("`validate` is not an object");
      return RunValidation(v->get_object());
    }
    return RunEvaluation(test_case);
  } catch (const std::exception& e) {
    // Boost.JSON accessors may throw on shapes the checks above missed; keep it inside.
    return InvalidInputError(std::string("malformed case: ") + e.what());
  }
}

}  // namespace orgtwin::policy
