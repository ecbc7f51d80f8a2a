// The INI reader against what Python's configparser (botocore's reader) does with the same text,
// and the shared credentials file's static keys.
#include "client/credentials_file.h"

#include <gtest/gtest.h>

namespace orgtwin::client {
namespace {

constexpr char kFile[] = R"(# written by `orgtwin serve`
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key=secret/with=equals

; another profile
[orgtwin]
AWS_ACCESS_KEY_ID = AKIATWIN
aws_secret_access_key = s2
aws_session_token = tok
[broken]
aws_access_key_id = AKIAONLY
[legacy]
aws_access_key_id = AKIALEGACY
aws_secret_access_key = s3
aws_security_token = old-token
)";

TEST(CredentialsFileTest, ReadsProfilesAsTheAwsCliDoes) {
  auto def = ParseSharedCredentials(kFile, "default");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(def->secret_access_key, "secret/with=equals");
  EXPECT_EQ(def->session_token, "");
  auto twin = ParseSharedCredentials(kFile, "orgtwin");
  ASSERT_TRUE(twin.ok()) << twin.status().ToString();
  EXPECT_EQ(twin->access_key_id, "AKIATWIN");
  EXPECT_EQ(twin->session_token, "tok");
  auto legacy = ParseSharedCredentials(kFile, "legacy");
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  EXPECT_EQ(legacy->session_token, "old-token");
}

TEST(CredentialsFileTest, MissingProfileOrKeysAreErrors) {
  EXPECT_EQ(ParseSharedCredentials(kFile, "nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ParseSharedCredentials(kFile, "broken").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(LoadSharedCredentials("/nonexistent/credentials", "default").status().code(),
            ErrorCode::kNotFound);
}

TEST(IniTest, FollowsConfigparser) {
  auto ini = ParseIni(R"([DEFAULT]
region = eu-west-1
output = json

[ spaced ]
Key: value: with colon = and equals
inline = kept # not a comment
empty =
  # a comment line inside a section
s3 =
    max_concurrent_requests = 10

    multipart_threshold = 64MB
after = nested
[profile dev]
output = text
)");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  ASSERT_EQ(ini->sections.size(), 2u);  // [DEFAULT] is not a section
  EXPECT_EQ(ini->Find("spaced"), nullptr);
  const IniSection* spaced = ini->Find(" spaced ");  // configparser keeps the blanks
  ASSERT_NE(spaced, nullptr);
  EXPECT_EQ(spaced->values.at("key"), "value: with colon = and equals");
  EXPECT_EQ(spaced->values.at("inline"), "kept # not a comment");
  EXPECT_EQ(spaced->values.at("empty"), "");
  EXPECT_EQ(spaced->values.at("s3"),
            "\nmax_concurrent_requests = 10\n\nmultipart_threshold = 64MB");
  EXPECT_EQ(spaced->values.count("max_concurrent_requests"), 0u);
  EXPECT_EQ(spaced->values.at("after"), "nested");
  EXPECT_EQ(spaced->values.at("region"), "eu-west-1");  // from [DEFAULT]
  const IniSection* dev = ini->Find("profile dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->values.at("output"), "text");  // its own key over [DEFAULT]'s
  EXPECT_EQ(dev->values.at("region"), "eu-west-1");
}

TEST(IniTest, RejectsWhatConfigparserRejects) {
  for (const char* text : {
           "key = before any section\n",
           "[a]\nx = 1\n[a]\ny = 2\n",  // DuplicateSectionError
           "[a]\nx = 1\nX = 2\n",       // DuplicateOptionError (keys are lower-cased)
           "[a]\njust words\n",         // ParsingError
           "[a]\n= no key\n",
       }) {
    auto ini = ParseIni(text);
    EXPECT_EQ(ini.status().code(), ErrorCode::kInvalidInput) << text;
  }
  auto bad = ParseIni("[a]\nx = 1\n\njunk\n");
  EXPECT_NE(bad.status().message().find("line 4"), std::string::npos) << bad.status().ToString();
  EXPECT_TRUE(ParseIni("").ok());
  EXPECT_TRUE(ReadIniFile("/nonexistent/config").ok());  // a missing file is an empty one
}

}  // namespace
}  // namespace orgtwin::client
