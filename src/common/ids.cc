#include "common/ids.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace orgtwin {

std::string IdGenerator::RandomString(size_t length, std::string_view alphabet) {
  std::string out;
  out.reserve(length);
  // Rejection sampling: discard bytes at or above the largest multiple of the alphabet size.
  const unsigned limit = 256 - (256 % alphabet.size());
  uint8_t buf[64];
  while (out.size() < length) {
    // A few spare bytes cover the rare rejected ones; the loop draws again if they do not.
    const size_t draw = std::min(sizeof(buf), length - out.size() + 8);
    RandomBytes(buf, draw);
    for (size_t i = 0; i < draw; ++i) {
      const uint8_t b = buf[i];
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

namespace {

// 32 hex digits in UUID form, 8-4-4-4-12, written in place: every call draws a request ID and
// every audited call an event ID, so no formatting library and no temporaries.
std::string DashedUuid(std::string_view hex) {
  std::string out(36, '-');
  std::memcpy(out.data(), hex.data(), 8);
  std::memcpy(out.data() + 9, hex.data() + 8, 4);
  std::memcpy(out.data() + 14, hex.data() + 12, 4);
  std::memcpy(out.data() + 19, hex.data() + 16, 4);
  std::memcpy(out.data() + 24, hex.data() + 20, 12);
  return out;
}

}  // namespace

std::string IdGenerator::Uuid() {
  uint8_t b[16];
  RandomBytes(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[32];
  for (size_t i = 0; i < sizeof(b); ++i) {
    hex[2 * i] = kHex[b[i] >> 4];
    hex[2 * i + 1] = kHex[b[i] & 0xf];
  }
  return DashedUuid(std::string_view(hex, sizeof(hex)));
}

std::string IdGenerator::SortableUuid() {
  // 32 hex digits: 12 ordered, 20 random; then the version (4) and variant (8-b) digits.
  std::string hex = SortableString(32, 12, "0123456789abcdef");
  hex[12] = '4';
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];
  return DashedUuid(hex);
}

uint64_t IdGenerator::RandomBelow(uint64_t bound) {
  // Rejection sampling over 64-bit draws: no modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  while (true) {
    uint64_t value = 0;
    RandomBytes(reinterpret_cast<uint8_t*>(&value), sizeof(value));
    if (value < limit) return value % bound;
  }
}

std::string IdGenerator::AccountId() {
  constexpr uint64_t kFirst = 100'000'000'000;  // the smallest 12-digit number
  constexpr uint64_t kLast = 999'999'999'999;
  constexpr uint64_t kMaxStep = 1'000;
  std::lock_guard<std::mutex> lock(order_mutex_);
  if (last_account_ == 0 || last_account_ > kLast - kMaxStep) {
    // A random start in the lower 90% leaves room for ~10^8 increasing IDs before a restart.
    last_account_ = kFirst + RandomBelow((kLast - kFirst) * 9 / 10);
  } else {
    last_account_ += 1 + RandomBelow(kMaxStep);
  }
  return std::to_string(last_account_);
}

std::string IdGenerator::UniqueId(std::string_view prefix) {
  return std::string(prefix) + SortableString(16, 6, kBase32UpperSorted);
}

std::string IdGenerator::SortableString(size_t length, size_t ordered,
                                        std::string_view sorted_alphabet) {
  const uint64_t base = sorted_alphabet.size();
  uint64_t counter = 0;
  {
    std::lock_guard<std::mutex> lock(order_mutex_);
    if (!sortable_started_) {
      sortable_counter_ = RandomBelow(uint64_t{1} << 40);
      sortable_started_ = true;
    }
    counter = sortable_counter_++;
  }
  // The counter's `ordered` low digits in base |alphabet|, most significant first. When they
  // wrap, order breaks once; uniqueness never depended on it (the random tail).
  std::string out(ordered, sorted_alphabet[0]);
  for (size_t i = ordered; i-- > 0;) {
    out[i] = sorted_alphabet[counter % base];
    counter /= base;
  }
  return out + RandomString(length - ordered, sorted_alphabet);
}

std::string IdGenerator::SecretAccessKey() { return RandomString(40, kSecretChars); }

void SecureIdGenerator::RandomBytes(uint8_t* out, size_t n) {
  // RAND_bytes costs a lock and a DRBG round per call whatever the size, and a request draws
  // several small values (request ID, key ID, secret, token), so each thread draws 4 KiB at a
  // time and hands them out; bytes handed out are wiped from the pool. (The pool is per thread
  // and orgtwin never forks a server process, so no two users see the same bytes.)
  struct Pool {
    uint8_t bytes[4096];
    size_t next = sizeof(bytes);
  };
  thread_local Pool pool;
  auto draw = [](uint8_t* into, size_t count) {
    // RAND_bytes only fails when the CSPRNG cannot be seeded; continuing would hand out
    // predictable secrets, so stop the process.
    if (RAND_bytes(into, static_cast<int>(count)) != 1) {
      std::fprintf(stderr, "fatal: RAND_bytes failed\n");
      std::abort();
    }
  };
  if (n > sizeof(pool.bytes) / 4) {
    draw(out, n);
    return;
  }
  if (sizeof(pool.bytes) - pool.next < n) {
    draw(pool.bytes, sizeof(pool.bytes));
    pool.next = 0;
  }
  std::memcpy(out, pool.bytes + pool.next, n);
  OPENSSL_cleanse(pool.bytes + pool.next, n);
  pool.next += n;
}

void SeededIdGenerator::RandomBytes(uint8_t* out, size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(engine_() & 0xff);
}

}  // namespace orgtwin
