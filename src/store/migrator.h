// File: store/migrator.h
//
// The schema migration runner every backend shares. It owns the rules -- migrations in ascending
// version order, a database newer than the binary refused, each pending migration applied in its
// own exclusive transaction and recorded in `schema_migrations`, a migration written for another
// backend recorded without running -- and a backend supplies only a MigrationTarget: its
// transactions, its SQL and its own integrity check.
//
// Thread-safety: RunMigrations uses its target from the calling thread only; the backend keeps
// every other user of the connection away until it returns (stores migrate inside Open).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::store {

// One backend connection as the runner sees it. Statements use the portable dialect of store.h
// (`?` placeholders). Errors are the generic codes of store.h: a lock held past the backend's
// timeout is kUnavailable, anything else the runner reports as kInternal.
class MigrationTarget {
 public:
  virtual ~MigrationTarget() = default;

  // The name a Migration's `backend` uses for this backend ("sqlite"): a migration for another
  // backend is recorded but its SQL does not run.
  virtual std::string_view BackendName() const = 0;
  // How errors name the database (SQLite: the file's path); never with a password in it.
  virtual std::string DatabaseName() const = 0;

  // Called once before the first migration's transaction and, if it succeeded, once after the
  // last one ends, successful or not (no transaction is open either time). SQLite turns foreign
  // keys off and on again here: its procedure for schema changes needs them off, and the pragma
  // is a no-op inside a transaction.
  virtual Status BeginRun() { return Status::Ok(); }
  virtual void EndRun() {}

  // Begins a transaction that no other process's migration or write can run alongside (SQLite
  // BEGIN IMMEDIATE), so two openers of one fresh database apply each migration once.
  virtual Status BeginExclusive() = 0;
  // Runs one or more `;`-separated statements without parameters (a migration's SQL).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Runs one statement with parameters; returns its rows (none for a statement that returns none).
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         const std::vector<Value>& params) = 0;
  // Runs after each migration inside its transaction, before the runner records it; a failure
  // fails the migration and rolls it back. SQLite checks every foreign key, since they are off.
  virtual Status CheckIntegrity() = 0;
  virtual Status Commit() = 0;
  // Best effort; a no-op when no transaction is open.
  virtual void Rollback() = 0;
};

// Applies every migration of `migrations` (ascending by version) not yet recorded in the target's
// `schema_migrations`, creating that table first. Returns the schema version afterwards: the
// highest recorded version, 0 for none.
//
// Errors (kInternal unless said otherwise): `migrations` out of order; a recorded version higher
// than the last of `migrations` (an older binary must not write a newer schema); a failed
// migration, rolled back, as "store: migration N (name) failed: ..." -- kUnavailable when the
// cause was a lock held past the backend's timeout, so the caller may retry. The migrations
// before a failed one stay applied.
Result<int64_t> RunMigrations(MigrationTarget& target, const std::vector<Migration>& migrations);

}  // namespace orgtwin::store
