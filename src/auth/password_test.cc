#include "auth/password.h"

#include <string>

#include <gtest/gtest.h>

#include "common/base64.h"

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

TEST(PasswordTest, ScryptPublishedVectors) {
  // RFC 7914 section 12.
  EXPECT_EQ(Hex(Scrypt("", "", ScryptCost{4, 1, 1}, 64)),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a"
            "753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
  EXPECT_EQ(Hex(Scrypt("password", "NaCl", ScryptCost{10, 8, 16}, 64)),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff1"
            "09279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

constexpr ScryptCost kCheap{4, 1, 1};

TEST(PasswordTest, HashFormatAndVerify) {
  Result<std::string> hash = HashPassword("correct horse battery staple", kCheap);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("scrypt$4$1$1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapler", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(PasswordTest, SaltIsFreshPerHash) {
  Result<std::string> a = HashPassword("same", kCheap);
  Result<std::string> b = HashPassword("same", kCheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("same", *a));
  EXPECT_TRUE(VerifyPassword("same", *b));
}

TEST(PasswordTest, DefaultCostIsMemoryHard) {
  Result<std::string> hash = HashPassword("Pa55word!");
  ASSERT_TRUE(hash.ok());
  // N = 2^15, r = 8: 32 MiB per derivation.
  EXPECT_EQ(hash->rfind("scrypt$15$8$1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("Pa55word!", *hash));
}

TEST(PasswordTest, EarlierPbkdf2HashesStillVerify) {
  // A hash of the earlier scheme: PBKDF2-HMAC-SHA256, 1,000 iterations, salt "NaCl" (base64
  // TmFDbA==), password "pw".
  std::string hash =
      "pbkdf2-sha256$1000$TmFDbA==$" + Base64Encode(Pbkdf2Sha256("pw", "NaCl", 1000, 32));
  EXPECT_TRUE(VerifyPassword("pw", hash));
  EXPECT_FALSE(VerifyPassword("pW", hash));
}

TEST(PasswordTest, MalformedEncodingsNeverVerify) {
  Result<std::string> hash = HashPassword("pw", kCheap);
  ASSERT_TRUE(hash.ok());
  std::string good = *hash;
  const std::string bad[] = {
      "",
      "pw",
      "scrypt$4$1$1$$",
      "scrypt$0$1$1$AAAA$AAAA",
      "scrypt$21$1$1$AAAA$AAAA",  // a cost past the cap is refused, not computed
      "scrypt$4$17$1$AAAA$AAAA",
      "scrypt$4$1$5$AAAA$AAAA",
      "scrypt$4$1$1$***$AAAA",
      "scrypt$x4$1$1$AAAA$AAAA",
      "pbkdf2-sha256$0$AAAA$AAAA",
      "pbkdf2-sha256$99999999999$AAAA$AAAA",
      good + "$extra",
  };
  for (const std::string& encoded : bad) {
    EXPECT_FALSE(VerifyPassword("pw", encoded)) << encoded;
  }
  EXPECT_FALSE(HashPassword("pw", ScryptCost{0, 1, 1}).ok());
}

}  // namespace
}  // namespace orgtwin::auth
