#include "policy/evaluator.h"

#include <boost/container/small_vector.hpp>

#include "common/base64.h"

namespace orgtwin::policy {

std::string_view DecisionEffectName(DecisionEffect e) {
  switch (e) {
    case DecisionEffect::kAllow:
      return "Allow";
    case DecisionEffect::kExplicitDeny:
      return "ExplicitDeny";
    case DecisionEffect::kImplicitDeny:
      return "ImplicitDeny";
  }
  return "ImplicitDeny";
}

std::string_view LayerName(Layer l) {
  switch (l) {
    case Layer::kNone:
      return "";
    case Layer::kScp:
      return "scp";
    case Layer::kRcp:
      return "rcp";
    case Layer::kIdentity:
      return "identity";
    case Layer::kResource:
      return "resource";
    case Layer::kBoundary:
      return "boundary";
    case Layer::kSession:
      return "session";
    case Layer::kRoot:
      return "root";
  }
  return "";
}

namespace {

std::string_view LayerPolicyNoun(Layer l) {
  switch (l) {
    case Layer::kScp:
      return "service control policy";
    case Layer::kRcp:
      return "resource control policy";
    case Layer::kResource:
      return "resource-based policy";
    case Layer::kBoundary:
      return "permissions boundary";
    case Layer::kSession:
      return "session policy";
    default:
      return "identity-based policy";
  }
}

// How strongly a resource-based policy's Principal names the caller (AWS-FACTS 1.2).
enum class PMatch {
  kNone,
  kAccount,  // the account (ID or :root): delegates to the account's own policies
  kRole,     // the role behind a session: still limited by boundary and session policy
  kDirect,   // the user / session / federated user / service itself, or "*"
};

PMatch MatchPrincipal(const CompiledPrincipal& cp, const Principal& p) {
  if (cp.wildcard) return PMatch::kDirect;
  PMatch best = PMatch::kNone;
  if (p.type == PrincipalType::kAnonymous) return best;
  if (p.type == PrincipalType::kService) {
    for (const auto& s : cp.services) {
      if (s == p.arn) return PMatch::kDirect;
    }
    return best;
  }
  for (const auto& a : cp.arns) {
    if (a == p.arn) return PMatch::kDirect;
    if (!p.role_arn.empty() && a == p.role_arn) best = PMatch::kRole;
  }
  for (const auto& f : cp.federated) {
    if (f == p.arn) return PMatch::kDirect;
  }
  if (best == PMatch::kNone) {
    for (const auto& acct : cp.accounts) {
      if (acct == p.account) return PMatch::kAccount;
    }
  }
  return best;
}

// AWS-COMPAT: NotPrincipal excludes a caller only when the caller itself is listed: its own
// ARN, the role behind a session, or (for the root user) its account. Listing an account does
// not exclude that account's other principals, and a caller with a permissions boundary is never
// excluded (NotPrincipal documentation).
bool ExcludedByNotPrincipal(const CompiledPrincipal& cp, const Principal& p, bool has_boundary) {
  if (cp.wildcard) return true;
  if (has_boundary) return false;
  if (p.type == PrincipalType::kAnonymous) return false;
  if (p.type == PrincipalType::kRoot) {
    for (const auto& acct : cp.accounts) {
      if (acct == p.account) return true;
    }
  }
  for (const auto& a : cp.arns) {
    if (a == p.arn || (!p.role_arn.empty() && a == p.role_arn)) return true;
  }
  for (const auto& s : cp.services) {
    if (p.type == PrincipalType::kService && s == p.arn) return true;
  }
  return false;
}

// Resolves a template against the request context. False when a variable has no single value
// and no default (AWS: the element then does not match).
bool Resolve(const TemplateString& t, const Request& req, std::string* out) {
  out->clear();
  for (const auto& piece : t.pieces) {
    if (!piece.is_variable) {
      *out += piece.text;
      continue;
    }
    const Context::Entry* e = req.context.Find(piece.text);
    if (e != nullptr && !e->multi && e->values.size() == 1) {
      *out += e->values.front();
    } else if (piece.has_default) {
      *out += piece.default_value;
    } else {
      return false;
    }
  }
  return true;
}

bool Compare(Cmp cmp, double request_value, double policy_value) {
  switch (cmp) {
    case Cmp::kEq:
      return request_value == policy_value;
    case Cmp::kLt:
      return request_value < policy_value;
    case Cmp::kLe:
      return request_value <= policy_value;
    case Cmp::kGt:
      return request_value > policy_value;
    case Cmp::kGe:
      return request_value >= policy_value;
  }
  return false;
}

// The positive form of the operator for one request value against one prepared policy value.
bool MatchOne(const CompiledCondition& c, const CondValue& v, std::string_view text,
              std::string_view rv) {
  switch (c.family) {
    case OpFamily::kString:
      return rv == text;
    case OpFamily::kStringIgnoreCase:
      return AsciiIEquals(rv, text);
    case OpFamily::kStringLike:
      return GlobMatch(text, rv);
    case OpFamily::kArn:
      return ArnMatch(text, rv);
    case OpFamily::kNumeric: {
      double n;
      return v.parsed && ParseNumber(rv, &n) && Compare(c.cmp, n, v.number);
    }
    case OpFamily::kDate: {
      double d;
      return v.parsed && ParseDate(rv, &d) && Compare(c.cmp, d, v.number);
    }
    case OpFamily::kBool:
      if (!v.parsed) return false;
      if (AsciiIEquals(rv, "true")) return v.boolean;
      if (AsciiIEquals(rv, "false")) return !v.boolean;
      return false;
    case OpFamily::kBinary: {
      if (!v.parsed) return false;
      std::string bytes;
      if (!Base64Decode(rv, &bytes)) return false;
      return bytes == v.bytes;
    }
    case OpFamily::kIp: {
      IpNet ip;
      return v.parsed && ParseIpNet(rv, &ip) && IpInNet(ip, v.ip);
    }
    case OpFamily::kNull:
      return false;
  }
  return false;
}

bool EvalCondition(const CompiledCondition& c, const Request& req) {
  const Context::Entry* e = req.context.Find(c.key);
  const bool present = e != nullptr && !e->values.empty();
  if (c.family == OpFamily::kNull) {
    // AWS-COMPAT: Null:true holds when the key is absent, Null:false when present.
    for (const auto& v : c.values) {
      if (v.parsed && v.boolean != present) return true;
    }
    return false;
  }
  // Resolve policy values that contain variables (rare); plain values are used in place.
  boost::container::small_vector<CondValue, 2> resolved;
  boost::container::small_vector<const CondValue*, 8> vals;
  boost::container::small_vector<std::string_view, 8> texts;
  for (const auto& v : c.values) {
    if (!v.text.has_variables) {
      vals.push_back(&v);
      texts.push_back(v.text.literal);
    }
  }
  size_t with_vars = 0;
  for (const auto& v : c.values) with_vars += v.text.has_variables ? 1 : 0;
  if (with_vars > 0) {
    resolved.resize(with_vars);
    size_t k = 0;
    for (const auto& v : c.values) {
      if (!v.text.has_variables) continue;
      CondValue& r = resolved[k++];
      std::string text;
      // AWS-COMPAT: a variable with no value invalidates the statement, whatever the key.
      if (!Resolve(v.text, req, &text)) return false;
      r.text.literal = std::move(text);
      // Prepare the family-specific fields from the raw (unencoded) text.
      std::string raw = r.text.literal;
      for (auto& ch : raw) {
        if (ch == kStar) ch = '*';
        if (ch == kOne) ch = '?';
      }
      PrepareCondValue(c.family, raw, &r);
    }
    for (auto& r : resolved) {
      vals.push_back(&r);
      texts.push_back(r.text.literal);
    }
  }
  if (!present) {
    // AWS-COMPAT: missing key (AWS-FACTS 1.6): ForAllValues true, ForAnyValue false, IfExists
    // true, negated operators true, positive operators false.
    if (c.set == SetMod::kAllValues) return true;
    if (c.if_exists) return true;
    if (c.set == SetMod::kAnyValue) return false;
    return c.negated;
  }
  auto positive = [&](std::string_view rv) {
    for (size_t i = 0; i < vals.size(); ++i) {
      if (MatchOne(c, *vals[i], texts[i], rv)) return true;
    }
    return false;
  };
  switch (c.set) {
    case SetMod::kNone: {
      bool any = false;
      for (const auto& rv : e->values) {
        if (positive(rv)) {
          any = true;
          break;
        }
      }
      return c.negated ? !any : any;
    }
    case SetMod::kAnyValue:
      for (const auto& rv : e->values) {
        if (positive(rv) != c.negated) return true;
      }
      return false;
    case SetMod::kAllValues:
      for (const auto& rv : e->values) {
        if (positive(rv) == c.negated) return false;
      }
      return true;
  }
  return false;
}

bool MatchResource(const CompiledStatement& st, const Request& req) {
  if (!st.has_resource) return true;  // trust policies, SCPs without Resource
  bool hit = st.any_resource;
  std::string buf;
  for (const auto& r : st.resources) {
    if (r.has_variables) {
      // AWS-COMPAT: a variable with no value (and no default) invalidates the whole statement,
      // even when another entry would match, and for NotResource too.
      if (!Resolve(r, req, &buf)) return false;
      if (!hit && ArnMatch(buf, req.resource)) hit = true;
    } else if (!hit && ArnMatch(r.literal, req.resource)) {
      hit = true;
    }
  }
  return hit != st.not_resource;
}

}  // namespace

Tri MatchStatement(const CompiledStatement& st, const CompiledPolicy& /*policy*/,
                   const Request& req, bool conditions_unknown, bool has_boundary) {
  if (st.principal.present) {
    if (st.principal.negated) {
      if (ExcludedByNotPrincipal(st.principal, req.principal, has_boundary)) return Tri::kNo;
    } else if (MatchPrincipal(st.principal, req.principal) == PMatch::kNone) {
      return Tri::kNo;
    }
  }
  if (!MatchResource(st, req)) return Tri::kNo;
  if (st.conditions.empty()) return Tri::kYes;
  if (conditions_unknown) return Tri::kMaybe;
  for (const auto& c : st.conditions) {
    if (!EvalCondition(c, req)) return Tri::kNo;
  }
  return Tri::kYes;
}

std::string Decision::Reason(std::string_view action) const {
  switch (effect) {
    case DecisionEffect::kAllow:
      return "";
    case DecisionEffect::kExplicitDeny:
      return "with an explicit deny in a" +
             std::string(reason_layer == Layer::kIdentity || reason_layer == Layer::kNone ? "n "
                                                                                          : " ") +
             std::string(LayerPolicyNoun(reason_layer));
    case DecisionEffect::kImplicitDeny:
      return "because no " + std::string(LayerPolicyNoun(reason_layer)) + " allows the " +
             std::string(action) + " action";
  }
  return "";
}

std::string AccessDeniedMessage(const Request& request, const Decision& decision) {
  std::string who = request.principal.type == PrincipalType::kAnonymous ? std::string("anonymous")
                                                                        : request.principal.arn;
  return "User: " + who + " is not authorized to perform: " + request.action +
         " on resource: " + request.resource + " " + decision.Reason(request.action);
}

namespace {

struct Hit {
  Layer layer;
  const CompiledPolicy* policy;
  const CompiledStatement* st;
};
using Hits = boost::container::small_vector<Hit, 8>;

struct Scan {
  ActionId id;
  std::string_view lower;
  const Request* req;
  bool has_boundary;
};

// Matches one policy; appends Allow hits to `allows` (when non-null) and Deny hits to `denies`.
void ScanPolicy(const CompiledPolicy& policy, Layer layer, const Scan& s, Hits* allows,
                Hits* denies, bool* any_allow) {
  policy.ForEachCandidate(s.id, s.lower, [&](const CompiledStatement& st) {
    if (MatchStatement(st, policy, *s.req, false, s.has_boundary) != Tri::kYes) return;
    if (st.effect == Effect::kDeny) {
      denies->push_back({layer, &policy, &st});
    } else {
      *any_allow = true;
      if (allows != nullptr) allows->push_back({layer, &policy, &st});
    }
  });
}

bool IsTrustAction(std::string_view lower) {
  return lower.starts_with("sts:assumerole") || lower == "sts:tagsession" ||
         lower == "sts:setsourceidentity" || lower == "sts:setcontext";
}

}  // namespace

Decision Evaluate(const Request& request_in, const PolicySet& set) {
  const Request* reqp = &request_in;
  Request derived_copy;
  if (!request_in.derived()) {
    derived_copy = request_in;
    derived_copy.DeriveGlobalKeys();
    reqp = &derived_copy;
  }
  const Request& req = *reqp;
  const Principal& p = req.principal;

  char small[128];
  std::string big;
  std::string_view lower;
  if (req.action.size() <= sizeof small) {
    for (size_t i = 0; i < req.action.size(); ++i) {
      char c = req.action[i];
      small[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    lower = std::string_view(small, req.action.size());
  } else {
    big = AsciiLowerCopy(req.action);
    lower = big;
  }
  Scan scan{ActionInterner::Global().Find(lower), lower, &req, set.boundary != nullptr};

  const bool is_root = p.type == PrincipalType::kRoot;
  const bool exempt_org =
      p.type == PrincipalType::kServiceLinkedRole || p.type == PrincipalType::kService;
  // AWS-COMPAT: SCPs never apply to service-linked roles; the management account is modelled
  // by the absence of SCP levels (FORMAT.md).
  const bool scp_applies = set.has_scp && !exempt_org && p.type != PrincipalType::kAnonymous;
  const bool rcp_applies = set.has_rcp && !exempt_org;
  const bool uses_identity = !is_root;  // IAM policies cannot be attached to root
  // Anonymous callers and service principals have no identity side: a resource-based policy
  // naming them grants on its own, as in the same-account case.
  const bool same_account = req.EffectiveResourceAccount() == p.account ||
                            p.type == PrincipalType::kAnonymous ||
                            p.type == PrincipalType::kService;

  Hits denies;
  Hits allows;  // identity + resource allows, for Decision::matched
  bool scp_ok = true, rcp_ok = true;
  if (scp_applies) {
    for (const auto& level : set.scp) {
      bool level_allow = false;
      for (const auto& pol : level)
        ScanPolicy(*pol, Layer::kScp, scan, nullptr, &denies, &level_allow);
      scp_ok = scp_ok && level_allow;
    }
  }
  if (rcp_applies) {
    for (const auto& level : set.rcp) {
      bool level_allow = false;
      for (const auto& pol : level)
        ScanPolicy(*pol, Layer::kRcp, scan, nullptr, &denies, &level_allow);
      rcp_ok = rcp_ok && level_allow;
    }
  }
  bool identity_allow = false;
  if (uses_identity) {
    for (const auto& pol : set.identity) {
      ScanPolicy(*pol, Layer::kIdentity, scan, &allows, &denies, &identity_allow);
    }
  }
  PMatch rbp_best = PMatch::kNone;
  if (set.resource) {
    size_t before = allows.size();
    bool any = false;
    ScanPolicy(*set.resource, Layer::kResource, scan, &allows, &denies, &any);
    for (size_t i = before; i < allows.size(); ++i) {
      PMatch m =
          allows[i].st->principal.present
              ? (allows[i].st->principal.negated ? PMatch::kDirect
                                                 : MatchPrincipal(allows[i].st->principal, p))
              : PMatch::kDirect;
      if (m > rbp_best) rbp_best = m;
    }
  }
  bool boundary_allow = false;
  if (uses_identity && set.boundary) {
    ScanPolicy(*set.boundary, Layer::kBoundary, scan, nullptr, &denies, &boundary_allow);
  }
  const bool is_session =
      p.type == PrincipalType::kAssumedRole || p.type == PrincipalType::kFederatedUser;
  bool session_allow = false;
  if (uses_identity && is_session && set.has_session) {
    for (const auto& pol : set.session) {
      ScanPolicy(*pol, Layer::kSession, scan, nullptr, &denies, &session_allow);
    }
  }

  Decision d;
  if (!denies.empty()) {
    d.effect = DecisionEffect::kExplicitDeny;
    static constexpr Layer kOrder[] = {Layer::kScp,      Layer::kRcp,      Layer::kIdentity,
                                       Layer::kResource, Layer::kBoundary, Layer::kSession};
    for (Layer l : kOrder) {
      for (const auto& h : denies) {
        if (h.layer == l) {
          if (d.decided_by == Layer::kNone) d.decided_by = l;
          d.matched.push_back({h.layer, h.policy, h.st->index, Effect::kDeny});
        }
      }
    }
    d.reason_layer = d.decided_by;
    return d;
  }
  auto implicit = [&](Layer l, Layer reason) {
    d.effect = DecisionEffect::kImplicitDeny;
    d.decided_by = l;
    d.reason_layer = reason;
    return d;
  };
  if (!scp_ok) return implicit(Layer::kScp, Layer::kScp);
  if (!rcp_ok) return implicit(Layer::kRcp, Layer::kRcp);

  auto fill_allow = [&](Layer by) {
    d.effect = DecisionEffect::kAllow;
    d.decided_by = by;
    d.reason_layer = by;
    d.matched.reserve(allows.size());
    for (const auto& h : allows)
      d.matched.push_back({h.layer, h.policy, h.st->index, Effect::kAllow});
    return d;
  };
  // AWS-COMPAT: the root user is implicitly allowed in its own account (AWS-FACTS 1.4).
  if (is_root && same_account) return fill_allow(Layer::kRoot);

  const bool boundary_ok = !uses_identity || !set.boundary || boundary_allow;
  bool session_ok = true;
  if (uses_identity && is_session) {
    // AWS-COMPAT: a role session without session policy is unrestricted by this layer; a
    // federated-user session without one gets nothing (AWS-FACTS 1.1 step 7).
    session_ok = set.has_session ? session_allow : p.type != PrincipalType::kFederatedUser;
  }
  // AWS-COMPAT: role trust policies must allow the principal themselves (AWS-FACTS 1.2).
  const bool trust_rule = set.resource != nullptr && IsTrustAction(lower);
  const bool identity_side = is_root || identity_allow;
  const bool needs_rbp = !same_account || trust_rule;

  const bool identity_path =
      identity_side && boundary_ok && session_ok && (!needs_rbp || rbp_best != PMatch::kNone);
  if (identity_path) return fill_allow(is_root ? Layer::kRoot : Layer::kIdentity);
  if (same_account) {
    if (rbp_best == PMatch::kDirect) return fill_allow(Layer::kResource);
    if (rbp_best == PMatch::kRole && boundary_ok && session_ok) {
      return fill_allow(Layer::kResource);
    }
  }
  // Work out which layer failed first.
  const bool rbp_alone = same_account && (rbp_best == PMatch::kDirect || rbp_best == PMatch::kRole);
  if (needs_rbp && identity_side && rbp_best == PMatch::kNone) {
    return implicit(Layer::kResource, Layer::kResource);
  }
  if (!identity_side && !rbp_alone) return implicit(Layer::kIdentity, Layer::kIdentity);
  if (!boundary_ok) return implicit(Layer::kBoundary, Layer::kBoundary);
  if (!session_ok) return implicit(Layer::kSession, Layer::kSession);
  return implicit(Layer::kIdentity, Layer::kIdentity);
}

}  // namespace orgtwin::policy
