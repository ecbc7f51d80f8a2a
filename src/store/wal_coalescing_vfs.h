// File: store/wal_coalescing_vfs.h
//
// A SQLite VFS that wraps the platform's default one and hands each transaction's WAL frames to
// the kernel in one write instead of two writes per page.
//
// Why: SQLite appends a WAL frame as two pwrite(2) calls, the 24-byte frame header and then the
// page. A frame is 4,120 bytes, so those writes straddle page-cache pages and the kernel walks
// ~3 cached pages per frame. A group commit carries 30-40 frames; at CreateAccount rates the
// writer thread spent ~17% of its time in pwrite. Coalesced, the batch is one write that walks
// each cached page once.
//
// What it does: WAL-file writes that continue the previous one are held in memory. They reach the
// file, in one write, when SQLite writes the page of a commit frame (the frame header's
// "database size after commit" field is non-zero only there), and before anything that must see
// the file as SQLite wrote it: a read, a sync, a truncate, a size query, a non-contiguous write,
// close. So a commit is in the file before SQLite publishes it in the wal-index (its header is
// updated after the frames are written), and readers on other connections, which see only
// published frames, never read a frame still in memory. A crash loses at most frames of a
// transaction that had not committed, exactly as a crash between two pwrites would.
// Every file other than a WAL (database, journals, temp files) is the default VFS's own file.
#pragma once

namespace orgtwin::store {

// Registers the VFS (once, not as the default) and returns its name for sqlite3_open_v2.
// Returns nullptr when the default VFS is missing or registration failed: then use the default.
const char* WalCoalescingVfsName();

}  // namespace orgtwin::store
