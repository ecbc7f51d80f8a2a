"""IAM identity providers, certificates, SSH keys and service-specific credentials on the wire
(Debian boto3 against a real `orgtwin serve`): OpenID Connect and SAML providers, server and
signing certificates (real X.509 made here with python3-cryptography), SSH public keys (OpenSSH
and PEM forms, MD5 fingerprints computed here) and CodeCommit/Keyspaces credentials -- each
operation's success path and AWS's errors, GetAccountSummary's counts and DeleteUser's
conflicts."""
import base64
import csv
import datetime
import hashlib
import io
import json
import re

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from iam_helpers import ACCOUNT, NO_RETRY, expect_error, iam_client, walk


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


def summary(iam):
    return iam.get_account_summary()["SummaryMap"]


# ---------------------------------------------------------------- key material made here

def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(key, name, issuer_key=None, issuer_name=None, days=365):
    """A certificate for `key` named CN=`name`, signed by `issuer_key` (self-signed if None)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name or name)])
    now = datetime.datetime.utcnow().replace(microsecond=0)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(issuer_key or key, hashes.SHA256()))
    return cert


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def epoch(dt):
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp()


# ---------------------------------------------------------------- OpenID Connect providers

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def test_oidc_provider_lifecycle(iam):
    before = summary(iam)["Providers"]
    arn = iam.create_open_id_connect_provider(
        Url="https://token.example.com/tenant/1", ClientIDList=["app-a", "app-b"],
        ThumbprintList=[THUMB], Tags=[{"Key": "team", "Value": "core"}])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com/tenant/1"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.example.com/tenant/1"  # without its scheme, as AWS returns it
    assert got["ClientIDList"] == ["app-a", "app-b"]
    assert got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "team", "Value": "core"}]
    assert "CreateDate" in got
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert {"Arn": arn} in listed
    assert summary(iam)["Providers"] == before + 1

    # Adding a client ID it has, or removing one it lacks, succeeds and changes nothing.
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-c")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-c")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="nobody")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="app-a")
    new_thumb = "a" * 40
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                   ThumbprintList=[new_thumb, THUMB])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ClientIDList"] == ["app-b", "app-c"]
    assert got["ThumbprintList"] == [new_thumb, THUMB]

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                     Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)
    assert tags["Tags"] == [{"Key": "env", "Value": "prod"}] and not tags["IsTruncated"]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    message = f"OpenIDConnect Provider not found for arn {arn}"
    expect_error(iam.get_open_id_connect_provider, "NoSuchEntity", 404, message,
                 OpenIDConnectProviderArn=arn)
    expect_error(iam.delete_open_id_connect_provider, "NoSuchEntity", 404, message,
                 OpenIDConnectProviderArn=arn)
    expect_error(iam.add_client_id_to_open_id_connect_provider, "NoSuchEntity", 404, message,
                 OpenIDConnectProviderArn=arn, ClientID="x")
    expect_error(iam.list_open_id_connect_provider_tags, "NoSuchEntity", 404, message,
                 OpenIDConnectProviderArn=arn)
    assert summary(iam)["Providers"] == before


def test_oidc_provider_errors(iam):
    # Thumbprints are optional on today's AWS.
    arn = iam.create_open_id_connect_provider(Url="https://accounts.example.org",
                                              ClientIDList=["sts.amazonaws.com"])[
        "OpenIDConnectProviderArn"]
    assert arn.endswith(":oidc-provider/accounts.example.org")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []
    expect_error(iam.create_open_id_connect_provider, "EntityAlreadyExists", 409,
                 "Provider with url https://accounts.example.org already exists.",
                 Url="https://accounts.example.org")
    expect_error(iam.create_open_id_connect_provider, "ValidationError", 400,
                 "Invalid Open ID Connect Provider URL", Url="http://plain.example.org")
    expect_error(iam.create_open_id_connect_provider, "InvalidInput", 400,
                 "Thumbprint list must contain fewer than 5 entries.",
                 Url="https://many.example.org", ThumbprintList=[THUMB] * 6)
    expect_error(iam.create_open_id_connect_provider, "InvalidInput", 400,
                 Url="https://hex.example.org", ThumbprintList=["z" * 40])
    expect_error(iam.create_open_id_connect_provider, "LimitExceeded", 409,
                 "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
                 Url="https://crowd.example.org", ClientIDList=[f"c{i}" for i in range(101)])
    expect_error(iam.update_open_id_connect_provider_thumbprint, "InvalidInput", 400,
                 OpenIDConnectProviderArn=arn, ThumbprintList=[THUMB] * 6)
    full = iam.create_open_id_connect_provider(Url="https://full.example.org",
                                               ClientIDList=[f"c{i}" for i in range(100)])[
        "OpenIDConnectProviderArn"]
    expect_error(iam.add_client_id_to_open_id_connect_provider, "LimitExceeded", 409,
                 OpenIDConnectProviderArn=full, ClientID="one-more")
    for provider in (arn, full):
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)


# ---------------------------------------------------------------- SAML providers

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def saml_metadata(cert, valid_until=None, entity="https://idp.example.com/saml"):
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="{entity}"{until}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/saml/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def test_saml_provider_lifecycle(iam):
    signing = certificate(rsa_key(), "idp.example.com")
    document = saml_metadata(signing, valid_until="2031-06-01T12:00:00Z")
    assert len(document) >= 1000  # the model's minimum
    before = summary(iam)["Providers"]
    arn = iam.create_saml_provider(Name="Corp-IdP", SAMLMetadataDocument=document,
                                   Tags=[{"Key": "owner", "Value": "it"}])["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/Corp-IdP"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document
    assert epoch(got["ValidUntil"].replace(tzinfo=None)) == epoch(
        datetime.datetime(2031, 6, 1, 12, 0, 0))
    assert got["Tags"] == [{"Key": "owner", "Value": "it"}]
    assert "CreateDate" in got
    listed = [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
    assert len(listed) == 1 and listed[0]["ValidUntil"] == got["ValidUntil"]
    assert summary(iam)["Providers"] == before + 1

    # A document without validUntil is valid for 100 years from the upload.
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=saml_metadata(signing))
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    years = (got["ValidUntil"] - got["CreateDate"]).days / 365.25
    assert 99.9 < years < 100.1

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["owner"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}]

    iam.delete_saml_provider(SAMLProviderArn=arn)
    expect_error(iam.get_saml_provider, "NoSuchEntity", 404, f"Manifest not found for arn {arn}",
                 SAMLProviderArn=arn)
    expect_error(iam.delete_saml_provider, "NoSuchEntity", 404, SAMLProviderArn=arn)
    assert summary(iam)["Providers"] == before


def test_saml_provider_errors(iam):
    signing = certificate(ec_key(), "idp.example.net")
    document = saml_metadata(signing)
    iam.create_saml_provider(Name="Dup", SAMLMetadataDocument=document)
    expect_error(iam.create_saml_provider, "EntityAlreadyExists", 409, Name="Dup",
                 SAMLMetadataDocument=document)
    # Well-formed XML that is not SAML metadata, and a document cut short.
    not_metadata = "<html><body>" + "<p>sign in</p>" * 80 + "</body></html>"
    for bad in (not_metadata, document[:-40] + " " * 40,
                document.replace(MD, "urn:example:not-saml")):
        expect_error(iam.create_saml_provider, "InvalidInput", 400, "Could not parse metadata",
                     Name="Bad", SAMLMetadataDocument=bad)
    # No signing certificate: nothing to verify assertions with.
    no_keys = re.sub(r"<md:KeyDescriptor.*?</md:KeyDescriptor>", "", document, flags=re.S)
    expect_error(iam.create_saml_provider, "InvalidInput", 400, "Could not parse metadata",
                 Name="Bad", SAMLMetadataDocument=no_keys + "<!--" + "x" * 600 + "-->")
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/Dup"
    expect_error(iam.update_saml_provider, "InvalidInput", 400, "Could not parse metadata",
                 SAMLProviderArn=arn, SAMLMetadataDocument=not_metadata)
    iam.delete_saml_provider(SAMLProviderArn=arn)


# ---------------------------------------------------------------- server certificates

def test_server_certificate_lifecycle(iam):
    key = rsa_key()
    cert = certificate(key, "www.example.com", days=90)
    before = summary(iam)["ServerCertificates"]
    meta = iam.upload_server_certificate(
        Path="/cloudfront/", ServerCertificateName="www-cert", CertificateBody=cert_pem(cert),
        PrivateKey=key_pem(key), Tags=[{"Key": "site", "Value": "www"}])[
        "ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/www-cert"
    assert re.fullmatch(r"ASCA[A-Z2-7]{17}", meta["ServerCertificateId"])
    assert meta["Path"] == "/cloudfront/"
    assert epoch(meta["Expiration"].replace(tzinfo=None)) == epoch(cert.not_valid_after)
    assert summary(iam)["ServerCertificates"] == before + 1

    got = iam.get_server_certificate(ServerCertificateName="WWW-CERT")["ServerCertificate"]
    assert got["CertificateBody"] == cert_pem(cert)
    assert got["ServerCertificateMetadata"]["ServerCertificateId"] == meta["ServerCertificateId"]
    assert got["Tags"] == [{"Key": "site", "Value": "www"}]
    assert "CertificateChain" not in got

    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")[
        "ServerCertificateMetadataList"]
    assert [c["ServerCertificateName"] for c in listed] == ["www-cert"]
    assert iam.list_server_certificates(PathPrefix="/elb/")["ServerCertificateMetadataList"] == []

    iam.tag_server_certificate(ServerCertificateName="www-cert", Tags=[{"Key": "k", "Value": "v"}])
    iam.untag_server_certificate(ServerCertificateName="www-cert", TagKeys=["site"])
    assert iam.list_server_certificate_tags(ServerCertificateName="www-cert")["Tags"] == [
        {"Key": "k", "Value": "v"}]

    iam.update_server_certificate(ServerCertificateName="www-cert",
                                  NewServerCertificateName="www-2026", NewPath="/elb/")
    expect_error(iam.get_server_certificate, "NoSuchEntity", 404,
                 "The Server Certificate with name www-cert cannot be found.",
                 ServerCertificateName="www-cert")
    moved = iam.get_server_certificate(ServerCertificateName="www-2026")["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/www-2026")

    iam.delete_server_certificate(ServerCertificateName="www-2026")
    expect_error(iam.delete_server_certificate, "NoSuchEntity", 404,
                 "The Server Certificate with name www-2026 cannot be found.",
                 ServerCertificateName="www-2026")
    assert summary(iam)["ServerCertificates"] == before


def test_server_certificate_chain(iam):
    ca_key = ec_key()
    ca = certificate(ca_key, "Example CA")
    leaf_key = ec_key()
    leaf = certificate(leaf_key, "api.example.com", issuer_key=ca_key, issuer_name="Example CA")
    other = certificate(ec_key(), "Other CA")
    meta = iam.upload_server_certificate(ServerCertificateName="chained",
                                         CertificateBody=cert_pem(leaf),
                                         PrivateKey=key_pem(leaf_key),
                                         CertificateChain=cert_pem(ca))["ServerCertificateMetadata"]
    got = iam.get_server_certificate(ServerCertificateName="chained")["ServerCertificate"]
    assert got["CertificateChain"] == cert_pem(ca)
    prefix = ("Unable to validate certificate chain. The certificate chain must start with the "
              "immediate signing certificate, followed by any intermediaries in order. The index "
              "within the chain of the invalid certificate is: ")
    for chain, index in ((cert_pem(other), 0), (cert_pem(ca) + cert_pem(other), 1),
                         ("not a certificate", -1)):
        expect_error(iam.upload_server_certificate, "MalformedCertificate", 400,
                     prefix + str(index), ServerCertificateName="broken",
                     CertificateBody=cert_pem(leaf), PrivateKey=key_pem(leaf_key),
                     CertificateChain=chain)
    iam.delete_server_certificate(ServerCertificateName=meta["ServerCertificateName"])


def test_server_certificate_errors(iam):
    key = rsa_key()
    cert = certificate(key, "shop.example.com")
    expect_error(iam.upload_server_certificate, "MalformedCertificate", 400,
                 "Unable to parse certificate. Please ensure the certificate is in PEM format.",
                 ServerCertificateName="bad", CertificateBody="-----BEGIN CERTIFICATE-----\nAAAA\n"
                 "-----END CERTIFICATE-----\n", PrivateKey=key_pem(key))
    expect_error(iam.upload_server_certificate, "KeyPairMismatch", 400,
                 ServerCertificateName="bad", CertificateBody=cert_pem(cert),
                 PrivateKey=key_pem(rsa_key()))
    expect_error(iam.upload_server_certificate, "MalformedCertificate", 400,
                 ServerCertificateName="bad", CertificateBody=cert_pem(cert),
                 PrivateKey="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    iam.upload_server_certificate(ServerCertificateName="shop", CertificateBody=cert_pem(cert),
                                  PrivateKey=key_pem(key))
    # Names are unique case-insensitively.
    expect_error(iam.upload_server_certificate, "EntityAlreadyExists", 409,
                 "The Server Certificate with name SHOP already exists.",
                 ServerCertificateName="SHOP", CertificateBody=cert_pem(cert),
                 PrivateKey=key_pem(key))
    iam.upload_server_certificate(ServerCertificateName="shop-2", CertificateBody=cert_pem(cert),
                                  PrivateKey=key_pem(key))
    expect_error(iam.update_server_certificate, "EntityAlreadyExists", 409,
                 "The Server Certificate with name shop-2 already exists.",
                 ServerCertificateName="shop", NewServerCertificateName="shop-2")
    # The quota: 20 per account.
    count = summary(iam)["ServerCertificates"]
    names = [f"bulk-{i:02d}" for i in range(20 - count)]
    for name in names:
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=cert_pem(cert),
                                      PrivateKey=key_pem(key))
    expect_error(iam.upload_server_certificate, "LimitExceeded", 409,
                 "Cannot exceed quota for ServerCertificatesPerAccount: 20",
                 ServerCertificateName="one-too-many", CertificateBody=cert_pem(cert),
                 PrivateKey=key_pem(key))
    listed, pages = walk(iam.list_server_certificates, "ServerCertificateMetadataList")
    assert len(listed) == 20 and pages == 20
    assert [c["ServerCertificateName"] for c in listed] == sorted(
        (c["ServerCertificateName"] for c in listed), key=str.lower)
    for name in names + ["shop", "shop-2"]:
        iam.delete_server_certificate(ServerCertificateName=name)


# ---------------------------------------------------------------- signing certificates

def test_signing_certificates_of_a_user(iam):
    iam.create_user(UserName="signer")
    first = cert_pem(certificate(rsa_key(), "signer-1"))
    second = cert_pem(certificate(rsa_key(), "signer-2"))
    cert = iam.upload_signing_certificate(UserName="signer", CertificateBody=first)["Certificate"]
    assert re.fullmatch(r"[A-Z0-9]{24,128}", cert["CertificateId"])
    assert cert["UserName"] == "signer" and cert["Status"] == "Active"
    assert cert["CertificateBody"] == first
    iam.upload_signing_certificate(UserName="signer", CertificateBody=second)
    # The same certificate for another user of the account is a duplicate.
    iam.create_user(UserName="signer-b")
    expect_error(iam.upload_signing_certificate, "DuplicateCertificate", 409,
                 UserName="signer-b", CertificateBody=first)
    expect_error(iam.upload_signing_certificate, "LimitExceeded", 409,
                 "Cannot exceed quota for CertificatesPerUser: 2", UserName="signer",
                 CertificateBody=cert_pem(certificate(rsa_key(), "signer-3")))
    expect_error(iam.upload_signing_certificate, "MalformedCertificate", 400,
                 "Unable to parse certificate. Please ensure the certificate is in PEM format.",
                 UserName="signer-b", CertificateBody="hello")
    expect_error(iam.upload_signing_certificate, "NoSuchEntity", 404,
                 "The user with name nobody cannot be found.", UserName="nobody",
                 CertificateBody=first)

    iam.update_signing_certificate(UserName="signer", CertificateId=cert["CertificateId"],
                                   Status="Inactive")
    listed = iam.list_signing_certificates(UserName="signer")["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed][0] == (cert["CertificateId"],
                                                                      "Inactive")
    assert len(listed) == 2
    # The credential report's cert_1_* and cert_2_* columns, oldest first.
    assert iam.generate_credential_report()["State"] == "STARTED"
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    row = next(r for r in rows if r["user"] == "signer")
    assert (row["cert_1_active"], row["cert_2_active"]) == ("false", "true")
    assert row["cert_1_last_rotated"] != "N/A" and row["cert_2_last_rotated"] != "N/A"
    assert next(r for r in rows if r["user"] == "signer-b")["cert_1_active"] == "false"
    expect_error(iam.update_signing_certificate, "NoSuchEntity", 404,
                 f"The Certificate with id {cert['CertificateId']} cannot be found.",
                 UserName="signer-b", CertificateId=cert["CertificateId"], Status="Active")

    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must delete signing certificates first.",
                 UserName="signer")
    for c in listed:
        iam.delete_signing_certificate(UserName="signer", CertificateId=c["CertificateId"])
    expect_error(iam.delete_signing_certificate, "NoSuchEntity", 404,
                 UserName="signer", CertificateId=cert["CertificateId"])
    iam.delete_user(UserName="signer")
    iam.delete_user(UserName="signer-b")


def test_signing_certificate_of_the_root_user(iam):
    assert summary(iam)["AccountSigningCertificatesPresent"] == 0
    body = cert_pem(certificate(ec_key(), "root-signing"))
    cert = iam.upload_signing_certificate(CertificateBody=body)["Certificate"]
    assert summary(iam)["AccountSigningCertificatesPresent"] == 1
    assert [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]] == [
        cert["CertificateId"]]
    iam.delete_signing_certificate(CertificateId=cert["CertificateId"])
    assert summary(iam)["AccountSigningCertificatesPresent"] == 0


def test_a_user_manages_its_own_signing_certificates(iam, server):
    iam.create_user(UserName="self-signer")
    iam.put_user_policy(UserName="self-signer", PolicyName="own-certs", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["iam:UploadSigningCertificate", "iam:ListSigningCertificates",
                                  "iam:DeleteSigningCertificate"],
                       "Resource": f"arn:aws:iam::{ACCOUNT}:user/self-signer"}]}))
    key = iam.create_access_key(UserName="self-signer")["AccessKey"]
    own = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY)
    cert = own.upload_signing_certificate(
        CertificateBody=cert_pem(certificate(ec_key(), "self")))["Certificate"]
    assert cert["UserName"] == "self-signer"
    assert len(own.list_signing_certificates()["Certificates"]) == 1
    expect_error(own.upload_signing_certificate, "AccessDenied", 403, UserName="someone-else",
                 CertificateBody=cert_pem(certificate(ec_key(), "other")))
    own.delete_signing_certificate(CertificateId=cert["CertificateId"])
    iam.delete_access_key(UserName="self-signer", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="self-signer", PolicyName="own-certs")
    iam.delete_user(UserName="self-signer")


# ---------------------------------------------------------------- SSH public keys

def openssh(key, comment="dev@laptop"):
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()
    return line, f"{line} {comment}"


def spki_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def md5_fingerprint(key):
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def test_ssh_public_key_lifecycle(iam):
    iam.create_user(UserName="git-user")
    key = rsa_key()
    bare, with_comment = openssh(key)
    uploaded = iam.upload_ssh_public_key(UserName="git-user",
                                         SSHPublicKeyBody=with_comment)["SSHPublicKey"]
    key_id = uploaded["SSHPublicKeyId"]
    assert re.fullmatch(r"APKA[A-Z2-7]{16}", key_id)
    assert uploaded["Fingerprint"] == md5_fingerprint(key)
    assert uploaded["Status"] == "Active" and uploaded["UserName"] == "git-user"

    ssh_form = iam.get_ssh_public_key(UserName="git-user", SSHPublicKeyId=key_id,
                                      Encoding="SSH")["SSHPublicKey"]
    assert ssh_form["SSHPublicKeyBody"] == bare
    pem_form = iam.get_ssh_public_key(UserName="git-user", SSHPublicKeyId=key_id,
                                      Encoding="PEM")["SSHPublicKey"]
    assert pem_form["SSHPublicKeyBody"] == spki_pem(key)
    assert pem_form["Fingerprint"] == uploaded["Fingerprint"]

    # The same key again, in PEM form, is a duplicate; a PEM upload of another key works.
    expect_error(iam.upload_ssh_public_key, "DuplicateSSHPublicKey", 400, UserName="git-user",
                 SSHPublicKeyBody=spki_pem(key))
    other = rsa_key()
    second = iam.upload_ssh_public_key(UserName="git-user",
                                       SSHPublicKeyBody=spki_pem(other))["SSHPublicKey"]
    assert second["SSHPublicKeyBody"] == openssh(other)[0]

    iam.update_ssh_public_key(UserName="git-user", SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName="git-user")["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [
        (key_id, "Inactive"), (second["SSHPublicKeyId"], "Active")]

    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must delete SSH public keys first.", UserName="git-user")
    for k in listed:
        iam.delete_ssh_public_key(UserName="git-user", SSHPublicKeyId=k["SSHPublicKeyId"])
    expect_error(iam.get_ssh_public_key, "NoSuchEntity", 404,
                 f"The Public Key with id {key_id} cannot be found.", UserName="git-user",
                 SSHPublicKeyId=key_id, Encoding="SSH")
    assert iam.list_ssh_public_keys(UserName="git-user")["SSHPublicKeys"] == []
    iam.delete_user(UserName="git-user")


def test_ssh_public_key_errors(iam):
    iam.create_user(UserName="git-errors")
    expect_error(iam.upload_ssh_public_key, "InvalidPublicKey", 400, UserName="git-errors",
                 SSHPublicKeyBody=openssh(rsa_key(1024))[1])
    ed = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    expect_error(iam.upload_ssh_public_key, "UnrecognizedPublicKeyEncoding", 400,
                 UserName="git-errors", SSHPublicKeyBody=ed)
    expect_error(iam.upload_ssh_public_key, "UnrecognizedPublicKeyEncoding", 400,
                 UserName="git-errors", SSHPublicKeyBody="not a key at all")
    expect_error(iam.upload_ssh_public_key, "InvalidPublicKey", 400, UserName="git-errors",
                 SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAA broken")
    expect_error(iam.upload_ssh_public_key, "NoSuchEntity", 404,
                 "The user with name nobody cannot be found.", UserName="nobody",
                 SSHPublicKeyBody=openssh(rsa_key())[1])
    ids = [iam.upload_ssh_public_key(UserName="git-errors", SSHPublicKeyBody=openssh(rsa_key())[1])
           ["SSHPublicKey"]["SSHPublicKeyId"] for _ in range(5)]
    expect_error(iam.upload_ssh_public_key, "LimitExceeded", 409,
                 "Cannot exceed quota for PublicKeysPerUser: 5", UserName="git-errors",
                 SSHPublicKeyBody=openssh(rsa_key())[1])
    keys, pages = walk(iam.list_ssh_public_keys, "SSHPublicKeys", UserName="git-errors")
    assert [k["SSHPublicKeyId"] for k in keys] == ids and pages == 5
    for key_id in ids:
        iam.delete_ssh_public_key(UserName="git-errors", SSHPublicKeyId=key_id)
    iam.delete_user(UserName="git-errors")


# ---------------------------------------------------------------- service-specific credentials

def test_service_specific_credentials(iam):
    iam.create_user(UserName="coder")
    created = iam.create_service_specific_credential(
        UserName="coder", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    cred_id = created["ServiceSpecificCredentialId"]
    assert re.fullmatch(r"ACCA[A-Z2-7]{17}", cred_id)
    assert created["ServiceUserName"] == f"coder-at-{ACCOUNT}"
    assert len(created["ServicePassword"]) == 44
    assert created["Status"] == "Active" and created["UserName"] == "coder"
    keyspaces = iam.create_service_specific_credential(
        UserName="coder", ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredential"]

    listed = iam.list_service_specific_credentials(UserName="coder")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [
        cred_id, keyspaces["ServiceSpecificCredentialId"]]
    assert all("ServicePassword" not in c for c in listed)
    only = iam.list_service_specific_credentials(
        UserName="coder", ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredentials"]
    assert [c["ServiceName"] for c in only] == ["cassandra.amazonaws.com"]

    reset = iam.reset_service_specific_credential(
        UserName="coder", ServiceSpecificCredentialId=cred_id)["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"]
    iam.update_service_specific_credential(UserName="coder", ServiceSpecificCredentialId=cred_id,
                                           Status="Inactive")
    statuses = {c["ServiceSpecificCredentialId"]: c["Status"] for c in
                iam.list_service_specific_credentials(UserName="coder")[
                    "ServiceSpecificCredentials"]}
    assert statuses[cred_id] == "Inactive"

    iam.create_service_specific_credential(UserName="coder",
                                           ServiceName="codecommit.amazonaws.com")
    expect_error(iam.create_service_specific_credential, "LimitExceeded", 409,
                 UserName="coder", ServiceName="codecommit.amazonaws.com")
    expect_error(iam.create_service_specific_credential, "NotSupportedService", 404,
                 UserName="coder", ServiceName="s3.amazonaws.com")
    expect_error(iam.delete_user, "DeleteConflict", 409, UserName="coder")
    for c in iam.list_service_specific_credentials(UserName="coder")["ServiceSpecificCredentials"]:
        iam.delete_service_specific_credential(
            UserName="coder", ServiceSpecificCredentialId=c["ServiceSpecificCredentialId"])
    expect_error(iam.reset_service_specific_credential, "NoSuchEntity", 404, UserName="coder",
                 ServiceSpecificCredentialId=cred_id)
    iam.delete_user(UserName="coder")


# ---------------------------------------------------------------- authorization

def test_certificates_and_providers_are_authorized_on_their_arns(iam, server):
    """A server certificate is authorized on its ARN with the path it was uploaded with; a
    provider on the ARN the request names."""
    key = ec_key()
    body = cert_pem(certificate(key, "cdn.example.com"))
    iam.upload_server_certificate(Path="/cloudfront/", ServerCertificateName="cdn",
                                  CertificateBody=body, PrivateKey=key_pem(key))
    iam.upload_server_certificate(Path="/elb/", ServerCertificateName="lb",
                                  CertificateBody=body, PrivateKey=key_pem(key))
    oidc = iam.create_open_id_connect_provider(Url="https://authz.example.com")[
        "OpenIDConnectProviderArn"]
    iam.create_user(UserName="cert-reader")
    iam.put_user_policy(UserName="cert-reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetServerCertificate",
                       "Resource": f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/*"},
                      {"Effect": "Allow", "Action": "iam:GetOpenIDConnectProvider",
                       "Resource": oidc}]}))
    key_pair = iam.create_access_key(UserName="cert-reader")["AccessKey"]
    reader = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=key_pair["AccessKeyId"],
                          aws_secret_access_key=key_pair["SecretAccessKey"], config=NO_RETRY)
    assert reader.get_server_certificate(ServerCertificateName="cdn")["ServerCertificate"][
        "CertificateBody"] == body
    message = expect_error(reader.get_server_certificate, "AccessDenied", 403,
                           ServerCertificateName="lb")
    assert f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/lb" in message
    assert reader.get_open_id_connect_provider(OpenIDConnectProviderArn=oidc)["Url"] == (
        "authz.example.com")
    expect_error(reader.list_open_id_connect_providers, "AccessDenied", 403)
    iam.delete_access_key(UserName="cert-reader", AccessKeyId=key_pair["AccessKeyId"])
    iam.delete_user_policy(UserName="cert-reader", PolicyName="read")
    iam.delete_user(UserName="cert-reader")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=oidc)
    for name in ("cdn", "lb"):
        iam.delete_server_certificate(ServerCertificateName=name)
