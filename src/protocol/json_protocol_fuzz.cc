// Fuzz target: any bytes as the body of any JSON-protocol operation (chosen by the first byte),
// through routing, parsing and validation. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orgtwin;
  static const std::vector<std::string> kTargets = [] {
    std::vector<std::string> out;
    for (const model::ServiceModel* s : model::Registry::Embedded().services()) {
      if (s->protocol != model::Protocol::kJson) continue;
      for (const auto& [name, op] : s->operations()) out.push_back(s->target_prefix + "." + name);
    }
    return out;
  }();
  if (size == 0) return 0;
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"X-Amz-Target", kTargets[data[0] % kTargets.size()]}};
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  protocol::RouteOutcome route = protocol::Route(model::Registry::Embedded(), request);
  if (!route.ok) return 0;
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
