// File: services/events/event_pattern.h
//
// EventBridge's event-pattern language (user guide "Event patterns" and "Content filtering"),
// compiled once and matched against events. A pattern is a JSON object whose leaves are arrays of
// values (OR); fields AND together, nested objects match into nested objects (and into the
// elements of arrays of objects, one element at a time), and `$or` forks alternatives. A leaf
// array holds exact values (string, number compared as a number, true, false, null) and
// content filters: prefix, suffix (both also {"equals-ignore-case": ...}), equals-ignore-case,
// anything-but (a value, a list, or prefix/suffix/wildcard/equals-ignore-case), numeric
// (=, <, <=, >, >= and ranges), exists, wildcard and cidr. An event value that is an array
// matches when any of its elements matches.
//
// Parse errors answer InvalidEventPatternException with AWS's "Event pattern is not valid.
// Reason: ..." and, where it could be established, Event Ruler's own reason text.
//
// Thread-safety: an EventPattern is immutable after Parse; Matches is safe from any thread.
// Copies share the compiled form.
#pragma once

#include <memory>
#include <string_view>

#include <boost/json.hpp>

#include "common/status.h"

namespace orgtwin::services::events {

namespace internal {
struct Node;  // event_pattern.cc
}  // namespace internal

class EventPattern {
 public:
  // Compiles `pattern_json`. Errors: kInvalidInput with aws_code InvalidEventPatternException.
  static Result<EventPattern> Parse(std::string_view pattern_json);

  // Whether `event` (an EventBridge envelope, or any JSON object) matches.
  bool Matches(const boost::json::value& event) const;

 private:
  explicit EventPattern(std::shared_ptr<const internal::Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const internal::Node> root_;
};

}  // namespace orgtwin::services::events
