"""EventBridge on the default event bus with Debian's boto3: rules (patterns and schedules),
targets, tags, the errors AWS answers, TestEventPattern with the user guide's examples and
PutEvents. One server for the module; rules are per account and region."""
import datetime
import json

import boto3
import pytest

from iam_helpers import ACCOUNT, NO_RETRY, expect_error

REGION = "us-east-1"
TOPIC = "arn:aws:sns:us-east-1:%s:alerts" % ACCOUNT
ROOT_SIGN_IN = {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"],
                "detail": {"userIdentity": {"type": ["Root"]}}}

# The user guide's EC2 state-change event.
EC2_EVENT = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated",
               "c-count": 5, "sourceIPAddress": "10.0.0.12"}}


def events_client(server, region=REGION):
    return boto3.client("events", endpoint_url=server.endpoint, region_name=region,
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, config=NO_RETRY)


@pytest.fixture(scope="module")
def events(server):
    return events_client(server)


def test_rule_lifecycle(events):
    arn = events.put_rule(Name="root-sign-in", EventPattern=json.dumps(ROOT_SIGN_IN),
                          Description="root console sign-ins",
                          Tags=[{"Key": "team", "Value": "soc"}])["RuleArn"]
    assert arn == "arn:aws:events:%s:%s:rule/root-sign-in" % (REGION, ACCOUNT)
    rule = events.describe_rule(Name="root-sign-in")
    assert rule["Arn"] == arn and rule["State"] == "ENABLED"
    assert rule["EventBusName"] == "default" and rule["CreatedBy"] == ACCOUNT
    assert json.loads(rule["EventPattern"]) == ROOT_SIGN_IN
    assert rule["Description"] == "root console sign-ins"

    events.disable_rule(Name="root-sign-in")
    assert events.describe_rule(Name="root-sign-in")["State"] == "DISABLED"
    events.enable_rule(Name="root-sign-in")
    # PutRule on an existing rule replaces it: omitted fields are not kept.
    assert events.put_rule(Name="root-sign-in", EventPattern=json.dumps(ROOT_SIGN_IN),
                           State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")["RuleArn"] == arn
    rule = events.describe_rule(Name="root-sign-in")
    assert rule["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert "Description" not in rule

    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "soc"}]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "owner", "Value": "partner"}])
    events.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "owner", "Value": "partner"}]

    # Schedules are validated and stored.
    events.put_rule(Name="nightly", ScheduleExpression="cron(0 4 * * ? *)")
    events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    assert events.describe_rule(Name="every-5")["ScheduleExpression"] == "rate(5 minutes)"

    # Listing is by name, with pagination.
    first = events.list_rules(Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["every-5", "nightly"]
    second = events.list_rules(Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in second["Rules"]] == ["root-sign-in"]
    assert "NextToken" not in second
    assert [r["Name"] for r in events.list_rules(NamePrefix="root")["Rules"]] == ["root-sign-in"]
    for name in ("nightly", "every-5"):
        events.delete_rule(Name=name)
    # Deleting a rule that does not exist succeeds, as on AWS.
    events.delete_rule(Name="never-was")


def test_other_region_is_separate(server, events):
    events.put_rule(Name="regional", EventPattern='{"source": ["app"]}')
    west = events_client(server, "us-west-2")
    assert west.list_rules()["Rules"] == []
    expect_error(west.describe_rule, "ResourceNotFoundException", 400,
                 "Rule regional does not exist on EventBus default.", Name="regional")
    events.delete_rule(Name="regional")


def test_targets(events):
    events.put_rule(Name="with-targets", EventPattern=json.dumps(ROOT_SIGN_IN))
    out = events.put_targets(Rule="with-targets", Targets=[
        {"Id": "soc", "Arn": TOPIC},
        {"Id": "partner", "Arn": TOPIC, "InputTransformer": {
            "InputPathsMap": {"who": "$.detail.userIdentity.arn"},
            "InputTemplate": '"Root sign-in by <who>"'}}])
    assert out["FailedEntryCount"] == 0 and out["FailedEntries"] == []
    targets = events.list_targets_by_rule(Rule="with-targets")["Targets"]
    assert [t["Id"] for t in targets] == ["partner", "soc"] or \
        [t["Id"] for t in targets] == ["soc", "partner"]
    assert {t["Id"]: t for t in targets}["partner"]["InputTransformer"]["InputTemplate"] == \
        '"Root sign-in by <who>"'
    assert events.list_rule_names_by_target(TargetArn=TOPIC)["RuleNames"] == ["with-targets"]

    expect_error(events.delete_rule, "ValidationException", 400,
                 "Rule can't be deleted since it has targets.", Name="with-targets")
    expect_error(events.put_targets, "LimitExceededException", 400,
                 "The requested resource exceeds the maximum number allowed.",
                 Rule="with-targets",
                 Targets=[{"Id": "t%d" % i, "Arn": TOPIC} for i in range(4)])
    expect_error(events.put_targets, "ValidationException", 400,
                 "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct "
                 "format.", Rule="with-targets", Targets=[{"Id": "x", "Arn": "not-an-arn"}])
    expect_error(events.put_targets, "ResourceNotFoundException", 400,
                 "Rule nope does not exist on EventBus default.", Rule="nope",
                 Targets=[{"Id": "x", "Arn": TOPIC}])

    # An ID the rule does not have is not a failure.
    out = events.remove_targets(Rule="with-targets", Ids=["soc", "partner", "ghost"])
    assert out["FailedEntryCount"] == 0
    assert events.list_targets_by_rule(Rule="with-targets")["Targets"] == []
    events.delete_rule(Name="with-targets")
    expect_error(events.describe_rule, "ResourceNotFoundException", 400,
                 "Rule with-targets does not exist on EventBus default.", Name="with-targets")


def test_put_rule_errors(events):
    expect_error(events.put_rule, "InvalidEventPatternException", 400,
                 "Event pattern is not valid. Reason: \"source\" must be an object or an array",
                 Name="bad", EventPattern='{"source": "aws.ec2"}')
    expect_error(events.put_rule, "InvalidEventPatternException", 400,
                 "Event pattern is not valid. Reason: Empty objects are not allowed",
                 Name="bad", EventPattern='{"source": ["aws.health"], "detail": {}}')
    expect_error(events.put_rule, "ValidationException", 400,
                 "Parameter(s) EventPattern or ScheduleExpression must be specified.", Name="bad")
    expect_error(events.put_rule, "ValidationException", 400,
                 "Parameter ScheduleExpression is not valid.", Name="bad",
                 ScheduleExpression="rate(5 minute)")
    expect_error(events.put_rule, "ResourceNotFoundException", 400,
                 "Event bus custom does not exist.", Name="bad",
                 EventPattern='{"source": ["x"]}', EventBusName="custom")
    expect_error(events.enable_rule, "ResourceNotFoundException", 400,
                 "Rule bad does not exist on EventBus default.", Name="bad")


@pytest.mark.parametrize("pattern,expected", [
    ({"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}, True),
    ({"source": ["aws.ec2"], "detail": {"state": ["running"]}}, False),
    ({"time": [{"prefix": "2017-12-22"}]}, True),
    ({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}, True),
    ({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, False),
    ({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"d-count": [{"exists": False}]}}, True),
    ({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}, True),
    ({"resources": [{"wildcard": "arn:aws:ec2:*:instance/i-*"}]}, True),
    ({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}, True),
    ({"$or": [{"source": ["aws.s3"]}, {"detail": {"c-count": [5]}}]}, True),
])
def test_test_event_pattern(events, pattern, expected):
    assert events.test_event_pattern(EventPattern=json.dumps(pattern),
                                     Event=json.dumps(EC2_EVENT))["Result"] is expected


def test_test_event_pattern_errors(events):
    expect_error(events.test_event_pattern, "InvalidEventPatternException", 400,
                 "Event pattern is not valid. Reason: exists match pattern must be either true "
                 "or false.", EventPattern='{"a": [{"exists": "true"}]}',
                 Event=json.dumps(EC2_EVENT))
    expect_error(events.test_event_pattern, "ValidationException", 400,
                 "Parameter Event is not valid.", EventPattern='{"source": ["aws.ec2"]}',
                 Event='{"source": "aws.ec2"}')


def test_put_events(events):
    out = events.put_events(Entries=[
        {"Source": "com.example.app", "DetailType": "Order Placed", "Detail": '{"id": 1}'},
        {"Source": "aws.signin", "DetailType": "x", "Detail": "{}"},
        {"Source": "com.example.app", "DetailType": "x"},
        {"Source": "com.example.app", "DetailType": "x", "Detail": "not json"},
        {"Source": "com.example.app", "DetailType": "x", "Detail": "{}",
         "Time": datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)},
    ])
    assert out["FailedEntryCount"] == 3
    entries = out["Entries"]
    assert len(entries[0]["EventId"]) == 36
    assert entries[1] == {"ErrorCode": "NotAuthorizedForSourceException",
                          "ErrorMessage": "Not authorized for the source."}
    assert entries[2] == {"ErrorCode": "InvalidArgument", "ErrorMessage":
                          "Parameter Detail is not valid. Reason: Detail is a required argument."}
    assert entries[3] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert len(entries[4]["EventId"]) == 36
