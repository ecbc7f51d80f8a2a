// The gateway's transaction ownership and its CallObserver hook, through the real Gateway on a
// real SQLite store: the observer sees each call in the handler's transaction (so the write is
// visible to it and its own writes commit with the call, or nothing does), a failed or denied
// call in a transaction of its own, and the authorizer's Decision with its deciding statements.
#include "gateway/call_observer.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/test_twin.h"

namespace orgtwin::gateway {
namespace {

using test::Keys;
using test::TestTwin;

// What the observer saw of one call.
struct Seen {
  std::string operation;
  bool handler_committing = false;
  bool succeeded = false;
  std::string error_code;  // the AWS code a handler chose ("" for the gateway's own errors)
  ErrorCode error = ErrorCode::kOk;
  bool authorized = false;
  bool allowed = false;
  std::vector<std::string> deciding_sids;  // of the denied (or last) check
  std::string deciding_effect;
  int64_t users_in_tx = -1;  // iam_users rows visible in the observer's transaction
};

class RecordingObserver : public CallObserver {
 public:
  Status OnCall(store::Transaction& tx, const CallRecord& call) override {
    Seen seen;
    seen.operation = call.operation.name;
    seen.handler_committing = call.handler_committing;
    seen.succeeded = call.outcome.ok();
    if (!call.outcome.ok()) {
      seen.error_code = call.outcome.status().aws_code();
      seen.error = call.outcome.status().code();
    }
    if (call.authorization != nullptr) {
      seen.authorized = true;
      seen.allowed = call.authorization->allowed();
      if (!call.authorization->checks.empty()) {
        const CheckDecision& last = call.authorization->checks.back();
        seen.deciding_effect = std::string(policy::DecisionEffectName(last.decision.effect));
        for (const policy::MatchedStatement& m : last.decision.matched) {
          seen.deciding_sids.push_back(m.sid());
        }
      }
    }
    auto rows = tx.Query("SELECT COUNT(*) FROM iam_users");
    if (rows.ok()) seen.users_in_tx = rows->front().Int(0);
    calls.push_back(seen);
    if (fail_next) {
      fail_next = false;
      return InternalError("the audit record could not be written");
    }
    if (write_marker) {
      OT_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO server_settings (name, value) VALUES (?, ?)",
                     {"observed-" + call.operation.name, std::string(call.request_id)})
              .status());
    }
    return Status::Ok();
  }

  std::vector<Seen> calls;
  bool fail_next = false;
  bool write_marker = false;
};

class CallObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = TestTwin::Create();
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    twin_->gateway().SetCallObserver(&observer_);
    root_ = twin_->root_keys();
  }
  void TearDown() override { twin_->gateway().SetCallObserver(nullptr); }

  HttpResponse Iam(const std::string& action, test::QueryParams params, const Keys& keys) {
    return twin_->CallQuery("iam", action, std::move(params), keys);
  }
  int64_t Count(const std::string& sql) {
    auto tx = twin_->store().Begin(store::TxMode::kRead);
    if (!tx.ok()) return -1;
    auto rows = (*tx)->Query(sql);
    return rows.ok() ? rows->front().Int(0) : -1;
  }

  RecordingObserver observer_;
  std::unique_ptr<TestTwin> twin_;
  Keys root_;
};

TEST_F(CallObserverTest, SeesASuccessfulWriteInsideItsTransactionAndCommitsWithIt) {
  observer_.write_marker = true;
  HttpResponse created = Iam("CreateUser", {{"UserName", "alice"}}, root_);
  ASSERT_EQ(created.status, 200) << created.body;
  ASSERT_EQ(observer_.calls.size(), 1u);
  const Seen& seen = observer_.calls[0];
  EXPECT_EQ(seen.operation, "CreateUser");
  EXPECT_TRUE(seen.handler_committing);
  EXPECT_TRUE(seen.succeeded);
  EXPECT_TRUE(seen.authorized);
  EXPECT_TRUE(seen.allowed);
  // The handler's insert is visible: same transaction, not yet committed.
  EXPECT_EQ(seen.users_in_tx, 1);
  // The observer's own write committed with the call.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM server_settings WHERE name = 'observed-CreateUser'"), 1);
}

TEST_F(CallObserverTest, AFailingObserverUndoesTheWholeCall) {
  observer_.fail_next = true;
  HttpResponse created = Iam("CreateUser", {{"UserName", "bob"}}, root_);
  EXPECT_EQ(created.status, 500) << created.body;
  // No acknowledged write without its record: the user is not there.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM iam_users WHERE user_name = 'bob'"), 0);
  // And the name is free: a second try succeeds.
  HttpResponse again = Iam("CreateUser", {{"UserName", "bob"}}, root_);
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(CallObserverTest, AFailedCallIsObservedInATransactionOfItsOwn) {
  ASSERT_EQ(Iam("CreateUser", {{"UserName", "carol"}}, root_).status, 200);
  observer_.calls.clear();
  observer_.write_marker = true;
  // The handler fails (the user exists): its changes roll back, the observer still records.
  HttpResponse duplicate = Iam("CreateUser", {{"UserName", "carol"}}, root_);
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  ASSERT_EQ(observer_.calls.size(), 1u);
  EXPECT_FALSE(observer_.calls[0].handler_committing);
  EXPECT_FALSE(observer_.calls[0].succeeded);
  EXPECT_EQ(observer_.calls[0].error_code, "EntityAlreadyExists");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM iam_users"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM server_settings WHERE name = 'observed-CreateUser'"), 1);
}

TEST_F(CallObserverTest, ADeniedCallCarriesTheDecidingStatement) {
  // alice may do everything in IAM except create users, by an explicit deny with a Sid.
  ASSERT_EQ(Iam("CreateUser", {{"UserName", "alice"}}, root_).status, 200);
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[)"
      R"({"Sid":"AllowIam","Effect":"Allow","Action":"iam:*","Resource":"*"},)"
      R"({"Sid":"NoNewUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]})";
  ASSERT_EQ(Iam("PutUserPolicy",
                {{"UserName", "alice"}, {"PolicyName", "p"}, {"PolicyDocument", policy}}, root_)
                .status,
            200);
  HttpResponse key = Iam("CreateAccessKey", {{"UserName", "alice"}}, root_);
  ASSERT_EQ(key.status, 200) << key.body;
  auto tag = [&](const std::string& name) {
    size_t open = key.body.find("<" + name + ">") + name.size() + 2;
    return key.body.substr(open, key.body.find("</" + name + ">") - open);
  };
  Keys alice{tag("AccessKeyId"), tag("SecretAccessKey"), ""};
  observer_.calls.clear();
  observer_.write_marker = true;

  HttpResponse denied = Iam("CreateUser", {{"UserName", "mallory"}}, alice);
  EXPECT_EQ(denied.status, 403) << denied.body;
  ASSERT_EQ(observer_.calls.size(), 1u);
  const Seen& seen = observer_.calls[0];
  EXPECT_TRUE(seen.authorized);
  EXPECT_FALSE(seen.allowed);
  EXPECT_FALSE(seen.handler_committing);
  // The authorizer's denial (rendered as IAM's AccessDenied by the protocol layer).
  EXPECT_EQ(seen.error, ErrorCode::kAccessDenied);
  EXPECT_EQ(seen.deciding_effect, "ExplicitDeny");
  EXPECT_EQ(seen.deciding_sids, std::vector<std::string>{"NoNewUsers"});
  // Nothing of the operation ran; the record of the denial committed on its own.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM iam_users WHERE user_name = 'mallory'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM server_settings WHERE name = 'observed-CreateUser'"), 1);

  // An allowed call names the statement that allowed it.
  observer_.calls.clear();
  observer_.write_marker = false;
  ASSERT_EQ(Iam("ListUsers", {}, alice).status, 200);
  ASSERT_EQ(observer_.calls.size(), 1u);
  EXPECT_TRUE(observer_.calls[0].allowed);
  EXPECT_EQ(observer_.calls[0].deciding_sids, std::vector<std::string>{"AllowIam"});
}

TEST_F(CallObserverTest, ExtensionCallsAreObservedLikeAwsCalls) {
  HttpResponse reset = twin_->CallRestJson("orgtwin", "POST", "/_orgtwin/reset", {}, root_);
  ASSERT_EQ(reset.status, 200) << reset.body;
  ASSERT_EQ(observer_.calls.size(), 1u);
  EXPECT_EQ(observer_.calls[0].operation, "ResetTwin");
  EXPECT_TRUE(observer_.calls[0].authorized);
  EXPECT_TRUE(observer_.calls[0].allowed);
}

}  // namespace
}  // namespace orgtwin::gateway
