// File: auth/password.h
//
// Password hashing for console passwords (IAM login profiles, root): PBKDF2-HMAC-SHA256 from
// OpenSSL with a fresh random 16-byte salt per password, stored as one self-describing string
//   "pbkdf2-sha256$<iterations>$<salt, base64>$<32-byte hash, base64>"
// so the iteration count can be raised later without invalidating stored hashes.
//
// Thread-safety: free functions, safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace orgtwin::auth {

// Slow on purpose (tens of milliseconds); tests and bulk seeding may pass fewer.
inline constexpr int kDefaultPasswordIterations = 210000;
inline constexpr int kMaxPasswordIterations = 10000000;

// Hashes `password` with a new random salt. Internal error only if the system RNG fails.
Result<std::string> HashPassword(std::string_view password,
                                 int iterations = kDefaultPasswordIterations);

// True when `password` matches `encoded` (a HashPassword result); false for a wrong password
// and for a malformed or unsupported `encoded`. The hash comparison is constant-time.
bool VerifyPassword(std::string_view password, std::string_view encoded);

// The raw PBKDF2-HMAC-SHA256 derivation (exposed for tests against published vectors).
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int iterations,
                         size_t length);

}  // namespace orgtwin::auth
