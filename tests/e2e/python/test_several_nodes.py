"""Several `orgtwin serve` nodes on one PostgreSQL database behave as one twin (issue 17).

Runs only under scripts/with-postgres.sh (ctest's e2e_postgres_several_nodes), which provides
the PostgreSQL server: every pair of nodes here shares a fresh database of it, each node with a
data directory of its own, as nodes on different machines would have.

What is checked, with boto3 and signed HTTP against both nodes:
- a write acknowledged by one node is seen by the very next request on the other: a new key
  works there, a policy change decides there, a deleted key is refused there, and a sign-up, the
  clock and a reset reach every node;
- 1,000 AcceptHandshake races, each handshake accepted at once through both nodes: exactly one
  acceptance each, and 1,000 members;
- CreateAccount fired through both nodes at once never takes an organization over its quota;
- `kill -9` of one node in the middle of a write load: no acknowledged write is lost, the other
  node keeps serving, and takes over the background work (SNS deliveries) the dead node led.
"""
import concurrent.futures
import itertools
import json
import os
import tempfile
import threading
import urllib.request

import boto3
import botocore
import pytest
from botocore.config import Config

from orgpol_helpers import raw_call
from orgtwin_server import OrgtwinServer, postgres_database_of, wait_for
from root_helpers import mailbox, post

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})
_counter = itertools.count(1)

if "OT_TEST_PG_PORT" not in os.environ:
    raise RuntimeError("test_several_nodes.py needs a PostgreSQL server: run it under "
                       "scripts/with-postgres.sh (ctest e2e_postgres_several_nodes)")


def start_nodes(count, *flags):
    """`count` nodes on one fresh database, started at the same time (they race to migrate it)."""
    url = postgres_database_of(tempfile.mkdtemp(prefix="orgtwin-nodes-"))
    nodes = [OrgtwinServer(*flags, "--store", url) for _ in range(count)]
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        list(pool.map(lambda node: node.start(), nodes))
    return nodes


def stop_nodes(nodes):
    for node in nodes:
        node.cleanup()


def client(node, service, key, secret, token=None):
    return boto3.client(service, endpoint_url=node.endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token, config=NO_RETRY)


def root(node):
    """A client factory acting as the default account's root on `node`."""
    return lambda service: client(node, service, node.access_key, node.secret_key)


def signup(node):
    """A standalone account signed up through `node`: (account ID, key ID, secret)."""
    n = next(_counter)
    status, body = post(node, "/_orgtwin/signup", {
        "Email": "node-%d-%d@example.com" % (os.getpid(), n), "AccountName": "acct%d" % n,
        "PaymentMethod": True, "ContactInformation": True})
    assert status == 200, body
    return body["AccountId"], body["AccessKeyId"], body["SecretAccessKey"]


def health(node):
    with urllib.request.urlopen(node.endpoint + "/_orgtwin/health", timeout=10) as response:
        return json.loads(response.read())


def advance(node, seconds):
    status, body = post(node, "/_orgtwin/clock/advance", {"Seconds": seconds},
                        key=node.access_key, secret=node.secret_key)
    assert status == 200, body
    return body["OffsetSeconds"]


@pytest.fixture(scope="module")
def pair():
    # The quota leaves room for the handshake races' 1,000 members (invitations per day follow
    # it); every node of one database runs with the same flags.
    nodes = start_nodes(2, "--org-account-quota", "1001", "--clock", "adjustable")
    yield nodes
    stop_nodes(nodes)


def test_the_nodes_serve_one_twin(pair):
    a, b = pair
    # The second node found the default account the first one made, and its key.
    assert (a.access_key, a.secret_key) == (b.access_key, b.secret_key)
    for node in pair:
        assert root(node)("sts").get_caller_identity()["Account"] == "123456789012"
        assert health(node)["store"].startswith("postgres://")
    # Exactly one node leads the background work.
    assert sorted(health(node)["leadsBackgroundWork"] for node in pair) == [False, True]


def test_a_write_on_one_node_decides_the_next_request_on_the_other(pair):
    a, b = pair
    account, key, secret = signup(a)
    # The sign-up's root key works on the other node at once.
    assert client(b, "sts", key, secret).get_caller_identity()["Account"] == account
    iam_a = client(a, "iam", key, secret)
    for round_ in range(10):
        name = "user%d" % round_
        iam_a.create_user(UserName=name)
        iam_a.attach_user_policy(UserName=name,
                                 PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        made = iam_a.create_access_key(UserName=name)["AccessKey"]
        user_key, user_secret = made["AccessKeyId"], made["SecretAccessKey"]
        iam_b = client(b, "iam", user_key, user_secret)
        # A key made through A works on B, and B caches what it decided.
        assert iam_b.get_user()["User"]["UserName"] == name
        iam_b.list_users()
        # A denies through A: B's next request is denied.
        iam_a.put_user_policy(UserName=name, PolicyName="deny-list", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}]}))
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            iam_b.list_users()
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
        # The key deleted through A: B refuses it on the next request.
        iam_a.delete_access_key(UserName=name, AccessKeyId=user_key)
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            iam_b.get_user()
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_the_clock_moves_on_every_node(pair):
    a, b = pair
    _, key, secret = signup(a)
    # Session credentials good for 15 minutes, used on B (which keeps their expiry in memory).
    session = client(b, "sts", key, secret).get_session_token(DurationSeconds=900)["Credentials"]
    on_b = client(b, "sts", session["AccessKeyId"], session["SecretAccessKey"],
                  session["SessionToken"])
    on_b.get_caller_identity()
    # The clock moved through A: on B the credentials have expired with the next request.
    before = advance(a, 1)
    moved = advance(a, 1000)
    assert moved >= before + 1000
    with pytest.raises(botocore.exceptions.ClientError) as expired:
        on_b.get_caller_identity()
    assert expired.value.response["Error"]["Code"] == "ExpiredToken"
    # B goes on from where A moved the clock, and A from where B did.
    assert advance(b, 1) >= moved + 1
    assert advance(a, 1) >= moved + 2


def test_a_thousand_accept_handshake_races_over_two_nodes(pair):
    a, b = pair
    management, key, secret = signup(a)
    status, body = raw_call(a, key, secret, "CreateOrganization", {"FeatureSet": "ALL"})
    assert status == 200, body

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        members = list(pool.map(lambda i: signup(pair[i % 2]), range(1000)))

        def invite(i):
            status, body = raw_call(pair[i % 2], key, secret, "InviteAccountToOrganization",
                                    {"Target": {"Type": "ACCOUNT", "Id": members[i][0]}})
            assert status == 200, body
            return body["Handshake"]["Id"]

        handshakes = list(pool.map(invite, range(1000)))

        # Each handshake is accepted through both nodes at the same moment.
        def race(i):
            _, member_key, member_secret = members[i]
            start = threading.Barrier(2)

            def accept(node):
                start.wait()
                return raw_call(node, member_key, member_secret, "AcceptHandshake",
                                {"HandshakeId": handshakes[i]})

            with concurrent.futures.ThreadPoolExecutor(2) as racers:
                return list(racers.map(accept, pair))

        outcomes = list(pool.map(race, range(1000)))

    for i, answers in enumerate(outcomes):
        won = [body for status, body in answers if status == 200]
        lost = [body for status, body in answers if status != 200]
        assert len(won) == 1, (handshakes[i], answers)
        assert won[0]["Handshake"]["State"] == "ACCEPTED"
        assert lost[0]["__type"].endswith("HandshakeAlreadyInStateException"), answers
    orgs = client(b, "organizations", key, secret)
    listed = [account["Id"] for page in orgs.get_paginator("list_accounts").paginate()
              for account in page["Accounts"]]
    assert sorted(listed) == sorted([management] + [member[0] for member in members])


@pytest.fixture(scope="module")
def quota_pair():
    nodes = start_nodes(2)  # AWS's default quota: 10 accounts per organization
    yield nodes
    stop_nodes(nodes)


def test_create_account_on_two_nodes_never_goes_over_the_quota(quota_pair):
    _, key, secret = signup(quota_pair[0])
    status, body = raw_call(quota_pair[0], key, secret, "CreateOrganization",
                            {"FeatureSet": "ALL"})
    assert status == 200, body

    def create(i):
        return raw_call(quota_pair[i % 2], key, secret, "CreateAccount", {
            "Email": "quota-%d-%d@example.com" % (os.getpid(), i), "AccountName": "q%d" % i})

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(create, range(30)))
    requests = []
    for status, body in answers:
        assert status == 200, body
        requests.append(body["CreateAccountStatus"]["Id"])
    orgs = client(quota_pair[1], "organizations", key, secret)

    def settled():
        states = [orgs.describe_create_account_status(CreateAccountRequestId=request)
                  ["CreateAccountStatus"] for request in requests]
        return states if all(s["State"] != "IN_PROGRESS" for s in states) else None

    states = wait_for(settled)
    assert states, "create-account requests still in progress"
    succeeded = [s for s in states if s["State"] == "SUCCEEDED"]
    failed = [s for s in states if s["State"] == "FAILED"]
    # The management account and nine created ones fill the quota of ten, whichever node took
    # which request; every other request failed for the quota.
    assert len(succeeded) == 9
    assert {s["FailureReason"] for s in failed} == {"ACCOUNT_LIMIT_EXCEEDED"}
    assert len(orgs.list_accounts()["Accounts"]) == 10


def test_kill9_of_one_node_mid_load_loses_no_acknowledged_write():
    a, b = start_nodes(1)[0], None
    try:
        # A leads the background work before B exists; B joins the same database.
        assert health(a)["leadsBackgroundWork"] is True
        b = OrgtwinServer("--store", a.extra_args[a.extra_args.index("--store") + 1]).start()
        assert health(b)["leadsBackgroundWork"] is False

        acknowledged = {a.endpoint: [], b.endpoint: []}
        after_kill = []
        killed = threading.Event()
        stop = threading.Event()

        def load(worker):
            iam = {node.endpoint: root(node)("iam") for node in (a, b)}
            for i in itertools.count():
                if stop.is_set():
                    return
                node = (a, b)[i % 2]
                name = "load-%d-%d" % (worker, i)
                try:
                    iam[node.endpoint].create_user(UserName=name)
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
                    continue  # not acknowledged: the node is gone, or was going
                acknowledged[node.endpoint].append(name)
                if killed.is_set():
                    after_kill.append(name)

        workers = [threading.Thread(target=load, args=(w,)) for w in range(6)]
        for worker in workers:
            worker.start()
        assert wait_for(lambda: len(acknowledged[a.endpoint]) >= 100, timeout=60)
        a.kill9()
        killed.set()
        # B goes on serving writes after A died.
        assert wait_for(lambda: len(after_kill) >= 100, timeout=60), "B stopped serving"
        stop.set()
        for worker in workers:
            worker.join()

        iam_b = root(b)("iam")
        stored = {user["UserName"] for page in iam_b.get_paginator("list_users").paginate()
                  for user in page["Users"]}
        for node, names in acknowledged.items():
            missing = [name for name in names if name not in stored]
            assert not missing, "acknowledged by %s, then lost: %s" % (node, missing[:5])

        # The dead node's lead passed to B: it delivers SNS mail now.
        assert wait_for(lambda: health(b)["leadsBackgroundWork"], timeout=30)
        sns = root(b)("sns")
        topic = sns.create_topic(Name="after-failover")["TopicArn"]
        address = "soc-%d@customer.example" % os.getpid()
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
        assert wait_for(lambda: mailbox(b, address)[1].get("Messages")), "no confirmation mail"
    finally:
        stop_nodes([node for node in (a, b) if node is not None])


def test_a_reset_through_one_node_resets_the_twin_for_every_node(pair):
    a, b = pair
    account, key, secret = signup(b)
    for node in pair:  # both nodes know the key, and B the default root's users
        assert client(node, "sts", key, secret).get_caller_identity()["Account"] == account
    root(b)("iam").create_user(UserName="before-reset")
    assert len(root(b)("iam").list_users()["Users"]) == 1
    status, body = post(a, "/_orgtwin/reset", {}, key=a.access_key, secret=a.secret_key)
    assert status == 200, body
    # B forgets the signed-up account's key with its next request; the default root stays.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client(b, "sts", key, secret).get_caller_identity()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert root(b)("sts").get_caller_identity()["Account"] == "123456789012"
    assert root(b)("iam").list_users()["Users"] == []
