// File: store/store_base.h
//
// StoreBase: what the SQLite and PostgreSQL backends of store.h share, written once. A backend
// derives from StoreBase and supplies connections (StoreConnection, below); StoreBase does the
// rest of the Store contract over them:
// - the Transaction states: a standalone write (the writer connection under the in-process FIFO
//   writer lock, BEGIN ... COMMIT), a read (a pooled reader connection), and, inside a
//   group-commit job, a write (a savepoint of the batch's transaction) or a read (the writer
//   connection, in the batch's transaction);
// - poisoning: the first failed statement rolls the transaction back (a job's: its savepoint),
//   and every later call, Commit included, returns that same Status;
// - AfterCommit hooks: run once the changes are durable (after COMMIT, or after the batch's
//   COMMIT for a job), dropped on rollback;
// - group commit: the SubmitWrite queue and the writer thread, which takes the queued jobs (up to
//   kMaxBatchJobs), begins one write transaction, runs each job (its Begin(kWrite) a savepoint),
//   commits once, runs the hooks and then each job's done(status);
// - the pool of idle reader connections.
// A backend keeps its own: how a connection runs SQL and maps errors to store.h's codes, how it
// begins a write (SQLite BEGIN IMMEDIATE, PostgreSQL an advisory lock) or a read, what it does
// right before and after a write transaction commits (BeforeCommitWrite, AfterWriteCommitted),
// and its migrations. docs/storage.md is the guide.
//
// Thread-safety: as store.h. A StoreConnection is used by one thread at a time: the owner of the
// transaction (or batch) that holds it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/fair_timed_lock.h"
#include "store/store.h"

namespace orgtwin::store {

// One connection of a backend (a sqlite3 handle, a PGconn). Every method returns store.h's
// Status, the backend's error already mapped to its ErrorCode (store.h, "Errors of
// Execute/Query"). Used by one thread at a time.
class StoreConnection {
 public:
  virtual ~StoreConnection() = default;

  // A caller's statement (Transaction::Execute/Query): one statement, `?` placeholders bound to
  // `params` in order, no transaction control. Appends result rows to *rows when non-null;
  // returns the number of rows changed. `read_only`: fail with kInternal ("store: write
  // statement in a read transaction") instead of running a statement that writes.
  virtual Result<int64_t> RunStatement(std::string_view sql, const Value* params, size_t count,
                                       std::vector<Row>* rows, bool read_only) = 0;
  // A caller's read statement inside a group-commit job: on the writer connection, inside the
  // batch's transaction. The default runs RunStatement(read_only). A backend whose failed
  // statement would abort the whole batch fences it (PostgreSQL: a savepoint per statement); when
  // that fence fails and the batch can no longer go on, it sets *batch_lost to why.
  virtual Result<int64_t> RunJobRead(std::string_view sql, const Value* params, size_t count,
                                     std::vector<Row>* rows, Status* batch_lost);

  // The writer connection (under the writer lock) begins a write transaction or a batch: any
  // transaction a failed ROLLBACK left open is rolled back first.
  virtual Status BeginWrite() = 0;
  // A reader connection begins a read transaction (one snapshot, from its first statement).
  virtual Status BeginRead() = 0;
  // The savepoint of a group-commit job's write transaction (`job`): create it, release it
  // (the job's changes stay in the batch), or roll back to it and release it (they are undone).
  virtual Status Savepoint() = 0;
  virtual Status ReleaseSavepoint() = 0;
  virtual Status RollbackToSavepoint() = 0;
  // COMMIT. A transaction the backend rolled back instead must not report Ok.
  virtual Status Commit() = 0;
  // ROLLBACK, best effort: a failed ROLLBACK leaves the connection in a transaction, which
  // InTransaction tells.
  virtual void Rollback() = 0;
  virtual bool InTransaction() const = 0;
  // False once the connection is lost (PostgreSQL: the server dropped the session). A lost reader
  // is not pooled again, and a lost batch transaction aborts the batch.
  virtual bool Healthy() const { return true; }
};

class StoreBase : public Store {
 public:
  // The most jobs one group commit carries: bounds the wait of a batch's first job for its last.
  static constexpr size_t kMaxBatchJobs = 64;

  StoreBase(const StoreBase&) = delete;
  StoreBase& operator=(const StoreBase&) = delete;
  ~StoreBase() override;

  Result<std::unique_ptr<Transaction>> Begin(TxMode mode) final;
  void SubmitWrite(WriteJob job) final;

 protected:
  // `write_lock_timeout_ms`: how long Begin(kWrite) and a batch wait for the writer lock before
  // kUnavailable. `max_idle_readers`: reader connections kept open for reuse.
  StoreBase(int write_lock_timeout_ms, size_t max_idle_readers);

  // A new reader connection, for the pool to hand out when it has no idle one.
  virtual Result<std::unique_ptr<StoreConnection>> OpenReader() = 0;
  // Runs on the writer connection right before the COMMIT of every write transaction, standalone
  // or group-commit batch, the writer lock held: the one place for a step every write commits
  // with. A failure rolls the transaction back and is what its Commit (or every job of the batch)
  // reports. Not run for what rolls back anyway (a poisoned transaction, an aborted batch). The
  // default does nothing.
  virtual Status BeforeCommitWrite(StoreConnection& writer);
  // Runs right after a write transaction or batch committed, the writer lock still held. The
  // default does nothing.
  virtual void AfterWriteCommitted() {}

  // The writer connection, set once by the backend's Open before StartWriter.
  void SetWriter(std::unique_ptr<StoreConnection> writer) { writer_ = std::move(writer); }
  StoreConnection& writer() { return *writer_; }
  // Starts the group-commit writer thread (at the end of the backend's Open).
  void StartWriter();
  // Runs what is still queued, then ends the writer thread. A backend's destructor calls it
  // first: the writer thread calls the backend's virtual methods.
  void StopWriter();

  // The reader pool, which Begin(kRead) uses; also for a backend's own reads outside any
  // Transaction. Acquire hands out an idle reader, or opens one (OpenReader); Release keeps it for
  // reuse unless it is lost, still in a transaction, or the pool is full.
  Result<std::unique_ptr<StoreConnection>> AcquireReader();
  void ReleaseReader(std::unique_ptr<StoreConnection> reader);

 private:
  class StoreTransaction;
  struct Batch;

  Result<std::unique_ptr<Transaction>> BeginInBatch(TxMode mode, Batch& batch);
  // BeforeCommitWrite, COMMIT and AfterWriteCommitted on the writer; rolled back if any fails.
  Status CommitWriter();
  void WriterLoop();
  void RunBatches(std::vector<WriteJob>& jobs);

  // The batch the current thread is running jobs of, if any (set by the writer thread only).
  static thread_local const StoreBase* running_store;
  static thread_local Batch* running_batch;

  const int write_lock_timeout_ms_;
  const size_t max_idle_readers_;
  std::unique_ptr<StoreConnection> writer_;
  FairTimedLock writer_lock_;  // held by the live write transaction or batch, if any
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<StoreConnection>> idle_readers_;  // GUARDED_BY(readers_mutex_)
  std::thread writer_thread_;                                   // group commit: WriterLoop
  std::mutex jobs_mutex_;
  std::condition_variable jobs_cv_;
  std::deque<WriteJob> jobs_;     // GUARDED_BY(jobs_mutex_)
  bool writer_stopping_ = false;  // GUARDED_BY(jobs_mutex_)
};

}  // namespace orgtwin::store
