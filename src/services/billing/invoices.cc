// Invoices (invoicing, awsJson1_0): ListInvoiceSummaries over the monthly invoices of the
// caller's account as a payer.
//
// An invoice is not stored: it is what the payer's charges add up to, so it cannot disagree
// with them. The invoice of a month is issued at 00:00 UTC on the 2nd of the next month (on the
// twin's clock) and holds the charges of that month recorded before then; a charge recorded
// later (usage reported late) goes into the first invoice issued after it was recorded, as AWS
// bills late usage on a later invoice. An invoice's ID is derived from its payer and month.
//
// AWS-COMPAT, simplified: one invoice per payer and month from "Amazon Web Services, Inc." in
// USD, no taxes, discounts, fees or credits, due when issued (card payment).
#include <cstdio>
#include <map>
#include <set>

#include "auth/sigv4.h"
#include "repo/billing_repository.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {
namespace {

using std::chrono::sys_days;

constexpr std::string_view kInvoicingEntity = "Amazon Web Services, Inc.";
constexpr int64_t kDefaultPageSize = 100;

struct Invoice {
  std::string id;
  sys_days month;  // its first day
  int64_t cost_micros = 0;
  std::set<std::string> accounts;  // whose usage it bills
  double issued_at = 0;
};

sys_days MonthOf(sys_days day) {
  std::chrono::year_month_day ymd(day);
  return sys_days(ymd.year() / ymd.month() / 1);
}

double IssueTimeOf(sys_days month) {
  std::chrono::year_month_day ymd(month);
  sys_days second_of_next =
      sys_days((ymd.year() / ymd.month() / 1) + std::chrono::months(1)) + std::chrono::days(1);
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(second_of_next.time_since_epoch()).count());
}

std::string InvoiceIdOf(std::string_view payer, sys_days month) {
  // Ten digits, as AWS's numeric invoice IDs, from a hash of the payer and the month.
  const std::string hash = auth::Sha256Hex(std::string(payer) + "/" + FormatDay(month));
  const uint64_t n = std::stoull(hash.substr(0, 15), nullptr, 16);
  return std::to_string(1000000000ULL + n % 9000000000ULL);
}

// The invoices `payer` has been issued by `now`, newest first.
Result<std::vector<Invoice>> IssuedInvoices(gateway::RequestContext& ctx,
                                            const std::string& payer) {
  OT_ASSIGN_OR_RETURN(std::vector<repo::ChargeRow> charges, repo::ChargesPaidBy(ctx.tx, payer));
  const double now = NowSeconds(ctx);
  std::map<sys_days, Invoice> by_month;
  for (const repo::ChargeRow& charge : charges) {
    std::optional<sys_days> usage_day = ParseDay(charge.usage_day);
    if (!usage_day) continue;
    // The first month whose invoice is issued after the charge was recorded.
    const sys_days recorded_month = MonthOf(*ParseDay(DayOf(charge.recorded_at - 86400.0)));
    const sys_days month = std::max(MonthOf(*usage_day), recorded_month);
    if (IssueTimeOf(month) > now) continue;  // not issued yet
    Invoice& invoice = by_month[month];
    invoice.month = month;
    invoice.cost_micros += charge.cost_micros;
    invoice.accounts.insert(charge.account_id);
  }
  std::vector<Invoice> out;
  for (auto it = by_month.rbegin(); it != by_month.rend(); ++it) {
    it->second.id = InvoiceIdOf(payer, it->first);
    it->second.issued_at = IssueTimeOf(it->first);
    out.push_back(std::move(it->second));
  }
  return out;
}

// USD millionths as an invoice writes them: cents, rounded half up ("12.34").
std::string Cents(int64_t micros) {
  const int64_t cents = (micros + 5000) / 10000;
  char out[32];
  std::snprintf(out, sizeof(out), "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return out;
}

Json AmountOf(const Invoice& invoice) {
  const std::string total = Cents(invoice.cost_micros);
  return Json{{"TotalAmount", total},
              {"TotalAmountBeforeTax", total},
              {"CurrencyCode", "USD"},
              {"AmountBreakdown", Json{{"SubTotalAmount", total},
                                       {"Discounts", Json{{"TotalAmount", "0.00"}}},
                                       {"Taxes", Json{{"TotalAmount", "0.00"}}},
                                       {"Fees", Json{{"TotalAmount", "0.00"}}}}}};
}

Json SummaryOf(const std::string& payer, const Invoice& invoice) {
  std::chrono::year_month_day ymd(invoice.month);
  boost::json::array accounts;
  for (const std::string& account : invoice.accounts) accounts.emplace_back(account);
  const auto count = static_cast<int64_t>(accounts.size());
  return Json{{"AccountId", payer},
              {"InvoiceId", invoice.id},
              {"IssuedDate", invoice.issued_at},
              {"DueDate", invoice.issued_at},
              {"BillSourceAccounts", std::move(accounts)},
              {"BillSourceAccountsTotalCount", count},
              {"Entity", Json{{"InvoicingEntity", kInvoicingEntity}}},
              {"BillingPeriod", Json{{"Month", static_cast<unsigned>(ymd.month())},
                                     {"Year", static_cast<int>(ymd.year())}}},
              {"InvoiceType", "INVOICE"},
              {"BaseCurrencyAmount", AmountOf(invoice)},
              {"PaymentCurrencyAmount", AmountOf(invoice)},
              {"TaxCurrencyAmount", AmountOf(invoice)}};
}

const Json* ObjectMember(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<double> NumberMember(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

// Whether `invoice` passes the request's Filter.
Result<bool> PassesFilter(const Json* filter, const Invoice& invoice) {
  if (filter == nullptr) return true;
  if (const Json* period = ObjectMember(*filter, "BillingPeriod")) {
    std::chrono::year_month_day ymd(invoice.month);
    if (NumberMember(*period, "Month") != static_cast<double>(static_cast<unsigned>(ymd.month())) ||
        NumberMember(*period, "Year") != static_cast<double>(static_cast<int>(ymd.year()))) {
      return false;
    }
  }
  if (const Json* interval = ObjectMember(*filter, "TimeInterval")) {
    std::optional<double> start = NumberMember(*interval, "StartDate");
    std::optional<double> end = NumberMember(*interval, "EndDate");
    if (!start || !end || *start > *end) {
      return Validation("TimeInterval needs a StartDate no later than its EndDate.");
    }
    if (invoice.issued_at < *start || invoice.issued_at > *end) return false;
  }
  if (const boost::json::value* entity = filter->if_contains("InvoicingEntity");
      entity != nullptr && entity->is_string() && entity->get_string() != kInvoicingEntity) {
    return false;
  }
  return true;
}

}  // namespace

Result<Json> ListInvoiceSummaries(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  const Json* selector = ObjectMember(input, "Selector");
  if (selector == nullptr) return Validation("Selector is required.");
  const boost::json::value* type = selector->if_contains("ResourceType");
  const boost::json::value* value = selector->if_contains("Value");
  if (type == nullptr || !type->is_string() || value == nullptr || !value->is_string()) {
    return Validation("Selector needs a ResourceType and a Value.");
  }
  const std::string payer = ctx.caller.account_id;
  const std::string wanted(value->get_string());
  // AWS-COMPAT: an account reads the invoices it receives; another account's are refused.
  if (type->get_string() == "ACCOUNT_ID" && wanted != payer) {
    return AccessDeniedError("Account " + payer + " cannot list the invoices of account " + wanted +
                             ".")
        .WithAwsCode("AccessDeniedException");
  }
  OT_ASSIGN_OR_RETURN(std::vector<Invoice> invoices, IssuedInvoices(ctx, payer));
  if (type->get_string() == "INVOICE_ID") {
    std::erase_if(invoices, [&](const Invoice& invoice) { return invoice.id != wanted; });
    if (invoices.empty()) {
      return NotFoundError("Invoice " + wanted + " was not found.")
          .WithAwsCode("ResourceNotFoundException");
    }
  }
  const Json* filter = ObjectMember(input, "Filter");
  std::vector<const Invoice*> matching;
  for (const Invoice& invoice : invoices) {
    OT_ASSIGN_OR_RETURN(bool passes, PassesFilter(filter, invoice));
    if (passes) matching.push_back(&invoice);
  }
  // Pages: NextToken is the position of the next summary, as text.
  size_t from = 0;
  if (const boost::json::value* token = input.if_contains("NextToken");
      token != nullptr && token->is_string()) {
    const std::string text(token->get_string());
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 9 || std::stoul(text) > matching.size()) {
      return Validation("The NextToken is not valid.");
    }
    from = std::stoul(text);
  }
  const size_t page =
      static_cast<size_t>(NumberMember(input, "MaxResults").value_or(kDefaultPageSize));
  boost::json::array summaries;
  size_t at = from;
  for (; at < matching.size() && summaries.size() < page; ++at) {
    summaries.push_back(SummaryOf(payer, *matching[at]));
  }
  Json out{{"InvoiceSummaries", std::move(summaries)}};
  if (at < matching.size()) out["NextToken"] = std::to_string(at);
  return out;
}

}  // namespace orgtwin::services::billing
