// File: store/postgres_store.h
//
// The PostgreSQL backend of store.h, through libpq. Same contract as the SQLite backend: one
// serialized writer (across every process on the database, by a transaction-level advisory
// lock), snapshot readers (REPEATABLE READ READ ONLY) from a pool of connections, group commit
// with one savepoint per job, the same migrations recorded in the same `schema_migrations`.
// docs/storage.md ("PostgreSQL") says what the schema relies on.
//
// Thread-safety: as store.h.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::store {

struct PostgresOptions {
  // What libpq connects to, passed to it unchanged: a URI (`postgresql://user@host:5432/db?
  // sslmode=require`) or `key=value` pairs (`host=/run/postgresql dbname=orgtwin`). TLS, passwords
  // (or ~/.pgpass) and the PG* environment variables work as libpq documents them.
  std::string conninfo;
  // How long a writer waits for the write lock (in this process, then the database's advisory
  // lock held by another process) and any statement for a table lock, before kUnavailable.
  int lock_timeout_ms = 5000;
  // Idle reader connections kept open for reuse; more are opened on demand under load.
  size_t max_idle_readers = 8;
  // Tests only: the migrations to apply instead of EmbeddedMigrations(), ascending by version.
  std::optional<std::vector<Migration>> migrations;
};

// Connects, checks the database sorts text by bytes (as SQLite does: its collation must be C or
// C.UTF-8, else kInvalidInput), and applies pending migrations -- serialized with any other
// process migrating or writing the same database. kUnavailable when the server cannot be reached.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

// Whether a PostgreSQL-compatible server keeps what the backend relies on: advisory locks that
// exclude (the writer lock, migrations, the background lead) and READ COMMITTED that reads the
// latest commit in each statement. `version` is the server's `SELECT version()`;
// `yb_read_committed` its setting `yb_enable_read_committed_isolation` ("" where it has none).
// kInvalidInput, saying why, for CockroachDB (its session advisory locks do not lock) and for
// YugabyteDB without read committed (its READ COMMITTED is then snapshot isolation).
// docs/storage.md, "PostgreSQL-compatible distributed databases". OpenPostgresStore checks it.
Status CheckServerCompatibility(std::string_view version, std::string_view yb_read_committed);

}  // namespace orgtwin::store
