"""IAM access keys end to end with Debian's boto3: create (2 per user), Active/Inactive (an
inactive key no longer authenticates), delete, list with pagination, last used, root keys."""
import boto3
import botocore
import pytest

from iam_helpers import ACCOUNT, NO_RETRY, expect_error, iam_client, walk


def sts_with(server, key):
    return boto3.client("sts", endpoint_url=server.endpoint, region_name="eu-west-1",
                        aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY)


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


def test_create_list_and_quota(iam):
    iam.create_user(UserName="keys1")
    first = iam.create_access_key(UserName="keys1")["AccessKey"]
    assert first["UserName"] == "keys1" and first["Status"] == "Active"
    assert first["AccessKeyId"].startswith("AKIA") and len(first["AccessKeyId"]) == 20
    assert len(first["SecretAccessKey"]) == 40
    second = iam.create_access_key(UserName="keys1")["AccessKey"]
    expect_error(iam.create_access_key, "LimitExceeded", 409,
                 "Cannot exceed quota for AccessKeysPerUser: 2", UserName="keys1")
    listed = iam.list_access_keys(UserName="keys1")["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in listed} == {first["AccessKeyId"], second["AccessKeyId"]}
    assert all("SecretAccessKey" not in k for k in listed)
    items, pages = walk(iam.list_access_keys, "AccessKeyMetadata", UserName="keys1")
    assert pages == 2 and [k["AccessKeyId"] for k in items] == [k["AccessKeyId"] for k in listed]
    expect_error(iam.create_access_key, "NoSuchEntity", 404,
                 "The user with name nobody cannot be found.", UserName="nobody")
    expect_error(iam.list_access_keys, "NoSuchEntity", 404, UserName="nobody")


def test_inactive_key_fails_authentication_and_delete(server, iam):
    iam.create_user(UserName="keys2")
    key = iam.create_access_key(UserName="keys2")["AccessKey"]
    sts = sts_with(server, key)
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::%s:user/keys2" % ACCOUNT
    iam.update_access_key(UserName="keys2", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName="keys2")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    expect_error(sts.get_caller_identity, "InvalidClientTokenId", 403,
                 "The security token included in the request is invalid.")
    iam.update_access_key(UserName="keys2", AccessKeyId=key["AccessKeyId"], Status="Active")
    sts.get_caller_identity()
    iam.delete_access_key(UserName="keys2", AccessKeyId=key["AccessKeyId"])
    expect_error(sts.get_caller_identity, "InvalidClientTokenId", 403)
    assert iam.list_access_keys(UserName="keys2")["AccessKeyMetadata"] == []
    missing = "The Access Key with id %s cannot be found." % key["AccessKeyId"]
    expect_error(iam.delete_access_key, "NoSuchEntity", 404, missing, UserName="keys2",
                 AccessKeyId=key["AccessKeyId"])
    expect_error(iam.update_access_key, "NoSuchEntity", 404, missing, UserName="keys2",
                 AccessKeyId=key["AccessKeyId"], Status="Inactive")
    # Another user's key is not found under this user.
    iam.create_user(UserName="keys3")
    other = iam.create_access_key(UserName="keys3")["AccessKey"]
    expect_error(iam.delete_access_key, "NoSuchEntity", 404, UserName="keys2",
                 AccessKeyId=other["AccessKeyId"])


def test_user_manages_own_keys_without_user_name(server, iam):
    iam.create_user(UserName="self")
    iam.put_user_policy(UserName="self", PolicyName="own-keys", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*",'
        '"Resource":"arn:aws:iam::%s:user/self"}]}' % ACCOUNT))
    key = iam.create_access_key(UserName="self")["AccessKey"]
    own = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY)
    made = own.create_access_key()["AccessKey"]
    assert made["UserName"] == "self"
    assert len(own.list_access_keys()["AccessKeyMetadata"]) == 2
    own.delete_access_key(AccessKeyId=made["AccessKeyId"])


def test_root_keys(server, iam):
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [server.access_key]
    extra = iam.create_access_key()["AccessKey"]
    assert extra["AccessKeyId"].startswith("AKIA")
    expect_error(iam.create_access_key, "LimitExceeded", 409,
                 "Cannot exceed quota for AccessKeysPerUser: 2")
    root_sts = sts_with(server, extra)
    assert root_sts.get_caller_identity()["Arn"] == "arn:aws:iam::%s:root" % ACCOUNT
    iam.delete_access_key(AccessKeyId=extra["AccessKeyId"])


def test_last_used(server, iam):
    iam.create_user(UserName="used")
    key = iam.create_access_key(UserName="used")["AccessKey"]
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert never["UserName"] == "used"
    assert never["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    sts_with(server, key).get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "sts" and used["Region"] == "eu-west-1"
    assert "LastUsedDate" in used
    with pytest.raises(botocore.exceptions.ClientError):
        iam.get_access_key_last_used(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
