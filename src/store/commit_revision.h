// File: store/commit_revision.h
//
// CommitRevision: tells a node's own commits from other nodes' on a shared database, by the
// database's one revision counter (`store_revision`, migration 0029). Every write transaction
// raises the counter before it commits and reports the value it committed (OwnCommit). A node
// that reads the counter (Observe) and finds it above every value it accounted for knows that
// someone else committed since: Store::CommitsByOthers counts those findings, and each one makes
// the node drop its caches of stored state.
//
// Why a counter read per request and not LISTEN/NOTIFY: a notification reaches the other nodes
// after the commit, asynchronously, so a client told "done" by node A could ask node B before B
// heard of it; reading the counter is one round trip and never misses a commit acknowledged
// before the read began (docs/storage.md "Several nodes" has the measurements).
//
// Spurious findings are harmless (a cache dropped once too often); a missed one is not, so a
// commit is accounted for only after it succeeded, and a value read while our own commit is in
// flight counts as foreign.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace orgtwin::store {

class CommitRevision {
 public:
  // The counter's value when the store opened: nothing before it is news.
  explicit CommitRevision(int64_t opened_at) : known_(opened_at) {}

  // A write transaction of ours committed, having raised the counter to `revision`. Values
  // between the last one known and `revision` were other nodes' commits.
  void OwnCommit(int64_t revision) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (revision - 1 > known_) ++by_others_;
    if (revision > known_) known_ = revision;
  }

  // The counter as just read; returns how many times others were found to have committed.
  uint64_t Observe(int64_t revision) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (revision > known_) {
      ++by_others_;
      known_ = revision;
    }
    return by_others_;
  }

 private:
  std::mutex mutex_;
  int64_t known_;           // GUARDED_BY(mutex_): the highest value accounted for
  uint64_t by_others_ = 0;  // GUARDED_BY(mutex_)
};

// One read of the counter serves every caller that arrived before the read began. A caller needs a
// read that began after it arrived -- only such a read is sure to see every commit acknowledged
// before its request -- so it joins the next read to begin, or begins it. Under load the database
// sees about one read per round trip instead of one per request; a caller waits at most for the
// read in flight and then its own.
//
// Thread-safety: Read is safe to call concurrently.
class CoalescedReads {
 public:
  // The result of a `read` that began after this call began (run by this caller or by another).
  Result<uint64_t> Read(const std::function<Result<uint64_t>()>& read) {
    std::unique_lock<std::mutex> lock(mutex_);
    // A read in flight began before us; the next one to begin will do.
    const uint64_t needed = begun_ + 1;
    while (finished_ < needed) {
      if (in_flight_) {
        finished_cv_.wait(lock);
        continue;
      }
      in_flight_ = true;
      const uint64_t mine = ++begun_;
      lock.unlock();
      Result<uint64_t> result = read();
      lock.lock();
      last_ = std::move(result);
      finished_ = mine;
      in_flight_ = false;
      finished_cv_.notify_all();
    }
    return last_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable finished_cv_;
  uint64_t begun_ = 0;      // GUARDED_BY(mutex_): reads begun so far
  uint64_t finished_ = 0;   // GUARDED_BY(mutex_): the last read finished (reads finish in order)
  bool in_flight_ = false;  // GUARDED_BY(mutex_)
  Result<uint64_t> last_ = uint64_t{0};  // GUARDED_BY(mutex_): what read `finished_` gave
};

}  // namespace orgtwin::store
