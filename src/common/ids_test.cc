#include "common/ids.h"

#include <regex>

#include <gtest/gtest.h>

namespace orgtwin {
namespace {

// The patterns are compiled once, outside the loops: compiling a std::regex costs far more than
// matching it, and thousands of compilations dominated these tests under the sanitizers.
TEST(IdGeneratorTest, FormatsMatchAwsPatterns) {
  SecureIdGenerator ids;
  const std::regex account_id("[1-9][0-9]{11}");
  const std::regex access_key_id("AKIA[A-Z2-7]{16}");
  const std::regex secret_key("[A-Za-z0-9+/]{40}");
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(std::regex_match(ids.AccountId(), account_id));
    EXPECT_TRUE(std::regex_match(ids.UniqueId("AKIA"), access_key_id));
    EXPECT_TRUE(std::regex_match(ids.SecretAccessKey(), secret_key));
    EXPECT_TRUE(std::regex_match(ids.Uuid(), uuid));
  }
}

TEST(IdGeneratorTest, AccountIdsIncreaseFromARandomStart) {
  SecureIdGenerator a, b;
  std::string previous = a.AccountId();
  EXPECT_NE(previous, b.AccountId());  // each generator starts somewhere else
  const std::regex account_id("[1-9][0-9]{11}");
  for (int i = 0; i < 10000; ++i) {
    std::string next = a.AccountId();
    ASSERT_TRUE(std::regex_match(next, account_id)) << next;
    // Same length, so text order is numeric order: indexes keyed by account ID grow at the end.
    ASSERT_GT(next, previous);
    ASSERT_LE(std::stoull(next) - std::stoull(previous), 1000u);
    previous = next;
  }
}

TEST(IdGeneratorTest, SortableIdsSortInCreationOrder) {
  SecureIdGenerator ids;
  std::string previous = ids.UniqueId("ASIA");
  const std::regex session_key_id("ASIA[A-Z2-7]{16}");
  for (int i = 0; i < 10000; ++i) {
    std::string key = ids.UniqueId("ASIA");
    ASSERT_TRUE(std::regex_match(key, session_key_id)) << key;
    // The 6 ordered characters wrap every 2^30 IDs, so order may break once, at the wrap.
    if (key <= previous) {
      EXPECT_EQ(key.substr(4, 6), "222222") << previous << " -> " << key;
    }
    previous = key;
  }
  std::string a = ids.SortableString(10, 4, "0123456789abcdefghijklmnopqrstuvwxyz");
  std::string b = ids.SortableString(10, 4, "0123456789abcdefghijklmnopqrstuvwxyz");
  EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-z]{10}")));
  EXPECT_NE(a, b);
}

// Event IDs (the audit trail's): UUID v4 in form, and in creation order as text.
TEST(IdGeneratorTest, SortableUuidsAreUuidsInCreationOrder) {
  SecureIdGenerator ids;
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::string previous = ids.SortableUuid();
  int wrapped = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string id = ids.SortableUuid();
    ASSERT_TRUE(std::regex_match(id, uuid)) << id;
    // 12 ordered hex digits wrap every 2^48 IDs: order breaks at most once, at the wrap.
    if (id <= previous) ++wrapped;
    previous = id;
  }
  EXPECT_LE(wrapped, 1);
}

TEST(IdGeneratorTest, SeededGeneratorRepeats) {
  SeededIdGenerator a(42), b(42), c(43);
  std::string first = a.AccountId();
  EXPECT_EQ(first, b.AccountId());
  EXPECT_NE(first, c.AccountId());
}

}  // namespace
}  // namespace orgtwin
