// The client against the real twin: a Gateway with every service registered over SQLite in a
// temp directory, reached in process (InProcessTransport) and over HTTP (HttpTransport to a
// server::HttpServer on port 0). Covers the three protocols, AWS errors, and pagination with
// the services' real tokens.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <stdlib.h>

#include "client/client.h"
#include "client/http_transport.h"
#include "client/inprocess_transport.h"
#include "common/clock.h"
#include "common/ids.h"
#include "gateway/gateway.h"
#include "model/service_model.h"
#include "server/http_server.h"
#include "services/identity/credential_store.h"
#include "services/register.h"
#include "services/twin/default_account.h"
#include "store/store.h"

namespace orgtwin::client {
namespace {

namespace json = boost::json;

constexpr char kTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
    R"({"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";

class ClientGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orgtwin-client-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store::SqliteOptions sqlite;
    sqlite.path = dir_ + "/orgtwin.db";
    auto opened = store::OpenSqliteStore(sqlite);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    credentials_ = std::make_unique<services::CredentialStore>(*store_);
    auto account = services::EnsureDefaultAccount(*store_, *credentials_, ids_, clock_,
                                                  services::kDefaultAccountId);
    ASSERT_TRUE(account.ok()) << account.status().ToString();
    root_ = {account->root_key.access_key_id, account->root_key.secret_access_key, ""};
    gateway_ = std::make_unique<gateway::Gateway>(
        gateway::GatewayOptions{}, model::Registry::Embedded(),
        gateway::TwinServices{*store_, clock_, ids_, *credentials_, *account});
    ASSERT_TRUE(services::RegisterAllServices(*gateway_).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    gateway_.reset();
    credentials_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ClientOptions Options(std::string endpoint = "http://twin.local") {
    ClientOptions options;
    options.endpoint_url = std::move(endpoint);
    options.credentials = root_;
    options.clock = &clock_;
    options.retry.sleep = [](std::chrono::milliseconds) {};
    return options;
  }
  Client InProcess() { return Client(Options(), std::make_shared<InProcessTransport>(*gateway_)); }
  // Starts an HttpServer in front of the gateway; returns its URL.
  std::string Serve() {
    server::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<server::HttpServer>(
        options, [this](HttpRequest&& request, Deferral& deferral) {
          return gateway_->Handle(std::move(request), deferral);
        });
    EXPECT_TRUE(server_->Start().ok());
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }

  std::string dir_;
  FakeClock clock_{std::chrono::system_clock::from_time_t(1795820864)};
  SeededIdGenerator ids_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::CredentialStore> credentials_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<server::HttpServer> server_;
  Credentials root_;
};

TEST_F(ClientGatewayTest, ListRolesPagesOneRoleAtATimeInProcess) {
  Client client = InProcess();
  for (const char* name : {"alpha", "bravo", "charlie"}) {
    auto created = client.Call("iam", "CreateRole",
                               {{"RoleName", name}, {"AssumeRolePolicyDocument", kTrust}});
    ASSERT_TRUE(created.ok()) << created.error().ToString();
    EXPECT_EQ(created->at("Role").at("RoleName"), name);
  }
  auto all = client.Call("iam", "ListRoles");
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  const size_t total = all->at("Roles").as_array().size();
  ASSERT_GE(total, 3u);

  auto pages = client.AllPages("iam", "ListRoles", {{"MaxItems", 1}});
  ASSERT_TRUE(pages.ok()) << pages.error().ToString();
  ASSERT_EQ(pages->size(), total);
  json::array names;
  for (const json::object& page : *pages) {
    ASSERT_EQ(page.at("Roles").as_array().size(), 1u);
    names.push_back(page.at("Roles").as_array()[0].at("RoleName"));
  }
  json::array expected;
  for (const json::value& role : all->at("Roles").as_array())
    expected.push_back(role.at("RoleName"));
  EXPECT_EQ(names, expected);
  EXPECT_EQ(pages->back().at("IsTruncated"), false);
}

TEST_F(ClientGatewayTest, ListAccountsPagesWithNextTokenInProcess) {
  Client client = InProcess();
  auto org = client.Call("organizations", "CreateOrganization", {{"FeatureSet", "ALL"}});
  ASSERT_TRUE(org.ok()) << org.error().ToString();
  for (int i = 1; i <= 2; ++i) {
    auto created = client.Call("organizations", "CreateAccount",
                               {{"Email", "member" + std::to_string(i) + "@example.com"},
                                {"AccountName", "member" + std::to_string(i)}});
    ASSERT_TRUE(created.ok()) << created.error().ToString();
  }
  auto all = client.Call("organizations", "ListAccounts");
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  const size_t total = all->at("Accounts").as_array().size();
  ASSERT_GE(total, 2u);
  size_t seen = 0;
  auto pages = client.Paginate("organizations", "ListAccounts", {{"MaxResults", 1}},
                               [&](const json::object& page) {
                                 seen += page.at("Accounts").as_array().size();
                                 return true;
                               });
  ASSERT_TRUE(pages.ok()) << pages.error().ToString();
  EXPECT_EQ(*pages, total);
  EXPECT_EQ(seen, total);
}

TEST_F(ClientGatewayTest, ServiceErrorsArriveAsAwsErrorsInEachProtocol) {
  Client client = InProcess();
  auto role = client.Call("iam", "GetRole", {{"RoleName", "missing"}});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.error().code, "NoSuchEntity");
  EXPECT_EQ(role.error().http_status, 404);
  EXPECT_FALSE(role.error().request_id.empty());
  EXPECT_EQ(role.error().attempts, 1);

  auto org = client.Call("organizations", "DescribeOrganization");
  ASSERT_FALSE(org.ok());
  EXPECT_EQ(org.error().code, "AWSOrganizationsNotInUseException");

  auto invalid = client.Call("organizations", "ListAccounts", {{"MaxResults", 0}});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, "InvalidInputException");

  Client stranger(
      [&] {
        ClientOptions options = Options();
        options.credentials = {"AKIANOTAKEY000000000", "nope", ""};
        return options;
      }(),
      std::make_shared<InProcessTransport>(*gateway_));
  auto denied = stranger.Call("sts", "GetCallerIdentity");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "InvalidClientTokenId");
  EXPECT_EQ(denied.error().http_status, 403);
}

TEST_F(ClientGatewayTest, AllThreeProtocolsOverHttp) {
  const std::string url = Serve();
  auto transport = std::make_shared<HttpTransport>();
  Client client(Options(url), transport);

  auto who = client.Call("sts", "GetCallerIdentity");  // Query
  ASSERT_TRUE(who.ok()) << who.error().ToString();
  EXPECT_EQ(who->at("Account"), services::kDefaultAccountId);

  auto org = client.Call("organizations", "CreateOrganization", {{"FeatureSet", "ALL"}});  // JSON
  ASSERT_TRUE(org.ok()) << org.error().ToString();
  EXPECT_EQ(org->at("Organization").at("FeatureSet"), "ALL");

  auto put = client.Call("account", "PutAlternateContact",  // rest-json
                         {{"AlternateContactType", "BILLING"},
                          {"EmailAddress", "bill@example.com"},
                          {"Name", "Bill"},
                          {"PhoneNumber", "+1 555 0100"},
                          {"Title", "CFO"}});
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  auto got = client.Call("account", "GetAlternateContact", {{"AlternateContactType", "BILLING"}});
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->at("AlternateContact").at("EmailAddress"), "bill@example.com");
  auto missing =
      client.Call("account", "GetAlternateContact", {{"AlternateContactType", "SECURITY"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().http_status, 404);

  // Keep-alive: five calls, one connection.
  EXPECT_EQ(transport->connections_opened(), 1u);
}

TEST_F(ClientGatewayTest, HttpTransportFailsCleanlyWhenNothingListens) {
  const std::string url = Serve();
  server_->Stop();
  ClientOptions options = Options(url);
  int sleeps = 0;
  options.retry.sleep = [&](std::chrono::milliseconds) { ++sleeps; };
  Client client(options, std::make_shared<HttpTransport>());
  auto out = client.Call("sts", "GetCallerIdentity");
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.error().IsTransportError());
  EXPECT_EQ(out.error().attempts, 3);
  EXPECT_EQ(sleeps, 2);
}

}  // namespace
}  // namespace orgtwin::client
