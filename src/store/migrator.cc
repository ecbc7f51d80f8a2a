#include "store/migrator.h"

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace orgtwin::store {
namespace {

// Applies `m` unless it is already recorded. The check is repeated inside the exclusive
// transaction: another process opening the same fresh database may have applied it since the
// runner read the recorded versions.
Status ApplyMigration(MigrationTarget& target, const Migration& m) {
  OT_RETURN_IF_ERROR(target.BeginExclusive());
  OT_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      target.Query("SELECT 1 FROM schema_migrations WHERE version = ?",
                                   std::vector<Value>{m.version}));
  if (rows.empty()) {
    // A migration for another backend is recorded without running, so a version number means
    // the same schema on every backend.
    if (m.backend.empty() || m.backend == target.BackendName()) {
      OT_RETURN_IF_ERROR(target.ExecuteScript(m.sql));
    }
    OT_RETURN_IF_ERROR(target.CheckIntegrity());
    double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    OT_RETURN_IF_ERROR(
        target
            .Query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   std::vector<Value>{m.version, std::string(m.name), now})
            .status());
  }
  return target.Commit();
}

}  // namespace

Result<int64_t> RunMigrations(MigrationTarget& target, const std::vector<Migration>& migrations) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return InternalError("store: migrations are not in ascending version order");
    }
  }
  int64_t newest_known = migrations.empty() ? 0 : migrations.back().version;
  OT_RETURN_IF_ERROR(
      target.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY "
                           "KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"));
  OT_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      target.Query("SELECT version FROM schema_migrations", {}));
  std::set<int64_t> applied;
  for (const Row& row : rows) applied.insert(row.Int(0));
  if (!applied.empty() && *applied.rbegin() > newest_known) {
    return InternalError("store: database `" + target.DatabaseName() + "` has schema version " +
                         std::to_string(*applied.rbegin()) + ", newer than this binary knows (" +
                         std::to_string(newest_known) +
                         "); run a newer orgtwin or restore a matching backup");
  }
  OT_RETURN_IF_ERROR(target.BeginRun());
  // EndRun on every path out, after a failed migration's rollback (the backend may need to be
  // outside a transaction, as SQLite's foreign_keys pragma does).
  struct EndRunOnExit {
    MigrationTarget& target;
    ~EndRunOnExit() { target.EndRun(); }
  } end_run{target};
  for (const Migration& m : migrations) {
    if (applied.count(m.version)) continue;
    Status status = ApplyMigration(target, m);
    if (!status.ok()) {
      target.Rollback();
      // A lock held past the timeout stays kUnavailable, so the caller can tell "retry" from
      // "broken migration".
      return Status(
          status.code() == ErrorCode::kUnavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal,
          "store: migration " + std::to_string(m.version) + " (" + std::string(m.name) +
              ") failed: " + status.message());
    }
    applied.insert(m.version);
  }
  return applied.empty() ? int64_t{0} : *applied.rbegin();
}

}  // namespace orgtwin::store
