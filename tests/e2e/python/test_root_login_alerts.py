"""The seed's promise "any root login to the master payer notifies the customer's SOC and the
partner", built as a user builds it on AWS (issue 13): an organization trail that is logging, an
EventBridge rule on root console sign-ins, and an SNS topic with each party's email and webhook.
A successful and a failed root sign-in each reach all four endpoints (webhooks verify SNS's
signature); an IAM user's sign-in reaches none; an alert committed but not yet delivered when the
twin is killed (kill -9) is delivered once after the restart; and the customer SOC role of the
seed (CloudWatchFullAccess, AWSCloudTrail_FullAccess) is allowed or denied each call on the
alerting exactly as IAM's policy simulator says -- which shows it can switch the alerting off.
"""
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from orgtwin_server import OrgtwinServer, wait_for
from root_helpers import NO_RETRY, ROOT_PASSWORD, mailbox, sign_in, signup
from sns_helpers import Receiver, of_type, verify_signature

SOC_MAIL, PARTNER_MAIL = "soc@customer.example", "account-team@partner.example"
ROOT_SIGN_IN = {"detail-type": ["AWS Console Sign In via CloudTrail"],
                "detail": {"userIdentity": {"type": ["Root"]}}}


@pytest.fixture(scope="module")
def server():
    # SNS's retries 1 s apart instead of 20 s: the restart test's receiver is down at first.
    srv = OrgtwinServer("--sns-retry-delay", "1", "--trail-delivery-ms", "200").start()
    yield srv
    srv.cleanup()


class Alerting:
    """The payer's alerting, as the seed's playbook sets it up with the AWS APIs."""

    def __init__(self, server):
        self.server = server
        self.payer = signup(server, "payer")
        self.soc_hook, self.partner_hook = Receiver(), Receiver()
        payer = self.payer
        organizations = payer.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        # An organization trail needs CloudTrail's trusted access, as on AWS.
        organizations.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        trail = payer.client("cloudtrail")
        trail.create_trail(Name="org-trail", S3BucketName="payer-org-trail",
                           IsOrganizationTrail=True, IsMultiRegionTrail=True)
        trail.start_logging(Name="org-trail")

        sns = payer.client("sns")
        self.topic = sns.create_topic(Name="root-login-alerts")["TopicArn"]
        sns.set_topic_attributes(TopicArn=self.topic, AttributeName="Policy",
                                 AttributeValue=json.dumps({
                                     "Version": "2012-10-17", "Statement": [{
                                         "Effect": "Allow",
                                         "Principal": {"Service": "events.amazonaws.com"},
                                         "Action": "sns:Publish", "Resource": self.topic}]}))
        for address in (SOC_MAIL, PARTNER_MAIL):
            sns.subscribe(TopicArn=self.topic, Protocol="email", Endpoint=address)
            token = self.wait_mail(address, lambda m: m.get("Token"))[0]["Token"]
            sns.confirm_subscription(TopicArn=self.topic, Token=token)
        for hook in (self.soc_hook, self.partner_hook):
            sns.subscribe(TopicArn=self.topic, Protocol="http", Endpoint=hook.url)
            _, confirmation = hook.wait(of_type("SubscriptionConfirmation"))[0]
            sns.confirm_subscription(TopicArn=self.topic, Token=confirmation["Token"])

        events = payer.client("events")
        events.put_rule(Name="root-sign-in", EventPattern=json.dumps(ROOT_SIGN_IN))
        events.put_targets(Rule="root-sign-in", Targets=[{"Id": "alerts", "Arn": self.topic}])

    def mails(self, address):
        status, body = mailbox(self.server, address)
        assert status == 200, body
        return body.get("Messages", [])

    def wait_mail(self, address, predicate):
        found = wait_for(lambda: [m for m in self.mails(address) if predicate(m)])
        assert found, "no matching mail to " + address
        return [m for m in self.mails(address) if predicate(m)]

    def mark(self):
        """How much each endpoint has received so far (alerts() looks only past it)."""
        return {"mail": {a: len(self.mails(a)) for a in (SOC_MAIL, PARTNER_MAIL)},
                "hooks": [len(h.messages) for h in (self.soc_hook, self.partner_hook)]}

    def alerts(self, outcome, mark):
        """Waits until each of the four endpoints has, past `mark`, an alert of a root sign-in
        with `outcome` ("Success" / "Failure"); returns the SNS messages the webhooks got."""
        def is_alert(text):
            try:
                event = json.loads(text)
            except ValueError:
                return False
            return (event.get("detail-type") == "AWS Console Sign In via CloudTrail"
                    and event["detail"]["responseElements"]["ConsoleLogin"] == outcome
                    and event["account"] == self.payer.id)

        for address in (SOC_MAIL, PARTNER_MAIL):
            skip = mark["mail"][address]
            found = wait_for(lambda: [m for m in self.mails(address)[skip:]
                                      if is_alert(m["Body"].split("\n--\n")[0].strip())])
            assert found, "no alert mailed to " + address
        out = []
        for hook, skip in zip((self.soc_hook, self.partner_hook), mark["hooks"]):
            hook.wait(lambda m: m[1]["Type"] == "Notification" and is_alert(m[1]["Message"])
                      and hook.messages.index(m) >= skip)
            out.append([m for m in hook.messages[skip:]
                        if m[1]["Type"] == "Notification" and is_alert(m[1]["Message"])])
        return out

    def close(self):
        self.soc_hook.close()
        self.partner_hook.close()


@pytest.fixture(scope="module")
def alerting(server):
    built = Alerting(server)
    yield built
    built.close()


def test_a_root_sign_in_alerts_both_parties(server, alerting):
    mark = alerting.mark()
    status, body = sign_in(server, Email=alerting.payer.email, Password=ROOT_PASSWORD)
    assert status == 200, body
    for notifications in alerting.alerts("Success", mark):
        assert len(notifications) == 1
        headers, message = notifications[0]
        verify_signature(message)
        assert message["TopicArn"] == alerting.topic
        event = json.loads(message["Message"])
        assert event["source"] == "aws.signin" and event["region"] == "us-east-1"
        assert event["detail"]["userIdentity"]["type"] == "Root"
        assert event["detail"]["eventName"] == "ConsoleLogin"


def test_a_failed_root_sign_in_alerts_both_parties(server, alerting):
    mark = alerting.mark()
    status, _ = sign_in(server, Email=alerting.payer.email, Password="guessing-Pa55word!")
    assert status != 200
    for notifications in alerting.alerts("Failure", mark):
        verify_signature(notifications[0][1])
        event = json.loads(notifications[0][1]["Message"])
        assert event["detail"]["errorMessage"] == "Failed authentication"


def test_an_iam_user_sign_in_raises_no_alert(server, alerting):
    iam = alerting.payer.client("iam")
    iam.create_user(UserName="operator")
    iam.create_login_profile(UserName="operator", Password="Operator-Pa55word!")
    mark = alerting.mark()
    before = len(alerting.soc_hook.messages)
    status, body = sign_in(server, AccountId=alerting.payer.id, UserName="operator",
                           Password="Operator-Pa55word!")
    assert status == 200, body
    # A later root sign-in's alert arrives; the user's sign-in brought none before it.
    sign_in(server, Email=alerting.payer.email, Password=ROOT_PASSWORD)
    alerting.alerts("Success", mark)
    later = [json.loads(m[1]["Message"]) for m in alerting.soc_hook.messages[before:]
             if m[1]["Type"] == "Notification"]
    assert later and all(e["detail"]["userIdentity"]["type"] == "Root" for e in later)


def test_the_soc_role_can_do_on_the_alerting_what_the_simulator_says(server, alerting):
    payer = alerting.payer
    iam = payer.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % payer.id},
        "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="CustomerSOC",
                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    for policy in ("CloudWatchFullAccess", "AWSCloudTrail_FullAccess"):
        iam.attach_role_policy(RoleName="CustomerSOC",
                               PolicyArn="arn:aws:iam::aws:policy/" + policy)
    iam.create_user(UserName="soc-analyst")
    iam.put_user_policy(UserName="soc-analyst", PolicyName="assume-soc",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Action": "sts:AssumeRole",
                            "Resource": role["Arn"]}]}))
    key = iam.create_access_key(UserName="soc-analyst")["AccessKey"]
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY)
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="soc")["Credentials"]

    def as_soc(service):
        return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], config=NO_RETRY)

    trail_arn = "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % payer.id
    rule_arn = "arn:aws:events:us-east-1:%s:rule/root-sign-in" % payer.id
    # Harmless calls first, the ones that switch the alerting off last.
    calls = [
        ("cloudtrail:DescribeTrails", "*", lambda: as_soc("cloudtrail").describe_trails()),
        ("sns:ListSubscriptionsByTopic", alerting.topic,
         lambda: as_soc("sns").list_subscriptions_by_topic(TopicArn=alerting.topic)),
        ("events:DescribeRule", rule_arn,
         lambda: as_soc("events").describe_rule(Name="root-sign-in")),
        ("events:DisableRule", rule_arn,
         lambda: as_soc("events").disable_rule(Name="root-sign-in")),
        ("events:RemoveTargets", rule_arn,
         lambda: as_soc("events").remove_targets(Rule="root-sign-in", Ids=["alerts"])),
        ("cloudtrail:StopLogging", trail_arn,
         lambda: as_soc("cloudtrail").stop_logging(Name="org-trail")),
    ]
    decisions = {}
    for action, resource, call in calls:
        simulated = iam.simulate_principal_policy(
            PolicySourceArn=role["Arn"], ActionNames=[action],
            ResourceArns=[resource])["EvaluationResults"][0]["EvalDecision"]
        try:
            call()
            outcome = "allowed"
        except ClientError as error:
            assert error.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException",
                                                       "AuthorizationError"), error.response
            outcome = "denied"
        assert outcome == ("allowed" if simulated == "allowed" else "denied"), (action, simulated)
        decisions[action] = outcome
    # What the two managed policies give: CloudTrail entirely (cloudtrail:*), SNS entirely
    # (CloudWatchFullAccess's sns:*), no EventBridge.
    assert decisions == {"cloudtrail:DescribeTrails": "allowed",
                         "sns:ListSubscriptionsByTopic": "allowed",
                         "events:DescribeRule": "denied", "events:DisableRule": "denied",
                         "events:RemoveTargets": "denied", "cloudtrail:StopLogging": "allowed"}

    # So the SOC alone can switch the alerting off: with the organization trail stopped, a root
    # sign-in is still in the event history but reaches no one.
    assert not as_soc("cloudtrail").get_trail_status(Name=trail_arn)["IsLogging"]
    mark = alerting.mark()
    before = len(alerting.partner_hook.messages)
    sign_in(server, Email=payer.email, Password=ROOT_PASSWORD)
    stopped_by = json.loads(payer.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "StopLogging"}])["Events"][0][
        "CloudTrailEvent"])["userIdentity"]["arn"]
    assert stopped_by.endswith(":assumed-role/CustomerSOC/soc")
    payer.client("cloudtrail").start_logging(Name="org-trail")
    sign_in(server, Email=payer.email, Password="guessing-Pa55word!")
    alerting.alerts("Failure", mark)
    new = [json.loads(m[1]["Message"]) for m in alerting.partner_hook.messages[before:]
           if m[1]["Type"] == "Notification"]
    assert [e["detail"]["responseElements"]["ConsoleLogin"] for e in new] == ["Failure"]


def test_an_alert_survives_kill_9_and_is_delivered_once(server, alerting):
    # Both webhooks are down when the alert commits, so the twin is killed between the commit
    # and any delivery.
    ports = [hook.port for hook in (alerting.soc_hook, alerting.partner_hook)]
    alerting.close()
    mark = alerting.mark()
    status, _ = sign_in(server, Email=alerting.payer.email, Password=ROOT_PASSWORD)
    assert status == 200  # acknowledged: the event and its pending deliveries are committed
    server.kill9()
    alerting.soc_hook, alerting.partner_hook = Receiver(ports[0]), Receiver(ports[1])
    mark["hooks"] = [0, 0]
    server.restart()
    for notifications in alerting.alerts("Success", mark):
        assert len(notifications) == 1  # once each
        verify_signature(notifications[0][1])
    for address in (SOC_MAIL, PARTNER_MAIL):
        assert len(alerting.mails(address)) == mark["mail"][address] + 1
