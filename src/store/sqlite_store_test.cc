// SQLite backend: runs the conformance suite (synchronous NORMAL and FULL) plus the tests of
// SQLite-specific behaviour: WAL on disk, the embedded migrations, lock timeouts, path handling.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_conformance_test.h"

namespace orgtwin::store::testing {
namespace {

using ::testing::HasSubstr;

#define OT_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  OT_ASSERT_OK_AND_ASSIGN_IMPL_(OT_STATUS_CONCAT_(ot_test_result_, __LINE__), lhs, expr)
#define OT_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();   \
  lhs = std::move(tmp).value()
#define OT_ASSERT_OK(expr)                       \
  do {                                           \
    ::orgtwin::Status ot_s_ = (expr);            \
    ASSERT_TRUE(ot_s_.ok()) << ot_s_.ToString(); \
  } while (0)

StoreFactory SqliteFactory(std::string name, SqliteSync sync) {
  return {std::move(name),
          [sync](const std::string& dir, const std::vector<Migration>& migrations) {
            SqliteOptions options;
            options.path = dir + "/orgtwin.db";
            options.sync = sync;
            options.migrations = migrations;
            return OpenSqliteStore(options);
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(SqliteFactory("SyncNormal", SqliteSync::kNormal),
                                           SqliteFactory("SyncFull", SqliteSync::kFull)),
                         FactoryName);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "orgtwin-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  SqliteOptions Options(const std::string& file = "orgtwin.db") {
    SqliteOptions options;
    options.path = dir_ + "/" + file;
    options.migrations = TestMigrations();
    return options;
  }
  std::string dir_;
};

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options()));
  EXPECT_EQ(store->Describe(), "sqlite:" + dir_ + "/orgtwin.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ + "/orgtwin.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, CreatesMissingParentDirectories) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options("a/b/orgtwin.db")));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/a/b/orgtwin.db"));
}

TEST_F(SqliteStoreTest, RejectsMemoryAndEmptyPaths) {
  SqliteOptions options = Options();
  options.path = ":memory:";
  EXPECT_EQ(OpenSqliteStore(options).status().code(), ErrorCode::kInvalidInput);
  options.path = "";
  EXPECT_EQ(OpenSqliteStore(options).status().code(), ErrorCode::kInvalidInput);
}

TEST_F(SqliteStoreTest, RejectsMigrationsOutOfOrder) {
  SqliteOptions options = Options();
  options.migrations = std::vector<Migration>{TestMigrations()[1], TestMigrations()[0]};
  auto store = OpenSqliteStore(options);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("ascending"));
}

TEST_F(SqliteStoreTest, EmbeddedMigrationsAreSortedAndApply) {
  const std::vector<Migration>& embedded = EmbeddedMigrations();
  ASSERT_FALSE(embedded.empty());
  EXPECT_EQ(embedded[0].version, 1);
  EXPECT_EQ(embedded[0].name, "accounts_and_credentials");
  EXPECT_THAT(std::string(embedded[0].sql), HasSubstr("CREATE TABLE accounts ("));
  for (size_t i = 1; i < embedded.size(); ++i) {
    EXPECT_LT(embedded[i - 1].version, embedded[i].version);
  }

  SqliteOptions options = Options();
  options.migrations.reset();  // the real schema
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  EXPECT_EQ(store->SchemaVersion(), embedded.back().version);
  const char* kInsertAccount =
      "INSERT INTO accounts (account_id, email, name, created_at) VALUES (?, ?, ?, ?)";
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(
        tx->Execute(kInsertAccount, {"111111111111", "root@example.com", "main", 1.5}).status());
    OT_ASSERT_OK(tx->Commit());
  }
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto dup = tx->Execute(kInsertAccount, {"222222222222", "root@example.com", "other", 2.0});
    EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists);  // accounts_email is unique
  }
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto orphan = tx->Execute(
        "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, principal_type, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        {"AKIAEXAMPLE", "secret", "999999999999", "Root", 1.0});
    EXPECT_EQ(orphan.status().code(), ErrorCode::kInvalidInput);
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT state FROM accounts"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "ACTIVE");
}

TEST_F(SqliteStoreTest, WriterLockTimeoutIsUnavailable) {
  SqliteOptions options = Options();
  options.busy_timeout_ms = 50;
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  OT_ASSERT_OK_AND_ASSIGN(auto holder, store->Begin(TxMode::kWrite));
  Status waited;
  std::thread other([&] { waited = store->Begin(TxMode::kWrite).status(); });
  other.join();
  EXPECT_EQ(waited.code(), ErrorCode::kUnavailable) << waited.ToString();
  // Reads are not blocked by the writer.
  OT_ASSERT_OK_AND_ASSIGN(auto reader, store->Begin(TxMode::kRead));
  OT_ASSERT_OK(reader->Query("SELECT COUNT(*) FROM items").status());
}

TEST_F(SqliteStoreTest, FileLockHeldByAnotherStoreIsUnavailable) {
  // Two Stores on one file stand in for two processes: only SQLite's file lock serializes them.
  SqliteOptions options = Options();
  options.busy_timeout_ms = 50;
  OT_ASSERT_OK_AND_ASSIGN(auto first, OpenSqliteStore(options));
  OT_ASSERT_OK_AND_ASSIGN(auto second, OpenSqliteStore(options));
  OT_ASSERT_OK_AND_ASSIGN(auto holder, first->Begin(TxMode::kWrite));
  auto blocked = second->Begin(TxMode::kWrite);
  EXPECT_EQ(blocked.status().code(), ErrorCode::kUnavailable) << blocked.status().ToString();
  holder.reset();
  OT_ASSERT_OK_AND_ASSIGN(auto now_free, second->Begin(TxMode::kWrite));
  OT_ASSERT_OK(now_free->Execute("INSERT INTO items (id, name) VALUES (1, 'x')").status());
  OT_ASSERT_OK(now_free->Commit());
}

TEST_F(SqliteStoreTest, RejectsTransactionControlAndMultipleStatements) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name) VALUES (1, 'a')").status());
    auto commit = tx->Execute("  commit");
    EXPECT_FALSE(commit.ok());
    EXPECT_THAT(commit.status().message(), HasSubstr("transaction control"));
  }
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto two = tx->Execute("INSERT INTO items (id, name) VALUES (2, 'b'); DELETE FROM items");
    EXPECT_FALSE(two.ok());
    EXPECT_THAT(two.status().message(), HasSubstr("more than one statement"));
  }
  {
    // A trailing semicolon is still one statement.
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name) VALUES (3, 'c');\n").status());
    OT_ASSERT_OK(tx->Commit());
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT id FROM items"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), 3);
}

TEST_F(SqliteStoreTest, WrongParameterCountIsAnError) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  auto rows = tx->Query("SELECT name FROM items WHERE id = ?");
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr("takes 1 parameters, got 0"));
}

TEST_F(SqliteStoreTest, SyntaxErrorIsInternalWithSqliteMessage) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  auto bad_sql = tx->Execute("INSERTT INTO items VALUES (1)");
  EXPECT_EQ(bad_sql.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(bad_sql.status().message(), HasSubstr("syntax error"));
}

// Under a steady write load with readers around, the WAL must start over instead of growing
// with every commit (sqlite_store.cc, "The background thread alone"): 12,000 commits of ~3 KB
// rows write well over 8,192 frames, yet the WAL file stays near the restart threshold.
TEST_F(SqliteStoreTest, WalStaysBoundedUnderSteadyWrites) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(Options()));
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto tx = store->Begin(TxMode::kRead);
      if (tx.ok()) (void)(*tx)->Query("SELECT COUNT(*) FROM items");
    }
  });
  const std::string payload(3000, 'x');
  uintmax_t largest_wal = 0;
  for (int64_t i = 0; i < 12000; ++i) {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name, note) VALUES (?, ?, ?)",
                             {i, "n" + std::to_string(i), payload})
                     .status());
    OT_ASSERT_OK(tx->Commit());
    if (i % 500 == 0) {
      std::error_code ec;
      largest_wal = std::max(largest_wal, std::filesystem::file_size(dir_ + "/orgtwin.db-wal", ec));
    }
  }
  stop = true;
  reader.join();
  // 12,000 commits wrote at least 12,000 frames (~49 MB); bounded, the WAL stays near 8,192
  // frames (~34 MB) plus what commits while a restart waits for its readers.
  EXPECT_GT(largest_wal, 0u);
  EXPECT_LT(largest_wal, uintmax_t{42} << 20);
}

}  // namespace
}  // namespace orgtwin::store::testing
