#include "services/organizations/organizations_core.h"

#if __has_include("services/organizations/org_policies.h")
#include "services/organizations/org_policies.h"
#define OT_HAVE_ORG_POLICIES 1
#endif

namespace orgtwin::services::organizations {
namespace {

OrganizationsOptions& MutableOptions() {
  static OrganizationsOptions options;
  return options;
}

}  // namespace

void ConfigureOrganizations(const OrganizationsOptions& options) { MutableOptions() = options; }
const OrganizationsOptions& OrganizationsConfig() { return MutableOptions(); }

Status RegisterOrganizationsHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kHandlers[] = {
      {"CreateOrganization", CreateOrganization},
      {"DescribeOrganization", DescribeOrganization},
      {"DeleteOrganization", DeleteOrganization},
      {"RegisterDelegatedAdministrator", RegisterDelegatedAdministrator},
      {"DeregisterDelegatedAdministrator", DeregisterDelegatedAdministrator},
      {"ListDelegatedAdministrators", ListDelegatedAdministrators},
      {"ListDelegatedServicesForAccount", ListDelegatedServicesForAccount},
      {"EnableAWSServiceAccess", EnableAWSServiceAccess},
      {"DisableAWSServiceAccess", DisableAWSServiceAccess},
      {"ListAWSServiceAccessForOrganization", ListAWSServiceAccessForOrganization},
      {"PutResourcePolicy", PutResourcePolicy},
      {"DescribeResourcePolicy", DescribeResourcePolicy},
      {"DeleteResourcePolicy", DeleteResourcePolicy},
      {"TagResource", TagResource},
      {"UntagResource", UntagResource},
      {"ListTagsForResource", ListTagsForResource},
      {"CreateAccount", CreateAccount},
      {"CreateGovCloudAccount", CreateGovCloudAccount},
      {"DescribeCreateAccountStatus", DescribeCreateAccountStatus},
      {"ListCreateAccountStatus", ListCreateAccountStatus},
      {"DescribeAccount", DescribeAccount},
      {"ListAccounts", ListAccounts},
      {"ListAccountsForParent", ListAccountsForParent},
      {"MoveAccount", MoveAccount},
      {"RemoveAccountFromOrganization", RemoveAccountFromOrganization},
      {"LeaveOrganization", LeaveOrganization},
      {"CloseAccount", CloseAccount},
      {"CreateOrganizationalUnit", CreateOrganizationalUnit},
      {"UpdateOrganizationalUnit", UpdateOrganizationalUnit},
      {"DeleteOrganizationalUnit", DeleteOrganizationalUnit},
      {"DescribeOrganizationalUnit", DescribeOrganizationalUnit},
      {"ListOrganizationalUnitsForParent", ListOrganizationalUnitsForParent},
      {"ListChildren", ListChildren},
      {"ListParents", ListParents},
      {"ListRoots", ListRoots},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("organizations", kHandlers));
#ifdef OT_HAVE_ORG_POLICIES
  OT_RETURN_IF_ERROR(RegisterOrganizationsPolicyHandlers(gateway));
#endif
  return Status::Ok();
}

}  // namespace orgtwin::services::organizations
