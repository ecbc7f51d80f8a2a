// File: store/store_conformance_test.h
//
// The backend-independent Store test suite. Each backend's test file instantiates
// StoreConformanceTest with its StoreFactory values (sqlite_store_test.cc does it for SQLite);
// the PostgreSQL backend adds its own instantiation so both run the same assertions.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/temp_dir.h"

namespace orgtwin::store::testing {

struct StoreFactory {
  std::string name;  // test-name suffix, [A-Za-z0-9_]
  // Opens -- or, called again with the same `dir`, reopens -- the store whose data lives under
  // `dir` (a fresh temp dir per test), applying `migrations`. Must be callable in a fork()ed child.
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir,
                                               const std::vector<Migration>& migrations)>
      open;
};

// gtest prints a parameter in test listings (and so in ctest names): show the name, not bytes.
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

// Gives each test an empty temp dir (removed afterwards) and the factory under test.
class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  Result<std::unique_ptr<Store>> Open(const std::vector<Migration>& migrations) {
    return GetParam().open(dir_, migrations);
  }

  test::TempDir temp_dir_{"orgtwin-store"};
  const std::string dir_ = temp_dir_.path();
};

// The test-only schema the suite runs against (version 1 and 2).
const std::vector<Migration>& TestMigrations();

std::string FactoryName(const ::testing::TestParamInfo<StoreFactory>& info);

}  // namespace orgtwin::store::testing
