// File: store/wal_coalescing_vfs.cc
//
// See wal_coalescing_vfs.h for what and why. The WAL file format facts used here (SQLite's
// "Write-Ahead Log File Format"): a frame is a 24-byte header followed by one page; header bytes
// 4..7 (big-endian) hold the database size in pages after the commit for the last frame of a
// transaction and zero for every other frame. The WAL file header is 32 bytes, so a 24-byte
// write is always a frame header.
#include "store/wal_coalescing_vfs.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include <sqlite3.h>

namespace orgtwin::store {
namespace {

constexpr int kFrameHeaderBytes = 24;
// A transaction larger than this (a migration, a big delete) is written in pieces of this size:
// the point is fewer calls per commit, not holding a whole bulk load in memory.
constexpr size_t kMaxHeldBytes = 4 << 20;
// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the length with 0x1ffff and
// reports SQLITE_FULL for the rest), so held bytes go out in pieces below that.
constexpr size_t kMaxWriteBytes = 124 << 10;

sqlite3_vfs* BaseVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// A WAL file: our methods in front of the default VFS's file, which lives in the same allocation
// (SQLite allocates szOsFile bytes per file), right after this struct.
struct WalFile {
  sqlite3_file base;  // must be first: SQLite sees a WalFile as a sqlite3_file
  sqlite3_file* inner;
  std::vector<unsigned char> held;  // bytes not yet written, starting at held_offset
  sqlite3_int64 held_offset = 0;
  bool flush_after_next_write = false;  // the last write was a commit frame's header

  int Flush() {
    int rc = SQLITE_OK;
    for (size_t done = 0; done < held.size() && rc == SQLITE_OK; done += kMaxWriteBytes) {
      size_t piece = std::min(held.size() - done, kMaxWriteBytes);
      rc = inner->pMethods->xWrite(inner, held.data() + done, static_cast<int>(piece),
                                   held_offset + static_cast<sqlite3_int64>(done));
    }
    held.clear();
    return rc;
  }
};

constexpr size_t kWalFileBytes = (sizeof(WalFile) + 15) & ~size_t{15};

WalFile* AsWal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

bool IsCommitFrameHeader(const void* data, int amount) {
  if (amount != kFrameHeaderBytes) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int WalClose(sqlite3_file* file) {
  WalFile* wal = AsWal(file);
  int flushed = wal->Flush();
  int closed = wal->inner->pMethods->xClose(wal->inner);
  wal->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

int WalRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(file);
  if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  return wal->inner->pMethods->xRead(wal->inner, out, amount, offset);
}

int WalWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(file);
  if (!wal->held.empty() &&
      offset != wal->held_offset + static_cast<sqlite3_int64>(wal->held.size())) {
    if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  }
  if (wal->held.empty()) wal->held_offset = offset;
  const auto* bytes = static_cast<const unsigned char*>(data);
  wal->held.insert(wal->held.end(), bytes, bytes + amount);
  if (IsCommitFrameHeader(data, amount)) {
    wal->flush_after_next_write = true;  // the commit frame's page comes next
    return SQLITE_OK;
  }
  if (wal->flush_after_next_write || wal->held.size() >= kMaxHeldBytes) {
    wal->flush_after_next_write = false;
    return wal->Flush();
  }
  return SQLITE_OK;
}

int WalTruncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* wal = AsWal(file);
  if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  return wal->inner->pMethods->xTruncate(wal->inner, size);
}

int WalSync(sqlite3_file* file, int flags) {
  WalFile* wal = AsWal(file);
  if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  return wal->inner->pMethods->xSync(wal->inner, flags);
}

int WalFileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* wal = AsWal(file);
  if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  return wal->inner->pMethods->xFileSize(wal->inner, size);
}

int WalLock(sqlite3_file* file, int level) {
  sqlite3_file* inner = AsWal(file)->inner;
  return inner->pMethods->xLock(inner, level);
}

int WalUnlock(sqlite3_file* file, int level) {
  sqlite3_file* inner = AsWal(file)->inner;
  return inner->pMethods->xUnlock(inner, level);
}

int WalCheckReservedLock(sqlite3_file* file, int* out) {
  sqlite3_file* inner = AsWal(file)->inner;
  return inner->pMethods->xCheckReservedLock(inner, out);
}

int WalFileControl(sqlite3_file* file, int op, void* arg) {
  WalFile* wal = AsWal(file);
  // A file control may look at or change the file (size hints, chunk sizes): let it see all of it.
  if (int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  return wal->inner->pMethods->xFileControl(wal->inner, op, arg);
}

int WalSectorSize(sqlite3_file* file) {
  sqlite3_file* inner = AsWal(file)->inner;
  return inner->pMethods->xSectorSize(inner);
}

int WalDeviceCharacteristics(sqlite3_file* file) {
  sqlite3_file* inner = AsWal(file)->inner;
  return inner->pMethods->xDeviceCharacteristics(inner);
}

// Version 1: shared memory and memory mapping belong to the database file, never to the WAL.
const sqlite3_io_methods kWalMethods = {
    1,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSync,
    WalFileSize,
    WalLock,
    WalUnlock,
    WalCheckReservedLock,
    WalFileControl,
    WalSectorSize,
    WalDeviceCharacteristics,
    nullptr,  // xShmMap
    nullptr,  // xShmLock
    nullptr,  // xShmBarrier
    nullptr,  // xShmUnmap
    nullptr,  // xFetch
    nullptr,  // xUnfetch
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = BaseVfs(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) return base->xOpen(base, name, file, flags, out_flags);
  auto* wal = new (file) WalFile();
  wal->inner = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kWalFileBytes);
  int rc = base->xOpen(base, name, wal->inner, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls xClose only on a file whose pMethods is set; the inner file cleaned up after
    // itself when its open failed.
    wal->~WalFile();
    file->pMethods = nullptr;
    return rc;
  }
  file->pMethods = &kWalMethods;
  return SQLITE_OK;
}

// Everything but xOpen is the default VFS's, forwarded unchanged (xSleep included: it is what
// SQLite's own busy handler calls, exactly as with the default VFS; orgtwin adds no waiting).
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return BaseVfs(vfs)->xDelete(BaseVfs(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return BaseVfs(vfs)->xAccess(BaseVfs(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return BaseVfs(vfs)->xFullPathname(BaseVfs(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return BaseVfs(vfs)->xDlOpen(BaseVfs(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int size, char* out) {
  BaseVfs(vfs)->xDlError(BaseVfs(vfs), size, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return BaseVfs(vfs)->xDlSym(BaseVfs(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { BaseVfs(vfs)->xDlClose(BaseVfs(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return BaseVfs(vfs)->xRandomness(BaseVfs(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int microseconds) {
  return BaseVfs(vfs)->xSleep(BaseVfs(vfs), microseconds);
}
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return BaseVfs(vfs)->xCurrentTime(BaseVfs(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return BaseVfs(vfs)->xGetLastError(BaseVfs(vfs), size, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return BaseVfs(vfs)->xCurrentTimeInt64(BaseVfs(vfs), out);
}
int SetSystemCall(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  return BaseVfs(vfs)->xSetSystemCall(BaseVfs(vfs), name, call);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* vfs, const char* name) {
  return BaseVfs(vfs)->xGetSystemCall(BaseVfs(vfs), name);
}
const char* NextSystemCall(sqlite3_vfs* vfs, const char* name) {
  return BaseVfs(vfs)->xNextSystemCall(BaseVfs(vfs), name);
}

sqlite3_vfs* Register() {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  // The pass-throughs above call version-2 and -3 methods unconditionally.
  if (base == nullptr || base->iVersion < 3) return nullptr;
  static sqlite3_vfs vfs = {
      3,
      static_cast<int>(kWalFileBytes) + base->szOsFile,
      base->mxPathname,
      nullptr,
      "orgtwin-wal-coalescing",
      base,
      Open,
      Delete,
      Access,
      FullPathname,
      DlOpen,
      DlError,
      DlSym,
      DlClose,
      Randomness,
      Sleep,
      CurrentTime,
      GetLastError,
      CurrentTimeInt64,
      SetSystemCall,
      GetSystemCall,
      NextSystemCall,
  };
  return sqlite3_vfs_register(&vfs, /*makeDflt=*/0) == SQLITE_OK ? &vfs : nullptr;
}

}  // namespace

const char* WalCoalescingVfsName() {
  static sqlite3_vfs* vfs = Register();  // thread-safe once: C++ static initialization
  return vfs != nullptr ? vfs->zName : nullptr;
}

}  // namespace orgtwin::store
