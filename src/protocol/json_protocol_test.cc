#include "protocol/json_protocol.h"

#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace orgtwin::protocol {
namespace {

namespace json = boost::json;

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "<absent>";
}

const model::ServiceModel& Orgs() {
  return *model::Registry::Embedded().BySigningName("organizations");
}

HttpRequest JsonRequest(std::string target, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"X-Amz-Target", std::move(target)}, {"Content-Type", "application/x-amz-json-1.1"}};
  r.body = std::move(body);
  return r;
}

Result<json::object> RouteAndParse(const HttpRequest& r) {
  RouteOutcome route = Route(model::Registry::Embedded(), r);
  if (!route.ok) return InvalidInputError(route.error.code);
  return ParseInput(route.routed, r);
}

TEST(JsonProtocolTest, ParsesNestedInput) {
  auto in = RouteAndParse(JsonRequest(
      "AWSOrganizationsV20161128.CreateAccount",
      R"({"Email":"a@example.com","AccountName":"Prod","Tags":[{"Key":"k","Value":"v"}],"Bogus":1})"));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  // Unknown members (Bogus) are dropped; member order is the model's, so compare values.
  EXPECT_EQ(
      json::value(*in),
      json::parse(
          R"({"AccountName":"Prod","Email":"a@example.com","Tags":[{"Key":"k","Value":"v"}]})"));
}

TEST(JsonProtocolTest, EmptyBodyIsEmptyObject) {
  auto in = RouteAndParse(JsonRequest("AWSOrganizationsV20161128.DescribeOrganization", ""));
  ASSERT_TRUE(in.ok());
  EXPECT_TRUE(in->empty());
}

TEST(JsonProtocolTest, MalformedJsonAndTypeMismatchAreSerializationExceptions) {
  auto bad = RouteAndParse(JsonRequest("AWSOrganizationsV20161128.ListAccounts", "{not json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().aws_code(), "SerializationException");
  auto arr = RouteAndParse(JsonRequest("AWSOrganizationsV20161128.ListAccounts", "[]"));
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().aws_code(), "SerializationException");
  auto type =
      RouteAndParse(JsonRequest("AWSOrganizationsV20161128.ListAccounts", R"({"MaxResults":"5"})"));
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().aws_code(), "SerializationException");
  EXPECT_EQ(type.status().message(), "STRING_VALUE can not be converted to an Integer");
  auto list =
      RouteAndParse(JsonRequest("AWSOrganizationsV20161128.CreateAccount", R"({"Tags":{}})"));
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "Start of structure or map found where not expected.");
}

TEST(JsonProtocolTest, ValidationRunsAfterParsing) {
  auto in =
      RouteAndParse(JsonRequest("AWSOrganizationsV20161128.ListAccounts", R"({"MaxResults":0})"));
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.status().aws_code(), "InvalidInputException");
  EXPECT_EQ(in.status().fields().at("Reason"), "MIN_VALUE_EXCEEDED");
}

TEST(JsonProtocolTest, TimestampsInputAndOutput) {
  const model::ServiceModel& trail = *model::Registry::Embedded().BySigningName("cloudtrail");
  auto in = RouteAndParse(JsonRequest(trail.target_prefix + ".LookupEvents",
                                      R"({"StartTime":1700000000,"EndTime":1700000100.5})"));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->at("StartTime").as_double(), 1700000000.0);
  EXPECT_EQ(in->at("EndTime").as_double(), 1700000100.5);

  json::object out{{"Events", json::array{json::object{{"EventId", "e1"},
                                                       {"EventTime", "2023-11-14T22:13:20Z"}}}}};
  HttpResponse r = SerializeOutput(trail, *trail.FindOperation("LookupEvents"), out, "req-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Events":[{"EventId":"e1","EventTime":1700000000}]})");
}

TEST(JsonProtocolTest, OutputHeadersAndUnknownMembersDropped) {
  const model::ServiceModel& orgs = Orgs();
  json::object out{{"Organization", json::object{{"Id", "o-abcdefghij"}, {"Nope", 1}}}, {"X", 2}};
  HttpResponse r = SerializeOutput(orgs, *orgs.FindOperation("DescribeOrganization"), out, "rid");
  EXPECT_EQ(r.body, R"({"Organization":{"Id":"o-abcdefghij"}})");
  bool saw_ct = false, saw_rid = false;
  for (const auto& [k, v] : r.headers) {
    if (k == "Content-Type") saw_ct = v == "application/x-amz-json-1.1";
    if (k == "x-amzn-RequestId") saw_rid = v == "rid";
  }
  EXPECT_TRUE(saw_ct);
  EXPECT_TRUE(saw_rid);
  const model::ServiceModel& inv = *model::Registry::Embedded().BySigningName("invoicing");
  HttpResponse r10 = SerializeOutput(inv, inv.operations().begin()->second, {}, "rid");
  EXPECT_EQ(HeaderOf(r10, "Content-Type"), "application/x-amz-json-1.0");
}

TEST(JsonProtocolTest, ErrorsUseModelMessageKeyAndTypedFields) {
  AwsError e{"InvalidInputException", "bad", 400, true, {{"Reason", "INVALID_PATTERN"}}};
  HttpResponse r = SerializeError(&Orgs(), e, "rid");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"InvalidInputException","Message":"bad","Reason":"INVALID_PATTERN"})");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "InvalidInputException");

  const model::ServiceModel& trail = *model::Registry::Embedded().BySigningName("cloudtrail");
  HttpResponse t =
      SerializeError(&trail, AwsError{"TrailNotFoundException", "no", 400, true, {}}, "r");
  EXPECT_EQ(t.body, R"({"__type":"TrailNotFoundException","message":"no"})");

  const model::ServiceModel& account = *model::Registry::Embedded().BySigningName("account");
  AwsError v{
      "ValidationException",
      "m",
      400,
      true,
      {{"reason", "fieldValidationFailed"}, {"fieldList", R"([{"name":"a","message":"b"}])"}}};
  HttpResponse a = SerializeError(&account, v, "r");
  json::value body = json::parse(a.body);
  EXPECT_TRUE(body.at("fieldList").is_array());
  EXPECT_EQ(body.at("reason"), "fieldValidationFailed");
  EXPECT_EQ(HeaderOf(a, "Content-Type"), "application/json");
}

}  // namespace
}  // namespace orgtwin::protocol
