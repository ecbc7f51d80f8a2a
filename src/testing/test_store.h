// File: testing/test_store.h
//
// A real SQLite store for tests and benchmarks, its file in a TempDir. TestStoreOptions gives
// the options (every embedded migration unless the caller sets its own); OpenTestStore opens
// them. The returned store must be destroyed before its TempDir.
//
// With OT_TEST_STORE=postgres (ctest's `<test>_postgres` runs, under scripts/with-postgres.sh,
// which sets OT_TEST_PG_DSN) OpenTestStore opens a PostgreSQL store instead, in a database that
// stands for `dir`/`file` (TestPostgresDatabase): the same tests then run on that backend.
//
// Thread-safety: plain functions; the Store is as thread-safe as store.h says.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace orgtwin::test {

inline constexpr std::string_view kTestStoreFile = "orgtwin.db";

// Options for `dir`/`file` with the embedded migrations and the default (NORMAL) sync.
store::SqliteOptions TestStoreOptions(const TempDir& dir, std::string_view file = kTestStoreFile);

// The conninfo of the database on OT_TEST_PG_DSN's server that stands for `key` (a path), created
// empty on first use; opening it again finds its data. kUnavailable when OT_TEST_PG_DSN is unset
// or its server does not answer.
Result<std::string> TestPostgresDatabase(std::string_view key);

// Opens (or reopens) the store at `dir`/`file` with every embedded migration (on PostgreSQL with
// OT_TEST_STORE=postgres, above).
Result<std::unique_ptr<store::Store>> OpenTestStore(const TempDir& dir,
                                                    std::string_view file = kTestStoreFile);

}  // namespace orgtwin::test
