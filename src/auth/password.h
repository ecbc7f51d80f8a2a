// File: auth/password.h
//
// Password hashing for console passwords (IAM login profiles and the root user): scrypt, a
// memory-hard KDF, from OpenSSL (EVP_PBE_scrypt), with a fresh random 16-byte salt per password,
// stored as one self-describing string
//   "scrypt$<log2 N>$<r>$<p>$<salt, base64>$<32-byte hash, base64>"
// so the cost can be raised later without invalidating stored hashes. Hashes of the earlier
// scheme ("pbkdf2-sha256$<iterations>$<salt>$<hash>") still verify.
//
// Thread-safety: free functions, safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orgtwin::auth {

// scrypt's cost: N = 2^log2_n, block size r, parallelism p. Memory is 128 * N * r bytes.
struct ScryptCost {
  int log2_n = 15;  // 32 MiB with r = 8: ~0.1 s per hash
  int r = 8;
  int p = 1;
};
// Verification refuses stored costs past these, so a planted hash cannot exhaust the machine.
inline constexpr int kMaxScryptLog2N = 20;
inline constexpr int kMaxScryptR = 16;
inline constexpr int kMaxScryptP = 4;
inline constexpr int kMaxPbkdf2Iterations = 10000000;

// Hashes `password` with a new random salt. Internal error only if the system RNG fails.
Result<std::string> HashPassword(std::string_view password, ScryptCost cost = {});

// True when `password` matches `encoded` (a HashPassword result, or a PBKDF2 hash of the
// earlier scheme); false for a wrong password and for a malformed or unsupported `encoded`. The
// comparison is constant-time.
bool VerifyPassword(std::string_view password, std::string_view encoded);

// The raw derivations (exposed for tests against published vectors); "" when OpenSSL refuses.
std::string Scrypt(std::string_view password, std::string_view salt, ScryptCost cost,
                   size_t length);
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int iterations,
                         size_t length);

}  // namespace orgtwin::auth
