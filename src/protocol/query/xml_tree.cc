#include "protocol/query/xml_tree.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orgtwin::protocol::query::testing {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  std::optional<XmlElement> Document(std::string* error) {
    SkipMisc();
    XmlElement root;
    if (!Element(root)) {
      if (error != nullptr) *error = error_ + " at offset " + std::to_string(pos_);
      return std::nullopt;
    }
    SkipMisc();
    if (pos_ != text_.size()) {
      if (error != nullptr) *error = "trailing content at offset " + std::to_string(pos_);
      return std::nullopt;
    }
    return root;
  }

 private:
  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool StartsWith(std::string_view prefix) const {
    return text_.substr(pos_, prefix.size()) == prefix;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  // Prolog, comments and whitespace outside the root.
  void SkipMisc() {
    for (;;) {
      SkipSpace();
      if (StartsWith("<?")) {
        const size_t end = text_.find("?>", pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else if (StartsWith("<!--")) {
        const size_t end = text_.find("-->", pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end + 3;
      } else {
        return;
      }
    }
  }
  std::string Name() {
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '>' || c == '/' || c == '=') {
        break;
      }
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool Decode(std::string_view raw, std::string& out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) return Fail("unterminated entity");
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "amp") {
        out += '&';
      } else if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x';
        const std::string digits(entity.substr(hex ? 2 : 1));
        if (digits.empty()) return Fail("empty character reference");
        AppendUtf8(out, static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10)));
      } else {
        return Fail("unknown entity &" + std::string(entity) + ";");
      }
      i = semi;
    }
    return true;
  }
  static bool IsBlank(std::string_view s) {
    for (char c : s) {
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
    }
    return true;
  }
  bool Element(XmlElement& element) {
    if (!StartsWith("<")) return Fail("expected '<'");
    ++pos_;
    element.name = Name();
    if (element.name.empty()) return Fail("empty element name");
    for (;;) {
      SkipSpace();
      if (StartsWith("/>")) {
        pos_ += 2;
        return true;
      }
      if (StartsWith(">")) {
        ++pos_;
        break;
      }
      std::string attribute = Name();
      if (attribute.empty() || !StartsWith("=")) return Fail("bad attribute");
      ++pos_;
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
        return Fail("unquoted attribute");
      }
      const char quote = text_[pos_++];
      const size_t end = text_.find(quote, pos_);
      if (end == std::string_view::npos) return Fail("unterminated attribute");
      std::string value;
      if (!Decode(text_.substr(pos_, end - pos_), value)) return false;
      element.attributes.emplace_back(std::move(attribute), std::move(value));
      pos_ = end + 1;
    }
    std::string text;
    for (;;) {
      if (pos_ >= text_.size()) return Fail("unterminated element " + element.name);
      if (StartsWith("</")) {
        pos_ += 2;
        if (Name() != element.name) return Fail("mismatched end tag for " + element.name);
        SkipSpace();
        if (!StartsWith(">")) return Fail("bad end tag");
        ++pos_;
        break;
      }
      if (StartsWith("<!--")) {
        const size_t end = text_.find("-->", pos_);
        if (end == std::string_view::npos) return Fail("unterminated comment");
        pos_ = end + 3;
        continue;
      }
      if (StartsWith("<")) {
        element.children.emplace_back();
        if (!Element(element.children.back())) return false;
        continue;
      }
      const size_t end = text_.find('<', pos_);
      const size_t stop = end == std::string_view::npos ? text_.size() : end;
      if (!Decode(text_.substr(pos_, stop - pos_), text)) return false;
      pos_ = stop;
    }
    if (!(element.children.size() > 0 && IsBlank(text))) element.text = std::move(text);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

std::string DiffAt(const XmlElement& actual, const XmlElement& expected, const std::string& path) {
  const std::string here = path + "/" + expected.name;
  if (actual.name != expected.name) {
    return here + ": element <" + actual.name + "> where <" + expected.name + "> was expected";
  }
  if (actual.attributes != expected.attributes) return here + ": attributes differ";
  if (actual.text != expected.text) {
    return here + ": text '" + actual.text + "' where '" + expected.text + "' was expected";
  }
  // Siblings are compared per element name, in document order within a name: XML readers
  // (botocore, the SDKs) look members up by name, and only repeated elements (list items,
  // flattened lists, map entries) carry meaning in their order.
  std::map<std::string, std::vector<const XmlElement*>> want;
  std::map<std::string, std::vector<const XmlElement*>> got;
  for (const XmlElement& child : expected.children) want[child.name].push_back(&child);
  for (const XmlElement& child : actual.children) got[child.name].push_back(&child);
  for (const auto& [name, elements] : got) {
    if (want.find(name) == want.end()) {
      return std::string(here).append(": unexpected element <").append(name).append(">");
    }
  }
  for (const auto& [name, elements] : want) {
    const auto it = got.find(name);
    const size_t count = it == got.end() ? 0 : it->second.size();
    if (count != elements.size()) {
      std::string message = here;
      message.append(": ").append(std::to_string(count)).append(" <").append(name);
      message.append("> where ").append(std::to_string(elements.size())).append(" were expected");
      return message;
    }
    for (size_t i = 0; i < count; ++i) {
      std::string diff = DiffAt(*it->second[i], *elements[i], here);
      if (!diff.empty()) return diff;
    }
  }
  return "";
}

}  // namespace

std::optional<XmlElement> ParseXml(std::string_view document, std::string* error) {
  return Reader(document).Document(error);
}

std::string DiffXml(const XmlElement& actual, const XmlElement& expected) {
  return DiffAt(actual, expected, "");
}

}  // namespace orgtwin::protocol::query::testing
