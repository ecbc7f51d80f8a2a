// File: protocol/client_codec.h
//
// The client side of the wire protocols: the inverse of protocol.h, driven by the same models.
//
//   neutral input --SerializeRequest()--> HttpRequest (method, target, Content-Type,
//                                          X-Amz-Target, body; unsigned, no Host)
//   HttpResponse 2xx --ParseResponse()--> neutral output
//   HttpResponse otherwise --ParseErrorResponse()--> AwsError (code, message, status, fields)
//
// JSON 1.1 (Organizations, ...), Query with XML responses (IAM, STS), rest-json (Account). The
// neutral form is protocol.h's. What botocore writes and reads is the oracle
// (client_codec_test.cc replays tests/conformance/protocol/{json,rest_json,query,client}).
//
// Thread-safety: pure functions over immutable models.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"
#include "protocol/aws_error.h"

namespace orgtwin::protocol {

// Serializes `input` (neutral form; members not in the input shape are ignored) into the request
// botocore would build for `operation`. The result has no Host, X-Amz-Date or Authorization
// header: the caller adds Host and signs. Errors: kInvalidInput when a rest-json URI label is
// missing; kInternal for a protocol this build cannot write.
Result<HttpRequest> SerializeRequest(const model::ServiceModel& service,
                                     const model::Operation& operation,
                                     const boost::json::object& input);

// Parses a successful (2xx) response into the neutral output of `operation` ({} when the
// operation has no output). Errors: kInternal with a description when the body is not the
// protocol's document (malformed JSON/XML, wrong root element, a value of the wrong type).
Result<boost::json::object> ParseResponse(const model::ServiceModel& service,
                                          const model::Operation& operation,
                                          const HttpResponse& response);

// Reads the AWS error in a non-2xx response as botocore does: code (namespace prefix "ns#" and
// ":uri" suffix stripped), message, HTTP status, sender fault (Query <Type>; else status < 500),
// and the members of the modeled error shape for that code (Organizations Reason, Account
// reason/fieldList, ...) in `fields`: strings as-is, other values as JSON text. A body that is
// not an error document yields the HTTP status as the code (botocore's generic error).
AwsError ParseErrorResponse(const model::ServiceModel& service, const HttpResponse& response);

// The request id AWS sent: x-amzn-RequestId / x-amz-request-id, else the Query
// <RequestId> element; "" when none.
std::string ResponseRequestId(const HttpResponse& response);

}  // namespace orgtwin::protocol
