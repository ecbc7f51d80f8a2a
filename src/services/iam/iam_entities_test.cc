#include "services/iam/iam_entities.h"

#include <memory>

#include <gtest/gtest.h>

#include "testing/test_store.h"

namespace orgtwin::services::iam {
namespace {

constexpr char kAccount[] = "123456789012";

class IamEntitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::OpenTestStore(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto tx = Write();
    ASSERT_TRUE(tx->Execute("INSERT INTO accounts (account_id, email, name, created_at) "
                            "VALUES (?, 'a@example.com', 'a', 0)",
                            {std::string(kAccount)})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  std::unique_ptr<store::Transaction> Write() {
    auto tx = store_->Begin(store::TxMode::kWrite);
    EXPECT_TRUE(tx.ok());
    return std::move(tx).value();
  }
  void InsertRole(store::Transaction& tx, const std::string& id, const std::string& name,
                  const std::string& path) {
    ASSERT_TRUE(tx.Execute("INSERT INTO iam_roles (role_id, account_id, role_name, "
                           "role_name_lower, path, assume_role_policy, max_session_duration, "
                           "created_at) VALUES (?, ?, ?, ?, ?, '{}', 3600, 1)",
                           {id, std::string(kAccount), name, Lower(name), path})
                    .ok());
  }

  test::TempDir dir_{"orgtwin-iam-entities"};
  std::unique_ptr<store::Store> store_;  // before dir_ is removed
};

TEST_F(IamEntitiesTest, UniqueIdsHaveThePrefixAnd21Characters) {
  SeededIdGenerator ids(3);
  std::string id = NewUniqueId(ids, "AIDA");
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(id.substr(0, 4), "AIDA");
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  EXPECT_NE(NewUniqueId(ids, "AIDA"), id);
}

TEST_F(IamEntitiesTest, ArnsIncludeThePath) {
  EXPECT_EQ(IamArn(kAccount, "user", "/", "bob"), "arn:aws:iam::123456789012:user/bob");
  EXPECT_EQ(IamArn(kAccount, "role", "/a/b/", "r"), "arn:aws:iam::123456789012:role/a/b/r");
}

TEST_F(IamEntitiesTest, DocumentsArePercentEncodedLikeIam) {
  EXPECT_EQ(UrlEncodeDocument(R"({"A": "b*c/d"})"), "%7B%22A%22%3A%20%22b%2Ac%2Fd%22%7D");
  EXPECT_EQ(UrlEncodeDocument("a-b_c.d~e"), "a-b_c.d~e");
}

TEST_F(IamEntitiesTest, MarkersRoundTripAndRejectForeignText) {
  for (const std::string& key : std::vector<std::string>{"", "a", "bob",
                                                         "p\x01"
                                                         "arn:aws:iam::aws:policy/X"}) {
    auto decoded = DecodeMarker(EncodeMarker(key));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, key);
  }
  auto bad = DecodeMarker("not a marker!");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().aws_code(), "InvalidInput");
  EXPECT_FALSE(DecodeMarker("Ym9i").ok());  // base64 of "bob" without our tag
}

TEST_F(IamEntitiesTest, UsersAreFoundCaseInsensitively) {
  auto tx = Write();
  ASSERT_TRUE(tx->Execute("INSERT INTO iam_users (user_id, account_id, user_name, "
                          "user_name_lower, path, created_at) VALUES (?, ?, 'Alice', 'alice', "
                          "'/eng/', 5)",
                          {std::string("AIDAAAAAAAAAAAAAAAAAA"), std::string(kAccount)})
                  .ok());
  auto found = FindUser(*tx, kAccount, "ALICE");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Alice");
  EXPECT_EQ((*found)->Arn(), "arn:aws:iam::123456789012:user/eng/Alice");
  auto missing = RequireUser(*tx, kAccount, "bob");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().aws_code(), "NoSuchEntity");
  EXPECT_EQ(missing.status().message(), "The user with name bob cannot be found.");
  auto other_account = FindUser(*tx, "210987654321", "alice");
  ASSERT_TRUE(other_account.ok());
  EXPECT_FALSE(other_account->has_value());
  // The unique index enforces case-insensitive uniqueness even past the handlers' checks.
  auto dup = tx->Execute(
      "INSERT INTO iam_users (user_id, account_id, user_name, "
      "user_name_lower, path, created_at) VALUES ('AIDAB', ?, 'alice', "
      "'alice', '/', 5)",
      {std::string(kAccount)});
  EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists);
}

TEST_F(IamEntitiesTest, RolesResolveByArnOnlyWithTheirPath) {
  auto tx = Write();
  InsertRole(*tx, "AROAAAAAAAAAAAAAAAAAA", "Deploy", "/ci/");
  auto by_arn = FindRoleByArn(*tx, "arn:aws:iam::123456789012:role/ci/deploy");
  ASSERT_TRUE(by_arn.ok());
  ASSERT_TRUE(by_arn->has_value());
  EXPECT_EQ((*by_arn)->role_id, "AROAAAAAAAAAAAAAAAAAA");
  auto wrong_path = FindRoleByArn(*tx, "arn:aws:iam::123456789012:role/Deploy");
  ASSERT_TRUE(wrong_path.ok());
  EXPECT_FALSE(wrong_path->has_value());
  auto not_a_role = FindRoleByArn(*tx, "arn:aws:iam::123456789012:user/ci/Deploy");
  ASSERT_TRUE(not_a_role.ok());
  EXPECT_FALSE(not_a_role->has_value());
}

TEST_F(IamEntitiesTest, RoleObjectCarriesTheEncodedTrustPolicyAndLastUsed) {
  RoleRow role;
  role.role_id = "AROAX";
  role.account_id = kAccount;
  role.name = "r";
  role.path = "/";
  role.trust_policy = R"({"Version":"2012-10-17"})";
  auto full = RoleObject(role, true);
  EXPECT_EQ(full.at("AssumeRolePolicyDocument").as_string(),
            "%7B%22Version%22%3A%222012-10-17%22%7D");
  EXPECT_TRUE(full.at("RoleLastUsed").as_object().empty());
  EXPECT_FALSE(full.contains("PermissionsBoundary"));
  auto listed = RoleObject(role, false);
  EXPECT_FALSE(listed.contains("RoleLastUsed"));
}

TEST_F(IamEntitiesTest, AwsManagedPoliciesResolveFromTheCatalog) {
  auto tx = Write();
  auto admin = ResolvePolicyArn(*tx, kAccount, "arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin->has_value());
  EXPECT_TRUE((*admin)->aws_managed);
  EXPECT_EQ((*admin)->name, "AdministratorAccess");
  EXPECT_EQ((*admin)->policy_id.substr(0, 4), "ANPA");
  auto versions = PolicyVersions(*tx, **admin);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ(versions->front().version_id, (*admin)->default_version_id);
  EXPECT_NE(versions->front().document.find("\"*\""), std::string::npos);
  auto billing = ResolvePolicyArn(*tx, kAccount, "arn:aws:iam::aws:policy/job-function/Billing");
  ASSERT_TRUE(billing.ok());
  ASSERT_TRUE(billing->has_value());
  EXPECT_EQ((*billing)->path, "/job-function/");
  auto none = ResolvePolicyArn(*tx, kAccount, "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(IamEntitiesTest, CustomerPoliciesAreVisibleOnlyToTheirAccount) {
  auto tx = Write();
  const std::string arn = "arn:aws:iam::123456789012:policy/p";
  ASSERT_TRUE(tx->Execute("INSERT INTO iam_policies (policy_id, account_id, policy_name, "
                          "policy_name_lower, path, arn, default_version_id, next_version, "
                          "created_at, updated_at) VALUES ('ANPAX', ?, 'p', 'p', '/', ?, 'v2', 3, "
                          "1, 2)",
                          {std::string(kAccount), arn})
                  .ok());
  for (int v : {1, 2}) {
    ASSERT_TRUE(tx->Execute("INSERT INTO iam_policy_versions (policy_id, version_number, "
                            "document, created_at) VALUES ('ANPAX', ?, '{}', 1)",
                            {int64_t{v}})
                    .ok());
  }
  auto mine = ResolvePolicyArn(*tx, kAccount, arn);
  ASSERT_TRUE(mine.ok());
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->default_version_id, "v2");
  auto versions = PolicyVersions(*tx, **mine);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[1].version_id, "v2");
  auto theirs = ResolvePolicyArn(*tx, "210987654321", arn);
  ASSERT_TRUE(theirs.ok());
  EXPECT_FALSE(theirs->has_value());
}

boost::json::array Tags(std::initializer_list<std::pair<const char*, const char*>> kv) {
  boost::json::array out;
  for (const auto& [k, v] : kv) out.push_back(boost::json::object{{"Key", k}, {"Value", v}});
  return out;
}

TEST_F(IamEntitiesTest, TagKeysAreCaseInsensitiveAndKeepTheirOrder) {
  auto tx = Write();
  ASSERT_TRUE(ApplyTags(*tx, "User", "AIDAX", Tags({{"Team", "a"}, {"env", "dev"}})).ok());
  ASSERT_TRUE(ApplyTags(*tx, "User", "AIDAX", Tags({{"TEAM", "b"}})).ok());
  auto tags = ReadTags(*tx, "User", "AIDAX");
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].as_object().at("Key").as_string(), "TEAM");
  EXPECT_EQ((*tags)[0].as_object().at("Value").as_string(), "b");
  EXPECT_EQ((*tags)[1].as_object().at("Key").as_string(), "env");

  Status dup = ApplyTags(*tx, "User", "AIDAX", Tags({{"x", "1"}, {"X", "2"}}));
  EXPECT_EQ(dup.aws_code(), "InvalidInput");

  boost::json::array keys{"team"};
  ASSERT_TRUE(RemoveTags(*tx, "User", "AIDAX", keys).ok());
  tags = ReadTags(*tx, "User", "AIDAX");
  ASSERT_EQ(tags->size(), 1u);
}

TEST_F(IamEntitiesTest, FiftyTagsAtMost) {
  auto tx = Write();
  boost::json::array fifty;
  for (int i = 0; i < 50; ++i) {
    fifty.push_back(boost::json::object{{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  }
  ASSERT_TRUE(ApplyTags(*tx, "Role", "AROAX", fifty).ok());
  // Replacing an existing key is fine at the limit; a 51st key is not.
  EXPECT_TRUE(ApplyTags(*tx, "Role", "AROAX", Tags({{"K7", "w"}})).ok());
  Status over = ApplyTags(*tx, "Role", "AROAX", Tags({{"one-more", "v"}}));
  EXPECT_EQ(over.aws_code(), "LimitExceeded");
  EXPECT_EQ(over.code(), ErrorCode::kLimitExceeded);
}

TEST_F(IamEntitiesTest, CountsAttachmentsAndBoundaries) {
  auto tx = Write();
  const std::string arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  InsertRole(*tx, "AROA1", "r1", "/");
  ASSERT_TRUE(tx->Execute("UPDATE iam_roles SET permissions_boundary_arn = ?", {arn}).ok());
  ASSERT_TRUE(tx->Execute("INSERT INTO iam_attachments (account_id, entity_type, entity_id, "
                          "policy_arn, attached_at) VALUES (?, 'Role', 'AROA1', ?, 1)",
                          {std::string(kAccount), arn})
                  .ok());
  EXPECT_EQ(*AttachmentCount(*tx, kAccount, arn), 1);
  EXPECT_EQ(*BoundaryUsageCount(*tx, kAccount, arn), 1);
  EXPECT_EQ(*AttachmentCount(*tx, "210987654321", arn), 0);
  auto attached = AttachedPolicyArns(*tx, "Role", "AROA1");
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(*attached, std::vector<std::string>{arn});
}

}  // namespace
}  // namespace orgtwin::services::iam
