"""IAM's policy grammar on the wire (Debian boto3 against a real orgtwin serve): the message AWS
gives for each fault of a policy document and for a document with several, managed versus inline
versions, Date condition values, IAM's own path messages, the service-linked role table and the
elements GetPolicy always returns.

The expected texts are AWS's answers as recorded by public material: moto's
tests/test_iam/test_iam_policies.py (cases captured from real IAM) and
tests/test_iam/test_iam_response_attributes.py (aws_verified), aws-cloudformation/cfn-lint#722 and
aws/aws-cli#5860 for the path messages, and the AWS CLI answers quoted in public guides for
service-linked role names (spot.amazonaws.com -> AWSServiceRoleForEC2Spot)."""
import json

import pytest

from iam_helpers import ACCOUNT, TRUST_EC2, expect_error, iam_client

IAM_PATH = ('IAM resource path must either be "*" or start with user/, federated-user/, role/, '
            'group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, '
            'saml-provider/, oidc-provider/, report/, access-report/.')
LEGACY = "The policy failed legacy parsing"
OLD_VERSION = "Policy document must be version 2012-10-17 or greater."


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


def statement(**fields):
    base = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def v12(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


MANAGED_CASES = [
    # Resource formats, per partition, vendor, region and IAM resource type.
    (v12(statement(Resource="invalid resource")),
     'Resource invalid resource must be in ARN format or "*".'),
    (v12(statement(Resource=["adf"])), 'Resource adf must be in ARN format or "*".'),
    (v12(statement(Resource="a:bsdfdsafsad", Action=None, NotAction="s3s:ListBucket")),
     'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'),
    (v12(statement(Resource="a:b:c:d:e:f:g:h")),
     'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'),
    (v12(statement(Resource="aws:s3:::example_bucket")),
     'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'),
    (v12(statement(Resource=["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"])),
     'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'),
    (v12(statement(Resource="arn:aws")),
     "Resource vendor must be fully qualified and cannot contain regexes."),
    (v12(statement(Resource="arn:aws:iam:us-east-1::example_bucket")),
     "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
    (v12(statement(Resource="arn:aws:s3:us-east-1::example_bucket")),
     "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
    (v12(statement(Resource="arn:aws:iam:::example_bucket")), IAM_PATH),
    (v12(statement(Resource=None, NotResource=f"arn:aws:iam::{ACCOUNT}:users/bob")), IAM_PATH),
    # The legacy parser: ARNs it cannot split, a miscased Effect, Date values.
    (v12(statement(Resource="arn:aws:s3::example_bucket")), LEGACY),
    (v12(statement(Resource="arn:aws::fdsasf")), LEGACY),
    (v12(statement(Effect="denY")), LEGACY),
    (v12(statement(Condition={"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}})), LEGACY),
    (v12(statement(Condition={"DateLessThanEquals": {"aws:CurrentTime": "234-13"}})), LEGACY),
    (v12(statement(Condition={"DateLessThan": {"aws:EpochTime": "9223372036854775808"}})),
     LEGACY),
    (v12(statement(Condition={
        "ForAnyValue:DateGreaterThanIfExists": {"aws:CurrentTime": ["2019-07-01T13:20:15Z",
                                                                    "2019-13-01"]}})), LEGACY),
    # Versions: managed policies need 2012-10-17; an unknown version is a syntax error.
    ({"Statement": [statement()]}, OLD_VERSION),
    ({"Version": "2008-10-17", "Statement": [statement()]}, OLD_VERSION),
    ({"Version": "2013-10-17", "Statement": [statement()]}, "Syntax errors in policy."),
]

# Several faults in one document: the message AWS gives for it.
ORDER_CASES = [
    # The version comes before legacy parsing and SIDs.
    ({"Statement": [statement(Effect="denY")]}, OLD_VERSION),
    ({"Statement": [statement(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}]}, OLD_VERSION),
    # Legacy parsing comes before SIDs, actions and resource formats.
    (v12(statement(Sid="sdf", Effect="aLLow"), {"Sid": "sdf", "Effect": "Allow"}), LEGACY),
    (v12({"Effect": "allow", "Resource": "arn:aws:s3:us-east-1::example_bucket"}), LEGACY),
    (v12({"Effect": "Allow", "Resource": "arn:aws:s3::example_bucket"}), LEGACY),
    (v12(statement(Resource="arn:error:s3:::example_bucket",
                   Condition={"DateGreaterThan": {"a": "sdfdsf"}})), LEGACY),
    # SID uniqueness, then actions, then resources, then the resource format, then vendors.
    (v12(statement(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}),
     "Statement IDs (SID) in a single policy must be unique."),
    (v12({"Effect": "Deny"}, statement()), "Policy statement must contain actions."),
    (v12({"Effect": "Allow", "Resource": "arn:aws:iam:::bad"}),
     "Policy statement must contain actions."),
    (v12(statement(Resource="bad"), statement(Resource=None)),
     "Policy statement must contain resources."),
    (v12(statement(Action="s:3:ListBucket", Resource="sdfsadf")),
     'Resource sdfsadf must be in ARN format or "*".'),
    (v12(statement(Action="s3s:ListBucket"), statement(Action="s:3s:ListBucket")),
     "Actions/Condition can contain only one colon."),
]


@pytest.mark.parametrize("document,message", MANAGED_CASES + ORDER_CASES)
def test_create_policy_reports_awss_message(iam, document, message):
    expect_error(iam.create_policy, "MalformedPolicyDocument", 400, message,
                 PolicyName="grammar", PolicyDocument=json.dumps(document))


def test_create_policy_version_uses_the_same_grammar(iam):
    arn = iam.create_policy(PolicyName="grammar-versions",
                            PolicyDocument=json.dumps(v12(statement())))["Policy"]["Arn"]
    expect_error(iam.create_policy_version, "MalformedPolicyDocument", 400, OLD_VERSION,
                 PolicyArn=arn, PolicyDocument=json.dumps({"Statement": [statement()]}))
    expect_error(iam.create_policy_version, "MalformedPolicyDocument", 400, IAM_PATH,
                 PolicyArn=arn,
                 PolicyDocument=json.dumps(v12(statement(Resource="arn:aws:iam:::x"))))
    iam.delete_policy(PolicyArn=arn)


def test_valid_documents_are_accepted(iam):
    accepted = [
        v12(statement(Resource=["arn:aws:s3:::example_bucket", "*"])),
        v12(statement(Resource="arn:aws:iam:::user/example_bucket")),
        v12(statement(Resource="arn:aws:fdsasf")),
        v12(statement(Resource="arn:aws:ec2:us-east-1::example_bucket")),
        v12(statement(Resource="arn:aws:invalid-service:us-east-1::example_bucket")),
        v12(statement(Resource="arn:aws:dynamodb:*:*:table/MyTable")),
        v12(statement(Resource=f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/x")),
        v12(statement(Resource="arn:aws:iam::*:user/${aws:username}")),
        v12(statement(Condition={
            "DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
            "DateLessThanEquals": {"aws:CurrentTime": "2016-12-13T21:20:37.593194+00:00"},
            "DateNotEquals": {"aws:EpochTime": "1700000000"},
            "DateLessThan": {"aws:CurrentTime": "-292275054"}})),
        v12(statement(Action="iam: asdf safdsf af ")),
        v12(statement(Condition={"x": {}, "y": {}})),
    ]
    for i, document in enumerate(accepted):
        arn = iam.create_policy(PolicyName=f"grammar-ok-{i}",
                                PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        iam.delete_policy(PolicyArn=arn)


def test_inline_and_trust_policies_accept_the_old_version(iam):
    iam.create_user(UserName="grammar-user")
    iam.create_group(GroupName="grammar-group")
    iam.create_role(RoleName="grammar-role", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2008-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}))
    for old in ({"Statement": [statement()]}, {"Version": "2008-10-17", "Statement": [statement()]}):
        iam.put_user_policy(UserName="grammar-user", PolicyName="p",
                            PolicyDocument=json.dumps(old))
        iam.put_group_policy(GroupName="grammar-group", PolicyName="p",
                             PolicyDocument=json.dumps(old))
        iam.put_role_policy(RoleName="grammar-role", PolicyName="p",
                            PolicyDocument=json.dumps(old))
    # Inline policies get the same resource and legacy rules.
    expect_error(iam.put_user_policy, "MalformedPolicyDocument", 400, IAM_PATH,
                 UserName="grammar-user", PolicyName="bad",
                 PolicyDocument=json.dumps(v12(statement(Resource="arn:aws:iam:::x"))))
    expect_error(iam.put_role_policy, "MalformedPolicyDocument", 400, LEGACY,
                 RoleName="grammar-role", PolicyName="bad",
                 PolicyDocument=json.dumps(v12(statement(Resource="arn:aws:s3::b"))))
    expect_error(iam.put_group_policy, "MalformedPolicyDocument", 400, LEGACY,
                 GroupName="grammar-group", PolicyName="bad",
                 PolicyDocument=json.dumps(v12(statement(
                     Condition={"DateLessThan": {"aws:CurrentTime": "soon"}}))))
    expect_error(iam.update_assume_role_policy, "MalformedPolicyDocument", 400, LEGACY,
                 RoleName="grammar-role", PolicyDocument=json.dumps(v12(
                     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"DateLessThan": {"aws:CurrentTime": "never"}}})))
    for kind in ("user", "group", "role"):
        getattr(iam, f"delete_{kind}_policy")(**{f"{kind.capitalize()}Name": f"grammar-{kind}",
                                                 "PolicyName": "p"})
    iam.delete_user(UserName="grammar-user")
    iam.delete_group(GroupName="grammar-group")
    iam.delete_role(RoleName="grammar-role")


# ---------------------------------------------------------------- paths

PATH_MESSAGE = ("The specified value for {} is invalid. It must begin and end with / and contain "
                "only alphanumeric characters and/or / characters.")
PREFIX_MESSAGE = ("The specified value for pathPrefix is invalid. It must begin with the / "
                  "character and contain only alphanumeric characters and/or / characters.")


def test_every_path_parameter_answers_iams_message(iam):
    path = PATH_MESSAGE.format("path")
    new_path = PATH_MESSAGE.format("newPath")
    policy = json.dumps(v12(statement()))
    calls = [
        (iam.create_user, path, {"UserName": "p-user", "Path": "test/"}),
        (iam.create_group, path, {"GroupName": "p-group", "Path": "/test"}),
        (iam.create_role, path, {"RoleName": "p-role", "Path": "/root",
                                 "AssumeRolePolicyDocument": TRUST_EC2}),
        (iam.create_policy, path, {"PolicyName": "p-policy", "Path": "app",
                                   "PolicyDocument": policy}),
        (iam.create_instance_profile, path, {"InstanceProfileName": "p-ip", "Path": "x/"}),
        (iam.update_user, new_path, {"UserName": "p-user", "NewPath": "ops"}),
        (iam.update_group, new_path, {"GroupName": "p-group", "NewPath": "/ops"}),
        (iam.list_users, PREFIX_MESSAGE, {"PathPrefix": "eng/"}),
        (iam.list_roles, PREFIX_MESSAGE, {"PathPrefix": "service-role"}),
        (iam.list_groups, PREFIX_MESSAGE, {"PathPrefix": "x"}),
        (iam.list_instance_profiles, PREFIX_MESSAGE, {"PathPrefix": "x"}),
        (iam.list_server_certificates, PREFIX_MESSAGE, {"PathPrefix": "x"}),
        (iam.list_policies, PREFIX_MESSAGE, {"PathPrefix": "/foo"}),
        (iam.list_attached_role_policies, PREFIX_MESSAGE, {"RoleName": "nobody",
                                                           "PathPrefix": "/x"}),
        (iam.list_entities_for_policy, PREFIX_MESSAGE, {
            "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "PathPrefix": "x"}),
        (iam.create_virtual_mfa_device, path, {"VirtualMFADeviceName": "m", "Path": "x"}),
        (iam.update_server_certificate, new_path, {"ServerCertificateName": "c",
                                                   "NewPath": "x"}),
    ]
    for call, message, kwargs in calls:
        expect_error(call, "ValidationError", 400, message, **kwargs)
    # A prefix without the closing "/" is a prefix of names for users, not for policies.
    assert iam.list_users(PathPrefix="/nobody")["Users"] == []


# ---------------------------------------------------------------- service-linked roles

@pytest.mark.parametrize("service,name", [
    ("elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk"),
    ("custom-resource.application-autoscaling.amazonaws.com",
     "AWSServiceRoleForApplicationAutoScaling_CustomResource"),
    ("spot.amazonaws.com", "AWSServiceRoleForEC2Spot"),
    ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
])
def test_service_linked_role_names_come_from_the_table(iam, service, name):
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    assert role["RoleName"] == name
    assert role["Path"] == f"/aws-service-role/{service}/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/{name}"
    expect_error(iam.create_service_linked_role, "InvalidInput", 400,
                 f"Service role name {name} has been taken in this account, please try a "
                 "different suffix.", AWSServiceName=service)
    iam.delete_service_linked_role(RoleName=name)


def test_service_without_a_linked_role_is_refused(iam):
    # AWS-COMPAT: InvalidInput is on record for CreateServiceLinkedRole's bad inputs; this text
    # for a principal without a service-linked role is not (instance_profiles.cc).
    for service in ("not-a-service.amazonaws.com", "s3.amazonaws.com", "not-a-service"):
        expect_error(iam.create_service_linked_role, "InvalidInput", 400,
                     f"Invalid service name: {service}", AWSServiceName=service)


# ---------------------------------------------------------------- elements Get* always returns

def test_get_policy_always_returns_tags(iam):
    created = iam.create_policy(PolicyName="grammar-tags", Description="d",
                                PolicyDocument=json.dumps(v12(statement())))["Policy"]
    # CreatePolicy leaves out Description and, without tags, Tags.
    assert "Description" not in created and "Tags" not in created
    got = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert got["Tags"] == [] and got["Description"] == "d"
    listed = iam.list_policies(Scope="Local", PathPrefix="/")["Policies"]
    assert all("Tags" not in p and "Description" not in p for p in listed)
    iam.delete_policy(PolicyArn=created["Arn"])
    # GetRole and GetUser answer Tags and PermissionsBoundary only when set.
    iam.create_role(RoleName="grammar-plain", AssumeRolePolicyDocument=TRUST_EC2)
    role = iam.get_role(RoleName="grammar-plain")["Role"]
    assert "Tags" not in role and "PermissionsBoundary" not in role
    assert "RoleLastUsed" in role
    iam.delete_role(RoleName="grammar-plain")
    iam.create_user(UserName="grammar-plain")
    user = iam.get_user(UserName="grammar-plain")["User"]
    assert "Tags" not in user and "PermissionsBoundary" not in user
    iam.delete_user(UserName="grammar-plain")
