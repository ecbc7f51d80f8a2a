#include "common/clock.h"

#include <cstdio>
#include <ctime>

namespace orgtwin {
namespace {

std::tm ToUtc(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

// `value` (0 <= value < 10^width) as exactly `width` decimal digits at `at`.
void PutDigits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DDTHH:MM:SS" of `tm`, digit by digit: requests format a time or two each (the
// response's, aws:CurrentTime), and snprintf/strftime cost several thousand instructions per
// call. Years outside 1000-9999 never reach here (IsFourDigitYear).
std::string IsoDateTime(const std::tm& tm) {
  std::string out = "0000-00-00T00:00:00";
  PutDigits(out.data(), tm.tm_year + 1900, 4);
  PutDigits(out.data() + 5, tm.tm_mon + 1, 2);
  PutDigits(out.data() + 8, tm.tm_mday, 2);
  PutDigits(out.data() + 11, tm.tm_hour, 2);
  PutDigits(out.data() + 14, tm.tm_min, 2);
  PutDigits(out.data() + 17, tm.tm_sec, 2);
  return out;
}

bool IsFourDigitYear(const std::tm& tm) {
  return tm.tm_year + 1900 >= 1000 && tm.tm_year + 1900 <= 9999;
}

}  // namespace

std::string FormatIso8601(TimePoint t) {
  std::tm tm = ToUtc(t);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  if (IsFourDigitYear(tm)) {
    std::string out = IsoDateTime(tm) + ".000Z";
    PutDigits(out.data() + 20, static_cast<int>(ms), 3);
    return out;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string FormatIso8601Seconds(TimePoint t) {
  std::tm tm = ToUtc(t);
  if (IsFourDigitYear(tm)) return IsoDateTime(tm) + 'Z';
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatAmzDate(TimePoint t) {
  std::tm tm = ToUtc(t);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool ParseTimestamp(const std::string& text, TimePoint* out) {
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  size_t pos = 0;
  const char* s = text.c_str();
  int consumed = 0;
  if (std::sscanf(s, "%4d%2d%2dT%2d%2d%2dZ%n", &year, &mon, &day, &hour, &min, &sec, &consumed) ==
          6 &&
      consumed == static_cast<int>(text.size()) && text.size() == 16) {
    pos = text.size();
  } else if (std::sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec,
                         &consumed) == 6) {
    pos = static_cast<size_t>(consumed);
  } else {
    return false;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return false;
  }
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s + pos + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset_seconds = (int64_t{oh} * 3600 + int64_t{om} * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  }
  if (pos != text.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  // AWS-COMPAT: AWS takes any four-digit year; the twin rejects one its TimePoint cannot hold.
  TimePoint whole;
  if (!TimePointFromSeconds(timegm(&tm) - offset_seconds, &whole)) return false;
  *out = whole + std::chrono::microseconds(micros);
  return true;
}

bool TimePointFromSeconds(int64_t seconds, TimePoint* out) {
  constexpr int64_t kSpare = int64_t{366} * 86400;
  constexpr int64_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count() - kSpare;
  if (seconds > kLimit || seconds < -kLimit) return false;
  *out = TimePoint(std::chrono::seconds(seconds));
  return true;
}

double ToEpochSeconds(TimePoint t) {
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return static_cast<double>(micros) / 1e6;
}

}  // namespace orgtwin
