// The policy-set loader over the twin's store (repo/store_policy_source.h): the state is made
// through the public API (IAM Query, Organizations JSON, a signed-up member account), then the
// loader must find exactly what the authorizer and the simulator evaluate -- a user's inline,
// customer managed and group policies, its boundary and tags, and the SCP levels of a member
// account (none for the management account).
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "policy/policy_set_loader.h"
#include "repo/store_policy_source.h"
#include "services/organizations/signup.h"
#include "testing/test_twin.h"

namespace orgtwin::repo {
namespace {

namespace json = boost::json;

constexpr char kAllowS3[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
constexpr char kDenyIam[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]})";

class PolicyLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-loader", .id_seed = 23});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    root_ = twin_->root_keys();
    account_ = twin_->account().account_id;
  }

  void Iam(const std::string& action, test::QueryParams params) {
    HttpResponse response = twin_->CallQuery("iam", action, std::move(params), root_);
    ASSERT_EQ(response.status, 200) << action << ": " << response.body;
  }

  json::object Org(const std::string& op, const json::object& input, const test::Keys& keys) {
    HttpResponse response = twin_->CallJson("organizations", op, input, keys);
    EXPECT_EQ(response.status, 200) << op << ": " << response.body;
    json::value body =
        response.body.empty() ? json::value(json::object()) : json::parse(response.body);
    return body.is_object() ? body.as_object() : json::object();
  }

  std::string PolicyArn(const std::string& name) const {
    return "arn:aws:iam::" + account_ + ":policy/" + name;
  }

  // Runs `check` with a loader over a read transaction of the twin's store.
  template <typename Check>
  void WithLoader(Check&& check) {
    auto tx = twin_->store().Begin(store::TxMode::kRead);
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    StorePolicySource source(**tx);
    policy::PolicySetLoader loader(source, cache_);
    check(loader);
  }

  static std::vector<std::string> Describe(const std::vector<policy::SourcedPolicyPtr>& set) {
    std::vector<std::string> out;
    for (const auto& p : set) {
      EXPECT_NE(p->compiled, nullptr);
      out.push_back(p->source_type + ":" + p->source_id);
    }
    return out;
  }

  std::unique_ptr<test::TestTwin> twin_;
  test::Keys root_;
  std::string account_;
  policy::PolicyCache cache_;
};

TEST_F(PolicyLoaderTest, AUsersSetHasItsOwnPoliciesItsGroupsItsBoundaryAndTags) {
  Iam("CreateUser", {{"UserName", "Alice"}, {"Path", "/team/"}});
  Iam("PutUserPolicy",
      {{"UserName", "Alice"}, {"PolicyName", "own-s3"}, {"PolicyDocument", kAllowS3}});
  Iam("CreatePolicy", {{"PolicyName", "attached"}, {"PolicyDocument", kAllowS3}});
  Iam("AttachUserPolicy", {{"UserName", "Alice"}, {"PolicyArn", PolicyArn("attached")}});
  Iam("CreatePolicy", {{"PolicyName", "bound"}, {"PolicyDocument", kAllowS3}});
  Iam("PutUserPermissionsBoundary",
      {{"UserName", "Alice"}, {"PermissionsBoundary", PolicyArn("bound")}});
  Iam("TagUser",
      {{"UserName", "Alice"}, {"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "red"}});
  Iam("CreateGroup", {{"GroupName", "readers"}});
  Iam("AttachGroupPolicy",
      {{"GroupName", "readers"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  Iam("PutGroupPolicy",
      {{"GroupName", "readers"}, {"PolicyName", "group-deny"}, {"PolicyDocument", kDenyIam}});
  Iam("AddUserToGroup", {{"GroupName", "readers"}, {"UserName", "Alice"}});

  WithLoader([&](policy::PolicySetLoader& loader) {
    // IAM names compare case-insensitively.
    auto user = loader.LoadUser(account_, "alice");
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    ASSERT_TRUE(user->entity.has_value());
    EXPECT_EQ(user->entity->name, "Alice");
    EXPECT_EQ(user->entity->path, "/team/");
    EXPECT_EQ(user->entity->tags, (policy::TagList{{"team", "red"}}));
    EXPECT_EQ(Describe(user->identity),
              (std::vector<std::string>{"user:own-s3", "user-managed:attached", "group:group-deny",
                                        "aws-managed:ReadOnlyAccess"}));
    ASSERT_NE(user->boundary, nullptr);
    EXPECT_EQ(user->boundary->source_type + ":" + user->boundary->source_id, "user-managed:bound");
    EXPECT_EQ(user->boundary->compiled->flavour(), policy::Flavour::kBoundary);

    // A federated session gets the user's policies without its boundary.
    auto federated = loader.LoadUser(account_, "Alice", /*with_boundary=*/false);
    ASSERT_TRUE(federated.ok());
    EXPECT_EQ(federated->boundary, nullptr);
    EXPECT_EQ(federated->identity.size(), 4u);

    auto group = loader.LoadGroup(account_, "READERS");
    ASSERT_TRUE(group.ok());
    EXPECT_EQ(Describe(group->identity),
              (std::vector<std::string>{"group:group-deny", "aws-managed:ReadOnlyAccess"}));

    auto missing = loader.LoadUser(account_, "nobody");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->entity.has_value());
    EXPECT_TRUE(missing->identity.empty());
  });
}

TEST_F(PolicyLoaderTest, SCPLevelsApplyToMemberAccountsOnly) {
  Org("CreateOrganization", {{"FeatureSet", "ALL"}}, root_);
  json::object root = Org("ListRoots", {}, root_)["Roots"].as_array()[0].as_object();
  std::string root_id(root.at("Id").as_string());
  // Whether CreateOrganization enables SCPs on the root is issue 16's question; either way the
  // type is enabled once this is done.
  bool scp_enabled = false;
  for (const auto& type : root.at("PolicyTypes").as_array()) {
    scp_enabled |= type.at("Type") == "SERVICE_CONTROL_POLICY" && type.at("Status") == "ENABLED";
  }
  if (!scp_enabled) {
    Org("EnablePolicyType", {{"RootId", root_id}, {"PolicyType", "SERVICE_CONTROL_POLICY"}}, root_);
  }
  json::object created = Org("CreatePolicy",
                             {{"Name", "no-iam"},
                              {"Description", "d"},
                              {"Type", "SERVICE_CONTROL_POLICY"},
                              {"Content", kDenyIam}},
                             root_);
  std::string scp_id(created["Policy"].at("PolicySummary").at("Id").as_string());

  services::SignupRequest request;
  request.email = "member@example.com";
  request.account_name = "member";
  auto member = services::SignUpStandaloneAccount(twin_->store(), twin_->credentials(),
                                                  twin_->ids(), twin_->clock(), request);
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  const test::Keys member_keys{member->access_key_id, member->secret_access_key, ""};
  json::object invited =
      Org("InviteAccountToOrganization",
          {{"Target", {{"Type", "ACCOUNT"}, {"Id", member->account_id}}}}, root_);
  std::string handshake(invited["Handshake"].at("Id").as_string());
  Org("AcceptHandshake", {{"HandshakeId", handshake}}, member_keys);
  Org("AttachPolicy", {{"PolicyId", scp_id}, {"TargetId", member->account_id}}, root_);

  WithLoader([&](policy::PolicySetLoader& loader) {
    auto org = loader.LoadOrganization(member->account_id);
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    EXPECT_TRUE(org->member);
    EXPECT_EQ(org->management_account_id, account_);
    EXPECT_EQ(org->org_path, org->org_id + "/" + root_id + "/");
    ASSERT_TRUE(org->has_scp);
    ASSERT_EQ(org->scp.size(), 2u);  // the root, then the account
    EXPECT_EQ(Describe(org->scp[0]), (std::vector<std::string>{"scp:FullAWSAccess"}));
    std::vector<std::string> account_level = Describe(org->scp[1]);
    std::sort(account_level.begin(), account_level.end());
    EXPECT_EQ(account_level, (std::vector<std::string>{"scp:FullAWSAccess", "scp:no-iam"}));
    EXPECT_FALSE(org->has_rcp);

    // AWS-COMPAT: SCPs never restrict the management account.
    auto management = loader.LoadOrganization(account_);
    ASSERT_TRUE(management.ok());
    EXPECT_FALSE(management->member);
    EXPECT_EQ(management->org_id, org->org_id);
    EXPECT_FALSE(management->has_scp);
    EXPECT_TRUE(management->scp.empty());

    auto outside = loader.LoadOrganization("999999999999");
    ASSERT_TRUE(outside.ok());
    EXPECT_TRUE(outside->org_id.empty());
    EXPECT_FALSE(outside->member);
  });
}

}  // namespace
}  // namespace orgtwin::repo
