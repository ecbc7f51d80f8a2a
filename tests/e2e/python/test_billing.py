"""Consolidated billing end to end (issue 14): usage recorded through the extension API is charged
to the payer of the moment, Cost Explorer (Debian's boto3) shows each account what it pays for,
the payer history survives a move between organizations, and the billing gate keeps IAM
principals out while IAM access to billing is off. The AWS CLI v2 reads the same costs."""
import calendar
import datetime
import hashlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from cli_helpers import Keys, fails, ok
from orgpol_helpers import expect_error, iam_user, invite_and_join, new_org, raw_call, signup
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


def set_billing_access(account, enabled):
    """The root user's "IAM user and role access to Billing information" setting."""
    status, body = post(account.server, "/_orgtwin/console/root/iam-access-to-billing",
                        {"Enabled": enabled}, account.access_key, account.secret_key)
    assert status == 200, body


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

    # A signed-up account starts with IAM access to billing off: only root sees the costs.
    error = expect_error(costs, "AccessDeniedException", who=billing)
    assert "IAM user and role access to Billing" in error["Error"]["Message"]
    assert costs(mgmt)["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "0.2496"
    # An IAM principal cannot switch the gate, whatever its policies.
    admin_user = iam_user(mgmt, "admin")
    status, body = post(server, "/_orgtwin/console/root/iam-access-to-billing", {"Enabled": True},
                        admin_user.access_key, admin_user.secret_key)
    assert (status, error_code(body)) == (403, "AccessDeniedException"), body
    # Root activates it: then the policies decide.
    set_billing_access(mgmt, True)
    assert costs(billing)["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "0.2496"
    expect_error(costs, "AccessDeniedException", who=soc)
    # Root turns it off again: the billing user's policy no longer suffices.
    set_billing_access(mgmt, False)
    error = expect_error(costs, "AccessDeniedException", who=billing)
    assert "IAM user and role access to Billing" in error["Error"]["Message"]


def test_payment_methods_are_behind_the_gate(server):
    account = signup(server, "payments", payment_method=False)
    admin_user = iam_user(account, "payments-admin")

    def add_payment_method(who):
        return post(server, "/_orgtwin/accounts/payment-method", {}, who.access_key,
                    who.secret_key)

    status, body = add_payment_method(admin_user)
    assert (status, error_code(body)) == (403, "AccessDeniedException"), body
    set_billing_access(account, True)
    status, body = add_payment_method(admin_user)
    assert status == 200, body


def billing_api(account, operation, body):
    """A signed JSON 1.0 call of the billing API (newer than Debian's botocore)."""
    return raw_call(account.server, account.access_key, account.secret_key, operation, body,
                    service="billing", target_prefix="AWSBilling", json_version="1.0")


def test_every_account_has_its_primary_billing_view(server):
    account = signup(server, "views")
    other = signup(server, "views-other")
    arn = "arn:aws:billing::%s:billingview/primary" % account.id
    status, body = billing_api(account, "ListBillingViews", {})
    assert status == 200, body
    assert body["billingViews"] == [{
        "arn": arn, "name": "Primary View", "billingViewType": "PRIMARY",
        "ownerAccountId": account.id, "healthStatus": {"statusCode": "HEALTHY"}}]
    for filters in ({"billingViewTypes": ["CUSTOM"]}, {"ownerAccountId": other.id},
                    {"names": [{"searchOption": "STARTS_WITH", "searchValue": "Custom"}]}):
        status, body = billing_api(account, "ListBillingViews", filters)
        assert (status, body["billingViews"]) == (200, []), filters
    status, body = billing_api(account, "ListBillingViews",
                               {"billingViewTypes": ["PRIMARY"], "arns": [arn]})
    assert [v["arn"] for v in body["billingViews"]] == [arn]
    status, body = billing_api(account, "GetBillingView", {"arn": arn})
    assert status == 200, body
    view = body["billingView"]
    assert (view["billingViewType"], view["ownerAccountId"]) == ("PRIMARY", account.id)
    assert view["createdAt"] > 0 and "dataFilterExpression" not in view
    status, body = billing_api(
        account, "GetBillingView", {"arn": "arn:aws:billing::%s:billingview/primary" % other.id})
    assert (status, error_code(body)) == (NOT_FOUND_STATUS, "ResourceNotFoundException"), body
    status, body = billing_api(account, "GetBillingView", {"arn": "not-an-arn"})
    assert (status, error_code(body)) == (400, "ValidationException"), body
    # The gate applies: an IAM user of the account is refused until root activates it.
    reader = iam_user(account, "views-reader",
                      "arn:aws:iam::aws:policy/AWSBillingReadOnlyAccess")
    status, body = billing_api(reader, "ListBillingViews", {})
    assert (status, error_code(body)) == (ACCESS_DENIED_STATUS, "AccessDeniedException"), body
    set_billing_access(account, True)
    status, body = billing_api(reader, "ListBillingViews", {})
    assert status == 200 and len(body["billingViews"]) == 1, body


def month_start(epoch, months_ahead):
    """00:00 UTC on the 1st of the month `months_ahead` after the month of `epoch`."""
    when = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    month = when.month - 1 + months_ahead
    return calendar.timegm((when.year + month // 12, month % 12 + 1, 1, 0, 0, 0))


def test_a_billing_transfer_bills_the_inviting_payer_from_its_start(server):
    partner, _, _ = new_org(server)
    customer, _, _ = new_org(server)
    member = signup(server, "transferred")
    invite_and_join(customer, member)
    now = twin_now(server)
    start = month_start(now, 1) if month_start(now, 1) - now > 2 * DAY else month_start(now, 2)
    status, body = raw_call(server, partner.access_key, partner.secret_key,
                            "InviteOrganizationToTransferResponsibility",
                            {"Type": "BILLING", "Target": {"Type": "ACCOUNT", "Id": customer.id},
                             "StartTimestamp": start, "SourceName": "resale"})
    assert status == 200, body
    customer.orgs.accept_handshake(HandshakeId=body["Handshake"]["Id"])
    # Before the start the customer's management account still pays.
    before = record(server, usage(member, quantity=10))
    assert [c["PayerAccountId"] for c in before] == [customer.id]
    advance(server, start - now + DAY)
    after = record(server, usage(member, quantity=20), usage(customer, quantity=30),
                   usage(member, quantity=5, Time=now))  # late record from before the start
    assert [c["PayerAccountId"] for c in after] == [partner.id, partner.id, customer.id]
    later = twin_now(server)
    period = (day(now - DAY), day(later + DAY))
    assert costs_by_account(partner, *period) == {member.id: 0.208, customer.id: 0.312}
    # The customer keeps its own bills from before the start, and sees its own usage since.
    assert costs_by_account(customer, *period) == {member.id: 0.156, customer.id: 0.312}


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
    return raw_call(account.server, account.access_key, account.secret_key, operation, body,
                    service="invoicing", target_prefix="Invoicing", json_version="1.0")


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
    # Usage recorded with a time in the invoiced month backfills it (the twin's history).
    record(server, usage(member, quantity=1000, Time=issue - 5 * DAY))  # $10.40
    [amended] = invoices_of(mgmt)
    assert amended["BaseCurrencyAmount"]["TotalAmount"] == "11.54"
    invoice = amended
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


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def test_an_invoice_pdf_and_its_line_items_behind_an_expiring_url(server, tmp_path):
    mgmt, _, _ = new_org(server)
    member = signup(server, "pdf")
    invite_and_join(mgmt, member)
    record(server, usage(member, quantity=100), usage(mgmt, S3, "TimedStorage-ByteHrs", 10))
    now = datetime.datetime.fromtimestamp(twin_now(server), datetime.timezone.utc)
    issue = calendar.timegm((now.year + now.month // 12, now.month % 12 + 1, 2, 0, 0, 0))
    advance(server, issue - twin_now(server) + 3600)
    [invoice] = invoices_of(mgmt)
    status, out = invoicing(mgmt, "GetInvoicePDF", {"InvoiceId": invoice["InvoiceId"]})
    assert status == 200, out
    pdf = out["InvoicePDF"]
    assert pdf["InvoiceId"] == invoice["InvoiceId"]
    assert pdf["DocumentUrlExpirationDate"] > twin_now(server)
    status, content_type, body = fetch(pdf["DocumentUrl"])
    assert (status, content_type) == (200, "application/pdf")
    assert body.startswith(b"%PDF-1.4")
    (tmp_path / "invoice.pdf").write_bytes(body)
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", str(tmp_path / "invoice.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "Invoice " + invoice["InvoiceId"] in text
    assert "Total (USD): 1.27" in text  # $1.04 of EC2 and $0.23 of S3
    assert member.id in text and mgmt.id in text
    [supplement] = pdf["SupplementalDocuments"]
    status, content_type, body = fetch(supplement["DocumentUrl"])
    assert (status, content_type) == (200, "text/csv")
    rows = body.decode().splitlines()
    assert rows[0].startswith("InvoiceId,BillingPeriod,LinkedAccountId,UsageDate,Service")
    assert sorted(row.split(",")[2] for row in rows[1:]) == sorted([member.id, mgmt.id])
    # A changed URL is refused, and so is the right one once it has expired.
    status, _, body = fetch(pdf["DocumentUrl"].replace(".pdf?", ".csv?"))
    assert status == 403 and b"AccessDeniedException" in body
    status, out = invoicing(mgmt, "GetInvoicePDF", {"InvoiceId": "1000000000"})
    assert (status, error_code(out)) == (NOT_FOUND_STATUS, "ResourceNotFoundException"), out
    advance(server, 2 * 3600)
    status, _, body = fetch(pdf["DocumentUrl"])
    assert status == 403 and b"Request has expired" in body


def orgtwin(server, *args, keys=None):
    """Runs the orgtwin binary's billing commands against the server; keys: an Account whose
    credentials go in the environment (else the server's `orgtwin` profile is used)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": server.data_dir,
           "AWS_SHARED_CREDENTIALS_FILE": server.credentials_file,
           "AWS_CONFIG_FILE": server.config_file}
    if keys is not None:  # the credentials in the environment, and no profile files
        env.update({"AWS_ACCESS_KEY_ID": keys.access_key,
                    "AWS_SECRET_ACCESS_KEY": keys.secret_key,
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(server.data_dir, "none"),
                    "AWS_CONFIG_FILE": os.path.join(server.data_dir, "none")})
    return subprocess.run([server.binary, "billing"] + list(args) +
                          ["--endpoint", server.endpoint],
                          env=env, capture_output=True, text=True, timeout=120)


def total_cost(account, start, end):
    out = account.client("ce").get_cost_and_usage(
        TimePeriod={"Start": start, "End": end}, Granularity="MONTHLY",
        Metrics=["UnblendedCost"])
    return round(sum(float(r["Total"]["UnblendedCost"]["Amount"])
                     for r in out["ResultsByTime"]), 6)


def test_generate_makes_a_seeded_history_and_archive_keeps_every_invoice(server, tmp_path):
    mgmt, _, _ = new_org(server)
    member = signup(server, "history")
    invite_and_join(mgmt, member)
    today = datetime.datetime.now(datetime.timezone.utc)
    start = (today - datetime.timedelta(days=120)).strftime("%Y-%m-%d")
    end = day(twin_now(server) + DAY)
    done = orgtwin(server, "generate", "--account", mgmt.id, "--months", "3", "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert "recorded 630 usage records" in done.stdout
    first = total_cost(mgmt, start, end)
    assert first > 0
    # The same seed records the same history again: exactly twice the cost.
    assert orgtwin(server, "generate", "--account", mgmt.id, "--months", "3", "--seed",
                   "7").returncode == 0
    assert total_cost(mgmt, start, end) == round(2 * first, 6)
    # The member's history is from before it joined: it paid that itself.
    assert orgtwin(server, "generate", "--account", member.id, "--months", "3").returncode == 0
    assert total_cost(mgmt, start, end) == round(2 * first, 6)
    # ... and still sees it, with the invoices it received then.
    assert total_cost(member, start, end) > 0
    assert len(invoices_of(member)) >= 2

    invoices = invoices_of(mgmt)
    assert len(invoices) >= 2
    billing = iam_user(mgmt, "archivist", "arn:aws:iam::aws:policy/job-function/Billing")
    folder = tmp_path / "archive"
    # The account was signed up: its IAM users see no invoice until root activates access.
    done = orgtwin(server, "archive", "--account", mgmt.id, "--to", str(folder), keys=billing)
    assert done.returncode == 1
    assert "root user must activate IAM user and role access to Billing" in done.stderr
    set_billing_access(mgmt, True)
    done = orgtwin(server, "archive", "--account", mgmt.id, "--to", str(folder), keys=billing)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["AccountId"] == mgmt.id
    assert sorted(e["InvoiceId"] for e in manifest["Invoices"]) == \
        sorted(i["InvoiceId"] for i in invoices)
    for entry in manifest["Invoices"]:
        assert entry["CurrencyCode"] == "USD" and float(entry["TotalAmount"]) > 0
        for f in entry["Files"]:
            data = (folder / f["Name"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["Sha256"]
        assert (folder / (entry["InvoiceId"] + ".pdf")).read_bytes().startswith(b"%PDF")
    # Interrupted: one file gone, one damaged; the rerun fetches those two invoices again only.
    victims = manifest["Invoices"][:2]
    os.remove(folder / (victims[0]["InvoiceId"] + ".pdf"))
    (folder / (victims[1]["InvoiceId"] + ".csv")).write_text("damaged")
    done = orgtwin(server, "archive", "--account", mgmt.id, "--to", str(folder), keys=billing)
    assert done.returncode == 0, done.stderr
    assert "(%d already there)" % (len(invoices) - 2) in done.stdout
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    # A principal without the invoicing actions is told what it lacks.
    soc = iam_user(mgmt, "soc-archive", "arn:aws:iam::aws:policy/CloudWatchFullAccess")
    done = orgtwin(server, "archive", "--account", mgmt.id, "--to", str(tmp_path / "soc"),
                   keys=soc)
    assert done.returncode == 1
    assert "AccessDeniedException" in done.stderr
    assert "invoicing:ListInvoiceSummaries" in done.stderr
