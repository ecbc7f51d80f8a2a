#include "protocol/wire.h"

#include <gtest/gtest.h>

namespace orgtwin::protocol::wire {
namespace {

TEST(WireTest, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xC3\xA9t\xC3\xA9"), 3u);  // "été"
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);   // one emoji
}

TEST(WireTest, LowerCamel) {
  EXPECT_EQ(LowerCamel("RoleName"), "roleName");
  EXPECT_EQ(LowerCamel("roleName"), "roleName");
  EXPECT_EQ(LowerCamel(""), "");
}

TEST(WireTest, PercentDecodeAndQueryStrings) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_FALSE(PercentDecode("%2", false).has_value());
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  auto q = ParseQueryString("Action=GetUser&Version=2010-05-08&&UserName=a%2Fb&Flag", true);
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"Action", "GetUser"}));
  EXPECT_EQ(q[2].second, "a/b");
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"Flag", ""}));
}

TEST(WireTest, Base64) {
  EXPECT_TRUE(IsBase64(""));
  EXPECT_TRUE(IsBase64("aGVsbG8="));
  EXPECT_TRUE(IsBase64("aGVsbG8"));
  EXPECT_FALSE(IsBase64("aGVsbG8*"));
  EXPECT_FALSE(IsBase64("a==="));
}

TEST(WireTest, Timestamps) {
  EXPECT_EQ(ToEpochSeconds(boost::json::value(1700000000)), 1700000000.0);
  EXPECT_EQ(ToEpochSeconds(boost::json::value("2023-11-14T22:13:20Z")), 1700000000.0);
  EXPECT_FALSE(ToEpochSeconds(boost::json::value("yesterday")).has_value());
  EXPECT_TRUE(EpochSecondsJson(1700000000.0).is_int64());
  EXPECT_EQ(EpochSecondsJson(1.5).as_double(), 1.5);
}

TEST(WireTest, CredentialScopeService) {
  EXPECT_EQ(CredentialScopeService("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/"
                                   "aws4_request, SignedHeaders=host, Signature=abc"),
            "iam");
  EXPECT_EQ(CredentialScopeService("AKID/20260101/us-east-1/sts/aws4_request"), "sts");
  EXPECT_EQ(CredentialScopeService("garbage"), "");
}

}  // namespace
}  // namespace orgtwin::protocol::wire
