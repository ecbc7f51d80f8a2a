#include "services/trail/audit_trail.h"

#include <utility>

#include "common/json_fields.h"
#include "common/log.h"
#include "services/events/dispatch.h"
#include "services/trail/event_record.h"
#include "services/trail/stored_event.h"
#include "services/trail/trails.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// How often events older than the history's span (kEventHistorySeconds) are deleted.
constexpr double kPruneEverySeconds = 86400.0;

using json_fields::Str;

Json BusEventOf(const Json& record, IdGenerator& ids) {
  // "iam.amazonaws.com" -> "aws.iam"; sign-ins ("signin.amazonaws.com") -> "aws.signin".
  std::string source = Str(record, "eventSource");
  source = "aws." + source.substr(0, source.find('.'));
  const bool sign_in = Str(record, "eventType") == "AwsConsoleSignIn";
  return Json{{"version", "0"},
              {"id", ids.Uuid()},
              {"detail-type",
               sign_in ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail"},
              {"source", std::move(source)},
              {"account", Str(record, "recipientAccountId")},
              {"time", Str(record, "eventTime")},
              {"region", Str(record, "awsRegion")},
              {"resources", boost::json::array()},
              {"detail", record}};
}

// The row of `record` (serialized here), and the facts RecordRow routes it by.
PendingEvent PendingEventOf(TimePoint time, const Json& record) {
  const boost::json::value* read_only = record.if_contains("readOnly");
  return PendingEvent{time, StoredRowOf(time, record), Str(record, "awsRegion"),
                      read_only != nullptr && read_only->is_bool() && read_only->as_bool()};
}

// Writes the row and sends the event to EventBridge when a rule could see it. `record` is the
// event as an object when the caller has it (else it is restored from the row, which only
// happens when a rule sees events of the account). `caller_stored`: see InsertTrailEvent.
Status RecordRow(store::Transaction& tx, IdGenerator& ids, const PendingEvent& event,
                 const Json* record, bool caller_stored) {
  OT_RETURN_IF_ERROR(repo::InsertTrailEvent(tx, event.row, caller_stored));
  // To the account's default bus in the event's region: read-only calls reach only the rules
  // that asked for them (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
  const events::EventOrigin origin = event.read_only ? events::EventOrigin::kCloudTrailReadOnly
                                                     : events::EventOrigin::kCloudTrailWrite;
  const std::string& account = event.row.account_id;
  OT_ASSIGN_OR_RETURN(bool seen, events::AnyRuleSees(tx, account, event.region, origin));
  if (!seen) return Status::Ok();  // the common case: no rule, nothing more to do
  Json parsed;
  if (record == nullptr) {
    OT_ASSIGN_OR_RETURN(parsed, RecordOfRow(event.row));
    record = &parsed;
  }
  return events::DispatchEvent(tx, event.time, ids, account, event.region, BusEventOf(*record, ids),
                               origin, [&tx, &account, &event]() -> Result<bool> {
                                 // EventBridge gets CloudTrail's events only from a trail
                                 // that is logging (AWS's EventBridge user guide).
                                 return LoggingTrailCovers(tx, account, event.region);
                               });
}

}  // namespace

Status RecordEvent(store::Transaction& tx, TimePoint event_time, IdGenerator& ids,
                   const Json& record) {
  return RecordRow(tx, ids, PendingEventOf(event_time, record), &record, false);
}

AuditTrail::AuditTrail(store::Store& store, const Clock& clock, IdGenerator& ids)
    : store_(store), clock_(clock), ids_(ids), flusher_([this] { FlushLoop(); }) {}

AuditTrail::~AuditTrail() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();  // submits what is queued
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return jobs_in_flight_ == 0; });
}

Status AuditTrail::OnCall(store::Transaction& tx, const gateway::CallRecord& call) {
  // The twin's own extension API is not AWS's; nothing of it is an AWS event.
  if (call.service.signing_name == "orgtwin") return Status::Ok();
  const bool read_only = IsReadOnlyEvent(call.service, call.operation);
  const std::string region = EventRegionOf(call.service, call.region);
  std::vector<PendingEvent> events;
  for (repo::TrailEventRow& row : ApiCallRows(call, ids_)) {
    events.push_back(PendingEvent{call.time, std::move(row), region, read_only});
  }
  if (call.tx_mode == store::TxMode::kRead) {
    Queue(std::move(events));  // built here, on the I/O thread: the writer only inserts
    return Status::Ok();
  }
  for (const PendingEvent& event : events) OT_RETURN_IF_ERROR(Record(tx, event));
  return Status::Ok();
}

bool AuditTrail::CallerStored(const std::string& key) {
  std::lock_guard<std::mutex> lock(callers_mutex_);
  return stored_callers_.count(key) > 0;
}

Status AuditTrail::Record(store::Transaction& tx, const PendingEvent& event,
                          std::unordered_set<std::string>* written_in_tx) {
  const std::string& key = event.row.caller_key;
  const bool stored = key.empty() || (written_in_tx != nullptr && written_in_tx->count(key) > 0) ||
                      CallerStored(key);
  OT_RETURN_IF_ERROR(RecordRow(tx, ids_, event, nullptr, stored));
  if (!stored) {
    if (written_in_tx != nullptr) written_in_tx->insert(key);
    // Known once committed: a rolled-back transaction takes its caller row with it.
    tx.AfterCommit([this, key] {
      std::lock_guard<std::mutex> lock(callers_mutex_);
      if (stored_callers_.size() >= kStoredCallersKept) stored_callers_.clear();
      stored_callers_.insert(key);
    });
  }
  return Status::Ok();
}

void AuditTrail::Queue(std::vector<PendingEvent> events) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // The flusher waits for a first event, then for a full batch (or its delay).
    wake = queued_.empty() || queued_.size() + events.size() >= kFlushBatch;
    for (PendingEvent& event : events) queued_.push_back(std::move(event));
  }
  if (wake) wake_.notify_one();
}

void AuditTrail::FlushLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    // Wait for a first event, then up to kFlushDelay for more (or a full batch): one commit
    // carries the events of many reads.
    wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (!stopping_) {
      wake_.wait_for(lock, kFlushDelay,
                     [this] { return stopping_ || queued_.size() >= kFlushBatch; });
    }
    if (queued_.empty()) {
      if (stopping_) return;
      continue;
    }
    auto batch = std::make_shared<std::vector<PendingEvent>>();
    batch->swap(queued_);
    ++jobs_in_flight_;
    const bool last = stopping_;
    lock.unlock();
    store_.SubmitWrite(store::WriteJob{[this, batch] { WriteBatch(*batch); },
                                       [this](const Status& committed) {
                                         if (!committed.ok()) {
                                           Log(LogLevel::kError, "audit trail: read events lost: " +
                                                                     committed.ToString());
                                         }
                                         std::lock_guard<std::mutex> done(mutex_);
                                         if (--jobs_in_flight_ == 0) idle_.notify_all();
                                       }});
    lock.lock();
    if (last && queued_.empty()) return;
  }
}

void AuditTrail::WriteBatch(const std::vector<PendingEvent>& events) {
  const TimePoint now = clock_.Now();
  bool prune = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
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
  std::unordered_set<std::string> callers_written;
  for (const PendingEvent& event : events) {
    Status written = Record(**tx, event, &callers_written);
    if (!written.ok()) {
      Log(LogLevel::kError, "audit trail: " + written.ToString());
      return;  // the transaction rolls back; the batch's other jobs are unaffected
    }
  }
  if (prune) {
    Status pruned = repo::DeleteTrailEventsBefore(**tx, ToEpochSeconds(now) - kEventHistorySeconds);
    if (!pruned.ok()) Log(LogLevel::kError, "audit trail: prune: " + pruned.ToString());
  }
  Status committed = (*tx)->Commit();
  if (!committed.ok()) Log(LogLevel::kError, "audit trail: " + committed.ToString());
}

}  // namespace orgtwin::services::trail
