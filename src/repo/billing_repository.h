// File: repo/billing_repository.h
//
// Consolidated billing's repository (migration 0025): who paid for each account when
// (billing_payer_periods, written by Organizations as accounts join and leave) and the priced
// usage (billing_charges, written by the billing service). services/billing/ reads both; no SQL
// of these tables lives elsewhere.
//
// A repository knows SQL and rows, nothing of the wire. Every function takes the caller's open
// Transaction; none commits.
//
// Thread-safety: free functions over the caller's Transaction; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// ---- Payer periods ----

// `account_id` joined `org_id`, whose management account is `payer_account_id`, at `at`.
Status OpenPayerPeriod(store::Transaction& tx, std::string_view account_id, std::string_view org_id,
                       std::string_view payer_account_id, double at);
// `account_id` left `org_id` at `at` (its open stretch there ends).
Status ClosePayerPeriod(store::Transaction& tx, std::string_view account_id,
                        std::string_view org_id, double at);
// Every open stretch in `org_id` ends at `at` (the organization is deleted).
Status CloseOrganizationPayerPeriods(store::Transaction& tx, std::string_view org_id, double at);
// Who pays for `account_id`'s usage at `at`: the management account of the organization it was
// in then, or the account itself outside any organization; and if that payer had handed its
// bills to another organization by an accepted billing responsibility transfer running at `at`,
// that organization's management account.
Result<std::string> PayerAt(store::Transaction& tx, std::string_view account_id, double at);

// ---- Charges ----

struct ChargeRow {
  std::string charge_id;
  std::string account_id;
  std::string payer_account_id;
  double usage_at = 0;
  std::string usage_day;  // YYYY-MM-DD
  std::string service;
  std::string usage_type;
  std::string region;
  double usage_quantity = 0;
  std::string usage_unit;
  int64_t cost_micros = 0;  // USD millionths
  double recorded_at = 0;
};

Status InsertCharge(store::Transaction& tx, const ChargeRow& charge);

// The charges `viewer_account_id` may see with usage days in [first_day, end_day): those it
// pays for, and its own charges paid by `current_payer` (a member account sees its own usage
// from the day it joined its organization, not what an earlier payer paid). In usage_day order.
Result<std::vector<ChargeRow>> VisibleCharges(store::Transaction& tx,
                                              std::string_view viewer_account_id,
                                              std::string_view current_payer,
                                              std::string_view first_day, std::string_view end_day);

// Every charge `payer_account_id` pays for, in usage_day order (its invoices are made of them).
Result<std::vector<ChargeRow>> ChargesPaidBy(store::Transaction& tx,
                                             std::string_view payer_account_id);

}  // namespace orgtwin::repo
