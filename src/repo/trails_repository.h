// File: repo/trails_repository.h
//
// CloudTrail trails' rows (cloudtrail_trails, cloudtrail_trail_tags; migration 0022): a trail's
// settings as CreateTrail/UpdateTrail stored them, its logging state, and its log-file delivery's
// cursor and pending step (services/trail/log_delivery.h). What a field means on the wire and
// which caller may change it are services/trail's; this file knows only rows.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "repo/trail_repository.h"
#include "store/store.h"

namespace orgtwin::repo {

struct TrailRow {
  std::string trail_arn;  // arn:aws:cloudtrail:HOME_REGION:ACCOUNT:trail/NAME
  std::string account_id;
  std::string home_region;
  std::string name;
  std::string s3_bucket_name;
  std::string s3_key_prefix;  // "" = none
  std::string sns_topic_name;
  bool include_global_service_events = true;
  bool is_multi_region_trail = false;
  bool is_organization_trail = false;
  bool log_file_validation_enabled = false;
  std::string cloud_watch_logs_log_group_arn;
  std::string cloud_watch_logs_role_arn;
  std::string kms_key_id;
  std::string event_selectors;           // JSON array; "" = the default selector
  std::string advanced_event_selectors;  // JSON array; "" = none
  double created_at = 0;
  bool is_logging = false;
  std::optional<double> start_logging_time;
  std::optional<double> stop_logging_time;
  std::optional<double> latest_delivery_time;
  std::optional<double> latest_delivery_attempt_time;
  std::string latest_delivery_error;
  // Delivery cursor: every event up to (delivered_time, delivered_event_id) was delivered.
  double delivered_time = 0;
  std::string delivered_event_id;
  // The delivery in progress, if any (see migration 0022).
  std::optional<double> pending_time;
  std::string pending_event_id;
  std::string pending_nonce;
  std::optional<double> pending_at;
};

// Inserts a new trail (kAlreadyExists when its ARN or (account, region, name) is taken).
Status InsertTrail(store::Transaction& tx, const TrailRow& trail);
// Rewrites the settings of `trail` (by ARN): everything but the logging state and the delivery
// columns.
Status UpdateTrailSettings(store::Transaction& tx, const TrailRow& trail);
// Deletes the trail and its tags.
Status DeleteTrail(store::Transaction& tx, std::string_view trail_arn);
Result<std::optional<TrailRow>> FindTrail(store::Transaction& tx, std::string_view trail_arn);
// The trails of `account_id` (every Region), by ARN.
Result<std::vector<TrailRow>> TrailsOf(store::Transaction& tx, std::string_view account_id);
// The organization trails of `account_id` (a management account's), by ARN.
Result<std::vector<TrailRow>> OrganizationTrailsOf(store::Transaction& tx,
                                                   std::string_view account_id);
// The trails named `name` of any account, by ARN.
Result<std::vector<TrailRow>> TrailsNamed(store::Transaction& tx, std::string_view name);
// The trails that are logging, by ARN (few on any twin: the audit trail asks on every call).
Result<std::vector<TrailRow>> LoggingTrails(store::Transaction& tx);
// The trails that are logging or have a delivery pending or events left to deliver from before
// they stopped, by ARN: the delivery worker's work list.
Result<std::vector<TrailRow>> TrailsToDeliver(store::Transaction& tx);

// StartLogging (logging = true, start time `at`) or StopLogging (false, stop time `at`). When
// logging starts, the delivery cursor moves to `at` if it is behind, unless events from before
// the last stop are still undelivered (the delivery then jumps the stopped interval itself):
// events from while the trail was not logging are not the trail's to deliver.
Status SetTrailLogging(store::Transaction& tx, std::string_view trail_arn, bool logging, double at);
Status SetTrailEventSelectors(store::Transaction& tx, std::string_view trail_arn,
                              std::string_view event_selectors,
                              std::string_view advanced_event_selectors);

// ---- Delivery (services/trail/log_delivery.h) ----
// Records the delivery about to be written.
Status SetTrailPendingDelivery(store::Transaction& tx, std::string_view trail_arn,
                               double pending_time, std::string_view pending_event_id,
                               std::string_view nonce, double at);
// Moves the cursor to the pending end and clears the pending step; `delivered` (files were
// written) also records a delivery at `at`.
Status CompleteTrailDelivery(store::Transaction& tx, std::string_view trail_arn, bool delivered,
                             double at);
// Records a failed delivery attempt (the pending step stays, to be retried).
Status SetTrailDeliveryError(store::Transaction& tx, std::string_view trail_arn,
                             std::string_view error, double at);

// The events of `account_ids` after the cursor (after_time, after_event_id) and at or before
// `until` (both in (event_time, event_id) order), oldest first, at most `limit`. Reads
// trail_events (repo/trail_repository.h's table) for the delivery worker.
Result<std::vector<TrailEventRow>> TrailEventsAfter(store::Transaction& tx,
                                                    const std::vector<std::string>& account_ids,
                                                    double after_time,
                                                    std::string_view after_event_id, double until,
                                                    std::string_view until_event_id, int64_t limit);

// ---- Tags, by key ----
Result<std::vector<std::pair<std::string, std::string>>> TrailTags(store::Transaction& tx,
                                                                   std::string_view trail_arn);
Status PutTrailTag(store::Transaction& tx, std::string_view trail_arn, std::string_view key,
                   std::string_view value);
Status DeleteTrailTag(store::Transaction& tx, std::string_view trail_arn, std::string_view key);

}  // namespace orgtwin::repo
