#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/query/query_protocol.h"
#include "protocol/query/query_test_util.h"

namespace orgtwin::protocol::query {
namespace {

namespace json = boost::json;
using testing::Iam;
using testing::QueryTest;
using testing::Sts;

const std::string* Header(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string Iso(double seconds) {
  std::string out;
  internal::AppendIso8601(out, seconds);
  return out;
}

// AWS-COMPAT pin: IAM and STS timestamps are whole seconds with 'Z'.
TEST(QuerySerializeTest, TimestampFormat) {
  EXPECT_EQ(Iso(1795820864.999), "2026-11-27T23:07:44Z");
  EXPECT_EQ(Iso(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Iso(-0.5), "1969-12-31T23:59:59Z");
  EXPECT_EQ(Iso(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Iso(1e300), "9999-12-31T23:59:59Z");
  EXPECT_EQ(Iso(std::nan("")), "0000-01-01T00:00:00Z");
}

TEST(QuerySerializeTest, EscapesXmlSpecials) {
  std::string out;
  internal::AppendXmlEscaped(out, "a&b<c>d\"e'f\r\ng");
  EXPECT_EQ(out, "a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;\ng");
}

TEST(QuerySerializeTest, EnvelopeHeadersAndMetadata) {
  const model::Operation* op = Sts().FindOperation("GetCallerIdentity");
  ASSERT_NE(op, nullptr);
  json::object output{{"Account", "111122223333"}, {"NotInShape", "dropped"}, {"Arn", nullptr}};
  HttpResponse response = SerializeOutput(Sts(), *op, output, "req<1>");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><Account>111122223333</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>req&lt;1&gt;</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>");
  ASSERT_NE(Header(response, "Content-Type"), nullptr);
  EXPECT_EQ(*Header(response, "Content-Type"), "text/xml");
  ASSERT_NE(Header(response, "x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*Header(response, "x-amzn-RequestId"), "req<1>");
}

TEST(QuerySerializeTest, EmptyOutputStillHasResultWrapper) {
  const model::Operation* op = Iam().FindOperation("ListRoles");
  ASSERT_NE(op, nullptr);
  HttpResponse response = SerializeOutput(Iam(), *op, {}, "r");
  EXPECT_NE(response.body.find("<ListRolesResult></ListRolesResult>"), std::string::npos);
}

TEST(QuerySerializeTest, ScalarsOfEveryKind) {
  const model::Operation* op = QueryTest().FindOperation("Kitchen");
  ASSERT_NE(op, nullptr);
  json::object output{
      {"Count", 3.0},      {"Ratio", 2}, {"Enabled", false},       {"When", "not a time"},
      {"WhenEpoch", 12.5}, {"Name", 7},  {"Items", json::array{}}, {"Attributes", json::object{}}};
  HttpResponse response = SerializeOutput(QueryTest(), *op, output, "r");
  // Each scalar kind, including values whose JSON type differs from the shape.
  for (const char* element :
       {"<Name>7</Name>", "<Count>3</Count>", "<Ratio>2</Ratio>", "<Enabled>false</Enabled>",
        "<When>not a time</When>", "<WhenEpoch>12.5</WhenEpoch>", "<Items></Items>",
        "<Attributes></Attributes>"}) {
    EXPECT_NE(response.body.find(element), std::string::npos) << element << "\n" << response.body;
  }
}

TEST(QuerySerializeTest, ErrorWithExtraFields) {
  AwsError error;
  error.code = "LimitExceeded";
  error.message = "Cannot exceed quota for RolesPerAccount: 1000";
  error.http_status = 409;
  error.fields["Reason"] = "A&B";
  HttpResponse response = SerializeError(Iam(), error, "id-1");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>LimitExceeded</Code>"
            "<Message>Cannot exceed quota for RolesPerAccount: 1000</Message>"
            "<Reason>A&amp;B</Reason></Error><RequestId>id-1</RequestId></ErrorResponse>");
  EXPECT_EQ(*Header(response, "Content-Type"), "text/xml");
  EXPECT_EQ(*Header(response, "x-amzn-RequestId"), "id-1");
}

}  // namespace
}  // namespace orgtwin::protocol::query
