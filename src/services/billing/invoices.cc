// Invoices (invoicing, awsJson1_0): ListInvoiceSummaries and GetInvoicePDF over the monthly
// invoices of the caller's account as a payer, and the extension API's GetBillingDocument, which
// serves an invoice's PDF and its line items (CSV) at the presigned, expiring URLs GetInvoicePDF
// hands out.
//
// An invoice is not stored: it is what the payer's charges of a month add up to, so it cannot
// disagree with them. The invoice of a month is issued at 00:00 UTC on the 2nd of the next
// month (on the twin's clock). AWS-COMPAT: usage recorded with a past Time backfills the
// history (`orgtwin billing generate` does this), so it counts in its own month's invoice even
// when that one is issued already; on AWS, usage is metered as it happens. An invoice's ID is
// derived from its payer and month.
//
// AWS-COMPAT, simplified: one invoice per payer and month from "Amazon Web Services, Inc." in
// USD, no taxes, discounts, fees or credits, due when issued (card payment).
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <openssl/crypto.h>

#include "auth/sigv4.h"
#include "common/json_fields.h"
#include "gateway/gateway.h"
#include "repo/account_repository.h"
#include "repo/billing_repository.h"
#include "services/billing/billing_internal.h"
#include "services/billing/text_pdf.h"

namespace orgtwin::services::billing {
namespace {

using std::chrono::sys_days;

constexpr std::string_view kInvoicingEntity = "Amazon Web Services, Inc.";
constexpr int64_t kDefaultPageSize = 100;
// AWS-COMPAT: how long AWS's invoice URLs stay valid is not documented; an hour here.
constexpr double kDocumentUrlSeconds = 3600;

struct Invoice {
  std::string id;
  sys_days month;  // its first day
  int64_t cost_micros = 0;
  std::set<std::string> accounts;  // whose usage it bills
  double issued_at = 0;
  std::vector<repo::ChargeRow> charges;  // its line items
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
    const sys_days month = MonthOf(*usage_day);
    if (IssueTimeOf(month) > now) continue;  // not issued yet
    Invoice& invoice = by_month[month];
    invoice.month = month;
    invoice.cost_micros += charge.cost_micros;
    invoice.accounts.insert(charge.account_id);
    invoice.charges.push_back(charge);
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
  char out[48];
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

namespace {

// ---- Documents ----

// The key presigned document URLs are signed with: derived from the default account's root
// secret, which only the twin knows and which survives restarts and resets.
std::string DocumentKey(const gateway::RequestContext& ctx) {
  return auth::HmacSha256(ctx.twin.default_account.root_key.secret_access_key,
                          "orgtwin billing documents");
}

std::string DocumentSignature(const gateway::RequestContext& ctx, std::string_view payer,
                              std::string_view name, std::string_view expires) {
  return auth::HexEncode(
      auth::HmacSha256(DocumentKey(ctx),
                       std::string(payer) + "/" + std::string(name) + "\n" + std::string(expires)));
}

// The twin's address as the caller reached it. AWS-COMPAT: the scheme is http; behind
// `serve --tls-cert` a client must fetch the URL with https.
std::string DocumentUrl(const gateway::RequestContext& ctx, const std::string& payer,
                        const std::string& name, double expires_at) {
  const std::string* host = ctx.http.Header("host");
  const std::string expires = std::to_string(static_cast<int64_t>(expires_at));
  return "http://" + (host != nullptr ? *host : std::string("localhost")) +
         "/_orgtwin/billing/documents/" + payer + "/" + name + "?X-Orgtwin-Expires=" + expires +
         "&X-Orgtwin-Signature=" + DocumentSignature(ctx, payer, name, expires);
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string LineItemsCsv(const Invoice& invoice) {
  std::string csv =
      "InvoiceId,BillingPeriod,LinkedAccountId,UsageDate,Service,UsageType,Region,"
      "UsageQuantity,Unit,CostUSD\n";
  const std::string period = FormatDay(invoice.month).substr(0, 7);
  for (const repo::ChargeRow& c : invoice.charges) {
    char quantity[64];
    std::snprintf(quantity, sizeof(quantity), "%.6f", c.usage_quantity);
    csv += invoice.id + "," + period + "," + c.account_id + "," + c.usage_day + "," +
           CsvField(c.service) + "," + CsvField(c.usage_type) + "," + CsvField(c.region) + "," +
           quantity + "," + CsvField(c.usage_unit) + "," + FormatAmount(c.cost_micros) + "\n";
  }
  return csv;
}

Result<std::string> InvoicePdf(gateway::RequestContext& ctx, const std::string& payer,
                               const Invoice& invoice) {
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, payer));
  std::chrono::year_month_day ymd(invoice.month);
  std::vector<std::string> lines = {
      std::string(kInvoicingEntity),
      "",
      "Invoice " + invoice.id,
      "Billing period: " + FormatDay(invoice.month).substr(0, 7),
      "Issued: " + DayOf(invoice.issued_at),
      "Bill to: account " + payer + (account ? " (" + account->name + ")" : ""),
      "",
  };
  std::map<std::pair<std::string, std::string>, int64_t> by_account_service;
  for (const repo::ChargeRow& c : invoice.charges) {
    by_account_service[{c.account_id, c.service}] += c.cost_micros;
  }
  lines.emplace_back("Charges by account and service (USD)");
  for (const auto& [key, micros] : by_account_service) {
    lines.push_back("  " + key.first + "  " + key.second + "  " + Cents(micros));
  }
  lines.emplace_back("");
  lines.push_back("Total (USD): " + Cents(invoice.cost_micros));
  lines.emplace_back("Taxes, discounts and credits: 0.00");
  return TextPdf("Invoice " + invoice.id + " " + std::to_string(static_cast<int>(ymd.year())),
                 lines);
}

// The invoice of `payer` with ID `id`, or ResourceNotFoundException.
Result<Invoice> FindInvoice(gateway::RequestContext& ctx, const std::string& payer,
                            const std::string& id) {
  OT_ASSIGN_OR_RETURN(std::vector<Invoice> invoices, IssuedInvoices(ctx, payer));
  for (Invoice& invoice : invoices) {
    if (invoice.id == id) return std::move(invoice);
  }
  return NotFoundError("Invoice " + id + " was not found.")
      .WithAwsCode("ResourceNotFoundException");
}

using json_fields::Str;

}  // namespace

Result<Json> GetInvoicePDF(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  const std::string payer = ctx.caller.account_id;
  OT_ASSIGN_OR_RETURN(Invoice invoice, FindInvoice(ctx, payer, Str(input, "InvoiceId")));
  const double expires_at = std::floor(NowSeconds(ctx)) + kDocumentUrlSeconds;
  return Json{{"InvoicePDF",
               Json{{"InvoiceId", invoice.id},
                    {"DocumentUrl", DocumentUrl(ctx, payer, invoice.id + ".pdf", expires_at)},
                    {"DocumentUrlExpirationDate", expires_at},
                    {"SupplementalDocuments",
                     boost::json::array{Json{
                         {"DocumentType", "SUPPLEMENT"},
                         {"DocumentId", invoice.id + "-line-items"},
                         {"DocumentUrl", DocumentUrl(ctx, payer, invoice.id + ".csv", expires_at)},
                         {"DocumentUrlExpirationDate", expires_at}}}}}}};
}

Result<Json> GetBillingDocument(gateway::RequestContext& ctx, const Json& input) {
  const std::string payer = Str(input, "AccountId");
  const std::string name = Str(input, "DocumentName");
  const std::string expires = Str(input, "Expires");
  const std::string signature = Str(input, "Signature");
  // As S3 answers a presigned URL: a bad signature and an expired one are both AccessDenied.
  const std::string expected = DocumentSignature(ctx, payer, name, expires);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return AccessDeniedError("The request signature does not match.")
        .WithAwsCode("AccessDeniedException");
  }
  if (expires.empty() || expires.find_first_not_of("0123456789") != std::string::npos ||
      expires.size() > 12 || static_cast<double>(std::stoll(expires)) < NowSeconds(ctx)) {
    return AccessDeniedError("Request has expired").WithAwsCode("AccessDeniedException");
  }
  const size_t dot = name.rfind('.');
  const std::string id = name.substr(0, dot);
  const std::string kind = dot == std::string::npos ? "" : name.substr(dot + 1);
  OT_ASSIGN_OR_RETURN(Invoice invoice, FindInvoice(ctx, payer, id));
  if (kind == "pdf") {
    OT_ASSIGN_OR_RETURN(std::string pdf, InvoicePdf(ctx, payer, invoice));
    return Json{{"Body", std::move(pdf)}, {"ContentType", "application/pdf"}};
  }
  if (kind == "csv") return Json{{"Body", LineItemsCsv(invoice)}, {"ContentType", "text/csv"}};
  return NotFoundError("No document " + name + ".").WithAwsCode("ResourceNotFoundException");
}

}  // namespace orgtwin::services::billing
