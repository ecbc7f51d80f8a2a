"""IAM tools on the wire (Debian boto3): instance profiles, service-linked roles,
GetAccountAuthorizationDetails (complete and paginated), the policy simulator and the
context-key operations."""
import json
import re
from urllib.parse import unquote

import pytest

from iam_helpers import ACCOUNT, TRUST_EC2, doc, expect_error, iam_client

CUSTOMER_ACCOUNT = "210987654321"
TRUST_CUSTOMER = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CUSTOMER_ACCOUNT}:root"},
                   "Action": "sts:AssumeRole"}],
})
SOC_POLICIES = ["AWSOrganizationsFullAccess", "AmazonS3FullAccess", "AWSCloudTrail_FullAccess",
                "CloudWatchFullAccess", "AWSCloudFormationFullAccess"]


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


# ---------------------------------------------------------------- instance profiles

def test_instance_profile_lifecycle(iam):
    iam.create_role(RoleName="ec2-role", AssumeRolePolicyDocument=TRUST_EC2)
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/app/",
                                          Tags=[{"Key": "tier", "Value": "web"}])["InstanceProfile"]
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web"
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", profile["InstanceProfileId"])
    assert profile["Roles"] == []
    expect_error(iam.create_instance_profile, "EntityAlreadyExists", 409,
                 "Instance Profile WEB already exists.", InstanceProfileName="WEB")
    iam.create_instance_profile(InstanceProfileName="other")

    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2-role")
    expect_error(iam.add_role_to_instance_profile, "LimitExceeded", 409,
                 "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
                 InstanceProfileName="web", RoleName="ec2-role")
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["ec2-role"]
    assert got["Tags"] == [{"Key": "tier", "Value": "web"}]
    for_role = iam.list_instance_profiles_for_role(RoleName="ec2-role")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    listed = iam.list_instance_profiles(PathPrefix="/app/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]
    page = iam.list_instance_profiles(MaxItems=1)
    assert page["IsTruncated"] is True and len(page["InstanceProfiles"]) == 1

    expect_error(iam.delete_role, "DeleteConflict", 409,
                 "Cannot delete entity, must remove roles from instance profile first.",
                 RoleName="ec2-role")
    expect_error(iam.delete_instance_profile, "DeleteConflict", 409,
                 "Cannot delete entity, must remove roles from instance profile first.",
                 InstanceProfileName="web")
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="ec2-role")
    expect_error(iam.remove_role_from_instance_profile, "NoSuchEntity", 404,
                 InstanceProfileName="web", RoleName="ec2-role")
    iam.delete_instance_profile(InstanceProfileName="web")
    iam.delete_instance_profile(InstanceProfileName="other")
    expect_error(iam.get_instance_profile, "NoSuchEntity", 404,
                 "Instance Profile web cannot be found.", InstanceProfileName="web")
    iam.delete_role(RoleName="ec2-role")


# ---------------------------------------------------------------- service-linked roles

def test_service_linked_role_for_organizations(iam):
    role = iam.create_service_linked_role(AWSServiceName="organizations.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForOrganizations"
    assert role["Path"] == "/aws-service-role/organizations.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
                           "organizations.amazonaws.com/AWSServiceRoleForOrganizations")
    trust = json.loads(unquote(role["AssumeRolePolicyDocument"])
                       if isinstance(role["AssumeRolePolicyDocument"], str)
                       else json.dumps(role["AssumeRolePolicyDocument"]))
    assert trust["Statement"][0]["Principal"] == {"Service": "organizations.amazonaws.com"}
    assert trust["Statement"][0]["Action"] == "sts:AssumeRole"
    attached = iam.list_attached_role_policies(
        RoleName="AWSServiceRoleForOrganizations")["AttachedPolicies"]
    assert attached == [{
        "PolicyName": "AWSOrganizationsServiceTrustPolicy",
        "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy"}]

    expect_error(iam.create_service_linked_role, "InvalidInput", 400,
                 "Service role name AWSServiceRoleForOrganizations has been taken in this "
                 "account, please try a different suffix.",
                 AWSServiceName="organizations.amazonaws.com")
    protected = ("Cannot perform the operation on the protected role "
                 "'AWSServiceRoleForOrganizations' - this role is only modifiable by AWS")
    expect_error(iam.delete_role, "UnmodifiableEntity", 400, protected,
                 RoleName="AWSServiceRoleForOrganizations")
    expect_error(iam.detach_role_policy, "UnmodifiableEntity", 400, protected,
                 RoleName="AWSServiceRoleForOrganizations",
                 PolicyArn="arn:aws:iam::aws:policy/aws-service-role/"
                           "AWSOrganizationsServiceTrustPolicy")
    expect_error(iam.put_role_policy, "UnmodifiableEntity", 400, protected,
                 RoleName="AWSServiceRoleForOrganizations", PolicyName="x",
                 PolicyDocument=doc())

    task = iam.delete_service_linked_role(
        RoleName="AWSServiceRoleForOrganizations")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/organizations.amazonaws.com/"
                           "AWSServiceRoleForOrganizations/")
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    expect_error(iam.get_role, "NoSuchEntity", 404, RoleName="AWSServiceRoleForOrganizations")


def test_service_linked_role_errors(iam):
    expect_error(iam.create_service_linked_role, "InvalidInput", 400,
                 AWSServiceName="not-a-service")
    iam.create_role(RoleName="plain-role", AssumeRolePolicyDocument=TRUST_EC2)
    expect_error(iam.delete_service_linked_role, "InvalidInput", 400, RoleName="plain-role")
    expect_error(iam.delete_service_linked_role, "NoSuchEntity", 404, RoleName="absent-role")
    iam.delete_role(RoleName="plain-role")
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix="web", Description="d")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_web"
    assert role["Description"] == "d"
    iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling_web")


# ---------------------------------------------------------------- authorization details

def test_account_authorization_details(iam):
    iam.create_group(GroupName="auth-group")
    iam.put_group_policy(GroupName="auth-group", PolicyName="g-inline", PolicyDocument=doc())
    iam.create_user(UserName="auth-user")
    iam.add_user_to_group(GroupName="auth-group", UserName="auth-user")
    iam.put_user_policy(UserName="auth-user", PolicyName="u-inline",
                        PolicyDocument=doc("s3:PutObject"))
    arn = iam.create_policy(PolicyName="auth-managed", PolicyDocument=doc("sqs:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("sns:*"), SetAsDefault=True)
    iam.attach_user_policy(UserName="auth-user", PolicyArn=arn)
    iam.create_role(RoleName="auth-role", AssumeRolePolicyDocument=TRUST_EC2)
    iam.attach_role_policy(RoleName="auth-role",
                           PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_instance_profile(InstanceProfileName="auth-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="auth-profile", RoleName="auth-role")

    full = iam.get_account_authorization_details()
    assert full["IsTruncated"] is False
    users = {u["UserName"]: u for u in full["UserDetailList"]}
    u = users["auth-user"]
    assert u["GroupList"] == ["auth-group"]
    assert [p["PolicyName"] for p in u["UserPolicyList"]] == ["u-inline"]
    assert json.loads(u["UserPolicyList"][0]["PolicyDocument"] if isinstance(
        u["UserPolicyList"][0]["PolicyDocument"], str) else json.dumps(
        u["UserPolicyList"][0]["PolicyDocument"]))["Statement"][0]["Action"] == "s3:PutObject"
    assert u["AttachedManagedPolicies"] == [{"PolicyName": "auth-managed", "PolicyArn": arn}]
    groups = {g["GroupName"]: g for g in full["GroupDetailList"]}
    assert [p["PolicyName"] for p in groups["auth-group"]["GroupPolicyList"]] == ["g-inline"]
    roles = {r["RoleName"]: r for r in full["RoleDetailList"]}
    r = roles["auth-role"]
    assert [p["InstanceProfileName"] for p in r["InstanceProfileList"]] == ["auth-profile"]
    assert r["AttachedManagedPolicies"][0]["PolicyName"] == "ReadOnlyAccess"
    policies = {p["PolicyName"]: p for p in full["Policies"]}
    mine = policies["auth-managed"]
    assert mine["DefaultVersionId"] == "v2"
    assert mine["AttachmentCount"] == 1
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in mine["PolicyVersionList"]] == \
        [("v2", True), ("v1", False)]
    assert "ReadOnlyAccess" in policies  # AWS managed and in use

    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and only_roles["Policies"] == []
    assert "auth-role" in [x["RoleName"] for x in only_roles["RoleDetailList"]]
    local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
    assert [p["PolicyName"] for p in local] == ["auth-managed"]

    # One item per page, every entity exactly once.
    seen, marker, pages = [], None, 0
    while True:
        args = {"MaxItems": 1}
        if marker:
            args["Marker"] = marker
        page = iam.get_account_authorization_details(**args)
        pages += 1
        items = (page["UserDetailList"] + page["GroupDetailList"] + page["RoleDetailList"] +
                 page["Policies"])
        assert len(items) == 1
        seen.append(items[0].get("Arn"))
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    total = (len(full["UserDetailList"]) + len(full["GroupDetailList"]) +
             len(full["RoleDetailList"]) + len(full["Policies"]))
    assert pages == total and len(set(seen)) == total

    iam.remove_role_from_instance_profile(InstanceProfileName="auth-profile", RoleName="auth-role")
    iam.delete_instance_profile(InstanceProfileName="auth-profile")
    iam.detach_role_policy(RoleName="auth-role", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_role(RoleName="auth-role")
    iam.detach_user_policy(UserName="auth-user", PolicyArn=arn)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    iam.delete_user_policy(UserName="auth-user", PolicyName="u-inline")
    iam.remove_user_from_group(GroupName="auth-group", UserName="auth-user")
    iam.delete_user(UserName="auth-user")
    iam.delete_group_policy(GroupName="auth-group", PolicyName="g-inline")
    iam.delete_group(GroupName="auth-group")


# ---------------------------------------------------------------- simulator

@pytest.fixture(scope="module")
def seed_roles(iam):
    iam.create_role(RoleName="CustomerSOC", AssumeRolePolicyDocument=TRUST_CUSTOMER)
    for name in SOC_POLICIES:
        iam.attach_role_policy(RoleName="CustomerSOC",
                               PolicyArn=f"arn:aws:iam::aws:policy/{name}")
    iam.create_role(RoleName="PartnerBilling", AssumeRolePolicyDocument=TRUST_CUSTOMER)
    iam.attach_role_policy(RoleName="PartnerBilling",
                           PolicyArn="arn:aws:iam::aws:policy/job-function/Billing")
    return {"soc": f"arn:aws:iam::{ACCOUNT}:role/CustomerSOC",
            "billing": f"arn:aws:iam::{ACCOUNT}:role/PartnerBilling"}


def decisions(results):
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


def test_seed_roles_simulated(iam, seed_roles):
    soc = iam.simulate_principal_policy(
        PolicySourceArn=seed_roles["soc"],
        ActionNames=["aws-portal:ViewBilling", "organizations:ListAccounts",
                     "cloudtrail:LookupEvents", "s3:GetObject"])["EvaluationResults"]
    got = decisions(soc)
    assert got[("aws-portal:ViewBilling", "*")] == "implicitDeny"
    assert got[("organizations:ListAccounts", "*")] == "allowed"
    assert got[("cloudtrail:LookupEvents", "*")] == "allowed"
    assert got[("s3:GetObject", "*")] == "allowed"
    denied = [r for r in soc if r["EvalActionName"] == "aws-portal:ViewBilling"][0]
    assert denied["MatchedStatements"] == []
    assert denied["MissingContextValues"] == []
    allowed = [r for r in soc if r["EvalActionName"] == "organizations:ListAccounts"][0]
    sources = {(m["SourcePolicyId"], m["SourcePolicyType"]) for m in allowed["MatchedStatements"]}
    assert ("AWSOrganizationsFullAccess", "aws-managed") in sources
    assert all("StartPosition" in m and "EndPosition" in m for m in allowed["MatchedStatements"])

    billing = iam.simulate_principal_policy(
        PolicySourceArn=seed_roles["billing"],
        ActionNames=["aws-portal:ViewBilling", "iam:CreateRole"])["EvaluationResults"]
    got = decisions(billing)
    assert got[("aws-portal:ViewBilling", "*")] == "allowed"
    assert got[("iam:CreateRole", "*")] == "implicitDeny"


def test_simulate_custom_policy(iam):
    allow = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadBucket", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bucket/*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})
    results = iam.simulate_custom_policy(
        PolicyInputList=[allow],
        ActionNames=["s3:GetObject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::bucket/key", "arn:aws:s3:::other/key"])["EvaluationResults"]
    got = decisions(results)
    assert got == {
        ("s3:GetObject", "arn:aws:s3:::bucket/key"): "allowed",
        ("s3:GetObject", "arn:aws:s3:::other/key"): "implicitDeny",
        ("s3:DeleteObject", "arn:aws:s3:::bucket/key"): "explicitDeny",
        ("s3:DeleteObject", "arn:aws:s3:::other/key"): "explicitDeny",
    }
    deny = [r for r in results if r["EvalDecision"] == "explicitDeny"][0]
    statement = deny["MatchedStatements"][0]
    assert statement["SourcePolicyId"] == "PolicyInputList.1"
    # The second statement of a one-line document: line 1, after the first statement.
    assert statement["StartPosition"]["Line"] == 1
    assert statement["StartPosition"]["Column"] == allow.index('{"Sid": "NoDelete"') + 1
    assert statement["EndPosition"]["Column"] > statement["StartPosition"]["Column"]

    # Pagination over the action x resource results.
    page = iam.simulate_custom_policy(PolicyInputList=[allow], ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::bucket/a", "arn:aws:s3:::b/c"],
                                      MaxItems=1)
    assert page["IsTruncated"] is True and len(page["EvaluationResults"]) == 1
    rest = iam.simulate_custom_policy(PolicyInputList=[allow], ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::bucket/a", "arn:aws:s3:::b/c"],
                                      MaxItems=1, Marker=page["Marker"])
    assert rest["IsTruncated"] is False
    assert rest["EvaluationResults"][0]["EvalResourceName"] == "arn:aws:s3:::b/c"

    expect_error(iam.simulate_custom_policy, "InvalidInput", 400,
                 PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])


def test_simulate_context_entries_and_missing_values(iam):
    mfa_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                       "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    bare = iam.simulate_custom_policy(PolicyInputList=[mfa_only],
                                      ActionNames=["ec2:StopInstances"])["EvaluationResults"][0]
    assert bare["EvalDecision"] == "implicitDeny"
    assert sorted(bare["MissingContextValues"]) == ["aws:MultiFactorAuthPresent", "aws:SourceIp"]
    ok = iam.simulate_custom_policy(
        PolicyInputList=[mfa_only], ActionNames=["ec2:StopInstances"],
        ContextEntries=[
            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
             "ContextKeyType": "boolean"},
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
             "ContextKeyType": "ip"}])["EvaluationResults"][0]
    assert ok["EvalDecision"] == "allowed"
    assert ok["MissingContextValues"] == []
    wrong_ip = iam.simulate_custom_policy(
        PolicyInputList=[mfa_only], ActionNames=["ec2:StopInstances"],
        ContextEntries=[
            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
             "ContextKeyType": "boolean"},
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["192.168.0.1"],
             "ContextKeyType": "ip"}])["EvaluationResults"][0]
    assert wrong_ip["EvalDecision"] == "implicitDeny"

    tags = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}}]})
    multi = iam.simulate_custom_policy(
        PolicyInputList=[tags], ActionNames=["ec2:CreateTags"],
        ContextEntries=[{"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["env", "owner"],
                         "ContextKeyType": "stringList"}])["EvaluationResults"][0]
    assert multi["EvalDecision"] == "implicitDeny"


def test_simulate_boundary_and_resource_policy(iam):
    admin = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    boundary = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    results = iam.simulate_custom_policy(
        PolicyInputList=[admin], PermissionsBoundaryPolicyInputList=[boundary],
        ActionNames=["s3:ListBucket", "iam:CreateUser"])["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["s3:ListBucket"]["EvalDecision"] == "allowed"
    assert by_action["s3:ListBucket"]["PermissionsBoundaryDecisionDetail"] == \
        {"AllowedByPermissionsBoundary": True}
    assert by_action["iam:CreateUser"]["EvalDecision"] == "implicitDeny"
    assert by_action["iam:CreateUser"]["PermissionsBoundaryDecisionDetail"] == \
        {"AllowedByPermissionsBoundary": False}

    caller = f"arn:aws:iam::{ACCOUNT}:user/someone"
    resource_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::shared/*"}]})
    nothing = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
    via_resource = iam.simulate_custom_policy(
        PolicyInputList=[nothing], ResourcePolicy=resource_policy, CallerArn=caller,
        ResourceOwner=f"arn:aws:iam::{ACCOUNT}:root", ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/file"])["EvaluationResults"][0]
    assert via_resource["EvalDecision"] == "allowed"
    assert via_resource["MatchedStatements"][0]["SourcePolicyType"] == "resource"


def test_simulate_principal_policy_user_with_groups(iam):
    iam.create_group(GroupName="sim-group")
    iam.put_group_policy(GroupName="sim-group", PolicyName="g", PolicyDocument=doc("sqs:*"))
    iam.create_user(UserName="sim-user")
    iam.add_user_to_group(GroupName="sim-group", UserName="sim-user")
    iam.put_user_policy(UserName="sim-user", PolicyName="deny-delete", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}]}))
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/sim-user",
        ActionNames=["sqs:SendMessage", "sqs:DeleteQueue", "sns:Publish"])["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["sqs:SendMessage"]["EvalDecision"] == "allowed"
    assert by_action["sqs:SendMessage"]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    assert by_action["sqs:DeleteQueue"]["EvalDecision"] == "explicitDeny"
    assert by_action["sqs:DeleteQueue"]["MatchedStatements"][0]["SourcePolicyId"] == "deny-delete"
    assert by_action["sns:Publish"]["EvalDecision"] == "implicitDeny"
    expect_error(iam.simulate_principal_policy, "NoSuchEntity", 404,
                 PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/absent",
                 ActionNames=["sqs:SendMessage"])

    keys = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/sim-user",
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*",
             "Resource": "arn:aws:s3:::home/${aws:username}/*",
             "Condition": {"StringEquals": {"s3:prefix": "x"}}}]})])["ContextKeyNames"]
    assert sorted(keys) == ["aws:username", "s3:prefix"]

    iam.delete_user_policy(UserName="sim-user", PolicyName="deny-delete")
    iam.remove_user_from_group(GroupName="sim-group", UserName="sim-user")
    iam.delete_user(UserName="sim-user")
    iam.delete_group_policy(GroupName="sim-group", PolicyName="g")
    iam.delete_group(GroupName="sim-group")


def test_context_keys_for_custom_policy(iam):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1",
                                        "ec2:InstanceType": "t3.micro"},
                       "Bool": {"aws:SecureTransport": "true"}}}]})
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert sorted(keys) == ["aws:RequestedRegion", "aws:SecureTransport", "ec2:InstanceType"]


def test_simulate_reports_organizations_detail_once_in_an_organization():
    import boto3
    from iam_helpers import NO_RETRY
    from orgtwin_server import OrgtwinServer
    srv = OrgtwinServer().start()
    try:
        iam = iam_client(srv)
        iam.create_role(RoleName="org-role", AssumeRolePolicyDocument=TRUST_EC2)
        iam.put_role_policy(RoleName="org-role", PolicyName="p", PolicyDocument=doc("s3:*"))
        arn = f"arn:aws:iam::{ACCOUNT}:role/org-role"
        alone = iam.simulate_principal_policy(PolicySourceArn=arn,
                                              ActionNames=["s3:ListBucket"])["EvaluationResults"]
        assert "OrganizationsDecisionDetail" not in alone[0]
        orgs = boto3.client("organizations", endpoint_url=srv.endpoint, region_name="us-east-1",
                            aws_access_key_id=srv.access_key,
                            aws_secret_access_key=srv.secret_key, config=NO_RETRY)
        orgs.create_organization(FeatureSet="ALL")
        # The management account is never restricted by SCPs.
        inside = iam.simulate_principal_policy(PolicySourceArn=arn,
                                               ActionNames=["s3:ListBucket"])["EvaluationResults"]
        assert inside[0]["EvalDecision"] == "allowed"
        assert inside[0]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    finally:
        srv.cleanup()
