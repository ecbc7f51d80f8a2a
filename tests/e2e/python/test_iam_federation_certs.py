"""IAM identity providers on the wire (Debian boto3 against a real `orgtwin serve`): OpenID
Connect and SAML providers (metadata with real X.509 signing certificates made here with
python3-cryptography) -- each operation's success path and AWS's errors, and GetAccountSummary's
Providers count."""
import base64
import datetime
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from iam_helpers import ACCOUNT, expect_error, iam_client


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
