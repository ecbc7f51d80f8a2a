// File: protocol/aws_error.h
//
// AwsError: an error exactly as it goes on the wire, independent of the protocol that renders it.
#pragma once

#include <map>
#include <string>

namespace orgtwin::protocol {

// An error as it goes on the wire. `code` is the AWS error code ("NoSuchEntity",
// "InvalidInputException", "SignatureDoesNotMatch"), `http_status` its status, `fields` any extra
// top-level members the service defines (Organizations `Reason`, Account `reason`/`fieldList`
// as JSON text, ...).
struct AwsError {
  std::string code;
  std::string message;
  int http_status = 400;
  bool sender_fault = true;
  std::map<std::string, std::string> fields;
};

}  // namespace orgtwin::protocol
