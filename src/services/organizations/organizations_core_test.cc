// Organizations core handlers against a real SQLite store in a temp dir: the rows behind the
// wire answers (the created account's role, the SLR, the tree), the waiting period by a fake
// clock, and the org_store helpers other handlers share.
#include "services/organizations/organizations_core.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>

#include <gtest/gtest.h>

#include "gateway/request_context.h"
#include "services/iam/iam_entities.h"
#include "services/identity/credential_store.h"
#include "services/organizations/org_store.h"
#include "services/organizations/service_principals.h"
#include "services/organizations/signup.h"
#include "testing/test_twin.h"

namespace orgtwin::services::organizations {
namespace {

constexpr char kManagement[] = "111111111111";

// Randomness that is always zero: AccountId() then yields 100000000000, 100000000001, ... and
// the sortable IDs (request, role) stay unique through their counters.
class ZeroRandomIds final : public IdGenerator {
 public:
  void RandomBytes(uint8_t* out, size_t n) override { std::fill(out, out + n, uint8_t{0}); }
};

class OrganizationsCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({
        .dir_prefix = "orgtwin-orgs-core",
        .fake_clock_start = TimePoint(std::chrono::seconds(1'800'000'000)),
        .id_seed = 7,
        .default_account = false,
        .gateway = false,
    });
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->Execute("INSERT INTO accounts (account_id, email, name, created_at) "
                              "VALUES (?, 'mgmt@example.com', 'mgmt', 0)",
                              {std::string(kManagement)})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
    ConfigureOrganizations(OrganizationsOptions{});
  }

  Result<Json> Call(Handler* handler, const std::string& account, const Json& input = {}) {
    auth::Principal caller;
    caller.type = auth::PrincipalType::kRoot;
    caller.account_id = account;
    caller.arn = "arn:aws:iam::" + account + ":root";
    // As the gateway runs a write: one transaction, committed only when the handler succeeded.
    return twin_->RunHandler(handler, caller, input);
  }
  std::unique_ptr<store::Transaction> Read() {
    return std::move(twin_->store().Begin(store::TxMode::kRead)).value();
  }

  ZeroRandomIds zero_ids_;
  std::unique_ptr<test::TestTwin> twin_;
};

TEST_F(OrganizationsCoreTest, IdsMatchTheModelPatterns) {
  SeededIdGenerator ids(1);
  EXPECT_TRUE(std::regex_match(NewOrgId(ids), std::regex("o-[a-z0-9]{10,32}")));
  std::string root = NewRootId(ids);
  EXPECT_TRUE(std::regex_match(root, std::regex("r-[0-9a-z]{4,32}")));
  std::string ou = NewOuId(ids, root);
  EXPECT_TRUE(std::regex_match(ou, std::regex("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")));
  EXPECT_EQ(ou.substr(3, 4), root.substr(2));
  EXPECT_TRUE(std::regex_match(NewCreateAccountRequestId(ids), std::regex("car-[a-z0-9]{8,32}")));
  EXPECT_EQ(KindOfId(root), TargetKind::kRoot);
  EXPECT_EQ(KindOfId(ou), TargetKind::kOu);
  EXPECT_EQ(KindOfId("123456789012"), TargetKind::kAccount);
  EXPECT_EQ(KindOfId("p-FullAWSAccess"), TargetKind::kPolicy);
  EXPECT_EQ(KindOfId("ou-x"), TargetKind::kInvalid);
}

TEST_F(OrganizationsCoreTest, TokensAreBoundToTheRequest) {
  Page page;
  page.max_results = 1;
  page.binding = "ListChildren|r-abcd|ACCOUNT";
  Json out;
  EmitPage({{"b", boost::json::value("B")}, {"a", boost::json::value("A")}}, page, "L", out);
  ASSERT_EQ(out.at("L").as_array().size(), 1u);
  EXPECT_EQ(out.at("L").as_array()[0].as_string(), "A");
  std::string token(out.at("NextToken").as_string());
  auto same = ParsePage(Json{{"NextToken", token}}, page.binding);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->start_key, "b");
  auto other = ParsePage(Json{{"NextToken", token}}, "ListChildren|r-abcd|ORGANIZATIONAL_UNIT");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().aws_code(), "InvalidInputException");
  EXPECT_EQ(other.status().fields().at("Reason"), "INVALID_NEXT_TOKEN");
  EXPECT_FALSE(ParsePage(Json{{"NextToken", "zz"}}, page.binding).ok());
}

// Through the API no policy type is enabled on the new root, so nothing is attached yet
// (AWS-FACTS 2.2); EnablePolicyType attaches FullAWSAccess (org_policies_test).
TEST_F(OrganizationsCoreTest, CreateOrganizationMakesRootAndSlrWithNoPolicyType) {
  auto created = Call(CreateOrganization, kManagement);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Json& org = created->at("Organization").as_object();
  EXPECT_EQ(org.at("FeatureSet").as_string(), "ALL");
  EXPECT_EQ(org.at("MasterAccountId").as_string(), kManagement);
  auto tx = Read();
  auto slr = iam::FindRole(*tx, kManagement, "AWSServiceRoleForOrganizations");
  ASSERT_TRUE(slr.ok());
  ASSERT_TRUE(slr->has_value());
  EXPECT_NE((*slr)->trust_policy.find("organizations.amazonaws.com"), std::string::npos);
  auto org_row = RequireOrganization(*tx, kManagement);
  ASSERT_TRUE(org_row.ok());
  auto root = GetRoot(*tx, org_row->org_id);
  ASSERT_TRUE(root.ok());
  auto attached = Count(*tx,
                        "SELECT COUNT(*) FROM org_policy_attachments WHERE policy_id = "
                        "'p-FullAWSAccess' AND target_id IN (?, ?)",
                        {root->root_id, std::string(kManagement)});
  EXPECT_EQ(*attached, 0);
  auto types =
      Count(*tx, "SELECT COUNT(*) FROM org_root_policy_types WHERE root_id = ?", {root->root_id});
  EXPECT_EQ(*types, 0);
  auto again = Call(CreateOrganization, kManagement);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().aws_code(), "AlreadyInOrganizationException");
}

TEST_F(OrganizationsCoreTest, CreatedAccountGetsDefaultPoliciesAndTheOrganizationsRole) {
  ASSERT_TRUE(Call(CreateOrganization, kManagement).ok());
  std::string root_id;
  {
    // SCPs and RCPs enabled on the root (what EnablePolicyType leaves behind).
    auto tx = std::move(twin_->store().Begin(store::TxMode::kWrite)).value();
    auto org = RequireOrganization(*tx, kManagement);
    ASSERT_TRUE(org.ok());
    auto root = GetRoot(*tx, org->org_id);
    ASSERT_TRUE(root.ok());
    root_id = root->root_id;
    ASSERT_TRUE(tx->Execute("INSERT INTO org_root_policy_types (root_id, policy_type, status) "
                            "VALUES (?, 'SERVICE_CONTROL_POLICY', 'ENABLED'), "
                            "(?, 'RESOURCE_CONTROL_POLICY', 'ENABLED')",
                            {root_id, root_id})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto created =
      Call(CreateAccount, kManagement, Json{{"Email", "ops@example.com"}, {"AccountName", "ops"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto described =
      Call(DescribeCreateAccountStatus, kManagement,
           Json{{"CreateAccountRequestId", created->at("CreateAccountStatus").at("Id")}});
  ASSERT_TRUE(described.ok());
  std::string account(described->at("CreateAccountStatus").at("AccountId").as_string());

  auto tx = Read();
  auto attached = tx->Query(
      "SELECT policy_id FROM org_policy_attachments WHERE target_id = ? ORDER BY policy_id",
      {account});
  ASSERT_TRUE(attached.ok());
  ASSERT_EQ(attached->size(), 2u);
  EXPECT_EQ((*attached)[0].Text(0), "p-FullAWSAccess");
  EXPECT_EQ((*attached)[1].Text(0), "p-RCPFullAWSAccess");

  // The Organizations service-linked role, as IAM's service-linked-role code makes it.
  auto slr = iam::FindRole(*tx, account, "AWSServiceRoleForOrganizations");
  ASSERT_TRUE(slr.ok());
  ASSERT_TRUE(slr->has_value());
  const iam::ServiceLinkedRoleSpec spec =
      iam::ServiceLinkedRoleFor(iam::kOrganizationsServicePrincipal);
  EXPECT_EQ((*slr)->path, spec.path);
  EXPECT_EQ((*slr)->trust_policy, spec.trust_policy);
  ASSERT_TRUE((*slr)->description.has_value());
  EXPECT_EQ(*(*slr)->description, spec.description);
  auto policies = iam::AttachedPolicyArns(*tx, "Role", (*slr)->role_id);
  ASSERT_TRUE(policies.ok());
  EXPECT_EQ(*policies, std::vector<std::string>{spec.policy_arn});
}

TEST_F(OrganizationsCoreTest, CreatedAccountGetsTheAccessRoleAndWaitsBeforeLeaving) {
  ASSERT_TRUE(Call(CreateOrganization, kManagement).ok());
  auto created =
      Call(CreateAccount, kManagement, Json{{"Email", "dev@example.com"}, {"AccountName", "dev"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Json& status = created->at("CreateAccountStatus").as_object();
  EXPECT_EQ(status.at("State").as_string(), "IN_PROGRESS");
  auto described = Call(DescribeCreateAccountStatus, kManagement,
                        Json{{"CreateAccountRequestId", status.at("Id")}});
  ASSERT_TRUE(described.ok());
  const Json& done = described->at("CreateAccountStatus").as_object();
  EXPECT_EQ(done.at("State").as_string(), "SUCCEEDED");
  std::string account(done.at("AccountId").as_string());

  {
    auto tx = Read();
    auto role = iam::FindRole(*tx, account, "OrganizationAccountAccessRole");
    ASSERT_TRUE(role.ok());
    ASSERT_TRUE(role->has_value());
    EXPECT_NE((*role)->trust_policy.find("arn:aws:iam::111111111111:root"), std::string::npos);
    auto policies = iam::AttachedPolicyArns(*tx, "Role", (*role)->role_id);
    ASSERT_TRUE(policies.ok());
    ASSERT_EQ(policies->size(), 1u);
    EXPECT_EQ(policies->front(), "arn:aws:iam::aws:policy/AdministratorAccess");
  }

  // Created accounts lack standalone information and must wait 4 days (configurable).
  auto removed = Call(RemoveAccountFromOrganization, kManagement, Json{{"AccountId", account}});
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.status().fields().at("Reason"), "WAIT_PERIOD_ACTIVE");
  twin_->fake_clock().Advance(std::chrono::hours(24 * 4 + 1));
  removed = Call(RemoveAccountFromOrganization, kManagement, Json{{"AccountId", account}});
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.status().fields().at("Reason"), "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
  {
    auto tx = std::move(twin_->store().Begin(store::TxMode::kWrite)).value();
    ASSERT_TRUE(
        tx->Execute("UPDATE accounts SET has_payment_method = 1 WHERE account_id = ?", {account})
            .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto left = Call(LeaveOrganization, account);
  ASSERT_FALSE(left.ok());
  EXPECT_EQ(left.status().fields().at("Reason"), "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION");
}

// A drawn account ID that an existing account holds is drawn again: the insert itself detects
// the clash (ON CONFLICT DO NOTHING) and nothing of the clashing draw is kept.
TEST_F(OrganizationsCoreTest, CreateAccountRedrawsATakenAccountId) {
  twin_->SetHandlerIds(zero_ids_);
  ASSERT_TRUE(Call(CreateOrganization, kManagement).ok());
  {
    auto tx = std::move(twin_->store().Begin(store::TxMode::kWrite)).value();
    for (const char* taken : {"100000000000", "100000000001"}) {
      ASSERT_TRUE(tx->Execute("INSERT INTO accounts (account_id, email, name, created_at) VALUES "
                              "(?, ?, 'standalone', 0)",
                              {std::string(taken), std::string(taken) + "@example.com"})
                      .ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto created =
      Call(CreateAccount, kManagement, Json{{"Email", "new@example.com"}, {"AccountName", "new"}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto described =
      Call(DescribeCreateAccountStatus, kManagement,
           Json{{"CreateAccountRequestId", created->at("CreateAccountStatus").at("Id")}});
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->at("CreateAccountStatus").at("AccountId").as_string(), "100000000002");
  auto tx = Read();
  auto rows = tx->Query(
      "SELECT account_id, email, name FROM accounts WHERE account_id LIKE "
      "'10000000000%' ORDER BY account_id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].Text(1), "100000000000@example.com");  // the taken ones are untouched
  EXPECT_EQ((*rows)[1].Text(2), "standalone");
  EXPECT_EQ((*rows)[2].Text(1), "new@example.com");
}

// organizations.member_count (migration 0012) must equal the rows it summarizes through every
// membership change, since the account quota is checked against it.
TEST_F(OrganizationsCoreTest, MemberCountFollowsMembershipAndEnforcesTheQuota) {
  OrganizationsOptions options;
  options.max_accounts_per_org = 3;
  options.created_account_leave_wait_days = 0;
  ConfigureOrganizations(options);
  ASSERT_TRUE(Call(CreateOrganization, kManagement).ok());
  auto counts = [&]() -> std::pair<int64_t, int64_t> {
    auto tx = Read();
    auto org = RequireOrganization(*tx, kManagement);
    EXPECT_TRUE(org.ok());
    auto rows = tx->Query("SELECT COUNT(*) FROM org_accounts WHERE org_id = ?", {org->org_id});
    EXPECT_TRUE(rows.ok());
    return {org->member_count, rows->at(0).Int(0)};
  };
  EXPECT_EQ(counts(), std::make_pair(int64_t{1}, int64_t{1}));
  std::vector<std::string> accounts;
  for (int i = 0; i < 3; ++i) {
    std::string name = "member" + std::to_string(i);
    auto created = Call(CreateAccount, kManagement,
                        Json{{"Email", name + "@example.com"}, {"AccountName", name}});
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    auto status = Call(
        DescribeCreateAccountStatus, kManagement,
        Json{{"CreateAccountRequestId", created->at("CreateAccountStatus").as_object().at("Id")}});
    ASSERT_TRUE(status.ok());
    const Json& done = status->at("CreateAccountStatus").as_object();
    if (i < 2) {
      ASSERT_EQ(done.at("State").as_string(), "SUCCEEDED");
      accounts.emplace_back(done.at("AccountId").as_string());
    } else {
      // The management account counts: 3 members fill a quota of 3.
      EXPECT_EQ(done.at("State").as_string(), "FAILED");
      EXPECT_EQ(done.at("FailureReason").as_string(), "ACCOUNT_LIMIT_EXCEEDED");
    }
  }
  EXPECT_EQ(counts(), std::make_pair(int64_t{3}, int64_t{3}));

  {
    auto tx = std::move(twin_->store().Begin(store::TxMode::kWrite)).value();
    ASSERT_TRUE(tx->Execute("UPDATE accounts SET has_payment_method = 1, has_contact_info = 1 "
                            "WHERE account_id = ?",
                            {accounts[0]})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto removed = Call(RemoveAccountFromOrganization, kManagement, Json{{"AccountId", accounts[0]}});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(counts(), std::make_pair(int64_t{2}, int64_t{2}));
  auto again = Call(CreateAccount, kManagement,
                    Json{{"Email", "again@example.com"}, {"AccountName", "again"}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(counts(), std::make_pair(int64_t{3}, int64_t{3}));
}

TEST_F(OrganizationsCoreTest, OusNestFiveLevelsAndParentChainWalksUp) {
  ASSERT_TRUE(Call(CreateOrganization, kManagement).ok());
  auto roots = Call(ListRoots, kManagement);
  ASSERT_TRUE(roots.ok());
  std::string parent(roots->at("Roots").as_array()[0].at("Id").as_string());
  std::vector<std::string> ous;
  for (int level = 1; level <= 5; ++level) {
    auto ou = Call(CreateOrganizationalUnit, kManagement,
                   Json{{"ParentId", parent}, {"Name", "level" + std::to_string(level)}});
    ASSERT_TRUE(ou.ok()) << level << " " << ou.status().ToString();
    parent = std::string(ou->at("OrganizationalUnit").at("Id").as_string());
    ous.push_back(parent);
  }
  auto too_deep =
      Call(CreateOrganizationalUnit, kManagement, Json{{"ParentId", parent}, {"Name", "six"}});
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().fields().at("Reason"), "OU_DEPTH_LIMIT_EXCEEDED");
  auto tx = Read();
  auto org = RequireOrganization(*tx, kManagement);
  ASSERT_TRUE(org.ok());
  auto chain = ParentChain(*tx, org->org_id, ous.back());
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 6u);
  EXPECT_EQ(KindOfId(chain->front()), TargetKind::kRoot);
  EXPECT_EQ(chain->back(), ous.back());
  auto account_chain = ParentChain(*tx, org->org_id, kManagement);
  ASSERT_TRUE(account_chain.ok());
  EXPECT_EQ(account_chain->size(), 2u);
  EXPECT_FALSE(ParentChain(*tx, org->org_id, "999999999999").ok());
}

TEST_F(OrganizationsCoreTest, SignupCreatesAStandaloneAccountWithARootKey) {
  SignupRequest request{"solo@example.com", "solo", false, true, "", ""};
  auto signed_up = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                           twin_->clock(), request);
  ASSERT_TRUE(signed_up.ok()) << signed_up.status().ToString();
  EXPECT_TRUE(std::regex_match(signed_up->account_id, std::regex(R"(\d{12})")));
  auto key = twin_->credentials().Lookup(signed_up->access_key_id);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->principal.account_id, signed_up->account_id);
  EXPECT_EQ((*key)->principal.type, auth::PrincipalType::kRoot);
  auto duplicate = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                           twin_->clock(), request);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), ErrorCode::kAlreadyExists);
  // No payment method: it cannot create an organization.
  auto org = Call(CreateOrganization, signed_up->account_id);
  ASSERT_FALSE(org.ok());
  EXPECT_EQ(org.status().fields().at("Reason"), "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED");
}

TEST_F(OrganizationsCoreTest, SignupKeepsARequestedAccountIdAndRefusesATakenOrMalformedOne) {
  SignupRequest request{"copy@example.com", "copy", true, true, "210987654321", ""};
  auto signed_up = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                           twin_->clock(), request);
  ASSERT_TRUE(signed_up.ok()) << signed_up.status().ToString();
  EXPECT_EQ(signed_up->account_id, "210987654321");
  request.email = "other@example.com";
  auto taken = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                       twin_->clock(), request);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().aws_code(), "AccountAlreadyExists");
  request.account_id = "21098765432x";
  auto malformed = SignUpStandaloneAccount(twin_->store(), twin_->credentials(), twin_->ids(),
                                           twin_->clock(), request);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().aws_code(), "InvalidInput");
}

// The embedded list (data/organizations/service-principals.json) parses and holds AWS's principals,
// and nothing else is recognized: no suffix rule, no case folding.
TEST(ServicePrincipalsTest, RecognizesExactlyTheListedPrincipals) {
  for (const char* listed :
       {"account.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
        "guardduty.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
        "sso.amazonaws.com", "securitylake.amazonaws.com"}) {
    EXPECT_TRUE(IsRecognizedServicePrincipal(listed)) << listed;
  }
  for (const char* other : {"", "nonsense", "notaservice.amazonaws.com", "GUARDDUTY.AMAZONAWS.COM",
                            "guardduty.amazonaws.com.", "organizations.amazonaws.com"}) {
    EXPECT_FALSE(IsRecognizedServicePrincipal(other)) << other;
  }
}

// Sequence keys sort as their numbers do, and a page start reads back only from one.
TEST(ListingOrderTest, SequenceKeysSortNumericallyAndReadBack) {
  EXPECT_LT(SequenceKey(9), SequenceKey(10));
  EXPECT_LT(SequenceKey(99), SequenceKey(1000));
  Page page;
  EXPECT_EQ(*StartSequence(page), 0);
  page.start_key = SequenceKey(1234);
  EXPECT_EQ(*StartSequence(page), 1234);
  for (const char* bad : {"12a", "-5", "x"}) {
    page.start_key = bad;
    EXPECT_FALSE(StartSequence(page).ok()) << bad;
  }
}

}  // namespace
}  // namespace orgtwin::services::organizations
