// File: testing/test_store.h
//
// A real SQLite store for tests and benchmarks, its file in a TempDir. TestStoreOptions gives
// the options (every embedded migration unless the caller sets its own); OpenTestStore opens
// them. The returned store must be destroyed before its TempDir.
//
// Thread-safety: plain functions; the Store is as thread-safe as store.h says.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace orgtwin::test {

inline constexpr std::string_view kTestStoreFile = "orgtwin.db";

// Options for `dir`/`file` with the embedded migrations and the default (NORMAL) sync.
store::SqliteOptions TestStoreOptions(const TempDir& dir, std::string_view file = kTestStoreFile);

// Opens (or reopens) the store at `dir`/`file` with every embedded migration.
Result<std::unique_ptr<store::Store>> OpenTestStore(const TempDir& dir,
                                                    std::string_view file = kTestStoreFile);

}  // namespace orgtwin::test
