// File: common/clock.h
//
// Clock: the one source of "now" for everything that stamps or expires (request dates, credential
// expiry, handshake expiry, audit times). Production uses SystemClock; tests and `--clock` driven
// rehearsals use FakeClock so time-dependent rules are deterministic (Envoy's TimeSource).
//
// Thread-safety: both implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace orgtwin {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to. Starts at `start`.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_us_(ToMicros(start)) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(now_us_.load())); }
  void Advance(std::chrono::microseconds delta) { now_us_ += delta.count(); }
  void Set(TimePoint t) { now_us_ = ToMicros(t); }

 private:
  static int64_t ToMicros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> now_us_;
};

// Real time plus an offset that only grows: `orgtwin serve --clock adjustable` runs the twin on
// this clock so a test can jump ahead (handshake expiry after 15 days, credential expiry) while
// time keeps flowing as usual in between. The offset is stored (repo/clock_repository.h), and
// each node raises its own to the stored one.
class AdjustableClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::system_clock::now() + std::chrono::microseconds(offset_us_.load());
  }
  // Moves the offset up to `offset`; a smaller one is ignored, so the clock never goes back
  // whatever order nodes learn of moves in.
  void RaiseOffsetTo(std::chrono::microseconds offset) {
    int64_t current = offset_us_.load();
    while (current < offset.count() && !offset_us_.compare_exchange_weak(current, offset.count())) {
    }
  }
  std::chrono::microseconds offset() const { return std::chrono::microseconds(offset_us_.load()); }

 private:
  std::atomic<int64_t> offset_us_{0};
};

// Formats `t` as ISO 8601 UTC with milliseconds, "2026-11-27T23:07:44.123Z" (Query/XML wire).
std::string FormatIso8601(TimePoint t);
// Formats `t` as ISO 8601 UTC without fraction, "2026-11-27T23:07:44Z".
std::string FormatIso8601Seconds(TimePoint t);
// Formats `t` as the SigV4 basic form, "20261127T230744Z".
std::string FormatAmzDate(TimePoint t);
// Parses ISO 8601 ("2026-11-27T23:07:44Z", fraction and +hh:mm offsets allowed) or the SigV4
// basic form; returns false on anything else.
bool ParseTimestamp(const std::string& text, TimePoint* out);
// The time `seconds` after the epoch; false when TimePoint (a signed 64-bit count of nanoseconds,
// the years 1678 to 2262) cannot hold it with a year to spare, so that adding an expiry or a skew
// allowance to the result cannot overflow either. Parsers of client-sent times go through it: a
// four-digit year can be far outside that range.
bool TimePointFromSeconds(int64_t seconds, TimePoint* out);
// Seconds since the epoch as a double (JSON protocols' timestamp form).
double ToEpochSeconds(TimePoint t);

}  // namespace orgtwin
