// Store micro-benchmarks on a real SQLite file in a fresh temp dir (removed afterwards):
//   BM_PointRead/<sync>:   one read transaction, SELECT by primary key, commit.
//   BM_WriteCommit/<sync>: one write transaction, INSERT one row, commit.
// Arg 0 = SqliteSync::kNormal (default), 1 = kFull (fsync per commit).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "store/store.h"
#include "testing/test_store.h"

namespace orgtwin::store {
namespace {

const std::vector<Migration> kBenchMigrations = {
    {1, "bench",
     "CREATE TABLE kv (id BIGINT PRIMARY KEY, name TEXT NOT NULL, value TEXT NOT NULL);"}};

constexpr int64_t kPreloadedRows = 10000;

// A temp dir with an open store; both gone when this is destroyed.
class BenchStore {
 public:
  explicit BenchStore(SqliteSync sync) : dir_("orgtwin-bench") {
    SqliteOptions options = test::TestStoreOptions(dir_, "bench.db");
    options.sync = sync;
    options.migrations = kBenchMigrations;
    auto store = OpenSqliteStore(options);
    if (!store.ok()) {
      error_ = store.status().ToString();
      return;
    }
    store_ = std::move(store).value();
    auto tx = store_->Begin(TxMode::kWrite);
    if (!tx.ok()) {
      error_ = tx.status().ToString();
      return;
    }
    for (int64_t i = 0; i < kPreloadedRows; ++i) {
      Status s = (*tx)
                     ->Execute("INSERT INTO kv (id, name, value) VALUES (?, ?, ?)",
                               {i, "name-" + std::to_string(i), std::string(200, 'v')})
                     .status();
      if (!s.ok()) {
        error_ = s.ToString();
        return;
      }
    }
    Status s = (*tx)->Commit();
    if (!s.ok()) error_ = s.ToString();
  }
  Store* store() { return store_.get(); }
  const std::string& error() const { return error_; }

 private:
  test::TempDir dir_;
  std::unique_ptr<Store> store_;  // closed before dir_ is removed
  std::string error_;
};

SqliteSync SyncArg(const benchmark::State& state) {
  return state.range(0) == 0 ? SqliteSync::kNormal : SqliteSync::kFull;
}

void BM_PointRead(benchmark::State& state) {
  BenchStore bench(SyncArg(state));
  if (!bench.error().empty()) {
    state.SkipWithError(bench.error().c_str());
    return;
  }
  int64_t id = 0;
  for (auto _ : state) {
    auto tx = bench.store()->Begin(TxMode::kRead);
    if (!tx.ok()) {
      state.SkipWithError(tx.status().ToString().c_str());
      return;
    }
    auto rows = (*tx)->Query("SELECT name, value FROM kv WHERE id = ?", {id});
    if (!rows.ok() || rows->size() != 1) {
      state.SkipWithError("point read failed");
      return;
    }
    benchmark::DoNotOptimize(rows->front().Text(0).data());
    Status s = (*tx)->Commit();
    benchmark::DoNotOptimize(s.ok());
    id = (id + 7919) % kPreloadedRows;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PointRead)->Arg(0)->Arg(1);

void BM_WriteCommit(benchmark::State& state) {
  BenchStore bench(SyncArg(state));
  if (!bench.error().empty()) {
    state.SkipWithError(bench.error().c_str());
    return;
  }
  int64_t id = kPreloadedRows;
  const std::string value(200, 'w');
  for (auto _ : state) {
    auto tx = bench.store()->Begin(TxMode::kWrite);
    if (!tx.ok()) {
      state.SkipWithError(tx.status().ToString().c_str());
      return;
    }
    Status s = (*tx)
                   ->Execute("INSERT INTO kv (id, name, value) VALUES (?, ?, ?)",
                             {id, "name-" + std::to_string(id), value})
                   .status();
    if (s.ok()) s = (*tx)->Commit();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    ++id;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteCommit)->Arg(0)->Arg(1);

}  // namespace
}  // namespace orgtwin::store

BENCHMARK_MAIN();
