// libFuzzer target: arbitrary bytes as a Query request against every IAM and STS operation.
// Byte 0 picks the operation; the rest up to the first '\n' is the URL query and the remainder
// the form body. A parsed input is then serialized as if it were the output of an operation
// whose output shape is the input shape, to exercise the XML writer on the same values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/query/query_protocol.h"

namespace {

const std::vector<std::pair<const orgtwin::model::ServiceModel*, const orgtwin::model::Operation*>>&
Operations() {
  static const auto* operations = [] {
    auto* list = new std::vector<
        std::pair<const orgtwin::model::ServiceModel*, const orgtwin::model::Operation*>>();
    for (const char* name : {"iam", "sts"}) {
      const auto* service = orgtwin::model::Registry::Embedded().BySigningName(name);
      if (service == nullptr) continue;
      for (const auto& [op_name, op] : service->operations()) list->emplace_back(service, &op);
    }
    return list;
  }();
  return *operations;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& operations = Operations();
  if (size == 0 || operations.empty()) return 0;
  const auto& [service, operation] = operations[data[0] % operations.size()];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t newline = rest.find('\n');

  orgtwin::HttpRequest request;
  request.method = "POST";
  request.target = "/?" + std::string(rest.substr(0, newline));
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (newline != std::string_view::npos) request.body = std::string(rest.substr(newline + 1));

  const auto params = orgtwin::protocol::query::DecodeParams(request);
  auto input = orgtwin::protocol::query::ParseInput(*service, *operation, params);
  if (input.ok()) {
    orgtwin::model::Operation echo = *operation;
    echo.output = operation->input;
    echo.result_wrapper = operation->name + "Result";
    auto response = orgtwin::protocol::query::SerializeOutput(*service, echo, *input, "fuzz");
    if (response.body.empty()) __builtin_trap();
  } else {
    orgtwin::protocol::AwsError error{
        input.status().aws_code(), input.status().message(), 400, true, {}};
    auto response = orgtwin::protocol::query::SerializeError(*service, error, "fuzz");
    if (response.body.empty()) __builtin_trap();
  }
  return 0;
}
