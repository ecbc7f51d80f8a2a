#include "services/trail/log_delivery.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <zlib.h>

#include "common/log.h"
#include "services/trail/stored_event.h"
#include "services/trail/trails.h"

// Why a settle lag. A request stamps its event with the twin's clock when its handler runs, but
// commits a little later, and concurrent requests (several server threads, the group-commit
// batch) may commit in another order than their stamps. The cursor moves in (event_time,
// event_id) order, so an event stamped before the cursor but committed after the pass that moved
// it would never be delivered. Delivering only events older than `settle_lag` (2 s by default;
// commits take milliseconds) leaves every in-flight event time to commit before a pass can pass
// it. AWS-COMPAT: AWS delivers within about 5 minutes of the call; the twin within the lag plus
// one poll interval.

namespace orgtwin::services::trail {
namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// FNV-1a: a stable hash (the same in every build and run), so a redone delivery names its files
// exactly as the first attempt did.
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The file name's 16 alphanumerics, drawn from the delivery's nonce and the file's account and
// Region (splitmix64 over the hash).
std::string UniqueString(std::string_view nonce, std::string_view account,
                         std::string_view region) {
  uint64_t state =
      Fnv1a(std::string(nonce) + "/" + std::string(account) + "/" + std::string(region));
  std::string out;
  for (int i = 0; i < 16; ++i) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    out.push_back(kAlnum[z % kAlnum.size()]);
  }
  return out;
}

std::tm UtcOf(double epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Format(const std::tm& tm, const char* format) {
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof(buffer), format, &tm);
  return std::string(buffer, n);
}

Result<std::string> Gzip(const std::string& text) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return InternalError("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, text.size()), '\0');
  // zlib's API takes non-const pointers; it does not write through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  const size_t written = stream.total_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return InternalError("zlib: deflate did not finish");
  out.resize(written);
  return out;
}

// Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed.
Status WriteAtomically(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return InternalError("cannot create `" + path.parent_path().string() + "`: " + ec.message());
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return InternalError("cannot write `" + temp.string() + "`");
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) return InternalError("cannot rename into `" + path.string() + "`: " + ec.message());
  return Status::Ok();
}

double Seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

}  // namespace

LogDelivery::LogDelivery(store::Store& store, const Clock& clock, IdGenerator& ids,
                         LogDeliveryOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(std::move(options)) {}

LogDelivery::~LogDelivery() { Stop(); }

Status LogDelivery::Start() {
  if (options_.data_dir.empty()) return InvalidInputError("log delivery needs a data directory");
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void LogDelivery::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogDelivery::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Result<int> delivered = DeliverDue();
    if (!delivered.ok()) {
      Log(LogLevel::kWarn, "cloudtrail log delivery: " + delivered.status().ToString());
    }
    lock.lock();
    if (backlog_ && delivered.ok()) continue;
    wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

Result<int> LogDelivery::DeliverDue() {
  backlog_ = false;
  // Several nodes on one database: only the leading node delivers (Store::LeadsBackgroundWork).
  OT_ASSIGN_OR_RETURN(bool leads, store_.LeadsBackgroundWork());
  if (!leads) return 0;
  const double now = ToEpochSeconds(clock_.Now());
  std::vector<repo::TrailRow> trails;
  {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(trails, repo::TrailsToDeliver(*tx));
  }
  int files = 0;
  Status first_error = Status::Ok();
  for (const repo::TrailRow& trail : trails) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    Result<int> written = DeliverTrail(trail, now);
    if (written.ok()) {
      files += *written;
      continue;
    }
    // One trail's failure (a bucket folder that cannot be written) does not hold up the others;
    // it is recorded as the trail's LatestDeliveryError and retried on the next pass.
    if (first_error.ok()) first_error = written.status();
    Result<std::unique_ptr<store::Transaction>> tx = store_.Begin(store::TxMode::kWrite);
    if (tx.ok()) {
      Status recorded =
          repo::SetTrailDeliveryError(**tx, trail.trail_arn, written.status().message(), now);
      if (recorded.ok()) recorded = (*tx)->Commit();
      recorded.IgnoreError();
    }
  }
  if (!first_error.ok()) return first_error;
  return files;
}

Result<int> LogDelivery::DeliverTrail(const repo::TrailRow& trail, double now) {
  if (trail.pending_time.has_value()) return WritePending(trail);
  const std::optional<double>& stop = trail.stop_logging_time;
  const std::optional<double>& start = trail.start_logging_time;
  // A trail restarted after its events from before the stop were delivered: the cursor jumps
  // the interval it was not logging.
  if (trail.is_logging && start.has_value() && trail.delivered_time < *start &&
      (!stop.has_value() || trail.delivered_time >= *stop)) {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
    OT_ASSIGN_OR_RETURN(auto current, repo::FindTrail(*tx, trail.trail_arn));
    if (!current.has_value() || current->pending_time.has_value() ||
        current->delivered_time != trail.delivered_time) {
      return 0;
    }
    OT_RETURN_IF_ERROR(repo::SetTrailPendingDelivery(*tx, trail.trail_arn, *start, "", "", now));
    OT_RETURN_IF_ERROR(repo::CompleteTrailDelivery(*tx, trail.trail_arn, false, now));
    OT_RETURN_IF_ERROR(tx->Commit());
    return 0;
  }
  // What may be delivered now: settled events, and while events from before the last stop are
  // undelivered, none after it.
  double until = now - Seconds(options_.settle_lag);
  bool up_to_stop = false;
  if (stop.has_value() && trail.delivered_time < *stop && *stop <= until) {
    until = *stop;
    up_to_stop = true;
  }
  if (until <= trail.delivered_time) return 0;
  std::vector<repo::TrailEventRow> events;
  std::string org_id;
  {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(auto accounts, AccountsCoveredBy(*tx, trail, &org_id));
    OT_ASSIGN_OR_RETURN(events, repo::TrailEventsAfter(*tx, accounts, trail.delivered_time,
                                                       trail.delivered_event_id, until, "",
                                                       options_.max_events_per_pass));
  }
  if (events.empty() && !up_to_stop) return 0;
  if (static_cast<int64_t>(events.size()) == options_.max_events_per_pass) backlog_ = true;
  // The delivery's end: the last event read, or -- a stopped trail with nothing left -- its stop
  // time, which takes it off the work list.
  const double end_time = events.empty() ? until : events.back().event_time;
  const std::string end_id = events.empty() ? std::string() : events.back().event_id;
  const std::string nonce = ids_.RandomString(16, kAlnum);
  {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
    OT_ASSIGN_OR_RETURN(auto current, repo::FindTrail(*tx, trail.trail_arn));
    // Deleted, or delivered by another node in the meantime: nothing to do here.
    if (!current.has_value() || current->pending_time.has_value() ||
        current->delivered_time != trail.delivered_time ||
        current->delivered_event_id != trail.delivered_event_id) {
      return 0;
    }
    OT_RETURN_IF_ERROR(
        repo::SetTrailPendingDelivery(*tx, trail.trail_arn, end_time, end_id, nonce, now));
    OT_RETURN_IF_ERROR(tx->Commit());
  }
  repo::TrailRow pending = trail;
  pending.pending_time = end_time;
  pending.pending_event_id = end_id;
  pending.pending_nonce = nonce;
  pending.pending_at = now;
  const InHand in_hand{events, org_id};
  return WritePending(pending, &in_hand);
}

Result<int> LogDelivery::WritePending(const repo::TrailRow& trail, const InHand* in_hand) {
  // A redo reads the events after the cursor up to the pending end again: the same ones the
  // delivery was recorded for (a late commit into that range, which the settle lag makes
  // unlikely, is included).
  std::vector<repo::TrailEventRow> read;
  std::string read_org_id;
  if (in_hand == nullptr) {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(auto accounts, AccountsCoveredBy(*tx, trail, &read_org_id));
    if (!trail.pending_event_id.empty()) {
      OT_ASSIGN_OR_RETURN(
          read, repo::TrailEventsAfter(*tx, accounts, trail.delivered_time,
                                       trail.delivered_event_id, *trail.pending_time,
                                       trail.pending_event_id, options_.max_events_per_pass));
    }
  }
  const std::vector<repo::TrailEventRow>& events = in_hand ? in_hand->events : read;
  const std::string& org_id = in_hand ? in_hand->org_id : read_org_id;
  // One file per account and Region, the records as recorded, in event order.
  std::map<std::pair<std::string, std::string>, std::string> files;
  for (const repo::TrailEventRow& event : events) {
    Result<boost::json::object> parsed = RecordOfRow(event);
    if (!parsed.ok()) continue;
    const boost::json::object& record = *parsed;
    if (!TrailSelectsEvent(trail, record)) continue;
    const boost::json::value* region = record.if_contains("awsRegion");
    std::string region_name =
        region != nullptr && region->is_string() ? std::string(region->as_string()) : "";
    if (region_name.empty()) region_name = trail.home_region;
    std::string& body = files[{event.account_id, region_name}];
    body += body.empty() ? "{\"Records\":[" : ",";
    body += RecordText(event, record);
  }
  const double at = trail.pending_at.value_or(ToEpochSeconds(clock_.Now()));
  const std::tm tm = UtcOf(at);
  const std::string stamp = Format(tm, "%Y%m%dT%H%MZ");
  const std::string day = Format(tm, "%Y/%m/%d");
  std::filesystem::path bucket = std::filesystem::path(options_.data_dir) / trail.s3_bucket_name;
  if (!trail.s3_key_prefix.empty()) bucket /= trail.s3_key_prefix;
  for (auto& [key, body] : files) {
    const auto& [account, region] = key;
    body += "]}";
    std::filesystem::path dir = bucket / "AWSLogs";
    if (!org_id.empty()) dir /= org_id;
    dir = dir / account / "CloudTrail" / region / day;
    std::string name = account;
    name.append("_CloudTrail_").append(region).append("_").append(stamp).append("_");
    name.append(UniqueString(trail.pending_nonce, account, region)).append(".json.gz");
    OT_ASSIGN_OR_RETURN(std::string gz, Gzip(body));
    OT_RETURN_IF_ERROR(WriteAtomically(dir / name, gz));
  }
  OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
  OT_RETURN_IF_ERROR(repo::CompleteTrailDelivery(*tx, trail.trail_arn, !files.empty(), at));
  OT_RETURN_IF_ERROR(tx->Commit());
  return static_cast<int>(files.size());
}

}  // namespace orgtwin::services::trail
