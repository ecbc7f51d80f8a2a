#include "cli/signup.h"

#include <cstdio>
#include <regex>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace orgtwin::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

int Fail(const std::string& message) {
  std::fprintf(stderr, "orgtwin signup: %s\n", message.c_str());
  return 1;
}

}  // namespace

CLI::App* AddSignupCommand(CLI::App& app, SignupOptions& options) {
  CLI::App* signup =
      app.add_subcommand("signup", "Sign up a standalone account on a running orgtwin");
  signup->add_option("--endpoint", options.endpoint, "orgtwin URL, http://host:port")
      ->capture_default_str();
  signup->add_option("--email", options.email, "the root user's email")->required();
  signup->add_option("--name", options.name, "the account name")->required();
  signup->add_option("--root-password", options.password,
                     "the root user's console password (none until a reset without it)");
  signup->add_flag("--no-payment-method", options.no_payment_method,
                   "leave out the payment method (leaving an organization then fails)");
  signup->add_flag("--no-contact-info", options.no_contact_info,
                   "leave out contact information and phone verification");
  return signup;
}

int RunSignup(const SignupOptions& options) {
  static const std::regex kUrl(R"(http://([^/:]+)(?::(\d+))?/?)");
  std::smatch match;
  if (!std::regex_match(options.endpoint, match, kUrl)) {
    return Fail("--endpoint must be http://host[:port], got `" + options.endpoint + "`");
  }
  const std::string host = match[1];
  const std::string port = match[2].matched ? std::string(match[2]) : "80";
  boost::json::object body{{"Email", options.email},
                           {"AccountName", options.name},
                           {"PaymentMethod", !options.no_payment_method},
                           {"ContactInformation", !options.no_contact_info}};
  if (!options.password.empty()) body["Password"] = options.password;
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request(http::verb::post, "/_orgtwin/signup", 11);
    request.set(http::field::host, host + ":" + port);
    request.set(http::field::content_type, "application/json");
    request.body() = boost::json::serialize(body);
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    if (response.result() != http::status::ok) {
      return Fail("HTTP " + std::to_string(response.result_int()) + ": " + response.body());
    }
    std::printf("%s\n", response.body().c_str());
    return 0;
  } catch (const std::exception& e) {
    // Boost.Asio reports connection failures as exceptions; they end here, in the adapter.
    return Fail(std::string("cannot reach ") + options.endpoint + ": " + e.what());
  }
}

}  // namespace orgtwin::cli
