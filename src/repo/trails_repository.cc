#include "repo/trails_repository.h"

#include <algorithm>

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

constexpr char kTrailCols[] =
    "SELECT trail_arn, account_id, home_region, name, s3_bucket_name, s3_key_prefix, "
    "sns_topic_name, include_global_service_events, is_multi_region_trail, "
    "is_organization_trail, log_file_validation_enabled, cloud_watch_logs_log_group_arn, "
    "cloud_watch_logs_role_arn, kms_key_id, event_selectors, advanced_event_selectors, "
    "created_at, is_logging, start_logging_time, stop_logging_time, latest_delivery_time, "
    "latest_delivery_attempt_time, latest_delivery_error, delivered_time, delivered_event_id, "
    "pending_time, pending_event_id, pending_nonce, pending_at FROM cloudtrail_trails ";

std::optional<double> OptionalDouble(const store::Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Double(i);
}

TrailRow ToTrail(const store::Row& r) {
  TrailRow t;
  t.trail_arn = r.Text(0);
  t.account_id = r.Text(1);
  t.home_region = r.Text(2);
  t.name = r.Text(3);
  t.s3_bucket_name = r.Text(4);
  t.s3_key_prefix = r.Text(5);
  t.sns_topic_name = r.Text(6);
  t.include_global_service_events = r.Int(7) != 0;
  t.is_multi_region_trail = r.Int(8) != 0;
  t.is_organization_trail = r.Int(9) != 0;
  t.log_file_validation_enabled = r.Int(10) != 0;
  t.cloud_watch_logs_log_group_arn = r.Text(11);
  t.cloud_watch_logs_role_arn = r.Text(12);
  t.kms_key_id = r.Text(13);
  t.event_selectors = r.Text(14);
  t.advanced_event_selectors = r.Text(15);
  t.created_at = r.Double(16);
  t.is_logging = r.Int(17) != 0;
  t.start_logging_time = OptionalDouble(r, 18);
  t.stop_logging_time = OptionalDouble(r, 19);
  t.latest_delivery_time = OptionalDouble(r, 20);
  t.latest_delivery_attempt_time = OptionalDouble(r, 21);
  t.latest_delivery_error = r.Text(22);
  t.delivered_time = r.Double(23);
  t.delivered_event_id = r.Text(24);
  t.pending_time = OptionalDouble(r, 25);
  t.pending_event_id = r.Text(26);
  t.pending_nonce = r.Text(27);
  t.pending_at = OptionalDouble(r, 28);
  return t;
}

Result<std::vector<TrailRow>> QueryTrails(store::Transaction& tx, const std::string& where,
                                          const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kTrailCols) + where, params));
  std::vector<TrailRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToTrail(r));
  return out;
}

int64_t Flag(bool b) { return b ? 1 : 0; }

}  // namespace

Status InsertTrail(store::Transaction& tx, const TrailRow& t) {
  return internal::Exec(
      tx,
      "INSERT INTO cloudtrail_trails (trail_arn, account_id, home_region, name, s3_bucket_name, "
      "s3_key_prefix, sns_topic_name, include_global_service_events, is_multi_region_trail, "
      "is_organization_trail, log_file_validation_enabled, cloud_watch_logs_log_group_arn, "
      "cloud_watch_logs_role_arn, kms_key_id, event_selectors, advanced_event_selectors, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {t.trail_arn, t.account_id, t.home_region, t.name, t.s3_bucket_name, t.s3_key_prefix,
       t.sns_topic_name, Flag(t.include_global_service_events), Flag(t.is_multi_region_trail),
       Flag(t.is_organization_trail), Flag(t.log_file_validation_enabled),
       t.cloud_watch_logs_log_group_arn, t.cloud_watch_logs_role_arn, t.kms_key_id,
       t.event_selectors, t.advanced_event_selectors, t.created_at});
}

Status UpdateTrailSettings(store::Transaction& tx, const TrailRow& t) {
  return internal::Exec(
      tx,
      "UPDATE cloudtrail_trails SET s3_bucket_name = ?, s3_key_prefix = ?, sns_topic_name = ?, "
      "include_global_service_events = ?, is_multi_region_trail = ?, is_organization_trail = ?, "
      "log_file_validation_enabled = ?, cloud_watch_logs_log_group_arn = ?, "
      "cloud_watch_logs_role_arn = ?, kms_key_id = ? WHERE trail_arn = ?",
      {t.s3_bucket_name, t.s3_key_prefix, t.sns_topic_name, Flag(t.include_global_service_events),
       Flag(t.is_multi_region_trail), Flag(t.is_organization_trail),
       Flag(t.log_file_validation_enabled), t.cloud_watch_logs_log_group_arn,
       t.cloud_watch_logs_role_arn, t.kms_key_id, t.trail_arn});
}

Status DeleteTrail(store::Transaction& tx, std::string_view trail_arn) {
  OT_RETURN_IF_ERROR(internal::Exec(tx, "DELETE FROM cloudtrail_trail_tags WHERE trail_arn = ?",
                                    {std::string(trail_arn)}));
  return internal::Exec(tx, "DELETE FROM cloudtrail_trails WHERE trail_arn = ?",
                        {std::string(trail_arn)});
}

Result<std::optional<TrailRow>> FindTrail(store::Transaction& tx, std::string_view trail_arn) {
  OT_ASSIGN_OR_RETURN(auto rows, QueryTrails(tx, "WHERE trail_arn = ?", {std::string(trail_arn)}));
  if (rows.empty()) return std::optional<TrailRow>();
  return std::optional<TrailRow>(std::move(rows.front()));
}

Result<std::vector<TrailRow>> TrailsOf(store::Transaction& tx, std::string_view account_id) {
  return QueryTrails(tx, "WHERE account_id = ? ORDER BY trail_arn", {std::string(account_id)});
}

Result<std::vector<TrailRow>> OrganizationTrailsOf(store::Transaction& tx,
                                                   std::string_view account_id) {
  return QueryTrails(tx, "WHERE account_id = ? AND is_organization_trail = 1 ORDER BY trail_arn",
                     {std::string(account_id)});
}

Result<std::vector<TrailRow>> TrailsNamed(store::Transaction& tx, std::string_view name) {
  return QueryTrails(tx, "WHERE name = ? ORDER BY trail_arn", {std::string(name)});
}

Result<std::vector<TrailRow>> LoggingTrails(store::Transaction& tx) {
  return QueryTrails(tx, "WHERE is_logging = 1 ORDER BY trail_arn", {});
}

Result<std::vector<TrailRow>> TrailsToDeliver(store::Transaction& tx) {
  // A stopped trail stays on the list while events from before its stop may be undelivered:
  // its cursor is behind the stop time.
  return QueryTrails(tx,
                     "WHERE is_logging = 1 OR pending_time IS NOT NULL OR "
                     "(stop_logging_time IS NOT NULL AND delivered_time < stop_logging_time) "
                     "ORDER BY trail_arn",
                     {});
}

// Nothing from before the last stop is left to deliver.
constexpr char kNoBacklog[] = "(stop_logging_time IS NULL OR delivered_time >= stop_logging_time)";

Status SetTrailLogging(store::Transaction& tx, std::string_view trail_arn, bool logging,
                       double at) {
  if (logging) {
    return internal::Exec(tx,
                          "UPDATE cloudtrail_trails SET is_logging = 1, start_logging_time = ?, "
                          "delivered_event_id = CASE WHEN delivered_time < ? AND " +
                              std::string(kNoBacklog) +
                              " THEN '' ELSE delivered_event_id END, "
                              "delivered_time = CASE WHEN delivered_time < ? AND " +
                              kNoBacklog +
                              " THEN ? ELSE delivered_time END "
                              "WHERE trail_arn = ?",
                          {at, at, at, at, std::string(trail_arn)});
  }
  return internal::Exec(tx,
                        "UPDATE cloudtrail_trails SET is_logging = 0, stop_logging_time = ? "
                        "WHERE trail_arn = ?",
                        {at, std::string(trail_arn)});
}

Status SetTrailEventSelectors(store::Transaction& tx, std::string_view trail_arn,
                              std::string_view event_selectors,
                              std::string_view advanced_event_selectors) {
  return internal::Exec(tx,
                        "UPDATE cloudtrail_trails SET event_selectors = ?, "
                        "advanced_event_selectors = ? WHERE trail_arn = ?",
                        {std::string(event_selectors), std::string(advanced_event_selectors),
                         std::string(trail_arn)});
}

Status SetTrailPendingDelivery(store::Transaction& tx, std::string_view trail_arn,
                               double pending_time, std::string_view pending_event_id,
                               std::string_view nonce, double at) {
  return internal::Exec(tx,
                        "UPDATE cloudtrail_trails SET pending_time = ?, pending_event_id = ?, "
                        "pending_nonce = ?, pending_at = ? WHERE trail_arn = ?",
                        {pending_time, std::string(pending_event_id), std::string(nonce), at,
                         std::string(trail_arn)});
}

Status CompleteTrailDelivery(store::Transaction& tx, std::string_view trail_arn, bool delivered,
                             double at) {
  const std::string moved =
      "UPDATE cloudtrail_trails SET delivered_time = pending_time, "
      "delivered_event_id = pending_event_id, pending_time = NULL, pending_event_id = '', "
      "pending_nonce = '', pending_at = NULL";
  if (!delivered) {
    return internal::Exec(tx, moved + " WHERE trail_arn = ? AND pending_time IS NOT NULL",
                          {std::string(trail_arn)});
  }
  return internal::Exec(tx,
                        moved +
                            ", latest_delivery_time = ?, latest_delivery_attempt_time = ?, "
                            "latest_delivery_error = '' WHERE trail_arn = ? AND pending_time IS "
                            "NOT NULL",
                        {at, at, std::string(trail_arn)});
}

Status SetTrailDeliveryError(store::Transaction& tx, std::string_view trail_arn,
                             std::string_view error, double at) {
  return internal::Exec(tx,
                        "UPDATE cloudtrail_trails SET latest_delivery_error = ?, "
                        "latest_delivery_attempt_time = ? WHERE trail_arn = ?",
                        {std::string(error), at, std::string(trail_arn)});
}

Result<std::vector<TrailEventRow>> TrailEventsAfter(
    store::Transaction& tx, const std::vector<std::string>& account_ids, double after_time,
    std::string_view after_event_id, double until, std::string_view until_event_id, int64_t limit) {
  // The accounts go in chunks (a backend bounds a statement's parameters); the first `limit`
  // events overall are among the first `limit` of each chunk.
  constexpr size_t kChunk = 500;
  std::vector<TrailEventRow> out;
  for (size_t from = 0; from < account_ids.size(); from += kChunk) {
    const size_t to = std::min(account_ids.size(), from + kChunk);
    std::string sql = "SELECT " + std::string(kTrailEventColumns) + "WHERE e.account_id IN (";
    std::vector<store::Value> params;
    params.reserve(to - from + 8);
    for (size_t i = from; i < to; ++i) {
      sql += i == from ? "?" : ", ?";
      params.emplace_back(account_ids[i]);
    }
    sql += ") AND (e.event_time > ? OR (e.event_time = ? AND e.event_id > ?)) ";
    params.emplace_back(after_time);
    params.emplace_back(after_time);
    params.emplace_back(std::string(after_event_id));
    if (until_event_id.empty()) {
      sql += "AND e.event_time <= ? ";
      params.emplace_back(until);
    } else {
      sql += "AND (e.event_time < ? OR (e.event_time = ? AND e.event_id <= ?)) ";
      params.emplace_back(until);
      params.emplace_back(until);
      params.emplace_back(std::string(until_event_id));
    }
    sql += "ORDER BY e.event_time, e.event_id LIMIT ?";
    params.emplace_back(limit);
    OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
    for (const store::Row& r : rows) out.push_back(TrailEventRowOf(r));
  }
  if (account_ids.size() > kChunk) {
    std::sort(out.begin(), out.end(), [](const TrailEventRow& a, const TrailEventRow& b) {
      return a.event_time != b.event_time ? a.event_time < b.event_time : a.event_id < b.event_id;
    });
    if (static_cast<int64_t>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> TrailTags(store::Transaction& tx,
                                                                   std::string_view trail_arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM cloudtrail_trail_tags "
                                          "WHERE trail_arn = ? ORDER BY tag_key",
                                          {std::string(trail_arn)}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Status PutTrailTag(store::Transaction& tx, std::string_view trail_arn, std::string_view key,
                   std::string_view value) {
  return internal::Exec(tx,
                        "INSERT INTO cloudtrail_trail_tags (trail_arn, tag_key, tag_value) "
                        "VALUES (?, ?, ?) ON CONFLICT (trail_arn, tag_key) DO UPDATE SET "
                        "tag_value = excluded.tag_value",
                        {std::string(trail_arn), std::string(key), std::string(value)});
}

Status DeleteTrailTag(store::Transaction& tx, std::string_view trail_arn, std::string_view key) {
  return internal::Exec(tx, "DELETE FROM cloudtrail_trail_tags WHERE trail_arn = ? AND tag_key = ?",
                        {std::string(trail_arn), std::string(key)});
}

}  // namespace orgtwin::repo
