// verify's analysis over a synthetic organization: 50 accounts (a management account and 49
// members under two SCP levels), 10 roles each (500), 200 customer managed policies shared among
// them, trust chains from the management account into every member and between members, two
// parties with a foothold each, and the management account's root under split custody.
// Reports the policy decisions made per analysis (counter `decisions`).
#include <string>

#include <benchmark/benchmark.h>

#include "structure/structure.h"
#include "verify/analysis.h"

namespace orgtwin::verify {
namespace {

constexpr int kAccounts = 50;
constexpr int kRolesPerAccount = 10;
constexpr int kPolicies = 200;

std::string Id(int account) { return std::to_string(100000000000LL + account); }

std::string PolicyText(int i) {
  // A mix of read, write and IAM grants, some scoped to a path, some with an MFA condition.
  static constexpr std::string_view kActions[] = {
      "s3:*",         "ec2:Describe*", "organizations:List*", "iam:Get*",
      "cloudtrail:*", "sns:Publish",   "iam:PassRole",        "sts:AssumeRole"};
  const std::string action(kActions[i % 8]);
  std::string condition =
      i % 5 == 0 ? R"(,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}})" : "";
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" + action +
         R"(","Resource":"*")" + condition + "}]}";
}

std::string Trust(const std::string& principal) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" +
         principal + R"("},"Action":"sts:AssumeRole"}]})";
}

struct World {
  State state;
  structure::Structure structure;
};

World MakeWorld() {
  World w;
  const std::string scp_all =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  const std::string scp_guard =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]})";
  int policy = 0;
  for (int a = 0; a < kAccounts; ++a) {
    AccountView view;
    view.key = "account" + std::to_string(a);
    view.id = Id(a);
    view.management = a == 0;
    view.member = a != 0;
    view.iam_read = view.summary_read = true;
    view.root_mfa = view.root_password = true;
    if (view.member) {
      view.scp_levels = {{{"FullAWSAccess", scp_all}, {"Guard", scp_guard}},
                         {{"FullAWSAccess", scp_all}}};
    }
    for (int r = 0; r < kRolesPerAccount; ++r) {
      IamPrincipal role;
      role.kind = PrincipalKind::kRole;
      role.account_id = view.id;
      role.name = "Role" + std::to_string(r);
      role.arn = "arn:aws:iam::" + view.id + ":role/" + role.name;
      // Role 0 of a member trusts the management account; the others trust role 0 beside them.
      role.trust = r == 0 ? Trust("arn:aws:iam::" + Id(0) + ":root")
                          : Trust("arn:aws:iam::" + view.id + ":role/Role0");
      for (int k = 0; k < 2; ++k, ++policy) {
        const int p = policy % kPolicies;
        role.identity.push_back(
            {"arn:aws:iam::" + Id(0) + ":policy/P" + std::to_string(p), PolicyText(p)});
      }
      view.roles.push_back(std::move(role));
    }
    IamPrincipal user;
    user.kind = PrincipalKind::kUser;
    user.account_id = view.id;
    user.name = "operator";
    user.arn = "arn:aws:iam::" + view.id + ":user/operator";
    user.identity.push_back({"assume", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":["sts:AssumeRole","iam:Get*","iam:List*"],"Resource":"*"}]})"});
    view.users.push_back(std::move(user));
    w.state.accounts.push_back(std::move(view));
  }
  w.state.organization_id = "o-bench00001";
  for (const char* party : {"partner", "customer"}) {
    structure::Party p;
    p.key = party;
    w.structure.parties[party] = p;
  }
  w.state.footholds.push_back({"customer",
                               "customer",
                               "arn:aws:iam::" + Id(0) + ":user/operator",
                               Id(0),
                               true,
                               {},
                               "customer"});
  w.state.footholds.push_back({"partner",
                               "partner",
                               "arn:aws:iam::" + Id(7) + ":user/operator",
                               Id(7),
                               false,
                               {},
                               "partner"});
  structure::Custody custody;
  custody.account = "account0";
  custody.held[structure::RootFactor::kRootPassword] = {"partner", {}};
  custody.held[structure::RootFactor::kRootMfa] = {"customer", {}};
  custody.held[structure::RootFactor::kRootEmailMailbox] = {"partner", {}};
  custody.held[structure::RootFactor::kPhone] = {"customer", {}};
  w.structure.custody["account0"] = custody;
  return w;
}

void BM_AnalyzeFiftyAccounts(benchmark::State& st) {
  const World world = MakeWorld();
  int64_t decisions = 0;
  for (auto _ : st) {
    Analysis a = Analyze(world.state, world.structure);
    decisions = a.decisions;
    benchmark::DoNotOptimize(a.cells.data());
  }
  st.counters["decisions"] = static_cast<double>(decisions);
  st.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(decisions), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AnalyzeFiftyAccounts)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace orgtwin::verify

BENCHMARK_MAIN();
