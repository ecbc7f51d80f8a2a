// File: repo/statement.h
//
// What the repositories' writes share: running a statement whose row count no caller needs.
// Internal to repo/ (the services have helpers of their own for their own tables).
//
// Thread-safety: a free function over the caller's Transaction.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo::internal {

// Runs `sql` with `params` in `tx`; only its failure matters.
inline Status Exec(store::Transaction& tx, std::string_view sql,
                   const std::vector<store::Value>& params) {
  Result<int64_t> changed = tx.Execute(sql, params);
  return changed.ok() ? Status::Ok() : changed.status();
}

}  // namespace orgtwin::repo::internal
