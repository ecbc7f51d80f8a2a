#include "gateway/authorizer.h"

#include <gtest/gtest.h>

#include "gateway/authz_test_util.h"

namespace orgtwin::gateway {
namespace {

using testing::AuthzFixture;
using testing::kAccount;

constexpr char kAdmin[] = "arn:aws:iam::aws:policy/AdministratorAccess";
constexpr char kAllowIam[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]})";

class AuthorizerTest : public AuthzFixture {
 protected:
  boost::json::object CreateBob() { return {{"UserName", "bob"}}; }
};

TEST_F(AuthorizerTest, RootMayDoAnythingInItsAccount) {
  EXPECT_TRUE(Authorize(Root(), "iam", "CreateUser", CreateBob()).ok());
  EXPECT_TRUE(Authorize(Root(), "organizations", "CreateOrganization").ok());
  EXPECT_TRUE(Authorize(Root(), "account", "GetContactInformation").ok());
}

TEST_F(AuthorizerTest, UserWithoutPoliciesIsDeniedWithAwsMessage) {
  AddUser("alice");
  Status denied = Authorize(User("alice"), "iam", "CreateUser", CreateBob());
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.message(),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
            "identity-based policy allows the iam:CreateUser action");
  // GetCallerIdentity needs no permission.
  EXPECT_TRUE(Authorize(User("alice"), "sts", "GetCallerIdentity").ok());
  // Organizations answers with its own fixed text.
  Status orgs = Authorize(User("alice"), "organizations", "ListAccounts");
  ASSERT_EQ(orgs.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(orgs.message(), "You don't have permissions to access this resource.");
}

TEST_F(AuthorizerTest, PolicyChangeTakesEffectOnTheNextRequest) {
  std::string id = AddUser("alice");
  ASSERT_FALSE(Authorize(User("alice"), "iam", "CreateUser", CreateBob()).ok());
  EXPECT_EQ(authorizer_->CachedPrincipals(), 1u);
  Attach("User", id, kAdmin);  // bumps the epoch like the gateway does
  EXPECT_TRUE(Authorize(User("alice"), "iam", "CreateUser", CreateBob()).ok());
  Exec("DELETE FROM iam_attachments");
  EXPECT_FALSE(Authorize(User("alice"), "iam", "CreateUser", CreateBob()).ok());
}

// A write that only adds resources (CreateRole, CreateAccount, ...) bumps the resource facts
// alone: a role that was "not found" is found on the next request, while the principals'
// policy sets stay cached (the point: no reload of the caller after every create).
TEST_F(AuthorizerTest, ResourceBumpRefreshesResourceFactsAndKeepsPrincipals) {
  std::string alice = AddUser("alice");
  Attach("User", alice, kAdmin);
  boost::json::object assume{{"RoleArn", "arn:aws:iam::123456789012:role/late"},
                             {"RoleSessionName", "s"}};
  EXPECT_EQ(Authorize(User("alice"), "sts", "AssumeRole", assume).code(),
            ErrorCode::kAccessDenied);  // no such role yet, and that is cached
  auto write_without_bump = [&](const std::string& sql) {
    auto tx = std::move(store_->Begin(store::TxMode::kWrite)).value();
    ASSERT_TRUE(tx->Execute(sql).ok()) << sql;
    ASSERT_TRUE(tx->Commit().ok());
  };
  write_without_bump(
      "INSERT INTO iam_roles (role_id, account_id, role_name, role_name_lower, path, "
      "assume_role_policy, max_session_duration, created_at) VALUES ('AROAlate', "
      "'123456789012', 'late', 'late', '/', '{\"Version\":\"2012-10-17\",\"Statement\":"
      "[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
      "\"Action\":\"sts:AssumeRole\"}]}', 3600, 0)");
  // Behind the authorizer's back, alice also loses her policy: only a full bump may notice.
  write_without_bump("DELETE FROM iam_attachments");
  authorizer_->BumpResources();
  EXPECT_TRUE(Authorize(User("alice"), "sts", "AssumeRole", assume).ok());
  EXPECT_TRUE(Authorize(User("alice"), "iam", "CreateUser", CreateBob()).ok());
  EXPECT_EQ(authorizer_->CachedPrincipals(), 1u);
  authorizer_->BumpEpoch();
  EXPECT_EQ(Authorize(User("alice"), "iam", "CreateUser", CreateBob()).code(),
            ErrorCode::kAccessDenied);
}

TEST_F(AuthorizerTest, GroupsCustomerManagedAndInlinePoliciesGrant) {
  std::string id = AddUser("alice");
  Exec(
      "INSERT INTO iam_groups (group_id, account_id, group_name, group_name_lower, path, "
      "created_at) VALUES ('AGPAdevs', ?, 'devs', 'devs', '/', 0)",
      {std::string(kAccount)});
  Exec("INSERT INTO iam_group_members (group_id, user_id, added_at) VALUES ('AGPAdevs', ?, 0)",
       {id});
  std::string arn = AddManagedPolicy(
      "ReadUsers",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]})");
  Attach("Group", "AGPAdevs", arn);
  EXPECT_TRUE(Authorize(User("alice"), "iam", "GetUser", {{"UserName", "x"}}).ok());
  EXPECT_FALSE(Authorize(User("alice"), "iam", "ListUsers").ok());
  PutInline(
      "User", id, "list",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]})");
  EXPECT_TRUE(Authorize(User("alice"), "iam", "ListUsers").ok());
}

TEST_F(AuthorizerTest, PermissionsBoundaryCapsAnAdmin) {
  std::string id = AddUser("alice", "/", kAccount, "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
  Attach("User", id, kAdmin);
  EXPECT_TRUE(Authorize(User("alice"), "iam", "ListUsers").ok());
  Status denied = Authorize(User("alice"), "iam", "CreateUser", CreateBob());
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_NE(denied.message().find("because no permissions boundary allows the iam:CreateUser"),
            std::string::npos)
      << denied.message();
}

TEST_F(AuthorizerTest, ExplicitDenyWinsButNotOverGetCallerIdentity) {
  std::string id = AddUser("alice");
  Attach("User", id, kAdmin);
  PutInline(
      "User", id, "deny",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})");
  Status denied = Authorize(User("alice"), "iam", "ListUsers");
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_NE(denied.message().find("with an explicit deny in an identity-based policy"),
            std::string::npos)
      << denied.message();
  EXPECT_TRUE(Authorize(User("alice"), "sts", "GetCallerIdentity").ok());
}

TEST_F(AuthorizerTest, MfaDenyBlocksLongTermKeysAndAllowsMfaSessions) {
  std::string id = AddUser("alice");
  PutInline("User", id, "iam", kAllowIam);
  PutInline("User", id, "mfa",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",)"
            R"("Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]})");
  EXPECT_EQ(Authorize(User("alice"), "iam", "ListUsers").code(), ErrorCode::kAccessDenied);

  // A GetSessionToken session with MFA: the same user, MFA present.
  Exec(
      "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, principal_type, "
      "principal_name, session_token, expires_at, created_at) "
      "VALUES ('ASIAMFA', 's', ?, 'User', 'alice', 't', 1900000000, 0)",
      {std::string(kAccount)});
  Exec(
      "INSERT INTO sts_sessions (access_key_id, account_id, kind, user_name, mfa_authenticated, "
      "mfa_authenticated_at, issued_at, expires_at) "
      "VALUES ('ASIAMFA', ?, 'SessionToken', 'alice', 1, 1699999000, 1699999000, 1900000000)",
      {std::string(kAccount)});
  auth::Principal session = User("alice");
  session.access_key_id = "ASIAMFA";
  session.temporary = true;
  EXPECT_TRUE(Authorize(session, "iam", "ListUsers").ok());
  // MultiFactorAuthAge: 1000 s since the MFA sign-in.
  PutInline("User", id, "fresh",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",)"
            R"("Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"900"}}}]})");
  EXPECT_EQ(Authorize(session, "iam", "ListUsers").code(), ErrorCode::kAccessDenied);
}

TEST_F(AuthorizerTest, RootMayNeverAssumeARole) {
  // Trusted by name and by account: still refused, before the trust policy is read.
  AddRole("open", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
                  R"(["arn:aws:iam::123456789012:root","123456789012"]},)"
                  R"("Action":"sts:AssumeRole"}]})");
  for (const char* role :
       {"arn:aws:iam::123456789012:role/open", "arn:aws:iam::123456789012:role/missing"}) {
    Status denied =
        Authorize(Root(), "sts", "AssumeRole", {{"RoleArn", role}, {"RoleSessionName", "s"}});
    ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied) << role;
    EXPECT_EQ(denied.message(), "Roles may not be assumed by root accounts.");
  }
  // GetSessionToken stays open to root; an IAM user of the account may assume the role.
  EXPECT_TRUE(Authorize(Root(), "sts", "GetSessionToken").ok());
  Attach("User", AddUser("alice"), kAdmin);
  EXPECT_TRUE(
      Authorize(User("alice"), "sts", "AssumeRole",
                {{"RoleArn", "arn:aws:iam::123456789012:role/open"}, {"RoleSessionName", "s"}})
          .ok());
}

TEST_F(AuthorizerTest, IamDenialsNameRolesUsersAndPoliciesAsAwsDoes) {
  AddUser("alice");
  AddUser("carol", "/ops/");
  AddRole("deploy", R"({"Version":"2012-10-17","Statement":[]})", kAccount, "/svc/");
  Status role = Authorize(User("alice"), "iam", "GetRole", {{"RoleName", "deploy"}});
  EXPECT_EQ(role.message(),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "iam:GetRole on resource: role deploy because no identity-based policy allows the "
            "iam:GetRole action");
  Status user = Authorize(User("alice"), "iam", "GetUser", {{"UserName", "carol"}});
  EXPECT_EQ(user.message(),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "iam:GetUser on resource: user carol because no identity-based policy allows the "
            "iam:GetUser action");
  Status versions = Authorize(User("alice"), "iam", "ListPolicyVersions",
                              {{"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_NE(
      versions.message().find("on resource: policy arn:aws:iam::aws:policy/ReadOnlyAccess because"),
      std::string::npos)
      << versions.message();
  // The policies still see the ARN: an allow on the role's ARN (path included) grants GetRole.
  PutInline("User", AddUser("dave"), "get",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole",)"
            R"("Resource":"arn:aws:iam::123456789012:role/svc/deploy"}]})");
  EXPECT_TRUE(Authorize(User("dave"), "iam", "GetRole", {{"RoleName", "deploy"}}).ok());
  Status other = Authorize(User("dave"), "iam", "DeleteRole", {{"RoleName", "deploy"}});
  EXPECT_NE(other.message().find("iam:DeleteRole on resource: role deploy because"),
            std::string::npos)
      << other.message();
}

TEST_F(AuthorizerTest, AssumeRoleNeedsTheTrustPolicyAndCrossAccountIdentity) {
  constexpr char kOther[] = "210987654321";
  AddAccount(kOther);
  std::string alice = AddUser("alice");
  // A same-account role trusting alice directly: the trust policy alone grants.
  AddRole("local", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
                   R"("arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]})");
  boost::json::object local{{"RoleArn", "arn:aws:iam::123456789012:role/local"},
                            {"RoleSessionName", "s"}};
  EXPECT_TRUE(Authorize(User("alice"), "sts", "AssumeRole", local).ok());
  // A role in another account trusting this account: alice also needs an identity allow.
  AddRole("remote",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
          R"("arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})",
          kOther);
  boost::json::object remote{{"RoleArn", "arn:aws:iam::210987654321:role/remote"},
                             {"RoleSessionName", "s"}};
  Status denied = Authorize(User("alice"), "sts", "AssumeRole", remote);
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_NE(denied.message().find("on resource: arn:aws:iam::210987654321:role/remote"),
            std::string::npos);
  PutInline("User", alice, "assume",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)"
            R"("Resource":"arn:aws:iam::210987654321:role/*"}]})");
  EXPECT_TRUE(Authorize(User("alice"), "sts", "AssumeRole", remote).ok());
  // A role that does not exist can never be assumed; a wrong path does not name the role.
  boost::json::object missing{{"RoleArn", "arn:aws:iam::210987654321:role/x/remote"},
                              {"RoleSessionName", "s"}};
  EXPECT_EQ(Authorize(User("alice"), "sts", "AssumeRole", missing).code(),
            ErrorCode::kAccessDenied);
}

TEST_F(AuthorizerTest, RoleSessionUsesRolePoliciesAndSessionPolicies) {
  std::string role =
      AddRole("deploy", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                        R"("Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]})");
  Attach("Role", role, kAdmin);
  Exec(
      "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, principal_type, "
      "principal_name, session_token, expires_at, created_at) "
      "VALUES ('ASIAROLE', 's', ?, 'AssumedRole', 'deploy/s1', 't', 1900000000, 0)",
      {std::string(kAccount)});
  Exec(
      "INSERT INTO sts_sessions (access_key_id, account_id, kind, role_id, role_name, "
      "session_name, session_policies, session_tags, issued_at, expires_at) "
      "VALUES ('ASIAROLE', ?, 'AssumedRole', ?, 'deploy', 's1', ?, '{\"team\":\"red\"}', "
      "1699999000, 1900000000)",
      {std::string(kAccount), role,
       std::string(R"([{"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                   R"("Action":"iam:Get*","Resource":"*","Condition":{"StringEquals":)"
                   R"({"aws:PrincipalTag/team":"red"}}}]}])")});
  auth::Principal session =
      services::PrincipalFor(kAccount, "AssumedRole", "deploy/s1", "ASIAROLE");
  EXPECT_TRUE(Authorize(session, "iam", "GetRole", {{"RoleName", "deploy"}}).ok());
  Status denied = Authorize(session, "iam", "CreateUser", CreateBob());
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.message(),
            "User: arn:aws:sts::123456789012:assumed-role/deploy/s1 is not authorized to "
            "perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
            "session policy allows the iam:CreateUser action");
}

class ScpTest : public AuthzFixture {
 protected:
  static constexpr char kMember[] = "111111111111";
  void SetUp() override {
    AuthzFixture::SetUp();
    AddAccount(kMember);
    AddOrganization("o-abcdefghij", kAccount);
    Exec("INSERT INTO org_roots (root_id, org_id) VALUES ('r-ab12', 'o-abcdefghij')");
    Exec(
        "INSERT INTO org_units (ou_id, org_id, parent_id, name, created_at) "
        "VALUES ('ou-ab12-11111111', 'o-abcdefghij', 'r-ab12', 'Prod', 0)");
    AddMember(kAccount, "o-abcdefghij");
    AddMember(kMember, "o-abcdefghij", "ou-ab12-11111111");
    Exec(
        "INSERT INTO org_root_policy_types (root_id, policy_type, status) "
        "VALUES ('r-ab12', 'SERVICE_CONTROL_POLICY', 'ENABLED')");
    Exec(
        "INSERT INTO org_policies (policy_id, org_id, policy_type, name, content, aws_managed, "
        "created_at) VALUES ('p-FullAWSAccess', NULL, 'SERVICE_CONTROL_POLICY', "
        "'FullAWSAccess', ?, 1, 0)",
        {std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",)"
                     R"("Resource":"*"}]})")});
    for (const char* target : {"r-ab12", "ou-ab12-11111111", kMember, kAccount}) {
      Exec(
          "INSERT INTO org_policy_attachments (org_id, policy_id, target_id) "
          "VALUES ('o-abcdefghij', 'p-FullAWSAccess', ?)",
          {std::string(target)});
    }
    member_admin_ = AddUser("admin", "/", kMember);
    Attach("User", member_admin_, kAdmin, kMember);
  }
  std::string member_admin_;
};

TEST_F(ScpTest, ScpDenyBlocksMemberAccountsButNotTheManagementAccount) {
  EXPECT_TRUE(Authorize(User("admin", kMember), "iam", "CreateUser", {{"UserName", "x"}}).ok());
  Exec(
      "INSERT INTO org_policies (policy_id, org_id, policy_type, name, content, created_at) "
      "VALUES ('p-denyiam1', 'o-abcdefghij', 'SERVICE_CONTROL_POLICY', 'DenyIam', ?, 0)",
      {std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*",)"
                   R"("Resource":"*"}]})")});
  Exec(
      "INSERT INTO org_policy_attachments (org_id, policy_id, target_id) "
      "VALUES ('o-abcdefghij', 'p-denyiam1', 'ou-ab12-11111111')");
  Status denied = Authorize(User("admin", kMember), "iam", "CreateUser", {{"UserName", "x"}});
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_NE(denied.message().find("with an explicit deny in a service control policy"),
            std::string::npos)
      << denied.message();
  // The member account's root is bound by SCPs too; the management account is not.
  EXPECT_EQ(Authorize(Root(kMember), "iam", "ListUsers").code(), ErrorCode::kAccessDenied);
  EXPECT_TRUE(Authorize(Root(), "iam", "ListUsers").ok());
}

TEST_F(ScpTest, DetachingFullAwsAccessFromAnOuDeniesEverythingBelowIt) {
  Exec("DELETE FROM org_policy_attachments WHERE target_id = 'ou-ab12-11111111'");
  Status denied = Authorize(User("admin", kMember), "iam", "ListUsers");
  ASSERT_EQ(denied.code(), ErrorCode::kAccessDenied);
  EXPECT_NE(denied.message().find("because no service control policy allows"), std::string::npos);
  // SCPs disabled on the root: no SCP layer at all.
  Exec("UPDATE org_root_policy_types SET status = 'PENDING_DISABLE'");
  EXPECT_TRUE(Authorize(User("admin", kMember), "iam", "ListUsers").ok());
}

TEST_F(ScpTest, PrincipalOrgKeysAreSet) {
  PutInline("User", member_admin_, "org",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",)"
            R"("Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]})");
  EXPECT_TRUE(Authorize(User("admin", kMember), "iam", "ListUsers").ok());
  PutInline("User", member_admin_, "path",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",)"
            R"("Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":)"
            R"("o-abcdefghij/r-ab12/ou-ab12-11111111/*"}}}]})");
  EXPECT_EQ(Authorize(User("admin", kMember), "iam", "ListUsers").code(), ErrorCode::kAccessDenied);
}

}  // namespace
}  // namespace orgtwin::gateway
