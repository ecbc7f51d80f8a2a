#include "services/twin/default_account.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace orgtwin::services {
namespace {

class DefaultAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orgtwin-default-account-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    credentials_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    credentials_.reset();
    store_.reset();
    auto opened = store::OpenSqliteStore([&] {
      store::SqliteOptions sqlite;
      sqlite.path = dir_ + "/orgtwin.db";
      return sqlite;
    }());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    credentials_ = std::make_unique<CredentialStore>(*store_);
  }
  int64_t Count(const std::string& table) {
    auto tx = store_->Begin(store::TxMode::kRead);
    auto rows = (*tx)->Query("SELECT COUNT(*) FROM " + table);
    return rows->front().Int(0);
  }

  std::string dir_;
  FakeClock clock_{std::chrono::system_clock::from_time_t(1795820864)};
  SeededIdGenerator ids_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CredentialStore> credentials_;
};

TEST_F(DefaultAccountTest, FirstStartCreatesAccountRootAndKey) {
  auto account = EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, kDefaultAccountId);
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_TRUE(account->created_now);
  EXPECT_EQ(account->account_id, "123456789012");
  EXPECT_EQ(account->root_key.access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(account->root_key.secret_access_key.size(), 40u);
  EXPECT_EQ(account->root_key.principal.arn, "arn:aws:iam::123456789012:root");
  auto looked_up = credentials_->Lookup(account->root_key.access_key_id);
  ASSERT_TRUE(looked_up.ok());
  ASSERT_TRUE(looked_up->has_value());
  EXPECT_EQ((*looked_up)->secret_access_key, account->root_key.secret_access_key);
  EXPECT_EQ((*looked_up)->principal.type, auth::PrincipalType::kRoot);
}

TEST_F(DefaultAccountTest, RestartKeepsTheSameKey) {
  auto first = EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, kDefaultAccountId);
  ASSERT_TRUE(first.ok());
  Reopen();
  auto second = EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, kDefaultAccountId);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created_now);
  EXPECT_EQ(second->root_key.access_key_id, first->root_key.access_key_id);
  EXPECT_EQ(second->root_key.secret_access_key, first->root_key.secret_access_key);
}

TEST_F(DefaultAccountTest, RefusesAnotherDefaultAccountId) {
  ASSERT_TRUE(EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, kDefaultAccountId).ok());
  auto other = EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, "210987654321");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), ErrorCode::kInvalidInput);
}

TEST_F(DefaultAccountTest, ResetWipesEverythingButTheDefaultAccount) {
  auto account = EnsureDefaultAccount(*store_, *credentials_, ids_, clock_, kDefaultAccountId);
  ASSERT_TRUE(account.ok());
  {
    auto tx = store_->Begin(store::TxMode::kWrite);
    ASSERT_TRUE((*tx)
                    ->Execute("INSERT INTO accounts (account_id, email, name, created_at) "
                              "VALUES ('111111111111', 'x@example.com', 'x', 0)")
                    .ok());
    auto key = credentials_->CreateRootAccessKey(**tx, ids_, clock_, "111111111111");
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Count("accounts"), 2);
  EXPECT_EQ(Count("access_keys"), 2);
  ASSERT_TRUE(ResetTwin(*store_, *credentials_, clock_, *account).ok());
  EXPECT_EQ(Count("accounts"), 1);
  EXPECT_EQ(Count("access_keys"), 1);
  auto looked_up = credentials_->Lookup(account->root_key.access_key_id);
  ASSERT_TRUE(looked_up.ok() && looked_up->has_value());
}

TEST_F(DefaultAccountTest, ResetListCoversEveryTable) {
  auto tx = store_->Begin(store::TxMode::kRead);
  auto rows = (*tx)->Query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND name <> 'schema_migrations'");
  ASSERT_TRUE(rows.ok());
  const auto& tables = TwinStateTables();
  for (const auto& row : *rows) {
    EXPECT_NE(std::find(tables.begin(), tables.end(), row.Text(0)), tables.end())
        << "table `" << row.Text(0) << "` is not wiped by ResetTwin";
  }
}

}  // namespace
}  // namespace orgtwin::services
