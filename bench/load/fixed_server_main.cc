// orgtwin-fixed-server: the ceiling for bench/load. It runs the same HttpServer as `orgtwin
// serve` but answers every request with one small fixed 200 response, so the difference between
// it and orgtwin is exactly the cost of orgtwin's request pipeline (routing, SigV4, policy,
// storage, serialization).
//
//   orgtwin-fixed-server --port P [--threads T] [--host 127.0.0.1]
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "common/http_message.h"
#include "server/http_server.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"orgtwin-fixed-server: fixed 200 response on the orgtwin HTTP stack"};
  orgtwin::server::ServerOptions options;
  options.threads = 0;
  app.add_option("--host", options.host)->capture_default_str();
  app.add_option("--port", options.port)->required();
  app.add_option("--threads", options.threads, "I/O threads, 0 = one per core")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Roughly the size of an STS GetCallerIdentity reply, so the byte counts are comparable.
  static const std::string kBody =
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn>"
      "<UserId>123456789012</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
      "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
      "</ResponseMetadata></GetCallerIdentityResponse>";
  orgtwin::server::HttpServer server(options, [](orgtwin::HttpRequest&&) {
    orgtwin::HttpResponse response;
    response.status = 200;
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = kBody;
    return response;
  });
  orgtwin::Status status = server.Start();
  if (!status.ok()) {
    std::cerr << "orgtwin-fixed-server: " << status.ToString() << "\n";
    return 1;
  }
  std::cout << "listening on " << options.host << ":" << server.port() << std::endl;
  server.RunUntilSignal();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "orgtwin-fixed-server: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "orgtwin-fixed-server: unknown exception\n";
  }
  return 1;
}
