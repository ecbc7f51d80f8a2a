// File: repo/trail_repository.h
//
// The audit trail's rows (trail_events, migration 0016): one CloudTrail event per row, with the
// columns lookups filter on beside it, and the caller part of compactly stored events in
// trail_callers (migration 0024). What `record` holds is services/trail/stored_event.h's
// business: this layer stores and joins the texts.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

struct TrailEventRow {
  std::string event_id;
  std::string account_id;  // recipientAccountId
  double event_time = 0;
  std::string event_source;  // signin.amazonaws.com, iam.amazonaws.com, ...
  std::string event_name;
  std::string record;  // the event's JSON, whole or without its caller part (stored_event.h)
  // The caller part's key and JSON (trail_callers); both empty for an event stored whole.
  std::string caller_key;
  std::string caller;
};

// Inserts `event`, and its caller part unless trail_callers holds that key already. With
// `caller_stored` the caller is not written at all (the caller knows a committed row holds it).
// trail_callers rows are never deleted: they are content-addressed and shared by events.
Status InsertTrailEvent(store::Transaction& tx, const TrailEventRow& event,
                        bool caller_stored = false);
// The columns TrailEventRow is read from (trail_events e LEFT JOIN trail_callers c), and the join.
inline constexpr std::string_view kTrailEventColumns =
    "e.event_id, e.account_id, e.event_time, e.event_source, e.event_name, e.record, "
    "e.caller_key, c.caller FROM trail_events e LEFT JOIN trail_callers c ON c.caller_key = "
    "e.caller_key ";
TrailEventRow TrailEventRowOf(const store::Row& row);
// A position in the newest-first order of an account's events (LookupEvents' NextToken).
struct TrailEventCursor {
  double event_time = 0;
  std::string event_id;
};
// Up to `limit` events of `account_id` with since <= event_time <= until, named `event_name`
// ("" = any), newest first (by time, then event ID), strictly after `after` in that order.
Result<std::vector<TrailEventRow>> TrailEventsNewestFirst(
    store::Transaction& tx, std::string_view account_id, double since, double until,
    const std::optional<TrailEventCursor>& after, std::string_view event_name, size_t limit);

// Deletes the events older than `before` (the 90-day event history's end).
Status DeleteTrailEventsBefore(store::Transaction& tx, double before);

}  // namespace orgtwin::repo
