// File: protocol/validation.h
//
// Model-driven input validation, shared by every protocol's parser: after a parser has turned the
// wire input into the protocol-neutral value form (protocol.h), ValidateInput checks it against
// the operation's input shape -- required members, string/blob/list/map lengths, numeric ranges,
// enums, patterns, unknown members, value types -- and reports the first error(s) exactly as the
// service does on AWS (the error code, message text and extra fields differ per service; see
// validation.cc for the per-service styles and the tests that pin them).
//
// Thread-safety: pure function over immutable models; compiled patterns are cached thread-safely.
#pragma once

#include <boost/json.hpp>

#include "common/status.h"
#include "model/service_model.h"

namespace orgtwin::protocol {

// OK, or a Status with aws_code()/message()/fields() set to the service's validation error.
Status ValidateInput(const model::ServiceModel& service, const model::Shape& input_shape,
                     const boost::json::object& input);

// Whether `shape.pattern` is enforced: it compiled with RE2 (after translating Java's \uXXXX
// escapes) or, for look-around, with std::regex. False only for patterns neither accepts.
bool PatternIsEnforced(const model::Shape& shape);

}  // namespace orgtwin::protocol
