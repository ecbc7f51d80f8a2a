"""SNS end to end with boto3: topics and their attributes, the topic policy across accounts,
the subscription handshake and signed notifications over HTTP (a local receiver verifies each
signature with the certificate the twin serves), email into the twin's inboxes, and the
persisted outbox across a kill -9 (a message the receiver could not take is delivered once after
the restart).

One server for the module; the restart test runs last and restarts it.
"""
import json
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from orgtwin_server import OrgtwinServer, wait_for
from root_helpers import NO_RETRY, mailbox, signup
from sns_helpers import Receiver, of_type, verify_signature
from test_smtp_relay import wait_for_log


@pytest.fixture(scope="module")
def server():
    # Retries 2 s apart instead of SNS's 20 s, so the restart test sees a retry in time.
    srv = OrgtwinServer("--sns-retry-delay", "2").start()
    yield srv
    srv.cleanup()


def sns_client(server):
    return boto3.client("sns", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, config=NO_RETRY)


@pytest.fixture(scope="module")
def sns(server):
    return sns_client(server)


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    return (raised.value.response["Error"]["Code"],
            raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
            raised.value.response["Error"]["Message"])


def test_topics_attributes_and_tags(sns, server):
    arn = sns.create_topic(Name="alerts", Attributes={"DisplayName": "Alerts"})["TopicArn"]
    assert arn.startswith("arn:aws:sns:us-east-1:") and arn.endswith(":alerts")
    # Idempotent for the same attributes, refused for others.
    assert sns.create_topic(Name="alerts", Attributes={"DisplayName": "Alerts"})["TopicArn"] == arn
    code, status, message = error_of(
        lambda: sns.create_topic(Name="alerts", Attributes={"DisplayName": "Other"}))
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith("Invalid parameter: Attributes")
    assert error_of(lambda: sns.create_topic(Name="bad name"))[:2] == ("InvalidParameter", 400)
    assert error_of(lambda: sns.create_topic(Name="q.fifo"))[:2] == ("InvalidParameter", 400)

    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["DisplayName"] == "Alerts"
    assert attributes["SubscriptionsConfirmed"] == "0"
    policy = json.loads(attributes["Policy"])
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"AWS": "*"} and "SNS:Publish" in statement["Action"]
    assert statement["Condition"]["StringEquals"]["AWS:SourceOwner"] == attributes["Owner"]
    delivery = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert delivery["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="SOC")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "SOC"
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "soc"}])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team",
                                                                     "Value": "soc"}]
    assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]

    gone = sns.create_topic(Name="gone")["TopicArn"]
    sns.delete_topic(TopicArn=gone)
    sns.delete_topic(TopicArn=gone)  # idempotent
    code, status, message = error_of(lambda: sns.get_topic_attributes(TopicArn=gone))
    assert (code, status, message) == ("NotFound", 404, "Topic does not exist")


def test_http_subscription_handshake_and_signed_notifications(sns):
    receiver = Receiver()
    try:
        arn = sns.create_topic(Name="webhook")["TopicArn"]
        assert error_of(lambda: sns.subscribe(TopicArn=arn, Protocol="http",
                                              Endpoint="https://x"))[:2] == ("InvalidParameter",
                                                                             400)
        assert sns.subscribe(TopicArn=arn, Protocol="http",
                             Endpoint=receiver.url)["SubscriptionArn"] == "pending confirmation"
        headers, confirmation = receiver.wait(of_type("SubscriptionConfirmation"))[0]
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert confirmation["TopicArn"] == arn and confirmation["Token"]
        verify_signature(confirmation)
        # The SubscribeURL is an unsigned GET, as on AWS.
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as response:
            assert response.status == 200
            assert b"<SubscriptionArn>" + arn.encode() in response.read()
        [subscription] = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert subscription["SubscriptionArn"].startswith(arn + ":")
        assert subscription["Endpoint"] == receiver.url

        message_id = sns.publish(TopicArn=arn, Subject="Root login",
                                 Message="root signed in")["MessageId"]
        headers, note = receiver.wait(of_type("Notification", MessageId=message_id))[0]
        assert headers["x-amz-sns-message-id"] == message_id
        assert headers["x-amz-sns-subscription-arn"] == subscription["SubscriptionArn"]
        assert headers["Content-Type"] == "text/plain; charset=UTF-8"
        assert (note["Subject"], note["Message"], note["SignatureVersion"]) == (
            "Root login", "root signed in", "1")
        assert note["UnsubscribeURL"]
        verify_signature(note)

        sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion",
                                 AttributeValue="2")
        second = sns.publish(TopicArn=arn, Message="again")["MessageId"]
        _, note = receiver.wait(of_type("Notification", MessageId=second))[0]
        assert note["SignatureVersion"] == "2" and "Subject" not in note
        verify_signature(note)
    finally:
        receiver.close()


def test_email_subscription_goes_to_the_inbox(server, sns):
    arn = sns.create_topic(Name="mail-alerts")["TopicArn"]
    address = "soc@customer.example"
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=address)
    mails = lambda: mailbox(server, address)[1].get("Messages", [])  # noqa: E731
    assert wait_for(lambda: len(mails()) == 1), "no confirmation mail"
    confirmation = mails()[0]
    assert confirmation["Subject"] == "AWS Notification - Subscription Confirmation"
    confirmed = sns.confirm_subscription(TopicArn=arn, Token=confirmation["Token"])
    assert confirmed["SubscriptionArn"].startswith(arn + ":")
    attributes = sns.get_subscription_attributes(
        SubscriptionArn=confirmed["SubscriptionArn"])["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["Protocol"] == "email"
    sns.publish(TopicArn=arn, Subject="Root login", Message="root signed in to 1111")
    assert wait_for(lambda: len(mails()) == 2), "no notification mail"
    note = mails()[1]
    assert note["Subject"] == "Root login"
    assert note["Body"].startswith("root signed in to 1111")


def test_cross_account_publish_needs_the_topic_policy(server, sns):
    arn = sns.create_topic(Name="shared")["TopicArn"]
    partner = signup(server, "partner")
    partner_sns = partner.client("sns")
    code, status, message = error_of(lambda: partner_sns.publish(TopicArn=arn, Message="hi"))
    assert (code, status) == ("AuthorizationError", 403)
    assert "sns:Publish" in message
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % partner.id},
        "Action": "sns:Publish", "Resource": arn}]}
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                             AttributeValue=json.dumps(policy))
    assert partner_sns.publish(TopicArn=arn, Message="hi")["MessageId"]
    # The policy grants Publish only.
    assert error_of(lambda: partner_sns.get_topic_attributes(TopicArn=arn))[0] == (
        "AuthorizationError")


def test_undelivered_message_survives_kill_9_and_is_delivered_once(server):
    sns = sns_client(server)
    receiver = Receiver()
    port = receiver.port
    arn = sns.create_topic(Name="outbox")["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=receiver.url)
    _, confirmation = receiver.wait(of_type("SubscriptionConfirmation"))[0]
    urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10).close()
    receiver.close()  # the receiver goes down

    message_id = sns.publish(TopicArn=arn, Message="while down")["MessageId"]
    assert wait_for_log(server, "sns delivery: Notification %s" % message_id), "no failed attempt"
    server.kill9()

    receiver = Receiver(port)  # back up, same endpoint
    try:
        server.restart()
        sns = sns_client(server)
        receiver.wait(of_type("Notification", MessageId=message_id))
        # Deliveries go out in publish order: once a later message arrived, the first one will
        # not be sent again.
        later = sns.publish(TopicArn=arn, Message="after restart")["MessageId"]
        receiver.wait(of_type("Notification", MessageId=later))
        assert len(receiver.wait(of_type("Notification", MessageId=message_id))) == 1
    finally:
        receiver.close()
