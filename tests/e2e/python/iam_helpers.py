"""Shared helpers of the IAM end-to-end suites (Debian boto3 against a real orgtwin serve)."""
import json

import boto3
import botocore
import pytest
from botocore.config import Config

# No retries and no client-side validation: every error must come back exactly as orgtwin
# sent it.
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False)

ACCOUNT = "123456789012"

TRUST_EC2 = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})


def doc(action="s3:GetObject", resource="*"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


def iam_client(server):
    return boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, config=NO_RETRY)


def expect_error(call, code, status, message=None, **kwargs):
    """Runs call(**kwargs), asserts the AWS error, returns its message."""
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, err
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if message is not None:
        assert err["Message"] == message
    return err["Message"]


def walk(call, list_key, **kwargs):
    """Pages through a Marker/IsTruncated list one item at a time; returns every item."""
    items, pages, marker = [], 0, None
    while True:
        args = dict(kwargs, MaxItems=1)
        if marker:
            args["Marker"] = marker
        page = call(**args)
        pages += 1
        assert len(page[list_key]) <= 1
        items.extend(page[list_key])
        if not page["IsTruncated"]:
            assert "Marker" not in page
            return items, pages
        marker = page["Marker"]
        assert pages < 10000
