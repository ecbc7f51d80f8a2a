#include "testing/test_store.h"

#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "store/postgres_store.h"

namespace orgtwin::test {

store::SqliteOptions TestStoreOptions(const TempDir& dir, std::string_view file) {
  store::SqliteOptions options;
  options.path = dir.File(file);
  return options;
}

Result<std::string> TestPostgresDatabase(std::string_view key) {
  const char* dsn = std::getenv("OT_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    return UnavailableError(
        "OT_TEST_PG_DSN is not set: run the test through "
        "scripts/with-postgres.sh (ctest does)");
  }
  std::string name = "t_" + std::to_string(std::hash<std::string_view>{}(key));
  // CREATE DATABASE cannot run inside a transaction, so not through a Store.
  PGconn* conn = PQconnectdb(dsn);
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    // 42P04 duplicate_database: opened before (a reopen, or a fork()ed child).
    if (PQresultStatus(result) != PGRES_COMMAND_OK &&
        std::string_view(state ? state : "") != "42P04") {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) return UnavailableError("test database " + name + ": " + error);
  return std::string(dsn) + " dbname=" + name;
}

Result<std::unique_ptr<store::Store>> OpenTestStore(const TempDir& dir, std::string_view file) {
  const char* backend = std::getenv("OT_TEST_STORE");
  if (backend != nullptr && std::string_view(backend) == "postgres") {
    store::PostgresOptions options;
    OT_ASSIGN_OR_RETURN(options.conninfo, TestPostgresDatabase(dir.File(file)));
    return store::OpenPostgresStore(options);
  }
  return store::OpenSqliteStore(TestStoreOptions(dir, file));
}

}  // namespace orgtwin::test
