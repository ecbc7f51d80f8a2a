// Client behaviour over a scripted transport: what it signs, how it retries (standard mode,
// with an injected sleep and jitter so nothing waits), how it pages, how it reads errors.
#include "client/client.h"

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "auth/sigv4.h"

namespace orgtwin::client {
namespace {

namespace json = boost::json;

// Answers each Send with the next scripted response (or transport failure) and keeps the
// requests it was given.
class ScriptedTransport final : public Transport {
 public:
  void Reply(int status, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    script_.emplace_back(std::move(response));
  }
  void Fail() { script_.emplace_back(UnavailableError("connection reset")); }

  Result<HttpResponse> Send(const Endpoint& endpoint, const HttpRequest& request) override {
    endpoints.push_back(endpoint);
    requests.push_back(request);
    if (script_.empty()) return InternalError("script exhausted");
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  std::vector<Endpoint> endpoints;
  std::vector<HttpRequest> requests;

 private:
  std::deque<Result<HttpResponse>> script_;
};

constexpr char kGetCallerIdentityOk[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012"
    "</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata>"
    "<RequestId>r-ok</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

std::string QueryError(const std::string& code, const std::string& type = "Sender") {
  return "<ErrorResponse><Error><Type>" + type + "</Type><Code>" + code +
         "</Code><Message>m</Message></Error><RequestId>r-err</RequestId></ErrorResponse>";
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : transport_(std::make_shared<ScriptedTransport>()) {
    options_.endpoint_url = "http://127.0.0.1:4566";
    options_.credentials = {"AKIDEXAMPLE", "secret", ""};
    options_.clock = &clock_;
    options_.retry.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    options_.retry.random = [] { return 0.5; };
  }
  Client MakeClient() { return Client(options_, transport_); }

  FakeClock clock_{std::chrono::system_clock::from_time_t(1795820864)};
  ClientOptions options_;
  std::shared_ptr<ScriptedTransport> transport_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST(EndpointTest, ParsesSchemesPortsAndPaths) {
  auto twin = ParseEndpoint("http://127.0.0.1:4566");
  ASSERT_TRUE(twin.ok());
  EXPECT_FALSE(twin->tls);
  EXPECT_EQ(twin->port, "4566");
  EXPECT_EQ(twin->HostHeader(), "127.0.0.1:4566");
  auto aws = ParseEndpoint("https://sts.us-east-1.amazonaws.com/");
  ASSERT_TRUE(aws.ok());
  EXPECT_TRUE(aws->tls);
  EXPECT_EQ(aws->port, "443");
  EXPECT_EQ(aws->HostHeader(), "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(aws->base_path, "");
  EXPECT_FALSE(ParseEndpoint("ftp://example.com").ok());
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:4566").ok());
}

TEST_F(ClientTest, SignsWhatItSendsSoTheServerVerifierAcceptsIt) {
  options_.credentials.session_token = "session-token";
  transport_->Reply(200, kGetCallerIdentityOk);
  Client client = MakeClient();
  auto out = client.Call("sts", "GetCallerIdentity");
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(out->at("Account"), "123456789012");
  ASSERT_EQ(transport_->requests.size(), 1u);
  const HttpRequest& sent = transport_->requests[0];
  EXPECT_EQ(*sent.Header("Host"), "127.0.0.1:4566");
  EXPECT_EQ(*sent.Header("X-Amz-Security-Token"), "session-token");
  auto parsed = auth::ParseSigV4(sent);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->scope_service, "sts");
  EXPECT_EQ(parsed->scope_region, "us-east-1");
  EXPECT_TRUE(auth::VerifySigV4(sent, *parsed, "secret", clock_.Now()).ok());
  EXPECT_FALSE(auth::VerifySigV4(sent, *parsed, "other", clock_.Now()).ok());
}

TEST_F(ClientTest, GlobalServicesAreSignedForUsEast1AndGoToAwsEndpointsByDefault) {
  options_.endpoint_url.clear();
  options_.region = "eu-west-1";
  transport_->Reply(200, "{\"Roots\":[]}");
  transport_->Reply(200, kGetCallerIdentityOk);
  Client client = MakeClient();
  ASSERT_TRUE(client.Call("organizations", "ListRoots").ok());
  ASSERT_TRUE(client.Call("sts", "GetCallerIdentity").ok());
  EXPECT_EQ(transport_->endpoints[0].host, "organizations.us-east-1.amazonaws.com");
  EXPECT_TRUE(transport_->endpoints[0].tls);
  EXPECT_EQ(auth::ParseSigV4(transport_->requests[0])->scope_region, "us-east-1");
  EXPECT_EQ(transport_->endpoints[1].host, "sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(auth::ParseSigV4(transport_->requests[1])->scope_region, "eu-west-1");
}

TEST_F(ClientTest, RetriesThrottlingWithJitteredExponentialBackoffThenSucceeds) {
  transport_->Reply(400, QueryError("Throttling"));
  transport_->Reply(400, QueryError("Throttling"));
  transport_->Reply(200, kGetCallerIdentityOk);
  Client client = MakeClient();
  auto out = client.Call("sts", "GetCallerIdentity");
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(transport_->requests.size(), 3u);
  // random() = 0.5: 0.5 * 1 s, then 0.5 * 2 s.
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(sleeps_[0], std::chrono::milliseconds(500));
  EXPECT_EQ(sleeps_[1], std::chrono::milliseconds(1000));
}

TEST_F(ClientTest, GivesUpAfterThreeAttemptsWithTheLastError) {
  for (int i = 0; i < 4; ++i) {
    transport_->Reply(400, "{\"__type\":\"TooManyRequestsException\",\"Message\":\"slow\"}",
                      {{"x-amzn-RequestId", "r-" + std::to_string(i)}});
  }
  Client client = MakeClient();
  auto out = client.Call("organizations", "ListRoots");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "TooManyRequestsException");
  EXPECT_EQ(out.error().message, "slow");
  EXPECT_EQ(out.error().http_status, 400);
  EXPECT_EQ(out.error().attempts, 3);
  EXPECT_EQ(out.error().request_id, "r-2");
  EXPECT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(ClientTest, RetriesTransportFailuresAndServerErrorsButNotClientErrors) {
  transport_->Fail();
  transport_->Reply(503, QueryError("ServiceUnavailable", "Receiver"));
  transport_->Reply(200, kGetCallerIdentityOk);
  transport_->Reply(404, QueryError("NoSuchEntity"));
  Client client = MakeClient();
  ASSERT_TRUE(client.Call("sts", "GetCallerIdentity").ok());
  EXPECT_EQ(transport_->requests.size(), 3u);
  auto missing = client.Call("iam", "GetRole", {{"RoleName", "nope"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NoSuchEntity");
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_EQ(missing.error().attempts, 1);
  EXPECT_EQ(transport_->requests.size(), 4u);
}

TEST_F(ClientTest, EachAttemptIsSignedAtItsOwnTime) {
  transport_->Reply(500, QueryError("InternalFailure", "Receiver"));
  transport_->Reply(200, kGetCallerIdentityOk);
  // The backoff (500 ms here) plus the time the failed attempt took: two seconds pass.
  options_.retry.sleep = [this](std::chrono::milliseconds) {
    clock_.Advance(std::chrono::seconds(2));
  };
  Client client = MakeClient();
  ASSERT_TRUE(client.Call("sts", "GetCallerIdentity").ok());
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_NE(*transport_->requests[0].Header("X-Amz-Date"),
            *transport_->requests[1].Header("X-Amz-Date"));
}

TEST(RetryClassificationTest, FollowsStandardMode) {
  Error e;
  e.http_status = 400;
  e.code = "ThrottlingException";
  EXPECT_TRUE(IsRetryableError(e));
  e.code = "ValidationError";
  EXPECT_FALSE(IsRetryableError(e));
  e.http_status = 502;
  EXPECT_TRUE(IsRetryableError(e));
  e.http_status = 501;
  EXPECT_FALSE(IsRetryableError(e));
  e.http_status = 0;  // transport
  EXPECT_TRUE(IsRetryableError(e));
}

TEST_F(ClientTest, UnknownServiceOrOperationIsAClientErrorAndSendsNothing) {
  Client client = MakeClient();
  auto a = client.Call("nosuch", "X");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, "ClientError");
  auto b = client.Call("iam", "NoSuchOperation");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "ClientError");
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(ClientTest, PaginatesWithTheModelsTokensUntilTheLastPage) {
  transport_->Reply(200, R"({"Accounts":[{"Id":"111111111111"}],"NextToken":"t1"})");
  transport_->Reply(200, R"({"Accounts":[{"Id":"222222222222"}],"NextToken":"t2"})");
  transport_->Reply(200, R"({"Accounts":[{"Id":"333333333333"}]})");
  Client client = MakeClient();
  auto pages = client.AllPages("organizations", "ListAccounts", {{"MaxResults", 1}});
  ASSERT_TRUE(pages.ok()) << pages.error().ToString();
  ASSERT_EQ(pages->size(), 3u);
  EXPECT_EQ(pages->at(2).at("Accounts").as_array()[0].at("Id"), "333333333333");
  ASSERT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(json::parse(transport_->requests[0].body), json::parse(R"({"MaxResults":1})"));
  EXPECT_EQ(json::parse(transport_->requests[2].body),
            json::parse(R"({"MaxResults":1,"NextToken":"t2"})"));
}

TEST_F(ClientTest, PaginationStopsWhenTheCallerSaysSoOrTheTokenRepeats) {
  transport_->Reply(200, R"({"Roots":[],"NextToken":"same"})");
  transport_->Reply(200, R"({"Roots":[],"NextToken":"same"})");
  transport_->Reply(200, R"({"Roots":[],"NextToken":"same"})");
  Client client = MakeClient();
  auto stopped =
      client.Paginate("organizations", "ListRoots", {}, [](const json::object&) { return false; });
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, 1u);
  auto looping = client.AllPages("organizations", "ListRoots");
  ASSERT_FALSE(looping.ok());
  EXPECT_EQ(looping.error().code, "ClientError");
}

TEST_F(ClientTest, PrepareBuildsTheSignedRequestWithoutSending) {
  Client client = MakeClient();
  auto request = client.Prepare("iam", "ListRoles", {{"MaxItems", 5}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->body, "Action=ListRoles&Version=2010-05-08&MaxItems=5");
  auto parsed = auth::ParseSigV4(*request);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(auth::VerifySigV4(*request, *parsed, "secret", clock_.Now()).ok());
  EXPECT_TRUE(transport_->requests.empty());

  HttpRequest raw;
  raw.method = "POST";
  raw.target = "/";
  raw.body = "Action=GetCallerIdentity&Version=2011-06-15";
  ASSERT_TRUE(client.Sign(raw, "sts", clock_.Now()).ok());
  EXPECT_EQ(*raw.Header("Host"), "127.0.0.1:4566");
  EXPECT_EQ(auth::ParseSigV4(raw)->scope_service, "sts");
}

}  // namespace
}  // namespace orgtwin::client
