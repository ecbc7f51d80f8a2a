// Gateway::Handle end to end, in process, on a real SQLite store in a temp directory:
//   BM_GetCallerIdentity_Root      signed sts:GetCallerIdentity (exempt from authorization)
//   BM_GetUser_Root                iam:GetUser by the account root (root rule)
//   BM_GetUser_IamUser3Policies    iam:GetUser by an IAM user with 3 managed policies attached
//   BM_Authorize_IamUser3Policies  the authorizer alone for the same request (cache warm)
// Requests are signed once at setup (valid for the 15-minute skew window) and copied per call.
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "auth/sigv4.h"
#include "common/log.h"
#include "gateway/gateway.h"
#include "services/register.h"

namespace orgtwin {
namespace {

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t start = text.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  return text.substr(start, text.find(close, start) - start);
}

class Twin {
 public:
  Twin() {
    SetLogLevel(LogLevel::kError);
    dir_ = std::filesystem::temp_directory_path() /
           ("orgtwin-gwbench-" + std::to_string(std::random_device{}()));
    store::SqliteOptions options;
    options.path = (dir_ / "twin.db").string();
    store_ = std::move(store::OpenSqliteStore(options)).value();
    credentials_ = std::make_unique<services::CredentialStore>(*store_);
    account_ = std::move(services::EnsureDefaultAccount(*store_, *credentials_, ids_, clock_,
                                                        services::kDefaultAccountId))
                   .value();
    gateway_ = std::make_unique<gateway::Gateway>(
        gateway::GatewayOptions{}, model::Registry::Embedded(),
        gateway::TwinServices{*store_, clock_, ids_, *credentials_, account_});
    if (!services::RegisterAllServices(*gateway_).ok()) std::abort();

    const std::string& root_key = account_.root_key.access_key_id;
    const std::string& root_secret = account_.root_key.secret_access_key;
    Call(Iam("Action=CreateUser&UserName=bench", root_key, root_secret));
    for (const char* policy :
         {"IAMReadOnlyAccess", "ReadOnlyAccess", "AWSOrganizationsReadOnlyAccess"}) {
      Call(Iam(std::string("Action=AttachUserPolicy&UserName=bench&PolicyArn=") +
                   auth::UriEncode(std::string("arn:aws:iam::aws:policy/") + policy, false),
               root_key, root_secret));
    }
    std::string key_xml = Call(Iam("Action=CreateAccessKey&UserName=bench", root_key, root_secret));
    user_key_ = Between(key_xml, "<AccessKeyId>", "</AccessKeyId>");
    user_secret_ = Between(key_xml, "<SecretAccessKey>", "</SecretAccessKey>");
    if (user_key_.empty()) std::abort();
  }
  ~Twin() {
    gateway_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  HttpRequest Signed(const std::string& service, std::string body, const std::string& key,
                     const std::string& secret) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.remote_address = "127.0.0.1";
    request.headers = {{"Host", service + ".amazonaws.com"},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = std::move(body);
    auth::SignRequest(request, key, secret, "us-east-1", service, clock_.Now());
    return request;
  }
  HttpRequest Iam(const std::string& params, const std::string& key, const std::string& secret) {
    return Signed("iam", params + "&Version=2010-05-08", key, secret);
  }
  std::string Call(HttpRequest request) {
    HttpResponse response = gateway_->Handle(std::move(request));
    if (response.status != 200) {
      std::fprintf(stderr, "setup call failed: %d %s\n", response.status, response.body.c_str());
      std::abort();
    }
    return response.body;
  }

  gateway::Gateway& gateway() { return *gateway_; }
  const services::DefaultAccount& account() const { return account_; }
  const std::string& user_key() const { return user_key_; }
  const std::string& user_secret() const { return user_secret_; }

 private:
  std::filesystem::path dir_;
  SystemClock clock_;
  SeededIdGenerator ids_{42};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::CredentialStore> credentials_;
  services::DefaultAccount account_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::string user_key_;
  std::string user_secret_;
};

Twin& SharedTwin() {
  static Twin* twin = new Twin();  // lives for the process; benchmarks share one store
  return *twin;
}

void RunHandle(benchmark::State& state, const HttpRequest& prototype) {
  Twin& twin = SharedTwin();
  for (auto _ : state) {
    HttpRequest request = prototype;
    HttpResponse response = twin.gateway().Handle(std::move(request));
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
  Twin& twin = SharedTwin();
  RunHandle(state, twin.Signed("sts", "Action=GetCallerIdentity&Version=2011-06-15",
                               twin.account().root_key.access_key_id,
                               twin.account().root_key.secret_access_key));
}
BENCHMARK(BM_GetCallerIdentity_Root);

void BM_GetUser_Root(benchmark::State& state) {
  Twin& twin = SharedTwin();
  RunHandle(state, twin.Iam("Action=GetUser&UserName=bench", twin.account().root_key.access_key_id,
                            twin.account().root_key.secret_access_key));
}
BENCHMARK(BM_GetUser_Root);

void BM_GetUser_IamUser3Policies(benchmark::State& state) {
  Twin& twin = SharedTwin();
  RunHandle(state, twin.Iam("Action=GetUser&UserName=bench", twin.user_key(), twin.user_secret()));
}
BENCHMARK(BM_GetUser_IamUser3Policies);

void BM_Authorize_IamUser3Policies(benchmark::State& state) {
  Twin& twin = SharedTwin();
  const model::ServiceModel* iam = model::Registry::Embedded().BySigningName("iam");
  const model::Operation* get_user = iam->FindOperation("GetUser");
  auth::Principal caller =
      services::PrincipalFor(services::kDefaultAccountId, "User", "bench", twin.user_key());
  boost::json::object input{{"UserName", "bench"}};
  gateway::AuthorizationRequest request{
      *iam, *get_user, input, caller, "us-east-1", "127.0.0.1", std::chrono::system_clock::now()};
  for (auto _ : state) {
    Result<gateway::Authorization> decided = twin.gateway().authorizer().Authorize(request);
    if (!decided.ok() || !decided->allowed()) {
      state.SkipWithError((decided.ok() ? decided->status : decided.status()).ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Authorize_IamUser3Policies);

}  // namespace
}  // namespace orgtwin

BENCHMARK_MAIN();
