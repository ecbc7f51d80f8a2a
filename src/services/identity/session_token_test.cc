#include "services/identity/session_token.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace orgtwin::services {
namespace {

TEST(SessionTokenTest, ATokenIsItsSeedExpanded) {
  SeededIdGenerator ids(7);
  const std::string token = NewSessionToken(ids);
  EXPECT_EQ(token.size(), 384u);  // 288 bytes in base64, as before the seeds
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
      std::string::npos);
  const std::optional<std::string_view> seed = SeedOfSessionToken(token);
  ASSERT_TRUE(seed.has_value());
  EXPECT_EQ(*seed, token.substr(0, kSessionTokenSeedChars));
  EXPECT_EQ(SessionTokenOfSeed(*seed), token);
  EXPECT_EQ(SessionTokenOfStored(*seed), token);
}

TEST(SessionTokenTest, TokensDifferEverywhere) {
  SeededIdGenerator ids(11);
  std::set<std::string> tokens, tails;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = NewSessionToken(ids);
    tokens.insert(token);
    tails.insert(token.substr(kSessionTokenSeedChars));  // the expansion differs too
  }
  EXPECT_EQ(tokens.size(), 1000u);
  EXPECT_EQ(tails.size(), 1000u);
}

// A token of before the seeds (random throughout) or any other text is not taken for one.
TEST(SessionTokenTest, OtherTextHasNoSeed) {
  SeededIdGenerator ids(3);
  std::string token = NewSessionToken(ids);
  std::string changed = token;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(SeedOfSessionToken(changed).has_value());
  EXPECT_FALSE(SeedOfSessionToken(token.substr(1)).has_value());
  EXPECT_FALSE(SeedOfSessionToken("").has_value());
  // A stored whole token (rows of before) reads as it is.
  EXPECT_EQ(SessionTokenOfStored(changed), changed);
  EXPECT_EQ(SessionTokenOfStored(""), "");
  // A damaged seed gives no token of its own.
  EXPECT_EQ(SessionTokenOfSeed("not base64 at all!!!!!!!"), "not base64 at all!!!!!!!");
}

}  // namespace
}  // namespace orgtwin::services
