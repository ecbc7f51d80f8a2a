"""Authorization end to end (issue 4, "Enforcement"): every request is evaluated by the policy
engine with the caller's policies, and a denial is AWS's AccessDenied.

Debian boto3 against a real `orgtwin serve` in enforce mode (the default).
"""
import json

import boto3
import botocore
import pytest

from iam_helpers import ACCOUNT, NO_RETRY, iam_client

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def client(server, service, key, secret):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, config=NO_RETRY)


def denied(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    err = excinfo.value.response["Error"]
    assert err["Code"] == "AccessDenied", err
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return err["Message"]


@pytest.fixture
def iam(server):
    return iam_client(server)


def new_user(iam, server, name, **kwargs):
    iam.create_user(UserName=name, **kwargs)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return (client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"]),
            client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"]))


def test_root_can_do_anything_in_its_account(iam):
    iam.create_user(UserName="root-made")
    iam.attach_user_policy(UserName="root-made", PolicyArn=ADMIN)
    assert iam.list_users()["Users"]
    iam.detach_user_policy(UserName="root-made", PolicyArn=ADMIN)
    iam.delete_user(UserName="root-made")


def test_user_without_policy_is_denied_everything_but_get_caller_identity(iam, server):
    user_iam, user_sts = new_user(iam, server, "nopolicy")
    message = denied(user_iam.create_user, UserName="bob")
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nopolicy is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/bob because no "
        "identity-based policy allows the iam:CreateUser action")
    message = denied(user_iam.list_roles)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nopolicy is not authorized to perform: "
        f"iam:ListRoles on resource: arn:aws:iam::{ACCOUNT}:role/ because no "
        "identity-based policy allows the iam:ListRoles action")
    denied(user_iam.get_user)
    ident = user_sts.get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/nopolicy"


def test_attaching_a_policy_takes_effect_on_the_next_request(iam, server):
    user_iam, _ = new_user(iam, server, "grows")
    denied(user_iam.list_users)
    iam.attach_user_policy(UserName="grows", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert any(u["UserName"] == "grows" for u in user_iam.list_users()["Users"])
    iam.detach_user_policy(UserName="grows",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    denied(user_iam.list_users)
    # Inline policies too, scoped to a resource.
    iam.put_user_policy(UserName="grows", PolicyName="self", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                       "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
    assert user_iam.get_user()["User"]["UserName"] == "grows"
    denied(user_iam.get_user, UserName="nopolicy")


def test_permissions_boundary_caps_an_admin(iam, server):
    user_iam, _ = new_user(iam, server, "capped",
                           PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.attach_user_policy(UserName="capped", PolicyArn=ADMIN)
    user_iam.list_users()
    message = denied(user_iam.create_user, UserName="nope")
    assert message.endswith("because no permissions boundary allows the iam:CreateUser action")


def test_explicit_deny_wins(iam, server):
    user_iam, user_sts = new_user(iam, server, "denied")
    iam.attach_user_policy(UserName="denied", PolicyArn=ADMIN)
    user_iam.list_users()
    iam.put_user_policy(UserName="denied", PolicyName="no-users", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"},
                      {"Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}))
    message = denied(user_iam.list_users)
    assert message.endswith("with an explicit deny in an identity-based policy")
    user_iam.list_roles()
    # GetCallerIdentity works even under an explicit deny.
    assert user_sts.get_caller_identity()["Account"] == ACCOUNT


def test_resource_tags_decide_attribute_based_policies(iam, server):
    """aws:ResourceTag comes from the role's stored tags, and follows TagRole / UntagRole."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="abac-blue", AssumeRolePolicyDocument=trust,
                    Tags=[{"Key": "Team", "Value": "blue"}])
    iam.create_role(RoleName="abac-red", AssumeRolePolicyDocument=trust)
    user_iam, user_sts = new_user(iam, server, "abac-user")
    iam.put_user_policy(UserName="abac-user", PolicyName="blue-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["iam:UpdateRoleDescription", "sts:AssumeRole"],
                       "Resource": "*",
                       "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]}))
    user_iam.update_role_description(RoleName="abac-blue", Description="ours")
    denied(user_iam.update_role_description, RoleName="abac-red", Description="not ours")
    arn = "arn:aws:iam::%s:role/" % ACCOUNT
    user_sts.assume_role(RoleArn=arn + "abac-blue", RoleSessionName="abac")
    denied(user_sts.assume_role, RoleArn=arn + "abac-red", RoleSessionName="abac")
    # Tagging the other role lets the same policy through on the next request; untagging the
    # first one shuts it out.
    iam.tag_role(RoleName="abac-red", Tags=[{"Key": "team", "Value": "blue"}])
    iam.untag_role(RoleName="abac-blue", TagKeys=["Team"])
    user_iam.update_role_description(RoleName="abac-red", Description="ours now")
    denied(user_iam.update_role_description, RoleName="abac-blue", Description="not any more")


def test_mfa_condition_blocks_long_term_keys(iam, server):
    user_iam, _ = new_user(iam, server, "needsmfa")
    iam.put_user_policy(UserName="needsmfa", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}))
    message = denied(user_iam.list_users)
    assert message.endswith("with an explicit deny in an identity-based policy")
    # A plain Bool condition does not match when the key is absent (long-term keys carry none).
    iam.put_user_policy(UserName="needsmfa", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}))
    user_iam.list_users()


def test_permissive_mode_skips_authorization():
    from orgtwin_server import OrgtwinServer
    srv = OrgtwinServer("--auth", "permissive").start()
    try:
        # Any key is the default account's root: nothing is denied.
        anyone = client(srv, "iam", "AKIAANYONE0000000000", "secret")
        anyone.create_user(UserName="free")
        assert any(u["UserName"] == "free" for u in anyone.list_users()["Users"])
    finally:
        srv.cleanup()


def test_permissive_mode_keeps_the_principals_of_issued_keys():
    """Permissive mode checks no signature and authorizes nothing, but the keys the twin issued
    still act as their own principals in their own accounts (README, "Permissive mode")."""
    import json as json_module
    import subprocess
    from orgtwin_server import OrgtwinServer
    srv = OrgtwinServer("--auth", "permissive").start()
    try:
        root_iam = client(srv, "iam", srv.access_key, srv.secret_key)
        root_iam.create_user(UserName="alice")
        key = root_iam.create_access_key(UserName="alice")["AccessKey"]
        # A wrong secret is not checked; the key is still alice's.
        alice_sts = client(srv, "sts", key["AccessKeyId"], "not-the-secret")
        assert alice_sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/alice"
        # Unauthorized on AWS (alice has no policy), allowed here; her use is recorded.
        alice_iam = client(srv, "iam", key["AccessKeyId"], "not-the-secret")
        alice_iam.create_role(RoleName="ops", AssumeRolePolicyDocument=json_module.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                           "Action": "sts:AssumeRole"}]}))
        last_used = root_iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        assert last_used["UserName"] == "alice"
        assert last_used["AccessKeyLastUsed"]["ServiceName"] == "iam"
        assert "LastUsedDate" in last_used["AccessKeyLastUsed"]

        # A session's keys act as the session, whatever token comes with them.
        creds = alice_sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/ops",
                                      RoleSessionName="night")["Credentials"]
        session = boto3.client("sts", endpoint_url=srv.endpoint, region_name="us-east-1",
                               aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key="x", aws_session_token="not-the-token",
                               config=NO_RETRY)
        assert session.get_caller_identity()["Arn"] == (
            "arn:aws:sts::123456789012:assumed-role/ops/night")

        # Another account's root key acts in that account, not in the default one.
        out = subprocess.run([srv.binary, "signup", "--endpoint", srv.endpoint, "--email",
                              "permissive-other@example.com", "--name", "other"],
                             check=True, capture_output=True, text=True, timeout=30)
        other = json_module.loads(out.stdout)
        other_iam = client(srv, "iam", other["AccessKeyId"], "x")
        other_iam.create_user(UserName="elsewhere")
        assert client(srv, "sts", other["AccessKeyId"], "x").get_caller_identity()[
            "Account"] == other["AccountId"]
        assert "elsewhere" not in [u["UserName"] for u in root_iam.list_users()["Users"]]

        # A key the twin never issued is the default account's root.
        assert client(srv, "sts", "testing", "testing").get_caller_identity()["Arn"] == (
            "arn:aws:iam::123456789012:root")
    finally:
        srv.cleanup()
