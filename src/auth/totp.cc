#include "auth/totp.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include <liboath/oath.h>
#include <openssl/crypto.h>

namespace orgtwin::auth {
namespace {

void EnsureOathInitialized() {
  static std::once_flag once;
  // oath_init only sets up liboath's gcrypt/nettle backend; it cannot fail in a way we could
  // recover from, and every later call reports its own error.
  std::call_once(once, [] { oath_init(); });
}

time_t UnixSeconds(TimePoint t) {
  return static_cast<time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

int64_t TotpStep(TimePoint t) {
  int64_t secs = UnixSeconds(t);
  return secs >= 0 ? secs / kTotpStepSeconds : (secs - kTotpStepSeconds + 1) / kTotpStepSeconds;
}

std::string TotpCode(std::string_view secret_bytes, TimePoint t, int digits) {
  EnsureOathInitialized();
  char out[16] = {0};
  // TOTP is HOTP over the step counter; computing the counter here keeps it in one place for
  // TotpCode and MatchTotpStep.
  int rc = oath_hotp_generate(secret_bytes.data(), secret_bytes.size(),
                              static_cast<uint64_t>(TotpStep(t)), static_cast<unsigned>(digits),
                              false, OATH_HOTP_DYNAMIC_TRUNCATION, out);
  if (rc != OATH_OK) return std::string();
  return std::string(out);
}

std::optional<int64_t> MatchTotpStep(std::string_view secret_bytes, std::string_view code,
                                     TimePoint t, int window_steps) {
  if (code.size() != static_cast<size_t>(kTotpDigits)) return std::nullopt;
  const int64_t step = TotpStep(t);
  std::optional<int64_t> match;
  // Every candidate is computed and compared, so the time taken does not reveal which step (if
  // any) matched.
  for (int64_t delta = -window_steps; delta <= window_steps; ++delta) {
    const TimePoint candidate_time =
        TimePoint(std::chrono::seconds((step + delta) * kTotpStepSeconds));
    const std::string expected = TotpCode(secret_bytes, candidate_time);
    if (expected.size() == code.size() &&
        CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0 && !match.has_value()) {
      match = step + delta;
    }
  }
  return match;
}

bool VerifyTotp(std::string_view secret_bytes, std::string_view code, TimePoint t,
                int window_steps) {
  return MatchTotpStep(secret_bytes, code, t, window_steps).has_value();
}

std::string Base32Encode(std::string_view bytes) {
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_encode(bytes.data(), bytes.size(), &out, &out_len) != OATH_OK) {
    return std::string();
  }
  std::string result(out, out_len);
  std::free(out);
  return result;
}

Result<std::string> Base32Decode(std::string_view text) {
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_decode(text.data(), text.size(), &out, &out_len) != OATH_OK) {
    return InvalidInputError("invalid base32 text");
  }
  std::string result(out, out_len);
  std::free(out);
  return result;
}

}  // namespace orgtwin::auth
