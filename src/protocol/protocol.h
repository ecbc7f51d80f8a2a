// File: protocol/protocol.h
//
// The model-driven wire layer: one generic parser and serializer per AWS protocol, walking the
// shapes of model/ at run time (LocalStack ASF's parser.py/serializer.py idea).
//
//   HttpRequest --Route()--> RoutedRequest{service, operation}
//               --ParseInput()--> boost::json::object (validated input, protocol-neutral)
//   handler --> boost::json::object (output) --SerializeOutput()--> HttpResponse
//   Status/AwsError --SerializeError()--> HttpResponse (the service's own error layout)
//
// Protocols: JSON 1.1 (organizations, cloudtrail, billing, invoicing), Query with XML responses
// (iam, sts), rest-json (account).
//
// The protocol-neutral value form (input and output):
//   structure -> object keyed by member name (model name, not wire name); absent = not set
//   list -> array; map -> object; string -> string; integer/long -> int64; float/double -> double
//   boolean -> bool; blob -> string holding the base64 text (as on every AWS wire)
//   timestamp -> double, seconds since the epoch (input is normalized to this; output accepts a
//                number or an ISO 8601 string and writes the protocol's own format)
//
// Thread-safety: free functions over immutable models; safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"
#include "protocol/aws_error.h"

namespace orgtwin::protocol {

// Builds the wire error for `status` in `service`:
//  - status.aws_code() names a modeled error -> that shape's code and HTTP status;
//  - it names a common AWS error (MissingAuthenticationToken, IncompleteSignature,
//    InvalidClientTokenId, SignatureDoesNotMatch, RequestExpired, AccessDenied, ExpiredToken,
//    ValidationError/ValidationException, InternalFailure, ThrottlingException, ...) -> its
//    well-known status;
//  - otherwise a code derived from status.code() (kInternal -> InternalFailure 500, ...).
// `service` may be null when routing failed; the error is then rendered generically.
AwsError ErrorFromStatus(const model::ServiceModel* service, const Status& status);

struct RoutedRequest {
  const model::ServiceModel* service = nullptr;
  const model::Operation* operation = nullptr;
  // Query protocol: the decoded parameters (from the form body or the URL query), kept so
  // ParseInput does not decode them twice.
  std::vector<std::pair<std::string, std::string>> params;
  // rest-json: values of {labels} in the operation's request URI.
  std::map<std::string, std::string> labels;
};

// Finds service and operation for `request`:
//  - JSON: `X-Amz-Target: <TargetPrefix>.<Operation>`;
//  - Query: the `Action` and `Version` parameters (Version picks iam vs sts; the SigV4
//    credential scope's service is used when Version is absent);
//  - rest-json: method + path against the operations' request URIs.
// On failure `error` is set with the AWS error for it (UnknownOperationException for JSON,
// InvalidAction for Query, UnknownOperationException/404 for rest-json, a generic error when no
// service matches) and `service` is set if the service itself was recognized.
struct RouteOutcome {
  RoutedRequest routed;
  bool ok = false;
  AwsError error;
};
RouteOutcome Route(const model::Registry& registry, const HttpRequest& request);

// Parses and validates the input of `routed.operation` from `request` against the model:
// required members, lengths, ranges, enums, patterns, list sizes, unknown members, types.
// On failure returns a Status whose aws_code()/message() are exactly what AWS returns for that
// service and protocol (e.g. IAM "ValidationError" "1 validation error detected: Value null at
// 'roleName' failed to satisfy constraint: Member must not be null"; Organizations
// InvalidInputException with Reason; Account ValidationException with reason/fieldList).
Result<boost::json::object> ParseInput(const RoutedRequest& routed, const HttpRequest& request);

// Serializes a successful result. `output` uses the neutral value form above; members not in
// the output shape are ignored. Adds the request-id header (x-amzn-RequestId) and, for Query,
// the <ResponseMetadata><RequestId>.
HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const boost::json::object& output, std::string_view request_id);

// Serializes an error in the service's protocol: JSON `{"__type": ..., "message"/"Message": ...}`
// plus `x-amzn-ErrorType`; Query `<ErrorResponse><Error><Type>Sender</Type><Code>..`; rest-json
// body + `x-amzn-ErrorType`. `service` may be null (generic JSON error).
HttpResponse SerializeError(const model::ServiceModel* service, const AwsError& error,
                            std::string_view request_id);

}  // namespace orgtwin::protocol
