#include "client/http_transport.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace orgtwin::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

std::string PoolKey(const Endpoint& endpoint) {
  return (endpoint.tls ? "https://" : "http://") + endpoint.host + ":" + endpoint.port;
}

}  // namespace

// One keep-alive connection, on its own io_context, so connections never share state and a Send
// needs no event loop of the caller's. Each step (connect, handshake, write, read) is an
// asynchronous operation run to completion on that context under a deadline (beast::tcp_stream's
// expiry): blocking socket calls have none, and Asio's synchronous reads ignore SO_RCVTIMEO.
class HttpTransport::Connection {
 public:
  explicit Connection(std::chrono::milliseconds io_timeout)
      : io_timeout_(io_timeout), plain_(io_) {}

  Status Connect(const Endpoint& endpoint, ssl::context* tls) {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec) return UnavailableError("cannot resolve " + endpoint.host + ": " + ec.message());
    beast::tcp_stream& lowest = tls == nullptr ? plain_ : Tls(tls);
    lowest.expires_after(io_timeout_);
    ec = Run([&](auto done) { lowest.async_connect(results, done); });
    if (ec) return UnavailableError("cannot connect to " + endpoint.host + ": " + Describe(ec));
    lowest.socket().set_option(tcp::no_delay(true), ec);
    if (tls == nullptr) return Status();
    // SNI and host-name verification: the certificate must name the host we asked for.
    if (!SSL_set_tlsext_host_name(stream_->native_handle(), endpoint.host.c_str())) {
      return UnavailableError("cannot set TLS SNI for " + endpoint.host);
    }
    stream_->set_verify_callback(ssl::host_name_verification(endpoint.host));
    lowest.expires_after(io_timeout_);
    ec = Run([&](auto done) { stream_->async_handshake(ssl::stream_base::client, done); });
    if (ec) return UnavailableError("TLS handshake with " + endpoint.host + ": " + Describe(ec));
    return Status();
  }

  // Writes `request` and reads the response. `*nothing_received` tells a retryable failure
  // (the connection was dead before any response byte) from one mid-response.
  Result<HttpResponse> RoundTrip(const HttpRequest& request, bool* nothing_received) {
    *nothing_received = true;
    http::request<http::string_body> out;
    out.method_string(request.method);
    out.target(request.target);
    out.version(11);
    for (const auto& [name, value] : request.headers) out.insert(name, value);
    out.body() = request.body;
    out.prepare_payload();  // Content-Length: framing, not signed (as the SDKs leave it)
    out.keep_alive(true);

    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    beast::tcp_stream& lowest = stream_ ? beast::get_lowest_layer(*stream_) : plain_;
    lowest.expires_after(io_timeout_);
    beast::error_code ec = Run([&](auto done) {
      if (stream_) {
        http::async_write(*stream_, out, done);
      } else {
        http::async_write(plain_, out, done);
      }
    });
    if (!ec) {
      lowest.expires_after(io_timeout_);
      ec = Run([&](auto done) {
        if (stream_) {
          http::async_read(*stream_, buffer_, parser, done);
        } else {
          http::async_read(plain_, buffer_, parser, done);
        }
      });
    }
    if (ec) {
      *nothing_received = !parser.got_some();
      return UnavailableError("HTTP exchange failed: " + Describe(ec));
    }
    *nothing_received = false;
    http::response<http::string_body> in = parser.release();
    HttpResponse response;
    response.status = static_cast<int>(in.result_int());
    for (const auto& field : in) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(in.body());
    reusable_ = in.keep_alive();
    return response;
  }

  bool reusable() const { return reusable_; }

 private:
  beast::tcp_stream& Tls(ssl::context* tls) {
    stream_.emplace(io_, *tls);
    return beast::get_lowest_layer(*stream_);
  }

  // Starts one asynchronous operation with a completion handler and runs the context until it
  // completed; its error code (beast::error::timeout when the stream's deadline passed). The
  // handler takes whatever else the operation reports (bytes, the endpoint connected to).
  template <typename Start>
  beast::error_code Run(Start&& start) {
    beast::error_code result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  std::string Describe(const beast::error_code& ec) const {
    if (ec == beast::error::timeout) {
      return "timed out after " + std::to_string(io_timeout_.count()) + " ms";
    }
    return ec.message();
  }

  std::chrono::milliseconds io_timeout_;
  asio::io_context io_;
  beast::tcp_stream plain_;                                     // HTTP
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;  // HTTPS
  beast::flat_buffer buffer_;
  bool reusable_ = true;
};

struct HttpTransport::Impl {
  HttpTransportOptions options;
  std::unique_ptr<ssl::context> tls;  // built on first HTTPS use
  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // GUARDED_BY(mutex)
  size_t opened = 0;                                                     // GUARDED_BY(mutex)
};

HttpTransport::HttpTransport(HttpTransportOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

HttpTransport::~HttpTransport() = default;

size_t HttpTransport::connections_opened() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->opened;
}

Result<std::unique_ptr<HttpTransport::Connection>> HttpTransport::Open(const Endpoint& endpoint) {
  ssl::context* tls = nullptr;
  if (endpoint.tls) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (!impl_->tls) {
      auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
      beast::error_code ec;
      context->set_default_verify_paths(ec);
      std::string ca_file = impl_->options.ca_file;
      if (const char* env = std::getenv("AWS_CA_BUNDLE"); ca_file.empty() && env != nullptr) {
        // AWS-COMPAT: botocore trusts only the AWS_CA_BUNDLE it is given; we add it to the
        // system's roots, as ca_file does, so a bundle of the twin's certificate alone still
        // lets the same transport reach AWS.
        ca_file = env;
      }
      if (!ec && !ca_file.empty()) context->load_verify_file(ca_file, ec);
      if (ec) {
        return UnavailableError(
            "TLS setup: " + (ca_file.empty() ? "" : "CA bundle `" + ca_file + "`: ") +
            ec.message());
      }
      context->set_verify_mode(impl_->options.verify_peer ? ssl::verify_peer : ssl::verify_none);
      impl_->tls = std::move(context);
    }
    tls = impl_->tls.get();
  }
  auto connection = std::make_unique<Connection>(impl_->options.io_timeout);
  OT_RETURN_IF_ERROR(connection->Connect(endpoint, tls));
  std::lock_guard<std::mutex> lock(impl_->mutex);
  ++impl_->opened;
  return connection;
}

Result<HttpResponse> HttpTransport::Send(const Endpoint& endpoint, const HttpRequest& request) {
  const std::string key = PoolKey(endpoint);
  std::unique_ptr<Connection> connection;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto& idle = impl_->idle[key];
    if (!idle.empty()) {
      connection = std::move(idle.back());
      idle.pop_back();
    }
  }
  const bool pooled = connection != nullptr;
  if (!pooled) {
    OT_ASSIGN_OR_RETURN(connection, Open(endpoint));
  }
  bool nothing_received = false;
  auto response = connection->RoundTrip(request, &nothing_received);
  if (!response.ok() && pooled && nothing_received) {
    // The pooled connection had been closed by the server while idle: one fresh try.
    OT_ASSIGN_OR_RETURN(connection, Open(endpoint));
    response = connection->RoundTrip(request, &nothing_received);
  }
  if (response.ok() && connection->reusable()) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto& idle = impl_->idle[key];
    if (idle.size() < impl_->options.max_idle_per_endpoint) idle.push_back(std::move(connection));
  }
  return response;
}

}  // namespace orgtwin::client
