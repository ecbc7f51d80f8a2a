// STS through the real Gateway (SigV4, Query protocol, SQLite in a temp dir) with a FakeClock, so
// expiry and TOTP steps are deterministic: what the e2e suites cannot do without waiting.
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "auth/totp.h"
#include "gateway/gateway.h"
#include "repo/trail_repository.h"
#include "services/identity/credential_store.h"
#include "services/sts/sts_handlers.h"
#include "services/trail/stored_event.h"
#include "store/store.h"
#include "testing/test_twin.h"

namespace orgtwin::services {
namespace {

using Params = test::QueryParams;
using test::Keys;

// The text of the first <tag>...</tag> in `xml`.
std::string Tag(const std::string& xml, const std::string& tag) {
  auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos) return "";
  open += tag.size() + 2;
  return xml.substr(open, xml.find("</" + tag + ">", open) - open);
}

class StsGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-sts", .id_seed = 11});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    root_ = twin_->root_keys();
    // AWS-COMPAT: root cannot assume roles, so an administrator user does it in these tests.
    HttpResponse user = Call("iam", "CreateUser", {{"UserName", "ops"}}, root_);
    ASSERT_EQ(user.status, 200) << user.body;
    ops_user_id_ = Tag(user.body, "UserId");
    HttpResponse attached = Call(
        "iam", "AttachUserPolicy",
        {{"UserName", "ops"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}}, root_);
    ASSERT_EQ(attached.status, 200) << attached.body;
    HttpResponse key = Call("iam", "CreateAccessKey", {{"UserName", "ops"}}, root_);
    ASSERT_EQ(key.status, 200) << key.body;
    ops_ = Keys{Tag(key.body, "AccessKeyId"), Tag(key.body, "SecretAccessKey"), ""};
  }

  HttpResponse Call(const std::string& service, const std::string& action, Params params,
                    const Keys& keys) {
    return twin_->CallQuery(service, action, std::move(params), keys);
  }

  // Creates a role trusting the default account and returns its ARN.
  // The trust policy must allow session tags and source identity itself.
  std::string CreateRole(const std::string& name, int max_session = 3600) {
    const std::string trust =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
        R"({"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole",)"
        R"("sts:TagSession","sts:SetSourceIdentity"]}]})";
    HttpResponse r = Call("iam", "CreateRole",
                          {{"RoleName", name},
                           {"AssumeRolePolicyDocument", trust},
                           {"MaxSessionDuration", std::to_string(max_session)}},
                          root_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Tag(r.body, "Arn");
  }

  Keys Assume(const std::string& role_arn, const Keys& as, Params extra = {}) {
    extra["RoleArn"] = role_arn;
    extra["RoleSessionName"] = "s1";
    HttpResponse r = Call("sts", "AssumeRole", extra, as);
    EXPECT_EQ(r.status, 200) << r.body;
    return Keys{Tag(r.body, "AccessKeyId"), Tag(r.body, "SecretAccessKey"),
                Tag(r.body, "SessionToken")};
  }

  std::unique_ptr<test::TestTwin> twin_;
  Keys root_;
  Keys ops_;  // IAM user "ops" with AdministratorAccess
  std::string ops_user_id_;
};

TEST_F(StsGatewayTest, AssumedRoleCallerIdentityAndExpiry) {
  std::string arn = CreateRole("Deployer");
  Keys session = Assume(arn, ops_, {{"DurationSeconds", "900"}});
  EXPECT_EQ(session.id.substr(0, 4), "ASIA");
  EXPECT_EQ(session.secret.size(), 40u);
  EXPECT_GT(session.token.size(), 300u);

  HttpResponse who = Call("sts", "GetCallerIdentity", {}, session);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(Tag(who.body, "Arn"), "arn:aws:sts::123456789012:assumed-role/Deployer/s1");
  EXPECT_EQ(Tag(who.body, "UserId").substr(0, 4), "AROA");
  EXPECT_EQ(Tag(who.body, "UserId").substr(21), ":s1");

  // Without the session token the key is not recognised.
  HttpResponse no_token = Call("sts", "GetCallerIdentity", {}, {session.id, session.secret, ""});
  EXPECT_EQ(Tag(no_token.body, "Code"), "InvalidClientTokenId");

  twin_->fake_clock().Advance(std::chrono::seconds(899));
  EXPECT_EQ(Call("sts", "GetCallerIdentity", {}, session).status, 200);
  twin_->fake_clock().Advance(std::chrono::seconds(2));
  HttpResponse expired = Call("sts", "GetCallerIdentity", {}, session);
  EXPECT_EQ(expired.status, 403) << expired.body;
  EXPECT_EQ(Tag(expired.body, "Code"), "ExpiredToken");
}

// The session token is stored as its seed (services/identity/session_token.h): the key's row
// holds 24 characters, the AssumeRole event holds the seed and reads back with the whole token,
// and only the whole token signs.
TEST_F(StsGatewayTest, TheSessionTokenIsStoredAsItsSeedAndRecordedWhole) {
  Keys session = Assume(CreateRole("Seeded"), ops_);
  ASSERT_EQ(session.token.size(), 384u);
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto stored =
      (*tx)->Query("SELECT session_token FROM access_keys WHERE access_key_id = ?", {session.id});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].Text(0), session.token.substr(0, 24));

  auto rows = repo::TrailEventsNewestFirst(**tx, twin_->account().account_id, 0, 1e12, std::nullopt,
                                           "AssumeRole", 1);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  Result<std::string> text = trail::UnpackedRecord((*rows)[0].record);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("\"sessionToken\":\"seed:" + session.token.substr(0, 24) + "\""),
            std::string::npos)
      << *text;
  EXPECT_EQ(text->find(session.token), std::string::npos);
  Result<boost::json::object> record = trail::RecordOfRow((*rows)[0]);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->at("responseElements").at("credentials").at("sessionToken").as_string(),
            session.token);
  EXPECT_EQ(record->at("responseElements").at("credentials").at("accessKeyId").as_string(),
            session.id);
  tx->reset();

  EXPECT_EQ(Call("sts", "GetCallerIdentity", {}, session).status, 200);
  for (const std::string& other :
       {session.token.substr(0, 24), session.token + "A", session.token.substr(0, 383) + "B"}) {
    HttpResponse refused =
        Call("sts", "GetCallerIdentity", {}, {session.id, session.secret, other});
    EXPECT_EQ(Tag(refused.body, "Code"), "InvalidClientTokenId") << other;
  }
}

TEST_F(StsGatewayTest, ChainingCapsAtOneHourAndCarriesTransitiveTags) {
  std::string first = CreateRole("First", 43200);
  std::string second = CreateRole("Second", 43200);
  // The trust policy of Second names the account, so First's identity policy must allow it.
  HttpResponse allowed =
      Call("iam", "PutRolePolicy",
           {{"RoleName", "First"},
            {"PolicyName", "hop"},
            {"PolicyDocument", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                               R"("Action":"sts:AssumeRole","Resource":"*"}]})"}},
           root_);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  Keys a = Assume(first, ops_,
                  {{"DurationSeconds", "7200"},
                   {"SourceIdentity", "alice"},
                   {"Tags.member.1.Key", "team"},
                   {"Tags.member.1.Value", "blue"},
                   {"Tags.member.2.Key", "tmp"},
                   {"Tags.member.2.Value", "x"},
                   {"TransitiveTagKeys.member.1", "team"}});
  HttpResponse too_long =
      Call("sts", "AssumeRole",
           {{"RoleArn", second}, {"RoleSessionName", "s2"}, {"DurationSeconds", "3601"}}, a);
  EXPECT_EQ(Tag(too_long.body, "Code"), "ValidationError");
  EXPECT_EQ(Tag(too_long.body, "Message"),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
            "role chaining.");

  HttpResponse changed =
      Call("sts", "AssumeRole",
           {{"RoleArn", second}, {"RoleSessionName", "s2"}, {"SourceIdentity", "mallory"}}, a);
  EXPECT_EQ(Tag(changed.body, "Code"), "AccessDenied");

  HttpResponse ok = Call("sts", "AssumeRole", {{"RoleArn", second}, {"RoleSessionName", "s2"}}, a);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Tag(ok.body, "SourceIdentity"), "alice");
  auto chained = twin_->credentials().Lookup(Tag(ok.body, "AccessKeyId"));
  ASSERT_TRUE(chained.ok() && chained->has_value());
  const auth::Principal& p = (*chained)->principal;
  ASSERT_NE(p.session, nullptr);
  EXPECT_TRUE(p.session->chained);
  EXPECT_EQ(p.session->source_identity, "alice");
  ASSERT_EQ(p.session->tags.size(), 1u);  // only the transitive tag carries over
  EXPECT_EQ(p.session->tags[0].first, "team");
  EXPECT_EQ(p.session->role_arn, "arn:aws:iam::123456789012:role/Second");
}

TEST_F(StsGatewayTest, MfaCodeIsVerifiedAndCannotBeReplayed) {
  std::string arn = CreateRole("NeedsMfa");
  const std::string seed = "0123456789abcdefghij";
  {
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->Execute("INSERT INTO iam_mfa_devices (serial_number, account_id, "
                              "device_name, seed_base32, user_id, enabled_at, created_at) "
                              "VALUES ('arn:aws:iam::123456789012:mfa/ops', '123456789012', "
                              "'ops', ?, ?, 0, 0)",
                              {auth::Base32Encode(seed), ops_user_id_})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  Params mfa{{"RoleArn", arn},
             {"RoleSessionName", "mm"},
             {"SerialNumber", "arn:aws:iam::123456789012:mfa/ops"},
             {"TokenCode", auth::TotpCode(seed, twin_->clock().Now())}};
  HttpResponse first = Call("sts", "AssumeRole", mfa, ops_);
  ASSERT_EQ(first.status, 200) << first.body;
  auto cred = twin_->credentials().Lookup(Tag(first.body, "AccessKeyId"));
  ASSERT_TRUE(cred.ok() && cred->has_value());
  EXPECT_TRUE((*cred)->principal.mfa_authenticated);
  ASSERT_TRUE((*cred)->principal.session->mfa_authenticated_at.has_value());

  HttpResponse replay = Call("sts", "AssumeRole", mfa, ops_);
  EXPECT_EQ(replay.status, 403);
  EXPECT_EQ(Tag(replay.body, "Code"), "AccessDenied");
  EXPECT_EQ(Tag(replay.body, "Message"),
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ");

  mfa["SerialNumber"] = "arn:aws:iam::123456789012:mfa/nobody";
  HttpResponse unknown = Call("sts", "AssumeRole", mfa, ops_);
  EXPECT_EQ(Tag(unknown.body, "Code"), "AccessDenied");
}

TEST_F(StsGatewayTest, RootMayNotAssumeRolesEvenWhenTrusted) {
  std::string arn = CreateRole("TrustsAccount");  // trusts arn:aws:iam::123456789012:root
  HttpResponse token = Call("sts", "GetSessionToken", {}, root_);
  ASSERT_EQ(token.status, 200) << token.body;
  const Keys root_session{Tag(token.body, "AccessKeyId"), Tag(token.body, "SecretAccessKey"),
                          Tag(token.body, "SessionToken")};
  // Long-term root keys and a root GetSessionToken session alike.
  for (const Keys& caller : {root_, root_session}) {
    HttpResponse denied =
        Call("sts", "AssumeRole", {{"RoleArn", arn}, {"RoleSessionName", "rs"}}, caller);
    EXPECT_EQ(denied.status, 403) << denied.body;
    EXPECT_EQ(Tag(denied.body, "Code"), "AccessDenied");
    EXPECT_EQ(Tag(denied.body, "Message"), "Roles may not be assumed by root accounts.");
  }
  // Even a role that does not exist: the root rule answers first.
  HttpResponse missing =
      Call("sts", "AssumeRole",
           {{"RoleArn", "arn:aws:iam::123456789012:role/Nope"}, {"RoleSessionName", "rs"}}, root_);
  EXPECT_EQ(Tag(missing.body, "Message"), "Roles may not be assumed by root accounts.");
  // The same call by an IAM user of the account succeeds.
  EXPECT_EQ(Call("sts", "AssumeRole", {{"RoleArn", arn}, {"RoleSessionName", "rs"}}, ops_).status,
            200);
  // --auth permissive (moto_server-like) authorizes nothing and makes every caller the default
  // account's root, so the root rule, an authorization rule, does not apply there.
  gateway::GatewayOptions permissive;
  permissive.auth_mode = gateway::AuthMode::kPermissive;
  ASSERT_TRUE(twin_->ReplaceGateway(permissive).ok());
  HttpResponse lenient =
      Call("sts", "AssumeRole", {{"RoleArn", arn}, {"RoleSessionName", "rs"}}, root_);
  EXPECT_EQ(lenient.status, 200) << lenient.body;
}

TEST_F(StsGatewayTest, SessionTokenCredentialsAreScoped) {
  HttpResponse r = Call("sts", "GetSessionToken", {{"DurationSeconds", "7200"}}, root_);
  ASSERT_EQ(r.status, 200) << r.body;
  Keys token{Tag(r.body, "AccessKeyId"), Tag(r.body, "SecretAccessKey"),
             Tag(r.body, "SessionToken")};
  // AWS-COMPAT: root sessions are cut to one hour.
  auto cred = twin_->credentials().Lookup(token.id);
  ASSERT_TRUE(cred.ok() && cred->has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(*(*cred)->expires_at -
                                                             (*cred)->principal.token_issue_time)
                .count(),
            3600);
  EXPECT_EQ((*cred)->principal.type, auth::PrincipalType::kRoot);
  EXPECT_TRUE((*cred)->principal.temporary);
  EXPECT_FALSE(CheckTemporaryCredentialScope((*cred)->principal, "iam", "ListUsers").ok());
  EXPECT_TRUE(CheckTemporaryCredentialScope((*cred)->principal, "sts", "AssumeRole").ok());
  EXPECT_TRUE(CheckTemporaryCredentialScope((*cred)->principal, "s3", "ListBuckets").ok());

  HttpResponse again = Call("sts", "GetSessionToken", {}, token);
  EXPECT_EQ(Tag(again.body, "Message"), "Cannot call GetSessionToken with session credentials");
  HttpResponse who = Call("sts", "GetCallerIdentity", {}, token);
  EXPECT_EQ(Tag(who.body, "Arn"), "arn:aws:iam::123456789012:root");
}

// What the e2e suite cannot set up: a member root with an enabled MFA device (root devices are
// enabled in the console only), and a root session reaching its 900-second end.
TEST_F(StsGatewayTest, RootSessionDeactivatesTheMemberRootsMfaUntilItExpires) {
  ASSERT_EQ(
      twin_->CallJson("organizations", "CreateOrganization", {{"FeatureSet", "ALL"}}, root_).status,
      200);
  HttpResponse request =
      twin_->CallJson("organizations", "CreateAccount",
                      {{"Email", "member@example.com"}, {"AccountName", "m"}}, root_);
  ASSERT_EQ(request.status, 200) << request.body;
  const std::string request_id =
      boost::json::parse(request.body).at("CreateAccountStatus").at("Id").as_string().c_str();
  HttpResponse status = twin_->CallJson("organizations", "DescribeCreateAccountStatus",
                                        {{"CreateAccountRequestId", request_id}}, root_);
  ASSERT_EQ(status.status, 200) << status.body;
  const std::string member =
      boost::json::parse(status.body).at("CreateAccountStatus").at("AccountId").as_string().c_str();
  ASSERT_EQ(twin_
                ->CallJson("organizations", "EnableAWSServiceAccess",
                           {{"ServicePrincipal", "iam.amazonaws.com"}}, root_)
                .status,
            200);
  ASSERT_EQ(Call("iam", "EnableOrganizationsRootSessions", {}, root_).status, 200);
  const std::string serial = "arn:aws:iam::" + member + ":mfa/root-device";
  {
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->Execute("INSERT INTO iam_mfa_devices (serial_number, account_id, "
                              "device_name, seed_base32, user_id, enabled_at, created_at) "
                              "VALUES (?, ?, 'root-device', 'AAAAAAAA', '', 0, 0)",
                              {serial, member})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  HttpResponse assumed = Call(
      "sts", "AssumeRoot",
      {{"TargetPrincipal", member},
       {"TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"}},
      ops_);
  ASSERT_EQ(assumed.status, 200) << assumed.body;
  const Keys root_session{Tag(assumed.body, "AccessKeyId"), Tag(assumed.body, "SecretAccessKey"),
                          Tag(assumed.body, "SessionToken")};
  HttpResponse listed = Call("iam", "ListMFADevices", {}, root_session);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Tag(listed.body, "SerialNumber"), serial);
  EXPECT_EQ(Tag(listed.body, "UserName"), member);
  HttpResponse deactivated =
      Call("iam", "DeactivateMFADevice", {{"SerialNumber", serial}}, root_session);
  EXPECT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(Tag(Call("iam", "ListMFADevices", {}, root_session).body, "SerialNumber"), "");
  // Enabling a device again is not a task of this policy.
  HttpResponse enable = Call("iam", "EnableMFADevice",
                             {{"UserName", "x"},
                              {"SerialNumber", serial},
                              {"AuthenticationCode1", "123456"},
                              {"AuthenticationCode2", "123456"}},
                             root_session);
  EXPECT_EQ(enable.status, 403) << enable.body;

  twin_->fake_clock().Advance(std::chrono::seconds(899));
  EXPECT_EQ(Call("sts", "GetCallerIdentity", {}, root_session).status, 200);
  twin_->fake_clock().Advance(std::chrono::seconds(2));
  HttpResponse expired = Call("sts", "GetCallerIdentity", {}, root_session);
  EXPECT_EQ(Tag(expired.body, "Code"), "ExpiredToken");
}

TEST_F(StsGatewayTest, KeyUseIsRecordedInMemoryAndFlushed) {
  twin_->credentials().RecordUse(root_.id, "sts", "eu-west-1", twin_->clock().Now());
  auto pending = twin_->credentials().LastUse(root_.id);
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((*pending)->region, "eu-west-1");
  ASSERT_TRUE(twin_->credentials().FlushUsage().ok());
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  auto rows = (*tx)->Query(
      "SELECT last_used_service, last_used_region FROM access_keys WHERE "
      "access_key_id = ?",
      {root_.id});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().Text(0), "sts");
  EXPECT_EQ(rows->front().Text(1), "eu-west-1");
}

TEST(AccessKeyAccountTest, DecodesTheAccountAwsEncodes) {
  // A published example: ASIAY34FZKBOKMUTVV7A belongs to 609629065308.
  EXPECT_EQ(sts::AccountFromAccessKeyId("ASIAY34FZKBOKMUTVV7A"), "609629065308");
  EXPECT_EQ(sts::AccountFromAccessKeyId("short"), "");
}

}  // namespace
}  // namespace orgtwin::services
