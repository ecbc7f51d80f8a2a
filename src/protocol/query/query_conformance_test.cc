// Replays the botocore-generated fixtures of tests/conformance/protocol/query/ (see
// generate_fixtures.py there): requests serialized by botocore must parse into the expected
// neutral input; our responses and errors must be the same XML documents (elements, text, order)
// that botocore was shown to parse as AWS's own.
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/query/query_protocol.h"
#include "protocol/query/query_test_util.h"
#include "protocol/query/xml_tree.h"

namespace orgtwin::protocol::query {
namespace {

using testing::ConformancePath;
using testing::ServiceNamed;

const boost::json::object& Fixtures() {
  static const boost::json::object* fixtures = [] {
    const std::string text = testing::ReadFile(ConformancePath("fixtures.json"));
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(text, ec);
    EXPECT_FALSE(ec) << ec.message();
    return new boost::json::object(parsed.is_object() ? parsed.get_object()
                                                      : boost::json::object());
  }();
  return *fixtures;
}

std::string Str(const boost::json::value& value) {
  return std::string(value.as_string().data(), value.as_string().size());
}

void ExpectSameXml(const std::string& actual, const std::string& expected) {
  std::string error;
  auto actual_tree = testing::ParseXml(actual, &error);
  ASSERT_TRUE(actual_tree.has_value()) << "our XML is not well-formed: " << error << "\n" << actual;
  auto expected_tree = testing::ParseXml(expected, &error);
  ASSERT_TRUE(expected_tree.has_value()) << error;
  EXPECT_EQ(testing::DiffXml(*actual_tree, *expected_tree), "") << actual;
}

TEST(QueryConformanceTest, BotocoreRequestsParseIntoExpectedInput) {
  const auto& requests = Fixtures().at("requests").as_array();
  ASSERT_GE(requests.size(), 20u);
  for (const auto& item : requests) {
    const auto& fixture = item.as_object();
    SCOPED_TRACE(Str(fixture.at("name")));
    HttpRequest request;
    request.method = Str(fixture.at("method"));
    request.target = Str(fixture.at("target"));
    request.body = Str(fixture.at("body"));
    for (const auto& header : fixture.at("headers").as_array()) {
      request.headers.emplace_back(Str(header.as_array()[0]), Str(header.as_array()[1]));
    }
    const model::ServiceModel& service = ServiceNamed(Str(fixture.at("service")));
    const model::Operation* operation = service.FindOperation(Str(fixture.at("operation")));
    ASSERT_NE(operation, nullptr);

    const Params params = DecodeParams(request);
    ASSERT_GE(params.size(), 2u);
    EXPECT_EQ(params[0].first, "Action");
    EXPECT_EQ(params[0].second, operation->name);
    EXPECT_EQ(params[1].first, "Version");
    EXPECT_EQ(params[1].second, service.api_version);

    auto input = ParseInput(service, *operation, params);
    ASSERT_TRUE(input.ok()) << input.status().aws_code() << ": " << input.status().message();
    EXPECT_EQ(testing::JsonDiff(*input, fixture.at("expected_input")), "")
        << boost::json::serialize(*input);
  }
}

TEST(QueryConformanceTest, ResponsesMatchAwsDocuments) {
  const auto& responses = Fixtures().at("responses").as_array();
  ASSERT_GE(responses.size(), 10u);
  for (const auto& item : responses) {
    const auto& fixture = item.as_object();
    SCOPED_TRACE(Str(fixture.at("name")));
    const model::ServiceModel& service = ServiceNamed(Str(fixture.at("service")));
    const model::Operation* operation = service.FindOperation(Str(fixture.at("operation")));
    ASSERT_NE(operation, nullptr);
    const std::string request_id = Str(fixture.at("request_id"));
    HttpResponse response =
        SerializeOutput(service, *operation, fixture.at("output").as_object(), request_id);
    EXPECT_EQ(response.status, 200);
    ExpectSameXml(response.body, Str(fixture.at("aws_xml")));
  }
}

TEST(QueryConformanceTest, ErrorsMatchAwsDocuments) {
  const auto& errors = Fixtures().at("errors").as_array();
  ASSERT_GE(errors.size(), 5u);
  for (const auto& item : errors) {
    const auto& fixture = item.as_object();
    SCOPED_TRACE(Str(fixture.at("name")));
    const auto& fields = fixture.at("error").as_object();
    AwsError error;
    error.code = Str(fields.at("code"));
    error.message = Str(fields.at("message"));
    error.http_status = static_cast<int>(fields.at("http_status").as_int64());
    error.sender_fault = fields.at("sender_fault").as_bool();
    const model::ServiceModel& service = ServiceNamed(Str(fixture.at("service")));
    HttpResponse response = SerializeError(service, error, Str(fixture.at("request_id")));
    EXPECT_EQ(response.status, error.http_status);
    ExpectSameXml(response.body, Str(fixture.at("aws_xml")));
  }
}

}  // namespace
}  // namespace orgtwin::protocol::query
