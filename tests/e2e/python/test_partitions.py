"""AWS partitions (issue 16): aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b.

In enforce mode an account lives in one partition, chosen at sign-up: its keys work only in that
partition's regions (elsewhere AWS does not know them: InvalidClientTokenId), and every ARN it
reads or writes names its partition. In permissive mode a request signed for a region of another
partition gets that partition's ARNs. Regions map to partitions by botocore's partition data.
"""
import json
import subprocess

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(server, service, region, key, secret):
    return boto3.client(service, endpoint_url=server.endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=NO_RETRY)


def trust(principal_arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}]})


def signup(server, email, *extra):
    out = subprocess.run([server.binary, "signup", "--endpoint", server.endpoint, "--email", email,
                          "--name", "partitioned", *extra],
                         capture_output=True, text=True, timeout=30)
    return out


def refused_as_unknown_key(call):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId", \
        excinfo.value.response


@pytest.mark.parametrize("region,partition", [
    ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"), ("eu-west-1", "aws"),
])
def test_permissive_mode_answers_in_the_signed_regions_partition(region, partition):
    srv = OrgtwinServer("--auth", "permissive").start()
    try:
        sts = client(srv, "sts", region, "testing", "testing")
        assert sts.get_caller_identity()["Arn"] == "arn:%s:iam::123456789012:root" % partition
        iam = client(srv, "iam", region, "testing", "testing")
        role = iam.create_role(RoleName="ops", AssumeRolePolicyDocument=trust(
            "arn:%s:iam::123456789012:root" % partition))["Role"]
        assert role["Arn"] == "arn:%s:iam::123456789012:role/ops" % partition
        iam.attach_role_policy(RoleName="ops",
                               PolicyArn="arn:%s:iam::aws:policy/ReadOnlyAccess" % partition)
        attached = iam.list_attached_role_policies(RoleName="ops")["AttachedPolicies"]
        assert attached == [{"PolicyName": "ReadOnlyAccess",
                             "PolicyArn": "arn:%s:iam::aws:policy/ReadOnlyAccess" % partition}]
        document = iam.get_role(RoleName="ops")["Role"]["AssumeRolePolicyDocument"]
        assert document["Statement"][0]["Principal"]["AWS"] == (
            "arn:%s:iam::123456789012:root" % partition)
        # The same role read from a region of the aws partition names aws.
        commercial = client(srv, "iam", "us-east-1", "testing", "testing")
        assert commercial.get_role(RoleName="ops")["Role"]["Arn"] == (
            "arn:aws:iam::123456789012:role/ops")
    finally:
        srv.cleanup()


def test_an_account_lives_in_the_partition_it_signed_up_in():
    srv = OrgtwinServer().start()
    try:
        out = signup(srv, "china@example.com", "--partition", "aws-cn")
        assert out.returncode == 0, out.stderr
        account = json.loads(out.stdout)
        key, secret, account_id = account["AccessKeyId"], account["SecretAccessKey"], \
            account["AccountId"]
        # Its keys work in aws-cn's regions, where its ARNs say aws-cn ...
        sts = client(srv, "sts", "cn-north-1", key, secret)
        assert sts.get_caller_identity()["Arn"] == "arn:aws-cn:iam::%s:root" % account_id
        # ... and nowhere else, as AWS refuses a key it does not know.
        for region in ("us-east-1", "us-gov-west-1"):
            refused_as_unknown_key(client(srv, "sts", region, key, secret).get_caller_identity)
        # The default account lives in aws: its keys are unknown in China.
        refused_as_unknown_key(
            client(srv, "sts", "cn-north-1", srv.access_key, srv.secret_key).get_caller_identity)

        # Policies name the partition's ARNs, and are enforced on them.
        iam = client(srv, "iam", "cn-north-1", key, secret)
        user = iam.create_user(UserName="reader")["User"]
        assert user["Arn"] == "arn:aws-cn:iam::%s:user/reader" % account_id
        iam.put_user_policy(UserName="reader", PolicyName="self", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:GetUser",
                 "Resource": "arn:aws-cn:iam::%s:user/reader" % account_id}]}))
        assert json.loads(json.dumps(iam.get_user_policy(UserName="reader", PolicyName="self")[
            "PolicyDocument"]))["Statement"][0]["Resource"] == (
                "arn:aws-cn:iam::%s:user/reader" % account_id)
        iam.create_user(UserName="other")
        reader_key = iam.create_access_key(UserName="reader")["AccessKey"]
        reader = client(srv, "iam", "cn-north-1", reader_key["AccessKeyId"],
                        reader_key["SecretAccessKey"])
        assert reader.get_user(UserName="reader")["User"]["Arn"] == user["Arn"]
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            reader.get_user(UserName="other")
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
        assert ("User: arn:aws-cn:iam::%s:user/reader is not authorized" % account_id
                in denied.value.response["Error"]["Message"]), denied.value.response

        # Its organization and the accounts it creates are in aws-cn too.
        orgs = client(srv, "organizations", "cn-northwest-1", key, secret)
        organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
        assert organization["Arn"].startswith("arn:aws-cn:organizations::%s:" % account_id)
        status = orgs.create_account(Email="china-member@example.com",
                                     AccountName="member")["CreateAccountStatus"]
        member_id = orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
        member = orgs.describe_account(AccountId=member_id)["Account"]
        assert member["Arn"].startswith("arn:aws-cn:organizations::%s:account/" % account_id)
    finally:
        srv.cleanup()


def test_an_unknown_partition_is_refused_at_sign_up():
    srv = OrgtwinServer().start()
    try:
        out = signup(srv, "nowhere@example.com", "--partition", "aws-mars")
        assert out.returncode != 0
        assert "Partition must be one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b" in (
            out.stdout + out.stderr)
    finally:
        srv.cleanup()
