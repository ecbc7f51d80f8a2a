"""STS end to end with Debian's boto3: AssumeRole (ExternalId, MFA with real TOTP codes, duration
limits, role chaining, session policies and tags, SourceIdentity), GetSessionToken,
GetFederationToken, GetCallerIdentity for every principal type, GetAccessKeyInfo,
DecodeAuthorizationMessage and the web-identity / SAML answers without a provider."""
import base64
import json
import time
import urllib.error
import urllib.request

import boto3
import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iam_helpers import ACCOUNT, NO_RETRY, doc, expect_error, iam_client
from mfa_codes import totp

ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT


def client(server, service, creds=None):
    if creds is None:
        creds = {"AccessKeyId": server.access_key, "SecretAccessKey": server.secret_key}
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds.get("SessionToken"), config=NO_RETRY)


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(iam, name, principal=ROOT_ARN, condition=None, max_session=3600, policies=()):
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal, condition),
                           MaxSessionDuration=max_session)["Role"]
    for arn in policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return role["Arn"]


def make_user(iam, name, policy=None):
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    return iam.create_access_key(UserName=name)["AccessKey"]


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


@pytest.fixture(scope="module")
def sts(server):
    return client(server, "sts")


ASSUMER_ARN = "arn:aws:iam::%s:user/assumer" % ACCOUNT
ROOT_DENIED = "Roles may not be assumed by root accounts."


@pytest.fixture(scope="module")
def assumer(server, iam):
    """STS as an administrator IAM user: AWS refuses AssumeRole to the root user, so the roles
    that trust the account (Principal: the account's root ARN) are assumed by this user."""
    key = make_user(iam, "assumer")
    iam.attach_user_policy(UserName="assumer",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    return client(server, "sts", key)


def test_caller_identity_root_user_role_and_federated(server, iam, sts, assumer):
    me = sts.get_caller_identity()
    assert me["UserId"] == ACCOUNT and me["Arn"] == ROOT_ARN and me["Account"] == ACCOUNT

    iam.create_user(UserName="who", Path="/eng/")
    key = iam.create_access_key(UserName="who")["AccessKey"]
    user = client(server, "sts", key).get_caller_identity()
    assert user["Arn"] == "arn:aws:iam::%s:user/eng/who" % ACCOUNT
    assert user["UserId"] == iam.get_user(UserName="who")["User"]["UserId"]
    assert user["UserId"].startswith("AIDA")

    role_arn = make_role(iam, "WhoRole")
    role_id = iam.get_role(RoleName="WhoRole")["Role"]["RoleId"]
    out = assumer.assume_role(RoleArn=role_arn, RoleSessionName="sess-1")
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": role_id + ":sess-1",
        "Arn": "arn:aws:sts::%s:assumed-role/WhoRole/sess-1" % ACCOUNT}
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and len(creds["SessionToken"]) > 300
    assert "PackedPolicySize" not in out
    session = client(server, "sts", creds).get_caller_identity()
    assert session["UserId"] == role_id + ":sess-1"
    assert session["Arn"] == out["AssumedRoleUser"]["Arn"]

    fed = sts.get_federation_token(Name="bob", Policy=doc("s3:*"))
    assert fed["FederatedUser"] == {"FederatedUserId": ACCOUNT + ":bob",
                                    "Arn": "arn:aws:sts::%s:federated-user/bob" % ACCOUNT}
    assert isinstance(fed["PackedPolicySize"], int)
    fed_me = client(server, "sts", fed["Credentials"]).get_caller_identity()
    assert fed_me["UserId"] == ACCOUNT + ":bob"
    assert fed_me["Arn"] == "arn:aws:sts::%s:federated-user/bob" % ACCOUNT


def test_assume_missing_role_is_access_denied(sts, assumer):
    arn = "arn:aws:iam::%s:role/NoSuchRole" % ACCOUNT
    msg = expect_error(assumer.assume_role, "AccessDenied", 403, RoleArn=arn,
                       RoleSessionName="x1")
    assert msg.startswith("User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                          % (ASSUMER_ARN, arn))
    # AWS-COMPAT: the root user may never assume a role; that answer comes first.
    expect_error(sts.assume_role, "AccessDenied", 403, ROOT_DENIED, RoleArn=arn,
                 RoleSessionName="x1")


def test_root_may_not_assume_a_role_that_trusts_it(server, iam, sts, assumer):
    arn = make_role(iam, "TrustsRoot")
    expect_error(sts.assume_role, "AccessDenied", 403, ROOT_DENIED, RoleArn=arn,
                 RoleSessionName="rr")
    # Nor with a root GetSessionToken session; root's GetSessionToken itself stays allowed.
    root_session = client(server, "sts", sts.get_session_token()["Credentials"])
    expect_error(root_session.assume_role, "AccessDenied", 403, ROOT_DENIED, RoleArn=arn,
                 RoleSessionName="rr")
    assert assumer.assume_role(RoleArn=arn, RoleSessionName="rr")["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::%s:assumed-role/TrustsRoot/rr" % ACCOUNT


def test_external_id(server, iam):
    user_arn = "arn:aws:iam::%s:user/vendor-user" % ACCOUNT
    key = make_user(iam, "vendor-user")
    arn = make_role(iam, "Vendor", principal=user_arn,
                    condition={"StringEquals": {"sts:ExternalId": "ext-123"}})
    sts = client(server, "sts", key)
    expect_error(sts.assume_role, "AccessDenied", 403, RoleArn=arn, RoleSessionName="vv")
    expect_error(sts.assume_role, "AccessDenied", 403, RoleArn=arn, RoleSessionName="vv",
                 ExternalId="wrong-id")
    out = sts.assume_role(RoleArn=arn, RoleSessionName="vv", ExternalId="ext-123")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_duration_limits(iam, assumer):
    arn = make_role(iam, "Short", max_session=3600)
    expect_error(assumer.assume_role, "ValidationError", 400,
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                 RoleArn=arn, RoleSessionName="dd", DurationSeconds=3601)
    expect_error(assumer.assume_role, "ValidationError", 400, RoleArn=arn, RoleSessionName="dd",
                 DurationSeconds=899)
    before = time.time()
    out = assumer.assume_role(RoleArn=arn, RoleSessionName="dd", DurationSeconds=900)
    lifetime = out["Credentials"]["Expiration"].timestamp() - before
    assert 880 <= lifetime <= 905


def test_role_chaining_caps_at_one_hour_and_keeps_source_identity(server, iam, assumer):
    second = "arn:aws:iam::%s:role/ChainB" % ACCOUNT
    first = make_role(iam, "ChainA", max_session=43200)
    iam.put_role_policy(RoleName="ChainA", PolicyName="hop",
                        PolicyDocument=doc("sts:AssumeRole", second))
    make_role(iam, "ChainB", principal="arn:aws:iam::%s:role/ChainA" % ACCOUNT,
              max_session=43200)
    iam.update_assume_role_policy(RoleName="ChainB", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Principal": {"AWS": "arn:aws:iam::%s:role/ChainA" % ACCOUNT},
                       "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}))
    iam.update_assume_role_policy(RoleName="ChainA", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                       "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}))
    a = assumer.assume_role(RoleArn=first, RoleSessionName="aa", DurationSeconds=7200,
                            SourceIdentity="alice")
    assert a["SourceIdentity"] == "alice"
    hop = client(server, "sts", a["Credentials"])
    expect_error(hop.assume_role, "ValidationError", 400,
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                 "assumed by role chaining.",
                 RoleArn=second, RoleSessionName="bb", DurationSeconds=3601)
    b = hop.assume_role(RoleArn=second, RoleSessionName="bb", DurationSeconds=3600)
    assert b["SourceIdentity"] == "alice"
    assert client(server, "sts", b["Credentials"]).get_caller_identity()["Arn"] == \
        "arn:aws:sts::%s:assumed-role/ChainB/bb" % ACCOUNT
    expect_error(hop.assume_role, "AccessDenied", 403, RoleArn=second, RoleSessionName="cc",
                 SourceIdentity="mallory")


def test_session_policy_narrows_the_role(server, iam, assumer):
    arn = make_role(iam, "Wide", policies=["arn:aws:iam::aws:policy/AdministratorAccess"])
    wide = client(server, "iam",
                  assumer.assume_role(RoleArn=arn, RoleSessionName="ww")["Credentials"])
    wide.list_users()
    out = assumer.assume_role(RoleArn=arn, RoleSessionName="nn", Policy=doc("iam:ListRoles"))
    assert 1 <= out["PackedPolicySize"] <= 100
    narrow = client(server, "iam", out["Credentials"])
    narrow.list_roles()
    expect_error(narrow.list_users, "AccessDenied", 403)
    managed = assumer.assume_role(RoleArn=arn, RoleSessionName="mm", PolicyArns=[
        {"arn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}])["Credentials"]
    ro = client(server, "iam", managed)
    ro.list_users()
    expect_error(ro.create_user, "AccessDenied", 403, UserName="nope")


def test_session_policy_errors(iam, assumer):
    arn = make_role(iam, "Picky")
    expect_error(assumer.assume_role, "MalformedPolicyDocument", 400, RoleArn=arn,
                 RoleSessionName="pp", Policy='{"Version":"2012-10-17","Statement":[}')
    tags = [{"Key": ("k%02d" % i) + "x" * 125, "Value": "v" * 256} for i in range(50)]
    iam.update_assume_role_policy(RoleName="Picky", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                       "Action": ["sts:AssumeRole", "sts:TagSession"]}]}))
    msg = expect_error(assumer.assume_role, "PackedPolicyTooLarge", 400, RoleArn=arn,
                       RoleSessionName="pp", Tags=tags)
    assert msg.startswith("Packed policy consumes ") and \
        msg.endswith("% of allotted space, please use smaller policy.")
    out = assumer.assume_role(RoleArn=arn, RoleSessionName="pp",
                              Tags=[{"Key": "team", "Value": "a"}], TransitiveTagKeys=["team"])
    assert 1 <= out["PackedPolicySize"] <= 100
    expect_error(assumer.assume_role, "ValidationError", 400, RoleArn=arn, RoleSessionName="pp",
                 Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])


def enable_mfa(iam, user):
    """Creates and enables a virtual MFA device for `user` with two consecutive real codes;
    returns (serial, seed). The codes are for the two steps before now, so the current step is
    still unused for the test's own call."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user + "-mfa")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    step = int(time.time()) // 30
    iam.enable_mfa_device(UserName=user, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(seed, step - 2),
                          AuthenticationCode2=totp(seed, step - 1))
    return device["SerialNumber"], seed


def test_assume_role_with_mfa(server, iam):
    key = make_user(iam, "mfa-user")
    user_arn = "arn:aws:iam::%s:user/mfa-user" % ACCOUNT
    arn = make_role(iam, "MfaRole", principal=user_arn)
    # The role works only in sessions that were opened with MFA.
    iam.put_role_policy(RoleName="MfaRole", PolicyName="mfa", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}))
    serial, seed = enable_mfa(iam, "mfa-user")
    sts_user = client(server, "sts", key)
    plain = sts_user.assume_role(RoleArn=arn, RoleSessionName="mm")["Credentials"]
    expect_error(client(server, "iam", plain).list_roles, "AccessDenied", 403)
    code = totp(seed, int(time.time()) // 30)
    out = sts_user.assume_role(RoleArn=arn, RoleSessionName="mm", SerialNumber=serial,
                               TokenCode=code)
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/MfaRole/mm")
    client(server, "iam", out["Credentials"]).list_roles()
    # AWS-COMPAT: a code is accepted once.
    expect_error(sts_user.assume_role, "AccessDenied", 403,
                 "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                 RoleArn=arn, RoleSessionName="mm", SerialNumber=serial, TokenCode=code)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    expect_error(sts_user.assume_role, "AccessDenied", 403, RoleArn=arn, RoleSessionName="mm",
                 SerialNumber=serial, TokenCode=wrong)
    expect_error(sts_user.assume_role, "AccessDenied", 403,
                 "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
                 "your MFA serial number is valid and associated with this user.",
                 RoleArn=arn, RoleSessionName="mm",
                 SerialNumber="arn:aws:iam::%s:mfa/nobody" % ACCOUNT, TokenCode=code)


def test_get_session_token(server, iam, sts):
    root = sts.get_session_token(DurationSeconds=129600)["Credentials"]
    # AWS-COMPAT: root sessions are cut to one hour.
    assert root["Expiration"].timestamp() - time.time() <= 3601
    root_session = client(server, "sts", root)
    assert root_session.get_caller_identity()["Arn"] == ROOT_ARN
    expect_error(root_session.get_session_token, "AccessDenied", 403,
                 "Cannot call GetSessionToken with session credentials")
    expect_error(root_session.get_federation_token, "AccessDenied", 403,
                 "Cannot call GetFederationToken with session credentials", Name="fed")
    expect_error(client(server, "iam", root).list_users, "InvalidClientTokenId", 403,
                 "The security token included in the request is invalid")

    key = make_user(iam, "gst-user")
    user_sts = client(server, "sts", key)
    default = user_sts.get_session_token()["Credentials"]
    assert 43190 <= default["Expiration"].timestamp() - time.time() <= 43201
    longest = user_sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert longest["Expiration"].timestamp() - time.time() > 129000
    expect_error(user_sts.get_session_token, "ValidationError", 400, DurationSeconds=129601)
    expect_error(user_sts.get_session_token, "ValidationError", 400, DurationSeconds=899)
    me = client(server, "sts", default).get_caller_identity()
    assert me["Arn"] == "arn:aws:iam::%s:user/gst-user" % ACCOUNT
    assert me["UserId"].startswith("AIDA")


def test_get_session_token_with_mfa_may_call_iam(server, iam):
    key = make_user(iam, "gst-mfa", policy=doc("iam:ListUsers"))
    serial, seed = enable_mfa(iam, "gst-mfa")
    user_sts = client(server, "sts", key)
    plain = user_sts.get_session_token()["Credentials"]
    expect_error(client(server, "iam", plain).list_users, "InvalidClientTokenId", 403)
    with_mfa = user_sts.get_session_token(SerialNumber=serial,
                                          TokenCode=totp(seed, int(time.time()) // 30))
    client(server, "iam", with_mfa["Credentials"]).list_users()


def test_get_access_key_info(server, iam, sts):
    assert sts.get_access_key_info(AccessKeyId=server.access_key)["Account"] == ACCOUNT
    key = make_user(iam, "info-user")
    assert sts.get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"] == ACCOUNT
    # A key of another account: AWS decodes the account from the key ID itself.
    assert sts.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"] ==         "609629065308"


def test_decode_authorization_message_and_providers(sts):
    expect_error(sts.decode_authorization_message, "InvalidAuthorizationMessageException", 400,
                 EncodedMessage="not-a-message")
    header = base64.urlsafe_b64encode(b'{"alg":"RS256"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(
        b'{"iss":"https://token.example.com","sub":"x"}').rstrip(b"=").decode()
    arn = "arn:aws:iam::%s:role/WebRole" % ACCOUNT
    expect_error(sts.assume_role_with_web_identity, "InvalidIdentityToken", 400,
                 "No OpenIDConnect provider found in your account for https://token.example.com",
                 RoleArn=arn, RoleSessionName="ww", WebIdentityToken=header + "." + body + ".sig")
    expect_error(sts.assume_role_with_web_identity, "InvalidIdentityToken", 400,
                 RoleArn=arn, RoleSessionName="ww", WebIdentityToken="garbage-token")
    expect_error(sts.assume_role_with_saml, "InvalidIdentityToken", 400, RoleArn=arn,
                 PrincipalArn="arn:aws:iam::%s:saml-provider/corp" % ACCOUNT,
                 SAMLAssertion="x" * 8)


SOC_POLICIES = ["arn:aws:iam::aws:policy/AWSOrganizationsFullAccess",
                "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                "arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
                "arn:aws:iam::aws:policy/CloudWatchFullAccess",
                "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess"]


def signup(server, email, name):
    request = urllib.request.Request(
        server.endpoint + "/_orgtwin/signup", method="POST",
        data=json.dumps({"Email": email, "AccountName": name}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def billing_call(server, creds, operation="ListBillingViews"):
    """A signed AWS Billing (JSON protocol) call; Debian's botocore predates the service."""
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSBilling." + operation})
    SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretAccessKey"],
                          creds.get("SessionToken")), "billing", "us-east-1").add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                  headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(http) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_seed_check_customer_soc_role_and_partner_billing_role(server, iam, assumer):
    """The seed's check (issue 4): a customer IAM user in its own account assumes a role in the
    payer account that has the five SOC managed policies and cannot call a billing action; the
    partner's billing role (job-function/Billing) can, and cannot create a role."""
    customer = signup(server, "customer@example.com", "Customer")
    cust_account = customer["AccountId"]
    assert cust_account != ACCOUNT
    soc_arn = make_role(iam, "CustomerSOC", principal="arn:aws:iam::%s:root" % cust_account,
                        policies=SOC_POLICIES)
    billing_arn = make_role(iam, "PartnerBilling",
                            policies=["arn:aws:iam::aws:policy/job-function/Billing"])

    cust_iam = client(server, "iam", customer)
    cust_iam.create_user(UserName="soc-analyst")
    cust_iam.put_user_policy(UserName="soc-analyst", PolicyName="assume",
                             PolicyDocument=doc("sts:AssumeRole", soc_arn))
    analyst = cust_iam.create_access_key(UserName="soc-analyst")["AccessKey"]
    soc = client(server, "sts", analyst).assume_role(RoleArn=soc_arn,
                                                     RoleSessionName="analyst")
    assert soc["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::%s:assumed-role/CustomerSOC/analyst" % ACCOUNT
    soc_creds = soc["Credentials"]
    assert client(server, "sts", soc_creds).get_caller_identity()["Account"] == ACCOUNT
    status, body = billing_call(server, soc_creds)
    # The Billing model gives AccessDeniedException no HTTP status: JSON-protocol default 400.
    assert status == 400 and body.get("__type") == "AccessDeniedException", body
    assert "billing:ListBillingViews" in body["message"]
    # The SOC role's own services stay usable (AWSOrganizationsFullAccess).
    orgs = client(server, "organizations", soc_creds)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        orgs.describe_organization()
    assert excinfo.value.response["Error"]["Code"] != "AccessDeniedException"

    partner = assumer.assume_role(RoleArn=billing_arn,
                                  RoleSessionName="partner")["Credentials"]
    status, body = billing_call(server, partner)
    # Authorized: answered by the handler, or 501 NotImplemented while Billing has none.
    assert status == 200 or (status == 501 and body.get("__type") == "NotImplemented"), body
    expect_error(client(server, "iam", partner).create_role, "AccessDenied", 403,
                 RoleName="Escalate", AssumeRolePolicyDocument=trust(ROOT_ARN))
