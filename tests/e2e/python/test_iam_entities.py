"""IAM users, groups and roles on the wire (Debian boto3): lifecycles, AWS errors, pagination."""
import json
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from orgtwin_server import OrgtwinServer
from iam_helpers import ACCOUNT, TRUST_EC2, doc, expect_error, iam_client, walk


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


# ---------------------------------------------------------------- users

def test_user_lifecycle(iam):
    created = iam.create_user(UserName="Alice", Path="/eng/",
                              Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert created["UserName"] == "Alice"
    assert created["Path"] == "/eng/"
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/Alice"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", created["UserId"])
    assert created["Tags"] == [{"Key": "team", "Value": "core"}]

    got = iam.get_user(UserName="alice")["User"]  # names compare case-insensitively
    assert got["UserId"] == created["UserId"]
    assert got["UserName"] == "Alice"
    assert got["CreateDate"] == created["CreateDate"]

    iam.update_user(UserName="Alice", NewUserName="Alicia", NewPath="/ops/")
    renamed = iam.get_user(UserName="Alicia")["User"]
    assert renamed["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/Alicia"
    assert renamed["UserId"] == created["UserId"]
    expect_error(iam.get_user, "NoSuchEntity", 404,
                 "The user with name Alice cannot be found.", UserName="Alice")

    iam.delete_user(UserName="Alicia")
    expect_error(iam.get_user, "NoSuchEntity", 404,
                 "The user with name Alicia cannot be found.", UserName="Alicia")
    expect_error(iam.delete_user, "NoSuchEntity", 404,
                 "The user with name Alicia cannot be found.", UserName="Alicia")


def test_user_names_are_unique_case_insensitively(iam):
    iam.create_user(UserName="Bob")
    expect_error(iam.create_user, "EntityAlreadyExists", 409,
                 "User with name BOB already exists.", UserName="BOB")
    iam.create_user(UserName="Carol")
    expect_error(iam.update_user, "EntityAlreadyExists", 409,
                 "User with name bob already exists.", UserName="Carol", NewUserName="bob")
    # Renaming to another casing of its own name is allowed.
    iam.update_user(UserName="Carol", NewUserName="CAROL")
    assert iam.get_user(UserName="carol")["User"]["UserName"] == "CAROL"


def test_get_user_without_name_is_the_root_caller(iam):
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["UserId"] == ACCOUNT
    assert "UserName" not in root
    assert "CreateDate" in root


def test_user_name_validation_is_the_models(iam):
    expect_error(iam.create_user, "ValidationError", 400, UserName="bad name!")
    expect_error(iam.create_user, "ValidationError", 400, UserName="x" * 65)
    expect_error(iam.create_user, "ValidationError", 400, UserName="ok", Path="no-slashes")


def test_list_users_paginates_with_opaque_markers(iam):
    names = [f"page-user-{i:02d}" for i in range(7)]
    for name in reversed(names):
        iam.create_user(UserName=name, Path="/paged/")
    users, pages = walk(iam.list_users, "Users", PathPrefix="/paged/")
    assert [u["UserName"] for u in users] == names
    assert pages == 7
    first = iam.list_users(PathPrefix="/paged/", MaxItems=3)
    assert first["IsTruncated"] is True
    assert "page-user" not in first["Marker"]  # opaque
    rest = iam.list_users(PathPrefix="/paged/", Marker=first["Marker"])
    assert [u["UserName"] for u in first["Users"] + rest["Users"]] == names
    assert rest["IsTruncated"] is False
    # ListUsers leaves out tags and boundaries; the default PathPrefix is "/" (everything).
    everyone = iam.list_users()["Users"]
    assert {"page-user-00", "Bob"} <= {u["UserName"] for u in everyone}
    assert all("Tags" not in u for u in everyone)


def test_user_tags(iam):
    iam.create_user(UserName="tagged")
    iam.tag_user(UserName="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_user(UserName="tagged", Tags=[{"Key": "A", "Value": "3"}])  # keys ignore case
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [
        {"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]
    page = iam.list_user_tags(UserName="tagged", MaxItems=1)
    assert page["IsTruncated"] is True and len(page["Tags"]) == 1
    iam.untag_user(UserName="tagged", TagKeys=["a"])
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [{"Key": "b", "Value": "2"}]
    assert iam.get_user(UserName="tagged")["User"]["Tags"] == [{"Key": "b", "Value": "2"}]
    expect_error(iam.tag_user, "InvalidInput", 400, UserName="tagged",
                 Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}])
    expect_error(iam.tag_user, "LimitExceeded", 409, UserName="tagged",
                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    expect_error(iam.tag_user, "NoSuchEntity", 404, UserName="ghost",
                 Tags=[{"Key": "x", "Value": "1"}])


def test_delete_user_conflicts(iam):
    iam.create_user(UserName="busy")
    iam.create_group(GroupName="busy-group")
    iam.add_user_to_group(GroupName="busy-group", UserName="busy")
    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must remove users from group first.", UserName="busy")
    iam.remove_user_from_group(GroupName="busy-group", UserName="busy")

    iam.attach_user_policy(UserName="busy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must detach all policies first.", UserName="busy")
    iam.detach_user_policy(UserName="busy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    iam.put_user_policy(UserName="busy", PolicyName="inline", PolicyDocument=doc())
    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must delete policies first.", UserName="busy")
    iam.delete_user_policy(UserName="busy", PolicyName="inline")

    iam.delete_user(UserName="busy")
    iam.delete_group(GroupName="busy-group")


# ---------------------------------------------------------------- groups

def test_group_lifecycle_and_membership(iam):
    group = iam.create_group(GroupName="Admins", Path="/teams/")["Group"]
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", group["GroupId"])
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/teams/Admins"
    expect_error(iam.create_group, "EntityAlreadyExists", 409,
                 "Group with name admins already exists.", GroupName="admins")
    for name in ("gm-c", "gm-a", "gm-b"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="admins", UserName=name)
    iam.add_user_to_group(GroupName="Admins", UserName="gm-a")  # again: no error, no duplicate

    got = iam.get_group(GroupName="Admins")
    assert got["Group"]["GroupId"] == group["GroupId"]
    assert [u["UserName"] for u in got["Users"]] == ["gm-a", "gm-b", "gm-c"]
    assert got["IsTruncated"] is False
    members, pages = walk(iam.get_group, "Users", GroupName="Admins")
    assert [u["UserName"] for u in members] == ["gm-a", "gm-b", "gm-c"] and pages == 3

    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="gm-b")["Groups"]] == [
        "Admins"]
    expect_error(iam.delete_group, "DeleteConflict", 409,
                 "Cannot delete entity, must remove users from group first.", GroupName="Admins")
    for name in ("gm-a", "gm-b", "gm-c"):
        iam.remove_user_from_group(GroupName="Admins", UserName=name)
        iam.delete_user(UserName=name)
    expect_error(iam.add_user_to_group, "NoSuchEntity", 404,
                 "The user with name gm-a cannot be found.", GroupName="Admins", UserName="gm-a")

    iam.update_group(GroupName="Admins", NewGroupName="Operators", NewPath="/ops/")
    assert iam.get_group(GroupName="operators")["Group"]["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:group/ops/Operators")
    iam.put_group_policy(GroupName="Operators", PolicyName="g-inline", PolicyDocument=doc())
    expect_error(iam.delete_group, "DeleteConflict", 409,
                 "Cannot delete entity, must delete policies first.", GroupName="Operators")
    iam.delete_group_policy(GroupName="Operators", PolicyName="g-inline")
    iam.delete_group(GroupName="Operators")
    expect_error(iam.get_group, "NoSuchEntity", 404,
                 "The group with name Operators cannot be found.", GroupName="Operators")


def test_list_groups_paginates(iam):
    for i in range(4):
        iam.create_group(GroupName=f"lg-{i}", Path="/lg/")
    groups, pages = walk(iam.list_groups, "Groups", PathPrefix="/lg/")
    assert [g["GroupName"] for g in groups] == [f"lg-{i}" for i in range(4)]
    assert pages == 4


def test_groups_per_user_quota(iam):
    iam.create_user(UserName="joiner")
    for i in range(10):
        iam.create_group(GroupName=f"quota-g{i}")
        iam.add_user_to_group(GroupName=f"quota-g{i}", UserName="joiner")
    iam.create_group(GroupName="quota-g10")
    expect_error(iam.add_user_to_group, "LimitExceeded", 409,
                 "Cannot exceed quota for GroupsPerUser: 10", GroupName="quota-g10",
                 UserName="joiner")
    groups, _ = walk(iam.list_groups_for_user, "Groups", UserName="joiner")
    assert len(groups) == 10


# ---------------------------------------------------------------- roles

def test_role_lifecycle(iam):
    role = iam.create_role(RoleName="Deployer", Path="/ci/", AssumeRolePolicyDocument=TRUST_EC2,
                           Description="deploys", MaxSessionDuration=7200,
                           Tags=[{"Key": "env", "Value": "prod"}])["Role"]
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"])
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci/Deployer"
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert role["MaxSessionDuration"] == 7200
    assert role["Tags"] == [{"Key": "env", "Value": "prod"}]

    got = iam.get_role(RoleName="deployer")["Role"]
    assert got["RoleId"] == role["RoleId"]
    assert got["Description"] == "deploys"
    assert got["RoleLastUsed"] == {}
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)

    iam.update_role(RoleName="Deployer", Description="ships", MaxSessionDuration=43200)
    got = iam.get_role(RoleName="Deployer")["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("ships", 43200)
    updated = iam.update_role_description(RoleName="Deployer", Description="again")["Role"]
    assert updated["Description"] == "again"

    new_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole"}]}
    iam.update_assume_role_policy(RoleName="Deployer", PolicyDocument=json.dumps(new_trust))
    assert iam.get_role(RoleName="Deployer")["Role"]["AssumeRolePolicyDocument"] == new_trust

    iam.tag_role(RoleName="Deployer", Tags=[{"Key": "team", "Value": "x"}])
    iam.untag_role(RoleName="Deployer", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="Deployer")["Tags"] == [{"Key": "team", "Value": "x"}]

    iam.delete_role(RoleName="Deployer")
    expect_error(iam.get_role, "NoSuchEntity", 404,
                 "The role with name Deployer cannot be found.", RoleName="Deployer")


def test_role_errors(iam):
    iam.create_role(RoleName="Unique", AssumeRolePolicyDocument=TRUST_EC2)
    expect_error(iam.create_role, "EntityAlreadyExists", 409,
                 "Role with name UNIQUE already exists.", RoleName="UNIQUE",
                 AssumeRolePolicyDocument=TRUST_EC2)
    expect_error(iam.create_role, "MalformedPolicyDocument", 400, RoleName="bad-trust",
                 AssumeRolePolicyDocument="{not json")
    # A trust policy must name a principal.
    expect_error(iam.create_role, "MalformedPolicyDocument", 400, RoleName="no-principal",
                 AssumeRolePolicyDocument=doc("sts:AssumeRole"))
    expect_error(iam.update_assume_role_policy, "MalformedPolicyDocument", 400,
                 RoleName="Unique", PolicyDocument="[]")
    expect_error(iam.create_role, "ValidationError", 400, RoleName="short-session",
                 AssumeRolePolicyDocument=TRUST_EC2, MaxSessionDuration=3599)
    expect_error(iam.create_role, "ValidationError", 400, RoleName="long-session",
                 AssumeRolePolicyDocument=TRUST_EC2, MaxSessionDuration=43201)
    expect_error(iam.update_role, "NoSuchEntity", 404,
                 "The role with name ghost cannot be found.", RoleName="ghost")


def test_delete_role_conflicts(iam):
    iam.create_role(RoleName="Attached", AssumeRolePolicyDocument=TRUST_EC2)
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.attach_role_policy(RoleName="Attached", PolicyArn=arn)
    expect_error(iam.delete_role, "DeleteConflict", 409,
                 "Cannot delete entity, must detach all policies first.", RoleName="Attached")
    iam.detach_role_policy(RoleName="Attached", PolicyArn=arn)
    iam.put_role_policy(RoleName="Attached", PolicyName="inline", PolicyDocument=doc())
    expect_error(iam.delete_role, "DeleteConflict", 409,
                 "Cannot delete entity, must delete policies first.", RoleName="Attached")
    iam.delete_role_policy(RoleName="Attached", PolicyName="inline")
    iam.delete_role(RoleName="Attached")


def test_role_quota_counts_every_create_and_delete():
    # RolesPerAccount is checked against a count kept beside the roles (migration 0031), not a
    # scan: every way a role comes and goes must move it, and it must survive a restart.
    srv = OrgtwinServer().start()
    try:
        iam = iam_client(srv)
        roles = lambda: iam.get_account_summary()["SummaryMap"]["Roles"]
        assert roles() == 0
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: iam.create_role(RoleName=f"q-{i:04d}",
                                                    AssumeRolePolicyDocument=TRUST_EC2),
                          range(1000)))
        assert roles() == 1000
        full = "Cannot exceed quota for RolesPerAccount: 1000"
        expect_error(iam.create_role, "LimitExceeded", 409, full, RoleName="one-more",
                     AssumeRolePolicyDocument=TRUST_EC2)
        expect_error(iam.create_service_linked_role, "LimitExceeded", 409, full,
                     AWSServiceName="ecs.amazonaws.com")
        iam.delete_role(RoleName="q-0000")
        assert roles() == 999
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
        expect_error(iam.create_role, "LimitExceeded", 409, full, RoleName="one-more",
                     AssumeRolePolicyDocument=TRUST_EC2)
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")
        assert roles() == 999
        # A failed create (the name is taken) counts nothing.
        expect_error(iam.create_role, "EntityAlreadyExists", 409, RoleName="q-0001",
                     AssumeRolePolicyDocument=TRUST_EC2)
        srv.kill9()
        srv.restart()
        iam = iam_client(srv)
        assert roles() == 999
        iam.create_role(RoleName="last", AssumeRolePolicyDocument=TRUST_EC2)
        expect_error(iam.create_role, "LimitExceeded", 409, full, RoleName="one-more",
                     AssumeRolePolicyDocument=TRUST_EC2)
    finally:
        srv.cleanup()


def test_user_quota_counts_every_create_and_delete():
    # UsersPerAccount, checked against the count kept beside the users (migration 0031).
    srv = OrgtwinServer().start()
    try:
        iam = iam_client(srv)
        users = lambda: iam.get_account_summary()["SummaryMap"]["Users"]
        assert users() == 0
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: iam.create_user(UserName=f"u-{i:04d}"), range(5000)))
        assert users() == 5000
        full = "Cannot exceed quota for UsersPerAccount: 5000"
        expect_error(iam.create_user, "LimitExceeded", 409, full, UserName="one-more")
        iam.delete_user(UserName="u-0000")
        expect_error(iam.create_user, "EntityAlreadyExists", 409, UserName="u-0001")
        assert users() == 4999
        srv.kill9()
        srv.restart()
        iam = iam_client(srv)
        assert users() == 4999
        iam.create_user(UserName="last")
        expect_error(iam.create_user, "LimitExceeded", 409, full, UserName="one-more")
    finally:
        srv.cleanup()


def test_list_roles_paginates(iam):
    names = [f"lr-{i:02d}" for i in range(5)]
    for name in names:
        iam.create_role(RoleName=name, Path="/lr/", AssumeRolePolicyDocument=TRUST_EC2)
    roles, pages = walk(iam.list_roles, "Roles", PathPrefix="/lr/")
    assert [r["RoleName"] for r in roles] == names and pages == 5
    assert roles[0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert "RoleLastUsed" not in roles[0]
    expect_error(iam.list_roles, "InvalidInput", 400, Marker="garbage!")


def test_reset_wipes_iam_entities():
    # Its own server: the reset must not disturb the module's shared one.
    srv = OrgtwinServer().start()
    try:
        iam = iam_client(srv)
        iam.create_user(UserName="gone")
        iam.create_group(GroupName="gone")
        iam.add_user_to_group(GroupName="gone", UserName="gone")
        iam.create_role(RoleName="gone", AssumeRolePolicyDocument=TRUST_EC2,
                        Tags=[{"Key": "a", "Value": "b"}])
        arn = iam.create_policy(PolicyName="gone", PolicyDocument=doc())["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="gone", PolicyArn=arn)
        iam.put_user_policy(UserName="gone", PolicyName="p", PolicyDocument=doc())

        url = srv.endpoint + "/moto-api/reset"
        request = AWSRequest(method="POST", url=url, data=b"")
        SigV4Auth(Credentials(srv.access_key, srv.secret_key), "orgtwin",
                  "us-east-1").add_auth(request)
        req = urllib.request.Request(url, data=b"", headers=dict(request.headers), method="POST")
        with urllib.request.urlopen(req, timeout=10) as response:
            assert response.status == 200

        assert iam.list_users()["Users"] == []
        assert iam.list_groups()["Groups"] == []
        assert iam.list_roles()["Roles"] == []
        assert iam.list_policies(Scope="Local")["Policies"] == []
        # Names are free again.
        iam.create_role(RoleName="gone", AssumeRolePolicyDocument=TRUST_EC2)
        assert iam.list_role_tags(RoleName="gone")["Tags"] == []
    finally:
        srv.cleanup()
