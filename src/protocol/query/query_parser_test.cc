#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/query/query_protocol.h"
#include "protocol/query/query_test_util.h"

namespace orgtwin::protocol::query {
namespace {

namespace json = boost::json;
using testing::Iam;
using testing::JsonDiff;
using testing::QueryTest;
using testing::Sts;

HttpRequest FormPost(std::string body, std::string content_type =
                                           "application/x-www-form-urlencoded; charset=utf-8") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers.emplace_back("Content-Type", std::move(content_type));
  request.body = std::move(body);
  return request;
}

Result<json::object> Parse(const model::ServiceModel& service, std::string_view operation,
                           const Params& params) {
  const model::Operation* op = service.FindOperation(operation);
  EXPECT_NE(op, nullptr);
  return ParseInput(service, *op, params);
}

TEST(QueryDecodeTest, FormBodyWithCharsetSuffix) {
  const Params params =
      DecodeParams(FormPost("Action=ListRoles&Version=2010-05-08&PathPrefix=%2Fa+b%2F&Empty="));
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>("PathPrefix", "/a b/")));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>("Empty", "")));
}

TEST(QueryDecodeTest, ContentTypeIsCaseInsensitiveAndParametersAllowed) {
  EXPECT_EQ(
      DecodeParams(FormPost("A=1", "Application/X-WWW-Form-UrlEncoded ;charset=UTF-8")).size(), 1u);
  EXPECT_TRUE(DecodeParams(FormPost("A=1", "application/json")).empty());
}

TEST(QueryDecodeTest, UrlQueryStringThenBodyAndRepeatedKeysInOrder) {
  HttpRequest request = FormPost("B=2&A=3");
  request.target = "/?A=1&X-Amz-Signature=abc";
  const Params params = DecodeParams(request);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>("A", "1")));
  EXPECT_EQ(params[1].first, "X-Amz-Signature");
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>("B", "2")));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>("A", "3")));
}

TEST(QueryDecodeTest, GetUsesQueryOnly) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/?Action=GetCallerIdentity&Version=2011-06-15&&k%3D=v%26w";
  const Params params = DecodeParams(request);
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>("k=", "v&w")));
}

TEST(QueryDecodeTest, MalformedEscapesKeptLiterally) {
  const Params params = DecodeParams(FormPost("a=%zz%4&b=%41%e2%82%ac&c=%"));
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].second, "%zz%4");
  EXPECT_EQ(params[1].second, "A\xe2\x82\xac");
  EXPECT_EQ(params[2].second, "%");
}

TEST(QueryParseTest, ListsOfStructuresOutOfOrder) {
  auto input = Parse(Iam(), "CreateRole",
                     {{"Action", "CreateRole"},
                      {"RoleName", "r"},
                      {"AssumeRolePolicyDocument", "{}"},
                      {"Tags.member.2.Key", "b"},
                      {"Tags.member.1.Value", "1"},
                      {"Tags.member.2.Value", "2"},
                      {"Tags.member.1.Key", "a"}});
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_EQ(JsonDiff(*input, json::parse(R"({"RoleName":"r","AssumeRolePolicyDocument":"{}",
      "Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]})")),
            "");
}

// AWS-COMPAT pin: unknown keys, SigV2 leftovers and presigned SigV4 parameters are ignored.
TEST(QueryParseTest, UnknownParametersAreIgnored) {
  auto input = Parse(Sts(), "GetCallerIdentity",
                     {{"Action", "GetCallerIdentity"},
                      {"Version", "2011-06-15"},
                      {"Bogus", "1"},
                      {"AWSAccessKeyId", "AKID"},
                      {"X-Amz-Credential", "AKID/20260101/us-east-1/sts/aws4_request"},
                      {"X-Amz-Signature", "00"}});
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_TRUE(input->empty());

  auto roles = Parse(Iam(), "ListRoles",
                     {{"MaxItems", "10"},
                      {"MaxItems.member.1", "x"},
                      {"Marker.", "x"},
                      {"Tags.member.1.Key", "k"},
                      {"", "x"},
                      {".", "x"}});
  ASSERT_TRUE(roles.ok()) << roles.status().message();
  EXPECT_EQ(JsonDiff(*roles, json::parse(R"({"MaxItems":10})")), "");
}

TEST(QueryParseTest, LastRepeatedValueWins) {
  auto input = Parse(Iam(), "ListRoles", {{"Marker", "first"}, {"Marker", "second"}});
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->at("Marker"), "second");
}

// AWS-COMPAT pin: undecodable values are MalformedInput (400).
TEST(QueryParseTest, MalformedInteger) {
  for (const char* bad : {"abc", "", "12x", "1.5", "99999999999999999999", "2147483648"}) {
    auto input = Parse(Iam(), "ListRoles", {{"MaxItems", bad}});
    ASSERT_FALSE(input.ok()) << bad;
    EXPECT_EQ(input.status().aws_code(), "MalformedInput") << bad;
    EXPECT_EQ(input.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(input.status().message().find("MaxItems"), std::string::npos);
  }
  auto plus = Parse(Iam(), "ListRoles", {{"MaxItems", "+7"}});
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(plus->at("MaxItems"), 7);
}

TEST(QueryParseTest, MalformedBoolean) {
  auto input = Parse(Iam(), "UpdateAccountPasswordPolicy", {{"RequireSymbols", "yes"}});
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.status().aws_code(), "MalformedInput");
  auto upper = Parse(Iam(), "UpdateAccountPasswordPolicy",
                     {{"RequireSymbols", "TRUE"}, {"HardExpiry", "False"}});
  ASSERT_TRUE(upper.ok()) << upper.status().message();
  EXPECT_EQ(upper->at("RequireSymbols"), true);
  EXPECT_EQ(upper->at("HardExpiry"), false);
}

TEST(QueryParseTest, MalformedTimestamp) {
  for (const char* bad : {"yesterday", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T25:00:00Z",
                          "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk"}) {
    auto input = Parse(QueryTest(), "Kitchen", {{"When", bad}});
    ASSERT_FALSE(input.ok()) << bad;
    EXPECT_EQ(input.status().aws_code(), "MalformedInput") << bad;
  }
  auto epoch = Parse(QueryTest(), "Kitchen", {{"WhenEpoch", "2026-01-01T00:00:00Z"}});
  EXPECT_FALSE(epoch.ok());
}

TEST(QueryParseTest, TimestampsAcceptOffsetsAndFractions) {
  auto input = Parse(QueryTest(), "Kitchen",
                     {{"When", "2026-11-28T01:07:44.5+02:00"}, {"WhenEpoch", "1767323045.25"}});
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_EQ(JsonDiff(*input, json::parse(R"({"When":1795820864.5,"WhenEpoch":1767323045.25})")),
            "");
}

TEST(QueryParseTest, MapsListsAndNestedStructures) {
  auto input = Parse(QueryTest(), "Kitchen",
                     {{"Attributes.entry.2.Name", "b"},
                      {"Attributes.entry.2.Value", "2"},
                      {"Attributes.entry.1.Name", "a"},
                      {"Attributes.entry.1.Value", "1"},
                      {"Attributes.entry.3.Value", "no key: ignored"},
                      {"FlatMap.1.key", "k"},
                      {"FlatMap.1.value", "v"},
                      {"Plain.entry.1.key", "p"},
                      {"Plain.entry.1.value.Inner.Values.member.1", "5"},
                      {"Thing.2", "t2"},
                      {"Thing.1", "t1"},
                      {"FlatNamed.1", "wrong name: ignored"},
                      {"Items.member.1", "wrong item name: ignored"},
                      {"Items.Item.1", "i1"},
                      {"NestedList.member.1.Label", "x"},
                      {"WireName", "w"},
                      {"Renamed", "model name: ignored"},
                      {"Ratio", "-1.5e3"},
                      {"Big", "-9007199254740993"},
                      {"Data", "AAE="}});
  ASSERT_TRUE(input.ok()) << input.status().message();
  EXPECT_EQ(JsonDiff(*input, json::parse(R"({
      "Big": -9007199254740993, "Ratio": -1500, "Data": "AAE=",
      "Items": ["i1"], "FlatNamed": ["t1", "t2"],
      "Attributes": {"a": "1", "b": "2"},
      "Plain": {"p": {"Inner": {"Values": [5]}}},
      "FlatMap": {"k": "v"},
      "NestedList": [{"Label": "x"}],
      "Renamed": "w"})")),
            "");
}

TEST(QueryParseTest, EmptyListAndMapValues) {
  auto input = Parse(QueryTest(), "Kitchen",
                     {{"Items", ""}, {"Attributes", ""}, {"Flat", "not empty: ignored"}});
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(JsonDiff(*input, json::parse(R"({"Items": [], "Attributes": {}})")), "");
}

TEST(QueryParseTest, ValidationRunsAfterParsing) {
  auto missing = Parse(Iam(), "CreateRole", {{"AssumeRolePolicyDocument", "{}"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().aws_code(), "ValidationError");
  EXPECT_NE(missing.status().message().find("roleName"), std::string::npos);

  auto range = Parse(Iam(), "ListRoles", {{"MaxItems", "0"}});
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().aws_code(), "ValidationError");
}

TEST(QueryParseTest, OperationWithoutInputIgnoresEverything) {
  model::Operation op;
  op.name = "Nothing";
  auto input = ParseInput(Iam(), op, {{"A", "1"}});
  ASSERT_TRUE(input.ok());
  EXPECT_TRUE(input->empty());
}

TEST(QueryIso8601Test, ParsesAndFormats) {
  double seconds = 0;
  ASSERT_TRUE(internal::ParseIso8601("2024-02-29T12:00:00Z", seconds));
  EXPECT_EQ(seconds, 1709208000);
  ASSERT_TRUE(internal::ParseIso8601("1969-12-31T23:59:59Z", seconds));
  EXPECT_EQ(seconds, -1);
  ASSERT_TRUE(internal::ParseIso8601("2026-11-27t23:07:44", seconds));
  EXPECT_EQ(seconds, 1795820864);
  ASSERT_TRUE(internal::ParseIso8601("2026-11-27T18:07:44-0500", seconds));
  EXPECT_EQ(seconds, 1795820864);
  EXPECT_FALSE(internal::ParseIso8601("2023-02-29T00:00:00Z", seconds));
  EXPECT_FALSE(internal::ParseIso8601("2026-11-27T23:07:44+5", seconds));
}

}  // namespace
}  // namespace orgtwin::protocol::query
