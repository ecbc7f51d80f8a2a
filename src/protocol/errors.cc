// ErrorFromStatus: Status -> the wire error of one service.
//
// Authentication and throttling errors are named differently per protocol family (Query says
// "SignatureDoesNotMatch" 403, the JSON protocols say "InvalidSignatureException" 400, rest-json
// front ends say the JSON name with 403). Callers may use either spelling; the table below
// renders the one the service's protocol uses.
#include <array>
#include <string_view>

#include "protocol/protocol.h"

namespace orgtwin::protocol {

namespace {

struct CommonError {
  std::string_view query_code;
  std::string_view json_code;
  int query_status;
  int json_status;
  int rest_status;
};

// AWS-COMPAT: statuses as the AWS front ends send them (Query: auth failures 403; JSON 1.x:
// Coral answers 400 for them; rest-json: 403).
constexpr std::array<CommonError, 20> kCommonErrors = {{
    {"MissingAuthenticationToken", "MissingAuthenticationTokenException", 403, 400, 403},
    {"IncompleteSignature", "IncompleteSignatureException", 400, 400, 403},
    {"InvalidClientTokenId", "UnrecognizedClientException", 403, 400, 403},
    {"SignatureDoesNotMatch", "InvalidSignatureException", 403, 400, 403},
    {"RequestExpired", "InvalidSignatureException", 400, 400, 403},
    {"AccessDenied", "AccessDeniedException", 403, 400, 403},
    {"ExpiredToken", "ExpiredTokenException", 403, 400, 403},
    {"Throttling", "ThrottlingException", 400, 400, 429},
    {"InternalFailure", "InternalFailure", 500, 500, 500},
    {"ServiceUnavailable", "ServiceUnavailableException", 503, 503, 503},
    {"ValidationError", "ValidationException", 400, 400, 400},
    {"MalformedInput", "SerializationException", 400, 400, 400},
    {"InvalidAction", "UnknownOperationException", 400, 400, 404},
    {"MissingAction", "UnknownOperationException", 400, 400, 404},
    {"InvalidParameterValue", "InvalidParameterValueException", 400, 400, 400},
    {"MissingParameter", "MissingParameterException", 400, 400, 400},
    {"InvalidParameterCombination", "InvalidParameterCombinationException", 400, 400, 400},
    {"OptInRequired", "OptInRequired", 403, 403, 403},
    {"InvalidQueryParameter", "InvalidQueryParameter", 400, 400, 400},
    {"NotAuthorized", "NotAuthorized", 403, 400, 403},
}};

// Codes that are the same word in every protocol but whose spelling callers vary.
const CommonError* FindCommon(std::string_view code) {
  for (const CommonError& e : kCommonErrors) {
    if (e.query_code == code || e.json_code == code) return &e;
  }
  if (code == "ThrottlingException") return &kCommonErrors[7];
  if (code == "AccessDeniedException") return &kCommonErrors[5];
  if (code == "ExpiredTokenException") return &kCommonErrors[6];
  return nullptr;
}

AwsError FromCommon(const model::ServiceModel* service, const CommonError& e,
                    const Status& status) {
  AwsError out;
  model::Protocol protocol = service != nullptr ? service->protocol : model::Protocol::kJson;
  bool query = protocol == model::Protocol::kQuery || protocol == model::Protocol::kEc2;
  out.code = std::string(query ? e.query_code : e.json_code);
  out.http_status = query                                    ? e.query_status
                    : protocol == model::Protocol::kRestJson ? e.rest_status
                                                             : e.json_status;
  out.sender_fault = out.http_status < 500;
  out.message = status.message();
  out.fields = status.fields();
  // A modeled shape of the same name (Account's AccessDeniedException 403) wins on status.
  if (service != nullptr) {
    if (const model::Shape* shape = service->FindError(out.code)) {
      out.code = shape->error_code;
      out.http_status = shape->http_status;
      out.sender_fault = shape->sender_fault;
    }
  }
  return out;
}

AwsError FromShape(const model::Shape& shape, const Status& status) {
  AwsError out;
  out.code = shape.error_code;
  out.http_status = shape.http_status;
  out.sender_fault = shape.sender_fault;
  // AWS-COMPAT: Organizations' ServiceException carries no status in the model but is a
  // server-side failure (500).
  if (shape.name == "ServiceException" && out.http_status == 400) {
    out.http_status = 500;
    out.sender_fault = false;
  }
  out.message = status.message();
  out.fields = status.fields();
  return out;
}

// First modeled error of `service` among `candidates`, or null.
const model::Shape* FirstModeled(const model::ServiceModel* service,
                                 std::initializer_list<std::string_view> candidates) {
  if (service == nullptr) return nullptr;
  for (std::string_view c : candidates) {
    if (const model::Shape* s = service->FindError(c)) return s;
  }
  return nullptr;
}

}  // namespace

AwsError ErrorFromStatus(const model::ServiceModel* service, const Status& status) {
  const std::string& code = status.aws_code();
  if (!code.empty()) {
    if (service != nullptr) {
      if (const model::Shape* shape = service->FindError(code)) return FromShape(*shape, status);
    }
    if (const CommonError* common = FindCommon(code)) {
      return FromCommon(service, *common, status);
    }
    // An unmodeled code the caller chose deliberately (SerializationException,
    // UnknownOperationException, ...): keep it, status from the generic category.
    AwsError out;
    out.code = code;
    out.message = status.message();
    out.fields = status.fields();
    switch (status.code()) {
      case ErrorCode::kAccessDenied:
      case ErrorCode::kUnauthenticated:
        out.http_status = 403;
        break;
      case ErrorCode::kNotFound:
        out.http_status =
            service != nullptr && service->protocol == model::Protocol::kRestJson ? 404 : 400;
        break;
      case ErrorCode::kAlreadyExists:
      case ErrorCode::kConflict:
        out.http_status = 409;
        break;
      case ErrorCode::kUnavailable:
        out.http_status = 503;
        break;
      case ErrorCode::kInternal:
        out.http_status = 500;
        break;
      default:
        out.http_status = 400;
    }
    out.sender_fault = out.http_status < 500;
    return out;
  }

  const model::Shape* shape = nullptr;
  const CommonError* common = nullptr;
  switch (status.code()) {
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
      common = FindCommon("InternalFailure");
      break;
    case ErrorCode::kInvalidInput:
      shape = FirstModeled(service, {"InvalidInput", "InvalidInputException", "ValidationException",
                                     "InvalidParameterException"});
      if (shape == nullptr) common = FindCommon("ValidationError");
      break;
    case ErrorCode::kNotFound:
      shape = FirstModeled(service, {"NoSuchEntity", "ResourceNotFoundException"});
      break;
    case ErrorCode::kAlreadyExists:
      shape = FirstModeled(service, {"EntityAlreadyExists", "ConflictException"});
      break;
    case ErrorCode::kConflict:
      shape = FirstModeled(service, {"ConcurrentModification", "ConcurrentModificationException",
                                     "ConflictException"});
      break;
    case ErrorCode::kLimitExceeded:
      shape = FirstModeled(service, {"LimitExceeded", "ServiceQuotaExceededException",
                                     "ConstraintViolationException"});
      break;
    case ErrorCode::kAccessDenied:
      common = FindCommon("AccessDenied");
      break;
    case ErrorCode::kUnauthenticated:
      common = FindCommon("InvalidClientTokenId");
      break;
    case ErrorCode::kUnavailable:
      common = FindCommon("ServiceUnavailable");
      break;
  }
  if (shape != nullptr) return FromShape(*shape, status);
  if (common != nullptr) return FromCommon(service, *common, status);

  // No modeled error for the category: a generic name with the category's status.
  AwsError out;
  out.message = status.message();
  out.fields = status.fields();
  bool rest = service != nullptr && service->protocol == model::Protocol::kRestJson;
  switch (status.code()) {
    case ErrorCode::kNotFound:
      out.code = "ResourceNotFoundException";
      out.http_status = rest ? 404 : 400;
      break;
    case ErrorCode::kAlreadyExists:
      out.code = "ResourceAlreadyExistsException";
      out.http_status = rest ? 409 : 400;
      break;
    case ErrorCode::kConflict:
      out.code = "ConflictException";
      out.http_status = rest ? 409 : 400;
      break;
    default:
      out.code = "LimitExceededException";
      out.http_status = 400;
      break;
  }
  return out;
}

}  // namespace orgtwin::protocol
