#include "gateway/operation_actions.h"

#include <gtest/gtest.h>

#include "gateway/authz_test_util.h"
#include "gateway/operation_table.h"

namespace orgtwin::gateway {
namespace {

using testing::AuthzFixture;
using testing::FindContext;
using testing::kAccount;

class OperationActionsTest : public AuthzFixture {};

TEST_F(OperationActionsTest, CreateUserUsesInputPathBoundaryAndTags) {
  boost::json::object input{
      {"UserName", "bob"},
      {"Path", "/eng/"},
      {"PermissionsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
      {"Tags", boost::json::array{boost::json::object{{"Key", "team"}, {"Value", "red"}}}}};
  AuthzPlan plan = Plan(Root(), "iam", "CreateUser", input);
  ASSERT_EQ(plan.checks.size(), 1u);
  EXPECT_EQ(plan.checks[0].action, "iam:CreateUser");
  EXPECT_EQ(plan.checks[0].resource, "arn:aws:iam::123456789012:user/eng/bob");
  ASSERT_NE(FindContext(plan, "iam:PermissionsBoundary"), nullptr);
  EXPECT_EQ(*FindContext(plan, "iam:PermissionsBoundary"),
            "arn:aws:iam::aws:policy/ReadOnlyAccess");
  ASSERT_NE(FindContext(plan, "aws:RequestTag/team"), nullptr);
  EXPECT_EQ(*FindContext(plan, "aws:RequestTag/team"), "red");
  ASSERT_EQ(plan.multi_context.size(), 1u);
  EXPECT_EQ(plan.multi_context[0].first, "aws:TagKeys");
  EXPECT_EQ(plan.multi_context[0].second, std::vector<std::string>{"team"});
}

TEST_F(OperationActionsTest, ExistingEntitiesAreNamedWithTheirStoredPath) {
  AddUser("carol", "/ops/", kAccount, "arn:aws:iam::aws:policy/ReadOnlyAccess");
  AddUser("alice", "/dev/");
  AuthzPlan get = Plan(Root(), "iam", "GetUser", {{"UserName", "Carol"}});
  ASSERT_EQ(get.checks.size(), 1u);
  EXPECT_EQ(get.checks[0].resource, "arn:aws:iam::123456789012:user/ops/Carol");
  // Self-service: no UserName means the caller's own user, path included.
  AuthzPlan self = Plan(User("alice"), "iam", "GetUser");
  EXPECT_EQ(self.checks[0].resource, "arn:aws:iam::123456789012:user/dev/alice");
  // The user's current boundary is the iam:PermissionsBoundary of policy changes on it.
  AuthzPlan put = Plan(Root(), "iam", "PutUserPolicy",
                       {{"UserName", "carol"}, {"PolicyName", "p"}, {"PolicyDocument", "{}"}});
  ASSERT_NE(FindContext(put, "iam:PermissionsBoundary"), nullptr);
  EXPECT_EQ(*FindContext(put, "iam:PermissionsBoundary"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
}

TEST_F(OperationActionsTest, MessageNamesSomeIamResourcesTheWayAwsPrintsThem) {
  AddUser("carol", "/ops/");
  AddRole("deploy", R"({"Version":"2012-10-17","Statement":[]})");
  // Roles by name (the evaluation still uses the ARN).
  for (const char* op :
       {"GetRole", "DeleteRole", "UpdateRole", "ListAttachedRolePolicies", "UpdateAssumeRolePolicy",
        "AttachRolePolicy", "PutRolePolicy", "DeleteRolePolicy"}) {
    AuthzPlan plan = Plan(Root(), "iam", op, {{"RoleName", "deploy"}});
    ASSERT_EQ(plan.checks.size(), 1u) << op;
    EXPECT_EQ(plan.checks[0].resource, "arn:aws:iam::123456789012:role/deploy") << op;
    EXPECT_EQ(plan.checks[0].message_resource, "role deploy") << op;
  }
  // Users by name, path left out.
  for (const char* op : {"GetUser", "GetLoginProfile"}) {
    AuthzPlan plan = Plan(Root(), "iam", op, {{"UserName", "carol"}});
    EXPECT_EQ(plan.checks[0].resource, "arn:aws:iam::123456789012:user/ops/carol") << op;
    EXPECT_EQ(plan.checks[0].message_resource, "user carol") << op;
  }
  AuthzPlan self = Plan(User("carol"), "iam", "GetUser");
  EXPECT_EQ(self.checks[0].message_resource, "user carol");
  // Policies: by ARN after the word "policy"; CreatePolicy by the new policy's name.
  const std::string policy = "arn:aws:iam::123456789012:policy/team/P";
  AuthzPlan versions = Plan(Root(), "iam", "ListPolicyVersions", {{"PolicyArn", policy}});
  EXPECT_EQ(versions.checks[0].resource, policy);
  EXPECT_EQ(versions.checks[0].message_resource, "policy " + policy);
  AuthzPlan create = Plan(Root(), "iam", "CreatePolicy",
                          {{"PolicyName", "P"}, {"Path", "/team/"}, {"PolicyDocument", "{}"}});
  EXPECT_EQ(create.checks[0].resource, policy);
  EXPECT_EQ(create.checks[0].message_resource, "policy P");
  // AWS prints the ARN for creating roles and users and for tagging roles.
  EXPECT_EQ(Plan(Root(), "iam", "CreateRole", {{"RoleName", "r"}}).checks[0].message_resource, "");
  EXPECT_EQ(Plan(Root(), "iam", "CreateUser", {{"UserName", "u"}}).checks[0].message_resource, "");
  EXPECT_EQ(Plan(Root(), "iam", "TagRole", {{"RoleName", "deploy"}}).checks[0].message_resource,
            "");
  EXPECT_EQ(Plan(Root(), "iam", "ListUsers").checks[0].message_resource, "");
}

TEST_F(OperationActionsTest, AttachAndGroupOperations) {
  AuthzPlan attach =
      Plan(Root(), "iam", "AttachRolePolicy",
           {{"RoleName", "deploy"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  EXPECT_EQ(attach.checks[0].action, "iam:AttachRolePolicy");
  EXPECT_EQ(attach.checks[0].resource, "arn:aws:iam::123456789012:role/deploy");
  ASSERT_NE(FindContext(attach, "iam:PolicyARN"), nullptr);
  EXPECT_EQ(*FindContext(attach, "iam:PolicyARN"), "arn:aws:iam::aws:policy/AdministratorAccess");

  AuthzPlan add = Plan(Root(), "iam", "AddUserToGroup", {{"GroupName", "g"}, {"UserName", "u"}});
  EXPECT_EQ(add.checks[0].resource, "arn:aws:iam::123456789012:group/g");
  AuthzPlan list = Plan(Root(), "iam", "ListUsers", {{"PathPrefix", "/x/"}});
  EXPECT_EQ(list.checks[0].resource, "arn:aws:iam::123456789012:user/x/");
  EXPECT_EQ(Plan(Root(), "iam", "ListRoles").checks[0].resource, "arn:aws:iam::123456789012:role/");
  EXPECT_EQ(Plan(Root(), "iam", "GetAccountSummary").checks[0].resource, "*");
  AuthzPlan policy = Plan(Root(), "iam", "CreatePolicy",
                          {{"PolicyName", "P"}, {"Path", "/a/"}, {"PolicyDocument", "{}"}});
  EXPECT_EQ(policy.checks[0].resource, "arn:aws:iam::123456789012:policy/a/P");
  // Renaming a user needs the permission on the new name too.
  AuthzPlan rename = Plan(Root(), "iam", "UpdateUser", {{"UserName", "a"}, {"NewUserName", "b"}});
  ASSERT_EQ(rename.checks.size(), 2u);
  EXPECT_EQ(rename.checks[1].resource, "arn:aws:iam::123456789012:user/b");
}

TEST_F(OperationActionsTest, StsRules) {
  EXPECT_TRUE(Plan(User("x"), "sts", "GetCallerIdentity").exempt);
  EXPECT_TRUE(Plan(User("x"), "sts", "GetSessionToken").exempt);
  AuthzPlan assume =
      Plan(User("x"), "sts", "AssumeRole",
           {{"RoleArn", "arn:aws:iam::210987654321:role/team/Admin"},
            {"RoleSessionName", "s1"},
            {"ExternalId", "ext"},
            {"Tags", boost::json::array{boost::json::object{{"Key", "project"}, {"Value", "p"}}}}});
  ASSERT_EQ(assume.checks.size(), 2u);
  EXPECT_EQ(assume.checks[0].action, "sts:AssumeRole");
  EXPECT_EQ(assume.checks[0].resource, "arn:aws:iam::210987654321:role/team/Admin");
  EXPECT_EQ(assume.checks[0].resource_account, "210987654321");
  EXPECT_TRUE(assume.checks[0].trust);
  EXPECT_EQ(assume.checks[1].action, "sts:TagSession");
  EXPECT_EQ(*FindContext(assume, "sts:ExternalId"), "ext");
  EXPECT_EQ(*FindContext(assume, "sts:RoleSessionName"), "s1");
  AuthzPlan mfa = Plan(User("x"), "sts", "AssumeRole",
                       {{"RoleArn", "arn:aws:iam::123456789012:role/r"},
                        {"RoleSessionName", "s"},
                        {"SerialNumber", "arn:aws:iam::123456789012:mfa/x"},
                        {"TokenCode", "123456"}});
  ASSERT_NE(FindContext(mfa, "aws:MultiFactorAuthPresent"), nullptr);
  EXPECT_EQ(*FindContext(mfa, "aws:MultiFactorAuthPresent"), "true");
  AuthzPlan fed = Plan(User("x"), "sts", "GetFederationToken", {{"Name", "bob"}});
  EXPECT_EQ(fed.checks[0].resource, "arn:aws:sts::123456789012:federated-user/bob");
}

TEST_F(OperationActionsTest, AssumeRootIsAuthorizedOnTheTargetRootInTheCallersAccount) {
  const boost::json::object task{{"arn", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}};
  for (const char* target : {"210987654321", "arn:aws:iam::210987654321:root"}) {
    AuthzPlan plan = Plan(User("x"), "sts", "AssumeRoot",
                          {{"TargetPrincipal", target}, {"TaskPolicyArn", task}});
    ASSERT_EQ(plan.checks.size(), 1u);
    EXPECT_EQ(plan.checks[0].action, "sts:AssumeRoot");
    EXPECT_EQ(plan.checks[0].resource, "arn:aws:iam::210987654321:root");
    // Only the caller's identity side decides: no trust policy, no cross-account resource.
    EXPECT_EQ(plan.checks[0].resource_account, "");
    EXPECT_FALSE(plan.checks[0].trust);
    ASSERT_NE(FindContext(plan, "sts:TaskPolicyArn"), nullptr);
    EXPECT_EQ(*FindContext(plan, "sts:TaskPolicyArn"),
              "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy");
  }
}

TEST_F(OperationActionsTest, OrganizationsResourcesUseTheOrganizationArns) {
  AddAccount("111111111111");
  AddOrganization("o-abcdefghij", kAccount);
  Exec("INSERT INTO org_roots (root_id, org_id) VALUES ('r-ab12', 'o-abcdefghij')");
  AddMember(kAccount, "o-abcdefghij");
  Exec(
      "INSERT INTO org_policies (policy_id, org_id, policy_type, name, content, created_at) "
      "VALUES ('p-12345678', 'o-abcdefghij', 'SERVICE_CONTROL_POLICY', 'deny', '{}', 0)");

  AuthzPlan describe =
      Plan(Root(), "organizations", "DescribeAccount", {{"AccountId", "111111111111"}});
  EXPECT_EQ(describe.checks[0].action, "organizations:DescribeAccount");
  EXPECT_EQ(describe.checks[0].resource,
            "arn:aws:organizations::123456789012:account/o-abcdefghij/111111111111");
  AuthzPlan attach = Plan(Root(), "organizations", "AttachPolicy",
                          {{"PolicyId", "p-12345678"}, {"TargetId", "r-ab12"}});
  ASSERT_EQ(attach.checks.size(), 2u);
  EXPECT_EQ(attach.checks[0].resource,
            "arn:aws:organizations::123456789012:policy/o-abcdefghij/service_control_policy/"
            "p-12345678");
  EXPECT_EQ(attach.checks[1].resource,
            "arn:aws:organizations::123456789012:root/o-abcdefghij/r-ab12");
  EXPECT_EQ(*FindContext(attach, "organizations:PolicyType"), "SERVICE_CONTROL_POLICY");
  AuthzPlan managed =
      Plan(Root(), "organizations", "DescribePolicy", {{"PolicyId", "p-FullAWSAccess"}});
  // AWS managed policies are owned by "aws".
  EXPECT_EQ(managed.checks[0].resource,
            "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess");
  AuthzPlan list = Plan(Root(), "organizations", "ListAccounts");
  EXPECT_EQ(list.checks[0].resource, "*");

  // Account: without AccountId the caller's own account; with a member's, the org ARN.
  AuthzPlan own =
      Plan(Root(), "account", "PutAlternateContact", {{"AlternateContactType", "SECURITY"}});
  EXPECT_EQ(own.checks[0].resource, "arn:aws:account::123456789012:account");
  ASSERT_EQ(own.multi_context.size(), 1u);
  EXPECT_EQ(own.multi_context[0].first, "account:AlternateContactTypes");
  EXPECT_EQ(own.multi_context[0].second, std::vector<std::string>{"SECURITY"});
  AddMember("111111111111", "o-abcdefghij", "r-ab12", "INVITED");
  AuthzPlan member = Plan(Root(), "account", "GetAlternateContact",
                          {{"AccountId", "111111111111"}, {"AlternateContactType", "BILLING"}});
  EXPECT_EQ(member.checks[0].resource,
            "arn:aws:account::123456789012:account/o-abcdefghij/111111111111");
}

TEST_F(OperationActionsTest, NewerIamOperationsUseTheirReferenceResources) {
  AddUser("dev", "/eng/");
  AddRole("app", "{}", kAccount, "/svc/");
  // MFA devices: creation and tagging name the mfa ARN, the user operations name the user.
  AuthzPlan mfa =
      Plan(Root(), "iam", "CreateVirtualMFADevice", {{"VirtualMFADeviceName", "dev-phone"}});
  EXPECT_EQ(mfa.checks[0].resource, "arn:aws:iam::123456789012:mfa/dev-phone");
  AuthzPlan tag_mfa =
      Plan(Root(), "iam", "TagMFADevice",
           {{"SerialNumber", "arn:aws:iam::123456789012:mfa/dev-phone"},
            {"Tags", boost::json::array{boost::json::object{{"Key", "k"}, {"Value", "v"}}}}});
  EXPECT_EQ(tag_mfa.checks[0].resource, "arn:aws:iam::123456789012:mfa/dev-phone");
  EXPECT_EQ(*FindContext(tag_mfa, "aws:RequestTag/k"), "v");
  EXPECT_EQ(Plan(Root(), "iam", "DeleteVirtualMFADevice",
                 {{"SerialNumber", "arn:aws:iam::123456789012:mfa/dev-phone"}})
                .checks[0]
                .resource,
            "arn:aws:iam::123456789012:mfa/dev-phone");
  for (std::string_view op : {"EnableMFADevice", "DeactivateMFADevice", "ResyncMFADevice"}) {
    AuthzPlan plan =
        Plan(Root(), "iam", op,
             {{"UserName", "dev"}, {"SerialNumber", "arn:aws:iam::123456789012:mfa/dev-phone"}});
    EXPECT_EQ(plan.checks[0].resource, "arn:aws:iam::123456789012:user/eng/dev") << op;
  }
  EXPECT_EQ(Plan(User("dev"), "iam", "ListMFADevices").checks[0].resource,
            "arn:aws:iam::123456789012:user/eng/dev");

  // Login profiles name the user (the caller's own without UserName).
  for (std::string_view op :
       {"CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile"}) {
    EXPECT_EQ(Plan(Root(), "iam", op, {{"UserName", "dev"}}).checks[0].resource,
              "arn:aws:iam::123456789012:user/eng/dev")
        << op;
  }
  EXPECT_EQ(Plan(User("dev"), "iam", "ChangePassword").checks[0].resource,
            "arn:aws:iam::123456789012:user/eng/dev");

  // Instance profiles carry their stored path; creation takes it from the input.
  Exec(
      "INSERT INTO iam_instance_profiles (instance_profile_id, account_id, profile_name, "
      "profile_name_lower, path, created_at) VALUES ('AIPAweb', ?, 'Web', 'web', '/app/', 0)",
      {std::string(kAccount)});
  AuthzPlan add = Plan(Root(), "iam", "AddRoleToInstanceProfile",
                       {{"InstanceProfileName", "web"}, {"RoleName", "app"}});
  EXPECT_EQ(add.checks[0].resource, "arn:aws:iam::123456789012:instance-profile/app/web");
  EXPECT_EQ(Plan(Root(), "iam", "ListInstanceProfileTags", {{"InstanceProfileName", "Web"}})
                .checks[0]
                .resource,
            "arn:aws:iam::123456789012:instance-profile/app/Web");
  EXPECT_EQ(Plan(Root(), "iam", "CreateInstanceProfile",
                 {{"InstanceProfileName", "New"}, {"Path", "/p/"}})
                .checks[0]
                .resource,
            "arn:aws:iam::123456789012:instance-profile/p/New");
  EXPECT_EQ(
      Plan(Root(), "iam", "ListInstanceProfilesForRole", {{"RoleName", "app"}}).checks[0].resource,
      "arn:aws:iam::123456789012:role/svc/app");

  // Service-linked roles: the ARN of the role AWS creates, and iam:AWSServiceName.
  AuthzPlan slr = Plan(Root(), "iam", "CreateServiceLinkedRole",
                       {{"AWSServiceName", "organizations.amazonaws.com"}});
  EXPECT_EQ(slr.checks[0].resource,
            "arn:aws:iam::123456789012:role/aws-service-role/organizations.amazonaws.com/"
            "AWSServiceRoleForOrganizations");
  EXPECT_EQ(*FindContext(slr, "iam:AWSServiceName"), "organizations.amazonaws.com");
  AuthzPlan suffixed =
      Plan(Root(), "iam", "CreateServiceLinkedRole",
           {{"AWSServiceName", "elastic-beanstalk.amazonaws.com"}, {"CustomSuffix", "blue"}});
  EXPECT_EQ(suffixed.checks[0].resource,
            "arn:aws:iam::123456789012:role/aws-service-role/elastic-beanstalk.amazonaws.com/"
            "AWSServiceRoleForElasticBeanstalk_blue");
  AuthzPlan status = Plan(Root(), "iam", "GetServiceLinkedRoleDeletionStatus",
                          {{"DeletionTaskId",
                            "task/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport/"
                            "0a1b2c3d-0000-1111-2222-333344445555"}});
  EXPECT_EQ(status.checks[0].resource,
            "arn:aws:iam::123456789012:role/aws-service-role/support.amazonaws.com/"
            "AWSServiceRoleForSupport");

  // Account-wide operations are authorized on "*".
  for (std::string_view op :
       {"GetAccountPasswordPolicy", "UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy",
        "CreateAccountAlias", "ListAccountAliases", "GetAccountSummary", "GenerateCredentialReport",
        "GetCredentialReport", "GetAccountAuthorizationDetails", "SimulateCustomPolicy"}) {
    EXPECT_EQ(Plan(User("dev"), "iam", op).checks[0].resource, "*") << op;
  }
  // SimulatePrincipalPolicy names the principal simulated.
  EXPECT_EQ(Plan(Root(), "iam", "SimulatePrincipalPolicy",
                 {{"PolicySourceArn", "arn:aws:iam::123456789012:role/svc/app"},
                  {"ActionNames", boost::json::array{"s3:GetObject"}}})
                .checks[0]
                .resource,
            "arn:aws:iam::123456789012:role/svc/app");
}

// aws:ResourceTag / iam:ResourceTag come from the stored tags of the user or role acted on, so
// attribute-based policies decide on IAM calls and on sts:AssumeRole.
TEST_F(OperationActionsTest, ResourceTagsOfUsersAndRolesAreConditionKeys) {
  const std::string trust =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
      R"({"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";
  std::string blue = AddRole("blue-app", trust);
  AddRole("red-app", trust);
  std::string carol = AddUser("carol");
  Exec(
      "INSERT INTO iam_tags (entity_type, entity_id, tag_key, tag_key_lower, tag_value, "
      "position) VALUES ('Role', ?, 'Team', 'team', 'blue', 0), ('User', ?, 'Team', 'team', "
      "'blue', 0)",
      {blue, carol});

  AuthzPlan update = Plan(Root(), "iam", "UpdateRoleDescription",
                          {{"RoleName", "blue-app"}, {"Description", "d"}});
  ASSERT_NE(FindContext(update, "aws:ResourceTag/Team"), nullptr);
  EXPECT_EQ(*FindContext(update, "aws:ResourceTag/Team"), "blue");
  EXPECT_EQ(*FindContext(update, "iam:ResourceTag/Team"), "blue");
  EXPECT_EQ(FindContext(Plan(Root(), "iam", "UpdateRoleDescription",
                             {{"RoleName", "red-app"}, {"Description", "d"}}),
                        "aws:ResourceTag/Team"),
            nullptr);
  EXPECT_EQ(
      *FindContext(Plan(Root(), "iam", "GetUser", {{"UserName", "carol"}}), "aws:ResourceTag/Team"),
      "blue");

  // A user allowed to manage and assume only blue-tagged roles.
  std::string ops = AddUser("ops");
  PutInline("User", ops, "abac",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)"
            R"(["iam:UpdateRoleDescription","sts:AssumeRole"],"Resource":"*","Condition":)"
            R"({"StringEquals":{"aws:ResourceTag/team":"blue"}}}]})");
  EXPECT_TRUE(Authorize(User("ops"), "iam", "UpdateRoleDescription",
                        {{"RoleName", "blue-app"}, {"Description", "d"}})
                  .ok());
  EXPECT_EQ(Authorize(User("ops"), "iam", "UpdateRoleDescription",
                      {{"RoleName", "red-app"}, {"Description", "d"}})
                .code(),
            ErrorCode::kAccessDenied);
  const std::string prefix = "arn:aws:iam::123456789012:role/";
  EXPECT_TRUE(Authorize(User("ops"), "sts", "AssumeRole",
                        {{"RoleArn", prefix + "blue-app"}, {"RoleSessionName", "s"}})
                  .ok());
  EXPECT_EQ(Authorize(User("ops"), "sts", "AssumeRole",
                      {{"RoleArn", prefix + "red-app"}, {"RoleSessionName", "s"}})
                .code(),
            ErrorCode::kAccessDenied);
}

// aws:ResourceTag on Organizations calls: the stored tags of the one resource a call names.
TEST_F(OperationActionsTest, OrganizationsResourceTagsAreConditionKeys) {
  const std::string member = "222222222222";
  AddAccount(member);
  AddAccount("333333333333");
  AddOrganization("o-abcdefghij", kAccount);
  for (const std::string& account : {std::string(kAccount), member, std::string("333333333333")}) {
    AddMember(account, "o-abcdefghij");
  }
  Exec(
      "INSERT INTO org_tags (resource_id, tag_key, tag_value) VALUES (?, 'Env', 'prod'), (?, "
      "'Owner', 'customer')",
      {member, member});
  AuthzPlan plan = Plan(Root(), "organizations", "DescribeAccount", {{"AccountId", member}});
  ASSERT_NE(FindContext(plan, "aws:ResourceTag/Env"), nullptr);
  EXPECT_EQ(*FindContext(plan, "aws:ResourceTag/Env"), "prod");
  EXPECT_EQ(*FindContext(plan, "aws:ResourceTag/Owner"), "customer");
  EXPECT_EQ(
      FindContext(Plan(Root(), "organizations", "DescribeAccount", {{"AccountId", "333333333333"}}),
                  "aws:ResourceTag/Env"),
      nullptr);

  // Only accounts tagged Env=prod may be described by this user.
  std::string uid = AddUser("auditor");
  PutInline("User", uid, "prod-only",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)"
            R"("organizations:DescribeAccount","Resource":"*","Condition":)"
            R"({"StringEquals":{"aws:ResourceTag/Env":"prod"}}}]})");
  EXPECT_TRUE(
      Authorize(User("auditor"), "organizations", "DescribeAccount", {{"AccountId", member}}).ok());
  EXPECT_EQ(Authorize(User("auditor"), "organizations", "DescribeAccount",
                      {{"AccountId", "333333333333"}})
                .code(),
            ErrorCode::kAccessDenied);
}

// A responsibility transfer has an ARN on each side: under the partner's organization as
// inbound, under the customer's as outbound.
TEST_F(OperationActionsTest, ResponsibilityTransferArnFollowsTheCallersSide) {
  const std::string customer = "222222222222";
  AddAccount(customer);
  AddOrganization("o-partner000", kAccount);
  AddOrganization("o-customer00", customer);
  AddMember(kAccount, "o-partner000");
  AddMember(customer, "o-customer00");
  Exec(
      "INSERT INTO org_responsibility_transfers (transfer_id, transfer_type, name, status, "
      "handshake_id, target_org_id, target_account_id, source_org_id, source_account_id, "
      "start_at, expires_at, requested_at, updated_at) VALUES ('rt-abcdefghijkl', 'BILLING', "
      "'n', 'ACCEPTED', 'h-0000000000', 'o-partner000', ?, 'o-customer00', ?, 0, 0, 0, 0)",
      {std::string(kAccount), customer});
  const boost::json::object id{{"Id", "rt-abcdefghijkl"}};
  EXPECT_EQ(Plan(Root(), "organizations", "TerminateResponsibilityTransfer", id).checks[0].resource,
            "arn:aws:organizations::123456789012:transfer/o-partner000/billing/inbound/"
            "rt-abcdefghijkl");
  EXPECT_EQ(Plan(User("ops", customer), "organizations", "DescribeResponsibilityTransfer", id)
                .checks[0]
                .resource,
            "arn:aws:organizations::222222222222:transfer/o-customer00/billing/outbound/"
            "rt-abcdefghijkl");
  // The lists name no resource, even filtered by Id; an unrelated transfer ID names none either.
  EXPECT_EQ(Plan(Root(), "organizations", "ListInboundResponsibilityTransfers",
                 {{"Type", "BILLING"}, {"Id", "rt-abcdefghijkl"}})
                .checks[0]
                .resource,
            "*");
  EXPECT_EQ(
      Plan(Root(), "organizations", "DescribeResponsibilityTransfer", {{"Id", "rt-000000000000"}})
          .checks[0]
          .resource,
      "*");
}

TEST_F(OperationActionsTest, AcceptingIntoAnAllFeaturesOrgNeedsCreateServiceLinkedRole) {
  const std::string invitee = "222222222222";
  AddAccount(invitee);
  AddAccount("333333333333");
  AddOrganization("o-abcdefghij", kAccount);
  AddOrganization("o-billingonl", "333333333333", "CONSOLIDATED_BILLING");
  for (const auto& [id, org] : {std::pair<std::string, std::string>{"h-all00001", "o-abcdefghij"},
                                {"h-cb000001", "o-billingonl"}}) {
    Exec(
        "INSERT INTO org_handshakes (handshake_id, org_id, action, state, requested_at, "
        "expires_at, target_account_id, parties, resources) "
        "VALUES (?, ?, 'INVITE', 'OPEN', 0, 9999999999, ?, '[]', '[]')",
        {id, org, invitee});
  }
  const std::string slr_arn =
      "arn:aws:iam::222222222222:role/aws-service-role/organizations.amazonaws.com/"
      "AWSServiceRoleForOrganizations";
  AuthzPlan all = Plan(User("joiner", invitee), "organizations", "AcceptHandshake",
                       {{"HandshakeId", "h-all00001"}});
  ASSERT_EQ(all.checks.size(), 2u);
  EXPECT_EQ(all.checks[0].action, "organizations:AcceptHandshake");
  EXPECT_FALSE(all.checks[0].dependency);
  EXPECT_EQ(all.checks[1].action, "iam:CreateServiceLinkedRole");
  EXPECT_EQ(all.checks[1].resource, slr_arn);
  EXPECT_TRUE(all.checks[1].dependency);
  EXPECT_EQ(*FindContext(all, "iam:AWSServiceName"), "organizations.amazonaws.com");
  // A consolidated-billing organization creates no role.
  EXPECT_EQ(Plan(User("joiner", invitee), "organizations", "AcceptHandshake",
                 {{"HandshakeId", "h-cb000001"}})
                .checks.size(),
            1u);

  // A user allowed AcceptHandshake only: AccessDeniedForDependencyException with its Reason.
  std::string uid = AddUser("joiner", "/", invitee);
  PutInline("User", uid, "accept",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
            R"("Action":"organizations:AcceptHandshake","Resource":"*"}]})");
  Status denied = Authorize(User("joiner", invitee), "organizations", "AcceptHandshake",
                            {{"HandshakeId", "h-all00001"}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.aws_code(), "AccessDeniedForDependencyException");
  ASSERT_EQ(denied.fields().count("Reason"), 1u);
  EXPECT_EQ(denied.fields().at("Reason"), "ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE");
  EXPECT_TRUE(Authorize(User("joiner", invitee), "organizations", "AcceptHandshake",
                        {{"HandshakeId", "h-cb000001"}})
                  .ok());
  // Granting iam:CreateServiceLinkedRole for that role lets the acceptance through.
  PutInline("User", uid, "slr",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
            R"("Action":"iam:CreateServiceLinkedRole","Resource":")" +
                slr_arn +
                R"(","Condition":{"StringEquals":{"iam:AWSServiceName":)"
                R"("organizations.amazonaws.com"}}}]})");
  EXPECT_TRUE(Authorize(User("joiner", invitee), "organizations", "AcceptHandshake",
                        {{"HandshakeId", "h-all00001"}})
                  .ok());
  // An account that has the role already needs nothing more.
  AddRole("AWSServiceRoleForOrganizations", "{}", invitee,
          "/aws-service-role/organizations.amazonaws.com/");
  EXPECT_EQ(Plan(User("joiner", invitee), "organizations", "AcceptHandshake",
                 {{"HandshakeId", "h-all00001"}})
                .checks.size(),
            1u);
}

TEST_F(OperationActionsTest, EveryModelledOperationMapsToItsAction) {
  for (const model::ServiceModel* service : model::Registry::Embedded().services()) {
    for (const auto& [name, op] : service->operations()) {
      AuthzPlan plan = Plan(Root(), service->signing_name, name);
      if (plan.exempt) {
        EXPECT_EQ(service->signing_name, "sts") << name;
        continue;
      }
      ASSERT_FALSE(plan.checks.empty()) << name;
      // `<prefix>:<Operation>`, or the override (ListInsightsMetricData is
      // cloudtrail:LookupEvents; the extension's CreatePaymentMethod is
      // payments:CreatePaymentInstrument; SNS's PublishBatch is sns:Publish).
      EXPECT_EQ(plan.checks[0].action, ActionNameOf(ActionPrefix(*service), name));
      if (name != "ListInsightsMetricData" && name != "CreatePaymentMethod" &&
          name != "PublishBatch") {
        EXPECT_EQ(plan.checks[0].action, ActionPrefix(*service) + ":" + name);
      }
      EXPECT_FALSE(plan.checks[0].resource.empty()) << name;
    }
  }
}

TEST(IsReadOnlyOperationTest, ReadsAndWrites) {
  EXPECT_TRUE(IsReadOnlyOperation("iam", "GetUser"));
  EXPECT_TRUE(IsReadOnlyOperation("iam", "ListRoles"));
  EXPECT_TRUE(IsReadOnlyOperation("iam", "SimulatePrincipalPolicy"));
  EXPECT_TRUE(IsReadOnlyOperation("organizations", "DescribeOrganization"));
  EXPECT_TRUE(IsReadOnlyOperation("sts", "AssumeRole"));
  EXPECT_FALSE(IsReadOnlyOperation("iam", "AttachUserPolicy"));
  EXPECT_FALSE(IsReadOnlyOperation("iam", "TagUser"));
  // CreateAccount finishes inside its own call, so polling its status only reads (and stays off
  // the writer thread).
  EXPECT_TRUE(IsReadOnlyOperation("organizations", "DescribeCreateAccountStatus"));
  EXPECT_TRUE(IsReadOnlyOperation("organizations", "ListCreateAccountStatus"));
  EXPECT_FALSE(IsReadOnlyOperation("account", "PutAlternateContact"));
}

TEST(OnlyAddsResourcesTest, CreatesAreResourceOnlyAndChangesAreNot) {
  for (const char* op : {"CreateRole", "CreateUser", "CreatePolicy", "CreateAccessKey"}) {
    EXPECT_TRUE(OnlyAddsResources("iam", op)) << op;
    EXPECT_FALSE(IsReadOnlyOperation("iam", op)) << op;
  }
  EXPECT_TRUE(OnlyAddsResources("organizations", "CreateAccount"));
  // Changes to existing entities need the full bump.
  for (const char* op : {"AttachUserPolicy", "CreatePolicyVersion", "PutRolePolicy",
                         "AddUserToGroup", "TagUser", "DeleteRole", "UpdateAssumeRolePolicy"}) {
    EXPECT_FALSE(OnlyAddsResources("iam", op)) << op;
  }
  EXPECT_FALSE(OnlyAddsResources("organizations", "CreateOrganization"));
  EXPECT_FALSE(OnlyAddsResources("organizations", "AttachPolicy"));
  EXPECT_FALSE(OnlyAddsResources("sts", "AssumeRole"));
}

}  // namespace
}  // namespace orgtwin::gateway
