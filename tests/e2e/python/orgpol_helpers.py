"""Helpers of the Organizations policy and handshake suites (Debian boto3 against orgtwin serve).

Every test signs up its own standalone accounts (`orgtwin signup`, the issue's extension call),
so each one builds fresh organizations on the module's server and tests stay independent.
"""
import itertools
import json
import os
import subprocess

import boto3
import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False)

_counter = itertools.count(1)


class Account:
    def __init__(self, server, account_id, access_key, secret_key):
        self.server = server
        self.id = account_id
        self.access_key = access_key
        self.secret_key = secret_key

    def client(self, service="organizations"):
        return boto3.client(service, endpoint_url=self.server.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, config=NO_RETRY)

    @property
    def orgs(self):
        return self.client()

    def raw(self, operation, body):
        """Signed JSON 1.1 call for operations newer than Debian's botocore model."""
        return raw_call(self.server, self.access_key, self.secret_key, operation, body)


def raw_call(server, access_key, secret_key, operation, body, service="organizations",
             target_prefix="AWSOrganizationsV20161128", json_version="1.1", token=None):
    """A signed JSON-protocol call of `service` (Organizations unless told otherwise):
    (HTTP status, parsed body)."""
    import urllib.error
    import urllib.request
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-" + json_version,
               "X-Amz-Target": target_prefix + "." + operation}
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers=headers)
    SigV4Auth(Credentials(access_key, secret_key, token), service,
              "us-east-1").add_auth(request)
    prepared = urllib.request.Request(server.endpoint + "/", data=data, method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def signup(server, name="acct", payment_method=True):
    """A new standalone account with its root access key."""
    n = next(_counter)
    email = "orgpol-%d-%d@example.com" % (os.getpid(), n)
    args = [server.binary, "signup", "--endpoint", server.endpoint, "--email", email,
            "--name", "%s%d" % (name, n)]
    if not payment_method:
        args.append("--no-payment-method")
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
    result = json.loads(out.stdout)
    account = Account(server, result["AccountId"], result["AccessKeyId"],
                      result["SecretAccessKey"])
    account.email = email
    return account


def iam_user(account, name="assumer", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"):
    """An IAM user of `account` with `policy_arn` attached and an access key, as an Account.

    AWS refuses sts:AssumeRole to the root user, so the tests assume roles as such a user."""
    iam = account.client("iam")
    iam.create_user(UserName=name)
    if policy_arn:
        iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = Account(account.server, account.id, key["AccessKeyId"], key["SecretAccessKey"])
    user.arn = "arn:aws:iam::%s:user/%s" % (account.id, name)
    return user


def new_org(server, feature_set="ALL"):
    """A fresh management account with its organization; returns (account, org, root_id)."""
    mgmt = signup(server, "mgmt")
    org = mgmt.orgs.create_organization(FeatureSet=feature_set)["Organization"]
    root_id = mgmt.orgs.list_roots()["Roots"][0]["Id"]
    return mgmt, org, root_id


def ensure_scp_enabled(mgmt, root_id):
    root = mgmt.orgs.list_roots()["Roots"][0]
    types = {t["Type"]: t["Status"] for t in root.get("PolicyTypes", [])}
    if types.get("SERVICE_CONTROL_POLICY") != "ENABLED":
        mgmt.orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")


def invite_and_join(mgmt, member):
    hs = mgmt.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": member.id})["Handshake"]
    accepted = member.orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    return hs


def expect_error(call, code, reason=None, status=None, **kwargs):
    """Runs call(**kwargs), asserts the AWS error code (and Reason), returns the error."""
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    response = excinfo.value.response
    err = response["Error"]
    assert err["Code"] == code, response
    expected_status = status if status is not None else (403 if code == "AccessDenied" else 400)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == expected_status, response
    if reason is not None:
        assert response.get("Reason") == reason, response
    return response


def scp(action="s3:*", effect="Deny", pad=0):
    text = json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]})
    return text[:1] + " " * pad + text[1:]


def policy_ids(client, target, policy_type="SERVICE_CONTROL_POLICY"):
    return sorted(p["Id"] for p in client.list_policies_for_target(
        TargetId=target, Filter=policy_type)["Policies"])
