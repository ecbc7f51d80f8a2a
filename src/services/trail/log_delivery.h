// File: services/trail/log_delivery.h
//
// LogDelivery: CloudTrail's log-file delivery, a thread `orgtwin serve` runs. For each trail that
// is logging (and each stopped trail with events from before its stop still undelivered) it
// writes the events the trail records (trails.h: AccountsCoveredBy, TrailSelectsEvent) in
// CloudTrail's own format -- a gzipped JSON {"Records":[...]} per account and Region -- under the
// data directory, the bucket being a folder:
//
//   DATA/<bucket>/[<S3KeyPrefix>/]AWSLogs/[<ORG-ID>/]<ACCOUNT>/CloudTrail/<REGION>/YYYY/MM/DD/
//       <ACCOUNT>_CloudTrail_<REGION>_<YYYYMMDDTHHmmZ>_<16 alphanumerics>.json.gz
//
// (the organization's ID only for an organization trail). Files are written atomically (a
// temporary file renamed into place). Progress is persisted per trail (a cursor, and the
// delivery in progress recorded before its files are written), so a restart neither loses nor
// repeats an event: an interrupted delivery is redone into the same file names.
//
// AWS-COMPAT: no digest files are written (EnableLogFileValidation is stored and answered, not
// acted on), no SNS notification announces a file, and files are not encrypted (KmsKeyId).
//
// Thread-safety: Start and Stop from one thread; the delivery runs on its own thread.
// DeliverDue may be called from a test's thread while the thread is not running.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "repo/trails_repository.h"
#include "store/store.h"

namespace orgtwin::services::trail {

struct LogDeliveryOptions {
  std::string data_dir;  // the buckets' parent folder; must exist
  std::chrono::milliseconds poll_interval{1000};
  // Events are delivered only once they are this old on the twin's clock (see log_delivery.cc).
  std::chrono::milliseconds settle_lag{2000};
  // At most this many events per trail and pass (the rest go in the next pass).
  int64_t max_events_per_pass = 5000;
};

class LogDelivery {
 public:
  LogDelivery(store::Store& store, const Clock& clock, IdGenerator& ids,
              LogDeliveryOptions options);
  ~LogDelivery();  // stops the thread
  LogDelivery(const LogDelivery&) = delete;
  LogDelivery& operator=(const LogDelivery&) = delete;

  // Starts the delivery thread.
  Status Start();
  // Stops after the trail in hand; what is left is delivered after the next start.
  void Stop();

  // One pass over every trail with something to deliver. Returns the number of files written.
  Result<int> DeliverDue();

 private:
  void Loop();
  Result<int> DeliverTrail(const repo::TrailRow& trail, double now);
  // The events and organization (AccountsCoveredBy's) of a delivery, as just read.
  struct InHand {
    const std::vector<repo::TrailEventRow>& events;
    const std::string& org_id;
  };
  // Writes the files of the trail's pending delivery; returns how many. Without `in_hand` (a
  // redo after a restart) the delivery's events are read again.
  Result<int> WritePending(const repo::TrailRow& trail, const InHand* in_hand = nullptr);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  LogDeliveryOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  // A pass left settled events behind (a trail had more than max_events_per_pass): the next
  // pass starts at once. Only the delivery's own thread (or a test's) touches it.
  bool backlog_ = false;
  std::thread thread_;
};

}  // namespace orgtwin::services::trail
