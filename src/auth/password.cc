#include "auth/password.h"

#include <charconv>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/base64.h"

namespace orgtwin::auth {
namespace {

constexpr std::string_view kScrypt = "scrypt";
constexpr std::string_view kPbkdf2 = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

// Strict base64 decode of a HashPassword field (whole 4-character groups); false on anything
// malformed.
bool Unbase64(std::string_view text, std::string* out) {
  return !text.empty() && text.size() % 4 == 0 && Base64Decode(text, out);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t end = s.find(sep, pos);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(pos));
      return out;
    }
    out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
}

// A decimal field in [1, max]; false otherwise.
bool ParseBounded(std::string_view text, int max, int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 1 && *out <= max;
}

bool SameBytes(const std::string& actual, const std::string& expected) {
  return !expected.empty() && actual.size() == expected.size() &&
         CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

std::string Scrypt(std::string_view password, std::string_view salt, ScryptCost cost,
                   size_t length) {
  std::string out(length, '\0');
  const uint64_t n = uint64_t{1} << cost.log2_n;
  // OpenSSL's default memory cap (32 MiB) is below N = 2^15 with r = 8 plus its overhead.
  const uint64_t max_mem = 256 * n * static_cast<uint64_t>(cost.r) + (uint64_t{1} << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                     static_cast<uint64_t>(cost.r), static_cast<uint64_t>(cost.p), max_mem,
                     reinterpret_cast<unsigned char*>(out.data()), length) != 1) {
    return std::string();
  }
  return out;
}

std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int iterations,
                         size_t length) {
  std::string out(length, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(length),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return std::string();
  }
  return out;
}

Result<std::string> HashPassword(std::string_view password, ScryptCost cost) {
  if (cost.log2_n < 1 || cost.log2_n > kMaxScryptLog2N || cost.r < 1 || cost.r > kMaxScryptR ||
      cost.p < 1 || cost.p > kMaxScryptP) {
    return InvalidInputError("scrypt cost out of range");
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    return InternalError("system random number generator failed");
  }
  std::string hash = Scrypt(password, salt, cost, kHashBytes);
  if (hash.empty()) return InternalError("scrypt derivation failed");
  std::string out(kScrypt);
  out.append("$").append(std::to_string(cost.log2_n));
  out.append("$").append(std::to_string(cost.r));
  out.append("$").append(std::to_string(cost.p));
  out.append("$").append(Base64Encode(salt));
  out.append("$").append(Base64Encode(hash));
  return out;
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::vector<std::string_view> parts = Split(encoded, '$');
  std::string salt, expected;
  if (parts.size() == 6 && parts[0] == kScrypt) {
    ScryptCost cost;
    if (!ParseBounded(parts[1], kMaxScryptLog2N, &cost.log2_n) ||
        !ParseBounded(parts[2], kMaxScryptR, &cost.r) ||
        !ParseBounded(parts[3], kMaxScryptP, &cost.p) || !Unbase64(parts[4], &salt) ||
        !Unbase64(parts[5], &expected)) {
      return false;
    }
    return SameBytes(Scrypt(password, salt, cost, expected.size()), expected);
  }
  if (parts.size() == 4 && parts[0] == kPbkdf2) {
    int iterations = 0;
    if (!ParseBounded(parts[1], kMaxPbkdf2Iterations, &iterations) || !Unbase64(parts[2], &salt) ||
        !Unbase64(parts[3], &expected)) {
      return false;
    }
    return SameBytes(Pbkdf2Sha256(password, salt, iterations, expected.size()), expected);
  }
  return false;
}

}  // namespace orgtwin::auth
