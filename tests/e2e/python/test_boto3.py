"""orgtwin against Debian's boto3: authentication and model-driven validation on the wire."""
import datetime

import boto3
import botocore
import pytest
from botocore.config import Config

from clock_skew import skewed_clock

# No retries: an error must come back exactly as orgtwin sent it.
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False)


def client(server, service, key=None, secret=None):
    return boto3.client(
        service, endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id=key or server.access_key,
        aws_secret_access_key=secret or server.secret_key, config=NO_RETRY)


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_get_caller_identity_is_the_default_root(server):
    identity = client(server, "sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    assert identity["UserId"] == "123456789012"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(identity["ResponseMetadata"]["RequestId"]) == 36


def test_wrong_secret_is_signature_does_not_match(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(server, "sts", secret="x" * 40).get_caller_identity()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_unknown_key_is_invalid_client_token_id(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(server, "sts", key="AKIAIOSFODNN7EXAMPLE").get_caller_identity()
    assert error_of(excinfo) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def test_unknown_key_on_json_service_is_unrecognized_client(server):
    orgs = client(server, "organizations", key="AKIAIOSFODNN7EXAMPLE")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        orgs.describe_organization()
    code, _, _ = error_of(excinfo)
    assert code == "UnrecognizedClientException"


def test_stale_date_is_signature_expired(server):
    # AWS-COMPAT: STS answers a request dated outside the 15-minute window with
    # SignatureDoesNotMatch "Signature expired: <date> is now earlier than <now - 15 min> ...".
    sts = client(server, "sts")
    with skewed_clock(datetime.timedelta(minutes=-20)):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sts.get_caller_identity()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("Signature expired: ")
    assert "is now earlier than" in message


def test_future_date_is_signature_not_yet_current(server):
    sts = client(server, "sts")
    with skewed_clock(datetime.timedelta(minutes=20)):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sts.get_caller_identity()
    code, message, _ = error_of(excinfo)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("Signature not yet current: ")


def test_stale_date_on_json_service_is_invalid_signature_exception(server):
    orgs = client(server, "organizations")
    with skewed_clock(datetime.timedelta(minutes=-20)):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            orgs.describe_organization()
    code, message, _ = error_of(excinfo)
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature expired: ")


def test_expired_presigned_url_is_request_expired(server):
    import urllib.error
    import urllib.request
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="GET", url=server.endpoint + "/",
                         params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    with skewed_clock(datetime.timedelta(minutes=-10)):
        SigV4QueryAuth(Credentials(server.access_key, server.secret_key), "sts", "us-east-1",
                       expires=60).add_auth(request)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request.prepare().url, timeout=10)
    body = excinfo.value.read().decode()
    assert "<Code>RequestExpired</Code>" in body


def test_date_within_skew_window_is_accepted(server):
    with skewed_clock(datetime.timedelta(minutes=-10)):
        assert client(server, "sts").get_caller_identity()["Account"] == "123456789012"


def test_missing_required_parameter_is_validation_error(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(server, "sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/r")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationError", 400)
    assert "roleSessionName" in message


def test_pattern_violation_is_validation_error(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(server, "iam").get_role(RoleName="bad name!")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationError", 400)
    assert "roleName" in message and "regular expression pattern" in message


def test_organizations_validation_is_invalid_input_exception(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client(server, "organizations").describe_account(AccountId="12")
    code, _, status = error_of(excinfo)
    assert (code, status) == ("InvalidInputException", 400)
    # botocore lifts the modeled error's members (Reason) to the top of the response.
    assert excinfo.value.response.get("Reason") == "INVALID_PATTERN"


def test_unknown_json_operation(server):
    # A raw call to an operation that does not exist in the Organizations model.
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST", url=server.endpoint + "/", data=b"{}",
        headers={"X-Amz-Target": "AWSOrganizationsV20161128.NoSuchOperation",
                 "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(server.access_key, server.secret_key), "organizations",
              "us-east-1").add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers),
                                 method="POST")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(req, timeout=10)
    assert excinfo.value.code == 400
    assert excinfo.value.headers["x-amzn-ErrorType"].startswith("UnknownOperationException")


def test_presigned_get_caller_identity(server):
    # A presigned URL (query-string SigV4), as `aws sts` tooling and EKS tokens use.
    import urllib.request
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="GET", url=server.endpoint + "/",
                         params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    SigV4QueryAuth(Credentials(server.access_key, server.secret_key), "sts", "us-east-1",
                   expires=60).add_auth(request)
    with urllib.request.urlopen(request.prepare().url, timeout=10) as response:
        body = response.read().decode()
    assert "<Arn>arn:aws:iam::123456789012:root</Arn>" in body
