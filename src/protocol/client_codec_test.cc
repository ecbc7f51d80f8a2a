// The client half of the protocols against botocore. The server fixtures are replayed in
// reverse: the request botocore serialized for an input is what SerializeRequest must write for
// it, and the dict botocore parsed from an AWS response is what ParseResponse must read. Error
// documents come from tests/conformance/protocol/client/ (JSON, rest-json) and query/ (Query).
// Round trips through the server half (ParseInput, SerializeOutput, SerializeError) close the
// loop.
#include "protocol/client_codec.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/protocol.h"
#include "protocol/query/query_test_util.h"
#include "protocol/wire.h"

namespace orgtwin::protocol {
namespace {

namespace json = boost::json;
using query::testing::ReadFile;
using query::testing::ServiceNamed;

json::value Load(const std::string& relative) {
  return json::parse(ReadFile(std::string(OT_PROTOCOL_FIXTURE_DIR) + "/" + relative));
}

const model::ServiceModel& Service(const std::string& name) {
  if (name == "iam" || name == "sts" || name == "querytest") return ServiceNamed(name);
  const model::ServiceModel* service = model::Registry::Embedded().BySigningName(name);
  EXPECT_NE(service, nullptr) << name;
  return *service;
}

// "" when `mine` (neutral form) is what botocore parsed: same members; timestamps compared as
// instants (botocore gives ISO 8601 text), numbers by value.
std::string DiffFromBotocore(const model::Shape& shape, const json::value& mine,
                             const json::value& theirs, const std::string& path) {
  auto mismatch = [&] {
    return path + ": " + json::serialize(mine) + " != " + json::serialize(theirs);
  };
  switch (shape.type) {
    case model::ShapeType::kStructure: {
      if (!mine.is_object() || !theirs.is_object()) return mismatch();
      if (mine.get_object().size() != theirs.get_object().size()) return mismatch();
      for (const auto& [name, value] : theirs.get_object()) {
        const model::Member* m = shape.FindMember(name);
        const json::value* got = mine.get_object().if_contains(name);
        if (m == nullptr || got == nullptr) return path + "." + std::string(name) + ": missing";
        std::string diff = DiffFromBotocore(*m->shape, *got, value, path + "." + std::string(name));
        if (!diff.empty()) return diff;
      }
      return "";
    }
    case model::ShapeType::kList: {
      if (!mine.is_array() || !theirs.is_array()) return mismatch();
      if (mine.get_array().size() != theirs.get_array().size()) return mismatch();
      for (size_t i = 0; i < mine.get_array().size(); ++i) {
        std::string diff = DiffFromBotocore(*shape.member.shape, mine.get_array()[i],
                                            theirs.get_array()[i], path + "[]");
        if (!diff.empty()) return diff;
      }
      return "";
    }
    case model::ShapeType::kMap: {
      if (!mine.is_object() || !theirs.is_object()) return mismatch();
      if (mine.get_object().size() != theirs.get_object().size()) return mismatch();
      for (const auto& [key, value] : theirs.get_object()) {
        const json::value* got = mine.get_object().if_contains(key);
        if (got == nullptr) return path + "{" + std::string(key) + "}: missing";
        std::string diff = DiffFromBotocore(*shape.value.shape, *got, value, path + "{}");
        if (!diff.empty()) return diff;
      }
      return "";
    }
    case model::ShapeType::kTimestamp: {
      auto a = wire::ToEpochSeconds(mine);
      auto b = wire::ToEpochSeconds(theirs);
      if (!a || !b || std::fabs(*a - *b) > 1e-3) return mismatch();
      return "";
    }
    default:
      if (mine.is_number() && theirs.is_number()) {
        return mine.to_number<double>() == theirs.to_number<double>() ? "" : mismatch();
      }
      return mine == theirs ? "" : mismatch();
  }
}

std::vector<std::pair<std::string, std::string>> FormParams(std::string_view body) {
  return wire::ParseQueryString(body, true);
}

TEST(ClientCodecTest, JsonAndRestJsonRequestsAreWhatBotocoreWrites) {
  for (const char* protocol : {"json", "rest_json"}) {
    const json::value fixtures = Load(std::string(protocol) + "/fixtures.json");
    for (const json::value& c : fixtures.as_array()) {
      if (c.at("kind") != "input") continue;
      const std::string op_name(c.at("operation").as_string());
      SCOPED_TRACE(std::string(protocol) + " " + op_name);
      const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
      const model::Operation* op = service.FindOperation(op_name);
      ASSERT_NE(op, nullptr);
      auto request = SerializeRequest(service, *op, c.at("expected_input").as_object());
      ASSERT_TRUE(request.ok()) << request.status().ToString();
      const json::object& want = c.at("request").as_object();
      EXPECT_EQ(request->method, want.at("method").as_string());
      EXPECT_EQ(request->Path(), want.at("path").as_string());
      EXPECT_EQ(request->RawQuery(), want.at("query").as_string());
      for (const auto& [name, value] : want.at("headers").as_object()) {
        const std::string* got = request->Header(name);
        ASSERT_NE(got, nullptr) << name;
        EXPECT_EQ(*got, value.as_string()) << name;
      }
      EXPECT_EQ(json::parse(request->body), json::parse(want.at("body").as_string()))
          << request->body;
    }
  }
}

TEST(ClientCodecTest, JsonAndRestJsonResponsesParseAsBotocoreParsesThem) {
  for (const char* protocol : {"json", "rest_json"}) {
    const json::value fixtures = Load(std::string(protocol) + "/fixtures.json");
    for (const json::value& c : fixtures.as_array()) {
      if (c.at("kind") != "output") continue;
      const std::string op_name(c.at("operation").as_string());
      SCOPED_TRACE(std::string(protocol) + " " + op_name);
      const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
      const model::Operation* op = service.FindOperation(op_name);
      ASSERT_NE(op, nullptr);
      HttpResponse response;
      response.body = json::serialize(c.at("aws_body"));
      auto output = ParseResponse(service, *op, response);
      ASSERT_TRUE(output.ok()) << output.status().ToString();
      EXPECT_EQ(DiffFromBotocore(*op->output, *output, c.at("parsed"), "$"), "");
    }
  }
}

TEST(ClientCodecTest, QueryRequestsAreWhatBotocoreWrites) {
  const json::value fixtures = Load("query/fixtures.json");
  for (const json::value& c : fixtures.at("requests").as_array()) {
    if (c.at("method") != "POST") continue;  // the -get variants are the same parameters
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
    const model::Operation* op = service.FindOperation(c.at("operation").as_string());
    ASSERT_NE(op, nullptr);
    auto request = SerializeRequest(service, *op, c.at("expected_input").as_object());
    ASSERT_TRUE(request.ok()) << request.status().ToString();
    EXPECT_EQ(request->method, "POST");
    EXPECT_EQ(request->target, "/");
    for (const json::value& header : c.at("headers").as_array()) {
      if (header.as_array()[0] != "Content-Type") continue;
      ASSERT_NE(request->Header("Content-Type"), nullptr);
      EXPECT_EQ(*request->Header("Content-Type"), header.as_array()[1].as_string());
    }
    // Same parameters in the same order; the bytes may differ only in escapes botocore and we
    // are both free to choose (none so far, but the oracle is the decoded form).
    EXPECT_EQ(FormParams(request->body), FormParams(c.at("body").as_string()))
        << request->body << "\nvs\n"
        << c.at("body").as_string();
  }
}

TEST(ClientCodecTest, QueryResponsesParseAsBotocoreParsesThem) {
  const json::value fixtures = Load("query/fixtures.json");
  for (const json::value& c : fixtures.at("responses").as_array()) {
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
    const model::Operation* op = service.FindOperation(c.at("operation").as_string());
    ASSERT_NE(op, nullptr);
    HttpResponse response;
    response.body = std::string(c.at("aws_xml").as_string());
    auto output = ParseResponse(service, *op, response);
    ASSERT_TRUE(output.ok()) << output.status().ToString();
    if (op->output == nullptr) {
      EXPECT_TRUE(output->empty());
    } else {
      EXPECT_EQ(DiffFromBotocore(*op->output, *output, c.at("botocore_parsed"), "$"), "");
    }
    EXPECT_EQ(ResponseRequestId(response), c.at("request_id").as_string());
  }
}

TEST(ClientCodecTest, QueryErrorsParseAsBotocoreParsesThem) {
  const json::value fixtures = Load("query/fixtures.json");
  for (const json::value& c : fixtures.at("errors").as_array()) {
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
    const json::object& want = c.at("error").as_object();
    HttpResponse response;
    response.status = static_cast<int>(want.at("http_status").as_int64());
    response.body = std::string(c.at("aws_xml").as_string());
    AwsError error = ParseErrorResponse(service, response);
    const json::object& parsed = c.at("botocore_parsed").as_object();
    EXPECT_EQ(error.code, parsed.at("Code").as_string());
    EXPECT_EQ(error.message, parsed.at("Message").as_string());
    EXPECT_EQ(error.sender_fault, parsed.at("Type") == "Sender");
    EXPECT_EQ(error.http_status, response.status);
    EXPECT_EQ(ResponseRequestId(response), c.at("request_id").as_string());
  }
}

TEST(ClientCodecTest, JsonAndRestJsonErrorsParseAsBotocoreParsesThem) {
  const json::value fixtures = Load("client/fixtures.json");
  for (const json::value& c : fixtures.at("errors").as_array()) {
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    const model::ServiceModel& service = Service(std::string(c.at("service").as_string()));
    const json::object& r = c.at("response").as_object();
    HttpResponse response;
    response.status = static_cast<int>(r.at("status").as_int64());
    for (const auto& [name, value] : r.at("headers").as_object()) {
      response.headers.emplace_back(std::string(name), std::string(value.as_string()));
    }
    response.body = std::string(r.at("body").as_string());
    AwsError error = ParseErrorResponse(service, response);
    const json::object& parsed = c.at("botocore_parsed").as_object();
    EXPECT_EQ(error.code, parsed.at("Error").at("Code").as_string());
    EXPECT_EQ(error.message, parsed.at("Error").at("Message").as_string());
    EXPECT_EQ(error.http_status, response.status);
    EXPECT_EQ(error.sender_fault, response.status < 500);
    // Every modeled member botocore added (besides the message) is in `fields`, and no more.
    size_t modeled = 0;
    for (const auto& [name, value] : parsed) {
      if (name == "Error" || name == "message" || name == "Message") continue;
      ++modeled;
      auto it = error.fields.find(std::string(name));
      ASSERT_NE(it, error.fields.end()) << name;
      if (value.is_string()) {
        EXPECT_EQ(it->second, value.as_string());
      } else {
        EXPECT_EQ(json::parse(it->second), value) << name;
      }
    }
    EXPECT_EQ(error.fields.size(), modeled);
    EXPECT_EQ(ResponseRequestId(response), r.at("headers").at("x-amzn-RequestId").as_string());
  }
}

// Client serialize -> server ParseInput gives back the same object, for every protocol.
TEST(ClientCodecTest, RequestsRoundTripThroughTheServerParser) {
  struct Case {
    const char* service;
    const char* operation;
    const char* input;
  };
  const Case cases[] = {
      {"organizations", "CreateAccount",
       R"({"Email":"a@example.com","AccountName":"A","Tags":[{"Key":"k","Value":"v w"}]})"},
      {"organizations", "ListAccounts", R"({"MaxResults":1,"NextToken":"t"})"},
      {"iam", "CreateRole",
       R"({"RoleName":"r","Path":"/a+b/","AssumeRolePolicyDocument":"{\"Version\":\"2012-10-17\"}",
           "Tags":[{"Key":"k","Value":"a+b=c d/e"}],"MaxSessionDuration":3600})"},
      {"iam", "ListRoles", R"({"MaxItems":1,"Marker":"m"})"},
      {"sts", "AssumeRole",
       R"({"RoleArn":"arn:aws:iam::111122223333:role/x","RoleSessionName":"s1",
           "PolicyArns":[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}],"DurationSeconds":900})"},
      {"account", "PutAlternateContact",
       R"({"AlternateContactType":"BILLING","EmailAddress":"b@example.com","Name":"B",
           "PhoneNumber":"+1 555","Title":"T"})"},
  };
  const model::Registry& registry = model::Registry::Embedded();
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.service) + " " + c.operation);
    const model::ServiceModel& service = Service(c.service);
    const model::Operation* op = service.FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const json::object input = json::parse(c.input).as_object();
    auto request = SerializeRequest(service, *op, input);
    ASSERT_TRUE(request.ok()) << request.status().ToString();
    // Route() tells IAM from STS by Version and rest-json services by the signing scope.
    request->headers.emplace_back("Authorization",
                                  "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" +
                                      service.signing_name +
                                      "/aws4_request, SignedHeaders=host, Signature=0");
    RouteOutcome route = Route(registry, *request);
    ASSERT_TRUE(route.ok) << route.error.code << " " << route.error.message;
    EXPECT_EQ(route.routed.operation, op);
    auto parsed = ParseInput(route.routed, *request);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, input);
  }
}

// Server SerializeOutput / SerializeError -> client ParseResponse / ParseErrorResponse.
TEST(ClientCodecTest, ResponsesAndErrorsRoundTripThroughTheServerSerializer) {
  struct Case {
    const char* service;
    const char* operation;
    const char* output;
  };
  const Case cases[] = {
      {"organizations", "ListAccounts",
       R"({"Accounts":[{"Id":"111111111111","Name":"n","JoinedTimestamp":1767225600}],
           "NextToken":"x"})"},
      {"iam", "ListRoles",
       R"({"Roles":[{"Path":"/","RoleName":"r","RoleId":"AROAX","Arn":"arn:aws:iam::1:role/r",
           "CreateDate":1767225600,"Tags":[{"Key":"a","Value":"<&>"}]}],
           "IsTruncated":true,"Marker":"m"})"},
      {"sts", "GetCallerIdentity", R"({"UserId":"u","Account":"111122223333","Arn":"a"})"},
      {"account", "GetAlternateContact",
       R"({"AlternateContact":{"AlternateContactType":"BILLING","Name":"B"}})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.service) + " " + c.operation);
    const model::ServiceModel& service = Service(c.service);
    const model::Operation* op = service.FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const json::object output = json::parse(c.output).as_object();
    HttpResponse response = SerializeOutput(service, *op, output, "req-1");
    auto parsed = ParseResponse(service, *op, response);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    // Numbers by value: timestamps come back as doubles (the neutral form's timestamp type).
    EXPECT_EQ(query::testing::JsonDiff(*parsed, output), "") << json::serialize(*parsed);
    EXPECT_EQ(parsed->size(), output.size());
    EXPECT_EQ(ResponseRequestId(response), "req-1");

    AwsError error;
    error.code =
        service.protocol == model::Protocol::kQuery ? "NoSuchEntity" : "TooManyRequestsException";
    error.message = "it <failed> & said \"so\"";
    error.http_status = 404;
    HttpResponse error_response = SerializeError(&service, error, "req-2");
    AwsError read = ParseErrorResponse(service, error_response);
    EXPECT_EQ(read.code, error.code);
    EXPECT_EQ(read.message, error.message);
    EXPECT_EQ(read.http_status, 404);
    EXPECT_TRUE(read.sender_fault);
    EXPECT_EQ(ResponseRequestId(error_response), "req-2");
  }
}

TEST(ClientCodecTest, MalformedSuccessBodiesAreErrorsNotGarbage) {
  const model::ServiceModel& iam = Service("iam");
  HttpResponse response;
  response.body = "<ListRolesResponse><ListRolesResult><Roles>";
  EXPECT_FALSE(ParseResponse(iam, *iam.FindOperation("ListRoles"), response).ok());
  response.body = "<GetUserResponse/>";
  EXPECT_FALSE(ParseResponse(iam, *iam.FindOperation("ListRoles"), response).ok());
  const model::ServiceModel& orgs = Service("organizations");
  response.body = "{\"Accounts\": 5}";
  EXPECT_FALSE(ParseResponse(orgs, *orgs.FindOperation("ListAccounts"), response).ok());
  // Not an error document at all: the status is the code, as botocore reports it.
  HttpResponse bad_gateway;
  bad_gateway.status = 502;
  bad_gateway.body = "<html>bad gateway</html>";
  AwsError error = ParseErrorResponse(iam, bad_gateway);
  EXPECT_EQ(error.code, "502");
  EXPECT_FALSE(error.sender_fault);
}

}  // namespace
}  // namespace orgtwin::protocol
