// Gateway::Handle end to end, in process, on the shared test twin (testing/test_twin.h: a real
// SQLite store in a temp directory):
//   BM_GetCallerIdentity_Root      signed sts:GetCallerIdentity (exempt from authorization)
//   BM_GetUser_Root                iam:GetUser by the account root (root rule)
//   BM_GetUser_IamUser3Policies    iam:GetUser by an IAM user with 3 managed policies attached
//   BM_Authorize_IamUser3Policies  the authorizer alone for the same request (cache warm)
//   BM_Audit_*/0 and /1            a read (GetUser) and a write (TagUser, a new tag value each
//                                  time) without (0) and with (1) the audit trail: the cost of
//                                  recording every call. Process CPU time (the writer thread and
//                                  the read-event job included), per call.
// Requests are signed once at setup (valid for the 15-minute skew window) and copied per call.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>

#include "common/log.h"
#include "gateway/gateway.h"
#include "model/service_model.h"
#include "services/identity/credential_store.h"
#include "testing/test_twin.h"

namespace orgtwin {
namespace {

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t start = text.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  return text.substr(start, text.find(close, start) - start);
}

// The shared test twin on the system clock, with IAM user "bench" (3 managed policies, a key).
class BenchTwin {
 public:
  BenchTwin() {
    SetLogLevel(LogLevel::kError);
    test::TestTwinOptions options;
    options.dir_prefix = "orgtwin-gwbench";
    options.fake_clock_start = std::nullopt;  // signed with real time, like an SDK
    options.id_seed = 42;
    auto created = test::TestTwin::Create(options);
    if (!created.ok()) {
      std::fprintf(stderr, "setup failed: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    twin_ = std::move(created).value();

    const test::Keys root = twin_->root_keys();
    Call(twin_->QueryRequest("iam", "CreateUser", {{"UserName", "bench"}}, root));
    for (const char* policy :
         {"IAMReadOnlyAccess", "ReadOnlyAccess", "AWSOrganizationsReadOnlyAccess"}) {
      Call(twin_->QueryRequest(
          "iam", "AttachUserPolicy",
          {{"UserName", "bench"}, {"PolicyArn", std::string("arn:aws:iam::aws:policy/") + policy}},
          root));
    }
    std::string key_xml =
        Call(twin_->QueryRequest("iam", "CreateAccessKey", {{"UserName", "bench"}}, root));
    user_ = test::Keys{Between(key_xml, "<AccessKeyId>", "</AccessKeyId>"),
                       Between(key_xml, "<SecretAccessKey>", "</SecretAccessKey>"), ""};
    if (user_.id.empty()) std::abort();
  }

  std::string Call(HttpRequest request) {
    HttpResponse response = twin_->Handle(std::move(request));
    if (response.status != 200) {
      std::fprintf(stderr, "setup call failed: %d %s\n", response.status, response.body.c_str());
      std::abort();
    }
    return response.body;
  }

  test::TestTwin& twin() { return *twin_; }
  const test::Keys& user() const { return user_; }

 private:
  std::unique_ptr<test::TestTwin> twin_;
  test::Keys user_;
};

BenchTwin& SharedTwin() {
  static BenchTwin twin;  // benchmarks share one store; its temp dir goes at exit
  return twin;
}

void RunHandle(benchmark::State& state, const HttpRequest& prototype) {
  test::TestTwin& twin = SharedTwin().twin();
  for (auto _ : state) {
    HttpRequest request = prototype;
    HttpResponse response = twin.Handle(std::move(request));
    if (response.status != 200) {
      state.SkipWithError(
          ("status " + std::to_string(response.status) + ": " + response.body).c_str());
      break;
    }
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GetCallerIdentity_Root(benchmark::State& state) {
  test::TestTwin& twin = SharedTwin().twin();
  RunHandle(state, twin.QueryRequest("sts", "GetCallerIdentity", {}, twin.root_keys()));
}
BENCHMARK(BM_GetCallerIdentity_Root);

void BM_GetUser_Root(benchmark::State& state) {
  test::TestTwin& twin = SharedTwin().twin();
  RunHandle(state, twin.QueryRequest("iam", "GetUser", {{"UserName", "bench"}}, twin.root_keys()));
}
BENCHMARK(BM_GetUser_Root);

void BM_GetUser_IamUser3Policies(benchmark::State& state) {
  BenchTwin& bench = SharedTwin();
  RunHandle(state,
            bench.twin().QueryRequest("iam", "GetUser", {{"UserName", "bench"}}, bench.user()));
}
BENCHMARK(BM_GetUser_IamUser3Policies);

void BM_Authorize_IamUser3Policies(benchmark::State& state) {
  BenchTwin& bench = SharedTwin();
  const model::ServiceModel* iam = model::Registry::Embedded().BySigningName("iam");
  const model::Operation* get_user = iam->FindOperation("GetUser");
  auth::Principal caller =
      services::PrincipalFor(services::kDefaultAccountId, "User", "bench", bench.user().id);
  boost::json::object input{{"UserName", "bench"}};
  gateway::AuthorizationRequest request{
      *iam, *get_user, input, caller, "us-east-1", "127.0.0.1", std::chrono::system_clock::now()};
  for (auto _ : state) {
    Result<gateway::Authorization> decided = bench.twin().gateway().authorizer().Authorize(request);
    if (!decided.ok() || !decided->allowed()) {
      state.SkipWithError((decided.ok() ? decided->status : decided.status()).ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Authorize_IamUser3Policies);

// Arg 0: no observer; 1: the audit trail (the twin's default).
void SetAudited(test::TestTwin& twin, int64_t audited) {
  twin.gateway().SetCallObserver(audited != 0 ? &twin.audit_trail() : nullptr);
}

void BM_Audit_GetUser_Root(benchmark::State& state) {
  test::TestTwin& twin = SharedTwin().twin();
  SetAudited(twin, state.range(0));
  RunHandle(state, twin.QueryRequest("iam", "GetUser", {{"UserName", "bench"}}, twin.root_keys()));
  SetAudited(twin, 1);
}
BENCHMARK(BM_Audit_GetUser_Root)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime();

void BM_Audit_TagUser_Root(benchmark::State& state) {
  test::TestTwin& twin = SharedTwin().twin();
  SetAudited(twin, state.range(0));
  static int64_t next = 0;  // a new value each time
  for (auto _ : state) {
    HttpResponse response =
        twin.Handle(twin.QueryRequest("iam", "TagUser",
                                      {{"UserName", "bench"},
                                       {"Tags.member.1.Key", "k"},
                                       {"Tags.member.1.Value", std::to_string(next++)}},
                                      twin.root_keys()));
    if (response.status != 200) {
      state.SkipWithError(("status " + std::to_string(response.status)).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  SetAudited(twin, 1);
}
BENCHMARK(BM_Audit_TagUser_Root)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace orgtwin

BENCHMARK_MAIN();
