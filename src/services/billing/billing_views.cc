// Billing views (billing, awsJson1_0): ListBillingViews and GetBillingView over the one view
// every account has, its PRIMARY view (`arn:aws:billing::ACCOUNT:billingview/primary`): all the
// cost management data of the account, what Cost Explorer shows it (cost_explorer.cc). Custom,
// billing-group and billing-transfer views are not modeled: the twin creates none, so a listing
// filtered to those types is empty and their ARNs are not found.
#include "common/json_fields.h"
#include "repo/account_repository.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {
namespace {

using json_fields::Str;

// AWS-COMPAT: AWS does not document the primary view's name or description; the Billing
// console calls it the primary view, and so does the twin.
constexpr std::string_view kPrimaryName = "Primary View";
constexpr std::string_view kPrimaryType = "PRIMARY";

std::string PrimaryArn(std::string_view account_id) {
  return "arn:aws:billing::" + std::string(account_id) + ":billingview/primary";
}

// The primary view of the caller's account, in the members both shapes share.
Json PrimaryView(const gateway::RequestContext& ctx) {
  const std::string& account = ctx.caller.account_id;
  return Json{{"arn", PrimaryArn(account)},
              {"name", kPrimaryName},
              {"billingViewType", kPrimaryType},
              {"ownerAccountId", account},
              {"healthStatus", Json{{"statusCode", "HEALTHY"}}}};
}

bool Contains(const boost::json::value* list, std::string_view wanted) {
  if (list == nullptr || !list->is_array()) return true;  // no filter
  for (const boost::json::value& item : list->as_array()) {
    if (item.is_string() && item.as_string() == wanted) return true;
  }
  return false;
}

}  // namespace

Result<Json> ListBillingViews(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  if (const boost::json::value* token = input.if_contains("nextToken"); token != nullptr) {
    // One view at most: no listing has a second page, so no token is ever handed out.
    return Validation("The nextToken is not valid.");
  }
  Json view = PrimaryView(ctx);
  const std::string arn = Str(view, "arn");
  bool match = Contains(input.if_contains("billingViewTypes"), kPrimaryType) &&
               Contains(input.if_contains("arns"), arn);
  if (const boost::json::value* owner = input.if_contains("ownerAccountId"); owner != nullptr) {
    match = match && owner->is_string() && owner->as_string() == ctx.caller.account_id;
  }
  // A primary view is no one's derived view: it has no source account.
  if (input.contains("sourceAccountId")) match = false;
  if (const boost::json::value* names = input.if_contains("names");
      names != nullptr && names->is_array()) {
    for (const boost::json::value& search : names->as_array()) {
      if (!search.is_object()) continue;
      match = match && kPrimaryName.starts_with(Str(search.as_object(), "searchValue"));
    }
  }
  boost::json::array views;
  if (match) views.push_back(std::move(view));
  return Json{{"billingViews", std::move(views)}};
}

Result<Json> GetBillingView(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireBillingAccess(ctx));
  const std::string arn = Str(input, "arn");
  if (arn != PrimaryArn(ctx.caller.account_id)) {
    return NotFoundError("Billing view " + arn + " does not exist.")
        .WithAwsCode("ResourceNotFoundException")
        .WithField("resourceId", arn)
        .WithField("resourceType", "billingview");
  }
  Json view = PrimaryView(ctx);
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, ctx.caller.account_id));
  if (account.has_value()) {
    view["createdAt"] = account->created_at;
    view["updatedAt"] = account->created_at;
  }
  view["derivedViewCount"] = 0;
  view["sourceViewCount"] = 0;
  return Json{{"billingView", std::move(view)}};
}

}  // namespace orgtwin::services::billing
