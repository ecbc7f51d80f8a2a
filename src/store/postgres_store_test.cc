// PostgreSQL backend: runs the conformance suite against a real server, plus the tests of what is
// PostgreSQL's own: every embedded migration applies, the writer lock spans processes, typed
// results, reconnecting, the collation check.
//
// The server comes from OT_TEST_PG_DSN (libpq key=value, a superuser's database):
// scripts/with-postgres.sh starts a throwaway one and sets it, and ctest runs this binary through
// that script. Each test gets a database of its own, named after its temp dir, so a test that
// reopens its store (or a fork()ed child that opens it) finds its data again.
#include "store/postgres_store.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <libpq-fe.h>

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

// The server's DSN; an empty string fails every test with a message saying how to run them.
std::string ServerDsn() {
  const char* dsn = std::getenv("OT_TEST_PG_DSN");
  return dsn ? dsn : "";
}

// Runs `sql` on the server's own database (CREATE DATABASE cannot run in a transaction block).
// Returns libpq's message on failure, "" on success.
std::string Admin(const std::string& sql, const std::string& dsn = ServerDsn()) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

// The database of the test whose temp dir is `dir`, created on first use.
std::string DatabaseFor(const std::string& dir) {
  Result<std::string> conninfo = test::TestPostgresDatabase(dir);
  if (!conninfo.ok()) ADD_FAILURE() << conninfo.status().ToString();
  return conninfo.ok() ? *conninfo : "";
}

PostgresOptions OptionsFor(const std::string& dir, const std::vector<Migration>& migrations) {
  PostgresOptions options;
  options.conninfo = DatabaseFor(dir);
  options.migrations = migrations;
  return options;
}

StoreFactory PostgresFactory() {
  return {"Postgres", [](const std::string& dir, const std::vector<Migration>& migrations) {
            return OpenPostgresStore(OptionsFor(dir, migrations));
          }};
}

class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_FALSE(ServerDsn().empty())
        << "OT_TEST_PG_DSN is not set: run this test through scripts/with-postgres.sh (ctest does)";
    std::string error = Admin("SELECT 1");
    ASSERT_EQ(error, "") << "cannot reach the server of OT_TEST_PG_DSN";
  }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(PostgresFactory()),
                         FactoryName);

class PostgresStoreTest : public ::testing::Test {
 protected:
  PostgresOptions Options(const std::vector<Migration>& migrations = TestMigrations()) {
    return OptionsFor(dir_, migrations);
  }
  test::TempDir temp_dir_{"orgtwin-postgres"};
  const std::string dir_ = temp_dir_.path();
};

TEST_F(PostgresStoreTest, EveryEmbeddedMigrationApplies) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenPostgresStore(Options(EmbeddedMigrations())));
  EXPECT_EQ(store->SchemaVersion(), EmbeddedMigrations().back().version);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT COUNT(*) FROM schema_migrations"));
  // Recorded, run or not: a SQLite-only migration is recorded without running.
  EXPECT_EQ(rows.at(0).Int(0), static_cast<int64_t>(EmbeddedMigrations().size()));
  OT_ASSERT_OK_AND_ASSIGN(
      auto clustered,
      tx->Query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '%_new'"));
  EXPECT_EQ(clustered.at(0).Int(0), 0) << "a table rebuild of a SQLite migration ran";
}

TEST_F(PostgresStoreTest, ResultsAreTypedAsSqliteTypesThem) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenPostgresStore(Options()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    for (int64_t i = 1; i <= 3; ++i) {
      OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name, score) VALUES (?, ?, ?)",
                               {i, "n" + std::to_string(i), 0.5})
                       .status());
    }
    OT_ASSERT_OK(tx->Commit());
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  // SUM of BIGINT is NUMERIC in PostgreSQL, an integer in SQLite; AVG a double in both; a
  // comparison is 0/1; `?` inside a string literal is text, not a parameter.
  OT_ASSERT_OK_AND_ASSIGN(
      auto rows, tx->Query("SELECT COUNT(*), SUM(id), AVG(id), SUM(score), MAX(id) = ?, 'a?b' "
                           "FROM items WHERE name <> ?",
                           {3, "none"}));
  ASSERT_EQ(rows.size(), 1u);
  const Row& row = rows[0];
  EXPECT_TRUE(std::holds_alternative<int64_t>(row.at(0)));
  EXPECT_EQ(row.Int(0), 3);
  EXPECT_TRUE(std::holds_alternative<int64_t>(row.at(1)));
  EXPECT_EQ(row.Int(1), 6);
  EXPECT_TRUE(std::holds_alternative<double>(row.at(2)));
  EXPECT_DOUBLE_EQ(row.Double(2), 2.0);
  EXPECT_DOUBLE_EQ(row.Double(3), 1.5);
  EXPECT_EQ(row.Int(4), 1);
  EXPECT_EQ(row.Text(5), "a?b");
  // Doubles round-trip exactly through their text form.
  OT_ASSERT_OK_AND_ASSIGN(auto exact, tx->Query("SELECT ? + 0.0", {0.1 + 0.2}));
  EXPECT_EQ(exact.at(0).Double(0), 0.1 + 0.2);
}

// Two stores on one database are two nodes: the second writer waits for the first's advisory
// lock and gives up after its timeout, as a second SQLite process does on the file lock.
TEST_F(PostgresStoreTest, WriterLockHeldByAnotherStoreIsUnavailable) {
  OT_ASSERT_OK_AND_ASSIGN(auto first, OpenPostgresStore(Options()));
  PostgresOptions options = Options();
  options.lock_timeout_ms = 200;
  OT_ASSERT_OK_AND_ASSIGN(auto second, OpenPostgresStore(options));
  OT_ASSERT_OK_AND_ASSIGN(auto holder, first->Begin(TxMode::kWrite));
  auto waiter = second->Begin(TxMode::kWrite);
  ASSERT_FALSE(waiter.ok());
  EXPECT_EQ(waiter.status().code(), ErrorCode::kUnavailable) << waiter.status().ToString();
  // Readers are not blocked.
  OT_ASSERT_OK_AND_ASSIGN(auto reader, second->Begin(TxMode::kRead));
  OT_ASSERT_OK(reader->Query("SELECT COUNT(*) FROM items").status());
  OT_ASSERT_OK(holder->Commit());
  OT_ASSERT_OK_AND_ASSIGN(auto after, second->Begin(TxMode::kWrite));
  OT_ASSERT_OK(after->Commit());
}

// A write on one node is visible to the next transaction on another (no cache in the store).
TEST_F(PostgresStoreTest, TwoStoresOnOneDatabaseSeeEachOthersCommits) {
  OT_ASSERT_OK_AND_ASSIGN(auto a, OpenPostgresStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto b, OpenPostgresStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, a->Begin(TxMode::kWrite));
  OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, "one"}).status());
  OT_ASSERT_OK(tx->Commit());
  OT_ASSERT_OK_AND_ASSIGN(auto read, b->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, read->Query("SELECT name FROM items WHERE id = ?", {1}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "one");
}

// Several nodes (store.h): each store counts the commits of the others, never its own, whether
// they committed alone or in a group-commit batch.
TEST_F(PostgresStoreTest, CountsTheCommitsOfOtherStoresNotItsOwn) {
  OT_ASSERT_OK_AND_ASSIGN(auto a, OpenPostgresStore(Options(EmbeddedMigrations())));
  OT_ASSERT_OK_AND_ASSIGN(auto b, OpenPostgresStore(Options(EmbeddedMigrations())));
  auto write = [](Store& store, const std::string& name) {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store.Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO server_settings (name, value) VALUES (?, ?)",
                             {name, std::string("v")})
                     .status());
    OT_ASSERT_OK(tx->Commit());
  };
  auto count = [](Store& store) -> uint64_t {
    Result<uint64_t> commits = store.CommitsByOthers();
    EXPECT_TRUE(commits.ok()) << commits.status().ToString();
    return commits.ok() ? *commits : 0;
  };
  EXPECT_EQ(count(*a), 0u);
  EXPECT_EQ(count(*b), 0u);
  write(*a, "one");
  EXPECT_EQ(count(*a), 0u);
  EXPECT_EQ(count(*b), 1u);
  EXPECT_EQ(count(*b), 1u);  // nothing new since
  // A group-commit batch of B is news to A.
  std::promise<Status> done;
  b->SubmitWrite(WriteJob{[&] { write(*b, "two"); }, [&](const Status& s) { done.set_value(s); }});
  OT_ASSERT_OK(done.get_future().get());
  EXPECT_EQ(count(*a), 1u);
  EXPECT_EQ(count(*b), 1u);
  // A commits, then B commits before it looked: B finds A's commit in the gap its own leaves.
  write(*a, "three");
  write(*b, "four");
  EXPECT_EQ(count(*b), 2u);
  EXPECT_EQ(count(*a), 2u);
}

// Exactly one store leads the background work; when it goes, another takes the lead.
TEST_F(PostgresStoreTest, OneStoreLeadsAndAnotherTakesOverWhenItGoes) {
  OT_ASSERT_OK_AND_ASSIGN(auto a, OpenPostgresStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto b, OpenPostgresStore(Options()));
  auto leads = [](Store& store) {
    Result<bool> lead = store.LeadsBackgroundWork();
    EXPECT_TRUE(lead.ok()) << lead.status().ToString();
    return lead.ok() && *lead;
  };
  EXPECT_TRUE(leads(*a));
  EXPECT_FALSE(leads(*b));
  EXPECT_TRUE(leads(*a));  // asking again keeps the lead
  EXPECT_FALSE(leads(*b));
  a.reset();  // its session ends, and the lock with it, as when a node is killed
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool took_over = false;
  while (!(took_over = leads(*b)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(took_over);
}

// The server ends every session of the database (a restart, a failover): the store connects
// again for the next transaction instead of failing from then on.
TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDropsItsSessions) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenPostgresStore(Options()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto read, store->Begin(TxMode::kRead));
    OT_ASSERT_OK(read->Commit());  // leaves an idle reader in the pool
  }
  // Every session of the store's database but this one.
  ASSERT_EQ(Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                  "current_database() AND pid <> pg_backend_pid()",
                  DatabaseFor(dir_)),
            "");
  OT_ASSERT_OK_AND_ASSIGN(auto write, store->Begin(TxMode::kWrite));
  OT_ASSERT_OK(write->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, "one"}).status());
  OT_ASSERT_OK(write->Commit());
  OT_ASSERT_OK_AND_ASSIGN(auto read, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, read->Query("SELECT COUNT(*) FROM items"));
  EXPECT_EQ(rows.at(0).Int(0), 1);
}

TEST_F(PostgresStoreTest, SyntaxErrorIsInternalWithServerMessage) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenPostgresStore(Options()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  auto bad = tx->Query("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(bad.status().message(), HasSubstr("postgres: syntax error"));
  EXPECT_THAT(bad.status().message(), HasSubstr("`SELEC 1`"));
}

TEST_F(PostgresStoreTest, RejectsTransactionControlAndWrongParameterCounts) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, OpenPostgresStore(Options()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto commit = tx->Execute("COMMIT");
    EXPECT_EQ(commit.status().code(), ErrorCode::kInternal);
    EXPECT_THAT(commit.status().message(), HasSubstr("transaction control"));
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  auto count = tx->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1});
  EXPECT_EQ(count.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(count.status().message(), HasSubstr("takes 2 parameters, got 1"));
}

// Listings and pagination markers compare text byte by byte, as SQLite does; a database with a
// linguistic collation would order them differently, so the store refuses it.
TEST_F(PostgresStoreTest, RefusesADatabaseThatDoesNotSortByBytes) {
  std::string name = "icu_" + std::to_string(std::hash<std::string>{}(dir_));
  ASSERT_EQ(Admin("CREATE DATABASE " + name +
                  " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"),
            "");
  PostgresOptions options;
  options.conninfo = ServerDsn() + " dbname=" + name;
  options.migrations = TestMigrations();
  auto store = OpenPostgresStore(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(store.status().message(), HasSubstr("orgtwin needs byte order"));
}

// The servers that speak PostgreSQL's protocol but would not keep the writer lock or read
// committed are refused at open (docs/storage.md); this server is PostgreSQL itself.
TEST(PostgresServerCompatibilityTest, RefusesServersWhoseLocksOrIsolationDoNotHold) {
  EXPECT_TRUE(
      CheckServerCompatibility("PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64", "").ok());
  Status cockroach = CheckServerCompatibility(
      "CockroachDB CCL v24.1.0 (x86_64-pc-linux-gnu, built 2024/05/15 21:28:29, go1.22.2)", "");
  EXPECT_EQ(cockroach.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(cockroach.message(), HasSubstr("advisory locks"));
  const std::string yugabyte =
      "PostgreSQL 15.2-YB-2.25.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 17";
  Status snapshot = CheckServerCompatibility(yugabyte, "false");
  EXPECT_EQ(snapshot.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(snapshot.message(), HasSubstr("yb_enable_read_committed_isolation=true"));
  EXPECT_TRUE(CheckServerCompatibility(yugabyte, "true").ok());
}

}  // namespace
}  // namespace orgtwin::store::testing
