// File: store/fair_timed_lock.h
//
// A FIFO lock with a timed acquire: the in-process writer lock of every backend. std::timed_mutex
// is not fair: a thread that commits in a loop can re-take it ahead of waiters until they time out
// with kUnavailable.
//
// Thread-safety: every member may be called from any thread; Unlock only by the holder.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace orgtwin::store {

class FairTimedLock {
 public:
  // True once the caller holds the lock; false when `timeout` ran out first.
  bool TryLockFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!locked_ && waiters_.empty()) {
      locked_ = true;
      return true;
    }
    uint64_t ticket = next_ticket_++;
    waiters_.push_back(ticket);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto my_turn = [&] { return !locked_ && waiters_.front() == ticket; };
    if (!cv_.wait_until(lock, deadline, my_turn)) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), ticket));
      // The next waiter may now be at the front of an unlocked lock.
      cv_.notify_all();
      return false;
    }
    waiters_.pop_front();
    locked_ = true;
    return true;
  }

  void Unlock() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      locked_ = false;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool locked_ = false;           // GUARDED_BY(mutex_)
  std::deque<uint64_t> waiters_;  // GUARDED_BY(mutex_), in arrival order
  uint64_t next_ticket_ = 0;      // GUARDED_BY(mutex_)
};

}  // namespace orgtwin::store
