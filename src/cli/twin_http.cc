#include "cli/twin_http.h"

#include <cstdio>

#include "auth/sigv4.h"
#include "client/http_transport.h"
#include "common/clock.h"

namespace orgtwin::cli {

Result<TwinAnswer> PostJson(const std::string& endpoint, const std::string& path,
                            const boost::json::object& body, const client::Credentials* signer) {
  auto parsed = client::ParseEndpoint(endpoint);
  if (!parsed.ok()) {
    return InvalidInputError("--endpoint must be http(s)://host[:port], got `" + endpoint +
                             "`: " + parsed.status().message());
  }
  HttpRequest request;
  request.method = "POST";
  request.target = parsed->base_path + path;
  request.headers.emplace_back("Host", parsed->HostHeader());
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = boost::json::serialize(body);
  if (signer != nullptr) {
    // The extension service is global, signed for us-east-1 as the twin's own client signs it.
    auth::SignRequest(request, signer->access_key_id, signer->secret_access_key, "us-east-1",
                      "orgtwin", SystemClock().Now(), signer->session_token);
  }
  // The transport itself trusts $AWS_CA_BUNDLE besides the system roots (a twin serving TLS).
  client::HttpTransport transport;
  auto response = transport.Send(*parsed, request);
  if (!response.ok()) {
    return UnavailableError("cannot reach " + endpoint + ": " + response.status().message());
  }
  return TwinAnswer{response->status, std::move(response->body)};
}

int Fail(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "orgtwin %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return 1;
}

int PrintAnswer(std::string_view command, const Result<TwinAnswer>& answer) {
  if (!answer.ok()) return Fail(command, answer.status().message());
  if (answer->status != 200) {
    return Fail(command, "HTTP " + std::to_string(answer->status) + ": " + answer->body);
  }
  std::printf("%s\n", answer->body.c_str());
  return 0;
}

}  // namespace orgtwin::cli
