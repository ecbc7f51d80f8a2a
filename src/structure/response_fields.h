// File: structure/response_fields.h
//
// Reading members of an AWS response (the neutral JSON of protocol/protocol.h) the way the engine
// wants them: a member that is absent or of another type reads as empty, because what the engine
// does with a missing field is the same as with an empty one (compare, or report the object as
// not there). One copy for plan/apply, import and the playbooks.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace orgtwin::structure::fields {

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

}  // namespace orgtwin::structure::fields
