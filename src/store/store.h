// File: store/store.h
//
// The storage interface every service writes through. A Store hands out Transactions; a handler
// does all its reads and writes -- its audit event included -- in ONE transaction, so a write and
// its audit record commit together or not at all. Backends: SQLite (embedded default: one file,
// WAL, synchronous=FULL so an acknowledged commit survives kill -9) and, later, PostgreSQL.
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
// concurrently with them (snapshot reads).
#pragma once

#include <cstdint>
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
  // Typed accessors; a NULL reads as 0 / "" (use IsNull to tell).
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  const std::string& Text(size_t i) const;
  const Value& at(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

class Transaction {
 public:
  // Rolls back unless Commit() succeeded.
  virtual ~Transaction() = default;

  // Runs a statement that returns no rows. Returns the number of rows changed.
  virtual Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params = {}) = 0;
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs a query and returns every row.
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         std::initializer_list<Value> params = {}) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         const std::vector<Value>& params) = 0;
  // Commits. On failure everything is rolled back and the transaction is finished.
  // A unique-constraint violation anywhere in the transaction reports kAlreadyExists;
  // a serialization conflict kConflict; a busy/locked store past its timeout kUnavailable.
  virtual Status Commit() = 0;
};

enum class TxMode {
  kRead,   // snapshot read; writes fail
  kWrite,  // serialized with other writers from the start (SQLite BEGIN IMMEDIATE)
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode) = 0;
  // The schema version after migrations (number of the last applied migration).
  virtual int64_t SchemaVersion() const = 0;
  // Name for logs and health: "sqlite:/path/orgtwin.db".
  virtual std::string Describe() const = 0;
};

struct SqliteOptions {
  std::string path;        // database file; ":memory:" is not supported (tests use a temp dir)
  int busy_timeout_ms = 5000;
};

// Opens (creating if needed) the SQLite database and applies pending migrations.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The migrations compiled into the binary, in order: {version, name, sql}.
struct Migration {
  int64_t version;
  std::string_view name;
  std::string_view sql;
};
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace orgtwin::store
