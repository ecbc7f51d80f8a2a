#include "repo/region_repository.h"

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

constexpr char kRegionCols[] =
    "SELECT account_id, region_name, status, changed_at FROM account_regions ";

RegionOptRow ToRegionOpt(const store::Row& r) {
  return RegionOptRow{r.Text(0), r.Text(1), r.Text(2), r.Double(3)};
}

}  // namespace

Result<std::vector<RegionOptRow>> RegionOptsOf(store::Transaction& tx,
                                               std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRegionCols) + "WHERE account_id = ? ORDER BY region_name",
                          {std::string(account_id)}));
  std::vector<RegionOptRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToRegionOpt(r));
  return out;
}

Result<std::optional<RegionOptRow>> FindRegionOpt(store::Transaction& tx,
                                                  std::string_view account_id,
                                                  std::string_view region_name) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRegionCols) + "WHERE account_id = ? AND region_name = ?",
                          {std::string(account_id), std::string(region_name)}));
  if (rows.empty()) return std::optional<RegionOptRow>();
  return std::optional<RegionOptRow>(ToRegionOpt(rows.front()));
}

Status UpsertRegionOpt(store::Transaction& tx, const RegionOptRow& row) {
  return internal::Exec(tx,
                        "INSERT INTO account_regions (account_id, region_name, status, changed_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, region_name) DO UPDATE SET "
                        "status = excluded.status, changed_at = excluded.changed_at",
                        {row.account_id, row.region_name, row.status, row.changed_at});
}

}  // namespace orgtwin::repo
