// CloudTrail trails through the whole gateway (JSON 1.1, SigV4, a FakeClock): the wire shapes
// and errors of the trail operations, and LoggingTrailCovers over what they stored.
#include "services/trail/trails.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "testing/test_twin.h"

namespace orgtwin::services::trail {
namespace {

namespace json = boost::json;

class TrailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-trails"});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    root_ = twin_->root_keys();
  }

  std::pair<int, json::object> Call(const std::string& op, const json::object& input) {
    HttpResponse response = twin_->CallJson("cloudtrail", op, input, root_);
    json::value body =
        response.body.empty() ? json::value(json::object()) : json::parse(response.body);
    return {response.status, body.is_object() ? body.as_object() : json::object()};
  }

  static std::string ErrorCode(const json::object& body) {
    std::string type = body.contains("__type") ? std::string(body.at("__type").as_string()) : "";
    size_t hash = type.rfind('#');
    return hash == std::string::npos ? type : type.substr(hash + 1);
  }

  Result<bool> Covers(std::string_view region, std::string account = "") {
    if (account.empty()) account = twin_->account().account_id;
    OT_ASSIGN_OR_RETURN(auto tx, twin_->store().Begin(store::TxMode::kRead));
    return LoggingTrailCovers(*tx, account, region);
  }

  // A member account made by CreateAccount in the default account's new organization.
  std::string MemberOfNewOrganization() {
    auto call = [&](const std::string& op, const json::object& input) {
      HttpResponse response = twin_->CallJson("organizations", op, input, root_);
      EXPECT_EQ(response.status, 200) << op << ": " << response.body;
      return json::parse(response.body).as_object();
    };
    call("CreateOrganization", {{"FeatureSet", "ALL"}});
    call("EnableAWSServiceAccess", {{"ServicePrincipal", "cloudtrail.amazonaws.com"}});
    json::object created =
        call("CreateAccount", {{"Email", "member@example.com"}, {"AccountName", "member"}});
    json::object status =
        call("DescribeCreateAccountStatus",
             {{"CreateAccountRequestId", created.at("CreateAccountStatus").at("Id")}});
    return std::string(status.at("CreateAccountStatus").at("AccountId").as_string());
  }

  std::unique_ptr<test::TestTwin> twin_;
  test::Keys root_;
};

TEST_F(TrailsTest, CreateTrailAnswersItsSettingsAndANewTrailIsNotLogging) {
  auto [status, body] = Call("CreateTrail", {{"Name", "audit"},
                                             {"S3BucketName", "audit-logs"},
                                             {"S3KeyPrefix", "org/logs"},
                                             {"EnableLogFileValidation", true}});
  ASSERT_EQ(status, 200) << json::serialize(body);
  EXPECT_EQ(body.at("TrailARN").as_string(),
            "arn:aws:cloudtrail:us-east-1:" + twin_->account().account_id + ":trail/audit");
  EXPECT_EQ(body.at("S3KeyPrefix").as_string(), "org/logs");
  EXPECT_TRUE(body.at("IncludeGlobalServiceEvents").as_bool());
  EXPECT_FALSE(body.at("IsMultiRegionTrail").as_bool());
  EXPECT_TRUE(body.at("LogFileValidationEnabled").as_bool());
  EXPECT_FALSE(body.contains("HomeRegion"));

  auto [s2, trail_status] = Call("GetTrailStatus", {{"Name", "audit"}});
  ASSERT_EQ(s2, 200) << json::serialize(trail_status);
  EXPECT_FALSE(trail_status.at("IsLogging").as_bool());
  EXPECT_EQ(trail_status.at("TimeLoggingStarted").as_string(), "");
}

TEST_F(TrailsTest, NamesAreCheckedAsAwsChecksThem) {
  struct Case {
    const char* name;
    const char* message;
  } cases[] = {
      {"ab",
       "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 "
       "characters."},
      {"-abc", "Trail name must starts with a letter or number."},
      {"abc-", "Trail name must ends with a letter or number."},
      {"ab/c",
       "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, "
       "periods (.), hyphens (-), and underscores (_)."},
  };
  for (const Case& c : cases) {
    auto [status, body] = Call("CreateTrail", {{"Name", c.name}, {"S3BucketName", "bucket"}});
    EXPECT_EQ(status, 400) << c.name;
    EXPECT_EQ(ErrorCode(body), "InvalidTrailNameException") << c.name;
    EXPECT_EQ(body.at("message").as_string(), c.message) << c.name;
  }
  auto [status, body] = Call("CreateTrail", {{"Name", "good"}, {"S3BucketName", "Bad_Bucket"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(ErrorCode(body), "InvalidS3BucketNameException");
  auto [s2, b2] = Call(
      "CreateTrail", {{"Name", "good"}, {"S3BucketName", "bucket"}, {"S3KeyPrefix", "../escape"}});
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(ErrorCode(b2), "InvalidS3PrefixException");
}

TEST_F(TrailsTest, DuplicatesAndUnknownTrailsGetAwsErrors) {
  ASSERT_EQ(Call("CreateTrail", {{"Name", "dup"}, {"S3BucketName", "bucket"}}).first, 200);
  auto [status, body] = Call("CreateTrail", {{"Name", "dup"}, {"S3BucketName", "bucket"}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(ErrorCode(body), "TrailAlreadyExistsException");
  EXPECT_EQ(body.at("message").as_string(),
            "Trail dup already exists for customer: " + twin_->account().account_id);

  auto [s2, b2] = Call("GetTrail", {{"Name", "nope"}});
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(ErrorCode(b2), "TrailNotFoundException");
  EXPECT_EQ(b2.at("message").as_string(),
            "Unknown trail: nope for the user: " + twin_->account().account_id);
  auto [s3, b3] = Call("GetTrailStatus", {{"Name", "nope"}});
  EXPECT_EQ(ErrorCode(b3), "TrailNotFoundException");
  EXPECT_EQ(b3.at("message").as_string(),
            "Unknown trail: arn:aws:cloudtrail:us-east-1:" + twin_->account().account_id +
                ":trail/nope for the user: " + twin_->account().account_id);
  auto [s4, b4] = Call("CreateTrail", {{"Name", "multi"},
                                       {"S3BucketName", "bucket"},
                                       {"IsMultiRegionTrail", true},
                                       {"IncludeGlobalServiceEvents", false}});
  EXPECT_EQ(ErrorCode(b4), "InvalidParameterCombinationException");
}

TEST_F(TrailsTest, LoggingTrailCoversTheHomeRegionOrEveryRegionWhenMultiRegion) {
  ASSERT_EQ(Call("CreateTrail", {{"Name", "home"}, {"S3BucketName", "bucket"}}).first, 200);
  EXPECT_FALSE(*Covers("us-east-1"));  // not logging yet
  ASSERT_EQ(Call("StartLogging", {{"Name", "home"}}).first, 200);
  EXPECT_TRUE(*Covers("us-east-1"));
  EXPECT_FALSE(*Covers("eu-west-1"));
  ASSERT_EQ(Call("UpdateTrail", {{"Name", "home"}, {"IsMultiRegionTrail", true}}).first, 200);
  EXPECT_TRUE(*Covers("eu-west-1"));
  ASSERT_EQ(Call("StopLogging", {{"Name", "home"}}).first, 200);
  EXPECT_FALSE(*Covers("us-east-1"));
}

TEST_F(TrailsTest, AnOrganizationTrailCoversItsMembersAndOnlyThem) {
  const std::string member = MemberOfNewOrganization();
  ASSERT_EQ(Call("CreateTrail",
                 {{"Name", "org"}, {"S3BucketName", "bucket"}, {"IsOrganizationTrail", true}})
                .first,
            200);
  ASSERT_EQ(Call("StartLogging", {{"Name", "org"}}).first, 200);
  EXPECT_TRUE(*Covers("us-east-1", member));
  EXPECT_FALSE(*Covers("eu-west-1", member));
  EXPECT_FALSE(*Covers("us-east-1", "999999999999"));  // an account outside the organization
  // Without trusted access the organization trail records its own account only.
  ASSERT_EQ(twin_
                ->CallJson("organizations", "DisableAWSServiceAccess",
                           {{"ServicePrincipal", "cloudtrail.amazonaws.com"}}, root_)
                .status,
            200);
  EXPECT_FALSE(*Covers("us-east-1", member));
  EXPECT_TRUE(*Covers("us-east-1"));
  ASSERT_EQ(twin_
                ->CallJson("organizations", "EnableAWSServiceAccess",
                           {{"ServicePrincipal", "cloudtrail.amazonaws.com"}}, root_)
                .status,
            200);
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto trail = repo::FindTrail(
      **tx, "arn:aws:cloudtrail:us-east-1:" + twin_->account().account_id + ":trail/org");
  ASSERT_TRUE(trail.ok() && trail->has_value());
  std::string org_id;
  auto accounts = AccountsCoveredBy(**tx, **trail, &org_id);
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->size(), 2u);
  EXPECT_EQ(org_id.substr(0, 2), "o-");
}

TEST_F(TrailsTest, EventSelectorsDefaultAndStored) {
  auto [s0, created] = Call("CreateTrail", {{"Name", "sel"}, {"S3BucketName", "bucket"}});
  ASSERT_EQ(s0, 200);
  auto [s1, got] = Call("GetEventSelectors", {{"TrailName", "sel"}});
  ASSERT_EQ(s1, 200) << json::serialize(got);
  EXPECT_EQ(got.at("EventSelectors").as_array().at(0).as_object().at("ReadWriteType").as_string(),
            "All");
  json::array selectors{json::object{{"ReadWriteType", "WriteOnly"}}};
  auto [s2, put] = Call("PutEventSelectors",
                        {{"TrailName", created.at("TrailARN")}, {"EventSelectors", selectors}});
  ASSERT_EQ(s2, 200) << json::serialize(put);
  const json::object& stored = put.at("EventSelectors").as_array().at(0).as_object();
  EXPECT_EQ(stored.at("ReadWriteType").as_string(), "WriteOnly");
  EXPECT_TRUE(stored.at("IncludeManagementEvents").as_bool());

  repo::TrailRow trail;
  trail.home_region = "us-east-1";
  trail.event_selectors = json::serialize(put.at("EventSelectors"));
  json::object write{{"awsRegion", "us-east-1"}, {"readOnly", false}, {"eventSource", "x"}};
  json::object read{{"awsRegion", "us-east-1"}, {"readOnly", true}, {"eventSource", "x"}};
  EXPECT_TRUE(TrailSelectsEvent(trail, write));
  EXPECT_FALSE(TrailSelectsEvent(trail, read));
  json::object elsewhere{{"awsRegion", "eu-west-1"}, {"readOnly", false}};
  EXPECT_FALSE(TrailSelectsEvent(trail, elsewhere));
}

}  // namespace
}  // namespace orgtwin::services::trail
