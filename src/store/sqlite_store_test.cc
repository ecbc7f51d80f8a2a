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

#include "store/store.h"
#include "store/store_conformance_test.h"
#include "testing/test_store.h"

namespace orgtwin::store::testing {
namespace {

using ::testing::HasSubstr;

#define OT_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  OT_ASSERT_OK_AND_ASSIGN_IMPL_(OT_STATUS_CONCAT_(ot_test_result_, __LINE__), lhs, expr)
// `tmp` is a name and `lhs` may be a declaration (`auto x`): neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define OT_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();   \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
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
  SqliteOptions Options(const std::string& file = "orgtwin.db") {
    SqliteOptions options = test::TestStoreOptions(temp_dir_, file);
    options.migrations = TestMigrations();
    return options;
  }
  test::TempDir temp_dir_{"orgtwin-sqlite"};
  const std::string dir_ = temp_dir_.path();
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
  constexpr const char* kInsertAccount =
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

// Migration 13 rebuilds tables that others reference (accounts) as WITHOUT ROWID tables: a
// database written by an older orgtwin keeps every row and every reference.
TEST_F(SqliteStoreTest, ClusteredKeyMigrationKeepsRowsAndReferences) {
  std::vector<Migration> before;
  for (const Migration& m : EmbeddedMigrations()) {
    if (m.version < 13) before.push_back(m);
  }
  SqliteOptions options = Options();
  {
    options.migrations = before;
    OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
    ASSERT_EQ(store->SchemaVersion(), 12);
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    for (const char* sql : {
             "INSERT INTO accounts (account_id, email, name, created_at, has_payment_method, "
             "closed_at, membership_changed_at) VALUES ('111111111111', 'a@example.com', 'a', "
             "1.5, 0, 9.5, 7.25)",
             "INSERT INTO accounts (account_id, email, name, state, created_at) VALUES "
             "('222222222222', 'b@example.com', 'b', 'SUSPENDED', 2.5)",
             "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, "
             "principal_type, created_at) VALUES ('AKIAEXAMPLE', 's', '222222222222', 'Root', 1)",
             "INSERT INTO organizations (org_id, management_account_id, feature_set, created_at, "
             "member_count) VALUES ('o-aaaaaaaaaa', '111111111111', 'ALL', 1, 2)",
             "INSERT INTO org_accounts (account_id, org_id, parent_id, joined_method, joined_at) "
             "VALUES ('111111111111', 'o-aaaaaaaaaa', 'r-aaaa', 'CREATED', 1), ('222222222222', "
             "'o-aaaaaaaaaa', 'ou-aaaa-bbbbbbbb', 'INVITED', 2)",
             "INSERT INTO org_policy_attachments VALUES ('o-aaaaaaaaaa', 'p-FullAWSAccess', "
             "'222222222222')",
             "INSERT INTO org_create_account_status (request_id, org_id, account_name, state, "
             "requested_at, account_id) VALUES ('car-aaaaaaaa', 'o-aaaaaaaaaa', 'b', "
             "'SUCCEEDED', 2, '222222222222')",
             "INSERT INTO iam_roles (role_id, account_id, role_name, role_name_lower, path, "
             "assume_role_policy, max_session_duration, created_at) VALUES ('AROAEXAMPLE', "
             "'222222222222', 'R', 'r', '/', '{}', 3600, 1)",
             "INSERT INTO iam_attachments (account_id, entity_type, entity_id, policy_arn, "
             "attached_at) VALUES ('222222222222', 'Role', 'AROAEXAMPLE', "
             "'arn:aws:iam::aws:policy/AdministratorAccess', 3)",
         }) {
      OT_ASSERT_OK(tx->Execute(sql).status());
    }
    OT_ASSERT_OK(tx->Commit());
  }
  options.migrations.reset();  // every embedded migration
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  EXPECT_EQ(store->SchemaVersion(), EmbeddedMigrations().back().version);
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
    OT_ASSERT_OK_AND_ASSIGN(
        auto accounts,
        tx->Query("SELECT account_id, email, state, created_at, has_payment_method, "
                  "has_contact_info, closed_at, iam_user_access_to_billing, membership_changed_at "
                  "FROM accounts ORDER BY account_id"));
    ASSERT_EQ(accounts.size(), 2u);
    EXPECT_EQ(accounts[0].Text(1), "a@example.com");
    EXPECT_EQ(accounts[0].Double(3), 1.5);
    EXPECT_EQ(accounts[0].Int(4), 0);
    EXPECT_EQ(accounts[0].Int(5), 1);
    EXPECT_EQ(accounts[0].Double(6), 9.5);
    EXPECT_EQ(accounts[0].Double(8), 7.25);
    EXPECT_EQ(accounts[1].Text(2), "SUSPENDED");
    EXPECT_TRUE(accounts[1].IsNull(6));
    for (const char* table : {"org_accounts", "org_policy_attachments", "org_create_account_status",
                              "iam_attachments", "iam_roles", "access_keys"}) {
      OT_ASSERT_OK_AND_ASSIGN(auto n, tx->Query(std::string("SELECT COUNT(*) FROM ") + table));
      EXPECT_EQ(n[0].Int(0), std::string(table) == "org_accounts" ? 2 : 1) << table;
    }
    OT_ASSERT_OK_AND_ASSIGN(auto parent, tx->Query("SELECT parent_id FROM org_accounts WHERE "
                                                   "org_id = 'o-aaaaaaaaaa' ORDER BY account_id"));
    ASSERT_EQ(parent.size(), 2u);
    EXPECT_EQ(parent[1].Text(0), "ou-aaaa-bbbbbbbb");
    // Clustered: these tables have no rowid any more; iam_roles keeps its own.
    OT_ASSERT_OK_AND_ASSIGN(auto clustered,
                            tx->Query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                      "sql LIKE '%WITHOUT ROWID' ORDER BY name"));
    std::vector<std::string> names;
    names.reserve(clustered.size());
    for (const Row& row : clustered) names.push_back(row.Text(0));
    EXPECT_THAT(names, ::testing::ElementsAre("accounts", "iam_attachments", "org_accounts",
                                              "org_create_account_status", "org_policy_attachments",
                                              "trail_events"));  // trail_events: migration 30
    OT_ASSERT_OK_AND_ASSIGN(auto dangling, tx->Query("PRAGMA foreign_key_check"));
    EXPECT_TRUE(dangling.empty());
  }
  // References to the rebuilt tables are still enforced, in both directions, and the rebuilt
  // unique index too (each in its own transaction: a failed statement ends one).
  auto code_of = [&](const char* sql) {
    auto tx = store->Begin(TxMode::kWrite);
    return tx.ok() ? (*tx)->Execute(sql).status().code() : tx.status().code();
  };
  EXPECT_EQ(code_of("INSERT INTO org_accounts (account_id, org_id, parent_id, joined_method, "
                    "joined_at) VALUES ('333333333333', 'o-aaaaaaaaaa', 'r-aaaa', 'CREATED', 3)"),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("DELETE FROM accounts WHERE account_id = '222222222222'"),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("INSERT INTO accounts (account_id, email, name, created_at) VALUES "
                    "('444444444444', 'a@example.com', 'dup', 1)"),
            ErrorCode::kAlreadyExists);
}

// Migration 30 clusters trail_events on (account_id, event_time, event_id) and 31 counts each
// account's users and roles: a database written before them keeps its events, in the order
// LookupEvents reads them, and starts with the counts its users and roles add up to.
TEST_F(SqliteStoreTest, TrailEventsClusteredAndIamCountsFilledByLaterMigrations) {
  std::vector<Migration> before;
  for (const Migration& m : EmbeddedMigrations()) {
    if (m.version < 30) before.push_back(m);
  }
  SqliteOptions options = Options();
  {
    options.migrations = before;
    OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
    ASSERT_EQ(store->SchemaVersion(), 29);
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    for (const char* sql : {
             "INSERT INTO accounts (account_id, email, name, created_at) VALUES ('111111111111', "
             "'a@example.com', 'a', 1), ('222222222222', 'b@example.com', 'b', 1)",
             "INSERT INTO iam_roles (role_id, account_id, role_name, role_name_lower, path, "
             "assume_role_policy, max_session_duration, created_at) VALUES ('AROAONE', "
             "'222222222222', 'One', 'one', '/', '{}', 3600, 1), ('AROATWO', '222222222222', "
             "'Two', 'two', '/', '{}', 3600, 1)",
             "INSERT INTO iam_users (user_id, account_id, user_name, user_name_lower, path, "
             "created_at) VALUES ('AIDAONE', '111111111111', 'u', 'u', '/', 1)",
             "INSERT INTO trail_events (event_id, account_id, event_time, event_source, "
             "event_name, record, caller_key) VALUES ('e-2', '111111111111', 20, "
             "'iam.amazonaws.com', 'CreateRole', '{}', 'k'), ('e-1', '111111111111', 10, "
             "'iam.amazonaws.com', 'GetRole', '{}', NULL), ('e-3', '222222222222', 5, "
             "'sts.amazonaws.com', 'AssumeRole', '{}', 'k')",
         }) {
      OT_ASSERT_OK(tx->Execute(sql).status());
    }
    OT_ASSERT_OK(tx->Commit());
  }
  options.migrations.reset();
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto events, tx->Query("SELECT event_id, event_name, caller_key FROM "
                                                 "trail_events WHERE account_id = '111111111111' "
                                                 "ORDER BY event_time DESC, event_id DESC"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].Text(0), "e-2");
  EXPECT_EQ(events[0].Text(2), "k");
  EXPECT_EQ(events[1].Text(1), "GetRole");
  EXPECT_TRUE(events[1].IsNull(2));
  // The clustered key serves that order: no sort step and no separate index.
  OT_ASSERT_OK_AND_ASSIGN(auto plan, tx->Query("EXPLAIN QUERY PLAN SELECT event_id FROM "
                                               "trail_events WHERE account_id = ? ORDER BY "
                                               "event_time DESC, event_id DESC",
                                               {"111111111111"}));
  for (const Row& step : plan) EXPECT_THAT(step.Text(3), ::testing::Not(HasSubstr("TEMP B-TREE")));
  OT_ASSERT_OK_AND_ASSIGN(auto indexes, tx->Query("SELECT name FROM sqlite_master WHERE type = "
                                                  "'index' AND tbl_name = 'trail_events' AND sql "
                                                  "IS NOT NULL"));
  EXPECT_TRUE(indexes.empty());
  OT_ASSERT_OK_AND_ASSIGN(auto counts, tx->Query("SELECT account_id, iam_user_count, "
                                                 "iam_role_count FROM accounts ORDER BY "
                                                 "account_id"));
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].Int(1), 1);
  EXPECT_EQ(counts[0].Int(2), 0);
  EXPECT_EQ(counts[1].Int(1), 0);
  EXPECT_EQ(counts[1].Int(2), 2);
}

// A migration for another backend is recorded, not run; SQLite's own (NNNN_name.sqlite.sql)
// runs. Migration 13 is SQLite's.
TEST_F(SqliteStoreTest, RunsOnlyMigrationsForSqlite) {
  std::vector<Migration> migrations = {
      {1, "items", "CREATE TABLE items (id BIGINT PRIMARY KEY);"},
      {2, "elsewhere", "NOT SQL SQLITE WOULD TAKE;", "postgres"},
      {3, "here", "CREATE TABLE kept (id BIGINT PRIMARY KEY) WITHOUT ROWID;", "sqlite"},
  };
  SqliteOptions options = Options();
  options.migrations = migrations;
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  EXPECT_EQ(store->SchemaVersion(), 3);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT COUNT(*) FROM kept"));
  EXPECT_EQ(rows[0].Int(0), 0);
  OT_ASSERT_OK_AND_ASSIGN(auto versions,
                          tx->Query("SELECT version FROM schema_migrations ORDER BY version"));
  EXPECT_EQ(versions.size(), 3u);

  const std::vector<Migration>& embedded = EmbeddedMigrations();
  auto clustered = std::find_if(embedded.begin(), embedded.end(),
                                [](const Migration& m) { return m.version == 13; });
  ASSERT_NE(clustered, embedded.end());
  EXPECT_EQ(clustered->name, "clustered_primary_keys");
  EXPECT_EQ(clustered->backend, "sqlite");
  EXPECT_EQ(embedded[0].backend, "");
}

// Migrations run with foreign keys off (so a table can be rebuilt), but one that leaves a
// reference pointing nowhere fails and is rolled back.
TEST_F(SqliteStoreTest, MigrationLeavingDanglingReferencesFails) {
  std::vector<Migration> migrations = {
      {1, "parent_child",
       "CREATE TABLE parent (id TEXT PRIMARY KEY); "
       "CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent (id)); "
       "INSERT INTO parent VALUES ('p'); INSERT INTO child VALUES ('c', 'p');"},
      {2, "drops_parent_rows", "DELETE FROM parent;"},
  };
  SqliteOptions options = Options();
  options.migrations = migrations;
  auto failed = OpenSqliteStore(options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("drops_parent_rows"));
  EXPECT_THAT(failed.status().message(), HasSubstr("`child`"));

  options.migrations = std::vector<Migration>{migrations[0]};
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(options));
  EXPECT_EQ(store->SchemaVersion(), 1);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT COUNT(*) FROM parent"));
  EXPECT_EQ(rows[0].Int(0), 1);
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
