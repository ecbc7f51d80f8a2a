// Decision throughput of the policy engine (one thread). Each benchmark prepares its policy set
// and request once (as the server does: compiled policies are cached by revision, the request's
// global keys derived once), then times Evaluate() alone.
#include <string>

#include <benchmark/benchmark.h>

#include "policy/catalog.h"
#include "policy/effective.h"
#include "policy/evaluator.h"

namespace orgtwin::policy {
namespace {

PolicySet Managed(std::initializer_list<const char*> arns) {
  PolicySet set;
  for (const char* arn : arns) set.identity.push_back(*ManagedPolicies().Compiled(arn));
  return set;
}

PolicySet SocRole() {
  return Managed({"arn:aws:iam::aws:policy/AWSOrganizationsFullAccess",
                  "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                  "arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
                  "arn:aws:iam::aws:policy/CloudWatchFullAccess",
                  "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess"});
}

Request SessionRequest(const char* role, const char* action, const char* resource) {
  Request r;
  r.principal.type = PrincipalType::kAssumedRole;
  r.principal.account = "111111111111";
  r.principal.arn = std::string("arn:aws:sts::111111111111:assumed-role/") + role + "/s";
  r.action = action;
  r.resource = resource;
  r.DeriveGlobalKeys();
  return r;
}

void RunDecisions(benchmark::State& state, const PolicySet& set, const Request& req,
                  DecisionEffect expected) {
  if (Evaluate(req, set).effect != expected) {
    state.SkipWithError("unexpected decision");
    return;
  }
  for (auto _ : state) {
    Decision d = Evaluate(req, set);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SocRole_Allow_S3GetObject(benchmark::State& state) {
  static const PolicySet kSet = SocRole();
  static const Request kReq = SessionRequest("CustomerSOC", "s3:GetObject", "arn:aws:s3:::logs/k");
  RunDecisions(state, kSet, kReq, DecisionEffect::kAllow);
}
BENCHMARK(BM_SocRole_Allow_S3GetObject);

void BM_SocRole_Deny_ViewBilling(benchmark::State& state) {
  static const PolicySet kSet = SocRole();
  static const Request kReq = SessionRequest("CustomerSOC", "aws-portal:ViewBilling", "*");
  RunDecisions(state, kSet, kReq, DecisionEffect::kImplicitDeny);
}
BENCHMARK(BM_SocRole_Deny_ViewBilling);

void BM_PartnerBilling_Allow_GetInvoicePDF(benchmark::State& state) {
  static const PolicySet kSet = Managed({"arn:aws:iam::aws:policy/job-function/Billing"});
  static const Request kReq = SessionRequest("PartnerBilling", "invoicing:GetInvoicePDF", "*");
  RunDecisions(state, kSet, kReq, DecisionEffect::kAllow);
}
BENCHMARK(BM_PartnerBilling_Allow_GetInvoicePDF);

void BM_PartnerBilling_Deny_CreateRole(benchmark::State& state) {
  static const PolicySet kSet = Managed({"arn:aws:iam::aws:policy/job-function/Billing"});
  static const Request kReq =
      SessionRequest("PartnerBilling", "iam:CreateRole", "arn:aws:iam::111111111111:role/x");
  RunDecisions(state, kSet, kReq, DecisionEffect::kImplicitDeny);
}
BENCHMARK(BM_PartnerBilling_Deny_CreateRole);

PolicyPtr Scp(const std::string& id, const std::string& statements) {
  return *CompileText(R"({"Version":"2012-10-17","Statement":[)" + statements + "]}", Flavour::kScp,
                      id);
}

void BM_Member_FiveScpLevels(benchmark::State& state) {
  static const PolicySet kSet = [] {
    PolicySet s = Managed({"arn:aws:iam::aws:policy/AdministratorAccess"});
    s.has_scp = true;
    auto full = Scp("full", R"({"Effect":"Allow","Action":"*","Resource":"*"})");
    s.scp = {
        {full},
        {full,
         Scp("deny-leave",
             R"({"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"})")},
        {full,
         Scp("region",
             R"({"Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}})")},
        {full,
         Scp("deny-billing",
             R"({"Effect":"Deny","Action":["aws-portal:*","billing:*","payments:*"],"Resource":"*"})")},
        {full}};
    return s;
  }();
  static const Request kReq = [] {
    Request r;
    r.principal.type = PrincipalType::kUser;
    r.principal.account = "222222222222";
    r.principal.arn = "arn:aws:iam::222222222222:user/ops";
    r.action = "s3:PutObject";
    r.resource = "arn:aws:s3:::data/k";
    r.DeriveGlobalKeys();
    return r;
  }();
  RunDecisions(state, kSet, kReq, DecisionEffect::kAllow);
}
BENCHMARK(BM_Member_FiveScpLevels);

// A ~10 KB customer policy (the inline role limit is 10,240): 32 statements, each with conditions
// of several families.
void BM_TenKbPolicyWithConditions(benchmark::State& state) {
  static const PolicySet kSet = [] {
    std::string statements;
    for (int i = 0; i < 32; ++i) {
      if (i) statements += ",";
      statements +=
          R"({"Sid":"S)" + std::to_string(i) +
          R"(","Effect":"Allow","Action":["s3:Get*","s3:List*","dynamodb:Query"],"Resource":"arn:aws:s3:::bucket-)" +
          std::to_string(i) +
          R"(/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},"StringEquals":{"aws:RequestedRegion":"us-east-1"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}})";
    }
    std::string text = R"({"Version":"2012-10-17","Statement":[)" + statements + "]}";
    ParseOptions options;
    options.size_rule = SizeRule::kRoleInline;
    PolicySet s;
    auto compiled = CompileText(text, Flavour::kIdentity, "big", options);
    if (compiled.ok()) s.identity.push_back(*compiled);
    return s;
  }();
  static const Request kReq = [] {
    Request r;
    r.principal.type = PrincipalType::kUser;
    r.principal.account = "111111111111";
    r.principal.arn = "arn:aws:iam::111111111111:user/alice";
    r.action = "s3:GetObject";
    r.resource = "arn:aws:s3:::bucket-31/alice/report.csv";
    r.context.Set("aws:SourceIp", "10.1.2.3");
    r.context.Set("aws:MultiFactorAuthAge", "120");
    r.DeriveGlobalKeys();
    return r;
  }();
  if (kSet.identity.empty()) {
    state.SkipWithError("the 10 KB policy did not compile");
    return;
  }
  RunDecisions(state, kSet, kReq, DecisionEffect::kAllow);
}
BENCHMARK(BM_TenKbPolicyWithConditions);

void BM_CatalogSweep_SocRole(benchmark::State& state) {
  static const PolicySet kSet = SocRole();
  EffectiveQuery q;
  q.principal.type = PrincipalType::kAssumedRole;
  q.principal.account = "111111111111";
  q.principal.arn = "arn:aws:sts::111111111111:assumed-role/CustomerSOC/s";
  size_t allowed = 0;
  for (auto _ : state) {
    auto r = EffectivePermissions(kSet, q);
    allowed = r.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["actions"] = static_cast<double>(Actions().actions().size());
  state.counters["allowed"] = static_cast<double>(allowed);
}
BENCHMARK(BM_CatalogSweep_SocRole)->Unit(benchmark::kMillisecond);

void BM_CatalogSweep_PartnerBilling(benchmark::State& state) {
  static const PolicySet kSet = Managed({"arn:aws:iam::aws:policy/job-function/Billing"});
  EffectiveQuery q;
  q.principal.type = PrincipalType::kAssumedRole;
  q.principal.account = "111111111111";
  q.principal.arn = "arn:aws:sts::111111111111:assumed-role/PartnerBilling/s";
  for (auto _ : state) {
    auto r = EffectivePermissions(kSet, q);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CatalogSweep_PartnerBilling)->Unit(benchmark::kMillisecond);

void BM_ParseValidateCompile_Soc(benchmark::State& state) {
  const ManagedPolicy* mp =
      ManagedPolicies().FindByArn("arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess");
  for (auto _ : state) {
    auto r = CompileText(mp->document, Flavour::kIdentity, "ct");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseValidateCompile_Soc);

}  // namespace
}  // namespace orgtwin::policy

BENCHMARK_MAIN();
