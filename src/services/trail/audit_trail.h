// File: services/trail/audit_trail.h
//
// The audit trail: every AWS call that reaches authorization, allowed or denied, becomes one
// CloudTrail event (event_record.h) in trail_events, the table LookupEvents reads and the trails'
// log files are made from. AuditTrail is the gateway's CallObserver (gateway/call_observer.h):
//
//   - A write (an operation that may write, or a call that failed or was denied on the writer
//     thread) is recorded in the call's own transaction: the event commits with the change it
//     describes, or neither does.
//   - A read runs in a read-only transaction on an I/O thread, so its event is serialized there
//     and queued; a flusher thread hands what is queued to one group-commit job at most every
//     kFlushDelay (or at kFlushBatch events), so one commit carries the events of many reads. An
//     acknowledged read's event may be lost if the process is killed in the milliseconds before
//     that job commits; no write's event can be. AWS-COMPAT: CloudTrail itself delivers events
//     minutes after the call, and a read changes nothing to account for.
//   - Calls of the twin's own extension API (/_orgtwin/) are not AWS calls and are not recorded;
//     the console sign-in records its ConsoleLogin event itself through RecordEvent.
//   - A call naming another account's resource by ARN (sts:AssumeRole of a role elsewhere, a
//     cross-account sns:Publish) is recorded in both accounts with a sharedEventID, as AWS does.
//
// RecordEvent is the one way an event enters the trail: the row, and -- when a logging trail
// covers the account and region -- the event on the account's default EventBridge bus ("AWS API
// Call via CloudTrail", "AWS Console Sign In via CloudTrail") in the same transaction, so an
// alert is committed with the event that raised it.
//
// Events older than 90 days (the event history's span, on the twin's clock) are deleted by the
// read queue's job, at most once per hour of the twin's clock.
//
// Thread-safety: OnCall is called concurrently (call_observer.h); the read queue is locked.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "gateway/call_observer.h"
#include "repo/trail_repository.h"
#include "store/store.h"

namespace orgtwin::services::trail {

// Writes `record` (a CloudTrail event whose eventID, eventTime, eventSource, eventName and
// recipientAccountId are set) to the trail, and sends it to EventBridge when a logging trail
// covers its account and region. Never commits `tx`.
Status RecordEvent(store::Transaction& tx, TimePoint event_time, IdGenerator& ids,
                   const boost::json::object& record);

// An event ready for its row: serialized, with the facts it is routed by.
struct PendingEvent {
  TimePoint time;  // of the call
  repo::TrailEventRow row;
  std::string region;  // awsRegion
  bool read_only = false;
};

class AuditTrail final : public gateway::CallObserver {
 public:
  AuditTrail(store::Store& store, const Clock& clock, IdGenerator& ids);
  // Writes what is queued and waits for it.
  ~AuditTrail() override;
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  Status OnCall(store::Transaction& tx, const gateway::CallRecord& call) override;

 private:
  static constexpr std::chrono::milliseconds kFlushDelay{20};
  static constexpr size_t kFlushBatch = 512;

  // How many caller keys stored_callers_ holds before it starts over.
  static constexpr size_t kStoredCallersKept = 4096;

  // Writes `event` in `tx` (through RecordRow), its caller row only when no committed
  // transaction is known to have written it and `written_in_tx` (the keys `tx` has written, if
  // the caller tracks them) does not hold it.
  Status Record(store::Transaction& tx, const PendingEvent& event,
                std::unordered_set<std::string>* written_in_tx = nullptr);
  bool CallerStored(const std::string& key);
  // Queues the events of a read for the flusher.
  void Queue(std::vector<PendingEvent> events);
  // The flusher thread: hands batches of queued events to group-commit jobs.
  void FlushLoop();
  // A job's work: writes `events` in the job's transaction (and prunes, once a day).
  void WriteBatch(const std::vector<PendingEvent>& events);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::mutex mutex_;
  std::condition_variable wake_;      // the flusher: events queued, or stopping
  std::condition_variable idle_;      // the destructor: no job in flight
  std::vector<PendingEvent> queued_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;             // GUARDED_BY(mutex_)
  int jobs_in_flight_ = 0;            // GUARDED_BY(mutex_): submitted and not done
  double pruned_at_ = 0;              // GUARDED_BY(mutex_): twin time of the last prune
  std::mutex callers_mutex_;
  // Keys of trail_callers rows this store has committed (rows are never deleted).
  std::unordered_set<std::string> stored_callers_;  // GUARDED_BY(callers_mutex_)
  std::thread flusher_;                             // last: starts once the members above exist
};

}  // namespace orgtwin::services::trail
