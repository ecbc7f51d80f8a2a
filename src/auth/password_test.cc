#include "auth/password.h"

#include <string>

#include <gtest/gtest.h>

namespace orgtwin::auth {
namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

TEST(PasswordTest, Pbkdf2Sha256PublishedVectors) {
  // RFC 7914 section 11.
  EXPECT_EQ(Hex(Pbkdf2Sha256("passwd", "salt", 1, 64)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b6459916"
            "64b39d77ef317c71b845b1e30bd509112041d3a19783");
  EXPECT_EQ(Hex(Pbkdf2Sha256("Password", "NaCl", 80000, 64)),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb"
            "841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

TEST(PasswordTest, HashFormatAndVerify) {
  Result<std::string> hash = HashPassword("correct horse battery staple", 1000);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$1000$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapler", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(PasswordTest, SaltIsFreshPerHash) {
  Result<std::string> a = HashPassword("same", 1000);
  Result<std::string> b = HashPassword("same", 1000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("same", *a));
  EXPECT_TRUE(VerifyPassword("same", *b));
}

TEST(PasswordTest, DefaultIterations) {
  Result<std::string> hash = HashPassword("Pa55word!");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$" + std::to_string(kDefaultPasswordIterations) + "$", 0),
            0u);
  EXPECT_TRUE(VerifyPassword("Pa55word!", *hash));
}

TEST(PasswordTest, MalformedEncodingsNeverVerify) {
  Result<std::string> hash = HashPassword("pw", 1000);
  ASSERT_TRUE(hash.ok());
  std::string good = *hash;
  const std::string bad[] = {
      "",
      "pw",
      "pbkdf2-sha1$1000$" + good.substr(good.find('$', 14) + 1),
      "pbkdf2-sha256$0$AAAA$AAAA",
      "pbkdf2-sha256$99999999999$AAAA$AAAA",
      "pbkdf2-sha256$1000$$",
      "pbkdf2-sha256$1000$***$AAAA",
      "pbkdf2-sha256$x1000$AAAA$AAAA",
      good + "$extra",
  };
  for (const std::string& encoded : bad) {
    EXPECT_FALSE(VerifyPassword("pw", encoded)) << encoded;
  }
  EXPECT_FALSE(HashPassword("pw", 0).ok());
}

}  // namespace
}  // namespace orgtwin::auth
