// libFuzzer target: ParseSigV4 / PeekSigningService / VerifySigV4 over arbitrary header and query
// text. Input layout: lines "target\nauthorization\nx-amz-date\ndate\nbody...", any may be
// missing or empty (an empty line means the header is absent).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view fields[4];
  for (auto& field : fields) {
    size_t nl = in.find('\n');
    field = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  orgtwin::HttpRequest request;
  request.method = "POST";
  request.target = fields[0].empty() ? std::string("/") : std::string(fields[0]);
  request.headers.emplace_back("Host", "sts.amazonaws.com");
  if (!fields[1].empty()) request.headers.emplace_back("Authorization", std::string(fields[1]));
  if (!fields[2].empty()) request.headers.emplace_back("X-Amz-Date", std::string(fields[2]));
  if (!fields[3].empty()) request.headers.emplace_back("Date", std::string(fields[3]));
  request.body = std::string(in);

  (void)orgtwin::auth::PeekSigningService(request);
  auto parsed = orgtwin::auth::ParseSigV4(request);
  if (parsed.ok()) {
    (void)orgtwin::auth::CanonicalRequest(request, *parsed);
    orgtwin::auth::VerifySigV4(request, *parsed, "secret", parsed->request_time).IgnoreError();
    orgtwin::auth::CheckCredentialScope(*parsed, "sts").IgnoreError();
  }
  return 0;
}
