// File: common/http_message.h
//
// HttpRequest / HttpResponse: the plain HTTP messages that pass between server/ (which speaks
// Beast) and the layers above it (protocol/, auth/, the dispatcher), so that nothing above the
// server depends on Beast and tests can build requests by hand.
//
// Thread-safety: values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgtwin {

// Case-insensitive ASCII comparison for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as received: path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order, names as sent
  std::string body;
  std::string remote_address;  // peer IP, for aws:SourceIp and logs

  // The path part of `target` (still percent-encoded) and the raw query after '?' ("" if none).
  std::string_view Path() const;
  std::string_view RawQuery() const;
  // First header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
};

}  // namespace orgtwin
