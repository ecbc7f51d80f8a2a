// File: gateway/authz_test_util.h
//
// Test fixture for the authorizer tests: a real SQLite store in a temp directory with every
// embedded migration (testing/test_store.h), helpers that write IAM / STS / Organizations rows with
// plain SQL (the same rows the services write), and a one-call Authorize for an operation of the
// embedded models.
//
// Thread-safety: single-threaded test code.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "gateway/authorizer.h"
#include "model/service_model.h"
#include "services/identity/credential_store.h"
#include "store/store.h"
#include "testing/test_store.h"

namespace orgtwin::gateway::testing {

inline constexpr char kAccount[] = "123456789012";

class AuthzFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::OpenTestStore(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    authorizer_ = std::make_unique<Authorizer>(*store_);
    AddAccount(kAccount);
  }
  void TearDown() override {
    authorizer_.reset();
    store_.reset();
  }

  void Exec(const std::string& sql, std::initializer_list<store::Value> params = {}) {
    auto tx = store_->Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    auto done = (*tx)->Execute(sql, params);
    ASSERT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
    ASSERT_TRUE((*tx)->Commit().ok());
    // What the gateway does after every write.
    authorizer_->BumpEpoch();
  }

  void AddAccount(const std::string& id) {
    Exec("INSERT INTO accounts (account_id, email, name, created_at) VALUES (?, ?, ?, 0)",
         {id, id + "@example.com", "acct" + id});
  }
  // An organization managed by `management` (not yet a member row: AddMember it).
  void AddOrganization(const std::string& org_id, const std::string& management,
                       const std::string& feature_set = "ALL") {
    Exec(
        "INSERT INTO organizations (org_id, management_account_id, feature_set, created_at) "
        "VALUES (?, ?, ?, 0)",
        {org_id, management, feature_set});
  }
  void AddMember(const std::string& account, const std::string& org_id,
                 const std::string& parent_id = "r-ab12", const std::string& method = "CREATED") {
    Exec(
        "INSERT INTO org_accounts (account_id, org_id, parent_id, joined_method, joined_at) "
        "VALUES (?, ?, ?, ?, 0)",
        {account, org_id, parent_id, method});
  }
  // Returns the user's unique ID.
  std::string AddUser(const std::string& name, const std::string& path = "/",
                      const std::string& account = kAccount, const std::string& boundary = "") {
    std::string id = "AIDA" + name;
    store::Value b = boundary.empty() ? store::Value() : store::Value(boundary);
    Exec(
        "INSERT INTO iam_users (user_id, account_id, user_name, user_name_lower, path, "
        "permissions_boundary_arn, created_at) VALUES (?, ?, ?, lower(?), ?, ?, 0)",
        {id, account, name, name, path, b});
    return id;
  }
  std::string AddRole(const std::string& name, const std::string& trust,
                      const std::string& account = kAccount, const std::string& path = "/") {
    std::string id = "AROA" + name + account;
    Exec(
        "INSERT INTO iam_roles (role_id, account_id, role_name, role_name_lower, path, "
        "assume_role_policy, max_session_duration, created_at) "
        "VALUES (?, ?, ?, lower(?), ?, ?, 3600, 0)",
        {id, account, name, name, path, trust});
    return id;
  }
  void PutInline(const std::string& type, const std::string& id, const std::string& name,
                 const std::string& doc) {
    Exec(
        "INSERT INTO iam_inline_policies (entity_type, entity_id, policy_name, document) "
        "VALUES (?, ?, ?, ?)",
        {type, id, name, doc});
  }
  void Attach(const std::string& type, const std::string& id, const std::string& arn,
              const std::string& account = kAccount) {
    Exec(
        "INSERT INTO iam_attachments (account_id, entity_type, entity_id, policy_arn, "
        "attached_at) VALUES (?, ?, ?, ?, 0)",
        {account, type, id, arn});
  }
  // A customer managed policy with one version v1; returns its ARN.
  std::string AddManagedPolicy(const std::string& name, const std::string& doc) {
    std::string arn = std::string("arn:aws:iam::") + kAccount + ":policy/" + name;
    std::string id = "ANPA" + name;
    Exec(
        "INSERT INTO iam_policies (policy_id, account_id, policy_name, policy_name_lower, path, "
        "arn, default_version_id, next_version, created_at, updated_at) "
        "VALUES (?, ?, ?, lower(?), '/', ?, 'v1', 2, 0, 0)",
        {id, std::string(kAccount), name, name, arn});
    Exec(
        "INSERT INTO iam_policy_versions (policy_id, version_number, document, created_at) "
        "VALUES (?, 1, ?, 0)",
        {id, doc});
    return arn;
  }

  static auth::Principal User(const std::string& name, const std::string& account = kAccount) {
    return services::PrincipalFor(account, "User", name, "AKIA" + name);
  }
  static auth::Principal Root(const std::string& account = kAccount) {
    return services::PrincipalFor(account, "Root", "", "AKIAROOT" + account);
  }

  static const model::ServiceModel& Service(std::string_view name) {
    const model::ServiceModel* s = model::Registry::Embedded().BySigningName(name);
    EXPECT_NE(s, nullptr) << name;
    return *s;
  }

  AuthorizationRequest Request(const auth::Principal& caller, std::string_view service,
                               std::string_view op, const boost::json::object& input) {
    const model::ServiceModel& s = Service(service);
    const model::Operation* o = s.FindOperation(op);
    EXPECT_NE(o, nullptr) << op;
    return AuthorizationRequest{s, *o, input, caller, "us-east-1", "127.0.0.1", now_};
  }

  Status Authorize(const auth::Principal& caller, std::string_view service, std::string_view op,
                   const boost::json::object& input = {}) {
    Result<Authorization> decided = authorizer_->Authorize(Request(caller, service, op, input));
    if (!decided.ok()) return decided.status();
    return decided->status;
  }

  AuthzPlan Plan(const auth::Principal& caller, std::string_view service, std::string_view op,
                 const boost::json::object& input = {}) {
    auto plan = authorizer_->Plan(Request(caller, service, op, input));
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : AuthzPlan{};
  }

  test::TempDir dir_{"orgtwin-authz"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authorizer> authorizer_;
  TimePoint now_ = TimePoint(std::chrono::seconds(1700000000));
};

inline const std::string* FindContext(const AuthzPlan& plan, std::string_view key) {
  for (const auto& [k, v] : plan.context) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace orgtwin::gateway::testing
