// File: protocol/json_protocol.h
//
// The AWS JSON 1.0/1.1 protocol (Organizations, CloudTrail, billing, invoicing), plus the JSON
// document codec that rest-json (rest_json_protocol.h) shares: wire JSON <-> the neutral value
// form of protocol.h, walking the model shapes.
//
// Thread-safety: pure functions over immutable models.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"
#include "protocol/aws_error.h"

namespace orgtwin::protocol::json_protocol {

// Wire JSON object -> neutral structure of `shape`. Members are looked up by wire name (model
// locationName, else name); unknown members are dropped; JSON null counts as absent. A value of
// the wrong JSON type yields SerializationException (kInvalidInput), as AWS answers.
Result<boost::json::object> StructureFromWire(const model::Shape& shape,
                                              const boost::json::object& wire);

// Parses a request body: empty (or whitespace) body = {}; malformed JSON or a non-object ->
// SerializationException. Members with an HTTP location (rest-json) are skipped.
Result<boost::json::object> ParseBody(const model::Shape* input, std::string_view body);

// Neutral structure -> wire JSON object for `shape` (body members only: members bound to a
// header/uri/querystring/statusCode location are skipped). Timestamps become epoch seconds,
// members not in the shape are ignored.
boost::json::object StructureToWire(const model::Shape& shape, const boost::json::object& neutral);

// "application/x-amz-json-1.1" (or -1.0 per the model's jsonVersion).
std::string ContentType(const model::ServiceModel& service);

// JSON protocol success response: 200, body = StructureToWire(output) ("{}" without output).
HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const boost::json::object& output, std::string_view request_id);

// JSON error body {"__type": code, "message"|"Message": text, extra fields typed per the error
// shape}, with x-amzn-ErrorType and x-amzn-RequestId headers. `content_type` picks the
// Content-Type header (JSON protocol vs rest-json's application/json).
HttpResponse SerializeError(const model::ServiceModel* service, const AwsError& error,
                            std::string_view request_id, std::string_view content_type);

}  // namespace orgtwin::protocol::json_protocol
