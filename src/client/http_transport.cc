#include "client/http_transport.h"

#include <optional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
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

// One keep-alive connection. Blocking I/O on its own io_context, so connections never share
// state and a Send needs no event loop of the caller's.
class HttpTransport::Connection {
 public:
  Connection() : socket_(io_) {}

  Status Connect(const Endpoint& endpoint, ssl::context* tls) {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec) return UnavailableError("cannot resolve " + endpoint.host + ": " + ec.message());
    if (tls == nullptr) {
      asio::connect(socket_, results, ec);
      if (ec) return UnavailableError("cannot connect to " + endpoint.host + ": " + ec.message());
      socket_.set_option(tcp::no_delay(true), ec);
      return Status();
    }
    stream_.emplace(io_, *tls);
    // SNI and host-name verification: the certificate must name the host we asked for.
    if (!SSL_set_tlsext_host_name(stream_->native_handle(), endpoint.host.c_str())) {
      return UnavailableError("cannot set TLS SNI for " + endpoint.host);
    }
    stream_->set_verify_callback(ssl::host_name_verification(endpoint.host));
    asio::connect(beast::get_lowest_layer(*stream_), results, ec);
    if (ec) return UnavailableError("cannot connect to " + endpoint.host + ": " + ec.message());
    stream_->handshake(ssl::stream_base::client, ec);
    if (ec) return UnavailableError("TLS handshake with " + endpoint.host + ": " + ec.message());
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

    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    if (stream_) {
      http::write(*stream_, out, ec);
      if (!ec) http::read(*stream_, buffer_, parser, ec);
    } else {
      http::write(socket_, out, ec);
      if (!ec) http::read(socket_, buffer_, parser, ec);
    }
    if (ec) {
      *nothing_received = !parser.got_some();
      return UnavailableError("HTTP exchange failed: " + ec.message());
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
  asio::io_context io_;
  tcp::socket socket_;                                    // plain HTTP
  std::optional<beast::ssl_stream<tcp::socket>> stream_;  // HTTPS
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
      if (!ec && !impl_->options.ca_file.empty()) {
        context->load_verify_file(impl_->options.ca_file, ec);
      }
      if (ec) return UnavailableError("TLS setup: " + ec.message());
      context->set_verify_mode(impl_->options.verify_peer ? ssl::verify_peer : ssl::verify_none);
      impl_->tls = std::move(context);
    }
    tls = impl_->tls.get();
  }
  auto connection = std::make_unique<Connection>();
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
