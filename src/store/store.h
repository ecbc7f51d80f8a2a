// File: store/store.h
//
// The storage interface every service writes through. A Store hands out Transactions; a handler
// does all its reads and writes -- its audit event included -- in ONE transaction, so a write and
// its audit record commit together or not at all. Backends: SQLite (embedded default: one file,
// WAL; see SqliteOptions for durability) and PostgreSQL (postgres_store.h), both built on
// StoreBase (store_base.h), which implements this file's transaction and group-commit rules once.
// docs/storage.md is the guide.
//
// SQL is written once in a portable dialect: `?` placeholders (the PostgreSQL backend rewrites
// them to $1..$n), TEXT/BIGINT/DOUBLE PRECISION/BLOB-as-TEXT columns, no backend-specific
// functions. Schema changes are versioned migrations (migrations/NNNN_name.sql) applied in order
// at Open and recorded in `schema_migrations`.
//
// Nothing of a backend's own API (sqlite3*, PGconn*) crosses this interface.
//
// Thread-safety: a Store is safe to use from many threads; each Transaction belongs to the one
// thread that began it. Write transactions are serialized by the backend; read transactions run
// concurrently with them (snapshot reads: a read transaction sees the database as of its first
// statement, like PostgreSQL REPEATABLE READ). Every Transaction must be destroyed before the
// Store that began it.
//
// Group commit (SubmitWrite): the server's write requests do not each pay for a commit. They are
// queued as jobs for the store's writer thread, which runs the jobs waiting at the same time one
// after another inside ONE backend transaction -- each job's Begin(kWrite) is a savepoint in it,
// so a job that fails or rolls back undoes only its own changes -- and commits once for all of
// them. A job learns that its changes are durable from its `done` callback, which runs after that
// commit; a request must not be answered before. Inside a job, Begin(kRead) reads through the
// writer's connection, so a job sees its own writes and those of the jobs before it in the batch.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace orgtwin::store {

// A column value or a bound parameter. NULL is std::monostate.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  // Typed accessors; a NULL reads as 0 / "" (use IsNull to tell). Int on a double truncates,
  // Double on an integer converts; Int/Double on text read 0 and Text on a number or NULL reads
  // "" (no implicit formatting: a column's type is part of the schema). Throws std::out_of_range
  // for an index >= size() -- a bug in the caller's SQL, never caused by input.
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  const std::string& Text(size_t i) const;
  const Value& at(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

// Errors of Execute/Query: a unique or primary-key violation is kAlreadyExists; any other
// constraint (NOT NULL, CHECK, FOREIGN KEY) kInvalidInput; a busy/locked store past its timeout
// kUnavailable; anything else (bad SQL, a write in a kRead transaction, I/O) kInternal. A failed
// statement poisons the transaction: it is rolled back at once, every later call fails with the
// same Status, and nothing of it is ever committed.
class Transaction {
 public:
  // Rolls back unless Commit() succeeded.
  virtual ~Transaction() = default;

  // One statement per call (no trailing second statement). Params bind to `?` in order.
  // Runs a statement that returns no rows. Returns the number of rows changed.
  virtual Result<int64_t> Execute(std::string_view sql,
                                  std::initializer_list<Value> params = {}) = 0;
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs a query and returns every row.
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         std::initializer_list<Value> params = {}) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         const std::vector<Value>& params) = 0;
  // Commits. On failure everything is rolled back and the transaction is finished.
  // A unique-constraint violation anywhere in the transaction reports kAlreadyExists;
  // a serialization conflict kConflict; a busy/locked store past its timeout kUnavailable.
  // Once Commit returned, every further call fails (kInternal).
  // Inside a group-commit job, Commit ends the job's savepoint; the changes become durable with
  // the batch (WriteJob::done).
  virtual Status Commit() = 0;

  // Runs `hook` once this transaction's changes are durable and visible to every reader: right
  // after Commit() succeeds or, inside a group-commit job, after the batch commits. Dropped if
  // the transaction or its batch rolls back. For in-memory caches of stored state (e.g. access
  // keys): dropping an entry earlier would let a concurrent reader refill it from the old state.
  virtual void AfterCommit(std::function<void()> hook) = 0;
};

// One unit of work for the writer thread (Store::SubmitWrite).
struct WriteJob {
  // Runs on the writer thread inside the batch's transaction; does its writes through
  // Store::Begin(kWrite) like any other code (and must not wait for another job).
  std::function<void()> work;
  // Runs on the writer thread after the batch ended, with the batch's commit status: Ok means
  // everything `work` committed is durable. Must be quick (hand the result to another thread).
  std::function<void(const Status& committed)> done;
};

enum class TxMode {
  kRead,   // snapshot read; writes fail
  kWrite,  // serialized with other writers from the start (SQLite BEGIN IMMEDIATE)
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode) = 0;
  // Group commit: queues `job` for the writer thread (see the top of this file). The default
  // runs it at once on the caller's thread, each transaction committing on its own.
  virtual void SubmitWrite(WriteJob job);

  // Several nodes on one database (PostgreSQL; docs/storage.md "Several nodes"):
  //
  // How many times this Store has found the database changed by commits it did not make --
  // another orgtwin node's -- asked of the database now (one round trip). When the count moves,
  // every in-memory cache of stored state may be stale, so a node asks before each request and
  // drops its caches when it moved. kUnavailable if the database cannot be reached. The default
  // (SQLite: one serving process per file) is always 0.
  virtual Result<uint64_t> CommitsByOthers() { return uint64_t{0}; }
  // Whether this node runs the background work that must run once for the whole twin (SNS and
  // CloudTrail deliveries, the SMTP relay): exactly one node leads at a time, and when it dies
  // another takes over at its next call. Cheap enough to ask every poll. The default (one node)
  // always leads.
  virtual Result<bool> LeadsBackgroundWork() { return true; }

  // The schema version after migrations (number of the last applied migration).
  virtual int64_t SchemaVersion() const = 0;
  // Name for logs and health: "sqlite:/path/orgtwin.db".
  virtual std::string Describe() const = 0;
};

// The migrations compiled into the binary, in order: {version, name, sql, backend}.
struct Migration {
  int64_t version;
  std::string_view name;
  std::string_view sql;  // one or more statements separated by `;`
  // "" runs on every backend. "sqlite" (migrations/NNNN_name.sqlite.sql) runs only on SQLite: a
  // physical-layout change in SQLite's own syntax (WITHOUT ROWID); other backends ("postgres")
  // record the version without running it, so schema versions stay the same number everywhere.
  std::string_view backend = "";
};
const std::vector<Migration>& EmbeddedMigrations();

// SQLite's `synchronous` setting, always with journal_mode=WAL.
enum class SqliteSync {
  // A commit is appended to the WAL without fsync: an acknowledged commit survives a crash or
  // kill -9 of the process (the OS still holds the write), but a power loss or kernel crash may
  // lose the last commits (never corrupts the database). The default: a twin is not a ledger.
  kNormal,
  // fsync of the WAL on every commit: an acknowledged commit also survives power loss.
  kFull,
};

struct SqliteOptions {
  std::string path;  // database file; ":memory:" is not supported (tests use a temp dir)
  // How long a writer waits for the write lock (in-process and across processes) and a reader
  // for a busy file before the call fails with kUnavailable.
  int busy_timeout_ms = 5000;
  SqliteSync sync = SqliteSync::kNormal;
  // Idle reader connections kept open for reuse; more are opened on demand under load.
  size_t max_idle_readers = 8;
  // Tests only: the migrations to apply instead of EmbeddedMigrations(), ascending by version.
  // The views need only outlive the OpenSqliteStore call.
  std::optional<std::vector<Migration>> migrations;
};

// Opens (creating the file and missing parent directories) the SQLite database and applies
// pending migrations, each in its own transaction. Fails with kInternal when the database's schema
// version is newer than the newest migration this binary knows (an older orgtwin must not write a
// newer schema), and with kUnavailable when the file stays locked past busy_timeout_ms.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace orgtwin::store
