"""AWS Organizations core (organization, roots, OUs, accounts, delegated admins, trusted access,
resource policy, tags, sign-up) against a real `orgtwin serve`, with Debian's boto3 and AWS CLI v2.

Each test signs up its own standalone management account (POST /_orgtwin/signup through
`orgtwin signup`), so tests are independent on the module's server. IDs and ARNs are checked
against the organizations model's patterns.
"""
import itertools
import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import boto3
import botocore
import pytest
from botocore.config import Config

from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})
AWS = "/usr/bin/aws"

# Patterns of the organizations model (service-2.json).
ORG_ID = r"^o-[a-z0-9]{10,32}$"
ROOT_ID = r"^r-[0-9a-z]{4,32}$"
OU_ID = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
ACCOUNT_ID = r"^\d{12}$"
CAR_ID = r"^car-[a-z0-9]{8,32}$"
ORG_ARN = r"^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$"
ROOT_ARN = r"^arn:aws:organizations::\d{12}:root\/o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}$"
OU_ARN = (r"^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/"
          r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$")
ACCOUNT_ARN = r"^arn:aws:organizations::\d{12}:account\/o-[a-z0-9]{10,32}\/\d{12}$"

_counter = itertools.count(1)


class Account:
    def __init__(self, server, data):
        self.server = server
        self.id = data["AccountId"]
        self.access_key = data["AccessKeyId"]
        self.secret_key = data["SecretAccessKey"]

    def client(self, service="organizations"):
        return boto3.client(service, endpoint_url=self.server.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, config=NO_RETRY)


def admin_user(account, name="payer-admin"):
    """An IAM user of `account` with AdministratorAccess and an access key, as an Account.

    AWS refuses sts:AssumeRole to the root user, so the management account reaches a member's
    role through such a user (the role's trust policy names the management account)."""
    iam = account.client("iam")
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name,
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Account(account.server, {"AccountId": account.id, "AccessKeyId": key["AccessKeyId"],
                                    "SecretAccessKey": key["SecretAccessKey"]})


def unique_email(tag):
    return "core-%s-%d-%d@example.com" % (tag, os.getpid(), next(_counter))


def signup(server, tag="acct", payment=True, contact=True):
    email = unique_email(tag)
    args = [server.binary, "signup", "--endpoint", server.endpoint, "--email", email,
            "--name", tag]
    if not payment:
        args.append("--no-payment-method")
    if not contact:
        args.append("--no-contact-info")
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
    account = Account(server, json.loads(out.stdout))
    account.email = email
    return account


def new_org(server, feature_set="ALL"):
    mgmt = signup(server, "mgmt")
    orgs = mgmt.client()
    org = orgs.create_organization(FeatureSet=feature_set)["Organization"]
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    return mgmt, orgs, org, root_id


def expect_error(call, code, reason=None, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    response = excinfo.value.response
    assert response["Error"]["Code"] == code, response
    if reason is not None:
        assert response.get("Reason") == reason, response
    return response


def create_account(orgs, tag="member", **kwargs):
    status = orgs.create_account(Email=unique_email(tag), AccountName=tag,
                                 **kwargs)["CreateAccountStatus"]
    done = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])
    return status, done["CreateAccountStatus"]


def walk(method, key, **kwargs):
    """Every item of a paginated Organizations list, one item per page."""
    items, token, pages = [], None, 0
    while True:
        args = dict(kwargs, MaxResults=1)
        if token:
            args["NextToken"] = token
        page = method(**args)
        assert len(page[key]) <= 1
        items += page[key]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return items, pages


# ---- sign-up ----

def test_signup_route_and_cli(server):
    body = json.dumps({"Email": unique_email("raw"), "AccountName": "raw"}).encode()
    request = urllib.request.Request(server.endpoint + "/_orgtwin/signup", data=body,
                                     method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        data = json.loads(response.read())
    assert re.match(ACCOUNT_ID, data["AccountId"])
    assert data["AccessKeyId"].startswith("AKIA")
    assert len(data["SecretAccessKey"]) == 40
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=data["AccessKeyId"],
                       aws_secret_access_key=data["SecretAccessKey"])
    identity = sts.get_caller_identity()
    assert identity["Account"] == data["AccountId"]
    assert identity["Arn"] == "arn:aws:iam::%s:root" % data["AccountId"]
    # The same email again is refused.
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(urllib.request.Request(
            server.endpoint + "/_orgtwin/signup", data=body, method="POST"), timeout=10)
    assert excinfo.value.code == 409
    # A standalone account is in no organization.
    expect_error(Account(server, data).client().describe_organization,
                 "AWSOrganizationsNotInUseException")


# ---- organization ----

def test_create_describe_delete_organization(server):
    mgmt, orgs, org, root_id = new_org(server)
    assert re.match(ORG_ID, org["Id"])
    assert re.match(ORG_ARN, org["Arn"])
    assert org["FeatureSet"] == "ALL"
    assert org["MasterAccountId"] == mgmt.id
    assert org["MasterAccountEmail"] == mgmt.email
    assert org["MasterAccountArn"] == "arn:aws:organizations::%s:account/%s/%s" % (
        mgmt.id, org["Id"], mgmt.id)
    assert orgs.describe_organization()["Organization"] == org
    expect_error(orgs.create_organization, "AlreadyInOrganizationException")

    root = orgs.list_roots()["Roots"][0]
    assert re.match(ROOT_ID, root["Id"]) and re.match(ROOT_ARN, root["Arn"])
    assert root["Name"] == "Root"
    # Through the API the root starts with no policy type (AWS-FACTS 2.2); the deprecated
    # AvailablePolicyTypes still shows SCP as ENABLED.
    assert root["PolicyTypes"] == []
    assert org["AvailablePolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY",
                                            "Status": "ENABLED"}]
    # Enabling SCPs attaches FullAWSAccess to the root, every OU and every account.
    ou = orgs.create_organizational_unit(ParentId=root["Id"], Name="Before")["OrganizationalUnit"]
    enabled = orgs.enable_policy_type(RootId=root["Id"], PolicyType="SERVICE_CONTROL_POLICY")
    assert enabled["Root"]["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY",
                                               "Status": "ENABLED"}]
    for target in (root["Id"], ou["Id"], mgmt.id):
        attached = orgs.list_policies_for_target(TargetId=target,
                                                 Filter="SERVICE_CONTROL_POLICY")["Policies"]
        assert [p["Name"] for p in attached] == ["FullAWSAccess"], target
    orgs.delete_organizational_unit(OrganizationalUnitId=ou["Id"])

    # The service-linked role in the management account.
    role = mgmt.client("iam").get_role(RoleName="AWSServiceRoleForOrganizations")["Role"]
    assert role["Path"] == "/aws-service-role/organizations.amazonaws.com/"
    assert "organizations.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])

    # The management account is listed, joined by invitation.
    accounts = orgs.list_accounts()["Accounts"]
    assert [a["Id"] for a in accounts] == [mgmt.id]
    assert accounts[0]["JoinedMethod"] == "INVITED"
    assert re.match(ACCOUNT_ARN, accounts[0]["Arn"])

    # A member blocks deletion.
    _, done = create_account(orgs)
    expect_error(orgs.delete_organization, "OrganizationNotEmptyException")
    orgs.close_account(AccountId=done["AccountId"])
    # Closed accounts are still members.
    expect_error(orgs.delete_organization, "OrganizationNotEmptyException")


def test_delete_empty_organization_and_consolidated_billing(server):
    mgmt, orgs, org, root_id = new_org(server, "CONSOLIDATED_BILLING")
    assert org["FeatureSet"] == "CONSOLIDATED_BILLING"
    assert orgs.list_roots()["Roots"][0]["PolicyTypes"] == []
    expect_error(orgs.enable_aws_service_access, "ConstraintViolationException",
                 "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                 ServicePrincipal="account.amazonaws.com")
    orgs.delete_organization()
    expect_error(orgs.describe_organization, "AWSOrganizationsNotInUseException")
    # The account may found a new organization afterwards.
    again = orgs.create_organization()["Organization"]
    assert again["Id"] != org["Id"]


def test_create_organization_preconditions(server):
    no_payment = signup(server, "nopay", payment=False)
    expect_error(no_payment.client().create_organization, "ConstraintViolationException",
                 "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED")
    no_contact = signup(server, "nocontact", contact=False)
    expect_error(no_contact.client().create_organization, "ConstraintViolationException",
                 "MASTER_ACCOUNT_MISSING_CONTACT_INFO")


# ---- accounts ----

def test_create_account_lifecycle(server):
    mgmt, orgs, org, root_id = new_org(server)
    status, done = create_account(orgs, "dev", Tags=[{"Key": "team", "Value": "a"}])
    assert re.match(CAR_ID, status["Id"])
    assert status["State"] == "IN_PROGRESS"
    assert status["AccountName"] == "dev"
    assert done["State"] == "SUCCEEDED"
    assert re.match(ACCOUNT_ID, done["AccountId"])
    account_id = done["AccountId"]

    account = orgs.describe_account(AccountId=account_id)["Account"]
    # Debian's botocore 1.29 predates the State member; newer SDKs see it (node suite).
    assert account["Status"] == "ACTIVE" and account.get("State", "ACTIVE") == "ACTIVE"
    assert account["JoinedMethod"] == "CREATED"
    assert account["Arn"] == "arn:aws:organizations::%s:account/%s/%s" % (
        mgmt.id, org["Id"], account_id)
    assert re.match(ACCOUNT_ARN, account["Arn"])
    assert orgs.list_tags_for_resource(ResourceId=account_id)["Tags"] == [
        {"Key": "team", "Value": "a"}]

    # The duplicate email fails asynchronously, as on AWS.
    dup = orgs.create_account(Email=account["Email"], AccountName="dup")["CreateAccountStatus"]
    assert dup["State"] == "IN_PROGRESS"
    failed = orgs.describe_create_account_status(CreateAccountRequestId=dup["Id"])
    assert failed["CreateAccountStatus"]["State"] == "FAILED"
    assert failed["CreateAccountStatus"]["FailureReason"] == "EMAIL_ALREADY_EXISTS"

    statuses = orgs.list_create_account_status()["CreateAccountStatuses"]
    assert [s["Id"] for s in statuses] == [status["Id"], dup["Id"]]
    only_failed = orgs.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["Id"] for s in only_failed] == [dup["Id"]]
    assert orgs.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"] == []
    walked, pages = walk(orgs.list_create_account_status, "CreateAccountStatuses")
    assert [s["Id"] for s in walked] == [status["Id"], dup["Id"]] and pages == 2

    expect_error(orgs.describe_create_account_status, "CreateAccountStatusNotFoundException",
                 CreateAccountRequestId="car-0000000000")
    expect_error(orgs.describe_account, "AccountNotFoundException", AccountId="000000000000")
    expect_error(orgs.create_account, "InvalidInputException", "INVALID_PATTERN",
                 Email="not-an-email", AccountName="x")


def test_created_account_role_trusts_management(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs, "roles", RoleName="AdminFromPayer",
                             IamUserAccessToBilling="DENY")
    # The role trusts the management account: an administrator user there may assume it (its
    # root may not: AWS refuses AssumeRole to every root user).
    sts = admin_user(mgmt).client("sts")
    role_arn = "arn:aws:iam::%s:role/AdminFromPayer" % done["AccountId"]
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="check")["Credentials"]
    except botocore.exceptions.ClientError as error:
        pytest.fail("AssumeRole into the created account's role failed: %s" % error)
    iam = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"], config=NO_RETRY)
    role = iam.get_role(RoleName="AdminFromPayer")["Role"]
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    assert "arn:aws:iam::%s:root" % mgmt.id in trust
    attached = iam.list_attached_role_policies(RoleName="AdminFromPayer")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert "AWSServiceRoleForOrganizations" in names


def test_list_accounts_pagination(server):
    mgmt, orgs, org, root_id = new_org(server)
    created = [create_account(orgs, "p%d" % i)[1]["AccountId"] for i in range(3)]
    everyone = sorted(created + [mgmt.id])
    walked, pages = walk(orgs.list_accounts, "Accounts")
    assert sorted(a["Id"] for a in walked) == everyone
    assert len(walked) == 4 and pages == 4
    by_parent, _ = walk(orgs.list_accounts_for_parent, "Accounts", ParentId=root_id)
    assert sorted(a["Id"] for a in by_parent) == everyone
    # boto3's paginator agrees.
    paged = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": 2}) for a in page["Accounts"]]
    assert sorted(paged) == everyone
    # A token belongs to its request.
    token = orgs.list_accounts(MaxResults=1)["NextToken"]
    expect_error(orgs.list_children, "InvalidInputException", "INVALID_NEXT_TOKEN",
                 ParentId=root_id, ChildType="ACCOUNT", NextToken=token)
    expect_error(orgs.list_accounts, "InvalidInputException", "INVALID_NEXT_TOKEN",
                 NextToken="garbage")
    expect_error(orgs.list_accounts, "InvalidInputException", "MAX_VALUE_EXCEEDED",
                 MaxResults=21)


def test_move_account(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs)
    account_id = done["AccountId"]
    ou = orgs.create_organizational_unit(ParentId=root_id, Name="eng")["OrganizationalUnit"]
    orgs.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou["Id"])
    assert orgs.list_parents(ChildId=account_id)["Parents"] == [
        {"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=ou["Id"])["Accounts"]] == [
        account_id]
    expect_error(orgs.move_account, "DuplicateAccountException", AccountId=account_id,
                 SourceParentId=root_id, DestinationParentId=ou["Id"])
    missing_ou = ou["Id"][:-8] + "zzzzzzzz"
    expect_error(orgs.move_account, "SourceParentNotFoundException", AccountId=account_id,
                 SourceParentId=missing_ou, DestinationParentId=root_id)
    expect_error(orgs.move_account, "DestinationParentNotFoundException", AccountId=account_id,
                 SourceParentId=ou["Id"], DestinationParentId=missing_ou)
    expect_error(orgs.move_account, "AccountNotFoundException", AccountId="000000000000",
                 SourceParentId=ou["Id"], DestinationParentId=root_id)
    orgs.move_account(AccountId=account_id, SourceParentId=ou["Id"], DestinationParentId=root_id)
    assert orgs.list_parents(ChildId=account_id)["Parents"][0]["Type"] == "ROOT"


def test_remove_and_leave_preconditions(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs)
    account_id = done["AccountId"]
    # AWS-COMPAT: a created account must wait (4 days by default) and lacks payment/contact.
    expect_error(orgs.remove_account_from_organization, "ConstraintViolationException",
                 "WAIT_PERIOD_ACTIVE", AccountId=account_id)
    expect_error(orgs.remove_account_from_organization, "MasterCannotLeaveOrganizationException",
                 AccountId=mgmt.id)
    expect_error(orgs.leave_organization, "MasterCannotLeaveOrganizationException")
    expect_error(orgs.remove_account_from_organization, "AccountNotFoundException",
                 AccountId="000000000000")
    # A member cannot call management-only APIs.
    outsider = signup(server, "outsider")
    expect_error(outsider.client().remove_account_from_organization,
                 "AWSOrganizationsNotInUseException", AccountId=account_id)


def test_remove_created_account_after_wait():
    srv = OrgtwinServer("--created-account-leave-wait-days", "0").start()
    try:
        mgmt, orgs, org, root_id = new_org(srv)
        _, done = create_account(orgs)
        account_id = done["AccountId"]
        # No waiting period now; the next precondition is the payment instrument.
        expect_error(orgs.remove_account_from_organization, "ConstraintViolationException",
                     "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED", AccountId=account_id)
        # A delegated administrator must be deregistered first.
        orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
        orgs.register_delegated_administrator(AccountId=account_id,
                                              ServicePrincipal="config.amazonaws.com")
        expect_error(orgs.remove_account_from_organization, "ConstraintViolationException",
                     "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", AccountId=account_id)
    finally:
        srv.cleanup()


def test_close_account(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs)
    account_id = done["AccountId"]
    orgs.close_account(AccountId=account_id)
    account = orgs.describe_account(AccountId=account_id)["Account"]
    assert account["Status"] == "SUSPENDED" and account.get("State", "SUSPENDED") == "SUSPENDED"
    expect_error(orgs.close_account, "AccountAlreadyClosedException", AccountId=account_id)
    expect_error(orgs.close_account, "ConstraintViolationException",
                 "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", AccountId=mgmt.id)
    expect_error(orgs.close_account, "AccountNotFoundException", AccountId="000000000000")


def test_close_account_quota():
    srv = OrgtwinServer("--org-account-quota", "20").start()
    try:
        mgmt, orgs, org, root_id = new_org(srv)
        ids = [create_account(orgs, "q%d" % i)[1]["AccountId"] for i in range(11)]
        for account_id in ids[:10]:
            orgs.close_account(AccountId=account_id)
        # AWS-COMPAT: 10% of the members, at least 10, per rolling 30 days.
        expect_error(orgs.close_account, "ConstraintViolationException",
                     "CLOSE_ACCOUNT_QUOTA_EXCEEDED", AccountId=ids[10])
    finally:
        srv.cleanup()


def test_account_quota(server):
    mgmt, orgs, org, root_id = new_org(server)
    for i in range(9):
        assert create_account(orgs, "fill%d" % i)[1]["State"] == "SUCCEEDED"
    _, over = create_account(orgs, "over")
    assert over["State"] == "FAILED"
    assert over["FailureReason"] == "ACCOUNT_LIMIT_EXCEEDED"


def test_create_gov_cloud_account(server):
    mgmt, orgs, org, root_id = new_org(server)
    expect_error(orgs.create_gov_cloud_account, "ConstraintViolationException",
                 "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", Email=unique_email("gov"),
                 AccountName="gov")


def test_member_access(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs)
    role_arn = "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % done["AccountId"]
    err = expect_error(mgmt.client("sts").assume_role, "AccessDenied", RoleArn=role_arn,
                       RoleSessionName="member")
    assert err["Error"]["Message"] == "Roles may not be assumed by root accounts."
    creds = admin_user(mgmt).client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="member")["Credentials"]
    member = boto3.client("organizations", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"], config=NO_RETRY)
    # Members may describe their organization, not list or change it.
    assert member.describe_organization()["Organization"]["Id"] == org["Id"]
    expect_error(member.list_accounts, "AccessDeniedException")
    expect_error(member.create_organizational_unit, "AccessDeniedException", ParentId=root_id,
                 Name="x")
    expect_error(member.create_account, "AccessDeniedException", Email=unique_email("m"),
                 AccountName="m")
    expect_error(member.leave_organization, "ConstraintViolationException", "WAIT_PERIOD_ACTIVE")


# ---- OUs ----

def test_organizational_units(server):
    mgmt, orgs, org, root_id = new_org(server)
    ou = orgs.create_organizational_unit(ParentId=root_id, Name="eng",
                                         Tags=[{"Key": "k", "Value": "v"}])["OrganizationalUnit"]
    assert re.match(OU_ID, ou["Id"]) and re.match(OU_ARN, ou["Arn"])
    assert ou["Id"].startswith("ou-" + root_id[2:] + "-")
    assert ou["Name"] == "eng"
    expect_error(orgs.create_organizational_unit, "DuplicateOrganizationalUnitException",
                 ParentId=root_id, Name="eng")
    expect_error(orgs.create_organizational_unit, "ParentNotFoundException",
                 ParentId=ou["Id"][:-8] + "zzzzzzzz", Name="x")
    expect_error(orgs.create_organizational_unit, "InvalidInputException", "MAX_LENGTH_EXCEEDED",
                 ParentId=root_id, Name="x" * 129)

    # Five levels below the root, not six.
    parent, chain = ou["Id"], [ou["Id"]]
    for level in range(2, 6):
        parent = orgs.create_organizational_unit(ParentId=parent, Name="l%d" % level)[
            "OrganizationalUnit"]["Id"]
        chain.append(parent)
    expect_error(orgs.create_organizational_unit, "ConstraintViolationException",
                 "OU_DEPTH_LIMIT_EXCEEDED", ParentId=parent, Name="l6")
    assert orgs.list_parents(ChildId=chain[1])["Parents"] == [
        {"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert orgs.list_parents(ChildId=ou["Id"])["Parents"] == [{"Id": root_id, "Type": "ROOT"}]
    expect_error(orgs.list_parents, "ChildNotFoundException", ChildId="000000000000")

    renamed = orgs.update_organizational_unit(OrganizationalUnitId=ou["Id"], Name="platform")
    assert renamed["OrganizationalUnit"]["Name"] == "platform"
    assert orgs.describe_organizational_unit(
        OrganizationalUnitId=ou["Id"])["OrganizationalUnit"]["Name"] == "platform"
    sibling = orgs.create_organizational_unit(ParentId=root_id, Name="ops")["OrganizationalUnit"]
    expect_error(orgs.update_organizational_unit, "DuplicateOrganizationalUnitException",
                 OrganizationalUnitId=sibling["Id"], Name="platform")

    # Children, one per page.
    walked, pages = walk(orgs.list_organizational_units_for_parent, "OrganizationalUnits",
                         ParentId=root_id)
    assert sorted(o["Id"] for o in walked) == sorted([ou["Id"], sibling["Id"]]) and pages == 2
    children, _ = walk(orgs.list_children, "Children", ParentId=root_id,
                       ChildType="ORGANIZATIONAL_UNIT")
    assert sorted(c["Id"] for c in children) == sorted([ou["Id"], sibling["Id"]])
    accounts = orgs.list_children(ParentId=root_id, ChildType="ACCOUNT")["Children"]
    assert accounts == [{"Id": mgmt.id, "Type": "ACCOUNT"}]

    expect_error(orgs.delete_organizational_unit, "OrganizationalUnitNotEmptyException",
                 OrganizationalUnitId=ou["Id"])
    for ou_id in reversed(chain):
        orgs.delete_organizational_unit(OrganizationalUnitId=ou_id)
    expect_error(orgs.describe_organizational_unit, "OrganizationalUnitNotFoundException",
                 OrganizationalUnitId=ou["Id"])
    expect_error(orgs.delete_organizational_unit, "OrganizationalUnitNotFoundException",
                 OrganizationalUnitId=ou["Id"])


# ---- delegated administrators, trusted access, resource policy, tags ----

def test_delegated_administrators_and_service_access(server):
    mgmt, orgs, org, root_id = new_org(server)
    _, done = create_account(orgs)
    account_id = done["AccountId"]
    orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    enabled, pages = walk(orgs.list_aws_service_access_for_organization,
                          "EnabledServicePrincipals")
    assert sorted(e["ServicePrincipal"] for e in enabled) == [
        "account.amazonaws.com", "config.amazonaws.com"] and pages == 2
    orgs.disable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    assert [e["ServicePrincipal"] for e in orgs.list_aws_service_access_for_organization()[
        "EnabledServicePrincipals"]] == ["config.amazonaws.com"]
    expect_error(orgs.enable_aws_service_access, "InvalidInputException",
                 "UNRECOGNIZED_SERVICE_PRINCIPAL", ServicePrincipal="nonsense")

    orgs.register_delegated_administrator(AccountId=account_id,
                                          ServicePrincipal="config.amazonaws.com")
    expect_error(orgs.register_delegated_administrator, "AccountAlreadyRegisteredException",
                 AccountId=account_id, ServicePrincipal="config.amazonaws.com")
    expect_error(orgs.register_delegated_administrator, "ConstraintViolationException",
                 "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", AccountId=mgmt.id,
                 ServicePrincipal="config.amazonaws.com")
    expect_error(orgs.register_delegated_administrator, "AccountNotFoundException",
                 AccountId="000000000000", ServicePrincipal="config.amazonaws.com")
    admins = orgs.list_delegated_administrators()["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [account_id]
    assert "DelegationEnabledDate" in admins[0]
    assert orgs.list_delegated_administrators(
        ServicePrincipal="guardduty.amazonaws.com")["DelegatedAdministrators"] == []
    services = orgs.list_delegated_services_for_account(AccountId=account_id)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == ["config.amazonaws.com"]
    orgs.deregister_delegated_administrator(AccountId=account_id,
                                            ServicePrincipal="config.amazonaws.com")
    expect_error(orgs.deregister_delegated_administrator, "AccountNotRegisteredException",
                 AccountId=account_id, ServicePrincipal="config.amazonaws.com")
    expect_error(orgs.list_delegated_services_for_account, "AccountNotRegisteredException",
                 AccountId=account_id)


def test_resource_policy(server):
    mgmt, orgs, org, root_id = new_org(server)
    expect_error(orgs.describe_resource_policy, "ResourcePolicyNotFoundException")
    content = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % mgmt.id},
        "Action": "organizations:DescribeOrganization", "Resource": "*"}]})
    put = orgs.put_resource_policy(Content=content,
                                   Tags=[{"Key": "a", "Value": "b"}])["ResourcePolicy"]
    summary = put["ResourcePolicySummary"]
    assert re.match(r"^rp-[0-9a-zA-Z_]{4,128}$", summary["Id"])
    assert summary["Arn"] == "arn:aws:organizations::%s:resourcepolicy/%s/%s" % (
        mgmt.id, org["Id"], summary["Id"])
    assert orgs.describe_resource_policy()["ResourcePolicy"]["Content"] == content
    assert orgs.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == [
        {"Key": "a", "Value": "b"}]
    expect_error(orgs.put_resource_policy, "InvalidInputException",
                 "INVALID_RESOURCE_POLICY_JSON", Content="{not json")
    orgs.delete_resource_policy()
    expect_error(orgs.delete_resource_policy, "ResourcePolicyNotFoundException")


def test_tags(server):
    mgmt, orgs, org, root_id = new_org(server)
    ou = orgs.create_organizational_unit(ParentId=root_id, Name="t")["OrganizationalUnit"]
    for resource in (root_id, ou["Id"], mgmt.id):
        orgs.tag_resource(ResourceId=resource, Tags=[{"Key": "b", "Value": "2"},
                                                     {"Key": "a", "Value": "1"}])
        assert orgs.list_tags_for_resource(ResourceId=resource)["Tags"] == [
            {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
        orgs.tag_resource(ResourceId=resource, Tags=[{"Key": "a", "Value": "changed"}])
        orgs.untag_resource(ResourceId=resource, TagKeys=["b"])
        assert orgs.list_tags_for_resource(ResourceId=resource)["Tags"] == [
            {"Key": "a", "Value": "changed"}]
    expect_error(orgs.tag_resource, "TargetNotFoundException", ResourceId="000000000000",
                 Tags=[{"Key": "a", "Value": "b"}])
    expect_error(orgs.tag_resource, "InvalidInputException", "DUPLICATE_TAG_KEY",
                 ResourceId=root_id, Tags=[{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}])
    expect_error(orgs.tag_resource, "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED",
                 ResourceId=ou["Id"],
                 Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)])


# ---- AWS CLI v2 ----

def aws(server, account, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": server.data_dir,
           "AWS_ACCESS_KEY_ID": account.access_key,
           "AWS_SECRET_ACCESS_KEY": account.secret_key, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""}
    cmd = [AWS, "--endpoint-url", server.endpoint, "--output", "json"] + list(args)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_aws_cli(server):
    mgmt = signup(server, "cli")
    org = aws(server, mgmt, "organizations", "create-organization", "--feature-set", "ALL")
    assert re.match(ORG_ID, org["Organization"]["Id"])
    status = aws(server, mgmt, "organizations", "create-account", "--email",
                 unique_email("cli"), "--account-name", "cli-member")
    assert status["CreateAccountStatus"]["State"] == "IN_PROGRESS"
    done = aws(server, mgmt, "organizations", "describe-create-account-status",
               "--create-account-request-id", status["CreateAccountStatus"]["Id"])
    assert done["CreateAccountStatus"]["State"] == "SUCCEEDED"
    # The CLI follows NextToken itself with a page size of 1.
    listed = aws(server, mgmt, "organizations", "list-accounts", "--page-size", "1")
    assert sorted(a["Id"] for a in listed["Accounts"]) == sorted(
        [mgmt.id, done["CreateAccountStatus"]["AccountId"]])
