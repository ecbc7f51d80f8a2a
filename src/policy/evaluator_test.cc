#include "policy/evaluator.h"

#include <string>

#include <gtest/gtest.h>

namespace orgtwin::policy {
namespace {

PolicyPtr P(const std::string& id, const std::string& statements, Flavour f = Flavour::kIdentity,
            const std::string& version = "2012-10-17") {
  std::string text = "{" + (version.empty() ? "" : "\"Version\":\"" + version + "\",") +
                     "\"Statement\":[" + statements + "]}";
  auto r = CompileText(text, f, id);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << text;
  return r.ok() ? *r : nullptr;
}

Request UserRequest(std::string action, std::string resource = "*") {
  Request r;
  r.principal.type = PrincipalType::kUser;
  r.principal.arn = "arn:aws:iam::111111111111:user/alice";
  r.principal.account = "111111111111";
  r.action = std::move(action);
  r.resource = std::move(resource);
  return r;
}

TEST(Evaluate, ImplicitDenyWithoutPolicies) {
  PolicySet set;
  Decision d = Evaluate(UserRequest("s3:GetObject"), set);
  EXPECT_EQ(d.effect, DecisionEffect::kImplicitDeny);
  EXPECT_EQ(d.decided_by, Layer::kIdentity);
  EXPECT_EQ(d.Reason("s3:GetObject"),
            "because no identity-based policy allows the s3:GetObject action");
}

TEST(Evaluate, AllowNamesStatementsAndDenyWins) {
  PolicySet set;
  set.identity.push_back(P("p", R"({"Sid":"A","Effect":"Allow","Action":"S3:Get*","Resource":"*"},
                                   {"Sid":"D","Effect":"Deny","Action":"s3:getobject","Resource":"arn:aws:s3:::secret/*"})"));
  Decision d = Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::public/k"), set);
  ASSERT_EQ(d.effect, DecisionEffect::kAllow);
  ASSERT_EQ(d.matched.size(), 1u);
  EXPECT_EQ(d.matched[0].policy_id(), "p");
  EXPECT_EQ(d.matched[0].sid(), "A");
  d = Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::secret/k"), set);
  EXPECT_EQ(d.effect, DecisionEffect::kExplicitDeny);
  EXPECT_EQ(d.decided_by, Layer::kIdentity);
  EXPECT_EQ(d.Reason("s3:GetObject"), "with an explicit deny in an identity-based policy");
  EXPECT_EQ(AccessDeniedMessage(UserRequest("s3:GetObject", "arn:aws:s3:::secret/k"), d),
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
            "s3:GetObject on resource: arn:aws:s3:::secret/k with an explicit deny in an "
            "identity-based policy");
}

TEST(Evaluate, NotActionAndNotResource) {
  PolicySet set;
  set.identity.push_back(
      P("p", R"({"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::private/*"})"));
  EXPECT_TRUE(Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::pub/x"), set).allowed());
  EXPECT_FALSE(Evaluate(UserRequest("iam:CreateUser"), set).allowed());
  EXPECT_FALSE(Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::private/x"), set).allowed());
}

TEST(Evaluate, ScpLevelsAndExemptions) {
  PolicySet set;
  set.identity.push_back(P("admin", R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  set.has_scp = true;
  set.scp = {{P("full", R"({"Effect":"Allow","Action":"*","Resource":"*"})", Flavour::kScp)},
             {P("s3only", R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})", Flavour::kScp)}};
  EXPECT_TRUE(Evaluate(UserRequest("s3:PutObject"), set).allowed());
  Decision d = Evaluate(UserRequest("ec2:RunInstances"), set);
  EXPECT_EQ(d.decided_by, Layer::kScp);
  EXPECT_EQ(d.Reason("ec2:RunInstances"),
            "because no service control policy allows the ec2:RunInstances action");
  Request slr = UserRequest("ec2:RunInstances");
  slr.principal.type = PrincipalType::kServiceLinkedRole;
  slr.principal.arn = "arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForX/s";
  EXPECT_TRUE(Evaluate(slr, set).allowed());
}

TEST(Evaluate, ResourcePolicySameAccountTable) {
  PolicySet set;
  set.resource = P(
      "bucket",
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"s3:GetObject","Resource":"*"})",
      Flavour::kResource);
  set.boundary =
      P("b", R"({"Effect":"Allow","Action":"ec2:*","Resource":"*"})", Flavour::kBoundary);
  // A user named by ARN is limited neither by identity nor by boundary.
  Decision d = Evaluate(UserRequest("s3:GetObject"), set);
  EXPECT_EQ(d.effect, DecisionEffect::kAllow);
  EXPECT_EQ(d.decided_by, Layer::kResource);
  // A role ARN grants its sessions, but the boundary still applies.
  Request session = UserRequest("s3:GetObject");
  session.principal.type = PrincipalType::kAssumedRole;
  session.principal.arn = "arn:aws:sts::111111111111:assumed-role/R/s";
  set.resource = P(
      "bucket",
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/R"},"Action":"s3:GetObject","Resource":"*"})",
      Flavour::kResource);
  d = Evaluate(session, set);
  EXPECT_EQ(d.effect, DecisionEffect::kImplicitDeny);
  EXPECT_EQ(d.decided_by, Layer::kBoundary);
  set.boundary = nullptr;
  EXPECT_TRUE(Evaluate(session, set).allowed());
  // The account root delegates to the account: identity must allow too.
  set.resource = P(
      "bucket",
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"*"})",
      Flavour::kResource);
  EXPECT_FALSE(Evaluate(UserRequest("s3:GetObject"), set).allowed());
}

TEST(Evaluate, CrossAccountNeedsBothSides) {
  PolicySet set;
  set.identity.push_back(P("id", R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})"));
  Request r = UserRequest("s3:GetObject", "arn:aws:s3:::b/k");
  r.resource_account = "222222222222";
  Decision d = Evaluate(r, set);
  EXPECT_EQ(d.effect, DecisionEffect::kImplicitDeny);
  EXPECT_EQ(d.Reason("s3:GetObject"),
            "because no resource-based policy allows the s3:GetObject action");
  set.resource = P(
      "rbp",
      R"({"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"*"})",
      Flavour::kResource);
  EXPECT_TRUE(Evaluate(r, set).allowed());
  set.identity.clear();
  EXPECT_FALSE(Evaluate(r, set).allowed());
}

TEST(Evaluate, TrustPolicyMustNameCaller) {
  PolicySet set;
  set.identity.push_back(P("admin", R"({"Effect":"Allow","Action":"*","Resource":"*"})"));
  set.resource = P(
      "trust",
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"sts:AssumeRole"})",
      Flavour::kTrust);
  Request r = UserRequest("sts:AssumeRole", "arn:aws:iam::111111111111:role/T");
  EXPECT_FALSE(Evaluate(r, set).allowed());
  r.principal.arn = "arn:aws:iam::111111111111:user/bob";
  EXPECT_TRUE(Evaluate(r, set).allowed());
}

TEST(Evaluate, RootUser) {
  PolicySet set;
  Request r = UserRequest("s3:DeleteBucket");
  r.principal.type = PrincipalType::kRoot;
  r.principal.arn = "arn:aws:iam::111111111111:root";
  Decision d = Evaluate(r, set);
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.decided_by, Layer::kRoot);
  set.resource = P("rbp", R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"})",
                   Flavour::kResource);
  EXPECT_EQ(Evaluate(r, set).effect, DecisionEffect::kExplicitDeny);
}

TEST(Evaluate, SessionPolicies) {
  PolicySet set;
  set.identity.push_back(P("id", R"({"Effect":"Allow","Action":"s3:*","Resource":"*"})"));
  Request r = UserRequest("s3:GetObject");
  r.principal.type = PrincipalType::kAssumedRole;
  r.principal.arn = "arn:aws:sts::111111111111:assumed-role/R/s";
  EXPECT_TRUE(Evaluate(r, set).allowed());  // no session policy passed
  set.has_session = true;
  set.session.push_back(
      P("s", R"({"Effect":"Allow","Action":"s3:List*","Resource":"*"})", Flavour::kSession));
  Decision d = Evaluate(r, set);
  EXPECT_EQ(d.decided_by, Layer::kSession);
  EXPECT_EQ(d.Reason("s3:GetObject"), "because no session policy allows the s3:GetObject action");
  r.principal.type = PrincipalType::kFederatedUser;
  r.principal.arn = "arn:aws:sts::111111111111:federated-user/f";
  set.has_session = false;
  set.session.clear();
  EXPECT_FALSE(Evaluate(r, set).allowed());
}

// One statement with one condition, evaluated against a context.
bool Cond(const std::string& condition, const std::vector<std::pair<std::string, std::string>>& ctx,
          const std::string& version = "2012-10-17") {
  PolicySet set;
  set.identity.push_back(P(
      "p",
      R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":)" + condition + "}",
      Flavour::kIdentity, version));
  Request r = UserRequest("s3:GetObject");
  r.environment_defaults = false;
  for (const auto& [k, v] : ctx) r.context.Set(k, v);
  return Evaluate(r, set).allowed();
}

bool CondMulti(const std::string& condition, const std::string& key,
               std::vector<std::string> values) {
  PolicySet set;
  set.identity.push_back(
      P("p", R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":)" +
                 condition + "}"));
  Request r = UserRequest("s3:GetObject");
  r.environment_defaults = false;
  r.context.SetMulti(key, std::move(values));
  return Evaluate(r, set).allowed();
}

TEST(Conditions, StringFamily) {
  EXPECT_TRUE(Cond(R"({"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}})",
                   {{"aws:requestedregion", "us-east-1"}}));
  EXPECT_FALSE(Cond(R"({"StringEquals":{"aws:RequestedRegion":"US-EAST-1"}})",
                    {{"aws:RequestedRegion", "us-east-1"}}));
  EXPECT_TRUE(Cond(R"({"StringEqualsIgnoreCase":{"aws:RequestedRegion":"US-EAST-1"}})",
                   {{"aws:RequestedRegion", "us-east-1"}}));
  EXPECT_FALSE(Cond(R"({"StringNotEquals":{"k:x":["a","b"]}})", {{"k:x", "b"}}));
  EXPECT_TRUE(Cond(R"({"StringNotEquals":{"k:x":["a","b"]}})", {{"k:x", "c"}}));
  EXPECT_TRUE(Cond(R"({"StringLike":{"k:x":"ab*d?"}})", {{"k:x", "abcccde"}}));
  EXPECT_FALSE(Cond(R"({"StringEquals":{"k:x":"a*"}})", {{"k:x", "abc"}}));  // no globbing
  EXPECT_TRUE(Cond(R"({"StringNotLike":{"k:x":"a*"}})", {{"k:x", "bcd"}}));
  // Missing key: positive false, negated true, IfExists true.
  EXPECT_FALSE(Cond(R"({"StringEquals":{"k:x":"a"}})", {}));
  EXPECT_TRUE(Cond(R"({"StringNotEquals":{"k:x":"a"}})", {}));
  EXPECT_TRUE(Cond(R"({"StringEqualsIfExists":{"k:x":"a"}})", {}));
  EXPECT_FALSE(Cond(R"({"StringEqualsIfExists":{"k:x":"a"}})", {{"k:x", "b"}}));
}

TEST(Conditions, NumericDateBoolBinaryIpArnNull) {
  EXPECT_TRUE(Cond(R"({"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}})",
                   {{"aws:MultiFactorAuthAge", "100"}}));
  EXPECT_FALSE(Cond(R"({"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}})",
                    {{"aws:MultiFactorAuthAge", "3600"}}));
  EXPECT_TRUE(Cond(R"({"NumericGreaterThanEquals":{"n:x":"1.5"}})", {{"n:x", "1.5"}}));
  EXPECT_TRUE(Cond(R"({"NumericNotEquals":{"n:x":"1"}})", {{"n:x", "2"}}));
  EXPECT_TRUE(Cond(R"({"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}})",
                   {{"aws:CurrentTime", "2026-11-27T00:00:00Z"}}));
  EXPECT_TRUE(Cond(R"({"DateGreaterThan":{"aws:CurrentTime":"1577836800"}})",
                   {{"aws:CurrentTime", "2026-11-27T00:00:00Z"}}));
  EXPECT_FALSE(Cond(R"({"DateEquals":{"aws:CurrentTime":"2020-01-01"}})",
                    {{"aws:CurrentTime", "2020-01-02T00:00:00Z"}}));
  EXPECT_TRUE(Cond(R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})",
                   {{"aws:MultiFactorAuthPresent", "true"}}));
  EXPECT_FALSE(Cond(R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})", {}));
  EXPECT_TRUE(Cond(R"({"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}})", {}));
  EXPECT_TRUE(Cond(R"({"Bool":{"aws:SecureTransport":true}})", {{"aws:SecureTransport", "true"}}));
  EXPECT_TRUE(Cond(R"({"BinaryEquals":{"b:x":"aGVsbG8="}})", {{"b:x", "aGVsbG8="}}));
  EXPECT_FALSE(Cond(R"({"BinaryEquals":{"b:x":"aGVsbG8="}})", {{"b:x", "d29ybGQ="}}));
  EXPECT_TRUE(Cond(R"({"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}})",
                   {{"aws:SourceIp", "2001:db8::1"}}));
  EXPECT_FALSE(
      Cond(R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {{"aws:SourceIp", "11.0.0.1"}}));
  EXPECT_TRUE(
      Cond(R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {{"aws:SourceIp", "11.0.0.1"}}));
  EXPECT_TRUE(
      Cond(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/al*"}})", {}));  // derived key
  EXPECT_FALSE(Cond(R"({"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:1:t"}})",
                    {{"aws:SourceArn", "arn:aws:sns:us-east-1:2:t"}}));
  EXPECT_TRUE(Cond(R"({"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:1:t"}})",
                   {{"aws:SourceArn", "arn:aws:sns:us-east-1:2:t"}}));
  EXPECT_TRUE(Cond(R"({"Null":{"aws:TokenIssueTime":"true"}})", {}));
  EXPECT_FALSE(Cond(R"({"Null":{"aws:TokenIssueTime":"false"}})", {}));
  EXPECT_TRUE(Cond(R"({"Null":{"aws:TokenIssueTime":"false"}})",
                   {{"aws:TokenIssueTime", "2026-01-01T00:00:00Z"}}));
}

TEST(Conditions, SetOperators) {
  EXPECT_TRUE(CondMulti(R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})", "aws:TagKeys",
                        {"a"}));
  EXPECT_FALSE(CondMulti(R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})",
                         "aws:TagKeys", {"a", "c"}));
  EXPECT_TRUE(
      CondMulti(R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}})", "aws:TagKeys", {}));
  EXPECT_TRUE(CondMulti(R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}})", "aws:TagKeys",
                        {"x", "a"}));
  EXPECT_FALSE(
      CondMulti(R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}})", "aws:TagKeys", {}));
  EXPECT_TRUE(CondMulti(R"({"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}})", "aws:TagKeys",
                        {"a", "b"}));
  EXPECT_FALSE(CondMulti(R"({"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}})", "aws:TagKeys",
                         {"a", "b"}));
  EXPECT_TRUE(Cond(R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}})", {}));
  EXPECT_FALSE(Cond(R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}})", {}));
}

TEST(Conditions, PolicyVariables) {
  PolicySet set;
  set.identity.push_back(
      P("p",
        R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"})"));
  EXPECT_TRUE(Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::home/alice/x"), set).allowed());
  EXPECT_FALSE(Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::home/bob/x"), set).allowed());
  // The 2008 version treats ${...} literally.
  PolicySet legacy;
  legacy.identity.push_back(P(
      "p", R"({"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"})",
      Flavour::kIdentity, "2008-10-17"));
  EXPECT_FALSE(
      Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::home/alice/x"), legacy).allowed());
  EXPECT_TRUE(Evaluate(UserRequest("s3:GetObject", "arn:aws:s3:::home/${aws:username}/x"), legacy)
                  .allowed());
  // Defaults, and a variable that resolves to nothing.
  EXPECT_TRUE(Cond(R"({"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team, 'all'}"}})",
                   {{"s3:prefix", "all"}}));
  EXPECT_TRUE(Cond(R"({"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team}"}})",
                   {{"s3:prefix", "red"}, {"aws:PrincipalTag/Team", "red"}}));
  EXPECT_FALSE(
      Cond(R"({"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team}"}})", {{"s3:prefix", "red"}}));
  // Escapes are literal characters, not wildcards.
  EXPECT_TRUE(Cond(R"({"StringLike":{"s3:prefix":"a${*}"}})", {{"s3:prefix", "a*"}}));
  EXPECT_FALSE(Cond(R"({"StringLike":{"s3:prefix":"a${*}"}})", {{"s3:prefix", "abc"}}));
}

TEST(Request, DerivedGlobalKeys) {
  Request r = UserRequest("s3:GetObject");
  r.DeriveGlobalKeys();
  EXPECT_EQ(r.context.Find("aws:username")->values[0], "alice");
  EXPECT_EQ(r.context.Find("aws:principaltype")->values[0], "User");
  EXPECT_EQ(r.context.Find("aws:principalaccount")->values[0], "111111111111");
  EXPECT_EQ(r.context.Find("aws:requestedregion")->values[0], "us-east-1");
  Request s = UserRequest("s3:GetObject");
  s.principal.type = PrincipalType::kAssumedRole;
  s.principal.arn = "arn:aws:sts::111111111111:assumed-role/Admin/sess";
  s.DeriveGlobalKeys();
  EXPECT_EQ(s.context.Find("aws:principalarn")->values[0], "arn:aws:iam::111111111111:role/Admin");
  EXPECT_EQ(s.context.Find("aws:username"), nullptr);
}

TEST(PolicyCache, CompilesOncePerRevision) {
  PolicyCache cache;
  std::string text =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  auto a = cache.Get("p", "v1", text, Flavour::kIdentity);
  auto b = cache.Get("p", "v1", text, Flavour::kIdentity);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  auto c = cache.Get("p", "v2", text, Flavour::kIdentity);
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.Get("q", "", "{", Flavour::kIdentity).ok());
}

}  // namespace
}  // namespace orgtwin::policy
