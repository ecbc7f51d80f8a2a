"""Billing (responsibility) transfers end to end: a partner organization invites a customer
organization to let it manage and pay the customer's bill (AWS-FACTS 2.10).

Debian's botocore predates these operations, so they go out as signed JSON 1.1 calls (the wire
protocol every SDK speaks); the handshake calls they share with invitations use boto3."""
import calendar
import datetime
import json
import time
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from orgpol_helpers import expect_error, invite_and_join, new_org, signup
from orgtwin_server import OrgtwinServer

DAY = 86400


@pytest.fixture(scope="module")
def adjustable():
    srv = OrgtwinServer("--clock", "adjustable").start()
    yield srv
    srv.cleanup()


def advance(server, seconds):
    url = server.endpoint + "/_orgtwin/clock/advance"
    body = json.dumps({"Seconds": seconds}).encode()
    request = AWSRequest(method="POST", url=url, data=body)
    SigV4Auth(Credentials(server.access_key, server.secret_key), "orgtwin",
              "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=body, method="POST",
                                      headers=dict(request.headers.items()))
    with urllib.request.urlopen(prepared, timeout=10) as response:
        return json.loads(response.read())


def month_start(now, months_ahead):
    """00:00 UTC on the 1st of the month `months_ahead` after the month of `now` (epoch s)."""
    day = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    month = day.month - 1 + months_ahead
    return calendar.timegm((day.year + month // 12, month % 12 + 1, 1, 0, 0, 0))


def valid_start(now):
    """The first allowed start: next month's 1st, or the month after when that is within a day."""
    start = month_start(now, 1)
    return start if start - now > 2 * DAY else month_start(now, 2)


def invite(partner, customer, start, name="customer billing", **extra):
    body = {"Type": "BILLING", "Target": {"Type": "ACCOUNT", "Id": customer.id},
            "StartTimestamp": start, "SourceName": name}
    body.update(extra)
    return partner.raw("InviteOrganizationToTransferResponsibility", body)


def transfer_id(handshake):
    ids = [r["Value"] for r in handshake["Resources"] if r["Type"] == "RESPONSIBILITY_TRANSFER"]
    assert len(ids) == 1, handshake
    return ids[0]


def raw_error(result, code, reason=None):
    status, body = result
    assert status == 400, (status, body)
    assert body["__type"].split("#")[-1] == code, body
    if reason is not None:
        assert body.get("Reason") == reason, body


def test_invite_accept_rename_withdraw(server):
    partner, partner_org, _ = new_org(server)
    customer, customer_org, _ = new_org(server)
    now = time.time()
    start = valid_start(now)
    status, body = invite(partner, customer, start, Notes="resale contract 42",
                          Tags=[{"Key": "contract", "Value": "42"}])
    assert status == 200, body
    handshake = body["Handshake"]
    assert handshake["Action"] == "TRANSFER_RESPONSIBILITY"
    assert handshake["State"] == "OPEN"
    assert handshake["ExpirationTimestamp"] == pytest.approx(start - DAY)
    assert {"Id": customer.id, "Type": "ACCOUNT"} in handshake["Parties"]
    assert {"Type": "NOTES", "Value": "resale contract 42"} in handshake["Resources"]
    rt = transfer_id(handshake)
    assert rt.startswith("rt-") and len(rt) == 15

    # Each side sees the transfer under its own organization and direction.
    status, body = partner.raw("ListInboundResponsibilityTransfers", {"Type": "BILLING"})
    assert status == 200, body
    [inbound] = body["ResponsibilityTransfers"]
    assert inbound["Id"] == rt and inbound["Status"] == "REQUESTED"
    assert inbound["Arn"] == "arn:aws:organizations::%s:transfer/%s/billing/inbound/%s" % (
        partner.id, partner_org["Id"], rt)
    assert inbound["Target"] == {"ManagementAccountId": partner.id,
                                 "ManagementAccountEmail": partner.email}
    assert inbound["Source"] == {"ManagementAccountId": customer.id,
                                 "ManagementAccountEmail": customer.email}
    assert inbound["StartTimestamp"] == start
    assert inbound["ActiveHandshakeId"] == handshake["Id"]
    assert "EndTimestamp" not in inbound
    status, body = customer.raw("ListOutboundResponsibilityTransfers", {"Type": "BILLING"})
    [outbound] = body["ResponsibilityTransfers"]
    assert outbound["Arn"] == "arn:aws:organizations::%s:transfer/%s/billing/outbound/%s" % (
        customer.id, customer_org["Id"], rt)
    assert customer.raw("ListInboundResponsibilityTransfers",
                        {"Type": "BILLING"})[1]["ResponsibilityTransfers"] == []

    # The customer's management account finds and accepts the invitation like any handshake.
    listed = customer.orgs.list_handshakes_for_account()["Handshakes"]
    assert [h["Id"] for h in listed] == [handshake["Id"]]
    accepted = customer.orgs.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    status, body = customer.raw("DescribeResponsibilityTransfer", {"Id": rt})
    assert status == 200 and body["ResponsibilityTransfer"]["Status"] == "ACCEPTED", body

    tags = partner.orgs.list_tags_for_resource(ResourceId=rt)["Tags"]
    assert tags == [{"Key": "contract", "Value": "42"}]
    partner.orgs.tag_resource(ResourceId=rt, Tags=[{"Key": "tier", "Value": "gold"}])
    assert len(customer.orgs.list_tags_for_resource(ResourceId=rt)["Tags"]) == 2

    status, body = partner.raw("UpdateResponsibilityTransfer", {"Id": rt, "Name": "Acme billing"})
    assert status == 200 and body["ResponsibilityTransfer"]["Name"] == "Acme billing", body

    # Neither organization can be deleted while the transfer is in force.
    expect_error(customer.orgs.delete_organization, "ConstraintViolationException",
                 "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS")
    expect_error(partner.orgs.delete_organization, "ConstraintViolationException",
                 "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS")

    # Either side withdraws, to the last moment of this month or the next.
    for end, reason in ((month_start(now, 1) - 86400.5, "END_DATE_NOT_END_OF_MONTH"),
                        (month_start(now, 3) - 0.001, "END_DATE_TOO_LATE"),
                        (month_start(now, 0) - 0.001, "END_DATE_TOO_EARLY"),
                        (1e300, "INVALID_END_DATE")):
        raw_error(customer.raw("TerminateResponsibilityTransfer", {"Id": rt, "EndTimestamp": end}),
                  "InvalidInputException", reason)
    # By default the transfer runs to the end of the current month.
    status, body = customer.raw("TerminateResponsibilityTransfer", {"Id": rt})
    assert status == 200, body
    ended = body["ResponsibilityTransfer"]
    assert ended["Status"] == "WITHDRAWN"
    assert ended["EndTimestamp"] == pytest.approx(month_start(now, 1) - 0.001)
    raw_error(partner.raw("TerminateResponsibilityTransfer", {"Id": rt}),
              "ResponsibilityTransferAlreadyInStatusException")
    status, body = partner.raw("DescribeResponsibilityTransfer", {"Id": rt})
    assert body["ResponsibilityTransfer"]["Status"] == "WITHDRAWN"


def test_invitation_rules(server):
    partner, _, _ = new_org(server)
    customer, _, _ = new_org(server)
    now = time.time()
    start = valid_start(now)
    raw_error(invite(partner, partner, start), "HandshakeConstraintViolationException",
              "SOURCE_AND_TARGET_CANNOT_MATCH")
    standalone = signup(server, "standalone")
    raw_error(invite(partner, standalone, start), "InvalidInputException", "TARGET_NOT_SUPPORTED")
    member = signup(server, "member")
    invite_and_join(customer, member)
    raw_error(invite(partner, member, start), "InvalidInputException", "TARGET_NOT_SUPPORTED")
    raw_error(member.raw("InviteOrganizationToTransferResponsibility",
                         {"Type": "BILLING", "Target": {"Type": "ACCOUNT", "Id": partner.id},
                          "StartTimestamp": start, "SourceName": "x"}),
              "AccessDeniedException")
    raw_error(invite(partner, customer, start + 3600), "InvalidInputException",
              "START_DATE_NOT_BEGINNING_OF_DAY")
    raw_error(invite(partner, customer, start + 2 * DAY), "InvalidInputException",
              "START_DATE_NOT_BEGINNING_OF_MONTH")
    raw_error(invite(partner, customer, month_start(now, 0)), "InvalidInputException",
              "START_DATE_TOO_EARLY")
    raw_error(invite(partner, customer, month_start(now, 3)), "InvalidInputException",
              "START_DATE_TOO_LATE")
    for nonsense in (1e300, -86400):
        raw_error(invite(partner, customer, nonsense), "InvalidInputException",
                  "INVALID_START_DATE")
    raw_error(partner.raw("InviteOrganizationToTransferResponsibility",
                          {"Type": "SUPPORT", "Target": {"Type": "ACCOUNT", "Id": customer.id},
                           "StartTimestamp": start, "SourceName": "x"}),
              "InvalidInputException", "INVALID_ENUM")
    raw_error(partner.raw("ListInboundResponsibilityTransfers", {"Type": "SUPPORT"}),
              "InvalidInputException", "INVALID_ENUM")

    # By email, then the same invitation again.
    status, body = partner.raw("InviteOrganizationToTransferResponsibility",
                               {"Type": "BILLING", "Target": {"Type": "EMAIL",
                                                              "Id": customer.email},
                                "StartTimestamp": start, "SourceName": "by email"})
    assert status == 200, body
    raw_error(invite(partner, customer, start), "DuplicateHandshakeException")

    # Once the customer is billed by the partner, no second partner can take its bill, and the
    # partner, billed by nobody, still cannot be billed through a chain.
    customer.orgs.accept_handshake(HandshakeId=body["Handshake"]["Id"])
    other_partner, _, _ = new_org(server)
    raw_error(invite(other_partner, customer, start), "HandshakeConstraintViolationException",
              "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
    raw_error(invite(other_partner, partner, start), "ConstraintViolationException",
              "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION")

    # Outsiders see nothing of it.
    rt = transfer_id(body["Handshake"])
    raw_error(other_partner.raw("DescribeResponsibilityTransfer", {"Id": rt}),
              "ResponsibilityTransferNotFoundException")
    raw_error(partner.raw("ListInboundResponsibilityTransfers",
                          {"Type": "BILLING", "Id": "rt-000000000000"}),
              "ResponsibilityTransferNotFoundException")


def test_decline_cancel_and_pages(server):
    partner, _, _ = new_org(server)
    customers = [new_org(server)[0] for _ in range(3)]
    start = valid_start(time.time())
    handshakes = []
    for customer in customers:
        status, body = invite(partner, customer, start)
        assert status == 200, body
        handshakes.append(body["Handshake"])
    # A transfer still REQUESTED cannot be withdrawn: the invitation is canceled instead.
    raw_error(partner.raw("TerminateResponsibilityTransfer",
                          {"Id": transfer_id(handshakes[0])}),
              "InvalidResponsibilityTransferTransitionException")
    customers[0].orgs.decline_handshake(HandshakeId=handshakes[0]["Id"])
    partner.orgs.cancel_handshake(HandshakeId=handshakes[1]["Id"])

    seen, token = [], None
    while True:
        body = {"Type": "BILLING", "MaxResults": 1}
        if token:
            body["NextToken"] = token
        status, page = partner.raw("ListInboundResponsibilityTransfers", body)
        assert status == 200, page
        assert len(page["ResponsibilityTransfers"]) == 1
        seen.extend(page["ResponsibilityTransfers"])
        token = page.get("NextToken")
        if not token:
            break
    statuses = {t["Id"]: t["Status"] for t in seen}
    assert statuses == {transfer_id(handshakes[0]): "DECLINED",
                        transfer_id(handshakes[1]): "CANCELED",
                        transfer_id(handshakes[2]): "REQUESTED"}


def test_invitation_expires_a_day_before_the_start(adjustable):
    partner, _, _ = new_org(adjustable)
    customer, _, _ = new_org(adjustable)
    now = time.time()
    start = valid_start(now)
    status, body = invite(partner, customer, start)
    assert status == 200, body
    handshake = body["Handshake"]
    advance(adjustable, int(start - DAY - now) + 60)
    status, body = partner.raw("DescribeResponsibilityTransfer",
                               {"Id": transfer_id(handshake)})
    assert body["ResponsibilityTransfer"]["Status"] == "EXPIRED", body
    expect_error(customer.orgs.accept_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=handshake["Id"])
    # An expired invitation no longer blocks deleting the organization.
    customer.orgs.delete_organization()
