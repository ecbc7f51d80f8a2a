#include "protocol/rest_json_protocol.h"

#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace orgtwin::protocol {
namespace {

namespace json = boost::json;

const model::ServiceModel& Account() {
  return *model::Registry::Embedded().BySigningName("account");
}

TEST(RestJsonTest, MatchesLabelsAndGreedyLabels) {
  model::Operation op;
  op.http_method = "GET";
  op.request_uri = "/things/{Id}/parts/{Key+}?list";
  std::map<std::string, std::string> labels;
  EXPECT_TRUE(rest_json::MatchRequest(op, "GET", "/things/a%20b/parts/x/y/z", &labels));
  EXPECT_EQ(labels.at("Id"), "a b");
  EXPECT_EQ(labels.at("Key"), "x/y/z");
  EXPECT_FALSE(rest_json::MatchRequest(op, "POST", "/things/a/parts/x", &labels));
  EXPECT_FALSE(rest_json::MatchRequest(op, "GET", "/things//parts/x", &labels));
  EXPECT_FALSE(rest_json::MatchRequest(op, "GET", "/other/a/parts/x", &labels));
}

TEST(RestJsonTest, RoutesAndParsesAccountRequest) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/getAlternateContact";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"AlternateContactType":"BILLING","AccountId":"123456789012"})";
  RouteOutcome route = Route(model::Registry::Embedded(), r);
  ASSERT_TRUE(route.ok) << route.error.code;
  EXPECT_EQ(route.routed.service, &Account());
  EXPECT_EQ(route.routed.operation->name, "GetAlternateContact");
  auto in = ParseInput(route.routed, r);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->at("AlternateContactType"), "BILLING");
}

TEST(RestJsonTest, UnknownPathIs404) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/nope";
  r.headers = {{"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/account/aws4_request, "
                "SignedHeaders=host, Signature=x"}};
  RouteOutcome route = Route(model::Registry::Embedded(), r);
  EXPECT_FALSE(route.ok);
  EXPECT_EQ(route.error.code, "UnknownOperationException");
  EXPECT_EQ(route.error.http_status, 404);
  EXPECT_EQ(route.routed.service, &Account());
}

TEST(RestJsonTest, OutputWithoutShapeHasNoBody) {
  const model::Operation& put = *Account().FindOperation("PutAlternateContact");
  HttpResponse r = SerializeOutput(Account(), put, {}, "rid");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  const model::Operation& get = *Account().FindOperation("GetAlternateContact");
  json::object out{
      {"AlternateContact", json::object{{"AlternateContactType", "BILLING"}, {"Name", "n"}}}};
  HttpResponse g = SerializeOutput(Account(), get, out, "rid");
  EXPECT_EQ(json::parse(g.body),
            json::parse(R"({"AlternateContact":{"AlternateContactType":"BILLING","Name":"n"}})"));
}

TEST(RestJsonTest, ErrorsCarryModeledStatus) {
  AwsError e = ErrorFromStatus(
      &Account(), NotFoundError("No contact").WithAwsCode("ResourceNotFoundException"));
  HttpResponse r = SerializeError(&Account(), e, "rid");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"__type":"ResourceNotFoundException","message":"No contact"})");
}

}  // namespace
}  // namespace orgtwin::protocol
