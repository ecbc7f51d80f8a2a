#include "common/ids.h"

#include <cstdio>
#include <cstdlib>

#include <openssl/rand.h>

namespace orgtwin {

std::string IdGenerator::RandomString(size_t length, std::string_view alphabet) {
  std::string out;
  out.reserve(length);
  // Rejection sampling: discard bytes at or above the largest multiple of the alphabet size.
  const unsigned limit = 256 - (256 % alphabet.size());
  uint8_t buf[64];
  while (out.size() < length) {
    RandomBytes(buf, sizeof(buf));
    for (uint8_t b : buf) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string IdGenerator::Uuid() {
  uint8_t b[16];
  RandomBytes(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string IdGenerator::AccountId() {
  return RandomString(1, "123456789") + RandomString(11, kDigits);
}

std::string IdGenerator::UniqueId(std::string_view prefix) {
  return std::string(prefix) + RandomString(16, kBase32Upper);
}

std::string IdGenerator::SecretAccessKey() { return RandomString(40, kSecretChars); }

void SecureIdGenerator::RandomBytes(uint8_t* out, size_t n) {
  // RAND_bytes only fails when the CSPRNG cannot be seeded; continuing would hand out
  // predictable secrets, so stop the process.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fprintf(stderr, "fatal: RAND_bytes failed\n");
    std::abort();
  }
}

void SeededIdGenerator::RandomBytes(uint8_t* out, size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(engine_() & 0xff);
}

}  // namespace orgtwin
