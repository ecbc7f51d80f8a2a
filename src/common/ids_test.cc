#include "common/ids.h"

#include <regex>

#include <gtest/gtest.h>

namespace orgtwin {
namespace {

TEST(IdGeneratorTest, FormatsMatchAwsPatterns) {
  SecureIdGenerator ids;
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(std::regex_match(ids.AccountId(), std::regex("[1-9][0-9]{11}")));
    EXPECT_TRUE(std::regex_match(ids.UniqueId("AKIA"), std::regex("AKIA[A-Z2-7]{16}")));
    EXPECT_TRUE(std::regex_match(ids.SecretAccessKey(), std::regex("[A-Za-z0-9+/]{40}")));
    EXPECT_TRUE(std::regex_match(
        ids.Uuid(),
        std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  }
}

TEST(IdGeneratorTest, SeededGeneratorRepeats) {
  SeededIdGenerator a(42), b(42), c(43);
  std::string first = a.AccountId();
  EXPECT_EQ(first, b.AccountId());
  EXPECT_NE(first, c.AccountId());
}

}  // namespace
}  // namespace orgtwin
