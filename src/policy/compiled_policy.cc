#include "policy/compiled_policy.h"

#include <functional>

#include "common/base64.h"

namespace orgtwin::policy {

ActionInterner& ActionInterner::Global() {
  static ActionInterner* interner = new ActionInterner();  // never destroyed: used at exit
  return *interner;
}

ActionId ActionInterner::Intern(std::string_view lower) {
  {
    std::shared_lock lock(mu_);
    auto it = ids_.find(std::string(lower));
    if (it != ids_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = ids_.emplace(std::string(lower), static_cast<ActionId>(ids_.size()));
  return it->second;
}

ActionId ActionInterner::Find(std::string_view lower) const {
  std::shared_lock lock(mu_);
  // C++20 heterogeneous lookup needs a transparent hash; a short string copy is cheap enough
  // here compared to the lock, and most action names fit the small-string buffer.
  auto it = ids_.find(std::string(lower));
  return it == ids_.end() ? kNoAction : it->second;
}

bool CompiledStatement::MatchesAction(std::string_view lower) const {
  bool any = false;
  for (const auto& p : actions) {
    switch (p.kind) {
      case ActionPattern::kAny:
        any = true;
        break;
      case ActionPattern::kExact:
        any = p.text == lower;
        break;
      case ActionPattern::kPrefix:
        any = lower.starts_with(p.text);
        break;
      case ActionPattern::kGlob:
        any = GlobMatch(p.text, lower);
        break;
    }
    if (any) break;
  }
  return any != not_action;
}

namespace {

struct OpInfo {
  OpFamily family;
  Cmp cmp;
  bool negated;
};

bool LookupOp(std::string_view name, OpInfo* out) {
  static const std::pair<std::string_view, OpInfo> kOps[] = {
      {"StringEquals", {OpFamily::kString, Cmp::kEq, false}},
      {"StringNotEquals", {OpFamily::kString, Cmp::kEq, true}},
      {"StringEqualsIgnoreCase", {OpFamily::kStringIgnoreCase, Cmp::kEq, false}},
      {"StringNotEqualsIgnoreCase", {OpFamily::kStringIgnoreCase, Cmp::kEq, true}},
      {"StringLike", {OpFamily::kStringLike, Cmp::kEq, false}},
      {"StringNotLike", {OpFamily::kStringLike, Cmp::kEq, true}},
      {"NumericEquals", {OpFamily::kNumeric, Cmp::kEq, false}},
      {"NumericNotEquals", {OpFamily::kNumeric, Cmp::kEq, true}},
      {"NumericLessThan", {OpFamily::kNumeric, Cmp::kLt, false}},
      {"NumericLessThanEquals", {OpFamily::kNumeric, Cmp::kLe, false}},
      {"NumericGreaterThan", {OpFamily::kNumeric, Cmp::kGt, false}},
      {"NumericGreaterThanEquals", {OpFamily::kNumeric, Cmp::kGe, false}},
      {"DateEquals", {OpFamily::kDate, Cmp::kEq, false}},
      {"DateNotEquals", {OpFamily::kDate, Cmp::kEq, true}},
      {"DateLessThan", {OpFamily::kDate, Cmp::kLt, false}},
      {"DateLessThanEquals", {OpFamily::kDate, Cmp::kLe, false}},
      {"DateGreaterThan", {OpFamily::kDate, Cmp::kGt, false}},
      {"DateGreaterThanEquals", {OpFamily::kDate, Cmp::kGe, false}},
      {"Bool", {OpFamily::kBool, Cmp::kEq, false}},
      {"BinaryEquals", {OpFamily::kBinary, Cmp::kEq, false}},
      {"IpAddress", {OpFamily::kIp, Cmp::kEq, false}},
      {"NotIpAddress", {OpFamily::kIp, Cmp::kEq, true}},
      {"ArnEquals", {OpFamily::kArn, Cmp::kEq, false}},
      {"ArnLike", {OpFamily::kArn, Cmp::kEq, false}},
      {"ArnNotEquals", {OpFamily::kArn, Cmp::kEq, true}},
      {"ArnNotLike", {OpFamily::kArn, Cmp::kEq, true}},
      {"Null", {OpFamily::kNull, Cmp::kEq, false}},
  };
  for (const auto& [n, info] : kOps) {
    if (n == name) {
      *out = info;
      return true;
    }
  }
  return false;
}

}  // namespace

// Parses one raw value for its family; shared with the evaluator for values with variables.
void PrepareCondValue(OpFamily family, std::string_view raw, CondValue* v) {
  switch (family) {
    case OpFamily::kString:
    case OpFamily::kStringIgnoreCase:
    case OpFamily::kStringLike:
    case OpFamily::kArn:
      v->parsed = true;
      v->lower = AsciiLowerCopy(raw);
      break;
    case OpFamily::kNumeric:
      v->parsed = ParseNumber(raw, &v->number);
      break;
    case OpFamily::kDate:
      v->parsed = ParseDate(raw, &v->number);
      break;
    case OpFamily::kBool:
    case OpFamily::kNull:
      v->parsed = AsciiIEquals(raw, "true") || AsciiIEquals(raw, "false");
      v->boolean = AsciiIEquals(raw, "true");
      break;
    case OpFamily::kBinary:
      v->parsed = Base64Decode(raw, &v->bytes);
      break;
    case OpFamily::kIp:
      v->parsed = ParseIpNet(raw, &v->ip);
      break;
  }
}

Result<PolicyPtr> Compile(const PolicyDocument& doc, Flavour flavour, std::string id) {
  auto policy = std::make_shared<CompiledPolicy>();
  policy->id_ = std::move(id);
  policy->flavour_ = flavour;
  policy->variables_ = doc.VariablesEnabled();
  auto& interner = ActionInterner::Global();
  for (size_t si = 0; si < doc.statements.size(); ++si) {
    const auto& sd = doc.statements[si];
    CompiledStatement st;
    st.index = static_cast<int>(si);
    st.sid = sd.sid;
    st.effect = sd.effect;
    st.not_action = sd.not_action;
    bool all_exact = !sd.not_action;
    for (const auto& a : sd.actions) {
      ActionPattern p;
      std::string lower = AsciiLowerCopy(a);
      std::string enc = EncodeGlob(lower);
      if (lower == "*") {
        p.kind = ActionPattern::kAny;
      } else if (IsLiteral(enc)) {
        p.kind = ActionPattern::kExact;
        p.text = lower;
      } else if (enc.back() == kStar &&
                 IsLiteral(std::string_view(enc).substr(0, enc.size() - 1))) {
        p.kind = ActionPattern::kPrefix;
        p.text = lower.substr(0, lower.size() - 1);
      } else {
        p.kind = ActionPattern::kGlob;
        p.text = enc;
      }
      if (p.kind != ActionPattern::kExact) all_exact = false;
      st.actions.push_back(std::move(p));
    }
    st.has_resource = sd.has_resource;
    st.not_resource = sd.not_resource;
    for (const auto& r : sd.resources) {
      if (r == "*") st.any_resource = true;
      st.resources.push_back(ParseTemplate(r, policy->variables_, true));
    }
    // SCPs may omit Resource: it means every resource.
    if (!sd.has_resource) st.any_resource = true;
    st.principal.present = sd.principal.present;
    st.principal.negated = sd.principal.negated;
    for (const auto& e : sd.principal.entries) {
      if (e.type == "*" || (e.type == "AWS" && e.value == "*")) {
        st.principal.wildcard = true;
      } else if (e.type == "AWS") {
        std::string_view v = e.value;
        if (v.size() == 12 && v.find(':') == std::string_view::npos) {
          st.principal.accounts.push_back(e.value);
        } else if (v.ends_with(":root") && v.starts_with("arn:")) {
          std::array<std::string_view, 6> parts;
          if (SplitArn(v, &parts)) st.principal.accounts.emplace_back(parts[4]);
        } else {
          st.principal.arns.push_back(e.value);
        }
      } else if (e.type == "Service") {
        st.principal.services.push_back(e.value);
      } else if (e.type == "Federated") {
        st.principal.federated.push_back(e.value);
      } else {
        st.principal.canonical.push_back(e.value);
      }
    }
    for (const auto& c : sd.conditions) {
      CompiledCondition cc;
      std::string_view op = c.op;
      if (op.starts_with("ForAnyValue:")) {
        cc.set = SetMod::kAnyValue;
        op.remove_prefix(12);
      } else if (op.starts_with("ForAllValues:")) {
        cc.set = SetMod::kAllValues;
        op.remove_prefix(13);
      }
      if (op.ends_with("IfExists") && op != "IfExists") {
        cc.if_exists = true;
        op.remove_suffix(8);
      }
      OpInfo info;
      if (!LookupOp(op, &info)) {
        return InvalidInputError("unknown condition operator `" + c.op + "`");
      }
      cc.family = info.family;
      cc.cmp = info.cmp;
      cc.negated = info.negated;
      cc.key = AsciiLowerCopy(c.key);
      const bool glob = info.family == OpFamily::kStringLike || info.family == OpFamily::kArn;
      // AWS-COMPAT: Null cannot use policy variables.
      const bool vars = policy->variables_ && info.family != OpFamily::kNull;
      for (const auto& raw : c.values) {
        CondValue v;
        v.text = ParseTemplate(raw, vars, glob);
        if (!v.text.has_variables) PrepareCondValue(info.family, raw, &v);
        cc.values.push_back(std::move(v));
      }
      st.conditions.push_back(std::move(cc));
    }
    auto idx = static_cast<uint32_t>(policy->statements_.size());
    if (all_exact) {
      for (const auto& p : st.actions) {
        auto& list = policy->exact_[interner.Intern(p.text)];
        if (list.empty() || list.back() != idx) list.push_back(idx);
      }
    } else {
      policy->wildcard_.push_back(idx);
    }
    policy->statements_.push_back(std::move(st));
  }
  return PolicyPtr(std::move(policy));
}

Result<PolicyPtr> CompileText(std::string_view text, Flavour flavour, std::string id,
                              const ParseOptions& options) {
  OT_ASSIGN_OR_RETURN(PolicyDocument doc, ParsePolicy(text, flavour, options));
  return Compile(doc, flavour, std::move(id));
}

Result<PolicyPtr> PolicyCache::Get(std::string_view id, std::string_view revision,
                                   std::string_view text, Flavour flavour,
                                   const ParseOptions& options) {
  std::string key(id);
  key += '\x1f';
  key += std::to_string(static_cast<int>(flavour));
  key += '\x1f';
  if (revision.empty()) {
    key += std::to_string(std::hash<std::string_view>()(text));
    key += ':';
    key += std::to_string(text.size());
  } else {
    key += revision;
  }
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  // Compile outside the lock: two racing compilers produce equal policies; the first wins.
  OT_ASSIGN_OR_RETURN(PolicyPtr compiled, CompileText(text, flavour, std::string(id), options));
  std::lock_guard lock(mu_);
  auto [it, inserted] = cache_.emplace(std::move(key), compiled);
  return it->second;
}

size_t PolicyCache::size() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

void PolicyCache::Clear() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace orgtwin::policy
