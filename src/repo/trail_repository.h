// File: repo/trail_repository.h
//
// The audit trail's rows (trail_events, migration 0016): one CloudTrail-shaped event per row,
// its JSON kept as CloudTrail writes it, with the columns lookups filter on beside it. Console
// sign-ins write here now; the audit trail of every call reads and writes the same table.
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
  std::string record;  // the event's JSON
};

Status InsertTrailEvent(store::Transaction& tx, const TrailEventRow& event);
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
