// File: repo/region_repository.h
//
// The Region opt-in requests of each account (`account_regions`, migration 0017): the last
// EnableRegion or DisableRegion of an opt-in Region and when it was made. Which Regions exist and
// what a request settles into are services/account's; this file knows only the rows.
//
// Every function takes the caller's open Transaction; none commits.
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

struct RegionOptRow {
  std::string account_id;
  std::string region_name;
  std::string status;  // ENABLING | DISABLING
  double changed_at = 0;
};

// The rows of `account_id`, by Region name.
Result<std::vector<RegionOptRow>> RegionOptsOf(store::Transaction& tx, std::string_view account_id);
Result<std::optional<RegionOptRow>> FindRegionOpt(store::Transaction& tx,
                                                  std::string_view account_id,
                                                  std::string_view region_name);
// Inserts the row or replaces the status and time of the existing one.
Status UpsertRegionOpt(store::Transaction& tx, const RegionOptRow& row);

}  // namespace orgtwin::repo
