#include "common/clock.h"

#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace orgtwin {
namespace {

TEST(ClockTest, FormatsAndParsesIso8601) {
  TimePoint t;
  ASSERT_TRUE(ParseTimestamp("2026-11-27T23:07:44Z", &t));
  EXPECT_EQ(FormatIso8601Seconds(t), "2026-11-27T23:07:44Z");
  EXPECT_EQ(FormatIso8601(t), "2026-11-27T23:07:44.000Z");
  EXPECT_EQ(FormatAmzDate(t), "20261127T230744Z");
  EXPECT_DOUBLE_EQ(ToEpochSeconds(t), 1795820864.0);
}

// The digit-by-digit formatting (clock.cc IsoDateTime) writes what strftime writes, across the
// years a TimePoint holds (to 2262), leap days, midnight and the last second of a year, with
// and without milliseconds.
TEST(ClockTest, Iso8601FormsAreStrftimes) {
  std::mt19937_64 random(7);
  std::vector<int64_t> seconds = {0,          951782400,  951868799, 1704067199,
                                  1709164800, 4102444799, 8999999999};
  for (int i = 0; i < 2000; ++i) seconds.push_back(static_cast<int64_t>(random() % 9000000000));
  for (int64_t s : seconds) {
    TimePoint t;
    ASSERT_TRUE(TimePointFromSeconds(s, &t));
    const std::time_t whole = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&whole, &tm);
    char expected[32];
    std::strftime(expected, sizeof(expected), "%Y-%m-%dT%H:%M:%SZ", &tm);
    EXPECT_EQ(FormatIso8601Seconds(t), expected) << s;
    const int ms = static_cast<int>(random() % 1000);
    std::string with_ms(expected);
    with_ms.insert(19,
                   "." + std::string(ms < 100 ? (ms < 10 ? "00" : "0") : "") + std::to_string(ms));
    EXPECT_EQ(FormatIso8601(t + std::chrono::milliseconds(ms)), with_ms) << s;
  }
}

TEST(ClockTest, ParsesAmzDateFractionsAndOffsets) {
  TimePoint a, b, c;
  ASSERT_TRUE(ParseTimestamp("20261127T230744Z", &a));
  ASSERT_TRUE(ParseTimestamp("2026-11-27T23:07:44.500Z", &b));
  ASSERT_TRUE(ParseTimestamp("2026-11-28T00:07:44+01:00", &c));
  EXPECT_EQ(a, c);
  EXPECT_EQ(b - a, std::chrono::milliseconds(500));
}

TEST(ClockTest, RejectsGarbage) {
  TimePoint t;
  EXPECT_FALSE(ParseTimestamp("", &t));
  EXPECT_FALSE(ParseTimestamp("yesterday", &t));
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z", &t));
  EXPECT_FALSE(ParseTimestamp("2026-11-27T23:07:44Zjunk", &t));
}

// TimePoint counts nanoseconds in 64 bits: a year the parsers accept may not fit (UBSan found the
// overflow through SigV4's one-byte mutations of X-Amz-Date).
TEST(ClockTest, RejectsTimesTimePointCannotHold) {
  TimePoint t;
  EXPECT_FALSE(ParseTimestamp("3026-11-27T23:07:44Z", &t));
  EXPECT_FALSE(ParseTimestamp("99991231T235959Z", &t));
  EXPECT_FALSE(ParseTimestamp("0001-01-01T00:00:00Z", &t));
  ASSERT_TRUE(ParseTimestamp("2260-12-31T23:59:59Z", &t));
  EXPECT_EQ(FormatIso8601Seconds(t), "2260-12-31T23:59:59Z");
  ASSERT_TRUE(ParseTimestamp("1700-01-01T00:00:00Z", &t));
  EXPECT_EQ(FormatIso8601Seconds(t), "1700-01-01T00:00:00Z");
  EXPECT_FALSE(TimePointFromSeconds(std::numeric_limits<int64_t>::max(), &t));
  EXPECT_FALSE(TimePointFromSeconds(std::numeric_limits<int64_t>::min(), &t));
  ASSERT_TRUE(TimePointFromSeconds(0, &t));
  EXPECT_EQ(t, TimePoint());
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  TimePoint start;
  ASSERT_TRUE(ParseTimestamp("2026-01-01T00:00:00Z", &start));
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(std::chrono::hours(24 * 15));
  EXPECT_EQ(FormatIso8601Seconds(clock.Now()), "2026-01-16T00:00:00Z");
}

// Nodes learn of clock moves in any order: the offset takes the largest and never goes back.
TEST(AdjustableClockTest, OffsetOnlyRises) {
  AdjustableClock clock;
  EXPECT_EQ(clock.offset(), std::chrono::microseconds(0));
  clock.RaiseOffsetTo(std::chrono::seconds(1000));
  clock.RaiseOffsetTo(std::chrono::seconds(10));
  EXPECT_EQ(clock.offset(), std::chrono::seconds(1000));
  EXPECT_GE(clock.Now(), std::chrono::system_clock::now() + std::chrono::seconds(999));
  clock.RaiseOffsetTo(std::chrono::seconds(1001));
  EXPECT_EQ(clock.offset(), std::chrono::seconds(1001));
}

}  // namespace
}  // namespace orgtwin
