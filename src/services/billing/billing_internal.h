// File: services/billing/billing_internal.h
//
// Internal to services/billing: what the billing operations share -- the billing gate, days and
// amounts as Cost Explorer writes them, the errors -- and the handlers billing_register.cc wires
// up.
//
// The billing gate (AWS-FACTS 3.4): an IAM user or role sees billing data only where its account
// has activated "IAM user and role access to Billing information" (CreateAccount's
// IamUserAccessToBilling, the root-only SetIamUserAccessToBilling of the extension API), and
// only with a policy allowing the action (the gateway has checked that before the handler runs).
// The root user always passes the gate.
//
// Thread-safety: stateless functions over the request's transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/status.h"
#include "gateway/request_context.h"

namespace orgtwin::services::billing {

using Json = boost::json::object;

// ---- Errors ----
Status Validation(std::string message);  // ValidationException
// AccessDeniedException, for the billing gate: IAM access to billing is off in the caller's
// account and the caller is not its root user.
Status RequireBillingAccess(gateway::RequestContext& ctx);

// ---- Days and amounts ----
// A "YYYY-MM-DD" that names a real date; std::nullopt for anything else.
std::optional<std::chrono::sys_days> ParseDay(std::string_view text);
std::string FormatDay(std::chrono::sys_days day);
// The UTC day of `epoch_seconds`.
std::string DayOf(double epoch_seconds);
// USD millionths as Cost Explorer writes amounts: a plain decimal without trailing zeros, "0"
// for nothing ("12.5", "0.000017").
std::string FormatAmount(int64_t micros);
// A non-negative decimal of at most six fraction digits ("12", "0.0104") in USD millionths.
std::optional<int64_t> ParseAmount(std::string_view text);

double NowSeconds(const gateway::RequestContext& ctx);

// ---- Handlers ----
// The extension API's RecordUsage (POST /_orgtwin/billing/usage): usage records of any account,
// priced (usage.cc), each charged to the payer at the moment of its usage.
Result<Json> RecordUsage(gateway::RequestContext& ctx, const Json& input);
// Cost Explorer (cost_explorer.cc).
Result<Json> GetCostAndUsage(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetDimensionValues(gateway::RequestContext& ctx, const Json& input);
// Invoicing (invoices.cc).
Result<Json> ListInvoiceSummaries(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetInvoicePDF(gateway::RequestContext& ctx, const Json& input);
// Billing views (billing_views.cc): the account's primary view.
Result<Json> ListBillingViews(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetBillingView(gateway::RequestContext& ctx, const Json& input);
// The extension API's GetBillingDocument (GET /_orgtwin/billing/documents/{AccountId}/{Name},
// unsigned): the PDF or CSV behind a URL GetInvoicePDF presigned, until it expires.
Result<Json> GetBillingDocument(gateway::RequestContext& ctx, const Json& input);

}  // namespace orgtwin::services::billing
