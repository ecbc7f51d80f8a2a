#include "policy/effective.h"

#include <algorithm>

namespace orgtwin::policy {

namespace {

// Tri's enumerators are ordered kNo < kYes < kMaybe; for lattice operations we need
// No < Maybe < Yes.
int Rank(Tri t) { return t == Tri::kNo ? 0 : (t == Tri::kMaybe ? 1 : 2); }
Tri Lmax(Tri a, Tri b) { return Rank(a) >= Rank(b) ? a : b; }
Tri Lmin(Tri a, Tri b) { return Rank(a) <= Rank(b) ? a : b; }

struct Sweep {
  ActionId id;
  std::string_view lower;
  const Request* req;
  ActionPermission* out;
  bool has_boundary;
};

// Returns the best Allow value of a policy and the worst Deny value, recording "maybe" statements.
void ScanInto(const CompiledPolicy& policy, Layer layer, const Sweep& s, Tri* allow, Tri* deny) {
  policy.ForEachCandidate(s.id, s.lower, [&](const CompiledStatement& st) {
    Tri t = MatchStatement(st, policy, *s.req, true, s.has_boundary);
    if (t == Tri::kNo) return;
    if (t == Tri::kMaybe) {
      s.out->conditions.push_back({layer, &policy, st.index, st.effect});
      for (const auto& c : st.conditions) {
        if (std::find(s.out->condition_keys.begin(), s.out->condition_keys.end(), c.key) ==
            s.out->condition_keys.end()) {
          s.out->condition_keys.push_back(c.key);
        }
      }
    }
    if (st.effect == Effect::kDeny) {
      *deny = Lmax(*deny, t);
    } else {
      *allow = Lmax(*allow, t);
    }
  });
}

ActionPermission Classify(const Request& req, const PolicySet& set, ActionId id,
                          std::string_view lower) {
  ActionPermission out;
  Sweep s{id, lower, &req, &out, set.boundary != nullptr};
  const Principal& p = req.principal;
  const bool is_root = p.type == PrincipalType::kRoot;
  const bool exempt_org =
      p.type == PrincipalType::kServiceLinkedRole || p.type == PrincipalType::kService;
  const bool same_account = req.EffectiveResourceAccount() == p.account;
  Tri deny = Tri::kNo;
  Tri scp = Tri::kYes, rcp = Tri::kYes;
  if (set.has_scp && !exempt_org) {
    for (const auto& level : set.scp) {
      Tri level_allow = Tri::kNo;
      for (const auto& pol : level) ScanInto(*pol, Layer::kScp, s, &level_allow, &deny);
      scp = Lmin(scp, level_allow);
    }
  }
  if (set.has_rcp && !exempt_org) {
    for (const auto& level : set.rcp) {
      Tri level_allow = Tri::kNo;
      for (const auto& pol : level) ScanInto(*pol, Layer::kRcp, s, &level_allow, &deny);
      rcp = Lmin(rcp, level_allow);
    }
  }
  Tri identity = is_root ? Tri::kYes : Tri::kNo;
  if (!is_root) {
    for (const auto& pol : set.identity) ScanInto(*pol, Layer::kIdentity, s, &identity, &deny);
  }
  Tri rbp = Tri::kNo;
  if (set.resource) ScanInto(*set.resource, Layer::kResource, s, &rbp, &deny);
  Tri boundary = Tri::kYes;
  if (!is_root && set.boundary) {
    boundary = Tri::kNo;
    ScanInto(*set.boundary, Layer::kBoundary, s, &boundary, &deny);
  }
  Tri session = Tri::kYes;
  const bool is_session =
      p.type == PrincipalType::kAssumedRole || p.type == PrincipalType::kFederatedUser;
  if (!is_root && is_session) {
    if (set.has_session) {
      session = Tri::kNo;
      for (const auto& pol : set.session) ScanInto(*pol, Layer::kSession, s, &session, &deny);
    } else if (p.type == PrincipalType::kFederatedUser) {
      session = Tri::kNo;
    }
  }
  Tri result;
  if (deny == Tri::kYes) {
    result = Tri::kNo;
  } else if (is_root && same_account) {
    result = Lmin(scp, rcp);
  } else {
    // Same account: identity or the resource policy grants; cross-account: both must.
    Tri grant = same_account ? Lmax(identity, rbp) : Lmin(identity, rbp);
    result = Lmin(Lmin(scp, rcp), Lmin(grant, Lmin(boundary, session)));
  }
  if (deny == Tri::kMaybe) result = Lmin(result, Tri::kMaybe);
  out.permission = result == Tri::kYes  ? Permission::kAllowed
                   : result == Tri::kNo ? Permission::kDenied
                                        : Permission::kConditional;
  if (out.permission != Permission::kConditional) {
    out.conditions.clear();
    out.condition_keys.clear();
  }
  return out;
}

}  // namespace

ActionPermission ClassifyRequest(const Request& request_in, const PolicySet& policies) {
  Request req = request_in;
  req.DeriveGlobalKeys();
  std::string lower = AsciiLowerCopy(req.action);
  ActionPermission out = Classify(req, policies, ActionInterner::Global().Find(lower), lower);
  out.action = Actions().Find(req.action);
  return out;
}

std::vector<ActionPermission> EffectivePermissions(const PolicySet& policies,
                                                   const EffectiveQuery& query) {
  const ActionCatalog& catalog = Actions();
  Request req;
  req.principal = query.principal;
  req.resource = query.resource;
  req.resource_account = query.resource_account;
  req.DeriveGlobalKeys();
  std::vector<ActionPermission> out;
  for (const auto& a : catalog.actions()) {
    ActionPermission ap = Classify(req, policies, a.id, a.lower);
    if (ap.permission == Permission::kDenied && !query.include_denied) continue;
    ap.action = &a;
    out.push_back(std::move(ap));
  }
  return out;
}

}  // namespace orgtwin::policy
