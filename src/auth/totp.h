// File: auth/totp.h
//
// RFC 6238 TOTP as AWS virtual MFA devices use it (HMAC-SHA-1, 30-second steps, 6 digits), on
// liboath, plus the Base32 seed encoding AWS returns as a virtual device's Base32StringSeed.
//
// Thread-safety: free functions, safe to call concurrently (liboath is initialized once).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace orgtwin::auth {

inline constexpr int kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

// The code for the step containing `t`, zero-padded to `digits` (6..8).
std::string TotpCode(std::string_view secret_bytes, TimePoint t, int digits = kTotpDigits);

// The TOTP step counter (floor(unix seconds / 30)) of `t`.
int64_t TotpStep(TimePoint t);

// The step counter whose code equals `code`, searching `t`'s step and `window_steps` steps either
// side, or nullopt. Codes are compared in constant time. Callers that must refuse a replayed
// code (AWS refuses a code already used) remember the returned step.
std::optional<int64_t> MatchTotpStep(std::string_view secret_bytes, std::string_view code,
                                     TimePoint t, int window_steps);

// True when `code` is valid for `t` within `window_steps` steps either side.
bool VerifyTotp(std::string_view secret_bytes, std::string_view code, TimePoint t,
                int window_steps);

// RFC 4648 Base32 (upper case, '=' padded to a multiple of 8 characters).
std::string Base32Encode(std::string_view bytes);
// Decodes RFC 4648 Base32; InvalidInput on characters outside the alphabet.
Result<std::string> Base32Decode(std::string_view text);

}  // namespace orgtwin::auth
