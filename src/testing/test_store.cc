#include "testing/test_store.h"

namespace orgtwin::test {

store::SqliteOptions TestStoreOptions(const TempDir& dir, std::string_view file) {
  store::SqliteOptions options;
  options.path = dir.File(file);
  return options;
}

Result<std::unique_ptr<store::Store>> OpenTestStore(const TempDir& dir, std::string_view file) {
  return store::OpenSqliteStore(TestStoreOptions(dir, file));
}

}  // namespace orgtwin::test
