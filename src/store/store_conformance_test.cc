// Backend-independent Store tests; see store_conformance_test.h. Every test uses a real store in
// its own temp dir.
#include "store/store_conformance_test.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace orgtwin::store::testing {
namespace {

using ::testing::HasSubstr;

// Asserts a Result is OK and yields its value.
#define OT_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  OT_ASSERT_OK_AND_ASSIGN_IMPL_(OT_STATUS_CONCAT_(ot_test_result_, __LINE__), lhs, expr)
// `tmp` is a name and `lhs` may be a declaration (`auto x`): neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define OT_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();   \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
#define OT_EXPECT_OK_STATUS(expr)                \
  do {                                           \
    ::orgtwin::Status ot_e_ = (expr);            \
    EXPECT_TRUE(ot_e_.ok()) << ot_e_.ToString(); \
  } while (0)
#define OT_ASSERT_OK(expr)                       \
  do {                                           \
    ::orgtwin::Status ot_s_ = (expr);            \
    ASSERT_TRUE(ot_s_.ok()) << ot_s_.ToString(); \
  } while (0)

const std::vector<Migration> kFirstOnly = {TestMigrations()[0]};

// Counts rows of `table` in a fresh read transaction.
int64_t CountRows(Store& store, const std::string& table) {
  auto tx = store.Begin(TxMode::kRead);
  if (!tx.ok()) return -1;
  auto rows = (*tx)->Query("SELECT COUNT(*) FROM " + table);
  if (!rows.ok() || rows->size() != 1) return -1;
  return (*rows)[0].Int(0);
}

Status InsertItem(Transaction& tx, int64_t id, const std::string& name) {
  return tx
      .Execute("INSERT INTO items (id, name, score) VALUES (?, ?, ?)",
               {id, name, static_cast<double>(id) / 2})
      .status();
}

Status InsertItemTx(Store& store, int64_t id, const std::string& name) {
  OT_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, store.Begin(TxMode::kWrite));
  OT_RETURN_IF_ERROR(InsertItem(*tx, id, name));
  return tx->Commit();
}

// Inserts item `id` and increments the shared counter 'total' by a read-modify-write, in one
// write transaction: concurrent callers that lost an update would leave the counter short of
// the row count.
Status InsertAndCountTx(Store& store, int64_t id) {
  OT_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, store.Begin(TxMode::kWrite));
  OT_RETURN_IF_ERROR(InsertItem(*tx, id, "t" + std::to_string(id)));
  OT_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT value FROM counters WHERE name = 'total'"));
  OT_RETURN_IF_ERROR(
      tx->Execute("UPDATE counters SET value = ? WHERE name = 'total'", {rows.at(0).Int(0) + 1})
          .status());
  return tx->Commit();
}

TEST_P(StoreConformanceTest, OpenMigrateReopenKeepsData) {
  {
    OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
    EXPECT_EQ(store->SchemaVersion(), 2);
    for (int64_t i = 0; i < 10; ++i)
      OT_ASSERT_OK(InsertItemTx(*store, i, "item" + std::to_string(i)));
  }
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  EXPECT_EQ(store->SchemaVersion(), 2);
  EXPECT_EQ(CountRows(*store, "items"), 10);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(
      auto rows, tx->Query("SELECT version, name FROM schema_migrations ORDER BY version"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), 1);
  EXPECT_EQ(rows[0].Text(1), "items");
  EXPECT_EQ(rows[1].Int(0), 2);
  EXPECT_EQ(rows[1].Text(1), "pets");
  OT_ASSERT_OK_AND_ASSIGN(auto item, tx->Query("SELECT name, score FROM items WHERE id = ?", {7}));
  ASSERT_EQ(item.size(), 1u);
  EXPECT_EQ(item[0].Text(0), "item7");
  EXPECT_DOUBLE_EQ(item[0].Double(1), 3.5);
}

TEST_P(StoreConformanceTest, AppliesOnlyPendingMigrations) {
  {
    OT_ASSERT_OK_AND_ASSIGN(auto store, Open(kFirstOnly));
    EXPECT_EQ(store->SchemaVersion(), 1);
    OT_ASSERT_OK(InsertItemTx(*store, 1, "kept"));
  }
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  EXPECT_EQ(store->SchemaVersion(), 2);
  EXPECT_EQ(CountRows(*store, "items"), 1);
  EXPECT_EQ(CountRows(*store, "pets"), 0);  // the table of migration 2 exists now
}

TEST_P(StoreConformanceTest, RefusesSchemaNewerThanBinary) {
  { OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations())); }
  auto reopened = Open(kFirstOnly);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(reopened.status().message(), HasSubstr("newer than this binary"));
}

TEST_P(StoreConformanceTest, FailedMigrationLeavesNothing) {
  std::vector<Migration> broken = {
      TestMigrations()[0],
      {2, "broken", "CREATE TABLE half_done (id BIGINT PRIMARY KEY); NOT VALID SQL;"}};
  auto failed = Open(broken);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("broken"));

  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(kFirstOnly));
  EXPECT_EQ(store->SchemaVersion(), 1);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  auto half = tx->Query("SELECT COUNT(*) FROM half_done");
  EXPECT_FALSE(half.ok()) << "the first statement of the failed migration was kept";
}

TEST_P(StoreConformanceTest, RoundTripsValuesByStorageType) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  const int64_t big = std::numeric_limits<int64_t>::max();
  const std::string text = "h\xC3\xA9llo 'quoted' \"double\" ?";
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO items (id, name, score, note) VALUES (?, ?, ?, ?)",
                             {big, text, -0.25, std::monostate()})
                     .status());
    OT_ASSERT_OK(tx->Commit());
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT id, name, score, note FROM items"));
  ASSERT_EQ(rows.size(), 1u);
  const Row& row = rows[0];
  ASSERT_EQ(row.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<int64_t>(row.at(0)));
  EXPECT_EQ(row.Int(0), big);
  EXPECT_TRUE(std::holds_alternative<std::string>(row.at(1)));
  EXPECT_EQ(row.Text(1), text);
  EXPECT_TRUE(std::holds_alternative<double>(row.at(2)));
  EXPECT_DOUBLE_EQ(row.Double(2), -0.25);
  EXPECT_TRUE(row.IsNull(3));
  // Documented cross-type reads: numbers convert, nothing formats or parses text.
  EXPECT_EQ(row.Text(0), "");
  EXPECT_EQ(row.Int(1), 0);
  EXPECT_EQ(row.Int(2), 0);  // -0.25 truncates toward zero
  EXPECT_DOUBLE_EQ(row.Double(0), static_cast<double>(big));
  EXPECT_EQ(row.Text(3), "");
  EXPECT_EQ(row.Int(3), 0);
  // A vector of params binds the same as an initializer list.
  std::vector<Value> params = {big};
  OT_ASSERT_OK_AND_ASSIGN(auto by_vector, tx->Query("SELECT name FROM items WHERE id = ?", params));
  ASSERT_EQ(by_vector.size(), 1u);
  EXPECT_EQ(by_vector[0].Text(0), text);
}

TEST_P(StoreConformanceTest, ExecuteReturnsRowsChanged) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  for (int64_t i = 0; i < 5; ++i) {
    OT_ASSERT_OK_AND_ASSIGN(int64_t n, tx->Execute("INSERT INTO items (id, name) VALUES (?, ?)",
                                                   {i, "n" + std::to_string(i)}));
    EXPECT_EQ(n, 1);
  }
  OT_ASSERT_OK_AND_ASSIGN(int64_t updated,
                          tx->Execute("UPDATE items SET note = ? WHERE id < ?", {"x", 3}));
  EXPECT_EQ(updated, 3);
  OT_ASSERT_OK_AND_ASSIGN(int64_t none, tx->Execute("DELETE FROM items WHERE id = ?", {99}));
  EXPECT_EQ(none, 0);
  OT_ASSERT_OK(tx->Commit());
  EXPECT_EQ(CountRows(*store, "items"), 5);
}

TEST_P(StoreConformanceTest, TransactionDestroyedWithoutCommitLeavesNothing) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(InsertItem(*tx, 1, "a"));
    OT_ASSERT_OK(InsertItem(*tx, 2, "b"));
  }
  EXPECT_EQ(CountRows(*store, "items"), 0);
  // The writer is free again.
  OT_ASSERT_OK(InsertItemTx(*store, 3, "c"));
  EXPECT_EQ(CountRows(*store, "items"), 1);
}

TEST_P(StoreConformanceTest, FailedStatementPoisonsTransaction) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  OT_ASSERT_OK(InsertItem(*tx, 1, "before"));
  auto bad = tx->Execute("INSERT INTO no_such_table (id) VALUES (?)", {1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInternal);
  // Every later call fails with the first error, and nothing is committed.
  auto after = InsertItem(*tx, 2, "after");
  EXPECT_EQ(after.code(), ErrorCode::kInternal);
  EXPECT_EQ(after.message(), bad.status().message());
  Status commit = tx->Commit();
  EXPECT_EQ(commit.code(), ErrorCode::kInternal);
  tx.reset();
  EXPECT_EQ(CountRows(*store, "items"), 0);
}

TEST_P(StoreConformanceTest, UniqueViolationIsAlreadyExistsAndNothingHalfApplied) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK(InsertItemTx(*store, 1, "taken"));
  {
    // Primary-key clash after a good insert.
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(InsertItem(*tx, 2, "fresh"));
    Status dup = InsertItem(*tx, 1, "other");
    EXPECT_EQ(dup.code(), ErrorCode::kAlreadyExists) << dup.ToString();
    EXPECT_EQ(tx->Commit().code(), ErrorCode::kAlreadyExists);
  }
  {
    // UNIQUE (non-key) column clash.
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(InsertItem(*tx, 3, "fresh"));
    Status dup = InsertItem(*tx, 4, "taken");
    EXPECT_EQ(dup.code(), ErrorCode::kAlreadyExists) << dup.ToString();
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT id, name FROM items ORDER BY id"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), 1);
  EXPECT_EQ(rows[0].Text(1), "taken");
}

TEST_P(StoreConformanceTest, OtherConstraintsAreInvalidInput) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto not_null =
        tx->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, std::monostate()});
    EXPECT_EQ(not_null.status().code(), ErrorCode::kInvalidInput) << not_null.status().ToString();
  }
  {
    // Foreign keys are enforced.
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    auto orphan = tx->Execute("INSERT INTO pets (id, owner_id) VALUES (?, ?)", {1, 42});
    EXPECT_EQ(orphan.status().code(), ErrorCode::kInvalidInput) << orphan.status().ToString();
  }
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO owners (id) VALUES (?)", {42}).status());
    OT_ASSERT_OK(tx->Execute("INSERT INTO pets (id, owner_id) VALUES (?, ?)", {1, 42}).status());
    OT_ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(CountRows(*store, "pets"), 1);
}

TEST_P(StoreConformanceTest, ReadTransactionRejectsWrites) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  Status write = InsertItem(*tx, 1, "sneaky");
  EXPECT_FALSE(write.ok());
  EXPECT_FALSE(tx->Commit().ok());
  tx.reset();
  EXPECT_EQ(CountRows(*store, "items"), 0);
}

TEST_P(StoreConformanceTest, FinishedTransactionRejectsCalls) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
  OT_ASSERT_OK(InsertItem(*tx, 1, "a"));
  OT_ASSERT_OK(tx->Commit());
  EXPECT_FALSE(tx->Commit().ok());
  EXPECT_FALSE(InsertItem(*tx, 2, "b").ok());
  tx.reset();
  EXPECT_EQ(CountRows(*store, "items"), 1);
}

TEST_P(StoreConformanceTest, ConcurrentWritersLoseNothing) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO counters (name, value) VALUES ('total', 0)").status());
    OT_ASSERT_OK(tx->Commit());
  }
  constexpr int kThreads = 8;
  constexpr int kRowsPerThread = 200;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRowsPerThread; ++i) {
        // Each row is its own transaction.
        Status status = InsertAndCountTx(*store, int64_t{t} * kRowsPerThread + i);
        if (!status.ok()) {
          errors[t] = status.ToString();
          return;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
  EXPECT_EQ(CountRows(*store, "items"), kThreads * kRowsPerThread);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT value FROM counters WHERE name = 'total'"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), kThreads * kRowsPerThread);
}

TEST_P(StoreConformanceTest, ReaderSeesSnapshotWhileWriterMidTransaction) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  for (int64_t i = 0; i < 10; ++i) OT_ASSERT_OK(InsertItemTx(*store, i, "c" + std::to_string(i)));

  OT_ASSERT_OK_AND_ASSIGN(auto early, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto first, early->Query("SELECT COUNT(*) FROM items"));
  EXPECT_EQ(first[0].Int(0), 10);

  OT_ASSERT_OK_AND_ASSIGN(auto writer, store->Begin(TxMode::kWrite));
  for (int64_t i = 10; i < 15; ++i) OT_ASSERT_OK(InsertItem(*writer, i, "u" + std::to_string(i)));
  OT_ASSERT_OK(writer->Execute("DELETE FROM items WHERE id = ?", {0}).status());

  // Uncommitted work is invisible to a reader that starts now ...
  EXPECT_EQ(CountRows(*store, "items"), 10);
  OT_ASSERT_OK(writer->Commit());
  // ... and committed work is invisible to a reader whose snapshot predates it.
  OT_ASSERT_OK_AND_ASSIGN(auto again, early->Query("SELECT COUNT(*) FROM items"));
  EXPECT_EQ(again[0].Int(0), 10);
  OT_ASSERT_OK_AND_ASSIGN(auto zero, early->Query("SELECT name FROM items WHERE id = ?", {0}));
  EXPECT_EQ(zero.size(), 1u);
  OT_ASSERT_OK(early->Commit());
  EXPECT_EQ(CountRows(*store, "items"), 14);
}

TEST_P(StoreConformanceTest, ConcurrentReadersSeeConsistentSnapshots) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO counters (name, value) VALUES ('a', 1000)").status());
    OT_ASSERT_OK(tx->Execute("INSERT INTO counters (name, value) VALUES ('b', 0)").status());
    OT_ASSERT_OK(tx->Commit());
  }
  // A writer moves units from a to b, one statement at a time; readers read a and b with two
  // separate queries and must always see a + b == 1000.
  constexpr int kTransfers = 300;
  std::atomic<bool> writer_done{false};
  std::string writer_error;
  std::thread writer([&] {
    for (int i = 0; i < kTransfers; ++i) {
      auto run = [&]() -> Status {
        OT_ASSIGN_OR_RETURN(auto tx, store->Begin(TxMode::kWrite));
        OT_RETURN_IF_ERROR(
            tx->Execute("UPDATE counters SET value = value - 1 WHERE name = 'a'").status());
        OT_RETURN_IF_ERROR(
            tx->Execute("UPDATE counters SET value = value + 1 WHERE name = 'b'").status());
        return tx->Commit();
      };
      Status status = run();
      if (!status.ok()) {
        writer_error = status.ToString();
        break;
      }
    }
    writer_done = true;
  });
  constexpr int kReaders = 3;
  std::vector<std::thread> readers;
  readers.reserve(kReaders);
  std::vector<std::string> reader_errors(kReaders);
  std::vector<int> reads(kReaders, 0);
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      // Bounded by the writer's finite work; at least one read each.
      do {
        auto tx = store->Begin(TxMode::kRead);
        if (!tx.ok()) {
          reader_errors[r] = tx.status().ToString();
          return;
        }
        auto a = (*tx)->Query("SELECT value FROM counters WHERE name = ?", {"a"});
        auto b = (*tx)->Query("SELECT value FROM counters WHERE name = ?", {"b"});
        if (!a.ok() || !b.ok()) {
          reader_errors[r] = a.ok() ? b.status().ToString() : a.status().ToString();
          return;
        }
        if ((*a)[0].Int(0) + (*b)[0].Int(0) != 1000) {
          reader_errors[r] = "torn read: a=" + std::to_string((*a)[0].Int(0)) +
                             " b=" + std::to_string((*b)[0].Int(0));
          return;
        }
        ++reads[r];
      } while (!writer_done);
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(writer_error, "");
  for (int r = 0; r < kReaders; ++r) {
    EXPECT_EQ(reader_errors[r], "") << "reader " << r;
    EXPECT_GT(reads[r], 0);
  }
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto b, tx->Query("SELECT value FROM counters WHERE name = 'b'"));
  EXPECT_EQ(b[0].Int(0), kTransfers);
}

// A child process commits rows one transaction at a time and reports each acknowledged commit
// over a pipe; the parent SIGKILLs it mid-stream and checks every acknowledged row survived.
TEST_P(StoreConformanceTest, AcknowledgedCommitsSurviveKill9) {
  { OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations())); }
  constexpr int kAcknowledgedBeforeKill = 150;
  constexpr int kMaxRows = 100000;  // the child never gets this far: it is killed first
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = Open(TestMigrations());
    if (!store.ok()) _exit(2);
    for (int64_t i = 0; i < kMaxRows; ++i) {
      if (!InsertItemTx(**store, i, "k" + std::to_string(i)).ok()) _exit(3);
      char ack = 1;
      if (write(fds[1], &ack, 1) != 1) _exit(4);
    }
    _exit(0);
  }
  close(fds[1]);
  int acknowledged = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (acknowledged < kAcknowledgedBeforeKill && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (poll(&pfd, 1, 1000) <= 0) continue;
    char buf[64];
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // the child died early
    acknowledged += static_cast<int>(n);
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  close(fds[0]);
  ASSERT_GE(acknowledged, kAcknowledgedBeforeKill) << "child exited early, status " << wstatus;
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);

  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT COUNT(*), MIN(id), MAX(id) FROM items"));
  int64_t count = rows[0].Int(0);
  EXPECT_GE(count, acknowledged);
  // Commits are sequential, so what survived is exactly a prefix 0..count-1.
  EXPECT_EQ(rows[0].Int(1), 0);
  EXPECT_EQ(rows[0].Int(2), count - 1);
}

// --- Group commit (Store::SubmitWrite) ---------------------------------------------------------

// Collects the `done` statuses of submitted jobs and lets the test wait for all of them.
class JobTracker {
 public:
  std::function<void(const Status&)> Done(int index) {
    return [this, index](const Status& committed) {
      std::lock_guard<std::mutex> lock(mutex_);
      statuses_[index].push_back(committed);
      ++done_;
      cv_.notify_all();
    };
  }
  // Waits (bounded) until `count` dones arrived; returns how many did.
  int WaitFor(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return done_ >= count; });
    return done_;
  }
  std::vector<Status> StatusesOf(int index) {
    std::lock_guard<std::mutex> lock(mutex_);
    return statuses_[index];
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, std::vector<Status>> statuses_;
  int done_ = 0;
};

TEST_P(StoreConformanceTest, SubmittedWritesFromManyThreadsAllCommitOnce) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(tx->Execute("INSERT INTO counters (name, value) VALUES ('total', 0)").status());
    OT_ASSERT_OK(tx->Commit());
  }
  constexpr int kThreads = 8;
  constexpr int kJobsPerThread = 100;
  JobTracker tracker;
  std::atomic<int> work_errors{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJobsPerThread; ++i) {
        int id = t * kJobsPerThread + i;
        store->SubmitWrite(WriteJob{[&, id] {
                                      if (!InsertAndCountTx(*store, id).ok()) ++work_errors;
                                    },
                                    tracker.Done(id)});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(tracker.WaitFor(kThreads * kJobsPerThread), kThreads * kJobsPerThread);
  EXPECT_EQ(work_errors.load(), 0);
  for (int id = 0; id < kThreads * kJobsPerThread; ++id) {
    std::vector<Status> statuses = tracker.StatusesOf(id);
    ASSERT_EQ(statuses.size(), 1u) << "job " << id << " done called " << statuses.size() << "x";
    EXPECT_TRUE(statuses[0].ok()) << statuses[0].ToString();
  }
  EXPECT_EQ(CountRows(*store, "items"), kThreads * kJobsPerThread);
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT value FROM counters WHERE name = 'total'"));
  EXPECT_EQ(rows.at(0).Int(0), kThreads * kJobsPerThread);
}

// A job is a savepoint of its batch, and a savepoint keeps the original of every page it changes:
// a job that rewrites much of the database (a reset deletes every table) must still commit, however
// large that journal grows.
TEST_P(StoreConformanceTest, SubmittedJobChangingMegabytesCommits) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  constexpr int kRows = 4000;
  const std::string filler(400, 'x');
  JobTracker tracker;
  Status inserted = InternalError("not run");
  store->SubmitWrite(WriteJob{[&] {
                                auto run = [&]() -> Status {
                                  OT_ASSIGN_OR_RETURN(auto tx, store->Begin(TxMode::kWrite));
                                  for (int i = 0; i < kRows; ++i) {
                                    OT_RETURN_IF_ERROR(
                                        InsertItem(*tx, i, filler + std::to_string(i)));
                                  }
                                  return tx->Commit();
                                };
                                inserted = run();
                              },
                              tracker.Done(0)});
  ASSERT_EQ(tracker.WaitFor(1), 1);
  ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  ASSERT_EQ(CountRows(*store, "items"), kRows);
  Status deleted = InternalError("not run");
  store->SubmitWrite(WriteJob{[&] {
                                auto run = [&]() -> Status {
                                  OT_ASSIGN_OR_RETURN(auto tx, store->Begin(TxMode::kWrite));
                                  OT_RETURN_IF_ERROR(tx->Execute("DELETE FROM items").status());
                                  return tx->Commit();
                                };
                                deleted = run();
                              },
                              tracker.Done(1)});
  ASSERT_EQ(tracker.WaitFor(2), 2);
  ASSERT_TRUE(deleted.ok()) << deleted.ToString();
  OT_ASSERT_OK(tracker.StatusesOf(1).at(0));
  EXPECT_EQ(CountRows(*store, "items"), 0);
}

TEST_P(StoreConformanceTest, SubmittedJobThatFailsUndoesOnlyItself) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  JobTracker tracker;
  std::vector<Status> work(4, InternalError("not run"));
  // Job 0 commits; job 1 writes a row, then violates uniqueness (poisoned: nothing of it may
  // stay); job 2 writes and never commits; job 3 commits after them. Submitted together, so a
  // batching store runs them in one batch.
  store->SubmitWrite(WriteJob{[&] { work[0] = InsertItemTx(*store, 1, "one"); }, tracker.Done(0)});
  store->SubmitWrite(WriteJob{[&] {
                                auto run = [&]() -> Status {
                                  OT_ASSIGN_OR_RETURN(auto tx, store->Begin(TxMode::kWrite));
                                  OT_RETURN_IF_ERROR(InsertItem(*tx, 2, "two"));
                                  OT_RETURN_IF_ERROR(InsertItem(*tx, 3, "one"));
                                  return tx->Commit();
                                };
                                work[1] = run();
                              },
                              tracker.Done(1)});
  store->SubmitWrite(WriteJob{[&] {
                                auto tx = store->Begin(TxMode::kWrite);
                                work[2] = tx.status();
                                if (tx.ok()) work[2] = InsertItem(**tx, 4, "four");
                                // destroyed without Commit
                              },
                              tracker.Done(2)});
  store->SubmitWrite(WriteJob{[&] { work[3] = InsertItemTx(*store, 5, "five"); }, tracker.Done(3)});
  ASSERT_EQ(tracker.WaitFor(4), 4);
  OT_EXPECT_OK_STATUS(work[0]);
  EXPECT_EQ(work[1].code(), ErrorCode::kAlreadyExists) << work[1].ToString();
  OT_EXPECT_OK_STATUS(work[2]);
  OT_EXPECT_OK_STATUS(work[3]);
  for (int i = 0; i < 4; ++i) OT_EXPECT_OK_STATUS(tracker.StatusesOf(i).at(0));
  OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kRead));
  OT_ASSERT_OK_AND_ASSIGN(auto rows, tx->Query("SELECT id FROM items ORDER BY id"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), 1);
  EXPECT_EQ(rows[1].Int(0), 5);
}

TEST_P(StoreConformanceTest, SubmittedJobReadsItsOwnAndEarlierWrites) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  JobTracker tracker;
  int64_t seen_by_second = -1;
  int64_t seen_after_own_write = -1;
  store->SubmitWrite(WriteJob{[&] { (void)InsertItemTx(*store, 1, "one"); }, tracker.Done(0)});
  store->SubmitWrite(WriteJob{[&] {
                                seen_by_second = CountRows(*store, "items");
                                (void)InsertItemTx(*store, 2, "two");
                                seen_after_own_write = CountRows(*store, "items");
                              },
                              tracker.Done(1)});
  ASSERT_EQ(tracker.WaitFor(2), 2);
  EXPECT_EQ(seen_by_second, 1);
  EXPECT_EQ(seen_after_own_write, 2);
}

TEST_P(StoreConformanceTest, AfterCommitHooksRunOnceDurableAndNeverOnRollback) {
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  // Standalone: after Commit returns; a rolled-back transaction drops its hooks.
  int64_t visible_in_hook = -1;
  bool rolled_back_hook_ran = false;
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(InsertItem(*tx, 1, "one"));
    tx->AfterCommit([&] { visible_in_hook = CountRows(*store, "items"); });
    OT_ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(visible_in_hook, 1);
  {
    OT_ASSERT_OK_AND_ASSIGN(auto tx, store->Begin(TxMode::kWrite));
    OT_ASSERT_OK(InsertItem(*tx, 2, "two"));
    tx->AfterCommit([&] { rolled_back_hook_ran = true; });
  }
  EXPECT_FALSE(rolled_back_hook_ran);

  // In a job: the hook sees the row from a fresh reader (so after the batch's commit), and runs
  // before the job's done.
  JobTracker tracker;
  int64_t visible_in_job_hook = -1;
  bool job_rollback_hook_ran = false;
  std::atomic<bool> hook_before_done{false};
  store->SubmitWrite(WriteJob{[&] {
                                auto tx = store->Begin(TxMode::kWrite);
                                if (!tx.ok()) return;
                                (void)InsertItem(**tx, 3, "three");
                                (*tx)->AfterCommit([&] {
                                  std::thread reader(
                                      [&] { visible_in_job_hook = CountRows(*store, "items"); });
                                  reader.join();
                                  hook_before_done = true;
                                });
                                (void)(*tx)->Commit();
                              },
                              [&, done = tracker.Done(0)](const Status& s) {
                                EXPECT_TRUE(hook_before_done.load());
                                done(s);
                              }});
  store->SubmitWrite(WriteJob{[&] {
                                auto tx = store->Begin(TxMode::kWrite);
                                if (!tx.ok()) return;
                                (void)InsertItem(**tx, 4, "four");
                                (*tx)->AfterCommit([&] { job_rollback_hook_ran = true; });
                              },
                              tracker.Done(1)});
  ASSERT_EQ(tracker.WaitFor(2), 2);
  EXPECT_EQ(visible_in_job_hook, 2);
  EXPECT_FALSE(job_rollback_hook_ran);
}

TEST_P(StoreConformanceTest, SubmittedWritesSurviveReopen) {
  {
    JobTracker tracker;  // outlives the store, whose destructor may still call done
    OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
    for (int i = 0; i < 50; ++i) {
      store->SubmitWrite(WriteJob{
          [&, i] { (void)InsertItemTx(*store, i, "r" + std::to_string(i)); }, tracker.Done(i)});
    }
    // Closing the store runs what is still queued (its destructor drains the queue).
  }
  OT_ASSERT_OK_AND_ASSIGN(auto store, Open(TestMigrations()));
  EXPECT_EQ(CountRows(*store, "items"), 50);
}

}  // namespace

const std::vector<Migration>& TestMigrations() {
  static const std::vector<Migration>* const kMigrations = new std::vector<Migration>{
      {1, "items",
       "CREATE TABLE items (\n"
       "  id    BIGINT PRIMARY KEY,\n"
       "  name  TEXT NOT NULL UNIQUE,\n"
       "  score DOUBLE PRECISION,\n"
       "  note  TEXT\n"
       ");\n"
       "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);\n"},
      {2, "pets",
       "CREATE TABLE owners (id BIGINT PRIMARY KEY);\n"
       "CREATE TABLE pets (id BIGINT PRIMARY KEY,\n"
       "                   owner_id BIGINT NOT NULL REFERENCES owners (id));\n"},
  };
  return *kMigrations;
}

std::string FactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

}  // namespace orgtwin::store::testing
