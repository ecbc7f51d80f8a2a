// File: store/postgres_store.cc
//
// The PostgreSQL backend of store.h, through libpq. The transaction states, poisoning, AfterCommit
// hooks, the reader pool and the group-commit writer thread are StoreBase's (store_base.h), as
// for SQLite; this file supplies what is PostgreSQL's: the Connection (statements, typed results,
// SQLSTATE mapping, reconnecting, the writer lock and isolation levels) and the migration target.
//
// Connections: one writer connection, used by one write transaction at a time under StoreBase's
// in-process FIFO lock, and a pool of reader connections opened on demand. Each connection
// prepares a statement once per SQL text (`?` numbered to $n) and keeps it by that text, so the
// hot path sends only the parameters. Parameters travel as text and the server infers their types
// from the statement, as it would for quoted literals; results are typed by column (integers as
// int64, floating point as double, NUMERIC as int64 when whole -- SUM of BIGINT -- else double,
// booleans as 0/1, everything else as text), which is what SQLite returns for the same portable
// schema.
//
// Why writers are serialized by an advisory lock, not SERIALIZABLE plus retries: the handlers
// were written against SQLite's single writer and check-then-write freely (does the name exist?
// then insert). A transaction-level advisory lock taken right after BEGIN keeps that contract for
// every process on the database -- several orgtwin nodes included -- without auditing each
// handler, and it makes serialization failures between our writers impossible, so no handler has
// to be re-run (a group-commit job's work is not idempotent: it answers a request). The lock is
// held until COMMIT, like SQLite's BEGIN IMMEDIATE; group commit amortizes it as it does there.
// Under that lock a write transaction runs READ COMMITTED, so each statement sees every write
// committed before the lock was granted (a REPEATABLE READ snapshot would be taken by the lock's
// own SELECT, before the wait, and miss them). Readers are REPEATABLE READ READ ONLY: one
// snapshot from their first statement, never blocked by the writer.
//
// Group commit (SubmitWrite, StoreBase): as in the SQLite backend -- the writer thread takes the
// queued jobs, begins one transaction, runs each job's write transaction as `SAVEPOINT job` ...
// `RELEASE SAVEPOINT job` (or `ROLLBACK TO SAVEPOINT job`), and commits once. A failed statement
// aborts a whole PostgreSQL transaction until it is rolled back to a savepoint, so a job's read
// statements, which run on the writer connection without a savepoint of their own, each get one
// (Connection::RunJobRead): a failed read undoes nothing and leaves the batch usable, as in SQLite.
#include "store/postgres_store.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "store/commit_revision.h"
#include "store/migrator.h"
#include "store/sql_text.h"
#include "store/store.h"
#include "store/store_base.h"

namespace orgtwin::store {
// A namespace of its own: in a unity build this file shares a translation unit with
// sqlite_store.cc, whose helpers have the same names.
namespace postgres {
namespace {

// Past this many distinct SQL texts a connection stops preparing and runs one-shot statements:
// services use fixed SQL, so only generated SQL (e.g. IN lists of varying length) lands here.
constexpr size_t kMaxCachedStatements = 512;

// Advisory lock keys (one 64-bit key space per database). The writer lock is held by every write
// transaction and every migration; the migration lock by a whole migration run, so two nodes
// opening one fresh database do not race on `CREATE TABLE IF NOT EXISTS schema_migrations`.
constexpr int64_t kWriterLockKey = 0x6f72677477696e;  // "orgtwin"
constexpr int64_t kMigrationLockKey = kWriterLockKey + 1;
// Held (session-level) by the one node that runs the background work (LeadsBackgroundWork).
constexpr int64_t kLeaderLockKey = kWriterLockKey + 2;

// Raises the nodes' shared revision counter (commit_revision.h); run by every write transaction
// right before its COMMIT.
constexpr std::string_view kRaiseRevision =
    "UPDATE store_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision";

// Type OIDs of the built-in types (pg_type.h; fixed since PostgreSQL 7).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Maps a SQLSTATE to the generic ErrorCode of store.h.
Status StatusFromSqlState(std::string_view state, bool connection_lost, std::string message) {
  if (state == "23505") return AlreadyExistsError(std::move(message));  // unique_violation
  if (state.starts_with("23")) return InvalidInputError(std::move(message));
  // serialization_failure, deadlock_detected: the advisory lock keeps our writers apart, so
  // only a foreign writer on the same database can cause these.
  if (state == "40001" || state == "40P01") return ConflictError(std::move(message));
  // Connection exceptions, lock_not_available (lock_timeout), query_canceled, the server
  // shutting down or starting, too many connections: a retry may succeed.
  if (connection_lost || state.starts_with("08") || state == "55P03" || state == "57014" ||
      state.starts_with("57P") || state == "53300") {
    return UnavailableError(std::move(message));
  }
  return InternalError(std::move(message));
}

// libpq's own message for a connection, without its trailing newline.
std::string ConnectionMessage(PGconn* conn) {
  std::string message = conn ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

Status StatusFromResult(const PGresult* result, PGconn* conn, std::string_view sql) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = "postgres: " + (primary ? std::string(primary) : ConnectionMessage(conn));
  if (!sql.empty()) message += " in `" + Snippet(sql) + "`";
  return StatusFromSqlState(state ? state : "", PQstatus(conn) != CONNECTION_OK,
                            std::move(message));
}

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

Value ReadValue(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::monostate();
  const char* text = PQgetvalue(result, row, column);
  auto size = static_cast<size_t>(PQgetlength(result, row, column));
  switch (PQftype(result, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t n = 0;
      std::from_chars(text, text + size, n);
      return n;
    }
    case kNumericOid: {
      // SUM over BIGINT is NUMERIC; SQLite's SUM of integers is an integer. A whole value that
      // fits reads as int64, anything else (a fraction, AVG) as double, as SQLite would.
      int64_t n = 0;
      auto [end, ec] = std::from_chars(text, text + size, n);
      if (ec == std::errc() && end == text + size) return n;
      return std::strtod(text, nullptr);
    }
    case kFloat4Oid:
    case kFloat8Oid:
      // strtod reads "Infinity" and "NaN" as PostgreSQL prints them.
      return std::strtod(text, nullptr);
    case kBoolOid:
      // SQLite has no booleans: a comparison or EXISTS in a select list is 0 or 1.
      return int64_t{text[0] == 't' ? 1 : 0};
    default:
      return std::string(text, size);
  }
}

// The text form of a number parameter.
Result<std::string> NumberText(const Value& value) {
  if (const auto* n = std::get_if<int64_t>(&value)) return std::to_string(*n);
  // The shortest text that reads back as the same double.
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), std::get<double>(value));
  if (ec != std::errc()) return InternalError("store: cannot format a double");
  return std::string(buffer, end);
}

// One PGconn and its prepared statements. Used by one thread at a time (the owner of the
// transaction that holds it).
class Connection final : public StoreConnection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo,
                                                  int lock_timeout_ms) {
    auto conn = std::unique_ptr<Connection>(
        new Connection(PQconnectdb(conninfo.c_str()), lock_timeout_ms));  // PQfinish on every path
    OT_RETURN_IF_ERROR(conn->SetUp());
    return conn;
  }

  ~Connection() override { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }
  // True inside a transaction block, failed or not (and when the state is unknown: a lost
  // connection).
  bool InTransaction() const override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

  // StoreConnection: how StoreBase's transactions run on PostgreSQL.
  Result<int64_t> RunStatement(std::string_view sql, const Value* params, size_t count,
                               std::vector<Row>* rows, bool read_only) override {
    OT_RETURN_IF_ERROR(CheckRead(sql, read_only));
    return Run(sql, params, count, rows);
  }
  // A failed statement would abort the batch's whole transaction: fence it in a savepoint.
  Result<int64_t> RunJobRead(std::string_view sql, const Value* params, size_t count,
                             std::vector<Row>* rows, Status* batch_lost) override {
    OT_RETURN_IF_ERROR(CheckRead(sql, /*read_only=*/true));
    OT_RETURN_IF_ERROR(Exec("SAVEPOINT job_read"));
    Result<int64_t> result = Run(sql, params, count, rows);
    Status ended = result.ok() ? Exec("RELEASE SAVEPOINT job_read")
                               : Exec("ROLLBACK TO SAVEPOINT job_read; RELEASE SAVEPOINT job_read");
    if (!ended.ok()) *batch_lost = std::move(ended);
    return result;
  }
  // Under the writer lock: a healthy writer connection inside a fresh write transaction.
  Status BeginWrite() override;
  Status BeginRead() override { return Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  Status Savepoint() override { return Exec("SAVEPOINT job"); }
  Status ReleaseSavepoint() override { return Exec("RELEASE SAVEPOINT job"); }
  Status RollbackToSavepoint() override {
    return Exec("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");
  }

  // Reconnects a connection the server dropped (restart, failover); prepared statements are gone
  // with the old session.
  Status Reconnect() {
    if (Healthy()) return Status::Ok();
    cache_.clear();
    PQreset(conn_);
    return SetUp();
  }

  // Runs one or more statements without parameters (BEGIN, migrations) with the simple query
  // protocol.
  Status Exec(std::string_view sql) {
    ResultPtr result(PQexec(conn_, std::string(sql).c_str()));
    if (!Succeeded(result.get())) return StatusFromResult(result.get(), conn_, sql);
    return Status::Ok();
  }

  // COMMIT; PostgreSQL answers a COMMIT of a failed transaction with a rollback, not an error.
  Status Commit() override {
    ResultPtr result(PQexec(conn_, "COMMIT"));
    if (!Succeeded(result.get())) return StatusFromResult(result.get(), conn_, "COMMIT");
    if (std::string_view(PQcmdStatus(result.get())) != "COMMIT") {
      return InternalError("postgres: the transaction was rolled back at COMMIT");
    }
    return Status::Ok();
  }

  // Best effort: a failed ROLLBACK leaves the connection in a transaction, which owners check.
  void Rollback() override {
    if (Healthy() && InTransaction()) Exec("ROLLBACK").IgnoreError();
  }

  // Runs one statement. Appends result rows to *rows when non-null; returns the rows an INSERT,
  // UPDATE or DELETE changed (0 for anything else). `internal`: allow transaction control.
  Result<int64_t> Run(std::string_view sql, const Value* params, size_t param_count,
                      std::vector<Row>* rows, bool internal = false) {
    const Prepared* prepared = nullptr;
    Prepared one_shot;
    if (auto it = cache_.find(sql); it != cache_.end()) {
      prepared = &it->second;
    } else {
      if (!internal && IsTransactionControl(sql)) {
        return InternalError("store: transaction control in `" + Snippet(sql) +
                             "`; use Store::Begin and Transaction::Commit");
      }
      int count = 0;
      std::string numbered = NumberPlaceholders(sql, &count);
      if (cache_.size() < kMaxCachedStatements) {
        std::string name = "ot" + std::to_string(next_statement_++);
        // Parameter types are left to the server to infer from the statement.
        ResultPtr result(PQprepare(conn_, name.c_str(), numbered.c_str(), count, nullptr));
        if (!Succeeded(result.get())) return StatusFromResult(result.get(), conn_, sql);
        prepared =
            &cache_.emplace(std::string(sql), Prepared{std::move(name), "", count}).first->second;
      } else {
        one_shot = Prepared{"", std::move(numbered), count};
        prepared = &one_shot;
      }
    }
    if (static_cast<size_t>(prepared->params) != param_count) {
      return InternalError("store: `" + Snippet(sql) + "` takes " +
                           std::to_string(prepared->params) + " parameters, got " +
                           std::to_string(param_count));
    }
    // Text parameters point into the caller's values, which outlive the call; numbers are
    // formatted into `numbers` (sized up front, so the pointers stay valid); NULL is nullptr.
    std::vector<std::string> numbers(param_count);
    std::vector<const char*> values(param_count, nullptr);
    for (size_t i = 0; i < param_count; ++i) {
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        // libpq passes text parameters as C strings, and PostgreSQL text cannot hold a NUL.
        if (text->find('\0') != std::string::npos) {
          return InvalidInputError("postgres: a text value with a NUL byte cannot be stored");
        }
        values[i] = text->c_str();
      } else if (!std::holds_alternative<std::monostate>(params[i])) {
        OT_ASSIGN_OR_RETURN(numbers[i], NumberText(params[i]));
        values[i] = numbers[i].c_str();
      }
    }
    const int n = static_cast<int>(param_count);
    ResultPtr result(prepared->name.empty() ? PQexecParams(conn_, prepared->sql.c_str(), n, nullptr,
                                                           values.data(), nullptr, nullptr, 0)
                                            : PQexecPrepared(conn_, prepared->name.c_str(), n,
                                                             values.data(), nullptr, nullptr, 0));
    if (!Succeeded(result.get())) return StatusFromResult(result.get(), conn_, sql);
    if (rows != nullptr) {
      int row_count = PQntuples(result.get());
      int columns = PQnfields(result.get());
      rows->reserve(rows->size() + static_cast<size_t>(row_count));
      for (int r = 0; r < row_count; ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(ReadValue(result.get(), r, c));
        rows->emplace_back(std::move(row));
      }
    }
    std::string_view command = PQcmdStatus(result.get());
    bool writes = command.starts_with("INSERT") || command.starts_with("UPDATE") ||
                  command.starts_with("DELETE") || command.starts_with("MERGE");
    if (!writes) return int64_t{0};
    std::string_view changed = PQcmdTuples(result.get());
    int64_t count = 0;
    std::from_chars(changed.data(), changed.data() + changed.size(), count);
    return count;
  }

  Result<std::vector<Row>> QueryInternal(std::string_view sql, const Value* params = nullptr,
                                         size_t param_count = 0) {
    std::vector<Row> rows;
    OT_RETURN_IF_ERROR(Run(sql, params, param_count, &rows, /*internal=*/true).status());
    return rows;
  }

  // How logs and errors name the database: `postgres://user@host:port/db`, never a password.
  std::string Describe() const {
    std::string host = PQhost(conn_) ? PQhost(conn_) : "";
    if (host.starts_with('/')) {
      // A Unix socket directory, written as libpq reads it in a URI's host.
      std::string escaped;
      for (char c : host) escaped += c == '/' ? std::string("%2F") : std::string(1, c);
      host = escaped;
    }
    return "postgres://" + std::string(PQuser(conn_)) + "@" + host + ":" + PQport(conn_) + "/" +
           PQdb(conn_);
  }

 private:
  struct Prepared {
    std::string name;  // "" for a one-shot statement, which keeps its SQL instead
    std::string sql;
    int params = 0;
  };

  Connection(PGconn* conn, int lock_timeout_ms) : conn_(conn), lock_timeout_ms_(lock_timeout_ms) {}

  // A kRead transaction is READ ONLY on the server too; a read inside a group-commit job runs in
  // the batch's read-write transaction, where only this check stops a write.
  static Status CheckRead(std::string_view sql, bool read_only) {
    if (!read_only) return Status::Ok();
    std::string word = FirstKeyword(sql);
    if (word != "SELECT" && word != "WITH" && word != "VALUES") {
      return InternalError("store: write statement in a read transaction: `" + Snippet(sql) + "`");
    }
    return Status::Ok();
  }

  // The session settings every statement relies on.
  Status SetUp() {
    if (!Healthy()) {
      return UnavailableError("postgres: cannot connect: " + ConnectionMessage(conn_));
    }
    // NOTICEs ("relation already exists, skipping") would go to stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    if (PQsetClientEncoding(conn_, "UTF8") != 0) {
      return InternalError("postgres: cannot use UTF8: " + ConnectionMessage(conn_));
    }
    // lock_timeout bounds waits for the writer's advisory lock and for table locks (a migration
    // on another node); extra_float_digits=1 prints the shortest text that reads back as the
    // same double, whatever the server's default; the placeholder numbering assumes standard
    // strings (a backslash is not an escape); UTC, though the schema stores epoch seconds only.
    return Exec("SET lock_timeout = " + std::to_string(lock_timeout_ms_) +
                "; SET extra_float_digits = 1; SET standard_conforming_strings = on; "
                "SET TIME ZONE 'UTC'");
  }

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  PGconn* conn_;
  int lock_timeout_ms_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
  uint64_t next_statement_ = 0;
};

// BEGIN of a write transaction (or a batch, or a migration): READ COMMITTED under the writer
// advisory lock (the top of this file says why).
Status BeginLockedWrite(Connection& conn) {
  OT_RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL READ COMMITTED"));
  Status locked = conn.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLockKey) + ")");
  if (!locked.ok()) conn.Rollback();
  return locked;
}

Status Connection::BeginWrite() {
  // A ROLLBACK that failed earlier may have left the writer inside a transaction.
  Rollback();
  OT_RETURN_IF_ERROR(Reconnect());
  Status begun = BeginLockedWrite(*this);
  // libpq learns that the server dropped the session (a restart, a failover) only when it next
  // uses it: once more on a new session tells that apart from a server that is down. Nothing
  // ran yet, so nothing is repeated.
  if (!begun.ok() && !Healthy()) {
    OT_RETURN_IF_ERROR(Reconnect());
    begun = BeginLockedWrite(*this);
  }
  return begun;
}

// The migration runner's view of the writer connection (migrator.h), used only inside Open.
class PostgresMigrationTarget final : public MigrationTarget {
 public:
  explicit PostgresMigrationTarget(Connection& writer) : w_(writer) {}

  std::string_view BackendName() const override { return "postgres"; }
  std::string DatabaseName() const override { return w_.Describe(); }
  // The writer lock keeps the writers of nodes already running off the tables being changed.
  Status BeginExclusive() override { return BeginLockedWrite(w_); }
  Status ExecuteScript(std::string_view sql) override { return w_.Exec(sql); }
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return w_.QueryInternal(sql, params.data(), params.size());
  }
  // PostgreSQL checks every foreign key as each statement runs; nothing is left to check.
  Status CheckIntegrity() override { return Status::Ok(); }
  Status Commit() override { return w_.Commit(); }
  void Rollback() override { w_.Rollback(); }

 private:
  Connection& w_;
};

class PostgresStore final : public StoreBase {
 public:
  static Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options) {
    if (options.conninfo.empty()) {
      return InvalidInputError("store: a PostgreSQL store needs a connection string");
    }
    auto store = std::unique_ptr<PostgresStore>(new PostgresStore(options));
    OT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                        Connection::Open(options.conninfo, options.lock_timeout_ms));
    Connection& w = *writer;
    store->SetWriter(std::move(writer));
    store->describe_ = w.Describe();
    OT_ASSIGN_OR_RETURN(
        std::vector<Row> server,
        w.QueryInternal("SELECT version(), current_setting('yb_enable_read_committed_isolation', "
                        "true)"));
    if (!server.empty()) {
      OT_RETURN_IF_ERROR(CheckServerCompatibility(server[0].Text(0), server[0].Text(1)));
    }
    OT_RETURN_IF_ERROR(CheckCollation(w, store->describe_));
    OT_RETURN_IF_ERROR(
        w.Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")"));
    PostgresMigrationTarget target(w);
    Result<int64_t> version =
        RunMigrations(target, options.migrations ? *options.migrations : EmbeddedMigrations());
    // Session-level: released here or when the connection closes, whichever comes first.
    w.Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")").IgnoreError();
    OT_RETURN_IF_ERROR(version.status());
    store->schema_version_ = *version;
    OT_RETURN_IF_ERROR(store->StartRevision(w));
    store->StartWriter();
    return store;
  }

  ~PostgresStore() override {
    // INVARIANT: every Transaction was destroyed before its Store (store.h contract).
    StopWriter();  // runs what is still queued first
    // ~StoreBase closes the idle readers, then the writer.
  }
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  int64_t SchemaVersion() const override { return schema_version_; }
  std::string Describe() const override { return describe_; }

  Result<uint64_t> CommitsByOthers() override {
    if (revision_ == nullptr) return uint64_t{0};
    return revision_reads_.Read([this] { return ReadRevision(); });
  }

  Result<bool> LeadsBackgroundWork() override {
    std::lock_guard<std::mutex> lock(leader_mutex_);
    for (int attempt = 0;; ++attempt) {
      if (leader_ == nullptr) {
        OT_ASSIGN_OR_RETURN(leader_, Connection::Open(options_.conninfo, options_.lock_timeout_ms));
        leading_ = false;
      }
      // Leading: the session (and with it the lock) must still be there. Not yet: try for the
      // lock, which a dead leader's session released.
      Result<std::vector<Row>> asked = leader_->QueryInternal(
          leading_ ? "SELECT 1"
                   : "SELECT pg_try_advisory_lock(" + std::to_string(kLeaderLockKey) + ")");
      if (asked.ok() && !asked->empty()) {
        leading_ = (*asked)[0].Int(0) == 1;
        return leading_;
      }
      // The session is gone, and the lock with it: start again on a new one.
      leader_.reset();
      if (attempt > 0) return asked.status();
    }
  }

 private:
  explicit PostgresStore(PostgresOptions options)
      : StoreBase(options.lock_timeout_ms, options.max_idle_readers), options_(std::move(options)) {
    options_.migrations.reset();  // views into the caller's data; only Open uses them
  }

  // Raises store_revision in the writer's open transaction, right before every write COMMIT
  // (nothing when the schema has no such table: tests with their own migrations).
  Status BeforeCommitWrite(StoreConnection& writer) override {
    raised_revision_ = 0;
    if (revision_ == nullptr) return Status::Ok();
    std::vector<Row> rows;
    OT_RETURN_IF_ERROR(static_cast<Connection&>(writer)
                           .Run(kRaiseRevision, nullptr, 0, &rows, /*internal=*/true)
                           .status());
    if (rows.empty()) return InternalError("store: store_revision has no row");
    raised_revision_ = rows[0].Int(0);
    return Status::Ok();
  }
  // The commit succeeded: the value it raised the counter to is ours.
  void AfterWriteCommitted() override {
    if (revision_ != nullptr) revision_->OwnCommit(raised_revision_);
  }

  Result<std::unique_ptr<StoreConnection>> OpenReader() override {
    OT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader,
                        Connection::Open(options_.conninfo, options_.lock_timeout_ms));
    return std::unique_ptr<StoreConnection>(std::move(reader));
  }

  // The schema orders and compares text as SQLite does, byte by byte (pagination markers, sorted
  // listings); a linguistic collation would order `Zed` and `alice` differently. Asked of the
  // collation itself, so it holds for libc and ICU providers and every server version.
  static Status CheckCollation(Connection& conn, const std::string& describe) {
    OT_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        conn.QueryInternal("SELECT 'B' < 'a' AND 'a-b' < 'aa', datcollate "
                                           "FROM pg_database WHERE datname = current_database()"));
    if (!rows.empty() && rows[0].Int(0) == 1) return Status::Ok();
    std::string collate = rows.empty() ? "" : rows[0].Text(1);
    return InvalidInputError("store: database `" + describe + "` collates text as `" + collate +
                             "`; orgtwin needs byte order: CREATE DATABASE ... TEMPLATE template0 "
                             "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8' (docs/storage.md)");
  }

  static constexpr std::string_view kReadRevision =
      "SELECT revision FROM store_revision WHERE id = 1";

  // One read of store_revision, accounted for (CommitsByOthers coalesces callers onto it).
  Result<uint64_t> ReadRevision() {
    // As in Begin: one more try on a fresh connection if an idle one was dropped.
    for (int attempt = 0;; ++attempt) {
      OT_ASSIGN_OR_RETURN(std::unique_ptr<StoreConnection> reader, AcquireReader());
      std::vector<Row> rows;
      Result<int64_t> read =
          static_cast<Connection&>(*reader).Run(kReadRevision, nullptr, 0, &rows);
      bool lost = !reader->Healthy();
      ReleaseReader(std::move(reader));
      if (read.ok() && !rows.empty()) return revision_->Observe(rows[0].Int(0));
      if (read.ok()) return InternalError("store: store_revision has no row");
      if (!lost || attempt > 0) return read.status();
    }
  }

  // After the migrations: where the revision counter stands (commit_revision.h), if the schema
  // has it.
  Status StartRevision(Connection& w) {
    OT_ASSIGN_OR_RETURN(std::vector<Row> table,
                        w.QueryInternal("SELECT to_regclass('store_revision') IS NOT NULL"));
    if (table.empty() || table[0].Int(0) != 1) return Status::Ok();
    OT_ASSIGN_OR_RETURN(std::vector<Row> rows, w.QueryInternal(kReadRevision));
    if (rows.empty()) return InternalError("store: store_revision has no row");
    revision_ = std::make_unique<CommitRevision>(rows[0].Int(0));
    return Status::Ok();
  }

  PostgresOptions options_;
  std::string describe_;
  int64_t schema_version_ = 0;
  // Null when the schema has no store_revision (tests' own migrations): no other node is told
  // apart, and CommitsByOthers stays 0.
  std::unique_ptr<CommitRevision> revision_;
  CoalescedReads revision_reads_;
  int64_t raised_revision_ = 0;  // under the writer lock: what BeforeCommitWrite raised it to
  std::mutex leader_mutex_;
  std::unique_ptr<Connection> leader_;  // GUARDED_BY(leader_mutex_): holds kLeaderLockKey
  bool leading_ = false;                // GUARDED_BY(leader_mutex_)
};

}  // namespace
}  // namespace postgres

Status CheckServerCompatibility(std::string_view version, std::string_view yb_read_committed) {
  if (version.find("CockroachDB") != std::string_view::npos) {
    return InvalidInputError(
        "store: CockroachDB's session advisory locks do not exclude (cockroach#13546), and "
        "orgtwin's migrations and background lead rely on them (docs/storage.md)");
  }
  if (version.find("-YB-") != std::string_view::npos && yb_read_committed != "true") {
    return InvalidInputError(
        "store: YugabyteDB runs READ COMMITTED as snapshot isolation unless "
        "yb_enable_read_committed_isolation=true, and orgtwin's writers need read committed "
        "(docs/storage.md)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  OT_ASSIGN_OR_RETURN(std::unique_ptr<postgres::PostgresStore> store,
                      postgres::PostgresStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace orgtwin::store
