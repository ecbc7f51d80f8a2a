// File: store/store_base.cc
//
// The backend-neutral part of a Store (store_base.h): the transaction state machine and the
// group-commit writer. Nothing here knows SQL beyond what StoreConnection offers.
#include "store/store_base.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <string>
#include <utility>

namespace orgtwin::store {

// The state of one group-commit batch, owned by the writer thread.
struct StoreBase::Batch {
  bool aborted = false;      // the batch's transaction is lost; no further job may run
  Status error;              // why, once aborted
  bool job_writing = false;  // a job's write transaction (savepoint) is open
  std::vector<std::function<void()>> after_commit;

  void Abort(Status why) {
    if (aborted) return;
    aborted = true;
    error = std::move(why);
  }
};

thread_local const StoreBase* StoreBase::running_store = nullptr;
thread_local StoreBase::Batch* StoreBase::running_batch = nullptr;

namespace {

Status WriteLockTimeout(int timeout_ms) {
  return UnavailableError("store: timed out after " + std::to_string(timeout_ms) +
                          " ms waiting for the write lock");
}

}  // namespace

Result<int64_t> StoreConnection::RunJobRead(std::string_view sql, const Value* params, size_t count,
                                            std::vector<Row>* rows, Status* /*batch_lost*/) {
  return RunStatement(sql, params, count, rows, /*read_only=*/true);
}

class StoreBase::StoreTransaction final : public Transaction {
 public:
  enum class Kind {
    kWrite,         // the writer connection under the writer lock: BEGIN ... COMMIT
    kRead,          // a pooled reader connection: its own read transaction
    kBatchedWrite,  // inside a group-commit job: SAVEPOINT job ... RELEASE job
    kBatchedRead,   // inside a group-commit job: reads the writer connection
  };

  // kWrite (the caller holds the writer lock for us) or, with `batch`, kBatchedWrite/Read.
  StoreTransaction(StoreBase* store, StoreConnection* writer, Batch* batch, Kind kind)
      : store_(store), conn_(writer), batch_(batch), kind_(kind) {}
  // kRead: owns a pooled reader connection.
  StoreTransaction(StoreBase* store, std::unique_ptr<StoreConnection> reader)
      : store_(store), reader_(std::move(reader)), conn_(reader_.get()), kind_(Kind::kRead) {}
  ~StoreTransaction() override {
    if (state_ == State::kOpen) Abort();
    Release();
  }
  StoreTransaction(const StoreTransaction&) = delete;
  StoreTransaction& operator=(const StoreTransaction&) = delete;

  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params) override {
    return Run(sql, std::data(params), params.size(), nullptr);
  }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    return Run(sql, params.data(), params.size(), nullptr);
  }
  Result<std::vector<Row>> Query(std::string_view sql,
                                 std::initializer_list<Value> params) override {
    return QueryImpl(sql, std::data(params), params.size());
  }
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return QueryImpl(sql, params.data(), params.size());
  }

  Status Commit() override {
    if (state_ == State::kPoisoned) {
      state_ = State::kFinished;
      return error_;
    }
    if (state_ == State::kFinished) return InternalError("store: transaction already finished");
    Status status = Status::Ok();
    switch (kind_) {
      case Kind::kWrite:
        status = store_->CommitWriter();
        break;
      case Kind::kRead:
        status = conn_->Commit();
        if (!status.ok()) conn_->Rollback();
        break;
      case Kind::kBatchedWrite:
        status = conn_->ReleaseSavepoint();
        if (!status.ok()) Abort();
        break;
      case Kind::kBatchedRead:
        break;
    }
    state_ = State::kFinished;
    Release();
    if (status.ok()) {
      if (kind_ == Kind::kBatchedWrite) {
        for (auto& hook : after_commit_) batch_->after_commit.push_back(std::move(hook));
      } else {
        for (auto& hook : after_commit_) hook();
      }
    }
    after_commit_.clear();
    return status;
  }

  void AfterCommit(std::function<void()> hook) override {
    after_commit_.push_back(std::move(hook));
  }

 private:
  enum class State { kOpen, kPoisoned, kFinished };

  Result<std::vector<Row>> QueryImpl(std::string_view sql, const Value* params, size_t count) {
    std::vector<Row> rows;
    OT_RETURN_IF_ERROR(Run(sql, params, count, &rows).status());
    return rows;
  }

  Result<int64_t> Run(std::string_view sql, const Value* params, size_t count,
                      std::vector<Row>* rows) {
    if (state_ == State::kPoisoned) return error_;
    if (state_ == State::kFinished) return InternalError("store: transaction already finished");
    if (batch_ != nullptr && batch_->aborted) return batch_->error;
    Result<int64_t> result = RunStatement(sql, params, count, rows);
    if (!result.ok()) {
      // A backend may keep its transaction open after a failed statement (SQLite does); we abort
      // it so that nothing done before the failure can be committed by a caller that ignored the
      // error.
      error_ = result.status();
      state_ = State::kPoisoned;
      Abort();
      Release();
    }
    return result;
  }

  Result<int64_t> RunStatement(std::string_view sql, const Value* params, size_t count,
                               std::vector<Row>* rows) {
    if (kind_ != Kind::kBatchedRead) {
      return conn_->RunStatement(sql, params, count, rows, /*read_only=*/kind_ == Kind::kRead);
    }
    Status batch_lost;
    Result<int64_t> result = conn_->RunJobRead(sql, params, count, rows, &batch_lost);
    if (!batch_lost.ok()) batch_->Abort(batch_lost);
    return result;
  }

  // Undoes this transaction's changes. Inside a batch only the job's savepoint is rolled back --
  // unless the backend already rolled back the whole batch (SQLite: I/O error, disk full;
  // PostgreSQL: the connection is gone), which aborts it.
  void Abort() {
    after_commit_.clear();
    if (batch_ == nullptr) {
      conn_->Rollback();
      return;
    }
    if (!conn_->Healthy() || !conn_->InTransaction()) {
      batch_->Abort(state_ == State::kPoisoned
                        ? error_
                        : InternalError("store: the batch's transaction was rolled back"));
      return;
    }
    if (kind_ == Kind::kBatchedWrite) {
      Status undone = conn_->RollbackToSavepoint();
      // The job's changes cannot be separated from the batch's: give up on the batch.
      if (!undone.ok()) batch_->Abort(undone);
    }
  }

  // Gives back what the transaction holds: the writer lock, a reader, a job's write slot.
  void Release() {
    if (released_) return;
    released_ = true;
    switch (kind_) {
      case Kind::kWrite:
        store_->writer_lock_.Unlock();
        break;
      case Kind::kRead:
        store_->ReleaseReader(std::move(reader_));
        break;
      case Kind::kBatchedWrite:
        batch_->job_writing = false;
        break;
      case Kind::kBatchedRead:
        break;
    }
  }

  StoreBase* store_;
  std::unique_ptr<StoreConnection> reader_;  // kRead only
  StoreConnection* conn_;
  Batch* batch_ = nullptr;  // kBatchedWrite/kBatchedRead only
  Kind kind_;
  State state_ = State::kOpen;
  bool released_ = false;
  Status error_;  // the first failure, once poisoned
  std::vector<std::function<void()>> after_commit_;
};

StoreBase::StoreBase(int write_lock_timeout_ms, size_t max_idle_readers)
    : write_lock_timeout_ms_(write_lock_timeout_ms), max_idle_readers_(max_idle_readers) {}

StoreBase::~StoreBase() {
  // INVARIANT: every Transaction was destroyed before its Store (store.h contract).
  StopWriter();  // normally done by the backend's destructor already
  idle_readers_.clear();
  writer_.reset();
}

Status StoreBase::BeforeCommitWrite(StoreConnection& /*writer*/) { return Status::Ok(); }

Result<std::unique_ptr<Transaction>> StoreBase::Begin(TxMode mode) {
  if (running_store == this) return BeginInBatch(mode, *running_batch);
  if (mode == TxMode::kWrite) {
    if (!writer_lock_.TryLockFor(std::chrono::milliseconds(write_lock_timeout_ms_))) {
      return WriteLockTimeout(write_lock_timeout_ms_);
    }
    Status status = writer_->BeginWrite();
    if (!status.ok()) {
      writer_lock_.Unlock();
      return status;
    }
    return std::unique_ptr<Transaction>(
        new StoreTransaction(this, writer_.get(), nullptr, StoreTransaction::Kind::kWrite));
  }
  // An idle connection may have been lost since its last use (a PostgreSQL server dropped the
  // session): one more try on a fresh connection tells that apart from a server that is down.
  for (int attempt = 0;; ++attempt) {
    OT_ASSIGN_OR_RETURN(std::unique_ptr<StoreConnection> reader, AcquireReader());
    Status status = reader->BeginRead();
    if (status.ok()) {
      return std::unique_ptr<Transaction>(new StoreTransaction(this, std::move(reader)));
    }
    bool lost = !reader->Healthy();
    ReleaseReader(std::move(reader));
    if (!lost || attempt > 0) return status;
  }
}

void StoreBase::SubmitWrite(WriteJob job) {
  {
    std::lock_guard<std::mutex> lock(jobs_mutex_);
    if (!writer_stopping_) {
      jobs_.push_back(std::move(job));
      jobs_cv_.notify_one();
      return;
    }
  }
  // Shutting down: nobody will run the queue any more.
  job.done(UnavailableError("store: shutting down"));
}

// A transaction inside a group-commit job (the writer thread, between BEGIN and COMMIT).
Result<std::unique_ptr<Transaction>> StoreBase::BeginInBatch(TxMode mode, Batch& batch) {
  if (batch.aborted) return batch.error;
  if (mode == TxMode::kRead) {
    return std::unique_ptr<Transaction>(
        new StoreTransaction(this, writer_.get(), &batch, StoreTransaction::Kind::kBatchedRead));
  }
  // Outside a batch a second write transaction on one thread would wait for the first
  // forever; say so instead of nesting savepoints.
  if (batch.job_writing) {
    return InternalError("store: a job holds one write transaction at a time");
  }
  OT_RETURN_IF_ERROR(writer_->Savepoint());
  batch.job_writing = true;
  return std::unique_ptr<Transaction>(
      new StoreTransaction(this, writer_.get(), &batch, StoreTransaction::Kind::kBatchedWrite));
}

Result<std::unique_ptr<StoreConnection>> StoreBase::AcquireReader() {
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<StoreConnection> reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
  }
  return OpenReader();
}

void StoreBase::ReleaseReader(std::unique_ptr<StoreConnection> reader) {
  // A reader stuck in a transaction (failed ROLLBACK) or lost is closed, not reused.
  if (!reader->Healthy() || reader->InTransaction()) return;
  std::lock_guard<std::mutex> lock(readers_mutex_);
  if (idle_readers_.size() < max_idle_readers_) idle_readers_.push_back(std::move(reader));
  // else: `reader` closes here.
}

Status StoreBase::CommitWriter() {
  Status status = BeforeCommitWrite(*writer_);
  if (status.ok()) status = writer_->Commit();
  if (!status.ok()) {
    writer_->Rollback();
    return status;
  }
  AfterWriteCommitted();
  return status;
}

void StoreBase::StartWriter() {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

void StoreBase::StopWriter() {
  {
    std::lock_guard<std::mutex> lock(jobs_mutex_);
    writer_stopping_ = true;
  }
  jobs_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

// The writer thread: runs queued jobs in batches until the store closes (then drains).
void StoreBase::WriterLoop() {
  std::vector<WriteJob> jobs;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(jobs_mutex_);
      jobs_cv_.wait(lock, [this] { return writer_stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      size_t take = std::min(jobs_.size(), kMaxBatchJobs);
      jobs.assign(std::make_move_iterator(jobs_.begin()),
                  std::make_move_iterator(jobs_.begin() + static_cast<ptrdiff_t>(take)));
      jobs_.erase(jobs_.begin(), jobs_.begin() + static_cast<ptrdiff_t>(take));
    }
    RunBatches(jobs);
    jobs.clear();
  }
}

// Runs `jobs` in as few transactions as failures allow; calls every job's `done`.
void StoreBase::RunBatches(std::vector<WriteJob>& jobs) {
  std::vector<Status> outcome(jobs.size(), Status::Ok());
  if (!writer_lock_.TryLockFor(std::chrono::milliseconds(write_lock_timeout_ms_))) {
    Status busy = WriteLockTimeout(write_lock_timeout_ms_);
    for (WriteJob& job : jobs) job.done(busy);
    return;
  }
  std::vector<std::function<void()>> after_commit;
  size_t next = 0;
  while (next < jobs.size()) {
    Status begun = writer_->BeginWrite();
    if (!begun.ok()) {
      for (; next < jobs.size(); ++next) outcome[next] = begun;
      break;
    }
    Batch batch;
    const size_t first = next;
    running_store = this;
    running_batch = &batch;
    while (next < jobs.size() && !batch.aborted) {
      try {
        jobs[next].work();
      } catch (...) {
        // INVARIANT: jobs report errors as values. The job's transaction (if any) was rolled
        // back by its destructor during unwinding; the batch goes on.
      }
      ++next;
    }
    running_store = nullptr;
    running_batch = nullptr;
    Status committed = batch.error;
    if (batch.aborted) {
      writer_->Rollback();
    } else {
      committed = CommitWriter();
    }
    if (committed.ok()) {
      for (auto& hook : batch.after_commit) after_commit.push_back(std::move(hook));
    }
    for (size_t i = first; i < next; ++i) outcome[i] = committed;
  }
  writer_lock_.Unlock();
  for (auto& hook : after_commit) hook();
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].done(outcome[i]);
}

}  // namespace orgtwin::store
