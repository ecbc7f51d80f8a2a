#include "repo/billing_repository.h"

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

constexpr char kChargeColumns[] =
    "SELECT charge_id, account_id, payer_account_id, usage_at, usage_day, service, usage_type, "
    "region, usage_quantity, usage_unit, cost_micros, recorded_at FROM billing_charges ";

ChargeRow ChargeOf(const store::Row& r) {
  return ChargeRow{r.Text(0), r.Text(1), r.Text(2),   r.Double(3), r.Text(4), r.Text(5),
                   r.Text(6), r.Text(7), r.Double(8), r.Text(9),   r.Int(10), r.Double(11)};
}

}  // namespace

Status OpenPayerPeriod(store::Transaction& tx, std::string_view account_id, std::string_view org_id,
                       std::string_view payer_account_id, double at) {
  return internal::Exec(
      tx,
      "INSERT INTO billing_payer_periods (account_id, org_id, payer_account_id, "
      "started_at) VALUES (?, ?, ?, ?)",
      {std::string(account_id), std::string(org_id), std::string(payer_account_id), at});
}

Status ClosePayerPeriod(store::Transaction& tx, std::string_view account_id,
                        std::string_view org_id, double at) {
  return internal::Exec(tx,
                        "UPDATE billing_payer_periods SET ended_at = ? WHERE account_id = ? AND "
                        "org_id = ? AND ended_at IS NULL",
                        {at, std::string(account_id), std::string(org_id)});
}

Status CloseOrganizationPayerPeriods(store::Transaction& tx, std::string_view org_id, double at) {
  return internal::Exec(
      tx, "UPDATE billing_payer_periods SET ended_at = ? WHERE org_id = ? AND ended_at IS NULL",
      {at, std::string(org_id)});
}

Result<std::string> PayerAt(store::Transaction& tx, std::string_view account_id, double at) {
  // The latest stretch that started by `at`; it covers `at` unless it ended by then.
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT payer_account_id, ended_at FROM "
                                          "billing_payer_periods WHERE account_id = ? AND "
                                          "started_at <= ? ORDER BY started_at DESC LIMIT 1",
                                          {std::string(account_id), at}));
  std::string payer(account_id);
  if (!rows.empty() && (rows.front().IsNull(1) || rows.front().Double(1) > at)) {
    payer = rows.front().Text(0);
  }
  // A billing responsibility transfer the payer accepted (Organizations' transfers, migration
  // 0014) hands its bills to the inviting organization's management account from the transfer's
  // start until its end (TerminateResponsibilityTransfer leaves it WITHDRAWN with an end).
  OT_ASSIGN_OR_RETURN(auto transfers,
                      tx.Query("SELECT target_account_id FROM org_responsibility_transfers "
                               "WHERE source_account_id = ? AND transfer_type = 'BILLING' AND "
                               "status IN ('ACCEPTED', 'WITHDRAWN') AND start_at <= ? AND "
                               "(end_at IS NULL OR end_at > ?) ORDER BY start_at DESC LIMIT 1",
                               {payer, at, at}));
  if (!transfers.empty()) payer = transfers.front().Text(0);
  return payer;
}

Status InsertCharge(store::Transaction& tx, const ChargeRow& c) {
  return internal::Exec(
      tx,
      "INSERT INTO billing_charges (charge_id, account_id, payer_account_id, "
      "usage_at, usage_day, service, usage_type, region, usage_quantity, "
      "usage_unit, cost_micros, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?)",
      {c.charge_id, c.account_id, c.payer_account_id, c.usage_at, c.usage_day, c.service,
       c.usage_type, c.region, c.usage_quantity, c.usage_unit, c.cost_micros, c.recorded_at});
}

Result<std::vector<ChargeRow>> VisibleCharges(store::Transaction& tx,
                                              std::string_view viewer_account_id,
                                              std::string_view current_payer,
                                              std::string_view first_day,
                                              std::string_view end_day) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kChargeColumns) +
                   "WHERE usage_day >= ? AND usage_day < ? AND (payer_account_id = ? OR "
                   "(account_id = ? AND payer_account_id = ?)) ORDER BY usage_day, charge_id",
               {std::string(first_day), std::string(end_day), std::string(viewer_account_id),
                std::string(viewer_account_id), std::string(current_payer)}));
  std::vector<ChargeRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ChargeOf(r));
  return out;
}

Result<std::vector<ChargeRow>> ChargesPaidBy(store::Transaction& tx,
                                             std::string_view payer_account_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kChargeColumns) +
                                              "WHERE payer_account_id = ? ORDER BY usage_day, "
                                              "charge_id",
                                          {std::string(payer_account_id)}));
  std::vector<ChargeRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ChargeOf(r));
  return out;
}

}  // namespace orgtwin::repo
