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

#include <cstdint>
#include <mutex>

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

}  // namespace orgtwin::store
