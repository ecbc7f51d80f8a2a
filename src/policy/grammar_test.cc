// The IAM policy grammar: resource formats, legacy parsing, Date values and the order in which a
// document with several faults is reported. Expected texts are AWS's answers as recorded in
// getmoto/moto tests/test_iam/test_iam_policies.py (cases captured from real IAM).
#include "policy/grammar.h"

#include <string>

#include <gtest/gtest.h>

#include "policy/catalog.h"
#include "policy/document.h"

namespace orgtwin::policy {
namespace {

constexpr std::string_view kIamPathMessage =
    "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, "
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/.";

TEST(ResourceFormatError, AcceptsArnsOfAnyVendorAndStar) {
  for (std::string_view ok :
       {"*", "arn:aws:s3:::example_bucket", "arn:aws:iam:::user/example_bucket",
        "arn:aws:s33:::example_bucket", "arn:aws:fdsasf", "arn:aws:cloudwatch:us-east-1::x",
        "arn:aws:ec2:us-east-1::x", "arn:aws:invalid-service:::x",
        "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:role/aws-service-role/x",
        "arn:aws-cn:s3:::b", "arn:aws-us-gov:iam::123456789012:policy/p",
        "arn:aws:dynamodb:*:*:table/MyTable"}) {
    EXPECT_EQ(ResourceFormatError(ok), std::nullopt) << ok;
  }
}

TEST(ResourceFormatError, NamesTheFault) {
  static constexpr std::pair<std::string_view, std::string_view> kCases[] = {
      {"invalid resource", "Resource invalid resource must be in ARN format or \"*\"."},
      {"", "Resource  must be in ARN format or \"*\"."},
      {"a:bsdfdsafsad",
       "Partition \"bsdfdsafsad\" is not valid for resource "
       "\"arn:bsdfdsafsad:*:*:*:*\"."},
      {"a:b:cadfsdf", "Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."},
      {"a:b:c:d:e:f:g:h", "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
      {"aws:s3:::example_bucket",
       "Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."},
      {"arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."},
      {"arn:aws:iam:us-east-1::example_bucket",
       "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
      {"arn:aws:s3:us-east-1::example_bucket",
       "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
      {"arn:aws:iam:::example_bucket", kIamPathMessage},
      {"arn:aws:iam::123456789012:users/bob", kIamPathMessage},
  };
  for (const auto& [resource, message] : kCases) {
    EXPECT_EQ(ResourceFormatError(resource).value_or("<accepted>"), message) << resource;
  }
}

TEST(LegacyResourceParses, RefusesDoubledColonsAndEmptyVendor) {
  EXPECT_TRUE(LegacyResourceParses("arn:aws:s3:::example_bucket"));
  EXPECT_TRUE(LegacyResourceParses("arn:aws:fdsasf"));
  EXPECT_FALSE(LegacyResourceParses("arn:aws:s3::example_bucket"));
  EXPECT_FALSE(LegacyResourceParses("arn:aws::::example_bucket"));
  EXPECT_FALSE(LegacyResourceParses("arn:aws::fdsasf"));
  EXPECT_TRUE(LegacyResourceParses("arn:aws:iam::${aws:PrincipalAccount}:user/*"));
}

TEST(DateConditionValueParses, Iso8601AndEpochSeconds) {
  for (std::string_view ok :
       {"2017-07-01T00:00:00Z", "2019-07-01T13:20:15Z", "2016-12-13T21:20:37.593194+00:00",
        "2016-12-13t2:00:00.593194+23", "2016-12-13T10:00:00-05:00", "01T", "2019-07-01",
        "-292275054", "0", "1500000000", "9223372036854775807"}) {
    EXPECT_TRUE(DateConditionValueParses(ok)) << ok;
  }
  for (std::string_view bad :
       {"sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1", "2016-12-13t2:00:00.1999999999+10:59",
        "9223372036854775808", "2019-07-01T24:00:00Z", "2019-07-01T10:60:00Z",
        "2019-07-01T10:00:60Z", "2019-07-01T10:00:00Zx", "2019-02-32", "1-2-3-4", "", "1.5E9",
        "-292275055"}) {
    EXPECT_FALSE(DateConditionValueParses(bad)) << bad;
  }
}

TEST(BaseConditionOperator, StripsSetPrefixAndIfExists) {
  EXPECT_EQ(BaseConditionOperator("ForAnyValue:DateLessThanIfExists"), "DateLessThan");
  EXPECT_EQ(BaseConditionOperator("ForAllValues:StringEquals"), "StringEquals");
  EXPECT_EQ(BaseConditionOperator("Bool"), "Bool");
}

// ---- Whole documents, as CreatePolicy validates them (managed: current version required) ----

Result<PolicyDocument> Managed(const std::string& text) {
  ParseOptions options;
  options.size_rule = SizeRule::kManaged;
  options.require_current_version = true;
  return ParsePolicy(text, Flavour::kIdentity, options);
}

std::string MessageOf(const Result<PolicyDocument>& r) {
  return r.ok() ? "<accepted>" : std::string(r.status().message());
}

TEST(ManagedPolicyGrammar, ReportsTheFaultAwsReportsFirst) {
  static constexpr std::pair<const char*, std::string_view> kCases[] = {
      // Version: absent or old is refused for managed policies, an unknown one is syntax.
      {R"({"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       "Policy document must be version 2012-10-17 or greater."},
      {R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       "Policy document must be version 2012-10-17 or greater."},
      {R"({"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       "Syntax errors in policy."},
      // The version is checked before legacy parsing and SID uniqueness.
      {R"({"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       "Policy document must be version 2012-10-17 or greater."},
      {R"({"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Sid":"sdf","Effect":"Allow"}]})",
       "Policy document must be version 2012-10-17 or greater."},
      // Legacy parsing comes before SIDs, actions, resources and resource formats.
      {R"({"Version":"2012-10-17","Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Sid":"sdf","Effect":"Allow"}]})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::b"}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::b","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}})",
       "The policy failed legacy parsing"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:DateLessThanEqualsIfExists":{"a":["2019-07-01T13:20:15Z","234-13"]}}}})",
       "The policy failed legacy parsing"},
      // SIDs, then actions, then resources, then the resource-format error.
      {R"({"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Sid":"sdf","Effect":"Allow"}]})",
       "Statement IDs (SID) in a single policy must be unique."},
      {R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]})",
       "Policy statement must contain actions."},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:iam:::bad"}})",
       "Policy statement must contain actions."},
      {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"bad"},{"Effect":"Allow","Action":"s3:ListBucket"}]})",
       "Policy statement must contain resources."},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid","Resource":"adf"}})",
       "Resource adf must be in ARN format or \"*\"."},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}})",
       "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\"."},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}})",
       "Resource vendor must be fully qualified and cannot contain regexes."},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:iam:us-east-1::user/x"}})",
       "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."},
      // Action vendors are checked last.
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}})",
       "Resource sdfsadf must be in ARN format or \"*\"."},
      {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"arn:aws:s3:::b"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"arn:aws:s3:::b"}]})",
       "Actions/Condition can contain only one colon."},
      // Accepted.
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:EpochTime":"1700000000"}}}})",
       "<accepted>"},
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"DateGreaterThan":{"a":[]}}}})",
       "<accepted>"},
  };
  for (const auto& [text, message] : kCases) {
    EXPECT_EQ(MessageOf(Managed(text)), message) << text;
  }
}

TEST(InlinePolicyGrammar, OldAndMissingVersionsAreAccepted) {
  for (
      const char* text :
      {R"({"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})",
       R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}})"}) {
    EXPECT_TRUE(ParsePolicy(text, Flavour::kIdentity).ok()) << text;
  }
  EXPECT_EQ(
      MessageOf(ParsePolicy(
          R"({"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:::x"}})",
          Flavour::kIdentity)),
      kIamPathMessage);
}

TEST(TrustPolicyGrammar, DateValuesAreParsedAndOldVersionAccepted) {
  EXPECT_TRUE(
      ParsePolicy(
          R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})",
          Flavour::kTrust)
          .ok());
  EXPECT_EQ(
      MessageOf(ParsePolicy(
          R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"DateLessThan":{"aws:CurrentTime":"never"}}}})",
          Flavour::kTrust)),
      "The policy failed legacy parsing");
}

// Every AWS managed policy is a document IAM accepts: the grammar must not refuse one of them.
TEST(ManagedPolicyGrammar, AcceptsEveryAwsManagedPolicy) {
  size_t checked = 0;
  for (const ManagedPolicy& policy : ManagedPolicies().policies()) {
    if (policy.document.empty()) continue;
    ParseOptions options;
    options.size_rule = SizeRule::kNone;  // a few AWS policies exceed the customer quota
    options.require_current_version = true;
    Result<PolicyDocument> parsed = ParsePolicy(policy.document, Flavour::kIdentity, options);
    EXPECT_TRUE(parsed.ok()) << policy.arn << ": " << parsed.status().message();
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
}

}  // namespace
}  // namespace orgtwin::policy
