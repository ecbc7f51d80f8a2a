#include "repo/clock_repository.h"

#include <cstdint>

namespace orgtwin::repo {

Result<std::chrono::microseconds> StoredClockOffset(store::Transaction& tx) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT offset_us FROM twin_clock WHERE id = 1", {}));
  return std::chrono::microseconds(rows.empty() ? 0 : rows[0].Int(0));
}

Status StoreClockOffset(store::Transaction& tx, std::chrono::microseconds offset) {
  OT_ASSIGN_OR_RETURN([[maybe_unused]] int64_t changed,
                      tx.Execute("UPDATE twin_clock SET offset_us = ? WHERE id = 1",
                                 {static_cast<int64_t>(offset.count())}));
  return Status::Ok();
}

}  // namespace orgtwin::repo
