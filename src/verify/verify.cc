#include "verify/verify.h"

#include <algorithm>
#include <chrono>

namespace orgtwin::verify {
namespace {

namespace json = boost::json;

// A matrix cell as a short word.
std::string_view Mark(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllowed:
      return "YES";
    case Verdict::kConditional:
      return "cond";
    case Verdict::kDenied:
      break;
  }
  return "-";
}

json::array Strings(const std::vector<std::string>& values) {
  return json::array(values.begin(), values.end());
}

}  // namespace

bool Report::AllHold() const {
  return std::all_of(expectations.begin(), expectations.end(),
                     [](const ExpectationResult& e) { return e.understood && e.holds; });
}

Result<Report> Verify(structure::Session& session) {
  const auto started = std::chrono::steady_clock::now();
  Report report;
  OT_ASSIGN_OR_RETURN(report.state, ReadState(session));
  report.analysis = Analyze(report.state, session.structure());
  report.expectations = CheckExpectations(session.structure(), report.state, report.analysis);
  for (const ExpectationResult& e : report.expectations) {
    if (e.understood && e.holds) continue;
    report.analysis.findings.push_back(
        {2, (e.understood ? "the claim fails: " : "the claim is not understood: ") + e.text,
         e.evidence});
  }
  std::stable_sort(report.analysis.findings.begin(), report.analysis.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string FormatText(const Report& report) {
  const Analysis& a = report.analysis;
  std::string out = "  Capability matrix (YES allowed, cond allowed under conditions, - denied):\n";
  out += "  party      account         ";
  for (Capability c : kCapabilities) {
    std::string name(CapabilityKey(c));
    name.resize(std::min<size_t>(name.size(), 10));
    out += " " + name + std::string(11 - name.size(), ' ');
  }
  out += "\n";
  for (size_t i = 0; i < a.cells.size(); i += std::size(kCapabilities)) {
    const Cell& first = a.cells[i];
    std::string row = "  " + first.party;
    row.resize(13, ' ');
    row += first.account;
    row.resize(30, ' ');
    for (size_t j = 0; j < std::size(kCapabilities); ++j) {
      std::string mark(Mark(a.cells[i + j].verdict));
      row += " " + mark + std::string(11 - mark.size(), ' ');
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
  out += "\n  Who can reach each root user under custody (minimal coalitions of parties):\n";
  for (const RootCoalitions& c : a.coalitions) {
    std::string sets;
    for (const auto& coalition : c.minimal) {
      std::string names;
      for (const std::string& p : coalition) names.append(names.empty() ? "" : " + ").append(p);
      sets.append(sets.empty() ? "" : ", ").append("{" + names + "}");
    }
    out += "  " + c.account + ": " + (sets.empty() ? "no coalition of the parties" : sets) + "\n";
    for (const std::string& note : c.notes) out += "    - " + note + "\n";
  }
  out += "\n  Findings, most severe first:\n";
  static constexpr std::string_view kSeverity[] = {"note", "escalation", "high", "ROOT"};
  for (const Finding& f : a.findings) {
    out += "  [" + std::string(kSeverity[std::clamp(f.severity, 0, 3)]) + "] " + f.title + "\n";
    for (const std::string& e : f.evidence) out += "      " + e + "\n";
  }
  if (a.findings.empty()) out += "  none\n";
  out += "\n  Claims (expect:):\n";
  for (const ExpectationResult& e : report.expectations) {
    out += "  " +
           std::string(!e.understood ? "NOT UNDERSTOOD"
                       : e.holds     ? "holds"
                                     : "FAILS") +
           "  " + e.text + "\n";
  }
  out += "\n  Not read:";
  out += report.state.unread.empty() ? " nothing\n" : "\n";
  for (const std::string& u : report.state.unread) out += "    - " + u + "\n";
  out += "  Not modeled:\n";
  for (const std::string& n : a.not_modeled) out += "    - " + n + "\n";
  char figures[160];
  std::snprintf(figures, sizeof figures, "  %lld API calls, %lld policy decisions, %.3f s\n",
                static_cast<long long>(report.state.calls), static_cast<long long>(a.decisions),
                report.seconds);
  out += figures;
  return out;
}

json::object ToJson(const Report& report) {
  const Analysis& a = report.analysis;
  json::array cells;
  for (const Cell& c : a.cells) {
    cells.push_back(json::object{{"party", c.party},
                                 {"account", c.account},
                                 {"capability", CapabilityKey(c.capability)},
                                 {"verdict", VerdictName(c.verdict)},
                                 {"principal", c.principal},
                                 {"action", c.action},
                                 {"chain", Strings(c.chain.steps)},
                                 {"statements", Strings(c.statements)},
                                 {"conditions", Strings(c.conditions)}});
  }
  json::array escalations;
  for (const Escalation& e : a.escalations) {
    escalations.push_back(json::object{{"party", e.party},
                                       {"from", e.from},
                                       {"to", e.to},
                                       {"how", e.how},
                                       {"conditional", e.conditional}});
  }
  json::array coalitions;
  for (const RootCoalitions& c : a.coalitions) {
    json::array minimal;
    for (const auto& m : c.minimal) minimal.push_back(Strings(m));
    coalitions.push_back(
        json::object{{"account", c.account}, {"minimal", minimal}, {"notes", Strings(c.notes)}});
  }
  json::array findings;
  for (const Finding& f : a.findings) {
    findings.push_back(json::object{
        {"severity", f.severity}, {"title", f.title}, {"evidence", Strings(f.evidence)}});
  }
  json::array claims;
  for (const ExpectationResult& e : report.expectations) {
    claims.push_back(json::object{{"text", e.text},
                                  {"location", e.location.ToString()},
                                  {"understood", e.understood},
                                  {"holds", e.holds},
                                  {"evidence", Strings(e.evidence)}});
  }
  json::array accounts;
  for (const AccountView& v : report.state.accounts) {
    accounts.push_back(json::object{{"key", v.key},
                                    {"id", v.id},
                                    {"management", v.management},
                                    {"member", v.member},
                                    {"ou_path", v.ou_path},
                                    {"roles", v.roles.size()},
                                    {"users", v.users.size()}});
  }
  json::array edges;
  for (const Edge& e : a.edges) {
    edges.push_back(json::object{
        {"party", e.party}, {"from", e.from}, {"to", e.to}, {"how", e.how}, {"kind", e.kind}});
  }
  json::array alert_paths;
  for (const AlertPathView& p : report.state.alert_paths) {
    json::array deliveries;
    for (const AlertPathView::Delivery& d : p.deliveries) {
      deliveries.push_back(json::object{{"topic", d.topic_arn},
                                        {"protocol", d.protocol},
                                        {"endpoint", d.endpoint},
                                        {"confirmed", d.confirmed}});
    }
    alert_paths.push_back(json::object{{"account", p.account},
                                       {"trails", Strings(p.trails)},
                                       {"rules", Strings(p.rules)},
                                       {"deliveries", deliveries},
                                       {"logging", p.logging},
                                       {"rule_enabled", p.rule_enabled}});
  }
  json::array capabilities;
  for (Capability c : kCapabilities) {
    capabilities.push_back(json::object{{"key", CapabilityKey(c)}, {"name", CapabilityName(c)}});
  }
  return json::object{{"accounts", accounts},
                      {"capabilities", capabilities},
                      {"cells", cells},
                      {"units", Strings(report.state.units)},
                      {"escalations", escalations},
                      {"edges", edges},
                      {"alert_paths", alert_paths},
                      {"coalitions", coalitions},
                      {"findings", findings},
                      {"claims", claims},
                      {"all_hold", report.AllHold()},
                      {"unread", Strings(report.state.unread)},
                      {"not_modeled", Strings(a.not_modeled)},
                      {"api_calls", report.state.calls},
                      {"decisions", a.decisions},
                      {"seconds", report.seconds}};
}

}  // namespace orgtwin::verify
