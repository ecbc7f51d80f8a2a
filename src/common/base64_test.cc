#include "common/base64.h"

#include <gtest/gtest.h>

namespace orgtwin {
namespace {

TEST(Base64Test, EncodesWithPaddingAndRoundTrips) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  std::string back;
  ASSERT_TRUE(Base64Decode(Base64Encode(bytes), &back));
  EXPECT_EQ(back, bytes);
}

TEST(Base64Test, DecodePaddingIsOptionalAndStrict) {
  std::string out;
  ASSERT_TRUE(Base64Decode("aGVsbG8=", &out));
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(Base64Decode("aGVsbG8", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_FALSE(Base64Decode("a$b", &out));
  EXPECT_FALSE(Base64Decode("aGVs=bG8", &out));  // data after padding
  EXPECT_FALSE(Base64Decode("aGVsbG8===", &out));
}

TEST(Base64Test, UrlAlphabetOnlyWhenAsked) {
  std::string out;
  // 0xfb 0xff encodes as "+/8" (standard) and "-_8" (URL).
  ASSERT_TRUE(Base64Decode("-_8", &out, Base64Alphabet::kUrl));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(Base64Decode("+/8", &out, Base64Alphabet::kUrl));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_FALSE(Base64Decode("-_8", &out));
}

}  // namespace
}  // namespace orgtwin
