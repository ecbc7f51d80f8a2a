"""IAM managed policies, versions, attachments, inline policies and permissions boundaries on the
wire (Debian boto3): lifecycles, AWS errors, quotas, pagination, AWS managed policies."""
import json
import re

import pytest

from iam_helpers import ACCOUNT, TRUST_EC2, doc, expect_error, iam_client, walk

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
BILLING = "arn:aws:iam::aws:policy/job-function/Billing"


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


def test_customer_policy_lifecycle(iam):
    policy = iam.create_policy(PolicyName="ReadBuckets", Path="/app/", PolicyDocument=doc(),
                               Description="read", Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    arn = f"arn:aws:iam::{ACCOUNT}:policy/app/ReadBuckets"
    assert policy["Arn"] == arn
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"])
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == (
        "v1", 0, True)
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "read"
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(doc())
    assert version["IsDefaultVersion"] is True

    expect_error(iam.create_policy, "EntityAlreadyExists", 409,
                 "A policy called readbuckets already exists. Duplicate names are not allowed.",
                 PolicyName="readbuckets", PolicyDocument=doc())
    iam.untag_policy(PolicyArn=arn, TagKeys=["k"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == []
    iam.delete_policy(PolicyArn=arn)
    expect_error(iam.get_policy, "NoSuchEntity", 404, f"Policy {arn} was not found.",
                 PolicyArn=arn)


def test_malformed_and_oversized_documents(iam):
    expect_error(iam.create_policy, "MalformedPolicyDocument", 400, PolicyName="bad",
                 PolicyDocument="{")
    expect_error(iam.create_policy, "MalformedPolicyDocument", 400, PolicyName="bad",
                 PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                     {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}))
    big = doc(action=["s3:Get" + "x" * 40 + str(i) for i in range(150)])
    expect_error(iam.create_policy, "LimitExceeded", 409,
                 "Cannot exceed quota for PolicySize: 6144", PolicyName="big", PolicyDocument=big)


def test_policy_versions(iam):
    arn = iam.create_policy(PolicyName="Versioned", PolicyDocument=doc("s3:A"))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:B"))["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", False)
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:C"),
                                   SetAsDefault=True)["PolicyVersion"]
    assert (v3["VersionId"], v3["IsDefaultVersion"]) == ("v3", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:D"))
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:E"))
    expect_error(iam.create_policy_version, "LimitExceeded", 409,
                 "A managed policy can have up to 5 versions. Before you create a new version, "
                 "you must delete an existing version.", PolicyArn=arn, PolicyDocument=doc())
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in listed] == [False, False, True, False, False]
    versions, pages = walk(iam.list_policy_versions, "Versions", PolicyArn=arn)
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"] and pages == 5

    expect_error(iam.delete_policy_version, "DeleteConflict", 409,
                 "Cannot delete the default version of a policy.", PolicyArn=arn, VersionId="v3")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"][
        "IsDefaultVersion"] is True
    expect_error(iam.set_default_policy_version, "NoSuchEntity", 404, PolicyArn=arn,
                 VersionId="v9")
    expect_error(iam.get_policy_version, "NoSuchEntity", 404, PolicyArn=arn, VersionId="v9")

    expect_error(iam.delete_policy, "DeleteConflict", 409, PolicyArn=arn)  # versions remain
    for vid in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=vid)
    expect_error(iam.delete_policy_version, "NoSuchEntity", 404, PolicyArn=arn, VersionId="v2")
    # Version numbers are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc())["PolicyVersion"][
        "VersionId"] == "v6"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policies_resolve(iam):
    admin = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert admin["PolicyName"] == "AdministratorAccess"
    assert admin["Path"] == "/"
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId=admin["DefaultVersionId"])
    statement = version["PolicyVersion"]["Document"]["Statement"]
    assert statement[0]["Effect"] == "Allow" and statement[0]["Action"] == "*"
    billing = iam.get_policy(PolicyArn=BILLING)["Policy"]
    assert billing["Path"] == "/job-function/"
    expect_error(iam.get_policy, "NoSuchEntity", 404,
                 "Policy arn:aws:iam::aws:policy/NotARealPolicy was not found.",
                 PolicyArn="arn:aws:iam::aws:policy/NotARealPolicy")


def test_attach_detach_and_counts(iam):
    iam.create_user(UserName="att-user")
    iam.create_group(GroupName="att-group")
    iam.create_role(RoleName="att-role", AssumeRolePolicyDocument=TRUST_EC2)
    local = iam.create_policy(PolicyName="AttachMe", PolicyDocument=doc())["Policy"]["Arn"]
    for arn in (ADMIN, local):
        iam.attach_user_policy(UserName="att-user", PolicyArn=arn)
        iam.attach_group_policy(GroupName="att-group", PolicyArn=arn)
        iam.attach_role_policy(RoleName="att-role", PolicyArn=arn)
    iam.attach_role_policy(RoleName="att-role", PolicyArn=ADMIN)  # again: no error
    assert iam.get_policy(PolicyArn=local)["Policy"]["AttachmentCount"] == 3
    assert iam.list_attached_role_policies(RoleName="att-role")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN},
        {"PolicyName": "AttachMe", "PolicyArn": local}]
    attached, pages = walk(iam.list_attached_user_policies, "AttachedPolicies",
                           UserName="att-user")
    assert len(attached) == 2 and pages == 2
    assert len(iam.list_attached_group_policies(GroupName="att-group")["AttachedPolicies"]) == 2

    entities = iam.list_entities_for_policy(PolicyArn=local)
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["att-group"]
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["att-user"]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["att-role"]
    only_roles = iam.list_entities_for_policy(PolicyArn=local, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    first = iam.list_entities_for_policy(PolicyArn=local, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_entities_for_policy(PolicyArn=local, Marker=first["Marker"])
    assert len(first["PolicyGroups"] + first["PolicyUsers"] + rest["PolicyRoles"]) == 3

    only_attached = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in only_attached] == ["AttachMe"]
    aws_attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in aws_attached] == [ADMIN]
    assert aws_attached[0]["AttachmentCount"] == 3

    expect_error(iam.delete_policy, "DeleteConflict", 409,
                 "Cannot delete a policy attached to entities.", PolicyArn=local)
    for arn in (ADMIN, local):
        iam.detach_user_policy(UserName="att-user", PolicyArn=arn)
        iam.detach_group_policy(GroupName="att-group", PolicyArn=arn)
        iam.detach_role_policy(RoleName="att-role", PolicyArn=arn)
    expect_error(iam.detach_role_policy, "NoSuchEntity", 404, f"Policy {ADMIN} was not found.",
                 RoleName="att-role", PolicyArn=ADMIN)
    iam.delete_policy(PolicyArn=local)


def test_attach_errors_and_quota(iam):
    iam.create_role(RoleName="quota-role", AssumeRolePolicyDocument=TRUST_EC2)
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Missing"
    expect_error(iam.attach_role_policy, "NoSuchEntity", 404,
                 f"Policy {missing} does not exist or is not attachable.",
                 RoleName="quota-role", PolicyArn=missing)
    expect_error(iam.attach_user_policy, "NoSuchEntity", 404,
                 "The user with name nobody cannot be found.", UserName="nobody",
                 PolicyArn=ADMIN)
    arns = [iam.create_policy(PolicyName=f"quota-{i}", PolicyDocument=doc())["Policy"]["Arn"]
            for i in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName="quota-role", PolicyArn=arn)
    expect_error(iam.attach_role_policy, "LimitExceeded", 409,
                 "Cannot exceed quota for PoliciesPerRole: 10", RoleName="quota-role",
                 PolicyArn=arns[10])


def test_inline_policies(iam):
    iam.create_role(RoleName="inline-role", AssumeRolePolicyDocument=TRUST_EC2)
    iam.put_role_policy(RoleName="inline-role", PolicyName="b", PolicyDocument=doc("s3:B"))
    iam.put_role_policy(RoleName="inline-role", PolicyName="a", PolicyDocument=doc("s3:A"))
    iam.put_role_policy(RoleName="inline-role", PolicyName="a", PolicyDocument=doc("s3:A2"))
    got = iam.get_role_policy(RoleName="INLINE-ROLE", PolicyName="a")
    assert (got["RoleName"], got["PolicyName"]) == ("inline-role", "a")
    assert got["PolicyDocument"] == json.loads(doc("s3:A2"))
    assert iam.list_role_policies(RoleName="inline-role")["PolicyNames"] == ["a", "b"]
    names, pages = walk(iam.list_role_policies, "PolicyNames", RoleName="inline-role")
    assert names == ["a", "b"] and pages == 2
    expect_error(iam.get_role_policy, "NoSuchEntity", 404,
                 "The role policy with name zzz cannot be found.", RoleName="inline-role",
                 PolicyName="zzz")
    expect_error(iam.put_role_policy, "MalformedPolicyDocument", 400, RoleName="inline-role",
                 PolicyName="bad", PolicyDocument="{")

    iam.create_user(UserName="inline-user")
    iam.put_user_policy(UserName="inline-user", PolicyName="p", PolicyDocument=doc())
    assert iam.get_user_policy(UserName="inline-user", PolicyName="p")["PolicyDocument"] == (
        json.loads(doc()))
    assert iam.list_user_policies(UserName="inline-user")["PolicyNames"] == ["p"]
    # The user quota (2,048 characters) covers the sum of the user's inline policies.
    expect_error(iam.put_user_policy, "LimitExceeded", 409,
                 "Maximum policy size of 2048 bytes exceeded for user inline-user",
                 UserName="inline-user", PolicyName="q",
                 PolicyDocument=doc(action=[f"s3:Action{i:04d}" for i in range(120)]))
    iam.delete_user_policy(UserName="inline-user", PolicyName="p")
    expect_error(iam.delete_user_policy, "NoSuchEntity", 404,
                 "The user policy with name p cannot be found.", UserName="inline-user",
                 PolicyName="p")

    iam.create_group(GroupName="inline-group")
    iam.put_group_policy(GroupName="inline-group", PolicyName="g", PolicyDocument=doc())
    assert iam.get_group_policy(GroupName="inline-group", PolicyName="g")["GroupName"] == (
        "inline-group")
    assert iam.list_group_policies(GroupName="inline-group")["PolicyNames"] == ["g"]


def test_permissions_boundaries(iam):
    boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=doc())["Policy"]["Arn"]
    iam.create_user(UserName="bounded", PermissionsBoundary=boundary)
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary}
    iam.create_role(RoleName="bounded-role", AssumeRolePolicyDocument=TRUST_EC2)
    iam.put_role_permissions_boundary(RoleName="bounded-role", PermissionsBoundary=ADMIN)
    assert iam.get_role(RoleName="bounded-role")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == ADMIN
    iam.put_role_permissions_boundary(RoleName="bounded-role", PermissionsBoundary=boundary)
    policy = iam.get_policy(PolicyArn=boundary)["Policy"]
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (0, 2)
    users = iam.list_entities_for_policy(PolicyArn=boundary,
                                         PolicyUsageFilter="PermissionsBoundary")
    assert [u["UserName"] for u in users["PolicyUsers"]] == ["bounded"]
    assert [r["RoleName"] for r in users["PolicyRoles"]] == ["bounded-role"]
    assert iam.list_entities_for_policy(PolicyArn=boundary,
                                        PolicyUsageFilter="PermissionsPolicy")["PolicyUsers"] == []
    expect_error(iam.delete_policy, "DeleteConflict", 409, PolicyArn=boundary)
    missing = f"arn:aws:iam::{ACCOUNT}:policy/NoBoundary"
    expect_error(iam.put_user_permissions_boundary, "NoSuchEntity", 404,
                 f"Policy {missing} does not exist or is not attachable.",
                 UserName="bounded", PermissionsBoundary=missing)
    expect_error(iam.create_role, "NoSuchEntity", 404, RoleName="never",
                 AssumeRolePolicyDocument=TRUST_EC2, PermissionsBoundary=missing)

    iam.delete_user_permissions_boundary(UserName="bounded")
    iam.delete_role_permissions_boundary(RoleName="bounded-role")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded-role")["Role"]
    iam.delete_policy(PolicyArn=boundary)


def test_list_policies_scopes_and_pagination(iam):
    for i in range(3):
        iam.create_policy(PolicyName=f"lp-{i}", Path="/lp/", PolicyDocument=doc())
    local, pages = walk(iam.list_policies, "Policies", Scope="Local", PathPrefix="/lp/")
    assert [p["PolicyName"] for p in local] == ["lp-0", "lp-1", "lp-2"] and pages == 3
    aws = iam.list_policies(Scope="AWS", PathPrefix="/job-function/")["Policies"]
    assert "Billing" in {p["PolicyName"] for p in aws}
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/job-function/") for p in aws)
    # Scope All (the default) covers both, one page after another without repeats.
    seen, marker = [], None
    while True:
        args = {"MaxItems": 500}
        if marker:
            args["Marker"] = marker
        page = iam.list_policies(**args)
        seen.extend(p["Arn"] for p in page["Policies"])
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert len(seen) == len(set(seen))
    assert ADMIN in seen and f"arn:aws:iam::{ACCOUNT}:policy/lp/lp-0" in seen
    assert len(seen) > 1000
