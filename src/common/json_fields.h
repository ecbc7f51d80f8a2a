// File: common/json_fields.h
//
// Reading members of a JSON object (a request's input, a stored record, an AWS response) the way
// handlers and the engine want them: a member that is absent or of another type reads as empty,
// because what the caller does with a missing field is the same as with an empty one (compare,
// default, or report the object as not there). Validation that must tell "absent" from "wrong
// type" reads the member itself. One copy for the services, the gateway and the engine.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace orgtwin::json_fields {

// The string member `key`, "" when absent or not a string.
inline std::string Str(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The object member `key`, an empty object when absent or not an object.
inline const boost::json::object& Obj(const boost::json::object& object, std::string_view key) {
  static const boost::json::object kEmpty;
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? value->as_object() : kEmpty;
}

// The array member `key`, an empty array when absent or not an array.
inline const boost::json::array& Arr(const boost::json::object& object, std::string_view key) {
  static const boost::json::array kEmpty;
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_array() ? value->as_array() : kEmpty;
}

}  // namespace orgtwin::json_fields
