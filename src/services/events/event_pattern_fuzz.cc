// libFuzzer target: the event-pattern parser must never crash, hang or recurse without bound on
// any input; a pattern that compiles is also matched against a fixed event and against itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/events/event_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pattern = orgtwin::services::events::EventPattern::Parse(text);
  if (pattern.ok()) {
    static const boost::json::value kEvent = boost::json::parse(R"({
      "version": "0", "id": "e", "detail-type": "AWS API Call via CloudTrail",
      "source": "aws.signin", "account": "111122223333", "time": "2026-01-01T00:00:00Z",
      "region": "us-east-1", "resources": [], "detail": {"eventName": "ConsoleLogin",
      "userIdentity": {"type": "Root"}, "n": 5, "ok": true, "none": null,
      "list": [{"a": 1}, {"a": "x"}], "ip": "10.0.0.1"}})");
    (void)pattern->Matches(kEvent);
    boost::system::error_code ec;
    boost::json::value self = boost::json::parse(text, ec);
    if (!ec) (void)pattern->Matches(self);
  }
  return 0;
}
