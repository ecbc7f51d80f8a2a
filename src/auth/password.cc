#include "auth/password.h"

#include <charconv>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/base64.h"

namespace orgtwin::auth {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
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

}  // namespace

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

Result<std::string> HashPassword(std::string_view password, int iterations) {
  if (iterations < 1 || iterations > kMaxPasswordIterations) {
    return InvalidInputError("password hash iterations out of range");
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    return InternalError("system random number generator failed");
  }
  std::string hash = Pbkdf2Sha256(password, salt, iterations, kHashBytes);
  if (hash.empty()) return InternalError("PBKDF2 derivation failed");
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + Base64Encode(salt) + "$" +
         Base64Encode(hash);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::vector<std::string_view> parts = Split(encoded, '$');
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  int iterations = 0;
  auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  // Bounded so a planted hash string cannot make verification arbitrarily slow.
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || iterations < 1 ||
      iterations > kMaxPasswordIterations) {
    return false;
  }
  std::string salt, expected;
  if (!Unbase64(parts[2], &salt) || !Unbase64(parts[3], &expected) || expected.empty()) {
    return false;
  }
  std::string actual = Pbkdf2Sha256(password, salt, iterations, expected.size());
  return actual.size() == expected.size() &&
         CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace orgtwin::auth
