// Unit tests of the reference evaluator's building blocks, driven through EvaluateCase with small
// hand-built cases (the full rule coverage is the corpus, reference_corpus_test.cc).
#include "reference_evaluator.h"

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace orgtwin::reference {
namespace {

namespace json = boost::json;

// One identity-policy statement allowing s3:GetObject on `resource` under `condition`, evaluated
// for alice with `context`; returns the decision.
std::string Decide(const std::string& resource_pattern, const std::string& request_resource,
                   const std::string& condition = "{}", const std::string& context = "{}") {
  std::string text =
      R"({"request":{"principal":{"type":"User","arn":"arn:aws:iam::111111111111:user/alice","account":"111111111111"},
     "action":"s3:GetObject","resource":")" +
      request_resource + R"(","context":)" + context + R"(},
     "policies":{"identity":[{"id":"p","document":{"Version":"2012-10-17","Statement":[
       {"Effect":"Allow","Action":"s3:GetObject","Resource":")" +
      resource_pattern + R"(","Condition":)" + condition + R"(}]}}]}})";
  Result<Outcome> out = EvaluateCase(json::parse(text).as_object());
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? out->decision : "error";
}

TEST(ReferenceEvaluatorTest, GlobStarCrossesSlashInResourceSegment) {
  EXPECT_EQ(Decide("arn:aws:s3:::b/*/x/*", "arn:aws:s3:::b/1/2/x/3"), "Allow");
  EXPECT_EQ(Decide("arn:aws:s3:::b/*/x/*", "arn:aws:s3:::b/1/2/y/3"), "ImplicitDeny");
}

TEST(ReferenceEvaluatorTest, StarDoesNotCrossArnSegments) {
  // `*` in the region segment cannot swallow the account segment.
  EXPECT_EQ(Decide("arn:aws:ec2:*:instance/i-1", "arn:aws:ec2:us-east-1:111111111111:instance/i-1"),
            "ImplicitDeny");
}

TEST(ReferenceEvaluatorTest, DateFormsCompareAsInstants) {
  const std::string cond = R"({"DateEquals":{"aws:CurrentTime":"2024-01-01T02:00:00+02:00"}})";
  EXPECT_EQ(Decide("*", "arn:aws:s3:::b/k", cond, R"({"aws:CurrentTime":"1704067200"})"), "Allow");
  EXPECT_EQ(Decide("*", "arn:aws:s3:::b/k", cond, R"({"aws:CurrentTime":"2024-01-01"})"), "Allow");
  EXPECT_EQ(Decide("*", "arn:aws:s3:::b/k", cond, R"({"aws:CurrentTime":"2024-01-01T00:00:01Z"})"),
            "ImplicitDeny");
}

TEST(ReferenceEvaluatorTest, Ipv6Cidr) {
  const std::string cond = R"({"IpAddress":{"aws:SourceIp":"2001:db8:abcd::/48"}})";
  EXPECT_EQ(Decide("*", "arn:aws:s3:::b/k", cond, R"({"aws:SourceIp":"2001:db8:abcd:1::5"})"),
            "Allow");
  EXPECT_EQ(Decide("*", "arn:aws:s3:::b/k", cond, R"({"aws:SourceIp":"2001:db8:abce::5"})"),
            "ImplicitDeny");
}

TEST(ReferenceEvaluatorTest, UnknownOperatorIsAMalformedCase) {
  std::string text =
      R"({"request":{"principal":{"type":"User","arn":"arn:aws:iam::1:user/a","account":"1"},
     "action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},
     "policies":{"identity":[{"id":"p","document":{"Version":"2012-10-17","Statement":[
       {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Nope":{"k":"v"}}}]}}]}})";
  Result<Outcome> out = EvaluateCase(json::parse(text).as_object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidInput);
}

TEST(ReferenceEvaluatorTest, ValidationCaseReportsAwsCode) {
  json::object c = json::parse(R"({"validate":{"flavour":"identity","document":"{"}})").as_object();
  Result<Outcome> out = EvaluateCase(c);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->valid);
  EXPECT_EQ(out->error, "MalformedPolicyDocument");
  EXPECT_EQ(out->message, "Syntax errors in policy.");
}

}  // namespace
}  // namespace orgtwin::reference
