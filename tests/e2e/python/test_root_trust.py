"""The root user, IAM users and role trust policies (Debian boto3 against orgtwin serve).

AWS refuses sts:AssumeRole to the root user outright ("Roles may not be assumed by root
accounts."), whatever the trust policy says. An IAM user of the account is subject to the trust
policy: it must allow the user (or the account, with an identity allow), its conditions such as
sts:ExternalId must hold, an explicit Deny in it wins, and the SCPs of a member account restrict
the account's users."""
import json

import boto3

from orgpol_helpers import (NO_RETRY, ensure_scp_enabled, expect_error, iam_user, invite_and_join,
                            new_org, scp, signup)

ROOT_DENIED = "Roles may not be assumed by root accounts."


def trust(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def allow(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def test_root_may_never_assume_a_role(server):
    acct = signup(server, "rootnever")
    root_arn = "arn:aws:iam::%s:root" % acct.id
    arn = acct.client("iam").create_role(RoleName="TrustsRoot", AssumeRolePolicyDocument=trust(
        [allow(root_arn), allow(acct.id)]))["Role"]["Arn"]
    sts = acct.client("sts")
    for kwargs in ({}, {"ExternalId": "ext-42"}):
        err = expect_error(sts.assume_role, "AccessDenied", RoleArn=arn, RoleSessionName="r0",
                           **kwargs)
        assert err["Error"]["Message"] == ROOT_DENIED
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    # A role that does not exist gets the same answer: the root rule comes first.
    err = expect_error(sts.assume_role, "AccessDenied",
                       RoleArn="arn:aws:iam::%s:role/Missing" % acct.id, RoleSessionName="r0")
    assert err["Error"]["Message"] == ROOT_DENIED
    # Root's GetSessionToken is allowed, but its session is still root.
    token = sts.get_session_token()["Credentials"]
    session_sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                               aws_access_key_id=token["AccessKeyId"],
                               aws_secret_access_key=token["SecretAccessKey"],
                               aws_session_token=token["SessionToken"], config=NO_RETRY)
    err = expect_error(session_sts.assume_role, "AccessDenied", RoleArn=arn,
                       RoleSessionName="r0")
    assert err["Error"]["Message"] == ROOT_DENIED
    # An IAM user of the account, trusted through the account, may.
    user = iam_user(acct)
    creds = user.client("sts").assume_role(RoleArn=arn, RoleSessionName="r0")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")


def test_user_needs_the_external_id_the_trust_policy_requires(server):
    acct = signup(server, "userext")
    user = iam_user(acct, "ext-user", policy_arn=None)
    arn = acct.client("iam").create_role(RoleName="NeedsExternalId", AssumeRolePolicyDocument=trust(
        [allow(user.arn, {"StringEquals": {"sts:ExternalId": "ext-42"}})]))["Role"]["Arn"]
    sts = user.client("sts")
    err = expect_error(sts.assume_role, "AccessDenied", RoleArn=arn, RoleSessionName="r1")
    assert err["Error"]["Message"].startswith(
        "User: %s is not authorized to perform: sts:AssumeRole on resource: %s" % (user.arn, arn))
    expect_error(sts.assume_role, "AccessDenied", RoleArn=arn, RoleSessionName="r1",
                 ExternalId="wrong")
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="r1", ExternalId="ext-42")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")


def test_user_is_not_trusted_by_a_role_naming_someone_else(server):
    acct = signup(server, "userother")
    other = signup(server, "userother")
    user = iam_user(acct)
    arn = acct.client("iam").create_role(RoleName="TrustsOther", AssumeRolePolicyDocument=trust(
        [allow("arn:aws:iam::%s:root" % other.id)]))["Role"]["Arn"]
    # Even AdministratorAccess does not help: the trust policy must allow the caller.
    expect_error(user.client("sts").assume_role, "AccessDenied", RoleArn=arn,
                 RoleSessionName="r2")


def test_explicit_deny_in_the_trust_policy_stops_the_user(server):
    acct = signup(server, "userdeny")
    user = iam_user(acct, "denied-user", policy_arn=None)
    arn = acct.client("iam").create_role(RoleName="DeniesUser", AssumeRolePolicyDocument=trust([
        allow(user.arn),
        {"Effect": "Deny", "Principal": {"AWS": user.arn}, "Action": "sts:AssumeRole",
         "Condition": {"StringNotEquals": {"sts:RoleSessionName": "allowed"}}}]))["Role"]["Arn"]
    expect_error(user.client("sts").assume_role, "AccessDenied", RoleArn=arn,
                 RoleSessionName="other")
    user.client("sts").assume_role(RoleArn=arn, RoleSessionName="allowed")


def test_scp_restricts_a_member_accounts_users(server):
    mgmt, _, root_id = new_org(server)
    member = signup(server, "usermember")
    invite_and_join(mgmt, member)
    member_user = iam_user(member)
    arn = member.client("iam").create_role(RoleName="Own", AssumeRolePolicyDocument=trust(
        [allow("arn:aws:iam::%s:root" % member.id)]))["Role"]["Arn"]
    member_user.client("sts").assume_role(RoleArn=arn, RoleSessionName="before")
    ensure_scp_enabled(mgmt, root_id)
    policy = mgmt.orgs.create_policy(Name="NoAssume", Description="", Type="SERVICE_CONTROL_POLICY",
                                     Content=scp("sts:AssumeRole"))["Policy"]["PolicySummary"]
    mgmt.orgs.attach_policy(PolicyId=policy["Id"], TargetId=member.id)
    err = expect_error(member_user.client("sts").assume_role, "AccessDenied", RoleArn=arn,
                       RoleSessionName="after")
    assert "service control policy" in err["Error"]["Message"]
    # The management account is never restricted by SCPs.
    mgmt_user = iam_user(mgmt)
    mgmt_arn = mgmt.client("iam").create_role(RoleName="Mine", AssumeRolePolicyDocument=trust(
        [allow("arn:aws:iam::%s:root" % mgmt.id)]))["Role"]["Arn"]
    mgmt_user.client("sts").assume_role(RoleArn=mgmt_arn, RoleSessionName="mgmt")
