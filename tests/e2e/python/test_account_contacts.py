"""Account Management API contacts and the payment-method extension (Debian boto3).

The seed's termination path: an account created by Organizations has no contact information and
no payment method, so it cannot leave its organization. Its contact information is set through
the Account API (from the management account, with trusted access for account.amazonaws.com),
its payment method through POST /_orgtwin/accounts/payment-method (signed by the
OrganizationAccountAccessRole session, as the console would be used), and after the waiting
period it can LeaveOrganization."""
import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from orgpol_helpers import expect_error, iam_user, new_org, signup
from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})

CONTACT = {"FullName": "Jane Doe", "AddressLine1": "1 Main Street", "City": "Seattle",
           "StateOrRegion": "WA", "PostalCode": "98101", "CountryCode": "US",
           "PhoneNumber": "+1 206-555-0100", "CompanyName": "Example Corp"}


@pytest.fixture(scope="module")
def adjustable():
    srv = OrgtwinServer("--clock", "adjustable").start()
    yield srv
    srv.cleanup()


def signed_post(server, path, body, key, secret, token=None):
    url = server.endpoint + path
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url, data=data)
    SigV4Auth(Credentials(key, secret, token), "orgtwin", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=data, method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def session_client(server, creds, service):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"], config=NO_RETRY)


def member_session(server, mgmt, account_id):
    # AWS refuses AssumeRole to root users: the management account's administrator user assumes
    # the role (its trust policy names the management account).
    if not hasattr(mgmt, "admin"):
        mgmt.admin = iam_user(mgmt, "payer-admin")
    return mgmt.admin.client("sts").assume_role(
        RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account_id,
        RoleSessionName="admin")["Credentials"]


def test_own_contact_information_and_alternate_contacts(server):
    acct = signup(server, "contacts")
    account = acct.client("account")
    expect_error(account.get_contact_information, "ResourceNotFoundException", status=404)
    account.put_contact_information(ContactInformation=CONTACT)
    assert account.get_contact_information()["ContactInformation"] == CONTACT
    # Replacing drops the optional fields not given again.
    smaller = {k: v for k, v in CONTACT.items() if k not in ("StateOrRegion", "CompanyName")}
    account.put_contact_information(ContactInformation=smaller)
    assert account.get_contact_information()["ContactInformation"] == smaller
    expect_error(account.put_contact_information, "ValidationException",
                 ContactInformation=dict(CONTACT, CountryCode="USA"))

    for kind in ("BILLING", "OPERATIONS", "SECURITY"):
        expect_error(account.get_alternate_contact, "ResourceNotFoundException", status=404,
                     AlternateContactType=kind)
    account.put_alternate_contact(AlternateContactType="SECURITY", Name="Sec Team",
                                  Title="CISO", EmailAddress="sec@example.com",
                                  PhoneNumber="+1 206 555 0101")
    got = account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
    assert got == {"AlternateContactType": "SECURITY", "Name": "Sec Team", "Title": "CISO",
                   "EmailAddress": "sec@example.com", "PhoneNumber": "+1 206 555 0101"}
    expect_error(account.get_alternate_contact, "ResourceNotFoundException", status=404,
                 AlternateContactType="BILLING")
    account.delete_alternate_contact(AlternateContactType="SECURITY")
    expect_error(account.delete_alternate_contact, "ResourceNotFoundException", status=404,
                 AlternateContactType="SECURITY")
    # Another account's contacts are out of reach without an organization.
    other = signup(server, "contacts")
    expect_error(other.client("account").get_contact_information, "AccessDeniedException",
                 status=403, AccountId=acct.id)


def test_created_account_gets_contacts_and_payment_then_leaves(adjustable):
    mgmt, _, _ = new_org(adjustable)
    orgs = mgmt.orgs
    status = orgs.create_account(Email="created-%s@example.com" % mgmt.id,
                                 AccountName="created")["CreateAccountStatus"]
    done = orgs.describe_create_account_status(
        CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    member_id = done["AccountId"]
    account = mgmt.client("account")

    # Without trusted access the management account cannot reach the member's contacts.
    expect_error(account.put_contact_information, "AccessDeniedException", status=403,
                 AccountId=member_id, ContactInformation=CONTACT)
    # The management account must use the standalone form for itself.
    expect_error(account.get_contact_information, "ValidationException", AccountId=mgmt.id)
    orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    account.put_contact_information(AccountId=member_id, ContactInformation=CONTACT)
    assert account.get_contact_information(
        AccountId=member_id)["ContactInformation"] == CONTACT
    account.put_alternate_contact(AccountId=member_id, AlternateContactType="BILLING",
                                  Name="Billing", Title="AP", EmailAddress="ap@example.com",
                                  PhoneNumber="+1 206 555 0102")
    creds = member_session(adjustable, mgmt, member_id)
    member_account = session_client(adjustable, creds, "account")
    assert member_account.get_alternate_contact(
        AlternateContactType="BILLING")["AlternateContact"]["Name"] == "Billing"

    # Still no payment method.
    member_orgs = session_client(adjustable, creds, "organizations")
    expect_error(member_orgs.leave_organization, "ConstraintViolationException",
                 "WAIT_PERIOD_ACTIVE")
    status_code, body = signed_post(adjustable, "/_orgtwin/accounts/payment-method", {},
                                    creds["AccessKeyId"], creds["SecretAccessKey"],
                                    creds["SessionToken"])
    assert status_code == 200, body
    assert body == {"AccountId": member_id, "HasPaymentMethod": True}
    # An unsigned call is refused.
    request = urllib.request.Request(adjustable.endpoint + "/_orgtwin/accounts/payment-method",
                                     data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 403

    # After the waiting period (4 days by default) the account leaves.
    code, moved = signed_post(adjustable, "/_orgtwin/clock/advance", {"Seconds": 5 * 86400},
                              adjustable.access_key, adjustable.secret_key)
    assert code == 200, moved
    creds = member_session(adjustable, mgmt, member_id)
    session_client(adjustable, creds, "organizations").leave_organization()
    ids = [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    assert member_id not in ids


def test_payment_method_needs_billing_permission(server):
    mgmt, _, _ = new_org(server)
    status = mgmt.orgs.create_account(Email="nobilling-%s@example.com" % mgmt.id,
                                      AccountName="nobilling",
                                      IamUserAccessToBilling="DENY")["CreateAccountStatus"]
    member_id = mgmt.orgs.describe_create_account_status(
        CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
    creds = member_session(server, mgmt, member_id)
    code, body = signed_post(server, "/_orgtwin/accounts/payment-method", {},
                             creds["AccessKeyId"], creds["SecretAccessKey"],
                             creds["SessionToken"])
    assert code == 403 and body["__type"] == "AccessDeniedException", body
    # A standalone account's root may always add one; an IAM user without permission may not.
    acct = signup(server, "payer", payment_method=False)
    iam = acct.client("iam")
    iam.create_user(UserName="clerk")
    key = iam.create_access_key(UserName="clerk")["AccessKey"]
    code, body = signed_post(server, "/_orgtwin/accounts/payment-method", {},
                             key["AccessKeyId"], key["SecretAccessKey"])
    assert code == 403 and "payments:CreatePaymentInstrument" in body["message"], body
    code, body = signed_post(server, "/_orgtwin/accounts/payment-method", {}, acct.access_key,
                             acct.secret_key)
    assert code == 200 and body["AccountId"] == acct.id, body
