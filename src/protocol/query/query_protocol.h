// File: protocol/query/query_protocol.h
//
// The AWS Query protocol (IAM, STS): form-encoded requests, XML responses, walked generically over
// the loaded model (model/service_model.h) into and out of the protocol-neutral value form of
// protocol/protocol.h.
//
//   HttpRequest --DecodeParams--> [(key, value)...] --ParseInput--> boost::json::object
//       "Tags.member.1.Key=k" -> {"Tags": [{"Key": "k"}]}; then ValidateInput (validation.h)
//   boost::json::object --SerializeOutput--> <OpResponse xmlns=..><OpResult>..</OpResult>
//                                            <ResponseMetadata><RequestId>..</RequestId>..
//   AwsError --SerializeError--> <ErrorResponse xmlns=..><Error><Type>Sender</Type>..
//
// Thread-safety: free functions over immutable models; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"
#include "protocol/aws_error.h"

namespace orgtwin::protocol::query {

using Params = std::vector<std::pair<std::string, std::string>>;

// The decoded parameters of a Query request: those of the URL query string first, then those of
// a form-urlencoded body (Content-Type application/x-www-form-urlencoded, any parameters such as
// "; charset=utf-8" allowed). '+' decodes to a space and %XX to its byte; a malformed escape is
// kept literally. Repeated keys are kept, in order. Never fails.
Params DecodeParams(const HttpRequest& request);

// Builds the neutral input of `operation` from `params` and validates it with ValidateInput.
// Recognized forms: nested structures with dots ("A.B"), lists ("L.member.N" or the list member's
// locationName; flattened lists "L.N"), maps ("M.entry.N.key/value", key/value locationNames,
// flattened "M.N.key"), an empty value for a list or map meaning empty. Action, Version and
// presigned SigV4 parameters (X-Amz-*) are skipped; any other unknown key is ignored, as AWS
// Query services do. When a key repeats, the last value wins (so a form body overrides the URL).
// Errors: MalformedInput (400) for a value of the wrong type (integer, double, boolean,
// timestamp), or the service's validation error from ValidateInput.
Result<boost::json::object> ParseInput(const model::ServiceModel& service,
                                       const model::Operation& operation, const Params& params);

// The XML response for a successful call: members absent from `output` (or null) are omitted;
// members not in the output shape are ignored. Status = operation.success_status, Content-Type
// text/xml, header x-amzn-RequestId.
HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const boost::json::object& output, std::string_view request_id);

// The <ErrorResponse> document for `error`, with its HTTP status; `error.fields` become extra
// children of <Error> after <Message>.
HttpResponse SerializeError(const model::ServiceModel& service, const AwsError& error,
                            std::string_view request_id);

// Client side (protocol/client_codec.h), the inverse of the three functions above.
//
// The form body botocore's QuerySerializer writes for `input`: Action and Version first, then the
// members in the order of `input`, with botocore's key forms (A.B, L.member.N or the list
// member's locationName, flattened L.N, M.entry.N.key/value) and form encoding (space as '+').
std::string SerializeParams(const model::ServiceModel& service, const model::Operation& operation,
                            const boost::json::object& input);
// The neutral output from an <OpResponse> document (inside <OpResult> when the operation has a
// result wrapper). Errors: kInternal when the document is malformed or a value has the wrong type.
Result<boost::json::object> ParseOutputXml(const model::Operation& operation,
                                           std::string_view body);
// The <ErrorResponse><Error> (or <Response><Errors><Error>) of an error document: code, message,
// Type=Receiver -> !sender_fault, the other children of <Error> as fields. `request_id`
// (optional) receives <RequestId>. False when `body` is not such a document.
bool ParseErrorXml(std::string_view body, AwsError* error, std::string* request_id);

// Helpers shared by the parser, serializer and tests.
namespace internal {
// Appends `text` to `out` with & < > " ' (and CR) escaped for XML text and attribute values.
void AppendXmlEscaped(std::string& out, std::string_view text);
// Parses an ISO 8601 date-time ("2026-11-27T23:07:44Z", fractional seconds and +hh:mm offsets
// allowed) into seconds since the epoch. False if `text` is not one.
bool ParseIso8601(std::string_view text, double& epoch_seconds);
// Appends `epoch_seconds` as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, truncated toward the past).
void AppendIso8601(std::string& out, double epoch_seconds);
}  // namespace internal

}  // namespace orgtwin::protocol::query
