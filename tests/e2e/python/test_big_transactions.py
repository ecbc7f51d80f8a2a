"""Transactions the API can cause at any size must complete (issue 16, "Big transactions").

A reset deletes every row of the twin in the one transaction of the call. It used to fail with
"sqlite: database or disk is full" once a savepoint's sub-journal outgrew what the unix VFS writes
in one call, and the twin could not reset again until restarted on a new data directory. These
tests build the two worlds the issue names, at AWS's own limits or past them with the quota raised
explicitly, reset them over the wire, and check that the twin is whole and usable afterwards.
"""
import json
import os
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from orgtwin_server import OrgtwinServer
from test_reset import post, signed_headers

TRUST_EC2 = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})


def client(server, service):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key,
                        config=Config(max_pool_connections=16, retries={"max_attempts": 1}))


def reset(server):
    url = server.endpoint + "/_orgtwin/reset"
    return post(url, signed_headers(server, url))


def count(client_, operation, key, **kwargs):
    return sum(len(page[key]) for page in client_.get_paginator(operation).paginate(**kwargs))


def test_reset_after_a_thousand_roles_completes_and_again():
    # 1,000 roles is IAM's default quota of roles per account: the largest IAM a user can build.
    srv = OrgtwinServer().start()
    try:
        iam = client(srv, "iam")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: iam.create_role(RoleName=f"role-{i:04d}",
                                                    AssumeRolePolicyDocument=TRUST_EC2),
                          range(1000)))
        assert count(iam, "list_roles", "Roles") == 1000

        assert reset(srv) == (200, {"status": "ok"})
        assert count(iam, "list_roles", "Roles") == 0
        # The quota counts from zero again, and a second reset of a full account works too
        # (the failure used to leave the twin unable to reset at all).
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: iam.create_role(RoleName=f"again-{i:04d}",
                                                    AssumeRolePolicyDocument=TRUST_EC2),
                          range(1000)))
        assert reset(srv) == (200, {"status": "ok"})
        assert count(iam, "list_roles", "Roles") == 0
    finally:
        srv.cleanup()


def test_reset_after_ten_thousand_accounts_completes():
    # AWS's default is 10 accounts per organization; this world needs 10,001, so the quota is
    # raised explicitly for it.
    srv = OrgtwinServer("--org-account-quota", "10001").start()
    try:
        org = client(srv, "organizations")
        org.create_organization(FeatureSet="ALL")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: org.create_account(Email=f"member-{i}@example.com",
                                                       AccountName=f"member-{i}"),
                          range(10000)))
        assert count(org, "list_accounts", "Accounts") == 10001
        database_bytes = os.path.getsize(os.path.join(srv.data_dir, "orgtwin.db"))
        assert database_bytes > 1 << 20  # the world really is on disk

        assert reset(srv) == (200, {"status": "ok"})
        try:
            org.describe_organization()
            raise AssertionError("the organization survived the reset")
        except org.exceptions.AWSOrganizationsNotInUseException:
            pass
        # The reset account is whole: its root key still acts, and a new organization starts
        # from one account.
        sts = client(srv, "sts")
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        org.create_organization(FeatureSet="ALL")
        assert count(org, "list_accounts", "Accounts") == 1
        assert reset(srv) == (200, {"status": "ok"})
    finally:
        srv.cleanup()
