// StoreBase against a fake backend that logs every call, for what the conformance suite (run on
// SQLite and PostgreSQL) cannot show: the order in which StoreBase drives a backend's connection
// and hooks. Above all that BeforeCommitWrite runs exactly once right before the COMMIT of every
// write transaction, standalone or group-commit batch, and never for a read; and that its failure
// rolls the transaction back and is what Commit, or every job of the batch, reports.
#include "store/store_base.h"

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orgtwin::store {
namespace {

using ::testing::ElementsAre;

// What the backend was asked, in order, from any thread.
class CallLog {
 public:
  void Add(std::string call) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(std::move(call));
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(calls_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> calls_;  // GUARDED_BY(mutex_)
};

// A connection that runs nothing: it logs each call as "<name>: <call>". The statement `FAIL`
// fails (kInvalidInput); every other one succeeds and changes one row.
class FakeConnection final : public StoreConnection {
 public:
  FakeConnection(std::string name, CallLog* log) : name_(std::move(name)), log_(log) {}

  Result<int64_t> RunStatement(std::string_view sql, const Value* /*params*/, size_t /*count*/,
                               std::vector<Row>* /*rows*/, bool read_only) override {
    Log(std::string(read_only ? "read " : "run ") + std::string(sql));
    if (sql == "FAIL") return InvalidInputError("fake: FAIL failed");
    return int64_t{1};
  }
  Status BeginWrite() override { return Begin("begin write"); }
  Status BeginRead() override { return Begin("begin read"); }
  Status Savepoint() override { return Logged("savepoint"); }
  Status ReleaseSavepoint() override { return Logged("release"); }
  Status RollbackToSavepoint() override { return Logged("rollback to savepoint"); }
  Status Commit() override {
    in_transaction_ = false;
    return Logged("commit");
  }
  void Rollback() override {
    if (!in_transaction_) return;
    in_transaction_ = false;
    Log("rollback");
  }
  bool InTransaction() const override { return in_transaction_; }

 private:
  void Log(const std::string& call) { log_->Add(name_ + ": " + call); }
  Status Logged(const std::string& call) {
    Log(call);
    return Status::Ok();
  }
  Status Begin(const std::string& call) {
    in_transaction_ = true;
    return Logged(call);
  }

  std::string name_;
  CallLog* log_;
  bool in_transaction_ = false;
};

class FakeStore final : public StoreBase {
 public:
  explicit FakeStore(CallLog* log) : StoreBase(/*write_lock_timeout_ms=*/5000, 2), log_(log) {
    SetWriter(std::make_unique<FakeConnection>("writer", log));
  }
  ~FakeStore() override { StopWriter(); }
  FakeStore(const FakeStore&) = delete;
  FakeStore& operator=(const FakeStore&) = delete;

  // Not in the constructor: a test queues jobs first, so that they make one batch.
  void Start() { StartWriter(); }

  int64_t SchemaVersion() const override { return 1; }
  std::string Describe() const override { return "fake"; }

  Status before_commit_result;  // what BeforeCommitWrite returns; set before any write

 private:
  Result<std::unique_ptr<StoreConnection>> OpenReader() override {
    return std::unique_ptr<StoreConnection>(std::make_unique<FakeConnection>("reader", log_));
  }
  Status BeforeCommitWrite(StoreConnection& writer) override {
    log_->Add(writer.InTransaction() ? "before commit" : "before commit, outside a transaction");
    return before_commit_result;
  }
  void AfterWriteCommitted() override { log_->Add("after commit"); }

  CallLog* log_;
};

// Begins a transaction of `mode`, runs `sql` in it, registers an AfterCommit hook that logs
// "hook", and returns what Commit reports.
Status RunAndCommit(FakeStore& store, TxMode mode, std::string_view sql, CallLog& log) {
  OT_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, store.Begin(mode));
  OT_RETURN_IF_ERROR(tx->Execute(sql).status());
  tx->AfterCommit([&log] { log.Add("hook"); });
  return tx->Commit();
}

TEST(StoreBaseTest, StandaloneWriteRunsBeforeCommitThenCommitsThenHooks) {
  CallLog log;
  FakeStore store(&log);
  ASSERT_TRUE(RunAndCommit(store, TxMode::kWrite, "INSERT one", log).ok());
  EXPECT_THAT(log.Take(), ElementsAre("writer: begin write", "writer: run INSERT one",
                                      "before commit", "writer: commit", "after commit", "hook"));
}

TEST(StoreBaseTest, ReadTransactionRunsNoWriteHooks) {
  CallLog log;
  FakeStore store(&log);
  ASSERT_TRUE(RunAndCommit(store, TxMode::kRead, "SELECT one", log).ok());
  EXPECT_THAT(log.Take(), ElementsAre("reader: begin read", "reader: read SELECT one",
                                      "reader: commit", "hook"));
}

TEST(StoreBaseTest, FailedBeforeCommitRollsBackAndIsWhatCommitReports) {
  CallLog log;
  FakeStore store(&log);
  store.before_commit_result = ConflictError("fake: revision bump failed");
  Status committed = RunAndCommit(store, TxMode::kWrite, "INSERT one", log);
  EXPECT_EQ(committed.code(), ErrorCode::kConflict);
  EXPECT_EQ(committed.message(), "fake: revision bump failed");
  EXPECT_THAT(log.Take(), ElementsAre("writer: begin write", "writer: run INSERT one",
                                      "before commit", "writer: rollback"));
}

TEST(StoreBaseTest, FailedStatementPoisonsWithTheSameStatus) {
  CallLog log;
  FakeStore store(&log);
  auto tx = store.Begin(TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  Result<int64_t> failed = (*tx)->Execute("FAIL");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ((*tx)->Execute("INSERT one").status().message(), failed.status().message());
  EXPECT_EQ((*tx)->Commit().message(), failed.status().message());
  EXPECT_THAT(log.Take(),
              ElementsAre("writer: begin write", "writer: run FAIL", "writer: rollback"));
}

// Queues one job per statement before the writer thread starts, so they make one batch, and
// waits for every job's done; returns their statuses.
std::vector<Status> RunOneBatch(FakeStore& store, std::vector<std::string> statements,
                                CallLog& log) {
  std::vector<std::promise<Status>> done(statements.size());
  for (size_t i = 0; i < statements.size(); ++i) {
    store.SubmitWrite(
        WriteJob{[&store, &log, sql = statements[i]] {
                   auto tx = store.Begin(TxMode::kWrite);
                   if (!tx.ok()) return;
                   (*tx)->AfterCommit([&log, sql] { log.Add("hook " + sql); });
                   if (!(*tx)->Execute(sql).ok()) return;
                   (*tx)->Commit().IgnoreError();
                 },
                 [&done, i](const Status& committed) { done[i].set_value(committed); }});
  }
  store.Start();
  std::vector<Status> outcome;
  outcome.reserve(done.size());
  for (auto& promise : done) outcome.push_back(promise.get_future().get());
  return outcome;
}

TEST(StoreBaseTest, BatchRunsBeforeCommitOnceRightBeforeItsOneCommit) {
  CallLog log;
  FakeStore store(&log);
  std::vector<Status> outcome = RunOneBatch(store, {"INSERT a", "FAIL", "INSERT c"}, log);
  ASSERT_EQ(outcome.size(), 3U);
  for (const Status& status : outcome) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_THAT(log.Take(),
              ElementsAre("writer: begin write",                                           //
                          "writer: savepoint", "writer: run INSERT a", "writer: release",  //
                          "writer: savepoint", "writer: run FAIL", "writer: rollback to savepoint",
                          "writer: savepoint", "writer: run INSERT c", "writer: release",  //
                          "before commit", "writer: commit", "after commit",               //
                          "hook INSERT a", "hook INSERT c"));
}

TEST(StoreBaseTest, FailedBeforeCommitFailsEveryJobOfTheBatch) {
  CallLog log;
  FakeStore store(&log);
  store.before_commit_result = ConflictError("fake: revision bump failed");
  std::vector<Status> outcome = RunOneBatch(store, {"INSERT a", "INSERT b"}, log);
  ASSERT_EQ(outcome.size(), 2U);
  for (const Status& status : outcome) {
    EXPECT_EQ(status.code(), ErrorCode::kConflict);
    EXPECT_EQ(status.message(), "fake: revision bump failed");
  }
  EXPECT_THAT(log.Take(),
              ElementsAre("writer: begin write",                                           //
                          "writer: savepoint", "writer: run INSERT a", "writer: release",  //
                          "writer: savepoint", "writer: run INSERT b", "writer: release",  //
                          "before commit", "writer: rollback"));
}

}  // namespace
}  // namespace orgtwin::store
