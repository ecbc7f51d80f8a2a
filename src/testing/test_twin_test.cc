// The shared fixture itself: the temp dir goes away, each protocol helper reaches its service
// signed, Reopen keeps the data, and RunHandler commits only what succeeded.
#include "testing/test_twin.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "testing/test_store.h"

namespace orgtwin::test {
namespace {

TEST(TempDirTest, IsEmptyAndRemovedWithItsFiles) {
  std::string path;
  {
    TempDir dir("orgtwin-tempdir");
    path = dir.path();
    EXPECT_TRUE(std::filesystem::is_directory(path));
    EXPECT_TRUE(std::filesystem::is_empty(path));
    auto store = OpenTestStore(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE(std::filesystem::exists(dir.File("orgtwin.db")));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

class TestTwinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = TestTwin::Create();
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
  }
  std::unique_ptr<TestTwin> twin_;
};

TEST_F(TestTwinTest, SpeaksQueryJsonAndRestJson) {
  HttpResponse who = twin_->CallQuery("sts", "GetCallerIdentity", {}, twin_->root_keys());
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_NE(who.body.find("<Arn>arn:aws:iam::123456789012:root</Arn>"), std::string::npos);

  HttpResponse user =
      twin_->CallQuery("iam", "CreateUser", {{"UserName", "alice"}}, twin_->root_keys());
  EXPECT_EQ(user.status, 200) << user.body;

  HttpResponse org =
      twin_->CallJson("organizations", "DescribeOrganization", {}, twin_->root_keys());
  EXPECT_EQ(org.status, 400) << org.body;
  EXPECT_NE(org.body.find("AWSOrganizationsNotInUseException"), std::string::npos) << org.body;

  boost::json::object contact{{"ContactInformation",
                               {{"FullName", "Jane Doe"},
                                {"AddressLine1", "1 Main St"},
                                {"City", "Seattle"},
                                {"PostalCode", "98101"},
                                {"CountryCode", "US"},
                                {"PhoneNumber", "+12065550100"}}}};
  HttpResponse put =
      twin_->CallRestJson("account", "POST", "/putContactInformation", contact, twin_->root_keys());
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResponse got =
      twin_->CallRestJson("account", "POST", "/getContactInformation", {}, twin_->root_keys());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_NE(got.body.find("Jane Doe"), std::string::npos) << got.body;
}

TEST_F(TestTwinTest, SignaturesFollowTheFakeClock) {
  HttpRequest stale = twin_->QueryRequest("sts", "GetCallerIdentity", {}, twin_->root_keys());
  twin_->fake_clock().Advance(std::chrono::minutes(16));
  HttpResponse late = twin_->Handle(std::move(stale));
  EXPECT_EQ(late.status, 403) << late.body;
  EXPECT_EQ(twin_->CallQuery("sts", "GetCallerIdentity", {}, twin_->root_keys()).status, 200);
}

TEST_F(TestTwinTest, ReopenKeepsTheStoreAndTheRootKey) {
  const Keys before = twin_->root_keys();
  ASSERT_EQ(twin_->CallQuery("iam", "CreateUser", {{"UserName", "bob"}}, before).status, 200);
  ASSERT_TRUE(twin_->Reopen().ok());
  EXPECT_EQ(twin_->root_keys().id, before.id);
  HttpResponse got = twin_->CallQuery("iam", "GetUser", {{"UserName", "bob"}}, before);
  EXPECT_EQ(got.status, 200) << got.body;
}

TEST_F(TestTwinTest, RunHandlerCommitsOnlyWhenTheHandlerSucceeded) {
  auth::Principal caller = services::PrincipalFor("123456789012", "Root", "", "");
  auto insert = [](const std::string& id, bool fail) {
    return [id, fail](gateway::RequestContext& ctx,
                      const boost::json::object&) -> Result<boost::json::object> {
      OT_RETURN_IF_ERROR(ctx.tx
                             .Execute("INSERT INTO accounts (account_id, email, name, "
                                      "created_at) VALUES (?, ?, 'x', 0)",
                                      {id, id + "@example.com"})
                             .status());
      if (fail) return InvalidInputError("no");
      return boost::json::object{};
    };
  };
  EXPECT_TRUE(twin_->RunHandler(insert("222222222222", false), caller).ok());
  EXPECT_FALSE(twin_->RunHandler(insert("333333333333", true), caller).ok());
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto rows = (*tx)->Query("SELECT account_id FROM accounts WHERE account_id IN (?, ?)",
                           {std::string("222222222222"), std::string("333333333333")});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text(0), "222222222222");
}

}  // namespace
}  // namespace orgtwin::test
