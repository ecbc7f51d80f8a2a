// File: store/sqlite_store.cc
//
// The SQLite backend of store.h. The transaction states, poisoning, AfterCommit hooks, the reader
// pool and the group-commit writer thread are StoreBase's (store_base.h); this file supplies what
// is SQLite's: the Connection (statements, error codes, BEGIN IMMEDIATE), the WAL and its
// checkpoints, and the migration target.
//
// Connections: one writer connection, used by one write transaction at a time under StoreBase's
// in-process FIFO lock held for the transaction's whole life (BEGIN IMMEDIATE also takes SQLite's
// file lock, so another process is serialized by busy_timeout); and a pool of reader connections
// (query_only, BEGIN DEFERRED). WAL lets readers keep their snapshot while the writer commits.
// Each connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX) and caches its prepared
// statements by SQL text, so the hot path never re-parses SQL.
//
// Group commit (SubmitWrite, StoreBase): the writer thread runs the queued jobs in one BEGIN
// IMMEDIATE ... COMMIT -- each job's write transaction is `SAVEPOINT job` ... `RELEASE job` (or
// `ROLLBACK TO job`), its read transactions read the writer connection directly. Why: a SQLite
// commit costs the same WAL header, file locks and wal-index update whether it carries one row or
// fifty, and rows that share a page (a role's last-use stamp, an index leaf) are written once per
// batch instead of once per request. A failure that aborts SQLite's whole transaction (I/O error,
// disk full) fails the jobs of that batch only; the writer starts a new batch for the rest.
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "store/migrator.h"
#include "store/sql_text.h"
#include "store/store.h"
#include "store/store_base.h"
#include "store/wal_coalescing_vfs.h"

namespace orgtwin::store {
namespace {

// Past this many distinct SQL texts a connection stops caching and prepares one-shot statements:
// services use fixed SQL, so only generated SQL (e.g. IN lists of varying length) lands here.
constexpr size_t kMaxCachedStatements = 512;

// WAL length (frames of one page) past which the writer completes a checkpoint so the WAL starts
// over (SqliteStore::AfterWriteCommitted): ~32 MiB. SQLite's own autocheckpoint default, 1,000
// frames, made that finishing checkpoint (a copy and two fsyncs on the writer thread) run every few
// batches at group-commit rates: CreateAccount 0 -> 9,000 accounts ran at 2.6k/s against 3.4k/s
// unbounded. At 8,192 frames it costs ~4% (5.2k/s against 5.4k/s) and the WAL stays ~34 MB instead
// of the 0.5 GB those 9,000 accounts left unbounded.
constexpr int kWalFramesBeforeRestart = 8192;
// How large a savepoint's sub-journal grows in memory before SQLite moves it to a temporary
// file: twice the ~60 KiB of pages a CreateAccount job changes. It must stay below 128 KiB: the
// spill writes the whole in-memory journal in one xWrite, and the unix VFS writes at most
// 128 KiB - 1 bytes per call and reports SQLITE_FULL ("database or disk is full") for the rest
// (wal_coalescing_vfs.cc splits its writes for the same reason). A job larger than this (a reset
// inside a group-commit batch) then failed; sqlite_store_test pins it.
constexpr int kSubJournalSpillBytes = 124 << 10;
// A WAL file larger than this is truncated back to it when the WAL starts over, so one burst does
// not keep its disk space forever.
constexpr int64_t kWalSizeLimitBytes = 64 << 20;

// Maps a SQLite result code (extended codes are on) to the generic ErrorCode of store.h.
Status StatusFromSqlite(int rc, std::string_view what, std::string_view sql) {
  std::string message = "sqlite: " + std::string(what);
  if (!sql.empty()) message += " in `" + Snippet(sql) + "`";
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExistsError(std::move(message));
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return InvalidInputError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

Status DbError(sqlite3* db, int rc, std::string_view sql) {
  return StatusFromSqlite(rc, sqlite3_errmsg(db), sql);
}

bool IsBlank(const char* p) {
  for (; *p != '\0'; ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') return false;
  }
  return true;
}

Value ReadColumn(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
      // Read as bytes; the portable dialect stores blobs as TEXT, so this is only for stray data.
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      int size = sqlite3_column_bytes(stmt, i);
      return blob == nullptr ? std::string() : std::string(blob, static_cast<size_t>(size));
    }
    default:
      return std::monostate();
  }
}

int BindValue(sqlite3_stmt* stmt, int index, const Value& value) {
  // SQLITE_STATIC: the caller's params outlive the statement's use; Run() clears the bindings
  // before it returns.
  if (const auto* n = std::get_if<int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *n);
  if (const auto* d = std::get_if<double>(&value)) return sqlite3_bind_double(stmt, index, *d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return sqlite3_bind_null(stmt, index);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// One sqlite3 handle and its statement cache. Used by one thread at a time (the owner of the
// transaction that holds it).
class Connection final : public StoreConnection {
 public:
  enum class Kind { kWriter, kReader };

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Kind kind,
                                                  int busy_timeout_ms) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (kind == Kind::kWriter) flags |= SQLITE_OPEN_CREATE;
    sqlite3* db = nullptr;
    // The WAL-coalescing VFS (wal_coalescing_vfs.h) writes each commit's frames in one call.
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, WalCoalescingVfsName());
    auto conn = std::unique_ptr<Connection>(new Connection(db));  // closes db on every path
    if (rc != SQLITE_OK) {
      return StatusFromSqlite(rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), "open " + path);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    // foreign_keys is per connection and a no-op inside a transaction, so set it here.
    OT_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=ON"));
    // SQLite's default page cache (2 MiB) is smaller than the working set of an organization
    // with thousands of accounts; every miss is a read(2). 32 MiB per connection keeps the hot
    // tables and indexes in memory (pages are allocated on use, not up front).
    OT_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-32768"));
    // Savepoints and statements keep the original of each page they change in a sub-journal so
    // they can be rolled back alone; every group-commit job is a savepoint (~15 pages for a
    // CreateAccount). With temp_store=MEMORY SQLite keeps that journal in 1 KiB pieces, ~60
    // allocations per job; otherwise in one piece up to the spill size set in
    // OpenSqliteStore (SQLITE_CONFIG_STMTJRNL_SPILL), past which it moves to a temporary file.
    // So writers keep the default; readers, whose temporary data is only sorts, keep theirs in
    // memory. Neither holds durable data.
    if (kind == Kind::kReader) {
      OT_RETURN_IF_ERROR(conn->Exec("PRAGMA temp_store=MEMORY"));
      // A reader must never upgrade to a writer: that would bypass the writer lock.
      OT_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only=ON"));
    }
    return conn;
  }

  ~Connection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  // StoreConnection: how StoreBase's transactions run on SQLite.
  Result<int64_t> RunStatement(std::string_view sql, const Value* params, size_t count,
                               std::vector<Row>* rows, bool read_only) override {
    return Run(sql, params, count, rows, read_only);
  }
  // BEGIN IMMEDIATE takes SQLite's write lock at once, so another process's writer waits (up to
  // busy_timeout) here rather than failing at its first write.
  Status BeginWrite() override {
    // A ROLLBACK that failed earlier may have left the writer inside a transaction.
    Rollback();
    return RunInternal("BEGIN IMMEDIATE");
  }
  Status BeginRead() override { return RunInternal("BEGIN"); }
  Status Savepoint() override { return RunInternal("SAVEPOINT job"); }
  Status ReleaseSavepoint() override { return RunInternal("RELEASE job"); }
  Status RollbackToSavepoint() override {
    OT_RETURN_IF_ERROR(RunInternal("ROLLBACK TO job"));
    return RunInternal("RELEASE job");
  }
  Status Commit() override { return RunInternal("COMMIT"); }

  // Runs one or more statements without parameters (pragmas, migrations).
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string what = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return StatusFromSqlite(sqlite3_extended_errcode(db_), what, sql);
  }

  // Runs one statement. Appends result rows to *rows when non-null; returns rows changed.
  // `read_only`: fail before running anything that would write. `internal`: allow transaction
  // control (the Store's own BEGIN/COMMIT/ROLLBACK).
  Result<int64_t> Run(std::string_view sql, const Value* params, size_t param_count,
                      std::vector<Row>* rows, bool read_only, bool internal = false) {
    sqlite3_stmt* stmt = nullptr;
    bool cached = true;
    if (auto it = cache_.find(sql); it != cache_.end()) {
      stmt = it->second;
    } else {
      if (!internal && IsTransactionControl(sql)) {
        return InternalError("store: transaction control in `" + Snippet(sql) +
                             "`; use Store::Begin and Transaction::Commit");
      }
      cached = cache_.size() < kMaxCachedStatements;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  cached ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
      if (rc != SQLITE_OK) return DbError(db_, rc, sql);
      if (stmt == nullptr) return InternalError("store: empty statement");
      // `tail` points into sql, which is not NUL-terminated; check the remainder by length.
      std::string rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
      if (!IsBlank(rest.c_str())) {
        sqlite3_finalize(stmt);
        return InternalError("store: more than one statement in `" + Snippet(sql) + "`");
      }
      if (cached) cache_.emplace(std::string(sql), stmt);
    }
    // Reset and unbind on every exit, so the statement is reusable and holds no pointer into
    // the caller's params.
    struct Cleanup {
      sqlite3_stmt* stmt;
      bool cached;
      ~Cleanup() {
        if (cached) {
          sqlite3_reset(stmt);
          sqlite3_clear_bindings(stmt);
        } else {
          sqlite3_finalize(stmt);
        }
      }
    } cleanup{stmt, cached};

    bool writes = sqlite3_stmt_readonly(stmt) == 0;
    if (read_only && writes) {
      return InternalError("store: write statement in a read transaction: `" + Snippet(sql) + "`");
    }
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<size_t>(expected) != param_count) {
      return InternalError("store: `" + Snippet(sql) + "` takes " + std::to_string(expected) +
                           " parameters, got " + std::to_string(param_count));
    }
    for (size_t i = 0; i < param_count; ++i) {
      int rc = BindValue(stmt, static_cast<int>(i + 1), params[i]);
      if (rc != SQLITE_OK) return DbError(db_, rc, sql);
    }
    int columns = sqlite3_column_count(stmt);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return DbError(db_, rc, sql);
      if (rows != nullptr) {
        std::vector<Value> values;
        values.reserve(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) values.push_back(ReadColumn(stmt, c));
        rows->emplace_back(std::move(values));
      }
    }
    return writes ? static_cast<int64_t>(sqlite3_changes64(db_)) : int64_t{0};
  }

  Status RunInternal(std::string_view sql) {
    return Run(sql, nullptr, 0, nullptr, /*read_only=*/false, /*internal=*/true).status();
  }
  Result<std::vector<Row>> QueryInternal(std::string_view sql, const Value* params = nullptr,
                                         size_t param_count = 0) {
    std::vector<Row> rows;
    OT_RETURN_IF_ERROR(
        Run(sql, params, param_count, &rows, /*read_only=*/false, /*internal=*/true).status());
    return rows;
  }

  // Best effort: a failed ROLLBACK leaves the connection in a transaction, which the owner checks.
  // Copies committed WAL frames into the database file without waiting for readers or the
  // writer (SQLITE_CHECKPOINT_PASSIVE). Best effort: a busy database is checkpointed next time.
  void CheckpointPassive() {
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

  // Makes wal_frames() report the WAL's length after each commit on this connection.
  void TrackWalFrames() {
    sqlite3_wal_hook(
        db_,
        [](void* self, sqlite3*, const char*, int frames) {
          static_cast<Connection*>(self)->wal_frames_ = frames;
          return SQLITE_OK;
        },
        this);
  }
  // Copies the whole WAL into the database file and waits (busy timeout) for the readers still
  // on older snapshots to finish, so the next write starts the WAL from its beginning
  // (SQLITE_CHECKPOINT_RESTART). New readers are not blocked: they read the database file.
  void CheckpointRestart() {
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  }

  // Frames in the WAL after this connection's last commit (TrackWalFrames only).
  int wal_frames() const { return wal_frames_; }

  void Rollback() override {
    if (InTransaction()) RunInternal("ROLLBACK").IgnoreError();
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
  int wal_frames_ = 0;
};

// The migration runner's view of the writer connection (migrator.h), used only inside Open.
class SqliteMigrationTarget final : public MigrationTarget {
 public:
  SqliteMigrationTarget(Connection& writer, std::string path)
      : w_(writer), path_(std::move(path)) {}

  std::string_view BackendName() const override { return "sqlite"; }
  std::string DatabaseName() const override { return path_; }

  // Foreign keys are off while migrations run, as SQLite's procedure for schema changes asks: a
  // migration that rebuilds a table (create the new one, copy, drop the old, rename) would
  // otherwise trip the references other tables hold to it. Each migration checks every reference
  // before it commits instead (CheckIntegrity). The pragma is a no-op inside a transaction, so
  // the runner calls these between transactions.
  Status BeginRun() override { return w_.Exec("PRAGMA foreign_keys=OFF"); }
  // Ignored: outside a transaction the pragma fails only if SQLite runs out of memory, and after
  // a failed run the store is not opened at all.
  void EndRun() override { w_.Exec("PRAGMA foreign_keys=ON").IgnoreError(); }

  Status BeginExclusive() override { return w_.RunInternal("BEGIN IMMEDIATE"); }
  Status ExecuteScript(std::string_view sql) override { return w_.Exec(std::string(sql)); }
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return w_.QueryInternal(sql, params.data(), params.size());
  }
  Status CheckIntegrity() override {
    OT_ASSIGN_OR_RETURN(std::vector<Row> dangling, w_.QueryInternal("PRAGMA foreign_key_check"));
    if (!dangling.empty()) {
      return InternalError("leaves " + std::to_string(dangling.size()) +
                           " rows whose foreign keys point nowhere (first in table `" +
                           dangling.front().Text(0) + "`)");
    }
    return Status::Ok();
  }
  Status Commit() override { return w_.RunInternal("COMMIT"); }
  void Rollback() override { w_.Rollback(); }

 private:
  Connection& w_;
  std::string path_;
};

class SqliteStore final : public StoreBase {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options) {
    if (options.path.empty() || options.path == ":memory:") {
      return InvalidInputError("store: sqlite path must name a file");
    }
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return InternalError("store: cannot create directory `" + parent.string() +
                           "`: " + ec.message());
    }
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore(options));
    OT_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> writer,
        Connection::Open(options.path, Connection::Kind::kWriter, options.busy_timeout_ms));
    Connection& w = *writer;
    store->SetWriter(std::move(writer));
    // journal_mode is persistent in the file; the result row says whether it took.
    OT_ASSIGN_OR_RETURN(std::vector<Row> mode, w.QueryInternal("PRAGMA journal_mode=WAL"));
    if (mode.empty() || mode[0].Text(0) != "wal") {
      return InternalError("store: cannot switch `" + options.path + "` to WAL mode");
    }
    OT_RETURN_IF_ERROR(w.Exec(options.sync == SqliteSync::kFull ? "PRAGMA synchronous=FULL"
                                                                : "PRAGMA synchronous=NORMAL"));
    SqliteMigrationTarget target(w, options.path);
    OT_ASSIGN_OR_RETURN(
        store->schema_version_,
        RunMigrations(target, options.migrations ? *options.migrations : EmbeddedMigrations()));
    // Checkpoints move WAL frames into the database file and fsync it. Run by the committing
    // writer (SQLite's default, every 1,000 pages) they stall one request in a few hundred for
    // the copy and the fsync while every other writer queues behind it. A background thread
    // on its own connection runs PASSIVE checkpoints instead: they never block the writer and
    // keep the WAL short. Durability is unchanged (a commit is durable once in the WAL).
    //
    // The background thread alone cannot keep the WAL bounded under a steady write load: SQLite
    // starts the WAL over only when a checkpoint copied every frame before the next write
    // began, which a checkpoint racing continuous commits never achieves, so the WAL would grow
    // without end (hundreds of MB in a minute of CreateAccount) and every frame would land on a
    // fresh file page. So the writer, while it holds the write lock after a commit and the WAL
    // is past kWalFramesBeforeRestart, finishes the checkpoint itself (the background thread
    // has usually copied most frames already) in RESTART mode: a PASSIVE one is not enough
    // under continuous reads, as SQLite can start the WAL over only when no reader holds a
    // snapshot in it; RESTART waits out the readers of the moment (read transactions are short).
    OT_RETURN_IF_ERROR(w.Exec("PRAGMA wal_autocheckpoint=0"));
    OT_RETURN_IF_ERROR(w.Exec("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes)));
    w.TrackWalFrames();
    OT_ASSIGN_OR_RETURN(
        store->checkpointer_,
        Connection::Open(options.path, Connection::Kind::kWriter, options.busy_timeout_ms));
    store->checkpoint_thread_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
    store->StartWriter();
    return store;
  }

  ~SqliteStore() override {
    // INVARIANT: every Transaction was destroyed before its Store (store.h contract).
    StopWriter();  // runs what is still queued first
    {
      std::lock_guard<std::mutex> lock(checkpoint_mutex_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    checkpointer_.reset();
    // ~StoreBase closes the idle readers, then the writer.
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Every 100 ms, and once more at shutdown: a PASSIVE checkpoint of whatever the WAL holds.
  void CheckpointLoop() {
    std::unique_lock<std::mutex> lock(checkpoint_mutex_);
    while (true) {
      bool stop = checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(100),
                                          [this] { return stopping_; });
      lock.unlock();
      {
        std::lock_guard<std::mutex> running(checkpoint_run_mutex_);
        checkpointer_->CheckpointPassive();
      }
      lock.lock();
      if (stop) return;
    }
  }

  int64_t SchemaVersion() const override { return schema_version_; }
  std::string Describe() const override { return "sqlite:" + options_.path; }

 private:
  explicit SqliteStore(SqliteOptions options)
      : StoreBase(options.busy_timeout_ms, options.max_idle_readers), options_(std::move(options)) {
    options_.migrations.reset();  // views into the caller's data; only Open uses them
  }

  Result<std::unique_ptr<StoreConnection>> OpenReader() override {
    OT_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> reader,
        Connection::Open(options_.path, Connection::Kind::kReader, options_.busy_timeout_ms));
    return std::unique_ptr<StoreConnection>(std::move(reader));
  }

  // After a commit, with the write lock still held: see "The background thread alone" in Open.
  void AfterWriteCommitted() override {
    auto& w = static_cast<Connection&>(writer());
    if (w.wal_frames() < kWalFramesBeforeRestart) return;
    // SQLite answers SQLITE_BUSY at once, without waiting, while another connection
    // checkpoints: wait for the background checkpoint instead (it leaves little to copy).
    std::lock_guard<std::mutex> lock(checkpoint_run_mutex_);
    w.CheckpointRestart();
  }

  SqliteOptions options_;
  int64_t schema_version_ = 0;
  std::unique_ptr<Connection> checkpointer_;  // used only by checkpoint_thread_
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool stopping_ = false;            // GUARDED_BY(checkpoint_mutex_)
  std::mutex checkpoint_run_mutex_;  // held while either connection checkpoints
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  // SQLite counts every allocation under a global mutex (SQLITE_CONFIG_MEMSTATUS) for
  // sqlite3_memory_used(), which orgtwin never asks for; off, every statement skips that lock.
  // Only possible before SQLite initializes, so once, before the first connection.
  // A savepoint's sub-journal stays in memory, in one allocation, up to kSubJournalSpillBytes
  // (Connection::Open explains why); SQLite's default, 64 KiB, is about one job's worth of pages,
  // past which every savepoint created and deleted a temporary file.
  static std::once_flag configured;
  std::call_once(configured, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, kSubJournalSpillBytes);
  });
  OT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace orgtwin::store
