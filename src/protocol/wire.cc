#include "protocol/wire.h"

#include <chrono>
#include <cmath>
#include <cstdint>

#include "common/clock.h"

namespace orgtwin::protocol::wire {

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    // Continuation bytes (10xxxxxx) do not start a code point.
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string LowerCamel(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] + 32);
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query,
                                                                  bool plus_is_space) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    auto k = PercentDecode(key, plus_is_space);
    auto v = PercentDecode(value, plus_is_space);
    out.emplace_back(k ? std::move(*k) : std::string(key), v ? std::move(*v) : std::string(value));
  }
  return out;
}

bool IsBase64(std::string_view text) {
  size_t data = text.size();
  while (data > 0 && text[data - 1] == '=') --data;
  if (text.size() - data > 2) return false;
  if (text.size() != data && text.size() % 4 != 0) return false;
  if (data % 4 == 1) return false;
  for (size_t i = 0; i < data; ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

std::optional<double> ToEpochSeconds(const boost::json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) {
    double d = value.get_double();
    if (!std::isfinite(d)) return std::nullopt;
    return d;
  }
  if (value.is_string()) {
    TimePoint t;
    if (!ParseTimestamp(std::string(value.get_string()), &t)) return std::nullopt;
    return orgtwin::ToEpochSeconds(t);
  }
  return std::nullopt;
}

boost::json::value EpochSecondsJson(double seconds) {
  double whole = std::floor(seconds);
  if (whole == seconds && std::fabs(seconds) < 9.0e15) {
    return boost::json::value(static_cast<std::int64_t>(seconds));
  }
  // Millisecond precision, as AWS writes it.
  return boost::json::value(std::round(seconds * 1000.0) / 1000.0);
}

std::string_view CredentialScopeService(std::string_view text) {
  size_t start = text.find("Credential=");
  if (start != std::string_view::npos) text = text.substr(start + 11);
  size_t end = text.find_first_of(", ");
  text = text.substr(0, end);
  // AKID/date/region/service/aws4_request
  size_t pos = 0;
  for (int slash = 0; slash < 3; ++slash) {
    pos = text.find('/', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t service_end = text.find('/', pos);
  if (service_end == std::string_view::npos) return {};
  return text.substr(pos, service_end - pos);
}

}  // namespace orgtwin::protocol::wire
