"""Consolidated billing end to end (issue 14): usage recorded through the extension API is charged
to the payer of the moment, Cost Explorer (Debian's boto3) shows each account what it pays for,
the payer history survives a move between organizations, and the billing gate keeps IAM
principals out while IAM access to billing is off. The AWS CLI v2 reads the same costs."""
import calendar
import datetime
import json
import time
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cli_helpers import Keys, fails, ok
from orgpol_helpers import expect_error, iam_user, invite_and_join, new_org, signup
from orgtwin_server import OrgtwinServer
from root_helpers import admin, error_code, post

DAY = 86400
# The invoicing model gives its errors no HTTP status: awsJson1_0's default, 400.
ACCESS_DENIED_STATUS = NOT_FOUND_STATUS = 400
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"


@pytest.fixture(scope="module")
def server():
    srv = OrgtwinServer("--clock", "adjustable").start()
    yield srv
    srv.cleanup()


def advance(server, seconds):
    status, body = admin(server, "/_orgtwin/clock/advance", {"Seconds": seconds})
    assert status == 200, body


def twin_now(server):
    """The twin's clock (epoch seconds), as the clock API answers a move of a millisecond."""
    status, body = admin(server, "/_orgtwin/clock/advance", {"Seconds": 0.001})
    assert status == 200, body
    return datetime.datetime.strptime(body["Now"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def record(server, *records):
    status, body = admin(server, "/_orgtwin/billing/usage", {"Records": list(records)})
    assert status == 200, body
    return body["Charges"]


def usage(account, service=EC2, usage_type="BoxUsage:t3.micro", quantity=24.0, **extra):
    entry = {"AccountId": account.id, "Service": service, "UsageType": usage_type,
             "UsageQuantity": quantity}
    entry.update(extra)
    return entry


def day(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")


def costs_by_account(account, start, end, granularity="MONTHLY"):
    """{linked account ID: total UnblendedCost} over [start, end), from Cost Explorer."""
    out = account.client("ce").get_cost_and_usage(
        TimePeriod={"Start": start, "End": end}, Granularity=granularity,
        Metrics=["UnblendedCost"], GroupBy=[{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}])
    totals = {}
    for result in out["ResultsByTime"]:
        for group in result["Groups"]:
            amount = float(group["Metrics"]["UnblendedCost"]["Amount"])
            totals[group["Keys"][0]] = round(totals.get(group["Keys"][0], 0) + amount, 6)
    return totals


def test_usage_is_priced_and_charged_to_the_payer_of_its_moment(server):
    mgmt, _, _ = new_org(server)
    member = signup(server, "member")
    invite_and_join(mgmt, member)
    loner = signup(server, "loner")
    charges = record(server, usage(member), usage(loner, S3, "TimedStorage-ByteHrs", 100.0),
                     usage(member, "AWS Support", "Business", 1, Cost="100.00"))
    assert [c["PayerAccountId"] for c in charges] == [mgmt.id, loner.id, mgmt.id]
    # 24 hours of t3.micro at $0.0104, 100 GB-months of S3 at $0.023, and a cost given outright.
    assert [c["Cost"] for c in charges] == ["0.2496", "2.3", "100"]


def test_the_payer_sees_its_linked_accounts_a_member_only_itself(server):
    mgmt, _, _ = new_org(server)
    a, b = signup(server, "a"), signup(server, "b")
    invite_and_join(mgmt, a)
    invite_and_join(mgmt, b)
    record(server, usage(a, quantity=10), usage(b, quantity=20), usage(mgmt, quantity=1))
    now = twin_now(server)
    start, end = day(now - 40 * DAY), day(now + DAY)
    assert costs_by_account(mgmt, start, end) == {a.id: 0.104, b.id: 0.208, mgmt.id: 0.0104}
    assert costs_by_account(a, start, end) == {a.id: 0.104}
    assert costs_by_account(b, start, end) == {b.id: 0.208}


def test_after_a_move_the_history_stays_with_the_old_payer(server):
    customer_mgmt, _, _ = new_org(server)
    partner_mgmt, _, _ = new_org(server)
    moved = signup(server, "moved")
    invite_and_join(customer_mgmt, moved)
    record(server, usage(moved, quantity=100))  # $1.04 while in the customer's organization
    before_move = twin_now(server)
    advance(server, 2 * DAY)
    customer_mgmt.orgs.remove_account_from_organization(AccountId=moved.id)
    invite_and_join(partner_mgmt, moved)
    advance(server, DAY)
    charges = record(server, usage(moved, quantity=200),  # $2.08 in the partner's organization
                     usage(moved, quantity=50, Time=before_move))  # late record of old usage
    assert [c["PayerAccountId"] for c in charges] == [partner_mgmt.id, customer_mgmt.id]
    now = twin_now(server)
    start, end = day(now - 60 * DAY), day(now + DAY)
    assert costs_by_account(customer_mgmt, start, end) == {moved.id: 1.56}
    assert costs_by_account(partner_mgmt, start, end) == {moved.id: 2.08}
    # The moved account sees its usage since it joined the partner's organization, and no more.
    assert costs_by_account(moved, start, end) == {moved.id: 2.08}


def test_daily_results_cover_the_period_and_filter_by_service(server):
    mgmt, _, _ = new_org(server)
    record(server, usage(mgmt, quantity=10), usage(mgmt, S3, "Requests-Tier1", 1000000))
    now = twin_now(server)
    ce = mgmt.client("ce")
    out = ce.get_cost_and_usage(
        TimePeriod={"Start": day(now - 2 * DAY), "End": day(now + DAY)}, Granularity="DAILY",
        Metrics=["UnblendedCost", "UsageQuantity"],
        Filter={"Dimensions": {"Key": "SERVICE", "Values": [S3]}})
    periods = [(r["TimePeriod"]["Start"], r["TimePeriod"]["End"]) for r in out["ResultsByTime"]]
    assert periods == [(day(now - 2 * DAY), day(now - DAY)), (day(now - DAY), day(now)),
                       (day(now), day(now + DAY))]
    today = out["ResultsByTime"][-1]
    assert today["Total"]["UnblendedCost"] == {"Amount": "5", "Unit": "USD"}
    assert today["Total"]["UsageQuantity"] == {"Amount": "1000000", "Unit": "Requests"}
    assert today["Estimated"] is True
    assert out["ResultsByTime"][0]["Total"]["UnblendedCost"] == {"Amount": "0", "Unit": "USD"}
    services = ce.get_dimension_values(
        TimePeriod={"Start": day(now - DAY), "End": day(now + DAY)}, Dimension="SERVICE")
    assert [v["Value"] for v in services["DimensionValues"]] == [EC2, S3]
    assert services["TotalSize"] == 2 and services["ReturnSize"] == 2
    accounts = ce.get_dimension_values(
        TimePeriod={"Start": day(now - DAY), "End": day(now + DAY)}, Dimension="LINKED_ACCOUNT")
    assert accounts["DimensionValues"][0]["Value"] == mgmt.id
    assert accounts["DimensionValues"][0]["Attributes"]["description"].startswith("mgmt")


def test_the_billing_gate_and_the_policies_decide_who_sees_costs(server):
    mgmt, _, _ = new_org(server)
    record(server, usage(mgmt))
    now = twin_now(server)
    period = {"Start": day(now - DAY), "End": day(now + DAY)}
    billing = iam_user(mgmt, "billing",
                       "arn:aws:iam::aws:policy/job-function/Billing")
    soc = iam_user(mgmt, "soc", "arn:aws:iam::aws:policy/CloudWatchFullAccess")

    def costs(who):
        return who.client("ce").get_cost_and_usage(TimePeriod=period, Granularity="MONTHLY",
                                                   Metrics=["UnblendedCost"])

    assert costs(billing)["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "0.2496"
    expect_error(costs, "AccessDeniedException", who=soc)
    # Root turns IAM access to billing off: the billing role's policy no longer suffices.
    status, body = post(server, "/_orgtwin/console/root/iam-access-to-billing",
                        {"Enabled": False}, mgmt.access_key, mgmt.secret_key)
    assert status == 200, body
    error = expect_error(costs, "AccessDeniedException", who=billing)
    assert "IAM user and role access to Billing" in error["Error"]["Message"]
    assert costs(mgmt)["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "0.2496"


@pytest.mark.parametrize("period, message", [
    ({"Start": "2026-13-01", "End": "2026-12-31"}, "Start date"),
    ({"Start": "2026-02-30", "End": "2026-03-31"}, "Start date"),
    ({"Start": "2026-01-01", "End": "20260201"}, "'timePeriod.end' failed to satisfy"),
    ({"Start": "2026-02-01", "End": "2026-02-01"}, "before end date"),
])
def test_malformed_periods_get_a_validation_error(server, period, message):
    mgmt = signup(server, "dates")
    error = expect_error(mgmt.client("ce").get_cost_and_usage, "ValidationException",
                         TimePeriod=period, Granularity="DAILY", Metrics=["UnblendedCost"])
    assert message in error["Error"]["Message"]


def test_unknown_metrics_and_hourly_granularity_are_refused(server):
    mgmt = signup(server, "metrics")
    ce = mgmt.client("ce")
    period = {"Start": "2026-01-01", "End": "2026-02-01"}
    expect_error(ce.get_cost_and_usage, "ValidationException", TimePeriod=period,
                 Granularity="MONTHLY", Metrics=["Dollars"])
    expect_error(ce.get_cost_and_usage, "ValidationException", TimePeriod=period,
                 Granularity="HOURLY", Metrics=["UnblendedCost"])
    expect_error(ce.get_cost_and_usage, "ValidationException", TimePeriod=period,
                 Granularity="MONTHLY", Metrics=["UnblendedCost"],
                 GroupBy=[{"Type": "DIMENSION", "Key": k}
                          for k in ("SERVICE", "REGION", "USAGE_TYPE")])


def test_recording_usage_is_for_the_twin_administrator_and_checks_its_records(server):
    account = signup(server, "recorder")
    status, body = post(server, "/_orgtwin/billing/usage", {"Records": [usage(account)]},
                        account.access_key, account.secret_key)
    assert (status, error_code(body)) == (403, "AccessDeniedException")
    cases = [
        ({"Records": [dict(usage(account), AccountId="999999999999")]}, 404,
         "ResourceNotFoundException"),
        ({"Records": [usage(account, "Amazon Bedrock", "Tokens")]}, 400, "ValidationException"),
        ({"Records": [usage(account, Time=time.time() + 400 * DAY)]}, 400,
         "ValidationException"),
        ({"Records": [usage(account, Cost="1.2345678")]}, 400, "ValidationException"),
        ({"Records": [usage(account, quantity=-1)]}, 400, "ValidationException"),
        ({"Records": []}, 400, "ValidationException"),
    ]
    for request, want_status, want_code in cases:
        status, body = admin(server, "/_orgtwin/billing/usage", request)
        assert (status, error_code(body)) == (want_status, want_code), (request, body)
    # A refused batch records nothing, not even its valid records.
    status, _ = admin(server, "/_orgtwin/billing/usage",
                      {"Records": [usage(account), dict(usage(account), AccountId="1")]})
    assert status in (400, 404)
    now = twin_now(server)
    assert costs_by_account(account, day(now - DAY), day(now + DAY)) == {}


def test_the_aws_cli_reads_costs_by_service(server):
    mgmt, _, _ = new_org(server)
    record(server, usage(mgmt, quantity=100), usage(mgmt, "AWS Lambda", "Request", 5000000))
    now = twin_now(server)
    keys = Keys(mgmt.access_key, mgmt.secret_key)
    out = ok(server, "ce", "get-cost-and-usage", "--time-period",
             "Start=%s,End=%s" % (day(now), day(now + DAY)), "--granularity", "DAILY",
             "--metrics", "UnblendedCost", "--group-by", "Type=DIMENSION,Key=SERVICE", keys=keys)
    groups = {g["Keys"][0]: g["Metrics"]["UnblendedCost"]["Amount"]
              for g in out["ResultsByTime"][0]["Groups"]}
    assert groups == {EC2: "1.04", "AWS Lambda": "1"}
    fails(server, "ValidationException", "ce", "get-cost-and-usage", "--time-period",
          "Start=%s,End=%s" % (day(now), day(now)), "--granularity", "DAILY", "--metrics",
          "UnblendedCost", keys=keys)


def invoicing(account, operation, body):
    """A signed JSON 1.0 call of the invoicing API (newer than Debian's botocore)."""
    url = account.server.endpoint + "/"
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "Invoicing." + operation}
    request = AWSRequest(method="POST", url=url, data=data, headers=headers)
    SigV4Auth(Credentials(account.access_key, account.secret_key), "invoicing",
              "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=data, method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def invoices_of(account, **extra):
    body = {"Selector": {"ResourceType": "ACCOUNT_ID", "Value": account.id}}
    body.update(extra)
    status, out = invoicing(account, "ListInvoiceSummaries", body)
    assert status == 200, out
    return out["InvoiceSummaries"]


def test_a_month_is_invoiced_to_its_payer_on_the_2nd_of_the_next(server):
    mgmt, _, _ = new_org(server)
    member = signup(server, "invoiced")
    invite_and_join(mgmt, member)
    record(server, usage(mgmt, quantity=10), usage(member, quantity=100))  # $0.104 + $1.04
    now = datetime.datetime.fromtimestamp(twin_now(server), datetime.timezone.utc)
    assert invoices_of(mgmt) == []  # the month is not over
    issue = calendar.timegm((now.year + now.month // 12, now.month % 12 + 1, 2, 0, 0, 0))
    advance(server, issue - twin_now(server) + 3600)
    [invoice] = invoices_of(mgmt)
    assert invoice["AccountId"] == mgmt.id
    assert invoice["BillingPeriod"] == {"Month": now.month, "Year": now.year}
    assert invoice["IssuedDate"] == issue
    assert invoice["InvoiceType"] == "INVOICE"
    assert invoice["BaseCurrencyAmount"]["TotalAmount"] == "1.14"
    assert invoice["BaseCurrencyAmount"]["CurrencyCode"] == "USD"
    assert sorted(invoice["BillSourceAccounts"]) == sorted([mgmt.id, member.id])
    # Usage of the invoiced month reported late goes on a later invoice; this one stays.
    record(server, usage(member, quantity=1000, Time=issue - 5 * DAY))
    assert invoices_of(mgmt) == [invoice]
    # By invoice ID; the member account receives no invoice and may not read its payer's.
    status, out = invoicing(mgmt, "ListInvoiceSummaries",
                            {"Selector": {"ResourceType": "INVOICE_ID",
                                          "Value": invoice["InvoiceId"]}})
    assert (status, out["InvoiceSummaries"]) == (200, [invoice])
    status, out = invoicing(mgmt, "ListInvoiceSummaries",
                            {"Selector": {"ResourceType": "INVOICE_ID", "Value": "1234567890"}})
    assert (status, error_code(out)) == (NOT_FOUND_STATUS, "ResourceNotFoundException"), out
    assert invoices_of(member) == []
    status, out = invoicing(member, "ListInvoiceSummaries",
                            {"Selector": {"ResourceType": "ACCOUNT_ID", "Value": mgmt.id}})
    assert (status, error_code(out)) == (ACCESS_DENIED_STATUS, "AccessDeniedException"), out
    # Filters: the billing period, an issue-time interval.
    assert invoices_of(mgmt, Filter={"BillingPeriod": {"Month": now.month,
                                                       "Year": now.year - 1}}) == []
    assert invoices_of(mgmt, Filter={"TimeInterval": {"StartDate": issue - 60,
                                                      "EndDate": issue + 60}}) == [invoice]
    status, out = invoicing(mgmt, "ListInvoiceSummaries",
                            {"Selector": {"ResourceType": "ACCOUNT_ID", "Value": mgmt.id},
                             "Filter": {"TimeInterval": {"StartDate": issue,
                                                         "EndDate": issue - 60}}})
    assert (status, error_code(out)) == (400, "ValidationException"), out
