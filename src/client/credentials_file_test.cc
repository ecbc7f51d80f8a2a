#include "client/credentials_file.h"

#include <gtest/gtest.h>

namespace orgtwin::client {
namespace {

constexpr char kFile[] = R"(# written by `orgtwin serve`
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key=secret/with=equals

; another profile
[ orgtwin ]
AWS_ACCESS_KEY_ID = AKIATWIN
aws_secret_access_key = s2
aws_session_token = tok
[broken]
aws_access_key_id = AKIAONLY
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
}

TEST(CredentialsFileTest, MissingProfileOrKeysAreErrors) {
  EXPECT_EQ(ParseSharedCredentials(kFile, "nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ParseSharedCredentials(kFile, "broken").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(LoadSharedCredentials("/nonexistent/credentials", "default").status().code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace orgtwin::client
