#include "services/trail/audit_trail.h"

#include <utility>

#include "common/log.h"
#include "services/events/dispatch.h"
#include "services/trail/event_record.h"
#include "services/trail/trails.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// The event history's span (LookupEvents), and how often older events are deleted.
constexpr double kHistorySeconds = 90.0 * 86400.0;
constexpr double kPruneEverySeconds = 86400.0;

std::string Field(const Json& record, std::string_view key) {
  const boost::json::value* v = record.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

Json BusEventOf(const Json& record, IdGenerator& ids) {
  // "iam.amazonaws.com" -> "aws.iam"; sign-ins ("signin.amazonaws.com") -> "aws.signin".
  std::string source = Field(record, "eventSource");
  source = "aws." + source.substr(0, source.find('.'));
  const bool sign_in = Field(record, "eventType") == "AwsConsoleSignIn";
  return Json{{"version", "0"},
              {"id", ids.Uuid()},
              {"detail-type",
               sign_in ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail"},
              {"source", std::move(source)},
              {"account", Field(record, "recipientAccountId")},
              {"time", Field(record, "eventTime")},
              {"region", Field(record, "awsRegion")},
              {"resources", boost::json::array()},
              {"detail", record}};
}

}  // namespace

Status RecordEvent(store::Transaction& tx, TimePoint event_time, IdGenerator& ids,
                   const Json& record) {
  const std::string account = Field(record, "recipientAccountId");
  OT_RETURN_IF_ERROR(repo::InsertTrailEvent(
      tx, repo::TrailEventRow{Field(record, "eventID"), account, ToEpochSeconds(event_time),
                              Field(record, "eventSource"), Field(record, "eventName"),
                              boost::json::serialize(record)}));
  // To the account's default bus in the event's region: read-only calls reach only the rules
  // that asked for them (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
  const boost::json::value* read_only = record.if_contains("readOnly");
  const events::EventOrigin origin =
      read_only != nullptr && read_only->is_bool() && read_only->as_bool()
          ? events::EventOrigin::kCloudTrailReadOnly
          : events::EventOrigin::kCloudTrailWrite;
  const std::string region = Field(record, "awsRegion");
  OT_ASSIGN_OR_RETURN(bool seen, events::AnyRuleSees(tx, account, region, origin));
  if (!seen) return Status::Ok();  // the common case: no rule, no event to build
  return events::DispatchEvent(tx, event_time, ids, account, region, BusEventOf(record, ids),
                               origin, [&tx, &account, &region]() -> Result<bool> {
                                 // EventBridge gets CloudTrail's events only from a trail
                                 // that is logging (AWS's EventBridge user guide).
                                 return LoggingTrailCovers(tx, account, region);
                               });
}

AuditTrail::AuditTrail(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids) {}

AuditTrail::~AuditTrail() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return jobs_in_flight_ == 0; });
}

Status AuditTrail::OnCall(store::Transaction& tx, const gateway::CallRecord& call) {
  // The twin's own extension API is not AWS's; nothing of it is an AWS event.
  if (call.service.signing_name == "orgtwin") return Status::Ok();
  std::vector<Json> records;
  const std::string event_id = ids_.SortableUuid();
  records.push_back(ApiCallRecord(call, event_id, call.caller.account_id));
  // The resource owner's copy of a cross-account call, tied to the caller's by sharedEventID.
  for (const std::string& account : OtherAccountsNamed(call.input, call.caller.account_id)) {
    Json copy = ApiCallRecord(call, ids_.SortableUuid(), account);
    copy["sharedEventID"] = event_id;
    records.front()["sharedEventID"] = event_id;
    records.push_back(std::move(copy));
  }
  if (call.tx_mode == store::TxMode::kRead) {
    QueueReadEvents(call.time, std::move(records));
    return Status::Ok();
  }
  for (const Json& record : records) {
    OT_RETURN_IF_ERROR(RecordEvent(tx, call.time, ids_, record));
  }
  return Status::Ok();
}

void AuditTrail::QueueReadEvents(TimePoint time, std::vector<Json> records) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Json& record : records) queued_.push_back(QueuedEvent{time, std::move(record)});
    if (drain_pending_) return;  // the submitted job has not drained the queue yet: it takes these
    drain_pending_ = true;
    ++jobs_in_flight_;
  }
  store_.SubmitWrite(store::WriteJob{[this] { WriteQueuedEvents(); },
                                     [this](const Status& committed) {
                                       if (!committed.ok()) {
                                         Log(LogLevel::kError, "audit trail: read events lost: " +
                                                                   committed.ToString());
                                       }
                                       std::lock_guard<std::mutex> lock(mutex_);
                                       if (--jobs_in_flight_ == 0) idle_.notify_all();
                                     }});
}

void AuditTrail::WriteQueuedEvents() {
  std::vector<QueuedEvent> events;
  bool prune = false;
  const TimePoint now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events.swap(queued_);
    // Reads queued from now on need a job of their own: this one is past its drain.
    drain_pending_ = false;
    if (ToEpochSeconds(now) - pruned_at_ >= kPruneEverySeconds) {
      prune = true;
      pruned_at_ = ToEpochSeconds(now);
    }
  }
  Result<std::unique_ptr<store::Transaction>> tx = store_.Begin(store::TxMode::kWrite);
  if (!tx.ok()) {
    Log(LogLevel::kError, "audit trail: " + tx.status().ToString());
    return;
  }
  for (const QueuedEvent& event : events) {
    Status written = RecordEvent(**tx, event.time, ids_, event.record);
    if (!written.ok()) {
      Log(LogLevel::kError, "audit trail: " + written.ToString());
      return;  // the transaction rolls back; the batch's other jobs are unaffected
    }
  }
  if (prune) {
    Status pruned = repo::DeleteTrailEventsBefore(**tx, ToEpochSeconds(now) - kHistorySeconds);
    if (!pruned.ok()) Log(LogLevel::kError, "audit trail: prune: " + pruned.ToString());
  }
  Status committed = (*tx)->Commit();
  if (!committed.ok()) Log(LogLevel::kError, "audit trail: " + committed.ToString());
}

}  // namespace orgtwin::services::trail
