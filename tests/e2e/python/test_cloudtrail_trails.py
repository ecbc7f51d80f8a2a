"""CloudTrail trails (issue 13), end to end with Debian's boto3 against `orgtwin serve`: the
trail API and its errors, an organization trail that a member sees and cannot change, and
log-file delivery into DATA/<bucket>/ in CloudTrail's own format, fed by real console sign-ins
(ConsoleLogin events). One server for the module, with a short delivery interval."""
import glob
import gzip
import json
import os
import sys
import time

import boto3
import botocore
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from orgtwin_server import OrgtwinServer  # noqa: E402
from root_helpers import NO_RETRY, ROOT_PASSWORD, error_code, sign_in  # noqa: E402
from root_helpers import signup as root_signup  # noqa: E402
from orgpol_helpers import expect_error, invite_and_join, new_org, signup  # noqa: E402


@pytest.fixture(scope="module")
def server():
    # Deliveries every 100 ms, of events older than 200 ms.
    srv = OrgtwinServer("--trail-delivery-ms", "100").start()
    yield srv
    srv.cleanup()


def admin_client(server, region="us-east-1"):
    return boto3.client("cloudtrail", endpoint_url=server.endpoint, region_name=region,
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, config=NO_RETRY)


def regional(account, region):
    return boto3.client("cloudtrail", endpoint_url=account.server.endpoint, region_name=region,
                        aws_access_key_id=account.key, aws_secret_access_key=account.secret,
                        config=NO_RETRY)


def account_id_of(server):
    return boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key,
                        config=NO_RETRY).get_caller_identity()["Account"]


def test_trail_api_shapes_and_errors(server):
    ct = admin_client(server)
    account = account_id_of(server)
    created = ct.create_trail(Name="api-trail", S3BucketName="api-bucket", S3KeyPrefix="audit",
                              TagsList=[{"Key": "team", "Value": "soc"}])
    arn = "arn:aws:cloudtrail:us-east-1:%s:trail/api-trail" % account
    assert created["TrailARN"] == arn
    assert created["S3KeyPrefix"] == "audit" and created["IsOrganizationTrail"] is False
    trail = ct.get_trail(Name=arn)["Trail"]
    assert trail["HomeRegion"] == "us-east-1" and trail["HasCustomEventSelectors"] is False
    status = ct.get_trail_status(Name="api-trail")
    assert status["IsLogging"] is False and "StartLoggingTime" not in status

    ct.start_logging(Name="api-trail")
    status = ct.get_trail_status(Name="api-trail")
    assert status["IsLogging"] is True and "StartLoggingTime" in status
    ct.stop_logging(Name=arn)
    status = ct.get_trail_status(Name=arn)
    assert status["IsLogging"] is False and "StopLoggingTime" in status

    updated = ct.update_trail(Name="api-trail", IsMultiRegionTrail=True,
                              EnableLogFileValidation=True)
    assert updated["IsMultiRegionTrail"] is True and updated["LogFileValidationEnabled"] is True

    # A multi-Region trail is a shadow trail in the other Regions.
    eu = admin_client(server, "eu-west-1")
    shadows = eu.describe_trails()["trailList"]
    assert [(t["TrailARN"], t["HomeRegion"]) for t in shadows] == [(arn, "us-east-1")]
    assert eu.describe_trails(includeShadowTrails=False)["trailList"] == []
    assert eu.list_trails()["Trails"] == [{"TrailARN": arn, "Name": "api-trail",
                                           "HomeRegion": "us-east-1"}]
    expect_error(eu.delete_trail, "InvalidHomeRegionException", Name=arn)
    # A shadow trail's status and selectors are reached by ARN; by name AWS names the ARN the
    # trail would have in the caller's Region.
    err = expect_error(eu.get_event_selectors, "TrailNotFoundException", TrailName="api-trail")
    assert err["Error"]["Message"] == (
        "Unknown trail: arn:aws:cloudtrail:eu-west-1:%s:trail/api-trail for the user: %s"
        % (account, account))
    assert eu.get_trail_status(Name=arn)["IsLogging"] is False
    assert ct.describe_trails(trailNameList=["api-trail", "unknown-trail"])["trailList"][0][
        "TrailARN"] == arn
    # Another Region's single-Region trail is described by its ARN only.
    single_arn = ct.create_trail(Name="single-trail", S3BucketName="api-bucket")["TrailARN"]
    assert eu.describe_trails(trailNameList=["single-trail"])["trailList"] == []
    assert [t["Name"] for t in eu.describe_trails(trailNameList=[single_arn])["trailList"]] == [
        "single-trail"]
    assert eu.get_trail(Name=single_arn)["Trail"]["HomeRegion"] == "us-east-1"
    expect_error(eu.get_trail, "TrailNotFoundException", Name="single-trail")
    ct.delete_trail(Name=single_arn)

    selectors = ct.put_event_selectors(
        TrailName="api-trail", EventSelectors=[{"ReadWriteType": "ReadOnly",
                                                "IncludeManagementEvents": True}])
    assert selectors["TrailARN"] == arn
    assert ct.get_event_selectors(TrailName="api-trail")["EventSelectors"][0][
        "ReadWriteType"] == "ReadOnly"
    assert ct.get_trail(Name="api-trail")["Trail"]["HasCustomEventSelectors"] is True
    expect_error(ct.put_event_selectors, "InvalidEventSelectorsException", TrailName="api-trail",
                 EventSelectors=[{"ExcludeManagementEventSources": ["iam.amazonaws.com"]}])

    ct.add_tags(ResourceId=arn, TagsList=[{"Key": "env", "Value": "prod"}])
    ct.remove_tags(ResourceId=arn, TagsList=[{"Key": "team"}])
    tags = ct.list_tags(ResourceIdList=[arn])["ResourceTagList"]
    assert tags == [{"ResourceId": arn, "TagsList": [{"Key": "env", "Value": "prod"}]}]
    err = expect_error(eu.list_tags, "CloudTrailARNInvalidException", ResourceIdList=[arn])
    assert err["Error"]["Message"] == ("Region in ARN is wrong, you can only access resources "
                                       "in region eu-west-1.")

    err = expect_error(ct.create_trail, "TrailAlreadyExistsException", Name="api-trail",
                       S3BucketName="api-bucket")
    assert err["Error"]["Message"] == "Trail api-trail already exists for customer: " + account
    err = expect_error(ct.create_trail, "InvalidTrailNameException", Name="x",
                       S3BucketName="api-bucket")
    assert err["Error"]["Message"] == ("Trail name too short. Minimum allowed length: 3 "
                                       "characters. Specified name length: 1 characters.")
    expect_error(ct.create_trail, "InvalidS3BucketNameException", Name="other",
                 S3BucketName="Not_A_Bucket")
    err = expect_error(ct.get_trail, "TrailNotFoundException", Name="missing")
    assert err["Error"]["Message"] == "Unknown trail: missing for the user: " + account
    expect_error(ct.create_trail, "OrganizationsNotInUseException", Name="org-trail",
                 S3BucketName="api-bucket", IsOrganizationTrail=True)

    ct.delete_trail(Name="api-trail")
    expect_error(ct.get_trail_status, "TrailNotFoundException", Name=arn)


def files_under(root):
    return sorted(glob.glob(os.path.join(root, "**", "*.json.gz"), recursive=True))


def records_in(paths):
    out = []
    for path in paths:
        with gzip.open(path, "rt") as f:
            out.extend(json.load(f)["Records"])
    return out


def wait_for_record(root, predicate, timeout=10.0):
    """The delivered record that satisfies `predicate`, waiting for it up to `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in records_in(files_under(root)):
            if predicate(record):
                return record
        time.sleep(0.05)  # polling a folder for a condition, with a deadline
    raise AssertionError("no delivered record under %s matched in time" % root)


def latest_console_login(account):
    events = account.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
        MaxResults=1)["Events"]
    return events[0]["EventId"]


def test_organization_trail_delivery_and_member_restrictions(server):
    mgmt, org, _ = new_org(server)
    member = root_signup(server, "member")
    mgmt.key, mgmt.secret = mgmt.access_key, mgmt.secret_key
    invite_and_join(mgmt, type("Member", (), {"id": member.id,
                                              "orgs": member.client("organizations")})())
    mgmt_ct = regional(mgmt, "us-east-1")
    member_ct = member.client("cloudtrail")
    org_id = org["Id"]

    # Only the management account of an organization with all features makes organization
    # trails.
    billing_only, _, _ = new_org(server, "CONSOLIDATED_BILLING")
    billing_only.key, billing_only.secret = billing_only.access_key, billing_only.secret_key
    expect_error(regional(billing_only, "us-east-1").create_trail,
                 "OrganizationNotInAllFeaturesModeException", Name="org-trail",
                 S3BucketName="org-bucket", IsOrganizationTrail=True)
    err = expect_error(member_ct.create_trail, "NotOrganizationMasterAccountException",
                       Name="not-mine", S3BucketName="member-bucket", IsOrganizationTrail=True)
    assert err["Error"]["Message"] == (
        "You cannot configure or manage trails for an organization because this action "
        "requires being signed in with the management account.")
    # ... and with trusted access for CloudTrail.
    err = expect_error(mgmt_ct.create_trail, "CloudTrailAccessNotEnabledException",
                       Name="org-trail", S3BucketName="org-bucket", IsOrganizationTrail=True)
    assert err["Error"]["Message"] == (
        "The request could not be processed because your organization hasn\u2019t enabled "
        "CloudTrail service access. Enable service access for CloudTrail, and then try again. "
        "You are signed in with the following AWS account ID: " + mgmt.id)
    mgmt.orgs.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    org_trail = mgmt_ct.create_trail(Name="org-trail", S3BucketName="org-bucket",
                                     IsMultiRegionTrail=True, IsOrganizationTrail=True)
    org_arn = org_trail["TrailARN"]
    assert org_trail["IsOrganizationTrail"] is True
    mgmt_ct.start_logging(Name="org-trail")

    # The member sees it and cannot change it.
    seen = member_ct.describe_trails()["trailList"]
    assert [t["TrailARN"] for t in seen] == [org_arn] and seen[0]["IsOrganizationTrail"]
    assert member_ct.get_trail(Name=org_arn)["Trail"]["Name"] == "org-trail"
    assert member_ct.get_trail_status(Name=org_arn)["IsLogging"] is True
    # By name a member does not reach its organization's trail (AWS wants the ARN).
    expect_error(member_ct.stop_logging, "TrailNotFoundException", Name="org-trail")
    for call, kwargs in [(member_ct.delete_trail, {"Name": org_arn}),
                         (member_ct.stop_logging, {"Name": org_arn}),
                         (member_ct.update_trail, {"Name": org_arn, "S3BucketName": "mine"}),
                         (member_ct.add_tags, {"ResourceId": org_arn,
                                              "TagsList": [{"Key": "k", "Value": "v"}]})]:
        expect_error(call, "NotOrganizationMasterAccountException", **kwargs)

    # The member's own trail, also logging, to tell when a later event has been delivered.
    member_ct.create_trail(Name="own-trail", S3BucketName="member-bucket")
    member_ct.start_logging(Name="own-trail")

    # A root console sign-in of the member is delivered by the organization trail under
    # AWSLogs/<org ID>/<account>/ and by the member's trail under AWSLogs/<account>/.
    status, body = sign_in(server, Email=member.email, Password=ROOT_PASSWORD)
    assert status == 200, body
    login_id = latest_console_login(member)
    org_root = os.path.join(server.data_dir, "org-bucket")
    record = wait_for_record(org_root, lambda r: r["eventID"] == login_id)
    assert record["eventName"] == "ConsoleLogin" and record["recipientAccountId"] == member.id
    assert record["userIdentity"]["type"] == "Root"
    [path] = [p for p in files_under(org_root) if login_id in json.dumps(records_in([p]))]
    relative = os.path.relpath(path, org_root).split(os.sep)
    assert relative[:6] == ["AWSLogs", org_id, member.id, "CloudTrail", "us-east-1",
                            time.strftime("%Y", time.gmtime())], relative
    name = relative[-1]
    prefix = "%s_CloudTrail_us-east-1_" % member.id
    assert name.startswith(prefix) and name.endswith(".json.gz"), name
    stamp, unique = name[len(prefix):-len(".json.gz")].split("_")
    assert len(stamp) == 14 and stamp[8] == "T" and stamp.endswith("Z"), stamp
    assert len(unique) == 16 and unique.isalnum(), unique
    own_root = os.path.join(server.data_dir, "member-bucket")
    wait_for_record(own_root, lambda r: r["eventID"] == login_id)
    assert os.path.relpath(files_under(own_root)[0], own_root).split(os.sep)[:2] == [
        "AWSLogs", member.id]
    assert "LatestDeliveryTime" in mgmt_ct.get_trail_status(Name="org-trail")

    # StopLogging stops delivery: later sign-ins reach the member's trail, not the stopped one.
    mgmt_ct.stop_logging(Name="org-trail")
    later = []
    for _ in range(2):
        status, body = sign_in(server, Email=member.email, Password="wrong-password")
        assert status == 401 and error_code(body) == "AuthenticationFailed", body
        later.append(latest_console_login(member))
        # Once the member's trail has this event, the pass that would have delivered the
        # previous one to every trail is over.
        wait_for_record(own_root, lambda r, i=later[-1]: r["eventID"] == i)
    delivered = {r["eventID"] for r in records_in(files_under(org_root))}
    assert login_id in delivered and not delivered & set(later)
    # The event history is kept.
    assert latest_console_login(member) == later[-1]

    # The management account can delete its organization trail.
    mgmt_ct.delete_trail(Name="org-trail")
    assert member_ct.describe_trails()["trailList"][0]["Name"] == "own-trail"


def test_kill_9_neither_loses_nor_repeats_delivered_events():
    srv = OrgtwinServer("--trail-delivery-ms", "100").start()
    try:
        payer = root_signup(srv, "payer")
        payer.client("cloudtrail").create_trail(Name="kill-trail", S3BucketName="kill-bucket")
        payer.client("cloudtrail").start_logging(Name="kill-trail")
        root = os.path.join(srv.data_dir, "kill-bucket")
        ids = []
        for restart in (True, False):
            status, body = sign_in(srv, Email=payer.email, Password=ROOT_PASSWORD)
            assert status == 200, body
            ids.append(latest_console_login(payer))
            wait_for_record(root, lambda r, i=ids[-1]: r["eventID"] == i)
            if restart:
                srv.kill9()
                srv.restart()
        records = records_in(files_under(root))
        # Every event once (the audit trail's events of the test's own calls included), and
        # both sign-ins among them.
        everything = [r["eventID"] for r in records]
        assert len(everything) == len(set(everything)), everything
        delivered = [r["eventID"] for r in records if r["eventName"] == "ConsoleLogin"]
        assert sorted(delivered) == sorted(ids), delivered
    finally:
        srv.cleanup()
