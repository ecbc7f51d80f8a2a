// orgtwin import against the real twin in process (a Gateway with every service over SQLite in a
// temp directory, as client_gateway_test.cc): an organization made through the API is read into
// YAML, which the structure-file loader must accept and which must say what was made -- account
// keys from names, IDs, OUs, placements, policies with content and targets, the management
// account's IAM with its documents decoded -- and leave out service-linked roles.
#include "structure/import.h"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <stdlib.h>

#include "client/client.h"
#include "client/inprocess_transport.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/log.h"
#include "gateway/gateway.h"
#include "model/service_model.h"
#include "services/identity/credential_store.h"
#include "services/register.h"
#include "services/twin/default_account.h"
#include "store/store.h"
#include "structure/parse.h"

namespace orgtwin::structure {
namespace {

namespace json = boost::json;

constexpr char kTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
    R"({"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";
// A fraction, a quoted "true" and an integer: the YAML must keep each one's JSON type.
constexpr char kScp[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*",)"
    R"("Condition":{"Bool":{"aws:ViaAWSService":"true"},)"
    R"("NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]})";
constexpr char kInline[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket",)"
    R"("Resource":"*"}]})";

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kWarn);  // the gateway's line per request would bury a failure
    char tmpl[] = "/tmp/orgtwin-import-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store::SqliteOptions sqlite;
    sqlite.path = dir_ + "/orgtwin.db";
    auto opened = store::OpenSqliteStore(sqlite);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    credentials_ = std::make_unique<services::CredentialStore>(*store_);
    auto account = services::EnsureDefaultAccount(*store_, *credentials_, ids_, clock_,
                                                  services::kDefaultAccountId);
    ASSERT_TRUE(account.ok()) << account.status().ToString();
    client::ClientOptions options;
    options.endpoint_url = "http://twin.local";
    options.credentials = {account->root_key.access_key_id, account->root_key.secret_access_key,
                           ""};
    options.clock = &clock_;
    options.retry.sleep = [](std::chrono::milliseconds) {};
    gateway_ = std::make_unique<gateway::Gateway>(
        gateway::GatewayOptions{}, model::Registry::Embedded(),
        gateway::TwinServices{*store_, clock_, ids_, *credentials_, *account});
    ASSERT_TRUE(services::RegisterAllServices(*gateway_).ok());
    client_ = std::make_unique<client::Client>(
        options, std::make_shared<client::InProcessTransport>(*gateway_));
  }
  void TearDown() override {
    client_.reset();
    gateway_.reset();
    credentials_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  json::object Call(std::string_view service, std::string_view operation,
                    const json::object& input = {}) {
    auto outcome = client_->Call(service, operation, input);
    EXPECT_TRUE(outcome.ok()) << operation << ": " << outcome.error().ToString();
    return outcome.ok() ? outcome.value() : json::object();
  }

  std::string dir_;
  FakeClock clock_{std::chrono::system_clock::from_time_t(1795820864)};
  SeededIdGenerator ids_{11};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::CredentialStore> credentials_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(ImportTest, AnOrganizationReadIntoAFileTheLoaderAccepts) {
  // With all features; service control policies are enabled after, as the API requires
  // (AWS-FACTS 2.2).
  Call("organizations", "CreateOrganization", {{"FeatureSet", "ALL"}});
  const std::string root =
      std::string(Call("organizations", "ListRoots")["Roots"].at(0).at("Id").as_string());
  Call("organizations", "EnablePolicyType",
       {{"RootId", root}, {"PolicyType", "SERVICE_CONTROL_POLICY"}});
  json::object workloads = Call("organizations", "CreateOrganizationalUnit",
                                {{"ParentId", root}, {"Name", "Workloads"}});
  const std::string workloads_id(workloads["OrganizationalUnit"].at("Id").as_string());
  json::object created = Call("organizations", "CreateAccount",
                              {{"Email", "prod@example.com"}, {"AccountName", "Prod & Dev"}});
  ASSERT_FALSE(created.empty());
  json::object accounts = Call("organizations", "ListAccounts");
  std::string member_id;
  for (const json::value& account : accounts["Accounts"].as_array()) {
    if (account.at("Name") == "Prod & Dev") member_id = account.at("Id").as_string().c_str();
  }
  ASSERT_FALSE(member_id.empty());
  Call("organizations", "MoveAccount",
       {{"AccountId", member_id}, {"SourceParentId", root}, {"DestinationParentId", workloads_id}});
  json::object policy = Call("organizations", "CreatePolicy",
                             {{"Name", "NoEc2ViaServices"},
                              {"Description", "no EC2 through services"},
                              {"Type", "SERVICE_CONTROL_POLICY"},
                              {"Content", kScp}});
  const std::string policy_id(policy["Policy"].at("PolicySummary").at("Id").as_string());
  Call("organizations", "AttachPolicy", {{"PolicyId", policy_id}, {"TargetId", workloads_id}});
  Call("iam", "CreateRole",
       {{"RoleName", "Admin"}, {"Description", "admins"}, {"AssumeRolePolicyDocument", kTrust}});
  Call("iam", "AttachRolePolicy",
       {{"RoleName", "Admin"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  Call("iam", "PutRolePolicy",
       {{"RoleName", "Admin"}, {"PolicyName", "List"}, {"PolicyDocument", kInline}});
  Call("iam", "CreateGroup", {{"GroupName", "Ops"}});
  Call("iam", "CreateUser", {{"UserName", "alice"}});
  Call("iam", "AddUserToGroup", {{"UserName", "alice"}, {"GroupName", "Ops"}});

  auto text = ImportStructure(*client_, {"mgmt", "imported", nullptr});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->rfind("# Imported by `orgtwin import --profile mgmt`", 0), 0u) << *text;
  // No profile for the member: its IAM is left out, and the file says whose.
  EXPECT_NE(text->find("# Not imported: the IAM of prod-dev (no usable profile"), std::string::npos)
      << *text;
  auto loaded = ParseStructure(*text, "imported.yaml", dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message() << "\n" << *text;
  const Structure& s = *loaded;
  EXPECT_EQ(s.name, "imported");
  ASSERT_EQ(s.parties.size(), 1u);
  const Party& owner = s.parties.at("owner");
  EXPECT_EQ(owner.profile, "mgmt");
  ASSERT_EQ(owner.account_profiles.count("prod-dev"), 1u);
  EXPECT_EQ(owner.account_profiles.at("prod-dev").value, "mgmt-prod-dev");

  const Account& member = s.accounts.at("prod-dev");
  EXPECT_EQ(member.existing_id, member_id);
  EXPECT_EQ(member.email, "prod@example.com");
  ASSERT_TRUE(s.organization.has_value());
  const Organization& organization = *s.organization;
  const Account& management = s.accounts.at(organization.management_account);
  EXPECT_EQ(management.existing_id, services::kDefaultAccountId);
  EXPECT_EQ(organization.feature_set, FeatureSet::kAll);
  ASSERT_EQ(organization.units.size(), 1u);
  EXPECT_EQ(organization.units[0].path, "Workloads");
  bool placed = false;
  for (const Placement& placement : organization.placements) {
    if (placement.account == "prod-dev") placed = placement.ou_path == "Workloads";
  }
  EXPECT_TRUE(placed);

  ASSERT_EQ(organization.policies.size(), 1u);  // FullAWSAccess is AWS's
  const OrganizationPolicy& scp = organization.policies[0];
  EXPECT_EQ(scp.name, "NoEc2ViaServices");
  EXPECT_EQ(scp.description, "no EC2 through services");
  EXPECT_EQ(json::parse(scp.content), json::parse(kScp));
  ASSERT_EQ(scp.attachments.size(), 1u);
  EXPECT_EQ(scp.attachments[0].kind, PolicyTarget::Kind::kOrganizationalUnit);
  EXPECT_EQ(scp.attachments[0].name, "Workloads");

  const AccountIam& iam = s.iam.at(organization.management_account);
  const Role* admin = iam.FindRole("Admin");
  ASSERT_NE(admin, nullptr);
  for (const Role& role : iam.roles) {
    EXPECT_EQ(role.path.rfind("/aws-service-role/", 0), std::string::npos) << role.name;
  }
  EXPECT_EQ(admin->description, "admins");
  ASSERT_TRUE(admin->trust.IsDocument());
  EXPECT_EQ(json::parse(admin->trust.document), json::parse(kTrust));
  ASSERT_EQ(admin->managed_policy_arns.size(), 1u);
  EXPECT_EQ(admin->managed_policy_arns[0].value, "arn:aws:iam::aws:policy/ReadOnlyAccess");
  ASSERT_EQ(admin->inline_policies.size(), 1u);
  EXPECT_EQ(json::parse(admin->inline_policies[0].document), json::parse(kInline));
  ASSERT_EQ(iam.users.size(), 1u);
  ASSERT_EQ(iam.users[0].groups.size(), 1u);
  EXPECT_EQ(iam.users[0].groups[0].value, "Ops");
  ASSERT_EQ(iam.groups.size(), 1u);
}

TEST_F(ImportTest, AnAccountOutsideAnOrganizationIsRefused) {
  auto text = ImportStructure(*client_, {"mgmt", "", nullptr});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("is not in an organization"), std::string::npos)
      << text.status().message();
}

TEST(AccountKeyFromNameTest, LowerCaseDashesUniqueNeverRoot) {
  EXPECT_EQ(AccountKeyFromName("Partner Master Payer", {}), "partner-master-payer");
  EXPECT_EQ(AccountKeyFromName("  Prod & Dev!! ", {}), "prod-dev");
  EXPECT_EQ(AccountKeyFromName("Root", {}), "root-account");
  EXPECT_EQ(AccountKeyFromName("***", {}), "account");
  EXPECT_EQ(AccountKeyFromName("Prod", {"prod"}), "prod-2");
  EXPECT_EQ(AccountKeyFromName("Prod", {"prod", "prod-2"}), "prod-3");
  const std::string key = AccountKeyFromName(std::string(80, 'a'), {std::string(64, 'a')});
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.substr(62), "-2");
}

}  // namespace
}  // namespace orgtwin::structure
