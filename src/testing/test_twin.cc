#include "testing/test_twin.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "auth/sigv4.h"
#include "model/service_model.h"
#include "services/register.h"
#include "services/trail/audit_trail.h"
#include "testing/test_store.h"

namespace orgtwin::test {
namespace {

constexpr char kRegion[] = "us-east-1";

const model::ServiceModel& ModelOf(std::string_view service) {
  const model::ServiceModel* model = model::Registry::Embedded().BySigningName(service);
  if (model == nullptr) {
    std::fprintf(stderr, "TestTwin: no embedded model signs as '%.*s'\n",
                 static_cast<int>(service.size()), service.data());
    std::abort();
  }
  return *model;
}

std::string FormEncode(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += auth::UriEncode(key, false) + "=" + auth::UriEncode(value, false);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<TestTwin>> TestTwin::Create(TestTwinOptions options) {
  std::unique_ptr<TestTwin> twin(new TestTwin(std::move(options)));
  OT_RETURN_IF_ERROR(twin->Open());
  return twin;
}

TestTwin::TestTwin(TestTwinOptions options)
    : options_(std::move(options)),
      dir_(options_.dir_prefix),
      ids_(std::make_unique<SeededIdGenerator>(options_.id_seed)),
      handler_ids_(ids_.get()) {
  if (options_.fake_clock_start.has_value()) {
    auto fake = std::make_unique<FakeClock>(*options_.fake_clock_start);
    fake_clock_ = fake.get();
    clock_ = std::move(fake);
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
}

TestTwin::~TestTwin() { Close(); }

void TestTwin::Close() {
  gateway_.reset();
  audit_.reset();
  credentials_.reset();
  store_.reset();
}

Status TestTwin::Open() {
  OT_ASSIGN_OR_RETURN(store_, OpenTestStore(dir_));
  credentials_ = std::make_unique<services::CredentialStore>(*store_);
  if (options_.default_account) {
    OT_ASSIGN_OR_RETURN(account_,
                        services::EnsureDefaultAccount(*store_, *credentials_, *ids_, *clock_,
                                                       services::kDefaultAccountId));
  }
  if (options_.gateway) OT_RETURN_IF_ERROR(ReplaceGateway(options_.gateway_options));
  return Status();
}

Status TestTwin::Reopen() {
  Close();
  return Open();
}

Status TestTwin::ReplaceGateway(gateway::GatewayOptions options) {
  gateway_.reset();
  if (audit_ == nullptr)
    audit_ = std::make_unique<services::trail::AuditTrail>(*store_, *clock_, *ids_);
  gateway_ = std::make_unique<gateway::Gateway>(
      options, model::Registry::Embedded(),
      gateway::TwinServices{*store_, *clock_, *ids_, *credentials_, account_});
  gateway_->SetCallObserver(audit_.get());
  return services::RegisterAllServices(*gateway_);
}

FakeClock& TestTwin::fake_clock() {
  if (fake_clock_ == nullptr) {
    std::fprintf(stderr, "TestTwin: fake_clock() on a twin that runs on the system clock\n");
    std::abort();
  }
  return *fake_clock_;
}

Keys TestTwin::root_keys() const {
  return Keys{account_.root_key.access_key_id, account_.root_key.secret_access_key, ""};
}

void TestTwin::Sign(HttpRequest& request, std::string_view service, const Keys& keys) const {
  request.remote_address = "127.0.0.1";
  auth::SignRequest(request, keys.id, keys.secret, kRegion, service, clock_->Now(), keys.token);
}

HttpRequest TestTwin::QueryRequest(std::string_view service, std::string_view action,
                                   QueryParams params, const Keys& keys) const {
  params["Action"] = std::string(action);
  params["Version"] = ModelOf(service).api_version;
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Host", std::string(service) + ".amazonaws.com"},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = FormEncode(params);
  Sign(request, service, keys);
  return request;
}

HttpRequest TestTwin::JsonRequest(std::string_view service, std::string_view operation,
                                  const boost::json::object& input, const Keys& keys) const {
  const model::ServiceModel& model = ModelOf(service);
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Host", std::string(service) + "." + kRegion + ".amazonaws.com"},
                     {"Content-Type", "application/x-amz-json-" + model.json_version},
                     {"X-Amz-Target", model.target_prefix + "." + std::string(operation)}};
  request.body = boost::json::serialize(input);
  Sign(request, service, keys);
  return request;
}

HttpRequest TestTwin::RestJsonRequest(std::string_view service, std::string_view method,
                                      std::string_view path, const boost::json::object& body,
                                      const Keys& keys) const {
  HttpRequest request;
  request.method = std::string(method);
  request.target = std::string(path);
  request.headers = {{"Host", std::string(service) + "." + kRegion + ".amazonaws.com"},
                     {"Content-Type", "application/json"}};
  request.body = boost::json::serialize(body);
  Sign(request, service, keys);
  return request;
}

Result<boost::json::object> TestTwin::RunHandler(const gateway::OperationHandler& handler,
                                                 const auth::Principal& caller,
                                                 const boost::json::object& input) {
  HttpRequest http;
  OT_ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx, store_->Begin(store::TxMode::kWrite));
  gateway::TwinServices services{*store_, *clock_, *handler_ids_, *credentials_, account_};
  gateway::RequestContext ctx{caller, http, "req", clock_->Now(), kRegion, services, *tx};
  Result<boost::json::object> out = handler(ctx, input);
  if (out.ok()) OT_RETURN_IF_ERROR(tx->Commit());
  return out;
}

}  // namespace orgtwin::test
