// Fuzz target: the first line of the input is "METHOD PATH?QUERY", the rest the body of a
// rest-json request; exercises routing (URI templates), query/label decoding, body parsing and
// validation. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orgtwin;
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string line = text.substr(0, nl);
  HttpRequest request;
  size_t sp = line.find(' ');
  request.method = line.substr(0, sp);
  request.target = sp == std::string::npos ? "/" : line.substr(sp + 1);
  request.body = nl == std::string::npos ? "" : text.substr(nl + 1);
  request.headers = {{"Content-Type", "application/json"}};
  protocol::RouteOutcome route = protocol::Route(model::Registry::Embedded(), request);
  if (!route.ok) {
    protocol::SerializeError(route.routed.service, route.error, "fuzz");
    return 0;
  }
  auto input = protocol::ParseInput(route.routed, request);
  if (input.ok()) {
    protocol::SerializeOutput(*route.routed.service, *route.routed.operation, *input, "fuzz");
  } else {
    protocol::SerializeError(route.routed.service,
                             protocol::ErrorFromStatus(route.routed.service, input.status()),
                             "fuzz");
  }
  return 0;
}
