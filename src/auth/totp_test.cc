#include "auth/totp.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace orgtwin::auth {
namespace {

TimePoint At(int64_t unix_seconds) { return TimePoint(std::chrono::seconds(unix_seconds)); }

constexpr char kRfcSecret[] = "12345678901234567890";  // RFC 6238 appendix B, SHA-1 seed

TEST(TotpTest, Rfc6238Sha1Vectors) {
  constexpr struct {
    int64_t t;
    const char* code8;
  } kVectors[] = {{59, "94287082"},
                  {1111111109, "07081804"},
                  {1111111111, "14050471"},
                  {1234567890, "89005924"},
                  {2000000000, "69279037"}};
  // The RFC's last vector (t = 20000000000, year 2603) is past system_clock's nanosecond range
  // (year 2262), so a TimePoint cannot hold it.
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.t);
    EXPECT_EQ(TotpCode(kRfcSecret, At(v.t), 8), v.code8);
    // Six digits are the low six of the same truncated value (what AWS MFA devices show).
    EXPECT_EQ(TotpCode(kRfcSecret, At(v.t)), std::string(v.code8).substr(2));
  }
}

TEST(TotpTest, VerifyWithinWindowOnly) {
  const TimePoint now = At(1111111111);
  const std::string current = TotpCode(kRfcSecret, now);
  const std::string previous = TotpCode(kRfcSecret, now - std::chrono::seconds(30));
  const std::string two_back = TotpCode(kRfcSecret, now - std::chrono::seconds(60));
  EXPECT_TRUE(VerifyTotp(kRfcSecret, current, now, 0));
  EXPECT_FALSE(VerifyTotp(kRfcSecret, previous, now, 0));
  EXPECT_TRUE(VerifyTotp(kRfcSecret, previous, now, 1));
  EXPECT_FALSE(VerifyTotp(kRfcSecret, two_back, now, 1));
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "12345", now, 1));
  EXPECT_FALSE(VerifyTotp("another secret", current, now, 1));
  ASSERT_TRUE(MatchTotpStep(kRfcSecret, previous, now, 1).has_value());
  EXPECT_EQ(*MatchTotpStep(kRfcSecret, previous, now, 1), TotpStep(now) - 1);
  EXPECT_EQ(TotpStep(At(59)), 1);
}

TEST(TotpTest, Base32RoundTrip) {
  EXPECT_EQ(Base32Encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI======");
  Result<std::string> decoded = Base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, kRfcSecret);
  Result<std::string> padded = Base32Decode("MZXW6YTBOI======");
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(*padded, "foobar");
  EXPECT_FALSE(Base32Decode("not base32!").ok());
  // A 40-byte seed (AWS virtual MFA) encodes to 64 characters without padding.
  std::string seed(40, '\x5a');
  std::string text = Base32Encode(seed);
  EXPECT_EQ(text.size(), 64u);
  EXPECT_EQ(*Base32Decode(text), seed);
}

}  // namespace
}  // namespace orgtwin::auth
