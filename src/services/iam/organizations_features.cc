// Centralized root access: ListOrganizationsFeatures, Enable/DisableOrganizationsRoot-
// CredentialsManagement and Enable/DisableOrganizationsRootSessions (organizations_features.h).
#include "services/iam/organizations_features.h"

#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// AWS-COMPAT: the model gives these errors no code of their own, so the wire code is the shape
// name, HTTP 400 (the API reference). AWS's runtime messages were not found in public sources;
// the texts below state each documented condition in the twin's words.
Status RootAccessError(std::string_view code, std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode(std::string(code));
}

// {OrganizationId, EnabledFeatures}: the output of all five operations.
Result<Json> FeaturesOutput(store::Transaction& tx, const repo::OrgRow& org) {
  OT_ASSIGN_OR_RETURN(std::vector<std::string> features, repo::RootFeatures(tx, org.org_id));
  boost::json::array list;
  for (std::string& feature : features) list.emplace_back(std::move(feature));
  return Json{{"OrganizationId", org.org_id}, {"EnabledFeatures", std::move(list)}};
}

Result<Json> SetFeature(gateway::RequestContext& ctx, std::string_view feature, bool enabled) {
  store::Transaction& tx = ctx.tx;
  const RootAccessCaller who =
      enabled ? RootAccessCaller::kManagementOnly : RootAccessCaller::kManagementOrDelegatedAdmin;
  OT_ASSIGN_OR_RETURN(repo::OrgRow org, RootAccessOrganization(tx, AccountOf(ctx), who));
  OT_RETURN_IF_ERROR(repo::SetRootFeature(tx, org.org_id, feature, enabled, NowSeconds(ctx)));
  return FeaturesOutput(tx, org);
}

}  // namespace

Result<repo::OrgRow> RootAccessOrganization(store::Transaction& tx, std::string_view account_id,
                                            RootAccessCaller who) {
  OT_ASSIGN_OR_RETURN(std::optional<repo::OrgRow> org,
                      repo::FindOrganizationForAccount(tx, account_id));
  if (!org.has_value()) {
    return RootAccessError("OrganizationNotFoundException",
                           "Your account is not a member of an organization.");
  }
  if (org->feature_set != "ALL") {
    return RootAccessError("OrganizationNotInAllFeaturesModeException",
                           "The organization " + org->org_id +
                               " does not have all features "
                               "enabled.");
  }
  const bool management = org->management_account_id == account_id;
  if (!management) {
    OT_ASSIGN_OR_RETURN(bool delegated, repo::IsDelegatedAdministrator(tx, org->org_id, account_id,
                                                                       kIamServicePrincipal));
    if (!delegated) {
      return RootAccessError("AccountNotManagementOrDelegatedAdministratorException",
                             "The account " + std::string(account_id) +
                                 " is not the management account or the delegated administrator "
                                 "for IAM of organization " +
                                 org->org_id + ".");
    }
    if (who == RootAccessCaller::kManagementOnly) {
      return RootAccessError(
          "CallerIsNotManagementAccountException",
          "Only the management account of organization " + org->org_id + " can make this request.");
    }
  }
  OT_ASSIGN_OR_RETURN(bool trusted,
                      repo::ServiceAccessEnabled(tx, org->org_id, kIamServicePrincipal));
  if (!trusted) {
    return RootAccessError(
        "ServiceAccessNotEnabledException",
        "Trusted access for iam.amazonaws.com is not enabled in organization " + org->org_id + ".");
  }
  return *std::move(org);
}

Result<Json> ListOrganizationsFeatures(gateway::RequestContext& ctx, const Json& /*input*/) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(
      repo::OrgRow org,
      RootAccessOrganization(tx, AccountOf(ctx), RootAccessCaller::kManagementOrDelegatedAdmin));
  return FeaturesOutput(tx, org);
}

Result<Json> EnableOrganizationsRootCredentialsManagement(gateway::RequestContext& ctx,
                                                          const Json& /*input*/) {
  return SetFeature(ctx, repo::kRootCredentialsManagement, true);
}

Result<Json> DisableOrganizationsRootCredentialsManagement(gateway::RequestContext& ctx,
                                                           const Json& /*input*/) {
  return SetFeature(ctx, repo::kRootCredentialsManagement, false);
}

Result<Json> EnableOrganizationsRootSessions(gateway::RequestContext& ctx, const Json& /*input*/) {
  return SetFeature(ctx, repo::kRootSessions, true);
}

Result<Json> DisableOrganizationsRootSessions(gateway::RequestContext& ctx, const Json& /*input*/) {
  return SetFeature(ctx, repo::kRootSessions, false);
}

}  // namespace orgtwin::services::iam
