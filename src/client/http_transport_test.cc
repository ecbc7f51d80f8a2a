// HttpTransport over real sockets on loopback: HTTPS against a TLS server with a certificate made
// here (OpenSSL), trusted through `ca_file`, refused when untrusted or issued for another host,
// and the io_timeout that ends an exchange with a server that accepts and never answers.
#include "client/http_transport.h"

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>

#include <stdlib.h>

#include "testing/temp_dir.h"
#include "testing/test_certificate.h"

namespace orgtwin::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

using test::MakeCertificate;
using test::TestCertificate;

// Serves `connections` TLS connections one after the other on 127.0.0.1: each answers every
// request with 200 and "secure <target>" until the client closes it. A failed handshake (the
// client refused the certificate) ends that connection.
class TlsServer {
 public:
  TlsServer(const TestCertificate& certificate, int connections)
      : context_(ssl::context::tls_server), acceptor_(io_, tcp::endpoint(tcp::v4(), 0)) {
    context_.use_certificate_chain(asio::buffer(certificate.cert_pem));
    context_.use_private_key(asio::buffer(certificate.key_pem), ssl::context::pem);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) Serve();
    });
  }
  ~TlsServer() { thread_.join(); }

  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

 private:
  void Serve() {
    beast::ssl_stream<tcp::socket> stream(acceptor_.accept(), context_);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(stream, buffer, request, ec);
      if (ec) return;
      http::response<http::string_body> response(http::status::ok, 11);
      response.body() = "secure " + std::string(request.target());
      response.keep_alive(true);
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec) return;
    }
  }

  asio::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

HttpTransportOptions Trusting(const std::string& ca_file) {
  HttpTransportOptions options;
  options.ca_file = ca_file;
  return options;
}

HttpRequest Get(const std::string& target) {
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.headers.emplace_back("Host", "localhost");
  return request;
}

class HttpsTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certificate_ = MakeCertificate();
    ca_file_ = dir_.File("ca.pem");
    std::ofstream(ca_file_) << certificate_.cert_pem;
  }

  test::TempDir dir_{"orgtwin-https"};
  TestCertificate certificate_;
  std::string ca_file_;
};

TEST_F(HttpsTransportTest, TrustedCertificateRoundTripsAndKeepsTheConnection) {
  TlsServer server(certificate_, 1);
  {
    HttpTransport transport(Trusting(ca_file_));
    Endpoint endpoint{true, "localhost", server.port(), ""};
    for (const char* target : {"/one", "/two"}) {
      auto response = transport.Send(endpoint, Get(target));
      ASSERT_TRUE(response.ok()) << response.status().ToString();
      EXPECT_EQ(response->status, 200);
      EXPECT_EQ(response->body, std::string("secure ") + target);
    }
    EXPECT_EQ(transport.connections_opened(), 1u);
  }  // the transport closes its connection: the server's loop ends
}

// As the SDKs: with no ca_file, AWS_CA_BUNDLE names the bundle to trust.
TEST_F(HttpsTransportTest, AwsCaBundleIsTrustedWhenNoCaFileIsSet) {
  TlsServer server(certificate_, 1);
  ASSERT_EQ(::setenv("AWS_CA_BUNDLE", ca_file_.c_str(), 1), 0);
  HttpTransport transport;  // reads the variable when it first needs TLS
  auto response = transport.Send(Endpoint{true, "localhost", server.port(), ""}, Get("/env"));
  ::unsetenv("AWS_CA_BUNDLE");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "secure /env");
}

TEST_F(HttpsTransportTest, AnUntrustedCertificateIsRefusedUnlessVerificationIsOff) {
  TlsServer server(certificate_, 2);
  Endpoint endpoint{true, "localhost", server.port(), ""};
  {
    HttpTransport untrusted;  // the system's CAs only
    auto refused = untrusted.Send(endpoint, Get("/"));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
    EXPECT_NE(refused.status().message().find("TLS handshake with localhost"), std::string::npos)
        << refused.status().ToString();
  }
  HttpTransportOptions off;
  off.verify_peer = false;
  HttpTransport unverified(off);
  auto response = unverified.Send(endpoint, Get("/anyway"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "secure /anyway");
}

TEST_F(HttpsTransportTest, TheCertificateMustNameTheHostAskedFor) {
  TlsServer server(certificate_, 1);
  HttpTransport transport(Trusting(ca_file_));
  // Trusted, but issued for "localhost" and not for the address.
  auto refused = transport.Send(Endpoint{true, "127.0.0.1", server.port(), ""}, Get("/"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TLS handshake with 127.0.0.1"), std::string::npos)
      << refused.status().ToString();
}

TEST(HttpTransportTimeoutTest, AServerThatNeverAnswersFailsTheSendAfterTheTimeout) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::promise<void> finished;
  std::thread silent([&] {
    tcp::socket held = acceptor.accept();  // accepts, reads nothing, answers nothing
    finished.get_future().wait();
  });
  HttpTransportOptions options;
  options.io_timeout = std::chrono::milliseconds(200);
  HttpTransport transport(options);
  const auto start = std::chrono::steady_clock::now();
  auto response = transport.Send(
      Endpoint{false, "127.0.0.1", std::to_string(acceptor.local_endpoint().port()), ""}, Get("/"));
  const auto waited = std::chrono::steady_clock::now() - start;
  finished.set_value();
  silent.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(response.status().message().find("timed out after 200 ms"), std::string::npos)
      << response.status().ToString();
  // It did wait for the deadline (and not for the operating system's minutes).
  EXPECT_GE(waited, std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace orgtwin::client
