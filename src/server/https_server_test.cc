// HttpServer over TLS on 127.0.0.1 (port 0), with a certificate made in the test and
// client::HttpTransport as the client: trusted through its ca_file, refused under an unknown CA,
// keep-alive and deferred answers over TLS, a plain-HTTP client dropped, and the options that
// must not start a server.
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "client/http_transport.h"
#include "server/http_server.h"
#include "testing/temp_dir.h"
#include "testing/test_certificate.h"

namespace orgtwin::server {
namespace {

HttpRequest Get(const std::string& target) {
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.headers.emplace_back("Host", "127.0.0.1");
  return request;
}

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const test::TestCertificate certificate = test::MakeCertificate({"IP:127.0.0.1"});
    cert_file_ = Write("cert.pem", certificate.cert_pem);
    key_file_ = Write("key.pem", certificate.key_pem);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  ServerOptions Options() const {
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.tls_cert_file = cert_file_;
    options.tls_key_file = key_file_;
    return options;
  }

  // Serves `/deferred` through a Deferral (the answer comes back through SessionBase) and every
  // other target at once.
  void Start() {
    server_ = std::make_unique<HttpServer>(
        Options(), [](HttpRequest&& request, Deferral& deferral) -> std::optional<HttpResponse> {
          if (request.target == "/deferred") {
            deferral.Defer()->Complete([] { return HttpResponse{202, {}, "later"}; });
            return std::nullopt;
          }
          return HttpResponse{200, {{"Content-Type", "text/plain"}}, "tls " + request.target};
        });
    ASSERT_TRUE(server_->Start().ok());
  }

  client::Endpoint Https() const {
    return client::Endpoint{true, "127.0.0.1", std::to_string(server_->port()), ""};
  }
  client::HttpTransportOptions Trusting(const std::string& ca_file) const {
    client::HttpTransportOptions options;
    options.ca_file = ca_file;
    options.io_timeout = std::chrono::milliseconds(5000);
    return options;
  }

  test::TempDir dir_{"orgtwin-https-server"};
  std::string cert_file_;
  std::string key_file_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpsServerTest, TrustedClientRoundTripsOnOneConnection) {
  Start();
  client::HttpTransport transport(Trusting(cert_file_));
  for (const char* target : {"/one", "/deferred", "/two"}) {
    auto response = transport.Send(Https(), Get(target));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    if (std::string(target) == "/deferred") {
      EXPECT_EQ(response->status, 202);
      EXPECT_EQ(response->body, "later");
    } else {
      EXPECT_EQ(response->status, 200);
      EXPECT_EQ(response->body, std::string("tls ") + target);
    }
  }
  EXPECT_EQ(transport.connections_opened(), 1u);  // keep-alive over TLS
}

TEST_F(HttpsServerTest, AnUnknownCaIsRefusedAndTheServerCarriesOn) {
  Start();
  const std::string other_ca = Write("other.pem", test::MakeCertificate({"IP:127.0.0.1"}).cert_pem);
  client::HttpTransport untrusted(Trusting(other_ca));
  auto refused = untrusted.Send(Https(), Get("/"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("TLS handshake with 127.0.0.1"), std::string::npos)
      << refused.status().ToString();

  // A client speaking plain HTTP to the HTTPS port gets no answer.
  client::HttpTransport plain(Trusting(""));
  auto dropped = plain.Send(client::Endpoint{false, "127.0.0.1", Https().port, ""}, Get("/"));
  EXPECT_FALSE(dropped.ok());

  client::HttpTransport trusted(Trusting(cert_file_));
  auto response = trusted.Send(Https(), Get("/after"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "tls /after");
}

TEST_F(HttpsServerTest, StopClosesIdleTlsConnections) {
  Start();
  client::HttpTransport transport(Trusting(cert_file_));
  ASSERT_TRUE(transport.Send(Https(), Get("/")).ok());  // the connection stays open, idle
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  server_.reset();
}

TEST_F(HttpsServerTest, BadTlsOptionsDoNotStart) {
  auto handler = [](HttpRequest&&) { return HttpResponse{200, {}, ""}; };
  ServerOptions cert_only = Options();
  cert_only.tls_key_file.clear();
  EXPECT_EQ(HttpServer(cert_only, handler).Start().code(), ErrorCode::kInvalidInput);
  ServerOptions missing = Options();
  missing.tls_key_file = dir_.File("absent.pem");
  Status status = HttpServer(missing, handler).Start();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(status.message().find("absent.pem"), std::string::npos) << status.ToString();
  ServerOptions swapped = Options();
  std::swap(swapped.tls_cert_file, swapped.tls_key_file);
  EXPECT_EQ(HttpServer(swapped, handler).Start().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace orgtwin::server
