#include "policy/document.h"

#include <string>

#include <gtest/gtest.h>

namespace orgtwin::policy {
namespace {

std::string Identity(const std::string& statement) {
  return R"({"Version":"2012-10-17","Statement":[)" + statement + "]}";
}

void ExpectError(const Result<PolicyDocument>& r, std::string_view code, std::string_view msg) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), code);
  EXPECT_EQ(r.status().message(), msg);
}

TEST(ParsePolicy, AcceptsIdentityPolicyWithSingleStatementObject) {
  auto r = ParsePolicy(
      R"({"Version":"2012-10-17","Statement":{"Sid":"A1","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}})",
      Flavour::kIdentity);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->statements.size(), 1u);
  EXPECT_EQ(r->statements[0].sid, "A1");
  EXPECT_EQ(r->statements[0].actions[0], "s3:GetObject");
  EXPECT_TRUE(r->VariablesEnabled());
}

TEST(ParsePolicy, SyntaxErrors) {
  constexpr const char* kBad[] = {
      "not json",
      "[]",
      R"({"Version":"2012-10-17"})",
      R"({"Version":"2012-10-17","Statement":[]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}]})",
      R"({"Version":"2011-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]})",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringFoo":{"a":"b"}}}]})",
  };
  for (const char* text : kBad) {
    ExpectError(ParsePolicy(text, Flavour::kIdentity), "MalformedPolicyDocument",
                "Syntax errors in policy.");
  }
}

TEST(ParsePolicy, PrincipalRules) {
  ExpectError(
      ParsePolicy(Identity(R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"})"),
                  Flavour::kIdentity),
      "MalformedPolicyDocument", "Policy document should not specify a principal.");
  ExpectError(
      ParsePolicy(Identity(R"({"Effect":"Allow","Action":"sts:AssumeRole"})"), Flavour::kTrust),
      "MalformedPolicyDocument", "Missing required field Principal");
  ExpectError(
      ParsePolicy(
          Identity(
              R"({"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"})"),
          Flavour::kTrust),
      "MalformedPolicyDocument", "Has prohibited field Resource");
  ExpectError(
      ParsePolicy(
          Identity(R"({"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"})"),
          Flavour::kTrust),
      "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"bob\"");
  EXPECT_TRUE(
      ParsePolicy(
          Identity(
              R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"})"),
          Flavour::kTrust)
          .ok());
}

TEST(ParsePolicy, SidRules) {
  ExpectError(
      ParsePolicy(Identity(R"({"Sid":"bad-sid","Effect":"Allow","Action":"s3:*","Resource":"*"})"),
                  Flavour::kIdentity),
      "MalformedPolicyDocument",
      "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
      "regular expression [0-9A-Za-z]*");
  ExpectError(
      ParsePolicy(
          Identity(
              R"({"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"})"),
          Flavour::kIdentity),
      "MalformedPolicyDocument", "Statement IDs (SID) in a single policy must be unique.");
  // Resource-based policies of other services accept spaces.
  EXPECT_TRUE(
      ParsePolicy(
          Identity(
              R"({"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"})"),
          Flavour::kResource)
          .ok());
}

TEST(ParsePolicy, RequiredElementsAndFormats) {
  ExpectError(ParsePolicy(Identity(R"({"Effect":"Allow","Resource":"*"})"), Flavour::kIdentity),
              "MalformedPolicyDocument", "Policy statement must contain actions.");
  ExpectError(ParsePolicy(Identity(R"({"Effect":"Allow","Action":"s3:*"})"), Flavour::kIdentity),
              "MalformedPolicyDocument", "Policy statement must contain resources.");
  ExpectError(ParsePolicy(Identity(R"({"Effect":"Allow","Action":"s3:*","Resource":"bucket"})"),
                          Flavour::kIdentity),
              "MalformedPolicyDocument", "Resource bucket must be in ARN format or \"*\".");
  ExpectError(ParsePolicy(Identity(R"({"Effect":"Allow","Action":"GetObject","Resource":"*"})"),
                          Flavour::kIdentity),
              "MalformedPolicyDocument",
              "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  ExpectError(ParsePolicy(Identity(R"({"Effect":"Allow","Action":"s3:a:b","Resource":"*"})"),
                          Flavour::kIdentity),
              "MalformedPolicyDocument", "Actions/Condition can contain only one colon.");
  ExpectError(ParsePolicy(Identity(R"({"Effect":"allow","Action":"s3:*","Resource":"*"})"),
                          Flavour::kIdentity),
              "MalformedPolicyDocument", "The policy failed legacy parsing");
}

TEST(ParsePolicy, ScpRules) {
  auto r = ParsePolicy(
      R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})",
      Flavour::kScp);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "MalformedPolicyDocumentException");
  EXPECT_TRUE(
      ParsePolicy(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]})",
                  Flavour::kScp)
          .ok());
  EXPECT_FALSE(
      ParsePolicy(Identity(R"({"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"})"),
                  Flavour::kScp)
          .ok());
}

TEST(ParsePolicy, AllowedCharacters) {
  // U+00E9 is allowed, U+2603 is not.
  EXPECT_TRUE(ParsePolicy(Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:"
                                   "aws:s3:::b/\xC3\xA9\"}"),
                          Flavour::kIdentity)
                  .ok());
  ExpectError(ParsePolicy(Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:"
                                   "aws:s3:::b/\xE2\x98\x83\"}"),
                          Flavour::kIdentity),
              "MalformedPolicyDocument", "Syntax errors in policy.");
}

TEST(ParsePolicy, SizeLimits) {
  std::string pad(7000, 'a');
  std::string big = Identity(
      R"({"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::)" + pad + R"("})");
  ExpectError(ParsePolicy(big, Flavour::kIdentity), "LimitExceeded",
              "Cannot exceed quota for PolicySize: 6144");
  ParseOptions user;
  user.size_rule = SizeRule::kUserInline;
  user.entity_name = "alice";
  ExpectError(ParsePolicy(big, Flavour::kIdentity, user), "LimitExceeded",
              "Maximum policy size of 2048 bytes exceeded for user alice");
  ParseOptions role;
  role.size_rule = SizeRule::kRoleInline;
  role.entity_name = "R";
  EXPECT_TRUE(ParsePolicy(big, Flavour::kIdentity, role).ok());
  // Whitespace is not counted for IAM, but is for Organizations.
  std::string spaced =
      Identity(R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})" + std::string(6000, ' '));
  EXPECT_TRUE(ParsePolicy(spaced, Flavour::kIdentity).ok());
  auto scp = ParsePolicy(spaced, Flavour::kScp);
  ASSERT_FALSE(scp.ok());
  EXPECT_EQ(scp.status().aws_code(), "ConstraintViolationException");
  EXPECT_EQ(scp.status().fields().at("Reason"), "POLICY_CONTENT_LIMIT_EXCEEDED");
  std::string trust(2100, ' ');
  ExpectError(
      ParsePolicy(
          R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/)" +
              std::string(2100, 'x') + R"("},"Action":"sts:AssumeRole"}})",
          Flavour::kTrust),
      "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048");
}

TEST(ParsePolicy, DeepNestingIsRejectedNotCrashed) {
  std::string deep(100000, '[');
  ExpectError(ParsePolicy(deep, Flavour::kResource), "MalformedPolicyDocument",
              "Syntax errors in policy.");
  std::string nested =
      R"({"Version":"2012-10-17","Statement":)" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_FALSE(ParsePolicy(nested, Flavour::kResource).ok());
}

}  // namespace
}  // namespace orgtwin::policy
