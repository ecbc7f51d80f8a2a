#include "services/identity/session_token.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "common/base64.h"

namespace orgtwin::services {
namespace {

constexpr size_t kSeedBytes = 18;  // 24 base64 characters, no padding
constexpr size_t kTokenBytes = 288;
static_assert(kSeedBytes * 4 / 3 == kSessionTokenSeedChars);

// SplitMix64 (Steele, Lea and Flood): the expansion needs no secrecy of its own (the seed is
// the secret), only bytes that look like the rest of an opaque token, cheaply.
uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string TokenOfSeedBytes(std::string_view seed) {
  std::array<char, kTokenBytes> bytes;
  std::memcpy(bytes.data(), seed.data(), kSeedBytes);
  uint64_t state = 0;
  for (unsigned char c : seed) state = state * 131 + c;  // every seed byte moves the stream
  // Little-endian whatever the machine's order, so every node expands a seed alike.
  static_assert((kTokenBytes - kSeedBytes) % 8 == 6);
  for (size_t at = kSeedBytes; at < kTokenBytes; at += 8) {
    uint64_t word = SplitMix64(state);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::memcpy(bytes.data() + at, &word, std::min<size_t>(8, kTokenBytes - at));
  }
  return Base64Encode(std::string_view(bytes.data(), bytes.size()));
}

}  // namespace

std::string NewSessionToken(IdGenerator& ids) {
  uint8_t seed[kSeedBytes];
  ids.RandomBytes(seed, sizeof(seed));
  return TokenOfSeedBytes(std::string_view(reinterpret_cast<const char*>(seed), sizeof(seed)));
}

std::string SessionTokenOfSeed(std::string_view seed) {
  std::string bytes;
  if (seed.size() != kSessionTokenSeedChars || !Base64Decode(seed, &bytes) ||
      bytes.size() != kSeedBytes) {
    return std::string(seed);
  }
  return TokenOfSeedBytes(bytes);
}

std::optional<std::string_view> SeedOfSessionToken(std::string_view token) {
  if (token.size() != kTokenBytes * 4 / 3) return std::nullopt;
  const std::string_view seed = token.substr(0, kSessionTokenSeedChars);
  if (SessionTokenOfSeed(seed) != token) return std::nullopt;
  return seed;
}

std::string SessionTokenOfStored(std::string_view stored) {
  return stored.size() == kSessionTokenSeedChars ? SessionTokenOfSeed(stored) : std::string(stored);
}

}  // namespace orgtwin::services
