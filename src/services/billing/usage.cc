// RecordUsage: how usage enters the twin's bills. AWS meters usage inside each service; the twin
// runs no EC2 or S3, so the extension API takes usage records instead (the twin's administrator,
// `orgtwin billing generate`, or a test), prices each from a small table of AWS's public
// us-east-1 on-demand prices unless the record names its cost, and charges it to the payer at
// the moment of the usage (repo::PayerAt over the membership history Organizations keeps).
#include <array>
#include <cmath>

#include "common/json_fields.h"
#include "gateway/gateway.h"
#include "repo/account_repository.h"
#include "repo/billing_repository.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {
namespace {

constexpr size_t kMaxRecordsPerCall = 1000;

// AWS-COMPAT: list prices as AWS published them for us-east-1 (2026), without tiers, free tier,
// credits or taxes; every region is priced alike. A usage type is looked up without its region
// prefix ("USW2-BoxUsage:t3.micro" prices as "BoxUsage:t3.micro").
struct UnitPrice {
  std::string_view service;  // Cost Explorer's SERVICE value
  std::string_view usage_type;
  std::string_view unit;
  double usd_per_unit;
};
constexpr std::array<UnitPrice, 13> kPrices = {{
    {"Amazon Elastic Compute Cloud - Compute", "BoxUsage:t3.micro", "Hrs", 0.0104},
    {"Amazon Elastic Compute Cloud - Compute", "BoxUsage:t3.medium", "Hrs", 0.0416},
    {"Amazon Elastic Compute Cloud - Compute", "BoxUsage:m5.large", "Hrs", 0.096},
    {"EC2 - Other", "EBS:VolumeUsage.gp3", "GB-Mo", 0.08},
    {"Amazon Simple Storage Service", "TimedStorage-ByteHrs", "GB-Mo", 0.023},
    {"Amazon Simple Storage Service", "Requests-Tier1", "Requests", 0.000005},
    {"Amazon Simple Storage Service", "Requests-Tier2", "Requests", 0.0000004},
    {"AWS Lambda", "Lambda-GB-Second", "Lambda-GB-Second", 0.0000166667},
    {"AWS Lambda", "Request", "Requests", 0.0000002},
    {"Amazon Relational Database Service", "InstanceUsage:db.t3.medium", "Hrs", 0.068},
    {"AmazonCloudWatch", "CW:MetricMonitorUsage", "Metrics", 0.30},
    {"AWS CloudTrail", "PaidEventsRecorded", "Events", 0.000002},
    {"AWS Key Management Service", "KMS-Keys", "Keys", 1.0},
}};

// "USW2-BoxUsage:t3.micro" -> "BoxUsage:t3.micro": a leading code of capitals and digits before
// the first '-' is a region's.
std::string_view WithoutRegionPrefix(std::string_view usage_type) {
  size_t dash = usage_type.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 5) return usage_type;
  for (char c : usage_type.substr(0, dash)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return usage_type;
  }
  return usage_type.substr(dash + 1);
}

const UnitPrice* FindPrice(std::string_view service, std::string_view usage_type) {
  std::string_view bare = WithoutRegionPrefix(usage_type);
  for (const UnitPrice& price : kPrices) {
    if (price.service == service && price.usage_type == bare) return &price;
  }
  return nullptr;
}

using json_fields::Str;

std::optional<double> Number(const Json& record, std::string_view key) {
  const boost::json::value* v = record.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

// The twin's administration: the default account's root user, as for ResetTwin and the clock.
Status RequireTwinAdmin(const gateway::RequestContext& ctx) {
  if (ctx.caller.type == auth::PrincipalType::kRoot &&
      ctx.caller.account_id == ctx.twin.default_account.account_id) {
    return Status::Ok();
  }
  return AccessDeniedError("only the root user of the default account may record usage")
      .WithAwsCode("AccessDeniedException");
}

// One record as a charge, or why it is refused (`at` is its position, for the message).
Result<repo::ChargeRow> ChargeOf(gateway::RequestContext& ctx, const Json& record, size_t at) {
  const std::string where = "Records[" + std::to_string(at) + "]";
  repo::ChargeRow charge;
  charge.account_id = Str(record, "AccountId");
  charge.service = Str(record, "Service");
  charge.usage_type = Str(record, "UsageType");
  charge.region = Str(record, "Region");
  if (charge.region.empty()) charge.region = "us-east-1";
  if (charge.service.empty() || charge.usage_type.empty()) {
    return Validation(where + ": Service and UsageType are required.");
  }
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, charge.account_id));
  if (!account.has_value()) {
    return NotFoundError(where + ": account " + charge.account_id + " does not exist.")
        .WithAwsCode("ResourceNotFoundException");
  }
  std::optional<double> quantity = Number(record, "UsageQuantity");
  if (!quantity || !std::isfinite(*quantity) || *quantity < 0) {
    return Validation(where + ": UsageQuantity must be a number of at least 0.");
  }
  charge.usage_quantity = *quantity;
  const double now = NowSeconds(ctx);
  std::optional<double> time = Number(record, "Time");
  charge.usage_at = time.value_or(now);
  if (!std::isfinite(charge.usage_at) || charge.usage_at > now || charge.usage_at < 0) {
    return Validation(where + ": Time must not be after the twin's current time.");
  }
  charge.usage_day = DayOf(charge.usage_at);
  const UnitPrice* price = FindPrice(charge.service, charge.usage_type);
  charge.usage_unit = Str(record, "Unit");
  if (charge.usage_unit.empty() && price != nullptr) charge.usage_unit = price->unit;
  if (charge.usage_unit.empty()) charge.usage_unit = "N/A";
  const std::string cost = Str(record, "Cost");
  if (!cost.empty()) {
    std::optional<int64_t> micros = ParseAmount(cost);
    if (!micros) return Validation(where + ": Cost must be a decimal USD amount such as 12.5.");
    charge.cost_micros = *micros;
  } else if (price != nullptr) {
    charge.cost_micros = std::llround(charge.usage_quantity * price->usd_per_unit * 1e6);
  } else {
    return Validation(where + ": the twin has no price for " + charge.service + " usage type " +
                      charge.usage_type + "; give the record a Cost.");
  }
  OT_ASSIGN_OR_RETURN(charge.payer_account_id,
                      repo::PayerAt(ctx.tx, charge.account_id, charge.usage_at));
  charge.charge_id = ctx.twin.ids.UniqueId("CHG");
  charge.recorded_at = now;
  return charge;
}

}  // namespace

Result<Json> RecordUsage(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  const boost::json::value* records = input.if_contains("Records");
  if (records == nullptr || !records->is_array() || records->get_array().empty() ||
      records->get_array().size() > kMaxRecordsPerCall) {
    return Validation("Records must hold 1 to " + std::to_string(kMaxRecordsPerCall) +
                      " usage records.");
  }
  boost::json::array charges;
  size_t at = 0;
  for (const boost::json::value& record : records->get_array()) {
    if (!record.is_object()) return Validation("Records[" + std::to_string(at) + "] is no record.");
    OT_ASSIGN_OR_RETURN(repo::ChargeRow charge, ChargeOf(ctx, record.get_object(), at));
    OT_RETURN_IF_ERROR(repo::InsertCharge(ctx.tx, charge));
    charges.push_back(Json{{"ChargeId", charge.charge_id},
                           {"AccountId", charge.account_id},
                           {"PayerAccountId", charge.payer_account_id},
                           {"UsageDate", charge.usage_day},
                           {"Cost", FormatAmount(charge.cost_micros)}});
    ++at;
  }
  return Json{{"Charges", std::move(charges)}};
}

}  // namespace orgtwin::services::billing
