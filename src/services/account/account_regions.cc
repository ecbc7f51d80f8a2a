// ListRegions, GetRegionOptStatus, EnableRegion and DisableRegion: the opt-in status of the
// Regions of the aws partition for one account.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.h"
#include "repo/region_repository.h"
#include "services/account/account_internal.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::account {
namespace {

using iam::Str;

// The Regions of the aws partition, by name. Source: the partition's Region list in the AWS SDK's
// endpoint rules (@aws-sdk/util-endpoints partitions.json, as shipped with
// @aws-sdk/client-account 3.956.0: 34 Regions). Which are opt-in: the Account Management
// reference, "Enable or disable AWS Regions in your account" (manage-acct-regions.html):
// Regions launched before 2019-03-20 are enabled by default and cannot be enabled or disabled;
// later ones are disabled until the account opts in.
struct RegionInfo {
  std::string_view name;
  bool opt_in;
};
constexpr RegionInfo kRegions[] = {
    {"af-south-1", true},      {"ap-east-1", true},       {"ap-east-2", true},
    {"ap-northeast-1", false}, {"ap-northeast-2", false}, {"ap-northeast-3", false},
    {"ap-south-1", false},     {"ap-south-2", true},      {"ap-southeast-1", false},
    {"ap-southeast-2", false}, {"ap-southeast-3", true},  {"ap-southeast-4", true},
    {"ap-southeast-5", true},  {"ap-southeast-6", true},  {"ap-southeast-7", true},
    {"ca-central-1", false},   {"ca-west-1", true},       {"eu-central-1", false},
    {"eu-central-2", true},    {"eu-north-1", false},     {"eu-south-1", true},
    {"eu-south-2", true},      {"eu-west-1", false},      {"eu-west-2", false},
    {"eu-west-3", false},      {"il-central-1", true},    {"me-central-1", true},
    {"me-south-1", true},      {"mx-central-1", true},    {"sa-east-1", false},
    {"us-east-1", false},      {"us-east-2", false},      {"us-west-1", false},
    {"us-west-2", false},
};

// AWS-COMPAT: enabling takes AWS minutes to hours ("a few minutes for most accounts"); the twin
// settles a change 60 seconds of its clock after the request, so tests can step through
// ENABLING -> ENABLED with the adjustable clock.
constexpr double kTransitionSeconds = 60;

// AWS-COMPAT: the model bounds MaxResults to 1-50 and documents no default; the twin answers up
// to 50 Regions a page when it is absent.
constexpr int64_t kDefaultMaxResults = 50;

const RegionInfo* FindRegion(std::string_view name) {
  for (const RegionInfo& r : kRegions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// The status a Region reads as now, from its last request (if any).
std::string Effective(const RegionInfo& region, const std::optional<repo::RegionOptRow>& row,
                      double now) {
  if (!region.opt_in) return "ENABLED_BY_DEFAULT";
  if (!row.has_value()) return "DISABLED";
  const bool settled = now >= row->changed_at + kTransitionSeconds;
  if (row->status == "ENABLING") return settled ? "ENABLED" : "ENABLING";
  return settled ? "DISABLED" : "DISABLING";
}

Result<const RegionInfo*> OptInRegion(const Json& input) {
  const std::string name = Str(input, "RegionName");
  const RegionInfo* region = FindRegion(name);
  // AWS-COMPAT: a name that is no Region of the partition gets the same reason as a default
  // Region (neither is a valid opt-in target); AWS's texts for both are the twin's.
  if (region == nullptr) {
    return Validation("The Region " + name + " is not a valid Region.", "invalidRegionOptTarget");
  }
  if (!region->opt_in) {
    return Validation(
        "The Region " + name + " is enabled by default and can't be enabled or disabled.",
        "invalidRegionOptTarget");
  }
  return region;
}

// EnableRegion and DisableRegion: `to` is ENABLING or DISABLING.
Result<Json> ChangeRegion(gateway::RequestContext& ctx, const Json& input, const char* to) {
  OT_ASSIGN_OR_RETURN(std::string account_id, TargetAccount(ctx, input));
  OT_ASSIGN_OR_RETURN(const RegionInfo* region, OptInRegion(input));
  OT_ASSIGN_OR_RETURN(std::optional<repo::RegionOptRow> row,
                      repo::FindRegionOpt(ctx.tx, account_id, region->name));
  const double now = NowSeconds(ctx);
  const std::string status = Effective(*region, row, now);
  if (status == "ENABLING" || status == "DISABLING") {
    // The ConflictException's documentation: enabling a Region that is being disabled; the
    // EnableRegion page adds that a Region cannot be disabled before enabling completes.
    return Conflict("The Region " + std::string(region->name) + " is currently " + status +
                    ". Wait for the change to complete before requesting another.");
  }
  const bool enable = std::string_view(to) == "ENABLING";
  // AWS-COMPAT: asking for the status a Region already has changes nothing and succeeds.
  if (status == (enable ? "ENABLED" : "DISABLED")) return Json();
  OT_RETURN_IF_ERROR(repo::UpsertRegionOpt(
      ctx.tx, repo::RegionOptRow{account_id, std::string(region->name), to, now}));
  return Json();
}

// NextToken: the base64 of the first Region name of the next page.
std::string EncodeToken(std::string_view region) { return Base64Encode(region); }

}  // namespace

Result<Json> ListRegions(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, TargetAccount(ctx, input));
  const int64_t max_results = iam::Int(input, "MaxResults").value_or(kDefaultMaxResults);
  std::string start;
  if (const std::string token = Str(input, "NextToken"); !token.empty()) {
    if (!Base64Decode(token, &start) || FindRegion(start) == nullptr) {
      return Validation("The NextToken value is not valid.");
    }
  }
  std::vector<std::string> wanted;
  for (const boost::json::value& v : iam::Array(input, "RegionOptStatusContains")) {
    if (v.is_string()) wanted.emplace_back(v.get_string());
  }
  OT_ASSIGN_OR_RETURN(std::vector<repo::RegionOptRow> rows, repo::RegionOptsOf(ctx.tx, account_id));
  const double now = NowSeconds(ctx);
  boost::json::array regions;
  Json out;
  for (const RegionInfo& region : kRegions) {
    if (region.name < start) continue;
    std::optional<repo::RegionOptRow> row;
    for (const repo::RegionOptRow& r : rows) {
      if (r.region_name == region.name) row = r;
    }
    std::string status = Effective(region, row, now);
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), status) == wanted.end()) {
      continue;
    }
    if (static_cast<int64_t>(regions.size()) == max_results) {
      out["NextToken"] = EncodeToken(region.name);
      break;
    }
    regions.push_back(Json{{"RegionName", region.name}, {"RegionOptStatus", std::move(status)}});
  }
  out["Regions"] = std::move(regions);
  return out;
}

Result<Json> GetRegionOptStatus(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string account_id, TargetAccount(ctx, input));
  const std::string name = Str(input, "RegionName");
  const RegionInfo* region = FindRegion(name);
  if (region == nullptr) {
    // AWS-COMPAT: as OptInRegion, for a name that is no Region of the partition.
    return Validation("The Region " + name + " is not a valid Region.", "invalidRegionOptTarget");
  }
  OT_ASSIGN_OR_RETURN(std::optional<repo::RegionOptRow> row,
                      repo::FindRegionOpt(ctx.tx, account_id, region->name));
  return Json{{"RegionName", region->name},
              {"RegionOptStatus", Effective(*region, row, NowSeconds(ctx))}};
}

Result<Json> EnableRegion(gateway::RequestContext& ctx, const Json& input) {
  return ChangeRegion(ctx, input, "ENABLING");
}

Result<Json> DisableRegion(gateway::RequestContext& ctx, const Json& input) {
  return ChangeRegion(ctx, input, "DISABLING");
}

}  // namespace orgtwin::services::account
