// File: repo/clock_repository.h
//
// The adjustable clock's stored offset (`twin_clock`, migration 0029): how far
// `serve --clock adjustable` has moved the twin's clock ahead of real time. Stored so that every
// node on one database and every restart run on one clock; AdjustableClock holds it in memory.
//
// Every function takes the caller's open Transaction; none commits.
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <chrono>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// The stored offset (zero before the clock was first moved).
Result<std::chrono::microseconds> StoredClockOffset(store::Transaction& tx);
// Stores `offset`; the caller keeps it growing (the clock never goes back).
Status StoreClockOffset(store::Transaction& tx, std::chrono::microseconds offset);

}  // namespace orgtwin::repo
