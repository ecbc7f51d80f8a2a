// Replays tests/conformance/protocol/{json,rest_json}/fixtures.json, generated with botocore as
// the oracle by tests/conformance/protocol/generate_fixtures.py: requests botocore serialized must
// parse to the parameters botocore was given, and our serialized outputs must equal the bodies
// botocore was shown to parse into the expected dicts.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace orgtwin::protocol {
namespace {

namespace json = boost::json;

json::value LoadFixtures(const std::string& protocol) {
  std::ifstream in(std::string(OT_PROTOCOL_FIXTURE_DIR) + "/" + protocol + "/fixtures.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// JSON equality where 5 == 5.0 (botocore writes floats for timestamps, we may write ints).
bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!SameJson(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const json::value* other = y.if_contains(k);
      if (other == nullptr || !SameJson(v, *other)) return false;
    }
    return true;
  }
  return a == b;
}

void Replay(const std::string& protocol) {
  json::value cases = LoadFixtures(protocol);
  ASSERT_TRUE(cases.is_array());
  ASSERT_FALSE(cases.as_array().empty());
  const model::Registry& registry = model::Registry::Embedded();
  for (const json::value& c : cases.as_array()) {
    const json::object& tc = c.as_object();
    std::string op_name(tc.at("operation").as_string());
    std::string trace = protocol;
    trace.append(" ").append(op_name).append(" ").append(tc.at("kind").as_string());
    SCOPED_TRACE(trace);
    const model::ServiceModel* service =
        registry.BySigningName(std::string(tc.at("service").as_string()));
    ASSERT_NE(service, nullptr);
    if (tc.at("kind") == "input") {
      const json::object& r = tc.at("request").as_object();
      HttpRequest request;
      request.method = std::string(r.at("method").as_string());
      request.target = std::string(r.at("path").as_string());
      if (!r.at("query").as_string().empty()) {
        request.target += "?" + std::string(r.at("query").as_string());
      }
      for (const auto& [k, v] : r.at("headers").as_object()) {
        request.headers.emplace_back(std::string(k), std::string(v.as_string()));
      }
      request.body = std::string(r.at("body").as_string());
      RouteOutcome route = Route(registry, request);
      ASSERT_TRUE(route.ok) << route.error.code << " " << route.error.message;
      EXPECT_EQ(route.routed.service, service);
      EXPECT_EQ(route.routed.operation->name, op_name);
      auto input = ParseInput(route.routed, request);
      ASSERT_TRUE(input.ok()) << input.status().ToString();
      EXPECT_TRUE(SameJson(*input, tc.at("expected_input")))
          << json::serialize(*input) << " vs " << json::serialize(tc.at("expected_input"));
    } else {
      const model::Operation* op = service->FindOperation(op_name);
      ASSERT_NE(op, nullptr);
      HttpResponse response = SerializeOutput(*service, *op, tc.at("output").as_object(), "rid");
      EXPECT_EQ(response.status, 200);
      json::value body = json::parse(response.body);
      EXPECT_TRUE(SameJson(body, tc.at("aws_body")))
          << response.body << " vs " << json::serialize(tc.at("aws_body"));
    }
  }
}

TEST(ProtocolConformanceTest, JsonFixturesFromBotocore) { Replay("json"); }
TEST(ProtocolConformanceTest, RestJsonFixturesFromBotocore) { Replay("rest_json"); }

}  // namespace
}  // namespace orgtwin::protocol
