#!/usr/bin/env python3
"""Generates the client-side error fixtures for JSON 1.1 and rest-json, with botocore as the oracle.

Run by hand with a python3 that has botocore (the pyenv one, or Debian's /usr/bin/python3 with
python3-botocore):
    python3 tests/conformance/protocol/client/generate_fixtures.py
Writes fixtures.json beside this script; ctest never runs it (src/protocol/client_codec_test.cc
replays the committed file).

Each case is an error response written the way AWS sends it (status, headers, body). botocore
parses it as a client does: the generic parse gives Error.Code/Message, then, as botocore's
endpoint does (_add_modeled_error_fields), the modeled error shape for that code adds its members.
The C++ client must read the same code, message and modeled members.

The requests and successful responses the client must write and read are the ones the server
fixtures already hold (../json, ../rest_json, ../query): the client replays them in reverse.
"""
import json
import os

import botocore
from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "..", "..", "models")


def load_model(service, version):
    with open(os.path.join(MODELS, service, version, "service-2.json")) as f:
        return ServiceModel(json.load(f), service_name=service)


ORG = ("organizations", "2016-11-28")
ACCOUNT = ("account", "2021-02-01")
JSON11 = "application/x-amz-json-1.1"

# (name, model, operation, status, headers, body)
ERRORS = [
    ("org-account-not-found", ORG, "DescribeAccount", 400,
     {"x-amzn-RequestId": "r-1", "Content-Type": JSON11},
     {"__type": "AccountNotFoundException",
      "Message": "You specified an account that doesn't exist."}),
    ("org-constraint-violation-namespaced", ORG, "CreateAccount", 400,
     {"x-amzn-RequestId": "r-2", "Content-Type": JSON11},
     {"__type": "com.amazonaws.organizations.v20161128#ConstraintViolationException",
      "Message": "You have reached the maximum number of accounts.",
      "Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}),
    ("org-too-many-requests", ORG, "ListAccounts", 400,
     {"x-amzn-RequestId": "r-3", "Content-Type": JSON11,
      "x-amzn-ErrorType": "TooManyRequestsException:http://internal.amazon.com/coral/"},
     {"__type": "TooManyRequestsException", "Message": "Rate exceeded", "Type": "ACCOUNT"}),
    ("org-invalid-input-reason", ORG, "ListAccounts", 400,
     {"x-amzn-RequestId": "r-4", "Content-Type": JSON11},
     {"__type": "InvalidInputException", "Message": "The next token is not valid.",
      "Reason": "INVALID_NEXT_TOKEN"}),
    ("org-unmodeled-lowercase-message", ORG, "ListRoots", 400,
     {"x-amzn-RequestId": "r-5", "Content-Type": JSON11},
     {"__type": "UnrecognizedClientException",
      "message": "The security token included in the request is invalid."}),
    ("org-service-exception-500", ORG, "ListRoots", 500,
     {"x-amzn-RequestId": "r-6", "Content-Type": JSON11},
     {"__type": "ServiceException", "Message": "AWS Organizations can't complete your request."}),
    ("account-not-found-header-code", ACCOUNT, "GetAlternateContact", 404,
     {"x-amzn-RequestId": "r-7", "Content-Type": "application/json",
      "x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.account/"},
     {"message": "No contact of the inputted alternate contact type found."}),
    ("account-validation-fieldlist", ACCOUNT, "PutAlternateContact", 400,
     {"x-amzn-RequestId": "r-8", "Content-Type": "application/json",
      "x-amzn-ErrorType": "ValidationException"},
     {"message": "Invalid input", "reason": "fieldValidationFailed",
      "fieldList": [{"name": "EmailAddress", "message": "Invalid email address"}]}),
    ("account-access-denied-body-code", ACCOUNT, "GetContactInformation", 403,
     {"x-amzn-RequestId": "r-9", "Content-Type": "application/json"},
     {"code": "AccessDeniedException", "Message": "User is not authorized"}),
]


def main():
    cases = []
    for name, (service, version), op_name, status, headers, body in ERRORS:
        model = load_model(service, version)
        op = model.operation_model(op_name)
        text = json.dumps(body)
        # HeadersDict: botocore's parsers look headers up case-insensitively, as on the wire.
        response = {"status_code": status, "body": text.encode(), "headers": HeadersDict(headers)}
        parser = parsers.create_parser(model.metadata["protocol"])
        parsed = parser.parse(response, op.output_shape)
        code = parsed["Error"]["Code"]
        try:
            error_shape = model.shape_for_error_code(code)
        except Exception:
            error_shape = None
        if error_shape is not None:
            parsed.update(parser.parse(response, error_shape))
        parsed.pop("ResponseMetadata", None)
        cases.append({"name": name, "service": service, "operation": op_name,
                      "protocol": model.metadata["protocol"],
                      "response": {"status": status, "headers": headers, "body": text},
                      "botocore_parsed": parsed})
    out = {"generator": "generate_fixtures.py with botocore %s" % botocore.__version__,
           "errors": cases}
    path = os.path.join(HERE, "fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path, len(cases), "error cases")


if __name__ == "__main__":
    main()
