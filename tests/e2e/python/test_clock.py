"""`orgtwin serve --clock adjustable` and POST /_orgtwin/clock/advance: expiry rules end to end.

The twin's clock jumps ahead while SigV4's 15-minute window keeps using real time (clients sign
with the machine's clock), so signed requests keep working after the jump."""
import json
import urllib.error
import urllib.request

import boto3
import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from orgpol_helpers import expect_error, new_org, signup
from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def adjustable():
    srv = OrgtwinServer("--clock", "adjustable").start()
    yield srv
    srv.cleanup()


@pytest.fixture(scope="module")
def membership_wait():
    srv = OrgtwinServer("--clock", "adjustable", "--membership-change-wait-seconds", "3600").start()
    yield srv
    srv.cleanup()


def advance(server, seconds, key=None, secret=None):
    url = server.endpoint + "/_orgtwin/clock/advance"
    body = json.dumps({"Seconds": seconds}).encode()
    request = AWSRequest(method="POST", url=url, data=body)
    SigV4Auth(Credentials(key or server.access_key, secret or server.secret_key), "orgtwin",
              "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=body, method="POST",
                                      headers=dict(request.headers.items()))
    with urllib.request.urlopen(prepared, timeout=10) as response:
        return json.loads(response.read())


def sts(server, **creds):
    return boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=creds.get("key", server.access_key),
                        aws_secret_access_key=creds.get("secret", server.secret_key),
                        aws_session_token=creds.get("token"), config=NO_RETRY)


def test_clock_is_fixed_unless_adjustable(server):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        advance(server, 60)
    assert excinfo.value.code == 409


def test_only_the_default_root_moves_the_clock(adjustable):
    other = signup(adjustable, "clockless")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        advance(adjustable, 60, other.access_key, other.secret_key)
    assert excinfo.value.code == 403


def test_temporary_credentials_expire_on_the_twin_clock(adjustable):
    user = signup(adjustable, "sessions")
    creds = sts(adjustable, key=user.access_key, secret=user.secret_key).get_session_token(
        DurationSeconds=900)["Credentials"]
    session = sts(adjustable, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                  token=creds["SessionToken"])
    assert session.get_caller_identity()["Account"] == user.id
    advance(adjustable, 901)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        session.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "ExpiredToken"
    # Long-term keys still sign with real time and keep working after the jump.
    assert sts(adjustable).get_caller_identity()["Account"] == "123456789012"


def test_invitation_expires_after_15_days(adjustable):
    mgmt, _, _ = new_org(adjustable)
    member = signup(adjustable, "late")
    handshake = mgmt.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": member.id})["Handshake"]
    advance(adjustable, 14 * 86400)
    assert member.orgs.describe_handshake(
        HandshakeId=handshake["Id"])["Handshake"]["State"] == "OPEN"
    advance(adjustable, 86400 + 60)
    assert member.orgs.describe_handshake(
        HandshakeId=handshake["Id"])["Handshake"]["State"] == "EXPIRED"
    expect_error(member.orgs.accept_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=handshake["Id"])


def test_membership_change_wait_holds_back_the_next_accept(membership_wait):
    """With --membership-change-wait-seconds, an account that just left an organization cannot
    accept the next invitation until the wait is over (ORGANIZATION_MEMBERSHIP_CHANGE_RATE_
    LIMIT_EXCEEDED); the invitation stays OPEN and can be accepted afterwards."""
    customer, _, _ = new_org(membership_wait)
    partner, partner_org, _ = new_org(membership_wait)
    workload = signup(membership_wait, "mover")
    # Never in an organization: it joins at once.
    first = customer.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": workload.id})["Handshake"]
    workload.orgs.accept_handshake(HandshakeId=first["Id"])
    customer.orgs.remove_account_from_organization(AccountId=workload.id)

    second = partner.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": workload.id})["Handshake"]
    expect_error(workload.orgs.accept_handshake, "HandshakeConstraintViolationException",
                 "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED", HandshakeId=second["Id"])
    assert workload.orgs.describe_handshake(
        HandshakeId=second["Id"])["Handshake"]["State"] == "OPEN"
    advance(membership_wait, 3500)
    expect_error(workload.orgs.accept_handshake, "HandshakeConstraintViolationException",
                 "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED", HandshakeId=second["Id"])

    advance(membership_wait, 120)
    accepted = workload.orgs.accept_handshake(HandshakeId=second["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert workload.orgs.describe_organization()["Organization"]["Id"] == partner_org["Id"]
