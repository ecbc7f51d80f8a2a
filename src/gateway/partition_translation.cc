#include "gateway/partition_translation.h"

namespace orgtwin::gateway {

namespace {

std::string Replace(std::string_view text, const std::string& pattern,
                    const std::string& replacement) {
  std::string out;
  size_t start = 0;
  for (size_t at = text.find(pattern); at != std::string_view::npos;
       at = text.find(pattern, start)) {
    out.append(text.substr(start, at - start)).append(replacement);
    start = at + pattern.size();
  }
  if (start == 0) return std::string(text);
  out.append(text.substr(start));
  return out;
}

}  // namespace

std::string RewriteArnPartition(std::string_view text, std::string_view from, std::string_view to) {
  const std::string from_text(from);
  const std::string to_text(to);
  std::string out = Replace(text, "arn:" + from_text + ":", "arn:" + to_text + ":");
  // IAM's answers carry policy documents URL-encoded (RFC 3986, upper-case hex), as the twin
  // stores them.
  if (out.find("arn%3A") != std::string::npos) {
    out = Replace(out, "arn%3A" + from_text + "%3A", "arn%3A" + to_text + "%3A");
  }
  return out;
}

void RewriteArnPartition(boost::json::object& object, std::string_view from, std::string_view to) {
  for (auto& entry : object) RewriteArnPartition(entry.value(), from, to);
}

void RewriteArnPartition(boost::json::value& value, std::string_view from, std::string_view to) {
  if (value.is_string()) {
    const boost::json::string& text = value.get_string();
    const std::string_view view(text.data(), text.size());
    if (view.find("arn") == std::string_view::npos) return;
    value = RewriteArnPartition(view, from, to);
  } else if (value.is_object()) {
    RewriteArnPartition(value.get_object(), from, to);
  } else if (value.is_array()) {
    for (boost::json::value& element : value.get_array()) RewriteArnPartition(element, from, to);
  }
}

}  // namespace orgtwin::gateway
