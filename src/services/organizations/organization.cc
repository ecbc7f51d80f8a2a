// The organization itself, delegated administrators, trusted service access, the organization's
// resource policy and tags.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "gateway/gateway.h"
#include "repo/account_repository.h"
#include "repo/billing_repository.h"
#include "services/iam/iam_entities.h"
#include "services/organizations/org_store.h"
#include "services/organizations/organizations_core.h"
#include "services/organizations/service_principals.h"
#include "services/organizations/transfers.h"

namespace orgtwin::services::organizations {
namespace {

// AWS-COMPAT: every recognized principal is accepted for trusted access and for delegated
// administrators alike; which service refuses which of the two on AWS is not established.
Status CheckServicePrincipal(const std::string& principal) {
  if (!IsRecognizedServicePrincipal(principal)) {
    return InvalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL",
                        "You specified an unrecognized service principal.");
  }
  return Status::Ok();
}

Result<MemberRow> RequireMemberAccount(store::Transaction& tx, const OrgRow& org,
                                       const std::string& account_id) {
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account_id));
  if (!member.has_value()) {
    return OrgError("AccountNotFoundException", "You specified an account that doesn't exist.");
  }
  return *std::move(member);
}

std::string ResourcePolicyArn(const OrgRow& org, const std::string& id) {
  return "arn:aws:organizations::" + org.management_account_id + ":resourcepolicy/" + org.org_id +
         "/" + id;
}

// The resource a tag operation names must exist in the caller's organization.
Status CheckTaggable(store::Transaction& tx, const OrgRow& org, const std::string& id) {
  bool exists = false;
  if (id.rfind("rp-", 0) == 0) {
    OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                         "SELECT COUNT(*) FROM org_resource_policies WHERE "
                                         "org_id = ? AND policy_id = ?",
                                         {org.org_id, id}));
    exists = n > 0;
  } else if (id.rfind("rt-", 0) == 0) {
    // AWS-COMPAT: a transfer's tags are one set, which either side's management account manages.
    OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                         "SELECT COUNT(*) FROM org_responsibility_transfers "
                                         "WHERE transfer_id = ? AND (target_org_id = ? OR "
                                         "source_org_id = ?)",
                                         {id, org.org_id, org.org_id}));
    exists = n > 0;
  } else if (KindOfId(id) == TargetKind::kPolicy) {
    OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                         "SELECT COUNT(*) FROM org_policies WHERE org_id = ? AND "
                                         "policy_id = ?",
                                         {org.org_id, id}));
    exists = n > 0;
  } else {
    OT_ASSIGN_OR_RETURN(exists, TargetExists(tx, org.org_id, id));
  }
  if (!exists) {
    return OrgError("TargetNotFoundException", "You specified a target that doesn't exist.");
  }
  return Status::Ok();
}

}  // namespace

// ---- Organization ----

Result<Json> CreateOrganization(gateway::RequestContext& ctx, const Json& input) {
  std::string feature_set = Str(input, "FeatureSet", "ALL");
  const std::string& account_id = ctx.caller.account_id;
  double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindOrganizationForAccount(tx, account_id));
  if (existing.has_value()) {
    return OrgError("AlreadyInOrganizationException",
                    "The AWS account is already a member of an organization.");
  }
  OT_ASSIGN_OR_RETURN(std::optional<repo::AccountRow> account, repo::FindAccount(tx, account_id));
  if (!account.has_value()) return AccessDenied();
  if (!account->has_payment_method) {
    return ConstraintViolation("MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
                               "You must provide a valid payment instrument for the account "
                               "before you can create an organization.");
  }
  if (!account->has_contact_info) {
    return ConstraintViolation("MASTER_ACCOUNT_MISSING_CONTACT_INFO",
                               "You must provide complete contact information for the account "
                               "before you can create an organization.");
  }
  std::string org_id = NewOrgId(ctx.twin.ids);
  std::string root_id = NewRootId(ctx.twin.ids);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO organizations (org_id, management_account_id, "
                          "feature_set, created_at) VALUES (?, ?, ?, ?)",
                          {org_id, account_id, feature_set, now}));
  OT_RETURN_IF_ERROR(Exec(tx, "INSERT INTO org_roots (root_id, org_id, name) VALUES (?, ?, 'Root')",
                          {root_id, org_id}));
  // AWS-COMPAT: the management account is listed with JoinedMethod INVITED.
  OT_RETURN_IF_ERROR(AddMembership(tx, account_id, org_id, root_id, "INVITED", now));
  // Through the API the root starts with no policy type enabled, whatever the feature set
  // (AWS-FACTS 2.2): SCPs, and FullAWSAccess on every target, come with EnablePolicyType. Only
  // the console enables SCPs as it creates an organization. The AWS managed policies exist from
  // the start (ListPolicies shows them).
  if (feature_set == "ALL") OT_RETURN_IF_ERROR(EnsureAwsManagedPolicies(tx, now));
  OT_RETURN_IF_ERROR(EnsureOrganizationsRole(ctx, tx, account_id, now));
  OT_ASSIGN_OR_RETURN(auto org, FindOrganization(tx, org_id));
  Json out{{"Organization", OrganizationObject(*org)}};
  return out;
}

Result<Json> DescribeOrganization(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, ctx.caller.account_id));
  return Json{{"Organization", OrganizationObject(org)}};
}

Result<Json> DeleteOrganization(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(int64_t members,
                      Count(tx,
                            "SELECT COUNT(*) FROM org_accounts WHERE org_id = ? AND "
                            "account_id <> ?",
                            {org.org_id, org.management_account_id}));
  if (members > 0) {
    return OrgError("OrganizationNotEmptyException",
                    "To delete an organization you must first remove all member accounts "
                    "(except the management account).");
  }
  OT_RETURN_IF_ERROR(CheckNoActiveTransfer(tx, org.org_id, NowSeconds(ctx)));
  const std::string& id = org.org_id;
  // The management account pays its own bills again from now on.
  OT_RETURN_IF_ERROR(repo::CloseOrganizationPayerPeriods(tx, id, NowSeconds(ctx)));
  // Tags of everything the organization owns, then its rows, children before parents.
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_tags WHERE resource_id IN (SELECT root_id FROM "
                          "org_roots WHERE org_id = ?) OR resource_id IN (SELECT ou_id FROM "
                          "org_units WHERE org_id = ?) OR resource_id IN (SELECT policy_id FROM "
                          "org_policies WHERE org_id = ?) OR resource_id IN (SELECT policy_id "
                          "FROM org_resource_policies WHERE org_id = ?) OR resource_id = ?",
                          {id, id, id, id, org.management_account_id}));
  for (const char* table : {"org_delegated_admins", "org_trusted_services", "org_resource_policies",
                            "org_handshakes", "org_policy_attachments", "org_policies",
                            "org_create_account_status", "org_accounts", "org_units"}) {
    OT_RETURN_IF_ERROR(Exec(tx, std::string("DELETE FROM ") + table + " WHERE org_id = ?", {id}));
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_root_policy_types WHERE root_id IN (SELECT root_id "
                          "FROM org_roots WHERE org_id = ?)",
                          {id}));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_roots WHERE org_id = ?", {id}));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM organizations WHERE org_id = ?", {id}));
  return Json();
}

// ---- Delegated administrators ----

Result<Json> RegisterDelegatedAdministrator(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  std::string principal = Str(input, "ServicePrincipal");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckServicePrincipal(principal));
  OT_ASSIGN_OR_RETURN(MemberRow member, RequireMemberAccount(tx, org, account_id));
  if (account_id == org.management_account_id) {
    return ConstraintViolation("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                               "You cannot register the management account as a delegated "
                               "administrator.");
  }
  if (member.state != "ACTIVE") {
    return ConstraintViolation("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                               "You cannot register a suspended account as a delegated "
                               "administrator.");
  }
  OT_ASSIGN_OR_RETURN(bool registered,
                      repo::IsDelegatedAdministrator(tx, org.org_id, account_id, principal));
  if (registered) {
    return OrgError("AccountAlreadyRegisteredException",
                    "The provided account is already a delegated administrator for your "
                    "organization.");
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO org_delegated_admins (org_id, account_id, "
                          "service_principal, delegated_at) VALUES (?, ?, ?, ?)",
                          {org.org_id, account_id, principal, NowSeconds(ctx)}));
  return Json();
}

Result<Json> DeregisterDelegatedAdministrator(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  std::string principal = Str(input, "ServicePrincipal");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckServicePrincipal(principal));
  OT_ASSIGN_OR_RETURN([[maybe_unused]] MemberRow member, RequireMemberAccount(tx, org, account_id));
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("DELETE FROM org_delegated_admins WHERE org_id = ? AND "
                                 "account_id = ? AND service_principal = ?",
                                 {org.org_id, account_id, principal}));
  if (changed == 0) {
    return OrgError("AccountNotRegisteredException",
                    "The provided account is not a registered delegated administrator for your "
                    "organization.");
  }
  return Json();
}

Result<Json> ListDelegatedAdministrators(gateway::RequestContext& ctx, const Json& input) {
  std::string principal = Str(input, "ServicePrincipal");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListDelegatedAdministrators|" + principal));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  if (input.contains("ServicePrincipal")) OT_RETURN_IF_ERROR(CheckServicePrincipal(principal));
  std::string sql =
      "SELECT account_id, MIN(delegated_at) FROM org_delegated_admins WHERE org_id = ?";
  std::vector<store::Value> params{org.org_id};
  if (!principal.empty()) {
    sql += " AND service_principal = ?";
    params.emplace_back(principal);
  }
  sql += " GROUP BY account_id";
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& row : rows) {
    OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, row.Text(0)));
    if (!member.has_value()) continue;
    Json admin = AccountObject(org, *member);
    admin["DelegationEnabledDate"] = row.Double(1);
    items.emplace_back(row.Text(0), std::move(admin));
  }
  Json out;
  EmitPage(std::move(items), page, "DelegatedAdministrators", out);
  return out;
}

Result<Json> ListDelegatedServicesForAccount(gateway::RequestContext& ctx, const Json& input) {
  std::string account_id = Str(input, "AccountId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListDelegatedServicesForAccount|" + account_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN([[maybe_unused]] MemberRow member, RequireMemberAccount(tx, org, account_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT service_principal, delegated_at FROM "
                                          "org_delegated_admins WHERE org_id = ? AND "
                                          "account_id = ?",
                                          {org.org_id, account_id}));
  if (rows.empty()) {
    return OrgError("AccountNotRegisteredException",
                    "The provided account is not a registered delegated administrator for your "
                    "organization.");
  }
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& row : rows) {
    items.emplace_back(row.Text(0), Json{{"ServicePrincipal", row.Text(0)},
                                         {"DelegationEnabledDate", row.Double(1)}});
  }
  Json out;
  EmitPage(std::move(items), page, "DelegatedServices", out);
  return out;
}

// ---- Trusted service access ----

Result<Json> EnableAWSServiceAccess(gateway::RequestContext& ctx, const Json& input) {
  std::string principal = Str(input, "ServicePrincipal");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckServicePrincipal(principal));
  if (org.feature_set != "ALL") {
    return ConstraintViolation("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                               "You can't perform the operation on an organization that doesn't "
                               "have all features enabled.");
  }
  OT_ASSIGN_OR_RETURN(bool enabled, repo::ServiceAccessEnabled(tx, org.org_id, principal));
  // Enabling twice is not an error on AWS.
  if (!enabled) {
    OT_RETURN_IF_ERROR(Exec(tx,
                            "INSERT INTO org_trusted_services (org_id, service_principal, "
                            "enabled_at) VALUES (?, ?, ?)",
                            {org.org_id, principal, NowSeconds(ctx)}));
  }
  return Json();
}

Result<Json> DisableAWSServiceAccess(gateway::RequestContext& ctx, const Json& input) {
  std::string principal = Str(input, "ServicePrincipal");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckServicePrincipal(principal));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_trusted_services WHERE org_id = ? AND "
                          "service_principal = ?",
                          {org.org_id, principal}));
  return Json();
}

Result<Json> ListAWSServiceAccessForOrganization(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListAWSServiceAccessForOrganization"));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT service_principal, enabled_at FROM "
                                          "org_trusted_services WHERE org_id = ?",
                                          {org.org_id}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& row : rows) {
    items.emplace_back(row.Text(0),
                       Json{{"ServicePrincipal", row.Text(0)}, {"DateEnabled", row.Double(1)}});
  }
  Json out;
  EmitPage(std::move(items), page, "EnabledServicePrincipals", out);
  return out;
}

// ---- Resource policy ----

namespace {
Result<Json> ResourcePolicyOf(store::Transaction& tx, const OrgRow& org) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_id, content FROM org_resource_policies "
                                          "WHERE org_id = ?",
                                          {org.org_id}));
  if (rows.empty()) {
    return OrgError("ResourcePolicyNotFoundException",
                    "We can't find a resource policy request with the ID that you specified.");
  }
  std::string id = rows.front().Text(0);
  return Json{{"ResourcePolicy", Json{{"ResourcePolicySummary",
                                       Json{{"Id", id}, {"Arn", ResourcePolicyArn(org, id)}}},
                                      {"Content", rows.front().Text(1)}}}};
}
}  // namespace

Result<Json> PutResourcePolicy(gateway::RequestContext& ctx, const Json& input) {
  std::string content = Str(input, "Content");
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(content, ec);
  if (ec || !parsed.is_object()) {
    return InvalidInput("INVALID_RESOURCE_POLICY_JSON",
                        "The provided resource policy is not valid JSON.");
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_id FROM org_resource_policies WHERE "
                                          "org_id = ?",
                                          {org.org_id}));
  if (rows.empty()) {
    std::string id = "rp-" + ctx.twin.ids.RandomString(8, IdGenerator::kLowerAlnum);
    OT_RETURN_IF_ERROR(Exec(tx,
                            "INSERT INTO org_resource_policies (org_id, policy_id, content, "
                            "created_at) VALUES (?, ?, ?, ?)",
                            {org.org_id, id, content, NowSeconds(ctx)}));
    OT_RETURN_IF_ERROR(ApplyTags(tx, id, Array(input, "Tags")));
  } else {
    if (!Array(input, "Tags").empty()) {
      // AWS-COMPAT: tags go with the creation only; updating with tags is refused.
      return InvalidInput("INVALID_SYSTEM_TAGS_PARAMETER",
                          "You can't update an existing resource policy with tags. Use "
                          "TagResource instead.");
    }
    OT_RETURN_IF_ERROR(Exec(tx, "UPDATE org_resource_policies SET content = ? WHERE org_id = ?",
                            {content, org.org_id}));
  }
  OT_ASSIGN_OR_RETURN(Json out, ResourcePolicyOf(tx, org));
  return out;
}

Result<Json> DescribeResourcePolicy(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, ctx.caller.account_id));
  return ResourcePolicyOf(tx, org);
}

Result<Json> DeleteResourcePolicy(gateway::RequestContext& ctx, const Json&) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_id FROM org_resource_policies WHERE "
                                          "org_id = ?",
                                          {org.org_id}));
  if (rows.empty()) {
    return OrgError("ResourcePolicyNotFoundException",
                    "We can't find a resource policy request with the ID that you specified.");
  }
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM org_tags WHERE resource_id = ?", {rows.front().Text(0)}));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_resource_policies WHERE org_id = ?", {org.org_id}));
  return Json();
}

// ---- Tags ----

Result<Json> TagResource(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "ResourceId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckTaggable(tx, org, id));
  OT_RETURN_IF_ERROR(ApplyTags(tx, id, Array(input, "Tags")));
  return Json();
}

Result<Json> UntagResource(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "ResourceId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckTaggable(tx, org, id));
  OT_RETURN_IF_ERROR(RemoveTags(tx, id, Array(input, "TagKeys")));
  return Json();
}

Result<Json> ListTagsForResource(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "ResourceId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListTagsForResource|" + id));
  page.max_results = static_cast<size_t>(kMaxTagsPerResource);  // no MaxResults in the model
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(CheckTaggable(tx, org, id));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, id));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (boost::json::value& tag : tags) {
    std::string key = Str(tag.as_object(), "Key");
    items.emplace_back(std::move(key), std::move(tag));
  }
  Json out;
  EmitPage(std::move(items), page, "Tags", out);
  return out;
}

}  // namespace orgtwin::services::organizations
