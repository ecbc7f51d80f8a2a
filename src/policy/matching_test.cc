#include "policy/matching.h"

#include <gtest/gtest.h>

namespace orgtwin::policy {
namespace {

TEST(Glob, StarAndQuestion) {
  EXPECT_TRUE(GlobMatch(EncodeGlob("s3:get*"), "s3:getobject"));
  EXPECT_TRUE(GlobMatch(EncodeGlob("*"), ""));
  EXPECT_TRUE(GlobMatch(EncodeGlob("a?c"), "abc"));
  EXPECT_FALSE(GlobMatch(EncodeGlob("a?c"), "ac"));
  EXPECT_TRUE(GlobMatch(EncodeGlob("a*b*c"), "axxbyyc"));
  EXPECT_FALSE(GlobMatch(EncodeGlob("a*b*c"), "axxbyy"));
  EXPECT_FALSE(GlobMatch(EncodeGlob("abc"), "ABC"));  // case-sensitive
  // Pathological pattern stays fast (iterative, no recursion).
  std::string s(5000, 'a');
  EXPECT_FALSE(GlobMatch(EncodeGlob(std::string(50, '*') + "b"), s));
}

TEST(Arn, SegmentWise) {
  EXPECT_TRUE(
      ArnMatch(EncodeGlob("arn:aws:s3:::bucket/*/test/*"), "arn:aws:s3:::bucket/a/b/test/c"));
  EXPECT_TRUE(ArnMatch(EncodeGlob("arn:aws:iam::*:role/*"), "arn:aws:iam::111111111111:role/x"));
  // `*` in the account segment does not cross into the resource segment.
  EXPECT_FALSE(ArnMatch(EncodeGlob("arn:aws:iam::*:role"), "arn:aws:iam::111111111111:role/x"));
  // ...but the resource segment's `*` crosses `:` and `/`.
  EXPECT_TRUE(ArnMatch(EncodeGlob("arn:aws:logs:*:*:log-group:*"),
                       "arn:aws:logs:us-east-1:1:log-group:a:log-stream:b"));
  EXPECT_FALSE(ArnMatch(EncodeGlob("arn:aws:s3:::Bucket"), "arn:aws:s3:::bucket"));
}

TEST(Template, VariablesDefaultsAndEscapes) {
  auto t = ParseTemplate("arn:aws:s3:::b/${aws:username}/*", true, true);
  ASSERT_TRUE(t.has_variables);
  ASSERT_EQ(t.pieces.size(), 3u);
  EXPECT_EQ(t.pieces[1].text, "aws:username");
  auto d = ParseTemplate("${aws:PrincipalTag/team, 'company-wide'}", true, false);
  ASSERT_EQ(d.pieces.size(), 1u);
  EXPECT_TRUE(d.pieces[0].has_default);
  EXPECT_EQ(d.pieces[0].text, "aws:principaltag/team");
  EXPECT_EQ(d.pieces[0].default_value, "company-wide");
  auto e = ParseTemplate("a${*}b${?}${$}", true, true);
  EXPECT_FALSE(e.has_variables);
  EXPECT_EQ(e.literal, "a*b?$");  // literal characters, not wildcards
  EXPECT_FALSE(GlobMatch(e.literal, "aXb?$"));
  auto legacy = ParseTemplate("b/${aws:username}", false, true);
  EXPECT_FALSE(legacy.has_variables);
  EXPECT_EQ(legacy.literal, "b/${aws:username}");
}

TEST(Values, NumbersDatesIpsBase64) {
  double n;
  EXPECT_TRUE(ParseNumber("3600", &n));
  EXPECT_EQ(n, 3600);
  EXPECT_TRUE(ParseNumber("-1.5", &n));
  EXPECT_FALSE(ParseNumber("12abc", &n));
  double a, b;
  ASSERT_TRUE(ParseDate("2020-01-01T00:00:00Z", &a));
  EXPECT_EQ(a, 1577836800);
  ASSERT_TRUE(ParseDate("1577836800", &b));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(ParseDate("2020-01-01T01:00:00+01:00", &b));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(ParseDate("2020-01-01", &b));
  EXPECT_EQ(a, b);
  EXPECT_FALSE(ParseDate("2020-13-01", &b));
  IpNet net, ip;
  ASSERT_TRUE(ParseIpNet("203.0.113.0/24", &net));
  ASSERT_TRUE(ParseIpNet("203.0.113.9", &ip));
  EXPECT_TRUE(IpInNet(ip, net));
  ASSERT_TRUE(ParseIpNet("203.0.114.9", &ip));
  EXPECT_FALSE(IpInNet(ip, net));
  ASSERT_TRUE(ParseIpNet("2001:db8::/32", &net));
  ASSERT_TRUE(ParseIpNet("2001:db8:1::5", &ip));
  EXPECT_TRUE(IpInNet(ip, net));
  EXPECT_FALSE(ParseIpNet("300.1.1.1", &ip));
}

}  // namespace
}  // namespace orgtwin::policy
