// Organizations policies and handshakes: the inheritance merge of management policies (pure), and
// handshake expiry through the real Gateway (SigV4, JSON 1.1, SQLite in a temp dir) with a
// FakeClock -- what the e2e suites cannot do without a clock they can advance.
#include "services/organizations/org_policies.h"

#include <chrono>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "services/organizations/effective_policy.h"
#include "services/organizations/signup.h"
#include "testing/test_twin.h"

namespace orgtwin::services::organizations {
namespace {

namespace json = boost::json;

json::object Obj(const char* text) { return json::parse(text).as_object(); }

// ---- Effective policy merge ----

TEST(EffectivePolicyTest, ChildAssignOverridesAndOperatorsAreStripped) {
  json::object root = Obj(R"({"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},
      "tag_value":{"@@assign":["100","200"]}}}})");
  json::object ou = Obj(R"({"tags":{"costcenter":{"tag_value":{"@@append":["300"]}},
      "project":{"tag_key":{"@@assign":"Project"}}}})");
  json::object account = Obj(R"({"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}})");
  json::object merged = MergeManagementPolicies({root, ou, account});
  EXPECT_EQ(merged, Obj(R"({"tags":{"costcenter":{"tag_key":"CostCenter",
      "tag_value":["200","300"]},"project":{"tag_key":"Project"}}})"));
}

TEST(EffectivePolicyTest, ChildControlOperatorsRestrictDescendants) {
  json::object root = Obj(R"({"services":{"default":{
      "@@operators_allowed_for_child_policies":["@@none"],
      "opt_out_policy":{"@@assign":"optOut"}}}})");
  json::object child = Obj(R"({"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}},
      "rekognition":{"opt_out_policy":{"@@assign":"optIn"}}}})");
  json::object merged = MergeManagementPolicies({root, child});
  EXPECT_EQ(merged, Obj(R"({"services":{"default":{"opt_out_policy":"optOut"},
      "rekognition":{"opt_out_policy":"optIn"}}})"));

  json::object append_only = Obj(R"({"tags":{"env":{"tag_value":{"@@assign":["prod"],
      "@@operators_allowed_for_child_policies":["@@append"]}}}})");
  json::object tries = Obj(R"({"tags":{"env":{"tag_value":{"@@assign":["dev"]}}}})");
  json::object appends = Obj(R"({"tags":{"env":{"tag_value":{"@@append":["test"]}}}})");
  EXPECT_EQ(MergeManagementPolicies({append_only, tries, appends}),
            Obj(R"({"tags":{"env":{"tag_value":["prod","test"]}}})"));
}

TEST(EffectivePolicyTest, ParseRejectsUnknownOperatorsAndNonObjects) {
  EXPECT_TRUE(ParseManagementPolicy(R"({"tags":{"a":{"@@assign":"A"}}})").ok());
  for (const char* bad : {"[]", "{}", "not json", R"({"tags":{"a":{"@@assing":"A"}}})",
                          R"({"x":{"@@operators_allowed_for_child_policies":"@@all"}})",
                          R"({"x":{"@@assign":{"nested":1}}})"}) {
    Result<json::object> parsed = ParseManagementPolicy(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().aws_code(), "MalformedPolicyDocumentException") << bad;
  }
}

TEST(PolicyContentTest, LimitsPerType) {
  // SCP: 5,120 characters, whitespace included.
  std::string scp = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",)"
                    R"("Resource":"*"}]})";
  EXPECT_TRUE(ValidatePolicyContent("SERVICE_CONTROL_POLICY", scp).ok());
  std::string padded = scp;
  padded.insert(1, 5121 - scp.size(), ' ');
  Status too_big = ValidatePolicyContent("SERVICE_CONTROL_POLICY", padded);
  EXPECT_EQ(too_big.aws_code(), "ConstraintViolationException");
  EXPECT_EQ(too_big.fields().at("Reason"), "POLICY_CONTENT_LIMIT_EXCEEDED");
  EXPECT_EQ(ValidatePolicyContent("SERVICE_CONTROL_POLICY", "{").aws_code(),
            "MalformedPolicyDocumentException");

  std::string opt_out = R"({"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}})";
  EXPECT_TRUE(ValidatePolicyContent("AISERVICES_OPT_OUT_POLICY", opt_out).ok());
  std::string big_opt_out = opt_out;
  big_opt_out.insert(1, 2501 - opt_out.size(), ' ');
  EXPECT_EQ(ValidatePolicyContent("AISERVICES_OPT_OUT_POLICY", big_opt_out).fields().at("Reason"),
            "POLICY_CONTENT_LIMIT_EXCEEDED");
  // The same size is fine for a tag policy (10,000).
  std::string tag = R"({"tags":{"a":{"tag_key":{"@@assign":"A"}}}})";
  tag.insert(1, 2600, ' ');
  EXPECT_TRUE(ValidatePolicyContent("TAG_POLICY", tag).ok());
  ASSERT_TRUE(RulesForPolicyType("NETWORK_SECURITY_DIRECTOR_POLICY").has_value());
  EXPECT_FALSE(RulesForPolicyType("NOPE").has_value());
}

// ---- Handshakes through the Gateway with a FakeClock ----

using test::Keys;

class HandshakeGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-orgpol", .id_seed = 17});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    mgmt_ = twin_->root_keys();
  }

  // Calls an Organizations operation; returns {status, parsed body}.
  std::pair<int, json::object> Call(const std::string& op, const json::object& input,
                                    const Keys& keys) {
    HttpResponse response = twin_->CallJson("organizations", op, input, keys);
    json::value body =
        response.body.empty() ? json::value(json::object()) : json::parse(response.body);
    return {response.status, body.is_object() ? body.as_object() : json::object()};
  }

  std::pair<std::string, Keys> SignUp(const std::string& email) {
    SignupRequest request;
    request.email = email;
    request.account_name = "acct";
    auto result = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                          twin_->clock(), request);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return {result->account_id, Keys{result->access_key_id, result->secret_access_key, ""}};
  }

  std::string Invite(const std::string& account_id) {
    auto [status, body] =
        Call("InviteAccountToOrganization",
             Obj((R"({"Target":{"Type":"ACCOUNT","Id":")" + account_id + R"("}})").c_str()), mgmt_);
    EXPECT_EQ(status, 200) << json::serialize(body);
    return std::string(body["Handshake"].at("Id").as_string());
  }

  static std::string ErrorType(const json::object& body) {
    const json::value* type = body.if_contains("__type");
    if (type == nullptr) return "";
    std::string text(type->as_string());
    return text.substr(text.find('#') == std::string::npos ? 0 : text.find('#') + 1);
  }

  std::unique_ptr<test::TestTwin> twin_;
  Keys mgmt_;
};

TEST_F(HandshakeGatewayTest, InviteExpiresAfterFifteenDaysByTheTwinsClock) {
  auto [created, org] = Call("CreateOrganization", Obj(R"({"FeatureSet":"ALL"})"), mgmt_);
  ASSERT_EQ(created, 200) << json::serialize(org);
  auto [member_id, member] = SignUp("member@example.com");

  std::string expiring = Invite(member_id);
  auto [s1, described] =
      Call("DescribeHandshake", Obj((R"({"HandshakeId":")" + expiring + R"("})").c_str()), member);
  ASSERT_EQ(s1, 200) << json::serialize(described);
  const json::object& hs = described["Handshake"].as_object();
  EXPECT_EQ(hs.at("State"), "OPEN");
  EXPECT_DOUBLE_EQ(hs.at("ExpirationTimestamp").to_number<double>() -
                       hs.at("RequestedTimestamp").to_number<double>(),
                   15 * 86400.0);

  twin_->fake_clock().Advance(std::chrono::hours(24 * 15) + std::chrono::seconds(1));
  auto [s2, expired] =
      Call("DescribeHandshake", Obj((R"({"HandshakeId":")" + expiring + R"("})").c_str()), member);
  ASSERT_EQ(s2, 200);
  EXPECT_EQ(expired["Handshake"].at("State"), "EXPIRED");
  auto [s3, refused] =
      Call("AcceptHandshake", Obj((R"({"HandshakeId":")" + expiring + R"("})").c_str()), member);
  EXPECT_EQ(s3, 400);
  EXPECT_EQ(ErrorType(refused), "InvalidHandshakeTransitionException");

  // A fresh invitation accepted on its 14th day moves the account in.
  std::string fresh = Invite(member_id);
  twin_->fake_clock().Advance(std::chrono::hours(24 * 14));
  auto [s4, accepted] =
      Call("AcceptHandshake", Obj((R"({"HandshakeId":")" + fresh + R"("})").c_str()), member);
  ASSERT_EQ(s4, 200) << json::serialize(accepted);
  EXPECT_EQ(accepted["Handshake"].at("State"), "ACCEPTED");
  auto [s5, account] =
      Call("DescribeAccount", Obj((R"({"AccountId":")" + member_id + R"("})").c_str()), mgmt_);
  ASSERT_EQ(s5, 200) << json::serialize(account);
  EXPECT_EQ(account["Account"].at("JoinedMethod"), "INVITED");

  // Completed handshakes stay listed for 30 days, then drop out.
  auto [s6, listed] = Call("ListHandshakesForOrganization", json::object(), mgmt_);
  ASSERT_EQ(s6, 200);
  EXPECT_EQ(listed["Handshakes"].as_array().size(), 2u);
  twin_->fake_clock().Advance(std::chrono::hours(24 * 31));
  auto [s7, later] = Call("ListHandshakesForOrganization", json::object(), mgmt_);
  ASSERT_EQ(s7, 200);
  EXPECT_EQ(later["Handshakes"].as_array().size(), 0u);
}

TEST_F(HandshakeGatewayTest, InvitationsPerDayAreLimitedAndRecoverAfterADay) {
  auto [created, org] = Call("CreateOrganization", Obj(R"({"FeatureSet":"ALL"})"), mgmt_);
  ASSERT_EQ(created, 200) << json::serialize(org);
  auto [member_id, member] = SignUp("rate@example.com");
  for (int i = 0; i < 20; ++i) {
    std::string id = Invite(member_id);
    auto [status, body] =
        Call("CancelHandshake", Obj((R"({"HandshakeId":")" + id + R"("})").c_str()), mgmt_);
    ASSERT_EQ(status, 200) << json::serialize(body);
    EXPECT_EQ(body["Handshake"].at("State"), "CANCELED");
  }
  auto [status, body] =
      Call("InviteAccountToOrganization",
           Obj((R"({"Target":{"Type":"ACCOUNT","Id":")" + member_id + R"("}})").c_str()), mgmt_);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(ErrorType(body), "HandshakeConstraintViolationException");
  EXPECT_EQ(body["Reason"], "HANDSHAKE_RATE_LIMIT_EXCEEDED");
  twin_->fake_clock().Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  Invite(member_id);
}

}  // namespace
}  // namespace orgtwin::services::organizations
