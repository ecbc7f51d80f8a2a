#include "verify/expectations.h"

#include <algorithm>
#include <sstream>

#include "common/ascii.h"

namespace orgtwin::verify {
namespace {

struct Phrase {
  std::string_view words;
  Capability capability;
};

// The words a claim may use for each capability, longest first where one contains another.
constexpr Phrase kPhrases[] = {
    {"administer the organization", Capability::kAdministerOrganization},
    {"administer the organisation", Capability::kAdministerOrganization},
    {"administer iam", Capability::kAdministerIam},
    {"read invoices", Capability::kReadBilling},
    {"read billing", Capability::kReadBilling},
    {"read bills", Capability::kReadBilling},
    {"change payment", Capability::kChangePayment},
    {"change the payment", Capability::kChangePayment},
    {"stop the audit trail", Capability::kChangeAuditTrail},
    {"change the audit trail", Capability::kChangeAuditTrail},
    {"stop the alerting", Capability::kChangeAlerting},
    {"change the alerting", Capability::kChangeAlerting},
    {"switch the alerting off", Capability::kChangeAlerting},
    {"change root recovery factors", Capability::kChangeRootFactors},
    {"sign in as root", Capability::kActAsRoot},
    {"act as root", Capability::kActAsRoot},
};

std::string Describe(const Cell& cell) {
  std::string text = cell.party + " in `" + cell.account +
                     "`: " + std::string(VerdictName(cell.verdict)) + " as " + cell.principal;
  if (!cell.action.empty()) text += " (" + cell.action + ")";
  for (const std::string& step : cell.chain.steps) text += "; " + step;
  if (!cell.statements.empty()) {
    text += "; by";
    for (const std::string& s : cell.statements) text += " [" + s + "]";
  }
  if (!cell.conditions.empty()) {
    text += "; under conditions on";
    for (const std::string& c : cell.conditions) text += " " + c;
  }
  return text;
}

ExpectationResult Check(const structure::Expectation& e, const structure::Structure& s,
                        const State& state, const Analysis& analysis) {
  ExpectationResult r{e.text, e.location, false, false, {}};
  std::string text = AsciiLowerCopy(e.text);
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  std::vector<std::string> parties;
  std::string rest;
  for (std::string_view prefix : {"neither party alone ", "no party alone "}) {
    if (text.rfind(prefix, 0) == 0) {
      for (const auto& [key, party] : s.parties) parties.push_back(key);
      rest = text.substr(prefix.size());
    }
  }
  if (parties.empty()) {
    const size_t space = text.find(' ');
    const std::string subject = text.substr(0, space);
    if (s.FindParty(subject) == nullptr || space == std::string::npos) {
      r.evidence.push_back("`" + subject + "` is not a party of the file");
      return r;
    }
    parties.push_back(subject);
    rest = text.substr(space + 1);
  }
  bool can;
  if (rest.rfind("cannot ", 0) == 0) {
    can = false;
    rest = rest.substr(7);
  } else if (rest.rfind("can not ", 0) == 0) {
    can = false;
    rest = rest.substr(8);
  } else if (rest.rfind("can ", 0) == 0) {
    can = true;
    rest = rest.substr(4);
  } else {
    r.evidence.push_back("expected `can` or `cannot` after the party");
    return r;
  }
  // "neither party alone can X" claims that no single party can.
  if (parties.size() > 1) can = !can;
  const Phrase* phrase = nullptr;
  for (const Phrase& p : kPhrases) {
    if (rest.rfind(p.words, 0) == 0) {
      phrase = &p;
      break;
    }
  }
  if (phrase == nullptr) {
    r.evidence.push_back("no capability of the matrix is named in `" + rest + "`");
    return r;
  }
  std::string scope = rest.substr(phrase->words.size());
  std::vector<const AccountView*> accounts;
  std::vector<std::string> unread_scope;  // accounts of the file named but not read at all
  if (scope == " in any account" || scope == " in every account") {
    for (const AccountView& a : state.accounts) accounts.push_back(&a);
  } else if (scope.rfind(" in ", 0) == 0) {
    // "in payer", or a list: "in payer, customer-prod and customer-dev".
    std::string list = scope.substr(4);
    for (size_t at; (at = list.find(" and ")) != std::string::npos;) list.replace(at, 5, ",");
    std::istringstream names(list);
    for (std::string name; std::getline(names, name, ',');) {
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      if (s.FindAccount(name) == nullptr) {
        r.evidence.push_back("`" + name + "` is not an account of the file");
        return r;
      }
      if (const AccountView* a = state.FindByKey(name)) {
        accounts.push_back(a);
      } else {
        unread_scope.push_back(name);
      }
    }
  } else if (!scope.empty()) {
    r.evidence.push_back("`" + scope + "` is not a scope (in ACCOUNT, in any account)");
    return r;
  } else if (phrase->capability == Capability::kActAsRoot) {
    for (const auto& [key, custody] : s.custody) {
      if (const AccountView* a = state.FindByKey(key)) accounts.push_back(a);
    }
  } else if (phrase->capability == Capability::kReadBilling ||
             phrase->capability == Capability::kChangePayment ||
             phrase->capability == Capability::kAdministerOrganization) {
    for (const AccountView& a : state.accounts) {
      if (a.management) accounts.push_back(&a);
    }
  } else {
    for (const AccountView& a : state.accounts) accounts.push_back(&a);
  }
  r.understood = true;
  bool any_allowed = false;
  bool all_denied = true;
  for (const std::string& party : parties) {
    for (const AccountView* account : accounts) {
      const Cell* cell = analysis.Find(party, account->key, phrase->capability);
      if (cell == nullptr) continue;
      if (cell->verdict == Verdict::kAllowed) any_allowed = true;
      if (cell->verdict != Verdict::kDenied) {
        all_denied = false;
        if (!can) r.evidence.push_back(Describe(*cell));
      }
    }
  }
  r.holds = can ? any_allowed : all_denied;
  // What was not read proves nothing: a denial there may be a role verify never saw.
  for (const std::string& name : unread_scope) {
    if (!can) r.holds = false;
    r.evidence.push_back("account `" + name + "` was not read (its ID is not known)");
  }
  for (const AccountView* account : accounts) {
    if (account->iam_read) continue;
    if (!can) r.holds = false;
    r.evidence.push_back("the IAM of `" + account->key +
                         "` could not be read, so the claim is not proved there");
  }
  if (accounts.empty()) {
    r.holds = false;
    r.evidence.push_back("no account of the file was read for this claim");
  } else if (can && !r.holds) {
    r.evidence.push_back(
        "no principal the party reaches is allowed any of the capability's actions");
  }
  return r;
}

}  // namespace

std::vector<ExpectationResult> CheckExpectations(const structure::Structure& structure,
                                                 const State& state, const Analysis& analysis) {
  std::vector<ExpectationResult> results;
  for (const structure::Expectation& e : structure.expectations) {
    results.push_back(Check(e, structure, state, analysis));
  }
  return results;
}

}  // namespace orgtwin::verify
