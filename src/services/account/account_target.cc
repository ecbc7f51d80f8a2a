#include <optional>
#include <string>

#include "repo/org_repository.h"
#include "services/account/account_internal.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::account {
namespace {

constexpr char kAccountServicePrincipal[] = "account.amazonaws.com";

}  // namespace

Status AccessDenied(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("AccessDeniedException");
}

Status Validation(std::string message, const char* reason) {
  return InvalidInputError(std::move(message))
      .WithAwsCode("ValidationException")
      .WithField("reason", reason);
}

Status NotFound(std::string message) {
  return NotFoundError(std::move(message)).WithAwsCode("ResourceNotFoundException");
}

Status Conflict(std::string message) {
  return ConflictError(std::move(message)).WithAwsCode("ConflictException");
}

double NowSeconds(const gateway::RequestContext& ctx) { return ToEpochSeconds(ctx.now); }

Result<std::string> TargetAccount(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  const std::string& caller = ctx.caller.account_id;
  std::string target = iam::Str(input, "AccountId");
  OT_ASSIGN_OR_RETURN(std::optional<repo::OrgRow> org,
                      repo::FindOrganizationForAccount(tx, target.empty() ? caller : target));
  if (target.empty()) return caller;
  if (target == caller) {
    // AWS-COMPAT: the management account must use the standalone form for itself.
    if (org.has_value() && org->management_account_id == caller) {
      return Validation(
          "The management account can't specify its own AccountId. Call the operation without "
          "the AccountId parameter.");
    }
    return caller;
  }
  const Status denied =
      AccessDenied("User: " + ctx.caller.arn +
                   " is not authorized to perform this operation on account " + target + ".");
  if (!org.has_value()) return denied;
  const bool management = org->management_account_id == caller;
  OT_ASSIGN_OR_RETURN(bool delegated, repo::IsDelegatedAdministrator(tx, org->org_id, caller,
                                                                     kAccountServicePrincipal));
  if (!management && !delegated) return denied;
  OT_ASSIGN_OR_RETURN(bool trusted,
                      repo::ServiceAccessEnabled(tx, org->org_id, kAccountServicePrincipal));
  if (org->feature_set != "ALL" || !trusted) {
    return AccessDenied(
        "The request failed because trusted access for the AWS Account Management service is "
        "not enabled for your organization.");
  }
  return target;
}

Result<std::string> MemberTargetAccount(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(std::string target, TargetAccount(ctx, input));
  if (target == ctx.caller.account_id) {
    // AWS-COMPAT: AWS documents that these operations serve only the management account or the
    // delegated administrator acting on a member; its answer to an account naming itself (other
    // than the management account, refused above) is not documented, so the twin denies it.
    return AccessDenied(
        "This operation can only be called from the management account or the delegated "
        "administrator account of an organization for a member account.");
  }
  return target;
}

}  // namespace orgtwin::services::account
