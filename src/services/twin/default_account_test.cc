#include "services/twin/default_account.h"

#include <algorithm>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "testing/test_twin.h"

namespace orgtwin::services {
namespace {

class DefaultAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({
        .dir_prefix = "orgtwin-default-account",
        .id_seed = 7,
        .default_account = false,  // what these tests create
        .gateway = false,
    });
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
  }
  void Reopen() { ASSERT_TRUE(twin_->Reopen().ok()); }
  int64_t Count(const std::string& table) {
    auto tx = twin_->store().Begin(store::TxMode::kRead);
    auto rows = (*tx)->Query("SELECT COUNT(*) FROM " + table);
    return rows->front().Int(0);
  }
  Result<DefaultAccount> Ensure(const std::string& account_id) {
    return EnsureDefaultAccount(twin_->store(), twin_->credentials(), twin_->ids(), twin_->clock(),
                                account_id);
  }

  std::unique_ptr<test::TestTwin> twin_;
};

TEST_F(DefaultAccountTest, FirstStartCreatesAccountRootAndKey) {
  auto account = Ensure(kDefaultAccountId);
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_TRUE(account->created_now);
  EXPECT_EQ(account->account_id, "123456789012");
  EXPECT_EQ(account->root_key.access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(account->root_key.secret_access_key.size(), 40u);
  EXPECT_EQ(account->root_key.principal.arn, "arn:aws:iam::123456789012:root");
  auto looked_up = twin_->credentials().Lookup(account->root_key.access_key_id);
  ASSERT_TRUE(looked_up.ok());
  ASSERT_TRUE(looked_up->has_value());
  EXPECT_EQ((*looked_up)->secret_access_key, account->root_key.secret_access_key);
  EXPECT_EQ((*looked_up)->principal.type, auth::PrincipalType::kRoot);
}

TEST_F(DefaultAccountTest, RestartKeepsTheSameKey) {
  auto first = Ensure(kDefaultAccountId);
  ASSERT_TRUE(first.ok());
  Reopen();
  auto second = Ensure(kDefaultAccountId);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created_now);
  EXPECT_EQ(second->root_key.access_key_id, first->root_key.access_key_id);
  EXPECT_EQ(second->root_key.secret_access_key, first->root_key.secret_access_key);
}

TEST_F(DefaultAccountTest, RefusesAnotherDefaultAccountId) {
  ASSERT_TRUE(Ensure(kDefaultAccountId).ok());
  auto other = Ensure("210987654321");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), ErrorCode::kInvalidInput);
}

TEST_F(DefaultAccountTest, ResetWipesEverythingButTheDefaultAccount) {
  auto account = Ensure(kDefaultAccountId);
  ASSERT_TRUE(account.ok());
  {
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE((*tx)
                    ->Execute("INSERT INTO accounts (account_id, email, name, created_at) "
                              "VALUES ('111111111111', 'x@example.com', 'x', 0)")
                    .ok());
    auto key = twin_->credentials().CreateRootAccessKey(**tx, twin_->ids(), twin_->clock(),
                                                        "111111111111");
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Count("accounts"), 2);
  EXPECT_EQ(Count("access_keys"), 2);
  ASSERT_TRUE(ResetTwin(twin_->store(), twin_->credentials(), twin_->clock(), *account).ok());
  EXPECT_EQ(Count("accounts"), 1);
  EXPECT_EQ(Count("access_keys"), 1);
  auto looked_up = twin_->credentials().Lookup(account->root_key.access_key_id);
  ASSERT_TRUE(looked_up.ok() && looked_up->has_value());
}

TEST_F(DefaultAccountTest, ResetListCoversEveryTable) {
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  auto rows = (*tx)->Query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND name <> 'schema_migrations'");
  ASSERT_TRUE(rows.ok());
  const auto& tables = TwinStateTables();
  const auto& kept = TwinKeptTables();
  for (const auto& row : *rows) {
    const bool wiped = std::find(tables.begin(), tables.end(), row.Text(0)) != tables.end();
    const bool kept_on_purpose = std::find(kept.begin(), kept.end(), row.Text(0)) != kept.end();
    EXPECT_TRUE(wiped != kept_on_purpose)
        << "table `" << row.Text(0) << "` is " << (wiped ? "both wiped and kept" : "not wiped")
        << " by ResetTwin";
  }
}

// A reset keeps the audit trail's caller rows, which the trail knows to be committed: an event
// recorded after the reset still reads back with its caller.
TEST(ResetTest, EventsAfterAResetReadBackWithTheirCaller) {
  auto created = test::TestTwin::Create({.dir_prefix = "orgtwin-reset-trail"});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<test::TestTwin> twin = std::move(created).value();
  const test::Keys root = twin->root_keys();
  ASSERT_EQ(twin->CallQuery("iam", "CreateUser", {{"UserName", "before"}}, root).status, 200);
  ASSERT_TRUE(ResetTwin(twin->store(), twin->credentials(), twin->clock(), twin->account()).ok());
  ASSERT_EQ(twin->CallQuery("iam", "CreateUser", {{"UserName", "after"}}, root).status, 200);
  HttpResponse events = twin->CallJson(
      "cloudtrail", "LookupEvents",
      {{"LookupAttributes", boost::json::array{boost::json::object{
                                {"AttributeKey", "EventName"}, {"AttributeValue", "CreateUser"}}}}},
      root);
  ASSERT_EQ(events.status, 200) << events.body;
  const boost::json::value body = boost::json::parse(events.body);
  const boost::json::array& found = body.at("Events").as_array();
  ASSERT_EQ(found.size(), 1u) << events.body;  // the reset removed the first one
  const boost::json::value event = boost::json::parse(found[0].at("CloudTrailEvent").as_string());
  EXPECT_EQ(event.at("userIdentity").at("type"), "Root");
  EXPECT_EQ(event.at("requestParameters").at("userName"), "after");
}

}  // namespace
}  // namespace orgtwin::services
