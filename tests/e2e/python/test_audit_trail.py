"""The audit trail (issue 13): every AWS call, allowed or denied, read or write, becomes one
CloudTrail event with the fields CloudTrail writes, readable with LookupEvents (every lookup
attribute, time range, pages), kept 90 days on the twin's clock, and committed with the write it
describes (a write acknowledged before kill -9 keeps its event).

One adjustable-clock server for the module; each test works in accounts of its own.
"""
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from cli_helpers import ok
from orgtwin_server import wait_for
from root_helpers import NO_RETRY, adjustable_server, admin, signup  # noqa: F401

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def lookup(client, *attribute, **kwargs):
    """Every event LookupEvents returns (all pages), newest first, records parsed."""
    args = dict(kwargs)
    if attribute:
        args["LookupAttributes"] = [{"AttributeKey": attribute[0], "AttributeValue": attribute[1]}]
    events = []
    while True:
        page = client.lookup_events(**args)
        events += page["Events"]
        if "NextToken" not in page:
            return events
        args["NextToken"] = page["NextToken"]


def records(client, *attribute, **kwargs):
    return [json.loads(e["CloudTrailEvent"]) for e in lookup(client, *attribute, **kwargs)]


def waited(what, probe):
    """Read events are written by a group-commit job just after the call is answered."""
    value = wait_for(probe, timeout=10.0)
    assert value, "timed out waiting for " + what
    return value


def user_client(account, service, user):
    iam = account.client("iam")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.client(service, endpoint_url=account.server.endpoint, region_name="us-east-1",
                        aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY), key


@pytest.fixture(scope="module")
def twin(adjustable_server):  # noqa: F811
    return adjustable_server


def test_a_write_is_recorded_with_cloudtrails_fields_and_without_secrets(twin):
    account = signup(twin, "audit")
    iam, trail = account.client("iam"), account.client("cloudtrail")
    iam.create_user(UserName="alice", Path="/staff/")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.create_login_profile(UserName="alice", Password="Very-secret-Pa55!")

    [create] = records(trail, "EventName", "CreateUser")
    assert create["eventVersion"] >= "1.08"
    assert create["eventSource"] == "iam.amazonaws.com"
    assert create["awsRegion"] == "us-east-1"
    assert create["eventType"] == "AwsApiCall"
    assert create["readOnly"] is False and create["managementEvent"] is True
    assert create["recipientAccountId"] == account.id
    assert create["requestParameters"] == {"userName": "alice", "path": "/staff/"}
    assert create["responseElements"]["user"]["userName"] == "alice"
    assert create["userIdentity"] == {
        "type": "Root", "principalId": account.id, "arn": "arn:aws:iam::%s:root" % account.id,
        "accountId": account.id, "accessKeyId": account.key}
    assert create["sourceIPAddress"] == "127.0.0.1"
    assert "Boto3" in create["userAgent"] or "botocore" in create["userAgent"]
    assert create["requestID"] and create["eventID"]

    [access_key] = records(trail, "EventName", "CreateAccessKey")
    assert access_key["responseElements"]["accessKey"]["accessKeyId"] == key["AccessKeyId"]
    assert key["SecretAccessKey"] not in json.dumps(access_key)
    [profile] = records(trail, "EventName", "CreateLoginProfile")
    assert "Very-secret-Pa55!" not in json.dumps(profile)
    assert "password" not in profile["requestParameters"]


def test_reads_denials_and_failures_are_recorded(twin):
    account = signup(twin, "audit")
    iam, trail = account.client("iam"), account.client("cloudtrail")
    bob_iam, bob_key = user_client(account, "iam", "bob")
    with pytest.raises(ClientError) as denied:
        bob_iam.list_users()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        iam.get_user(UserName="nobody")
    iam.get_user(UserName="bob")

    denial = waited("the denied ListUsers", lambda: records(trail, "EventName", "ListUsers"))[0]
    assert denial["errorCode"] == "AccessDenied"
    assert "is not authorized to perform: iam:ListUsers" in denial["errorMessage"]
    assert denial["userIdentity"]["type"] == "IAMUser"
    assert denial["userIdentity"]["userName"] == "bob"
    assert denial["userIdentity"]["accessKeyId"] == bob_key["AccessKeyId"]
    gets = waited("both GetUser calls", lambda: len(records(trail, "EventName", "GetUser")) == 2
                    and records(trail, "EventName", "GetUser"))
    missing = [g for g in gets if g.get("errorCode")]
    assert missing[0]["errorCode"] == "NoSuchEntity"
    assert all(g["readOnly"] is True and g["responseElements"] is None for g in gets)

    # Lookup attributes: each finds exactly what it names.
    by_key = lookup(trail, "AccessKeyId", bob_key["AccessKeyId"])
    assert [e["EventName"] for e in by_key] == ["ListUsers"]
    assert {e["EventName"] for e in lookup(trail, "Username", "bob")} == {"ListUsers"}
    assert {e["EventName"] for e in lookup(trail, "ResourceName", "bob")} >= {
        "CreateUser", "CreateAccessKey", "GetUser"}
    assert all(e["ReadOnly"] == "true" for e in lookup(trail, "ReadOnly", "true"))
    assert {e["EventSource"] for e in lookup(trail, "EventSource", "iam.amazonaws.com")} == {
        "iam.amazonaws.com"}
    typed = lookup(trail, "ResourceType", "AWS::IAM::User")
    assert typed and all({"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}
                         in e["Resources"] or e["Resources"] for e in typed)
    first = lookup(trail)[-1]
    assert [e["EventId"] for e in lookup(trail, "EventId", first["EventId"])] == [first["EventId"]]


def test_pages_time_range_and_the_90_days(twin):
    account = signup(twin, "audit")
    iam, trail = account.client("iam"), account.client("cloudtrail")
    for n in range(7):
        iam.create_group(GroupName="g%d" % n)
    page = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateGroup"}],
        MaxResults=3)
    assert len(page["Events"]) == 3 and "NextToken" in page
    names = [json.loads(e["CloudTrailEvent"])["requestParameters"]["groupName"]
             for e in lookup(trail, "EventName", "CreateGroup", MaxResults=3)]
    assert names == ["g6", "g5", "g4", "g3", "g2", "g1", "g0"]  # newest first, none twice
    with pytest.raises(ClientError) as bad:
        trail.lookup_events(NextToken="nonsense")
    assert bad.value.response["Error"]["Code"] == "InvalidNextTokenException"
    with pytest.raises(ClientError) as bad:
        trail.lookup_events(StartTime=2000000000, EndTime=1000000000)
    assert bad.value.response["Error"]["Code"] == "InvalidTimeRangeException"

    created = min(e["EventTime"] for e in lookup(trail, "EventName", "CreateGroup"))
    assert lookup(trail, "EventName", "CreateGroup", EndTime=created.timestamp() - 60) == []

    status, body = admin(twin, "/_orgtwin/clock/advance", {"Seconds": 91 * 86400})
    assert status == 200, body
    assert lookup(trail, "EventName", "CreateGroup") == []
    iam.create_group(GroupName="later")
    assert [json.loads(e["CloudTrailEvent"])["requestParameters"]["groupName"]
            for e in lookup(trail, "EventName", "CreateGroup")] == ["later"]


def test_a_cross_account_assume_role_is_recorded_in_both_accounts(twin):
    caller, owner = signup(twin, "audit"), signup(twin, "audit")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % caller.id},
        "Action": "sts:AssumeRole"}]}
    role = owner.client("iam").create_role(RoleName="Auditor",
                                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    sts, user_key = user_client(caller, "sts", "carol")
    caller.client("iam").attach_user_policy(UserName="carol", PolicyArn=ADMIN)
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="audit")["Credentials"]

    mine = waited("the caller's event", lambda: records(caller.client("cloudtrail"),
                                                          "EventName", "AssumeRole"))[0]
    theirs = waited("the owner's event", lambda: records(owner.client("cloudtrail"),
                                                           "EventName", "AssumeRole"))[0]
    assert mine["recipientAccountId"] == caller.id and theirs["recipientAccountId"] == owner.id
    assert mine["sharedEventID"] == theirs["sharedEventID"]
    assert mine["eventID"] != theirs["eventID"]
    assert mine["readOnly"] is True  # CloudTrail marks STS calls read-only
    assert mine["userIdentity"]["accessKeyId"] == user_key["AccessKeyId"]
    issued = mine["responseElements"]["credentials"]
    assert issued["accessKeyId"] == session["AccessKeyId"]
    assert session["SecretAccessKey"] not in json.dumps(mine)
    assert {"accountId": owner.id, "type": "AWS::IAM::Role", "ARN": role["Arn"]} in \
        theirs["resources"]

    # The session's own calls name the role that issued it.
    owner_iam = boto3.client("iam", endpoint_url=twin.endpoint, region_name="us-east-1",
                             aws_access_key_id=session["AccessKeyId"],
                             aws_secret_access_key=session["SecretAccessKey"],
                             aws_session_token=session["SessionToken"], config=NO_RETRY)
    with pytest.raises(ClientError):
        owner_iam.list_roles()
    [listed] = waited("the session's ListRoles", lambda: records(
        owner.client("cloudtrail"), "EventName", "ListRoles"))
    identity = listed["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == "arn:aws:sts::%s:assumed-role/Auditor/audit" % owner.id
    assert identity["sessionContext"]["sessionIssuer"]["arn"] == role["Arn"]
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"


def test_the_aws_cli_sets_up_alerting_and_reads_its_events(twin):
    # What a user types on AWS, against the twin's default account.
    ok(twin, "cloudtrail", "create-trail", "--name", "cli-trail", "--s3-bucket-name", "cli-logs")
    topic = ok(twin, "sns", "create-topic", "--name", "cli-alerts")["TopicArn"]
    pattern = {"detail-type": ["AWS Console Sign In via CloudTrail"],
               "detail": {"userIdentity": {"type": ["Root"]}}}
    rule = ok(twin, "events", "put-rule", "--name", "cli-root-sign-in",
              "--event-pattern", json.dumps(pattern))["RuleArn"]
    ok(twin, "events", "put-targets", "--rule", "cli-root-sign-in",
       "--targets", json.dumps([{"Id": "alerts", "Arn": topic}]))
    [put] = ok(twin, "cloudtrail", "lookup-events", "--lookup-attributes",
               "AttributeKey=EventName,AttributeValue=PutRule")["Events"]
    record = json.loads(put["CloudTrailEvent"])
    assert record["eventSource"] == "events.amazonaws.com"
    assert record["responseElements"] == {"ruleArn": rule}
    assert record["userAgent"].startswith("aws-cli/")


def test_an_acknowledged_write_keeps_its_event_after_kill_9(twin):
    from orgtwin_server import OrgtwinServer

    server = OrgtwinServer().start()
    try:
        account = signup(server, "audit")
        account.client("iam").create_role(RoleName="Durable", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))
        server.kill9()
        server.restart()
        [event] = records(account.client("cloudtrail"), "EventName", "CreateRole")
        assert event["requestParameters"]["roleName"] == "Durable"
    finally:
        server.cleanup()
