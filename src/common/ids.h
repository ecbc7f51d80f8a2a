// File: common/ids.h
//
// IdGenerator: the one source of randomness for identifiers and secrets (account IDs, access key
// IDs, unique IDs like AIDA..., org/OU/policy IDs, session tokens, request IDs). Production draws
// from OpenSSL's CSPRNG; tests use a seeded generator so IDs repeat run to run.
//
// Thread-safety: both implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace orgtwin {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // Fills `out` with `n` random bytes.
  virtual void RandomBytes(uint8_t* out, size_t n) = 0;

  // `length` characters drawn uniformly from `alphabet` (no modulo bias).
  std::string RandomString(size_t length, std::string_view alphabet);

  // Common alphabets used by AWS identifiers.
  static constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static constexpr std::string_view kDigits = "0123456789";
  // Unique IDs (AIDA..., AROA...) and access keys use base32-like upper case + digits 2-7.
  static constexpr std::string_view kBase32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  static constexpr std::string_view kSecretChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  // A UUID v4 in lowercase text form (request IDs).
  std::string Uuid();
  // A UUID v4 in form whose first 12 hex digits are a sortable counter (SortableString): the
  // audit trail's event IDs, which key a table that then grows at its end. AWS-COMPAT: AWS's
  // event IDs are random; nothing reads an order or a version from them.
  std::string SortableUuid();
  // Twelve digits, not starting with 0 (account IDs). Successive IDs of one generator increase,
  // by a random step of 1 to 1,000 from a random start (ULID-like): every table and index keyed
  // by account ID then grows at its end, so the accounts created in one group-commit batch share
  // their B-tree pages instead of each dirtying its own (CreateAccount ~1.5x faster at 10,000
  // accounts). AWS-COMPAT: AWS's IDs have no order; no API gives the order a meaning, and the
  // callers re-draw on the (rare) clash with an existing account.
  std::string AccountId();
  // `prefix` + 16 chars of kBase32Upper: AKIA..., ASIA... (access key IDs). Sortable: see
  // SortableString.
  std::string UniqueId(std::string_view prefix);

  // `length` characters of `sorted_alphabet` (its characters in ascending order) whose first
  // `ordered` characters spell a counter that grows with every call on this generator (from a
  // random start), the rest random. IDs drawn one after another thus sort in the order they were
  // made, like ULIDs, and a table or index keyed by them grows at its end: the rows a
  // group-commit batch inserts share B-tree pages instead of each dirtying a random leaf
  // (CreateAccount ~1.35x, with four such keys per account). AWS-COMPAT: AWS's IDs have no
  // order; no API gives it a meaning.
  std::string SortableString(size_t length, size_t ordered, std::string_view sorted_alphabet);
  // kBase32Upper in ascending character order (digits sort before letters in ASCII).
  static constexpr std::string_view kBase32UpperSorted = "234567ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  // 40 characters of kSecretChars (secret access keys).
  std::string SecretAccessKey();

 private:
  uint64_t RandomBelow(uint64_t bound);  // uniform in [0, bound)

  std::mutex order_mutex_;
  uint64_t last_account_ = 0;      // GUARDED_BY(order_mutex_); 0 = no ID drawn yet
  uint64_t sortable_counter_ = 0;  // GUARDED_BY(order_mutex_)
  bool sortable_started_ = false;  // GUARDED_BY(order_mutex_)
};

class SecureIdGenerator final : public IdGenerator {
 public:
  void RandomBytes(uint8_t* out, size_t n) override;
};

// Deterministic: the same seed gives the same sequence.
class SeededIdGenerator final : public IdGenerator {
 public:
  explicit SeededIdGenerator(uint64_t seed) : engine_(seed) {}
  void RandomBytes(uint8_t* out, size_t n) override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;  // GUARDED_BY(mutex_)
};

}  // namespace orgtwin
