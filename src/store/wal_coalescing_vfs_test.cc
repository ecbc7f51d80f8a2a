// The WAL-coalescing VFS: a commit's frames reach the WAL file in one write, the file stays a
// valid WAL that SQLite's own VFS reads, and frames of an unfinished transaction stay invisible.
#include "store/wal_coalescing_vfs.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include "testing/temp_dir.h"

namespace orgtwin::store {
namespace {

// The unix VFS writes with pwrite, pwrite64 or write, whichever its build chose; each is counted
// through the VFS's system-call hook.
std::atomic<int> write_calls{0};
sqlite3_syscall_ptr real_pwrite = nullptr;
sqlite3_syscall_ptr real_pwrite64 = nullptr;
sqlite3_syscall_ptr real_write = nullptr;

ssize_t CountingPwrite(int fd, const void* data, size_t size, off_t offset) {
  ++write_calls;
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(real_pwrite)(fd, data, size,
                                                                                     offset);
}
ssize_t CountingPwrite64(int fd, const void* data, size_t size, off_t offset) {
  ++write_calls;
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(real_pwrite64)(
      fd, data, size, offset);
}
ssize_t CountingWrite(int fd, const void* data, size_t size) {
  ++write_calls;
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t)>(real_write)(fd, data, size);
}

// Counts the unix VFS's writes while alive.
class WriteCounter {
 public:
  WriteCounter() : vfs_(sqlite3_vfs_find("unix")) {
    real_pwrite = vfs_->xGetSystemCall(vfs_, "pwrite");
    real_pwrite64 = vfs_->xGetSystemCall(vfs_, "pwrite64");
    real_write = vfs_->xGetSystemCall(vfs_, "write");
    Set("pwrite", reinterpret_cast<sqlite3_syscall_ptr>(CountingPwrite));
    Set("pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(CountingPwrite64));
    Set("write", reinterpret_cast<sqlite3_syscall_ptr>(CountingWrite));
    write_calls = 0;
  }
  ~WriteCounter() {
    Set("pwrite", real_pwrite);
    Set("pwrite64", real_pwrite64);
    Set("write", real_write);
  }
  int calls() const { return write_calls.load(); }

 private:
  void Set(const char* name, sqlite3_syscall_ptr call) {
    EXPECT_EQ(vfs_->xSetSystemCall(vfs_, name, call), SQLITE_OK) << name;
  }
  sqlite3_vfs* vfs_;
};

class WalCoalescingVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("test.db");
    ASSERT_NE(WalCoalescingVfsName(), nullptr);
  }
  void TearDown() override {
    for (sqlite3* db : open_) sqlite3_close_v2(db);
  }

  // vfs: nullptr opens with SQLite's default VFS.
  sqlite3* Open(const char* vfs) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
    open_.push_back(db);
    return db;
  }

  static void Exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
  }

  static int64_t Count(sqlite3* db, const std::string& table = "t") {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &stmt, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
  }

  // A writer on the coalescing VFS with a WAL and no automatic checkpoint, so every commit
  // appends frames.
  sqlite3* OpenWriter() {
    sqlite3* db = Open(WalCoalescingVfsName());
    Exec(db, "PRAGMA journal_mode=WAL");
    Exec(db, "PRAGMA synchronous=NORMAL");
    Exec(db, "PRAGMA wal_autocheckpoint=0");
    return db;
  }

  test::TempDir dir_{"orgtwin-walvfs"};
  std::string path_;
  std::vector<sqlite3*> open_;
};

TEST_F(WalCoalescingVfsTest, CommitOfManyPagesIsOneWrite) {
  sqlite3* db = OpenWriter();
  // Ten tables: one insert into each dirties at least ten pages in one transaction.
  for (int i = 0; i < 10; ++i) Exec(db, "CREATE TABLE t" + std::to_string(i) + " (a, b)");

  int calls = 0;
  {
    WriteCounter counter;
    Exec(db, "BEGIN");
    for (int i = 0; i < 10; ++i) {
      Exec(db, "INSERT INTO t" + std::to_string(i) + " VALUES (1, randomblob(100))");
    }
    Exec(db, "COMMIT");
    calls = counter.calls();
  }
  // Without coalescing: two writes (header, page) for each of the 10+ frames.
  EXPECT_EQ(calls, 1);
  // And the file holds the commit: SQLite's own VFS, on a new connection, reads it.
  sqlite3* reader = Open(nullptr);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Count(reader, "t" + std::to_string(i)), 1);
}

TEST_F(WalCoalescingVfsTest, LargeTransactionsWithSpillsRoundTrip) {
  sqlite3* db = OpenWriter();
  // A tiny page cache makes SQLite spill uncommitted pages to the WAL mid-transaction and read
  // them back, and rewrite frames it already wrote: the non-contiguous and read paths.
  Exec(db, "PRAGMA cache_size=10");
  Exec(db, "CREATE TABLE t (a INTEGER PRIMARY KEY, b BLOB)");
  sqlite3* reader = Open(nullptr);  // default VFS: sees only what is in the file

  // ~6 MiB: past both the per-write limit (124 KiB) and the held-bytes limit (4 MiB).
  Exec(db, "BEGIN");
  Exec(db,
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) "
       "INSERT INTO t SELECT i, randomblob(4000) FROM n");
  Exec(db, "UPDATE t SET b = randomblob(3000) WHERE a % 7 = 0");
  // Uncommitted frames are in the WAL file now, but not published: the reader sees none.
  EXPECT_EQ(Count(reader), 0);
  Exec(db, "COMMIT");
  EXPECT_EQ(Count(reader), 1500);

  // A rolled-back spill leaves the committed state alone.
  Exec(db, "BEGIN");
  Exec(db, "DELETE FROM t WHERE a > 100");
  Exec(db, "INSERT INTO t SELECT a + 10000, randomblob(4000) FROM t");
  Exec(db, "ROLLBACK");
  EXPECT_EQ(Count(db), 1500);
  EXPECT_EQ(Count(reader), 1500);

  // Small commits after the big one, then a checkpoint that reads the WAL back.
  for (int i = 0; i < 20; ++i) {
    Exec(db, "INSERT INTO t VALUES (" + std::to_string(20000 + i) + ", randomblob(50))");
  }
  EXPECT_EQ(Count(reader), 1520);
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(Count(reader), 1520);

  // Closed and reopened with the default VFS: the database and its WAL are intact.
  for (sqlite3* open : open_) sqlite3_close_v2(open);
  open_.clear();
  sqlite3* again = Open(nullptr);
  EXPECT_EQ(Count(again), 1520);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(again, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
  sqlite3_finalize(stmt);
}

TEST_F(WalCoalescingVfsTest, CommitsSurviveWithoutClose) {
  // The process "crashes" after its commits: the WAL file is copied while the writer is still
  // open, and the copy alone must recover every commit (what kill -9 leaves behind).
  sqlite3* db = OpenWriter();
  Exec(db, "CREATE TABLE t (a, b)");
  for (int i = 0; i < 50; ++i) Exec(db, "INSERT INTO t VALUES (1, randomblob(500))");
  std::string copy = dir_.File("copy.db");
  std::filesystem::copy_file(path_, copy);
  std::filesystem::copy_file(path_ + "-wal", copy + "-wal");
  sqlite3* recovered = nullptr;
  ASSERT_EQ(sqlite3_open_v2(copy.c_str(), &recovered, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  open_.push_back(recovered);
  EXPECT_EQ(Count(recovered), 50);
}

}  // namespace
}  // namespace orgtwin::store
