"""Acknowledged writes survive kill -9 of the server (the brief's "nothing lost"), through the
whole request path: writes are group-committed on the store's writer thread and answered only
after their batch is durable (docs/storage.md). Eight boto3 clients create IAM users as fast as
they can; the server is killed mid-stream with SIGKILL and started again on the same data
directory; every user whose CreateUser was answered 200 must exist, and nothing half-made may
(each user either exists with its tag or not at all)."""
import threading

import boto3
import botocore
from botocore.config import Config

from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                  read_timeout=10)


def iam(server):
    return boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, config=NO_RETRY)


def test_acknowledged_writes_survive_kill9():
    server = OrgtwinServer().start()
    try:
        acknowledged = []
        progress = threading.Condition()
        stop = threading.Event()

        def writer(worker):
            client = iam(server)
            i = 0
            while not stop.is_set():
                name = "durable-%d-%d" % (worker, i)
                i += 1
                try:
                    client.create_user(UserName=name, Tags=[{"Key": "batch", "Value": name}])
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
                    return  # the server is gone
                with progress:
                    acknowledged.append(name)
                    progress.notify_all()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        # Let a few hundred writes through, then kill the server in the middle of the stream.
        with progress:
            progress.wait_for(lambda: len(acknowledged) >= 300, timeout=30)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acknowledged) >= 300

        server.restart()
        client = iam(server)
        present = set()
        for page in client.get_paginator("list_users").paginate():
            present.update(u["UserName"] for u in page["Users"])
        missing = [name for name in acknowledged if name not in present]
        assert missing == [], "acknowledged but lost: %s" % missing[:10]
        # Each surviving user is whole: its tag committed with it (one transaction).
        for name in sorted(present)[:50]:
            tags = client.list_user_tags(UserName=name)["Tags"]
            assert tags == [{"Key": "batch", "Value": name}]
    finally:
        server.cleanup()
