// File: protocol/query/xml_tree.h
//
// Test-only: a minimal XML reader (elements, attributes, text, entities; no DTDs) used to compare
// the documents the Query serializer writes with the ones AWS writes, ignoring the whitespace AWS
// puts between elements and the order of differently named siblings. Not for production input.
//
// Thread-safety: values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orgtwin::protocol::query::testing {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // character data; whitespace-only text is dropped when there are children
  std::vector<XmlElement> children;
};

// The root element of `document`, or nullopt (with `error` set) if it is not well-formed.
std::optional<XmlElement> ParseXml(std::string_view document, std::string* error);

// "" when equal (same elements, attributes and text; same-named siblings in the same order);
// otherwise a path and a description of the first difference.
std::string DiffXml(const XmlElement& actual, const XmlElement& expected);

}  // namespace orgtwin::protocol::query::testing
