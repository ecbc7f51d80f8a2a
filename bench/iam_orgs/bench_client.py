#!/usr/bin/python3
"""Set-up and client-side timing for scripts/bench_iam_orgs.sh (issues 4 and 5).

Runs under Debian's /usr/bin/python3 (boto3/botocore 1.29). The same code talks to orgtwin and
to moto_server, so the client's own cost is identical on both sides of a ratio.

  bench_client.py iam-setup ENDPOINT KEY SECRET ROLES
      Creates the IAM user `bench-admin` with AdministratorAccess and an access key, the role
      `bench-target` (trusting the account) for AssumeRole, and ROLES-1 roles `bench-role-<i>`
      (ROLES roles in all; with ROLES 0 only the user).
      Prints {"admin_key", "admin_secret", "account_id", "seconds"}.
  bench_client.py accounts-setup ENDPOINT KEY SECRET SERVER COUNT
      COUNT more accounts to spread CreateRole over (AWS caps an account at 1,000 roles). orgtwin:
      standalone accounts from POST /_orgtwin/signup, each with its own `bench-admin`
      (AdministratorAccess) and key. moto: account IDs for its `x-moto-account-id` header, the
      given key. Prints [{"account_id", "key", "secret", "root_key", "root_secret"}, ...].
  bench_client.py org-setup ENDPOINT KEY SECRET
      CreateOrganization (FeatureSet ALL). Prints {"organization_id", "master_account_id"}.
  bench_client.py orgs-setup ENDPOINT KEY SECRET SERVER COUNT
      COUNT more organizations, each with its own management account (accounts-setup) that
      calls CreateOrganization (moto: with its `x-moto-account-id` header). Prints the
      accounts-setup list.
  bench_client.py orgs-count ENDPOINT ORGS_FILE SERVER
      Prints the number of accounts (ListAccounts to the end) of each organization of ORGS_FILE
      (orgs-setup output): a check that every CreateAccount worked.
  bench_client.py org-list ENDPOINT KEY SECRET EXPECTED REPEATS [thin-only]
      Walks ListAccounts (MaxResults 20, the AWS maximum) to the end REPEATS times; fails unless
      every walk returns EXPECTED accounts. Prints the median and min time of one full walk,
      once with boto3 (what an SDK user sees: its parsing costs ~1 ms per page) and once with a
      thin client (botocore's SigV4 signer, http.client on one keep-alive connection, json.loads),
      whose own cost per page is small enough for the server's cost to show. `thin-only` skips
      the boto3 walks (for moto at 10,000 accounts, where one walk takes minutes).
  bench_client.py count-roles ENDPOINT ACCOUNTS_FILE PREFIX SERVER
      Prints how many roles whose name starts with PREFIX exist in the accounts of ACCOUNTS_FILE
      (accounts-setup output, "key"/"secret" used): a check that every CreateRole worked.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

TRUST_ACCOUNT = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::%s:root"},
        "Action": "sts:AssumeRole",
    }],
})


def client(service, endpoint, key, secret):
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=4))


def iam_setup(endpoint, key, secret, roles):
    start = time.monotonic()
    sts = client("sts", endpoint, key, secret)
    account = sts.get_caller_identity()["Account"]
    iam = client("iam", endpoint, key, secret)
    iam.create_user(UserName="bench-admin")
    attached = True
    try:
        iam.attach_user_policy(UserName="bench-admin",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    except iam.exceptions.NoSuchEntityException:
        # moto_server only knows AWS managed policies with MOTO_IAM_LOAD_MANAGED_POLICIES set,
        # and it does not authorize requests anyway: the user's key works without the policy.
        attached = False
    created = iam.create_access_key(UserName="bench-admin")["AccessKey"]
    trust = TRUST_ACCOUNT % account
    if roles > 0:
        iam.create_role(RoleName="bench-target", AssumeRolePolicyDocument=trust)
    # bench-target counts: ROLES roles in all (AWS's default quota is 1,000 per account).
    for i in range(roles - 1):
        iam.create_role(RoleName="bench-role-%d" % i, AssumeRolePolicyDocument=trust,
                        Path="/bench/")
    return {
        "admin_key": created["AccessKeyId"],
        "admin_secret": created["SecretAccessKey"],
        "account_id": account,
        "admin_policy_attached": attached,
        "seconds": time.monotonic() - start,
    }


def accounts_setup(endpoint, key, secret, server, count):
    accounts = []
    for i in range(count):
        if server != "orgtwin":
            accounts.append({"account_id": "%012d" % (100000000000 + i), "key": key,
                             "secret": secret, "root_key": key, "root_secret": secret})
            continue
        body = json.dumps({"Email": "bench-iam-%d@example.com" % i,
                           "AccountName": "bench-iam-%d" % i}).encode()
        request = urllib.request.Request(endpoint + "/_orgtwin/signup", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            root = json.loads(response.read())
        admin = iam_setup(endpoint, root["AccessKeyId"], root["SecretAccessKey"], 0)
        accounts.append({"account_id": root["AccountId"], "key": admin["admin_key"],
                         "secret": admin["admin_secret"], "root_key": root["AccessKeyId"],
                         "root_secret": root["SecretAccessKey"]})
    return accounts


def org_setup(endpoint, key, secret):
    org = client("organizations", endpoint, key, secret)
    out = org.create_organization(FeatureSet="ALL")["Organization"]
    return {"organization_id": out["Id"], "master_account_id": out["MasterAccountId"]}


def as_account(boto_client, server, account_id):
    """moto keeps one backend per account: its `x-moto-account-id` header picks it."""
    if server != "orgtwin":
        def add_header(request, **_):
            request.headers["x-moto-account-id"] = account_id
        boto_client.meta.events.register("before-sign.*.*", add_header)
    return boto_client


def orgs_setup(endpoint, key, secret, server, count):
    accounts = accounts_setup(endpoint, key, secret, server, count)
    for account in accounts:
        org = as_account(client("organizations", endpoint, account["key"], account["secret"]),
                         server, account["account_id"])
        org.create_organization(FeatureSet="ALL")
    return accounts


def orgs_count(endpoint, orgs_file, server):
    with open(orgs_file) as f:
        accounts = json.load(f)
    counts = []
    for account in accounts:
        org = as_account(client("organizations", endpoint, account["key"], account["secret"]),
                         server, account["account_id"])
        counts.append(sum(len(page["Accounts"]) for page in
                          org.get_paginator("list_accounts").paginate()))
    return {"accounts_per_organization": counts}


def walk_accounts(org):
    accounts = pages = 0
    kwargs = {"MaxResults": 20}
    while True:
        page = org.list_accounts(**kwargs)
        pages += 1
        accounts += len(page["Accounts"])
        token = page.get("NextToken")
        if not token:
            return accounts, pages
        kwargs["NextToken"] = token


class ThinOrganizations:
    """ListAccounts over one keep-alive connection, signed by botocore, parsed by json."""

    def __init__(self, endpoint, key, secret):
        self.endpoint = endpoint
        self.host = urllib.parse.urlparse(endpoint).netloc
        self.signer = SigV4Auth(Credentials(key, secret), "organizations", "us-east-1")
        self.conn = http.client.HTTPConnection(self.host)

    def list_accounts(self, **kwargs):
        body = json.dumps(kwargs)
        request = AWSRequest(method="POST", url=self.endpoint + "/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
        })
        self.signer.add_auth(request)
        self.conn.request("POST", "/", body=body, headers=dict(request.headers.items()))
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit("ListAccounts: HTTP %d %s" % (response.status, data[:300]))
        return json.loads(data)


def time_walks(org, expected, repeats):
    org.list_accounts(MaxResults=20)  # warm-up: connection set-up outside the timing
    times = []
    accounts = pages = 0
    for _ in range(repeats):
        start = time.perf_counter()
        accounts, pages = walk_accounts(org)
        times.append(time.perf_counter() - start)
        if accounts != expected:
            raise SystemExit("ListAccounts walk returned %d accounts, expected %d" %
                             (accounts, expected))
    median = statistics.median(times)
    return {
        "accounts": accounts,
        "pages": pages,
        "repeats": repeats,
        "seconds_median": median,
        "seconds_min": min(times),
        "us_per_account": median * 1e6 / accounts,
        "ms_per_page": median * 1e3 / pages,
    }


def org_list(endpoint, key, secret, expected, repeats, with_boto3):
    result = time_walks(ThinOrganizations(endpoint, key, secret), expected, repeats)
    if with_boto3:
        result["boto3"] = time_walks(client("organizations", endpoint, key, secret), expected,
                                     repeats)
    return result


def count_roles(endpoint, accounts_file, prefix, server):
    with open(accounts_file) as f:
        accounts = json.load(f)
    total = 0
    for account in accounts:
        iam = client("iam", endpoint, account["key"], account["secret"])
        if server != "orgtwin":
            def add_header(request, account_id=account["account_id"], **_):
                request.headers["x-moto-account-id"] = account_id
            iam.meta.events.register("before-sign.iam.*", add_header)
        for page in iam.get_paginator("list_roles").paginate(
                PaginationConfig={"PageSize": 1000}):
            total += sum(1 for r in page["Roles"] if r["RoleName"].startswith(prefix))
    return {"roles": total}


def main(argv):
    if len(argv) >= 6 and argv[1] == "count-roles":
        print(json.dumps(count_roles(argv[2], argv[3], argv[4], argv[5])))
        return
    if len(argv) >= 5 and argv[1] == "orgs-count":
        print(json.dumps(orgs_count(argv[2], argv[3], argv[4])))
        return
    if len(argv) < 5:
        raise SystemExit(__doc__)
    command, endpoint, key, secret = argv[1:5]
    rest = argv[5:]
    if command == "iam-setup":
        result = iam_setup(endpoint, key, secret, int(rest[0]))
    elif command == "accounts-setup":
        result = accounts_setup(endpoint, key, secret, rest[0], int(rest[1]))
    elif command == "org-setup":
        result = org_setup(endpoint, key, secret)
    elif command == "orgs-setup":
        result = orgs_setup(endpoint, key, secret, rest[0], int(rest[1]))
    elif command == "org-list":
        result = org_list(endpoint, key, secret, int(rest[0]), int(rest[1]),
                          len(rest) < 3 or rest[2] != "thin-only")
    else:
        raise SystemExit("unknown command %s" % command)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
