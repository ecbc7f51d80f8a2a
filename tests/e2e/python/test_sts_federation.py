"""STS AssumeRoleWithSAML and AssumeRoleWithWebIdentity end to end (issue 16), with Debian's boto3
against `orgtwin serve`. SAML responses are signed with the xmlsec1 CLI (RSA-SHA256, exclusive
c14n), ID tokens with python3-cryptography (RS256, ES256); keys and certificates are made here.
The OIDC issuer's keys reach the twin through `serve --oidc-jwks ISSUER=FILE` (docs/federation.md).
Both calls go unsigned, as AWS takes them; the credentials they return are then used for a
signed call."""
import base64
import datetime
import json
import os
import subprocess
import tempfile
import time

import boto3
import botocore
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from cli_helpers import Keys, ok
from iam_helpers import ACCOUNT, expect_error, iam_client
from orgtwin_server import OrgtwinServer, wait_for
from root_helpers import admin, session_client

ISSUER = "https://oidc.example.com/tenant"
OIDC_HOST_PATH = "oidc.example.com/tenant"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_HOST_PATH}"
OIDC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/CiDeploy"
IDP_ENTITY = "https://idp.example.com/saml"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/Corp"
SAML_ROLE = f"arn:aws:iam::{ACCOUNT}:role/SamlAdmins"
AWS_SAML = "https://signin.aws.amazon.com/saml"
UNSIGNED = Config(signature_version=botocore.UNSIGNED,
                  retries={"max_attempts": 1, "mode": "standard"})


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n, size=None):
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


def jwk(key, kid):
    public = key.public_key().public_numbers()
    if isinstance(key, rsa.RSAPrivateKey):
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                "n": b64url(int_bytes(public.n)), "e": b64url(int_bytes(public.e))}
    return {"kty": "EC", "kid": kid, "crv": "P-256", "x": b64url(int_bytes(public.x, 32)),
            "y": b64url(int_bytes(public.y, 32))}


def jwt(key, kid, claims):
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    header = {"alg": "RS256" if is_rsa else "ES256", "typ": "JWT", "kid": kid}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    if is_rsa:
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = int_bytes(r, 32) + int_bytes(s, 32)
    return signing_input.decode() + "." + b64url(signature)


def self_signed(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))


def saml_metadata(cert):
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP_ENTITY}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


SIGNATURE_TEMPLATE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI="#{id}"><ds:Transforms>
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"""


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def saml_response(server, key_file, role_pair=f"{SAML_ROLE},{SAML_ARN}",
                  session="alice@example.com", audience="urn:amazon:webservices",
                  recipient=AWS_SAML, valid_for=300, affiliation="staff", sign="Response",
                  tags=None):
    """A SAML Response signed by xmlsec1 (the Response or its Assertion), base64, valid from the
    twin's now."""
    now = twin_now(server)
    until = iso(now + valid_for)
    response_sig = SIGNATURE_TEMPLATE.format(id="_r1") if sign == "Response" else ""
    assertion_sig = SIGNATURE_TEMPLATE.format(id="_a1") if sign == "Assertion" else ""
    tag_attributes = "".join(
        f'<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:{key}">'
        f"<saml:AttributeValue>{value}</saml:AttributeValue></saml:Attribute>"
        for key, value in (tags or {}).items())
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
    IssueInstant="{iso(now)}" Destination="{recipient}">
  <saml:Issuer>{IDP_ENTITY}</saml:Issuer>{response_sig}
  <samlp:Status>
    <samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="{iso(now)}">
    <saml:Issuer>{IDP_ENTITY}</saml:Issuer>{assertion_sig}
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">t-42</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{iso(now - 60)}" NotOnOrAfter="{until}">
      <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue>{role_pair}</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>{session}</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.1">
        <saml:AttributeValue>{affiliation}</saml:AttributeValue></saml:Attribute>{tag_attributes}
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
    with tempfile.TemporaryDirectory() as work:
        template = os.path.join(work, "template.xml")
        signed = os.path.join(work, "signed.xml")
        with open(template, "w") as f:
            f.write(xml)
        subprocess.run(
            ["/usr/bin/xmlsec1", "--sign", "--privkey-pem", key_file,
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
             "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
             "--output", signed, template], check=True, capture_output=True)
        with open(signed, "rb") as f:
            return base64.b64encode(f.read()).decode()


def trust(federated, action, condition):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": federated}, "Action": action,
         "Condition": condition}]})


@pytest.fixture(scope="module")
def keys():
    work = tempfile.mkdtemp(prefix="orgtwin-federation-")
    idp_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {}
    for name, key in (("idp", idp_key), ("other", other_key)):
        files[name] = os.path.join(work, name + ".pem")
        with open(files[name], "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    rsa_jwt = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_jwt = ec.generate_private_key(ec.SECP256R1())
    jwks = os.path.join(work, "jwks.json")
    with open(jwks, "w") as f:
        json.dump({"keys": [jwk(rsa_jwt, "rsa1"), jwk(ec_jwt, "ec1")]}, f)
    return {"work": work, "idp_cert": self_signed(idp_key), "idp": files["idp"],
            "other": files["other"], "rsa": rsa_jwt, "ec": ec_jwt, "jwks": jwks}


@pytest.fixture(scope="module")
def server(keys):
    srv = OrgtwinServer("--clock", "adjustable", "--oidc-jwks", f"{ISSUER}={keys['jwks']}").start()
    iam = iam_client(srv)
    iam.create_saml_provider(Name="Corp", SAMLMetadataDocument=saml_metadata(keys["idp_cert"]))
    iam.create_role(RoleName="SamlAdmins", AssumeRolePolicyDocument=trust(
        SAML_ARN, "sts:AssumeRoleWithSAML",
        {"StringEquals": {"SAML:aud": AWS_SAML},
         "ForAnyValue:StringEquals": {"saml:edupersonaffiliation": "staff"}}))
    iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazonaws.com"])
    iam.create_role(RoleName="CiDeploy", AssumeRolePolicyDocument=trust(
        OIDC_ARN, "sts:AssumeRoleWithWebIdentity",
        {"StringEquals": {f"{OIDC_HOST_PATH}:aud": "sts.amazonaws.com"},
         "StringLike": {f"{OIDC_HOST_PATH}:sub": "repo:acme/*"}}))
    yield srv
    srv.cleanup()


@pytest.fixture
def sts(server):
    return boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                        config=UNSIGNED)


def twin_now(server):
    status, body = admin(server, "/_orgtwin/clock/advance", {"Seconds": 0.001})
    assert status == 200, body
    return int(datetime.datetime.strptime(body["Now"][:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp())


def claims(server, sub="repo:acme/app:ref:refs/heads/main", aud="sts.amazonaws.com", ttl=600):
    now = twin_now(server)
    return {"iss": ISSUER, "sub": sub, "aud": aud, "iat": now, "nbf": now, "exp": now + ttl}


# ---------------------------------------------------------------- SAML


@pytest.mark.parametrize("sign", ["Response", "Assertion"])
def test_saml_assertion_gives_a_working_role_session(server, sts, keys, sign):
    out = sts.assume_role_with_saml(RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                                    SAMLAssertion=saml_response(server, keys["idp"], sign=sign),
                                    DurationSeconds=900)
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/SamlAdmins/alice@example.com"
    assert out["AssumedRoleUser"]["Arn"] == session_arn
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":alice@example.com")
    assert out["Subject"] == "t-42"
    assert out["SubjectType"] == "transient"
    assert out["Issuer"] == IDP_ENTITY
    assert out["Audience"] == AWS_SAML
    assert out["NameQualifier"]
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    who = session_client(server, out["Credentials"], "sts").get_caller_identity()
    assert who["Arn"] == session_arn


def test_saml_signature_must_be_the_providers(server, sts, keys):
    expect_error(sts.assume_role_with_saml, "InvalidIdentityToken", 400,
                 "Response signature invalid", RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["other"]))
    signed = base64.b64decode(saml_response(server, keys["idp"]))
    tampered = signed.replace(b">t-42<", b">root<")
    expect_error(sts.assume_role_with_saml, "InvalidIdentityToken", 400,
                 "Response signature invalid", RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                 SAMLAssertion=base64.b64encode(tampered).decode())


def test_saml_claim_checks(server, sts, keys):
    call = sts.assume_role_with_saml
    expect_error(call, "ExpiredTokenException", 400, RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"], valid_for=-60))
    expect_error(call, "InvalidIdentityToken", 400,
                 "Response does not contain the required audience.", RoleArn=SAML_ROLE,
                 PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"],
                                             audience="https://sp.example.com"))
    expect_error(call, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML",
                 RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"],
                                             role_pair=f"{OIDC_ROLE},{SAML_ARN}"))
    expect_error(call, "InvalidIdentityToken", 400,
                 "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
                 RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"], session="x"))
    expect_error(call, "InvalidIdentityToken", 400, "Specified provider doesn't exist.",
                 RoleArn=SAML_ROLE, PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/None",
                 SAMLAssertion=saml_response(server, keys["idp"]))


def test_saml_trust_policy_conditions(server, sts, keys):
    # saml:aud is the endpoint the IdP posted to: a regional one is valid, but not the one the
    # trust policy pins.
    expect_error(sts.assume_role_with_saml, "AccessDenied", 403,
                 "Not authorized to perform sts:AssumeRoleWithSAML", RoleArn=SAML_ROLE,
                 PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(
                     server, keys["idp"], recipient="https://eu-west-1.signin.aws.amazon.com/saml"))
    expect_error(sts.assume_role_with_saml, "AccessDenied", 403, RoleArn=SAML_ROLE,
                 PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"], affiliation="student"))


def test_saml_session_tags_reach_aws_principal_tag(server, sts, keys):
    """PrincipalTag attributes become session tags (sts:TagSession in the trust policy), which
    the role's policies see as aws:PrincipalTag."""
    expect_error(sts.assume_role_with_saml, "AccessDenied", 403, RoleArn=SAML_ROLE,
                 PrincipalArn=SAML_ARN,
                 SAMLAssertion=saml_response(server, keys["idp"], tags={"team": "ops"}))
    iam = iam_client(server)
    iam.create_role(RoleName="SamlTagged", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": SAML_ARN},
             "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]}]}))
    iam.put_role_policy(RoleName="SamlTagged", PolicyName="ops-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}]}))
    tagged_role = f"arn:aws:iam::{ACCOUNT}:role/SamlTagged"
    for team, allowed in (("ops", True), ("dev", False)):
        out = sts.assume_role_with_saml(
            RoleArn=tagged_role, PrincipalArn=SAML_ARN,
            SAMLAssertion=saml_response(server, keys["idp"], role_pair=f"{tagged_role},{SAML_ARN}",
                                        tags={"team": team}))
        assert out["PackedPolicySize"] >= 1
        session_iam = session_client(server, out["Credentials"], "iam")
        if allowed:
            assert session_iam.list_roles()["Roles"]
        else:
            expect_error(session_iam.list_roles, "AccessDenied", 403)


# ---------------------------------------------------------------- OpenID Connect


@pytest.mark.parametrize("alg", ["rsa", "ec"])
def test_web_identity_token_gives_a_working_role_session(server, sts, keys, alg):
    kid = "rsa1" if alg == "rsa" else "ec1"
    out = sts.assume_role_with_web_identity(RoleArn=OIDC_ROLE, RoleSessionName="deploy",
                                            WebIdentityToken=jwt(keys[alg], kid, claims(server)))
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/CiDeploy/deploy"
    assert out["AssumedRoleUser"]["Arn"] == session_arn
    assert out["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert out["Provider"] == ISSUER
    assert out["Audience"] == "sts.amazonaws.com"
    who = session_client(server, out["Credentials"], "sts").get_caller_identity()
    assert who["Arn"] == session_arn


def test_web_identity_claim_checks(server, sts, keys):
    call = sts.assume_role_with_web_identity
    base = {"RoleArn": OIDC_ROLE, "RoleSessionName": "deploy"}
    expect_error(call, "InvalidIdentityToken", 400, "Incorrect token audience",
                 WebIdentityToken=jwt(keys["rsa"], "rsa1", claims(server, aud="other")), **base)
    forged = jwt(rsa.generate_private_key(public_exponent=65537, key_size=2048), "rsa1",
                 claims(server))
    expect_error(call, "InvalidIdentityToken", 400, WebIdentityToken=forged, **base)
    message = expect_error(call, "ExpiredTokenException", 400,
                           WebIdentityToken=jwt(keys["rsa"], "rsa1", claims(server, ttl=-10)),
                           **base)
    assert message.startswith("Token expired: current date/time ")
    unknown = dict(claims(server), iss="https://unknown.example.com")
    expect_error(call, "InvalidIdentityToken", 400,
                 "No OpenIDConnect provider found in your account for https://unknown.example.com",
                 WebIdentityToken=jwt(keys["rsa"], "rsa1", unknown), **base)
    expect_error(call, "InvalidIdentityToken", 400, WebIdentityToken="not-a-jwt", **base)


def test_web_identity_trust_policy_and_the_twin_clock(server, sts, keys):
    call = sts.assume_role_with_web_identity
    base = {"RoleArn": OIDC_ROLE, "RoleSessionName": "deploy"}
    expect_error(call, "AccessDenied", 403,
                 "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                 WebIdentityToken=jwt(keys["rsa"], "rsa1", claims(server, sub="repo:evil/x")),
                 **base)
    token = jwt(keys["ec"], "ec1", claims(server, ttl=600))
    assert call(WebIdentityToken=token, **base)["AssumedRoleUser"]
    admin(server, "/_orgtwin/clock/advance", {"Seconds": 601})
    expect_error(call, "ExpiredTokenException", 400, WebIdentityToken=token, **base)


def test_web_identity_session_tags_need_tag_session(server, sts, keys):
    tagged = dict(claims(server), **{"https://aws.amazon.com/tags": {
        "principal_tags": {"team": ["ops"]}, "transitive_tag_keys": ["team"]}})
    expect_error(sts.assume_role_with_web_identity, "AccessDenied", 403,
                 "Not authorized to perform sts:AssumeRoleWithWebIdentity", RoleArn=OIDC_ROLE,
                 RoleSessionName="deploy", WebIdentityToken=jwt(keys["rsa"], "rsa1", tagged))


def test_aws_cli_takes_both_federated_calls(server, keys):
    """The AWS CLI v2 sends both calls unsigned and uses the session it gets back."""
    oidc = ok(server, "sts", "assume-role-with-web-identity", "--role-arn", OIDC_ROLE,
              "--role-session-name", "cli",
              "--web-identity-token", jwt(keys["ec"], "ec1", claims(server)))
    saml = ok(server, "sts", "assume-role-with-saml", "--role-arn", SAML_ROLE,
              "--principal-arn", SAML_ARN, "--saml-assertion", saml_response(server, keys["idp"]))
    for out, arn in ((oidc, f"arn:aws:sts::{ACCOUNT}:assumed-role/CiDeploy/cli"),
                     (saml, f"arn:aws:sts::{ACCOUNT}:assumed-role/SamlAdmins/alice@example.com")):
        credentials = out["Credentials"]
        session = Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                       credentials["SessionToken"])
        assert ok(server, "sts", "get-caller-identity", keys=session)["Arn"] == arn


def test_cloudtrail_names_the_identity_providers_user(server, sts, keys):
    """The role's account records both calls with the IdP's user as userIdentity."""
    sts.assume_role_with_saml(RoleArn=SAML_ROLE, PrincipalArn=SAML_ARN,
                              SAMLAssertion=saml_response(server, keys["idp"]))
    sts.assume_role_with_web_identity(RoleArn=OIDC_ROLE, RoleSessionName="audited",
                                      WebIdentityToken=jwt(keys["rsa"], "rsa1", claims(server)))
    trail = boto3.client("cloudtrail", endpoint_url=server.endpoint, region_name="us-east-1",
                         aws_access_key_id=server.access_key,
                         aws_secret_access_key=server.secret_key)

    def identities(name):
        events = trail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        return [json.loads(e["CloudTrailEvent"])["userIdentity"] for e in events]

    saml = wait_for(lambda: [i for i in identities("AssumeRoleWithSAML")
                             if i.get("type") == "SAMLUser"])
    assert saml and saml[0]["userName"] == "t-42"
    assert saml[0]["principalId"] == saml[0]["identityProvider"] + ":t-42"
    oidc = wait_for(lambda: [i for i in identities("AssumeRoleWithWebIdentity")
                             if i.get("type") == "WebIdentityUser"])
    assert oidc and oidc[0]["identityProvider"] == OIDC_ARN
    assert oidc[0]["principalId"] == (
        f"{OIDC_ARN}:sts.amazonaws.com:repo:acme/app:ref:refs/heads/main")


def test_an_issuer_without_configured_keys(keys):
    srv = OrgtwinServer().start()
    try:
        iam_client(srv).create_open_id_connect_provider(Url=ISSUER,
                                                        ClientIDList=["sts.amazonaws.com"])
        sts = boto3.client("sts", endpoint_url=srv.endpoint, region_name="us-east-1",
                           config=UNSIGNED)
        now = int(time.time())
        token = jwt(keys["rsa"], "rsa1", {"iss": ISSUER, "sub": "s", "aud": "sts.amazonaws.com",
                                          "iat": now, "exp": now + 600})
        expect_error(sts.assume_role_with_web_identity, "IDPCommunicationError", 400,
                     RoleArn=OIDC_ROLE, RoleSessionName="deploy", WebIdentityToken=token)
    finally:
        srv.cleanup()
