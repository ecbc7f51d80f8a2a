#!/usr/bin/env python3
"""Generates the JSON 1.1 and rest-json protocol fixtures with botocore as the oracle.

Run with the pyenv python3 that has botocore 1.43.11 (the version models/ came from):
    python3 tests/conformance/protocol/generate_fixtures.py
Writes json/fixtures.json and rest_json/fixtures.json beside this script. ctest never runs this
script; src/protocol/conformance_test.cc replays the committed files without python.

Input cases: botocore's own serializer builds the request; the expected neutral input is the
parameters with timestamps as epoch seconds. Output cases: `aws_body` is a response body written
the way AWS sends it, and the script asserts that botocore's parser turns it into `parsed`; the
C++ test checks our serializer writes a body JSON-equal to `aws_body`.
"""
import datetime
import json
import os

import botocore.session
from botocore import parsers, serialize

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "..", "models")


def load_model(service, version):
    from botocore.model import ServiceModel
    with open(os.path.join(MODELS, service, version, "service-2.json")) as f:
        return ServiceModel(json.load(f), service_name=service)


def neutral(value):
    if isinstance(value, datetime.datetime):
        # botocore's JSON serializers send whole epoch seconds (the fraction is dropped).
        return int(value.timestamp())
    if isinstance(value, dict):
        return {k: neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [neutral(v) for v in value]
    return value


def jsonable(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


UTC = datetime.timezone.utc
INPUT_CASES = {
    "json": [
        ("organizations", "2016-11-28", "CreateAccount",
         {"Email": "dev@example.com", "AccountName": "Dev", "RoleName": "OrgAdmin",
          "IamUserAccessToBilling": "DENY", "Tags": [{"Key": "team", "Value": "a"}]}),
        ("organizations", "2016-11-28", "ListAccounts", {"MaxResults": 5, "NextToken": "tok"}),
        ("organizations", "2016-11-28", "DescribeOrganization", {}),
        ("organizations", "2016-11-28", "InviteAccountToOrganization",
         {"Target": {"Id": "123456789012", "Type": "ACCOUNT"}, "Notes": "hi",
          "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}),
        ("cloudtrail", "2013-11-01", "LookupEvents",
         {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
          "StartTime": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
          "EndTime": datetime.datetime(2026, 1, 3, 0, 0, 0, 500000, tzinfo=UTC),
          "MaxResults": 10}),
    ],
    "rest_json": [
        ("account", "2021-02-01", "PutAlternateContact",
         {"AlternateContactType": "BILLING", "EmailAddress": "bill@example.com", "Name": "Bill",
          "PhoneNumber": "+1 555 0100", "Title": "CFO", "AccountId": "123456789012"}),
        ("account", "2021-02-01", "GetAlternateContact", {"AlternateContactType": "SECURITY"}),
    ],
}

OUTPUT_CASES = {
    "json": [
        ("organizations", "2016-11-28", "DescribeOrganization",
         {"Organization": {"Id": "o-abcdefghij", "Arn": "arn:aws:organizations::111111111111:organization/o-abcdefghij",
                           "FeatureSet": "ALL", "MasterAccountId": "111111111111",
                           "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}}),
        ("organizations", "2016-11-28", "ListAccounts",
         {"Accounts": [{"Id": "111111111111", "Name": "root", "Status": "ACTIVE",
                        "JoinedMethod": "CREATED", "JoinedTimestamp": 1767225600}],
          "NextToken": "next"}),
        ("cloudtrail", "2013-11-01", "LookupEvents",
         {"Events": [{"EventId": "e-1", "EventName": "ConsoleLogin", "EventTime": 1767225600.25,
                      "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "root"}]}]}),
    ],
    "rest_json": [
        ("account", "2021-02-01", "GetAlternateContact",
         {"AlternateContact": {"AlternateContactType": "BILLING", "EmailAddress": "bill@example.com",
                               "Name": "Bill", "PhoneNumber": "+1 555 0100", "Title": "CFO"}}),
    ],
}


def main():
    for protocol in ("json", "rest_json"):
        cases = []
        for service, version, op_name, params in INPUT_CASES[protocol]:
            model = load_model(service, version)
            op = model.operation_model(op_name)
            serializer = serialize.create_serializer(model.metadata["protocol"], include_validation=True)
            req = serializer.serialize_to_request(params, op)
            body = req["body"]
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            cases.append({
                "kind": "input", "service": service, "operation": op_name,
                "request": {"method": req["method"], "path": req["url_path"],
                            "query": req["query_string"] if isinstance(req["query_string"], str) else "",
                            "headers": {k: v for k, v in req["headers"].items()},
                            "body": body},
                "expected_input": neutral(params),
            })
        for service, version, op_name, output in OUTPUT_CASES[protocol]:
            model = load_model(service, version)
            op = model.operation_model(op_name)
            aws_body = json.dumps(output)
            parser = parsers.create_parser(model.metadata["protocol"])
            parsed = parser.parse({"status_code": 200, "headers": {"x-amzn-requestid": "r"},
                                   "body": aws_body.encode()}, op.output_shape)
            assert "Error" not in parsed, parsed
            cases.append({"kind": "output", "service": service, "operation": op_name,
                          "output": output, "aws_body": output, "parsed": jsonable(parsed)})
        path = os.path.join(HERE, protocol, "fixtures.json")
        with open(path, "w") as f:
            json.dump(cases, f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
