// File: common/log.h
//
// A minimal leveled logger writing one line per call to stderr:
//   2026-11-27T23:07:44.123Z INFO  message
// The level is process-wide (set once by `orgtwin serve --log-level`). Lines are written with a
// single write(2) so concurrent threads never interleave within a line.
#pragma once

#include <string_view>

namespace orgtwin {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error", "off"; returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);
inline bool LogEnabled(LogLevel level) { return level >= GetLogLevel(); }
void Log(LogLevel level, std::string_view message);

}  // namespace orgtwin
