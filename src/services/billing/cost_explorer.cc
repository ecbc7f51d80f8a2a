// Cost Explorer (ce, awsJson1_1): GetCostAndUsage and GetDimensionValues over the charges the
// caller's account may see (repo::VisibleCharges): every charge it paid for (a payer's linked
// accounts' included, and an account's own bills from before it joined an organization), and,
// as a member, its own usage since it joined its current organization; not what another payer
// paid for it.
//
// Modeled dimensions: LINKED_ACCOUNT, SERVICE, USAGE_TYPE, REGION and RECORD_TYPE (always
// "Usage": the twin has no credits, refunds or taxes). Charges carry no tags or cost categories,
// so a Tags or CostCategories filter matches only with ABSENT, and grouping by a tag key puts
// every charge in the group "<key>$" (AWS's key for untagged cost). Other dimensions of the model
// read as absent on every charge. AWS-COMPAT: results come in one page (NextPageToken is never
// set); AWS pages only large results.
#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "common/json_fields.h"
#include "repo/account_repository.h"
#include "repo/billing_repository.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {
namespace {

using std::chrono::sys_days;

constexpr std::string_view kCostMetrics[] = {"AmortizedCost", "BlendedCost", "NetAmortizedCost",
                                             "NetUnblendedCost", "UnblendedCost"};
constexpr std::string_view kUsageMetrics[] = {"UsageQuantity", "NormalizedUsageAmount"};
constexpr size_t kMaxGroupBy = 2;

bool IsCostMetric(std::string_view metric) {
  return std::find(std::begin(kCostMetrics), std::end(kCostMetrics), metric) !=
         std::end(kCostMetrics);
}
bool IsUsageMetric(std::string_view metric) {
  return std::find(std::begin(kUsageMetrics), std::end(kUsageMetrics), metric) !=
         std::end(kUsageMetrics);
}

using json_fields::Str;

std::vector<std::string> Strings(const Json& input, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const boost::json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

// The value of a Cost Explorer dimension on a charge; "" where the twin does not model it.
std::string DimensionOf(const repo::ChargeRow& charge, std::string_view dimension) {
  if (dimension == "LINKED_ACCOUNT") return charge.account_id;
  if (dimension == "SERVICE") return charge.service;
  if (dimension == "USAGE_TYPE") return charge.usage_type;
  if (dimension == "REGION") return charge.region;
  if (dimension == "RECORD_TYPE") return "Usage";
  return "";
}

// ---- TimePeriod ----

struct Period {
  sys_days start;
  sys_days end;  // exclusive
};

Result<Period> PeriodOf(const Json& input) {
  const boost::json::value* v = input.if_contains("TimePeriod");
  if (v == nullptr || !v->is_object()) return Validation("TimePeriod is required.");
  const std::string start_text = Str(v->get_object(), "Start");
  const std::string end_text = Str(v->get_object(), "End");
  std::optional<sys_days> start = ParseDay(start_text);
  std::optional<sys_days> end = ParseDay(end_text);
  // AWS-COMPAT: the messages of AWS's date checks are not documented.
  if (!start)
    return Validation("Start date " + start_text + " is not a date of the form YYYY-MM-DD.");
  if (!end) return Validation("End date " + end_text + " is not a date of the form YYYY-MM-DD.");
  if (*start >= *end)
    return Validation("Start date (and hour) should be before end date (and hour)");
  return Period{*start, *end};
}

// The result periods of `granularity` covering `period`: days, or calendar months cut to it.
std::vector<Period> Buckets(const Period& period, std::string_view granularity) {
  std::vector<Period> out;
  for (sys_days at = period.start; at < period.end;) {
    sys_days next = at + std::chrono::days(1);
    if (granularity == "MONTHLY") {
      std::chrono::year_month_day ymd(at);
      next = sys_days((ymd.year() / ymd.month() / 1) + std::chrono::months(1));
    }
    if (next > period.end) next = period.end;
    out.push_back(Period{at, next});
    at = next;
  }
  return out;
}

// ---- Filter (the model's Expression) ----

struct Expression {
  enum class Kind { kAnd, kOr, kNot, kDimension, kTag } kind = Kind::kDimension;
  std::vector<Expression> children;
  std::string key;
  std::set<std::string> values;
  bool absent = false;  // MatchOptions ABSENT
  bool case_insensitive = false;
  std::string match = "EQUALS";  // EQUALS | STARTS_WITH | ENDS_WITH | CONTAINS
};

Result<Expression> ParseExpression(const boost::json::value& json, int depth) {
  if (!json.is_object() || depth > 32) return Validation("Filter is not a valid expression.");
  const Json& object = json.get_object();
  Expression out;
  int parts = 0;
  for (const char* list : {"And", "Or"}) {
    const boost::json::value* v = object.if_contains(list);
    if (v == nullptr) continue;
    ++parts;
    if (!v->is_array() || v->get_array().size() < 2) {
      return Validation(std::string(list) + " must combine at least two expressions.");
    }
    out.kind = std::string_view(list) == "And" ? Expression::Kind::kAnd : Expression::Kind::kOr;
    for (const boost::json::value& child : v->get_array()) {
      OT_ASSIGN_OR_RETURN(Expression parsed, ParseExpression(child, depth + 1));
      out.children.push_back(std::move(parsed));
    }
  }
  if (const boost::json::value* v = object.if_contains("Not")) {
    ++parts;
    out.kind = Expression::Kind::kNot;
    OT_ASSIGN_OR_RETURN(Expression parsed, ParseExpression(*v, depth + 1));
    out.children.push_back(std::move(parsed));
  }
  for (const char* leaf : {"Dimensions", "Tags", "CostCategories"}) {
    const boost::json::value* v = object.if_contains(leaf);
    if (v == nullptr) continue;
    ++parts;
    if (!v->is_object()) return Validation(std::string(leaf) + " must be an object.");
    const Json& values = v->get_object();
    out.kind = std::string_view(leaf) == "Dimensions" ? Expression::Kind::kDimension
                                                      : Expression::Kind::kTag;
    out.key = Str(values, "Key");
    for (std::string& value : Strings(values, "Values")) out.values.insert(std::move(value));
    for (const std::string& option : Strings(values, "MatchOptions")) {
      if (option == "ABSENT") {
        out.absent = true;
      } else if (option == "CASE_INSENSITIVE") {
        out.case_insensitive = true;
      } else if (option == "STARTS_WITH" || option == "ENDS_WITH" || option == "CONTAINS" ||
                 option == "EQUALS") {
        out.match = option;
      }
    }
  }
  if (parts != 1) {
    return Validation(
        "Expression must have exactly one of And, Or, Not, Dimensions, Tags or "
        "CostCategories.");
  }
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool ValueMatches(const Expression& leaf, const std::string& actual) {
  if (actual.empty()) return leaf.absent;
  const std::string have = leaf.case_insensitive ? Lower(actual) : actual;
  for (const std::string& wanted_raw : leaf.values) {
    const std::string wanted = leaf.case_insensitive ? Lower(wanted_raw) : wanted_raw;
    if (leaf.match == "EQUALS" && have == wanted) return true;
    if (leaf.match == "STARTS_WITH" && have.starts_with(wanted)) return true;
    if (leaf.match == "ENDS_WITH" && have.ends_with(wanted)) return true;
    if (leaf.match == "CONTAINS" && have.find(wanted) != std::string::npos) return true;
  }
  return false;
}

bool Matches(const Expression& e, const repo::ChargeRow& charge) {
  switch (e.kind) {
    case Expression::Kind::kAnd:
      return std::all_of(e.children.begin(), e.children.end(),
                         [&](const Expression& c) { return Matches(c, charge); });
    case Expression::Kind::kOr:
      return std::any_of(e.children.begin(), e.children.end(),
                         [&](const Expression& c) { return Matches(c, charge); });
    case Expression::Kind::kNot:
      return !Matches(e.children.front(), charge);
    case Expression::Kind::kDimension:
      return ValueMatches(e, DimensionOf(charge, e.key));
    case Expression::Kind::kTag:
      return e.absent;  // no charge carries a tag or a cost category
  }
  return false;
}

Result<std::optional<Expression>> FilterOf(const Json& input) {
  const boost::json::value* v = input.if_contains("Filter");
  if (v == nullptr) return std::optional<Expression>();
  OT_ASSIGN_OR_RETURN(Expression parsed, ParseExpression(*v, 0));
  return std::optional<Expression>(std::move(parsed));
}

// The charges the caller may see in `period` that pass `filter`.
Result<std::vector<repo::ChargeRow>> ChargesFor(gateway::RequestContext& ctx, const Period& period,
                                                const std::optional<Expression>& filter) {
  const std::string& viewer = ctx.caller.account_id;
  OT_ASSIGN_OR_RETURN(std::string payer, repo::PayerAt(ctx.tx, viewer, NowSeconds(ctx)));
  OT_ASSIGN_OR_RETURN(
      auto charges,
      repo::VisibleCharges(ctx.tx, viewer, payer, FormatDay(period.start), FormatDay(period.end)));
  if (filter.has_value()) {
    std::erase_if(charges, [&](const repo::ChargeRow& c) { return !Matches(*filter, c); });
  }
  return charges;
}

// ---- Sums ----

struct Sum {
  int64_t cost_micros = 0;
  double quantity = 0;
  std::set<std::string> units;

  void Add(const repo::ChargeRow& charge) {
    cost_micros += charge.cost_micros;
    quantity += charge.usage_quantity;
    units.insert(charge.usage_unit);
  }
};

std::string FormatQuantity(double quantity) {
  if (quantity == 0) return "0";
  std::string text = std::to_string(quantity);  // six fraction digits
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

Json MetricsOf(const Sum& sum, const std::vector<std::string>& metrics) {
  Json out;
  for (const std::string& metric : metrics) {
    if (IsCostMetric(metric)) {
      out[metric] = Json{{"Amount", FormatAmount(sum.cost_micros)}, {"Unit", "USD"}};
    } else if (metric == "UsageQuantity") {
      std::string unit = sum.units.size() == 1 ? *sum.units.begin() : "N/A";
      out[metric] = Json{{"Amount", FormatQuantity(sum.quantity)}, {"Unit", unit}};
    } else {
      out[metric] = Json{{"Amount", "0"}, {"Unit", "N/A"}};  // NormalizedUsageAmount
    }
  }
  return out;
}

struct GroupKey {
  std::string type;  // DIMENSION | TAG | COST_CATEGORY
  std::string key;
};

std::string GroupValue(const GroupKey& group, const repo::ChargeRow& charge) {
  if (group.type == "DIMENSION") {
    std::string value = DimensionOf(charge, group.key);
    return value.empty() ? "No" + group.key : value;
  }
  return group.key + "$";  // untagged, uncategorized
}

Result<std::vector<GroupKey>> GroupsOf(const Json& input) {
  std::vector<GroupKey> out;
  const boost::json::value* v = input.if_contains("GroupBy");
  if (v == nullptr || !v->is_array()) return out;
  for (const boost::json::value& item : v->get_array()) {
    if (!item.is_object()) return Validation("GroupBy entries must be objects.");
    GroupKey group{Str(item.get_object(), "Type"), Str(item.get_object(), "Key")};
    if (group.type != "DIMENSION" && group.type != "TAG" && group.type != "COST_CATEGORY") {
      return Validation("Group Definition type must be DIMENSION, TAG or COST_CATEGORY.");
    }
    if (group.key.empty()) return Validation("Group Definition key is required.");
    out.push_back(std::move(group));
  }
  if (out.size() > kMaxGroupBy) {
    return Validation("You can group by up to two Group Definitions.");
  }
  return out;
}

Result<std::vector<std::string>> MetricsRequested(const Json& input) {
  std::vector<std::string> metrics = Strings(input, "Metrics");
  if (metrics.empty()) return Validation("Metrics are required.");
  for (const std::string& metric : metrics) {
    if (!IsCostMetric(metric) && !IsUsageMetric(metric)) {
      return Validation("Metric " + metric +
                        " is not valid. Valid metrics are AmortizedCost, "
                        "BlendedCost, NetAmortizedCost, NetUnblendedCost, NormalizedUsageAmount, "
                        "UnblendedCost and UsageQuantity.");
    }
  }
  return metrics;
}

// The first day of the twin's current month: periods ending after it are still estimated.
sys_days CurrentMonthStart(const gateway::RequestContext& ctx) {
  std::chrono::year_month_day today(*ParseDay(DayOf(NowSeconds(ctx))));
  return sys_days(today.year() / today.month() / 1);
}

Result<boost::json::array> AccountAttributes(gateway::RequestContext& ctx,
                                             const std::set<std::string>& accounts) {
  boost::json::array out;
  for (const std::string& account_id : accounts) {
    OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, account_id));
    out.push_back(Json{{"Value", account_id},
                       {"Attributes", Json{{"description", account ? account->name : ""}}}});
  }
  return out;
}

}  // namespace

Result<Json> GetCostAndUsage(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  OT_ASSIGN_OR_RETURN(Period period, PeriodOf(input));
  const std::string granularity = Str(input, "Granularity");
  if (granularity != "DAILY" && granularity != "MONTHLY") {
    // AWS-COMPAT: HOURLY needs hourly granularity turned on in Cost Explorer's preferences,
    // which the twin does not have.
    return Validation("Granularity " + granularity +
                      " is not supported; use DAILY or MONTHLY (hourly granularity is not "
                      "enabled).");
  }
  OT_ASSIGN_OR_RETURN(std::vector<std::string> metrics, MetricsRequested(input));
  OT_ASSIGN_OR_RETURN(std::vector<GroupKey> groups, GroupsOf(input));
  OT_ASSIGN_OR_RETURN(std::optional<Expression> filter, FilterOf(input));
  OT_ASSIGN_OR_RETURN(std::vector<repo::ChargeRow> charges, ChargesFor(ctx, period, filter));

  const sys_days month_start = CurrentMonthStart(ctx);
  // Grouped by account, the answer names each account (DimensionValueAttributes), as AWS does.
  const bool by_linked_account = std::any_of(groups.begin(), groups.end(), [](const GroupKey& g) {
    return g.type == "DIMENSION" && g.key == "LINKED_ACCOUNT";
  });
  std::set<std::string> linked_accounts;
  boost::json::array results;
  auto next = charges.begin();
  for (const Period& bucket : Buckets(period, granularity)) {
    const std::string end_day = FormatDay(bucket.end);
    Sum total;
    std::map<std::vector<std::string>, Sum> by_group;
    for (; next != charges.end() && next->usage_day < end_day; ++next) {
      total.Add(*next);
      if (groups.empty()) continue;
      std::vector<std::string> keys;
      keys.reserve(groups.size());
      for (const GroupKey& group : groups) keys.push_back(GroupValue(group, *next));
      by_group[keys].Add(*next);
      if (by_linked_account) linked_accounts.insert(next->account_id);
    }
    boost::json::array group_list;
    for (const auto& [keys, sum] : by_group) {
      boost::json::array key_list;
      for (const std::string& key : keys) key_list.emplace_back(key);
      group_list.push_back(
          Json{{"Keys", std::move(key_list)}, {"Metrics", MetricsOf(sum, metrics)}});
    }
    results.push_back(
        Json{{"TimePeriod", Json{{"Start", FormatDay(bucket.start)}, {"End", end_day}}},
             {"Total", groups.empty() ? MetricsOf(total, metrics) : Json()},
             {"Groups", std::move(group_list)},
             {"Estimated", bucket.end > month_start}});
  }
  Json out{{"ResultsByTime", std::move(results)}};
  if (!groups.empty()) {
    boost::json::array definitions;
    for (const GroupKey& group : groups) {
      definitions.push_back(Json{{"Type", group.type}, {"Key", group.key}});
    }
    out["GroupDefinitions"] = std::move(definitions);
  }
  OT_ASSIGN_OR_RETURN(boost::json::array attributes, AccountAttributes(ctx, linked_accounts));
  out["DimensionValueAttributes"] = std::move(attributes);
  return out;
}

Result<Json> GetDimensionValues(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  OT_ASSIGN_OR_RETURN(Period period, PeriodOf(input));
  const std::string dimension = Str(input, "Dimension");
  const std::string context = Str(input, "Context");
  OT_ASSIGN_OR_RETURN(std::optional<Expression> filter, FilterOf(input));
  std::map<std::string, Sum> values;
  // Reservations and Savings Plans contexts: the twin has neither, so no values.
  if (context.empty() || context == "COST_AND_USAGE") {
    OT_ASSIGN_OR_RETURN(std::vector<repo::ChargeRow> charges, ChargesFor(ctx, period, filter));
    const std::string search = Lower(Str(input, "SearchString"));
    for (const repo::ChargeRow& charge : charges) {
      std::string value = DimensionOf(charge, dimension);
      if (value.empty()) continue;
      if (!search.empty() && Lower(value).find(search) == std::string::npos) continue;
      values[value].Add(charge);
    }
  }
  std::vector<std::pair<std::string, Sum>> ordered(values.begin(), values.end());
  // SortBy: by a cost metric (or the usage quantity), descending unless asked otherwise; without
  // it, by value. AWS-COMPAT: AWS does not document its order without SortBy.
  if (const boost::json::value* sort = input.if_contains("SortBy");
      sort != nullptr && sort->is_array() && !sort->get_array().empty() &&
      sort->get_array().front().is_object()) {
    const Json& first = sort->get_array().front().get_object();
    const std::string key = Str(first, "Key");
    const bool ascending = Str(first, "SortOrder") == "ASCENDING";
    if (!IsCostMetric(key) && !IsUsageMetric(key)) {
      return Validation("SortBy key " + key + " is not valid for GetDimensionValues.");
    }
    const bool by_cost = IsCostMetric(key);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
      double left = by_cost ? static_cast<double>(a.second.cost_micros) : a.second.quantity;
      double right = by_cost ? static_cast<double>(b.second.cost_micros) : b.second.quantity;
      return ascending ? left < right : left > right;
    });
  }
  const size_t total = ordered.size();
  if (const boost::json::value* max = input.if_contains("MaxResults");
      max != nullptr && max->is_int64() && max->get_int64() > 0 &&
      static_cast<size_t>(max->get_int64()) < ordered.size()) {
    ordered.resize(static_cast<size_t>(max->get_int64()));
  }
  boost::json::array out_values;
  for (const auto& [value, sum] : ordered) {
    Json attributes;
    if (dimension == "LINKED_ACCOUNT") {
      OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, value));
      attributes["description"] = account ? account->name : "";
    }
    out_values.push_back(Json{{"Value", value}, {"Attributes", std::move(attributes)}});
  }
  return Json{{"DimensionValues", std::move(out_values)},
              {"ReturnSize", static_cast<int64_t>(ordered.size())},
              {"TotalSize", static_cast<int64_t>(total)}};
}

}  // namespace orgtwin::services::billing
