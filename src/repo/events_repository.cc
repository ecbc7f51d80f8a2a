#include "repo/events_repository.h"

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

store::Value Nullable(const std::optional<std::string>& v) {
  if (!v) return std::monostate();
  return *v;
}
std::optional<std::string> OptionalText(const store::Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Text(i);
}

constexpr std::string_view kRuleColumns =
    "SELECT account_id, region, name, arn, event_pattern, schedule_expression, state, "
    "description, role_arn, created_at FROM events_rules ";

EventsRuleRow RuleFrom(const store::Row& r) {
  return EventsRuleRow{r.Text(0),          r.Text(1),          r.Text(2), r.Text(3),
                       OptionalText(r, 4), OptionalText(r, 5), r.Text(6), OptionalText(r, 7),
                       OptionalText(r, 8), r.Double(9)};
}

Result<std::vector<EventsRuleRow>> QueryRules(store::Transaction& tx, const std::string& sql,
                                              const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<EventsRuleRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(RuleFrom(r));
  return out;
}

}  // namespace

Status UpsertEventsRule(store::Transaction& tx, const EventsRuleRow& rule) {
  OT_ASSIGN_OR_RETURN(
      int64_t changed,
      tx.Execute("UPDATE events_rules SET arn = ?, event_pattern = ?, "
                 "schedule_expression = ?, state = ?, description = ?, "
                 "role_arn = ? WHERE account_id = ? AND region = ? AND name = ?",
                 {rule.arn, Nullable(rule.event_pattern), Nullable(rule.schedule_expression),
                  rule.state, Nullable(rule.description), Nullable(rule.role_arn), rule.account_id,
                  rule.region, rule.name}));
  if (changed > 0) return Status::Ok();
  return internal::Exec(
      tx,
      "INSERT INTO events_rules (account_id, region, name, arn, event_pattern, "
      "schedule_expression, state, description, role_arn, created_at) VALUES (?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?)",
      {rule.account_id, rule.region, rule.name, rule.arn, Nullable(rule.event_pattern),
       Nullable(rule.schedule_expression), rule.state, Nullable(rule.description),
       Nullable(rule.role_arn), rule.created_at});
}

Result<std::optional<EventsRuleRow>> FindEventsRule(store::Transaction& tx,
                                                    std::string_view account_id,
                                                    std::string_view region,
                                                    std::string_view name) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      QueryRules(tx, std::string(kRuleColumns) + "WHERE account_id = ? AND region = ? AND name = ?",
                 {std::string(account_id), std::string(region), std::string(name)}));
  if (rows.empty()) return std::optional<EventsRuleRow>();
  return std::optional<EventsRuleRow>(std::move(rows.front()));
}

Result<std::vector<EventsRuleRow>> ListEventsRules(store::Transaction& tx,
                                                   std::string_view account_id,
                                                   std::string_view region,
                                                   std::string_view name_prefix,
                                                   std::string_view after, size_t limit) {
  // The prefix is matched in C++ (no LIKE: `_` is a wildcard there and legal in rule names);
  // the range condition keeps the scan to the names that can match.
  std::string sql = std::string(kRuleColumns) +
                    "WHERE account_id = ? AND region = ? AND name > ? AND name >= ? ORDER BY name";
  OT_ASSIGN_OR_RETURN(auto rows, QueryRules(tx, sql,
                                            {std::string(account_id), std::string(region),
                                             std::string(after), std::string(name_prefix)}));
  std::vector<EventsRuleRow> out;
  for (EventsRuleRow& row : rows) {
    if (!row.name.starts_with(name_prefix)) break;  // sorted: no later name has the prefix
    if (out.size() == limit) break;
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<EventsRuleRow>> EventsRulesInStates(store::Transaction& tx,
                                                       std::string_view account_id,
                                                       std::string_view region,
                                                       const std::vector<std::string>& states) {
  std::string sql =
      std::string(kRuleColumns) + "WHERE account_id = ? AND region = ? AND state IN (";
  std::vector<store::Value> params{std::string(account_id), std::string(region)};
  for (size_t i = 0; i < states.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(states[i]);
  }
  sql += ") ORDER BY name";
  return QueryRules(tx, sql, params);
}

Result<bool> SetEventsRuleState(store::Transaction& tx, std::string_view account_id,
                                std::string_view region, std::string_view name,
                                std::string_view state) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE events_rules SET state = ? WHERE account_id = ? AND "
                                 "region = ? AND name = ?",
                                 {std::string(state), std::string(account_id), std::string(region),
                                  std::string(name)}));
  return changed > 0;
}

Status DeleteEventsRule(store::Transaction& tx, std::string_view account_id,
                        std::string_view region, std::string_view name, std::string_view arn) {
  OT_RETURN_IF_ERROR(internal::Exec(
      tx, "DELETE FROM events_targets WHERE account_id = ? AND region = ? AND rule_name = ?",
      {std::string(account_id), std::string(region), std::string(name)}));
  OT_RETURN_IF_ERROR(
      internal::Exec(tx, "DELETE FROM events_tags WHERE resource_arn = ?", {std::string(arn)}));
  return internal::Exec(tx,
                        "DELETE FROM events_rules WHERE account_id = ? AND region = ? AND name = ?",
                        {std::string(account_id), std::string(region), std::string(name)});
}

Status UpsertEventsTarget(store::Transaction& tx, const EventsTargetRow& target) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE events_targets SET arn = ?, target = ? WHERE account_id "
                                 "= ? AND region = ? AND rule_name = ? AND target_id = ?",
                                 {target.arn, target.target, target.account_id, target.region,
                                  target.rule_name, target.target_id}));
  if (changed > 0) return Status::Ok();
  return internal::Exec(tx,
                        "INSERT INTO events_targets (account_id, region, rule_name, target_id, "
                        "arn, target, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        {target.account_id, target.region, target.rule_name, target.target_id,
                         target.arn, target.target, target.added_at});
}

Result<bool> DeleteEventsTarget(store::Transaction& tx, std::string_view account_id,
                                std::string_view region, std::string_view rule_name,
                                std::string_view target_id) {
  OT_ASSIGN_OR_RETURN(
      int64_t changed,
      tx.Execute("DELETE FROM events_targets WHERE account_id = ? AND region = ? AND rule_name = "
                 "? AND target_id = ?",
                 {std::string(account_id), std::string(region), std::string(rule_name),
                  std::string(target_id)}));
  return changed > 0;
}

Result<std::vector<EventsTargetRow>> EventsTargetsOf(store::Transaction& tx,
                                                     std::string_view account_id,
                                                     std::string_view region,
                                                     std::string_view rule_name) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT account_id, region, rule_name, target_id, arn, target, added_at FROM "
               "events_targets WHERE account_id = ? AND region = ? AND rule_name = ? ORDER BY "
               "added_at, target_id",
               {std::string(account_id), std::string(region), std::string(rule_name)}));
  std::vector<EventsTargetRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(EventsTargetRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                                  r.Double(6)});
  }
  return out;
}

Result<std::vector<std::string>> EventsRuleNamesByTarget(store::Transaction& tx,
                                                         std::string_view account_id,
                                                         std::string_view region,
                                                         std::string_view arn,
                                                         std::string_view after, size_t limit) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT DISTINCT rule_name FROM events_targets WHERE account_id = ? AND region = "
               "? AND arn = ? AND rule_name > ? ORDER BY rule_name LIMIT ?",
               {std::string(account_id), std::string(region), std::string(arn), std::string(after),
                static_cast<int64_t>(limit)}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(r.Text(0));
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> EventsTagsOf(store::Transaction& tx,
                                                                      std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM events_tags WHERE "
                                          "resource_arn = ? ORDER BY tag_key",
                                          {std::string(arn)}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Status PutEventsTag(store::Transaction& tx, std::string_view arn, std::string_view key,
                    std::string_view value) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE events_tags SET tag_value = ? WHERE resource_arn = ? AND "
                                 "tag_key = ?",
                                 {std::string(value), std::string(arn), std::string(key)}));
  if (changed > 0) return Status::Ok();
  return internal::Exec(
      tx, "INSERT INTO events_tags (resource_arn, tag_key, tag_value) VALUES (?, ?, ?)",
      {std::string(arn), std::string(key), std::string(value)});
}

Status DeleteEventsTag(store::Transaction& tx, std::string_view arn, std::string_view key) {
  return internal::Exec(tx, "DELETE FROM events_tags WHERE resource_arn = ? AND tag_key = ?",
                        {std::string(arn), std::string(key)});
}

}  // namespace orgtwin::repo
