#include "repo/trail_repository.h"

#include "repo/statement.h"

namespace orgtwin::repo {

Status InsertTrailEvent(store::Transaction& tx, const TrailEventRow& event, bool caller_stored) {
  if (event.caller_key.empty()) {
    return internal::Exec(tx,
                          "INSERT INTO trail_events (event_id, account_id, event_time, "
                          "event_source, event_name, record) VALUES (?, ?, ?, ?, ?, ?)",
                          {event.event_id, event.account_id, event.event_time, event.event_source,
                           event.event_name, event.record});
  }
  // The key is a hash of the text: a row already there holds the same caller.
  if (!caller_stored) {
    OT_RETURN_IF_ERROR(
        internal::Exec(tx,
                       "INSERT INTO trail_callers (caller_key, caller) VALUES (?, ?) "
                       "ON CONFLICT (caller_key) DO NOTHING",
                       {event.caller_key, event.caller}));
  }
  return internal::Exec(
      tx,
      "INSERT INTO trail_events (event_id, account_id, event_time, "
      "event_source, event_name, record, caller_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {event.event_id, event.account_id, event.event_time, event.event_source, event.event_name,
       event.record, event.caller_key});
}

TrailEventRow TrailEventRowOf(const store::Row& r) {
  return TrailEventRow{r.Text(0), r.Text(1), r.Double(2), r.Text(3),
                       r.Text(4), r.Text(5), r.Text(6),   r.Text(7)};
}

Result<std::vector<TrailEventRow>> TrailEventsNewestFirst(
    store::Transaction& tx, std::string_view account_id, double since, double until,
    const std::optional<TrailEventCursor>& after, std::string_view event_name, size_t limit) {
  std::string sql = "SELECT " + std::string(kTrailEventColumns) +
                    "WHERE e.account_id = ? AND e.event_time >= ? AND e.event_time <= ? ";
  std::vector<store::Value> params{std::string(account_id), since, until};
  if (after.has_value()) {
    sql += "AND (e.event_time < ? OR (e.event_time = ? AND e.event_id < ?)) ";
    params.emplace_back(after->event_time);
    params.emplace_back(after->event_time);
    params.emplace_back(after->event_id);
  }
  if (!event_name.empty()) {
    sql += "AND e.event_name = ? ";
    params.emplace_back(std::string(event_name));
  }
  sql += "ORDER BY e.event_time DESC, e.event_id DESC LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<TrailEventRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(TrailEventRowOf(r));
  return out;
}

Status DeleteTrailEventsBefore(store::Transaction& tx, double before) {
  return internal::Exec(tx, "DELETE FROM trail_events WHERE event_time < ?", {before});
}

}  // namespace orgtwin::repo
