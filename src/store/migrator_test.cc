// The migration runner against an in-memory fake backend, for what the SQLite tests cannot show:
// a backend other than SQLite running its own migrations and recording SQLite's, the re-check
// inside each transaction when another process got there first, and the order of rollback and
// EndRun on failure. The SQLite store's own tests (sqlite_store_test, store_conformance_test) run
// the same runner against a real database.
#include "store/migrator.h"

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orgtwin::store {
namespace {

using ::testing::ElementsAre;

// A backend whose `schema_migrations` is a set of versions. It answers only the runner's own
// statements about that table; any other script is a migration, logged as run. Every call lands
// in `calls`, so a test can check the order.
class FakeTarget final : public MigrationTarget {
 public:
  explicit FakeTarget(std::string backend) : backend_(std::move(backend)) {}

  std::string_view BackendName() const override { return backend_; }
  std::string DatabaseName() const override { return "fake"; }
  Status BeginRun() override {
    calls.emplace_back("begin run");
    return Status::Ok();
  }
  void EndRun() override { calls.emplace_back("end run"); }

  Status BeginExclusive() override {
    calls.emplace_back("begin");
    if (before_begin) before_begin(*this);
    if (!begin_status.ok()) return begin_status;
    in_transaction_ = true;
    pending_ = recorded;
    return Status::Ok();
  }
  Status ExecuteScript(std::string_view sql) override {
    if (sql.rfind("CREATE TABLE IF NOT EXISTS schema_migrations", 0) == 0) return Status::Ok();
    calls.push_back("run " + std::string(sql));
    return Status::Ok();
  }
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Row> rows;
    if (sql == "SELECT version FROM schema_migrations") {
      for (int64_t version : recorded) rows.emplace_back(std::vector<Value>{version});
    } else if (sql == "SELECT 1 FROM schema_migrations WHERE version = ?") {
      if (pending_.count(std::get<int64_t>(params.at(0)))) {
        rows.emplace_back(std::vector<Value>{int64_t{1}});
      }
    } else if (sql.rfind("INSERT INTO schema_migrations", 0) == 0) {
      int64_t version = std::get<int64_t>(params.at(0));
      pending_.insert(version);
      calls.push_back("record " + std::to_string(version));
    } else {
      return InternalError("fake: unexpected query `" + std::string(sql) + "`");
    }
    return rows;
  }
  Status CheckIntegrity() override {
    calls.emplace_back("check");
    return ++checks_ == fail_check_number ? InternalError("dangling") : Status::Ok();
  }
  Status Commit() override {
    calls.emplace_back("commit");
    recorded = pending_;
    in_transaction_ = false;
    return Status::Ok();
  }
  void Rollback() override {
    if (!in_transaction_) return;
    calls.emplace_back("rollback");
    in_transaction_ = false;
  }

  std::vector<std::string> calls;
  std::set<int64_t> recorded;                     // committed versions
  std::function<void(FakeTarget&)> before_begin;  // another process, just before BEGIN
  Status begin_status;                            // what BeginExclusive answers
  int fail_check_number = 0;                      // the CheckIntegrity call that fails (1-based)

 private:
  std::string backend_;
  bool in_transaction_ = false;
  std::set<int64_t> pending_;  // `recorded` as the open transaction sees it
  int checks_ = 0;
};

TEST(MigratorTest, RunsItsOwnBackendsMigrationsAndRecordsOtherBackends) {
  FakeTarget target("postgres");
  std::vector<Migration> migrations = {
      {1, "everywhere", "ALL"},
      {2, "clustered", "SQLITE ONLY", "sqlite"},
      {3, "pg_layout", "POSTGRES ONLY", "postgres"},
  };
  Result<int64_t> version = RunMigrations(target, migrations);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 3);
  EXPECT_THAT(target.recorded, ElementsAre(1, 2, 3));
  // Each migration in its own transaction; the integrity check runs even when the SQL was
  // another backend's, before the version is recorded.
  EXPECT_THAT(target.calls,
              ElementsAre("begin run",                                                  //
                          "begin", "run ALL", "check", "record 1", "commit",            //
                          "begin", "check", "record 2", "commit",                       //
                          "begin", "run POSTGRES ONLY", "check", "record 3", "commit",  //
                          "end run"));
}

TEST(MigratorTest, SkipsAMigrationAnotherProcessAppliedMeanwhile) {
  FakeTarget target("sqlite");
  // Between the runner's first read and its first exclusive transaction, another orgtwin
  // opening the same fresh database applied migration 1.
  target.before_begin = [](FakeTarget& t) {
    t.recorded.insert(1);
    t.before_begin = nullptr;
  };
  Result<int64_t> version = RunMigrations(target, {{1, "one", "ONE"}, {2, "two", "TWO"}});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_THAT(target.recorded, ElementsAre(1, 2));
  EXPECT_THAT(target.calls, ElementsAre("begin run", "begin", "commit", "begin", "run TWO", "check",
                                        "record 2", "commit", "end run"));
}

TEST(MigratorTest, FailedMigrationRollsBackBeforeTheRunEnds) {
  FakeTarget target("sqlite");
  target.fail_check_number = 2;
  Result<int64_t> version =
      RunMigrations(target, {{1, "first", "ONE"}, {2, "second", "TWO"}, {3, "third", "THREE"}});
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(version.status().message(), "store: migration 2 (second) failed: dangling");
  EXPECT_THAT(target.recorded, ElementsAre(1));
  // Rolled back first: SQLite's EndRun (foreign keys back on) is a no-op inside a transaction.
  EXPECT_THAT(target.calls,
              ElementsAre("begin run", "begin", "run ONE", "check", "record 1", "commit", "begin",
                          "run TWO", "check", "rollback", "end run"));
}

TEST(MigratorTest, LockTimeoutStaysUnavailable) {
  FakeTarget target("sqlite");
  target.begin_status = UnavailableError("database is locked");
  Result<int64_t> version = RunMigrations(target, {{1, "first", "ONE"}});
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(version.status().message(), "store: migration 1 (first) failed: database is locked");
  EXPECT_TRUE(target.recorded.empty());
  EXPECT_THAT(target.calls, ElementsAre("begin run", "begin", "end run"));
}

}  // namespace
}  // namespace orgtwin::store
