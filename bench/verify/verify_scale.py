#!/usr/bin/python3
"""verify end to end at the size issue 15 names, on a served twin: 50 accounts, 500 roles, 200
policies (docs/verify.md, "Performance").

    bench/verify/verify_scale.py [ORGTWIN_BINARY]

Starts `orgtwin serve` on a fresh data directory with the organization account quota raised to
60 (AWS's default is 10; this benchmark needs 50 and says so), signs up the payer, builds the
world through the API with Debian's boto3 -- an organization (SCPs on, five OUs, an SCP on each
OU), 49 accounts from CreateAccount, 10 roles in each account (500; role 0 trusts the payer, the
others role 0 beside them), 200 customer managed policies (four per account, each attached to
two roles) -- and writes a structure file whose customer reaches each member through
OrganizationAccountAccessRole. Then times `orgtwin verify` of it as a whole process with
farm-bench (5 runs, the median is the figure), and prints the decisions verify made.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import boto3

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The e2e suites' server starter (port 0, waits for the banner with a deadline) and poller.
sys.path.insert(0, os.path.join(REPO, "tests", "e2e", "python"))
if len(sys.argv) > 1:
    os.environ["ORGTWIN_BIN"] = sys.argv[1]
from orgtwin_server import OrgtwinServer, wait_for  # noqa: E402

ACCOUNTS, ROLES_PER_ACCOUNT, POLICIES_PER_ACCOUNT = 50, 10, 4


def client(service, endpoint, key, secret, token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def policy(actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def main():
    work = tempfile.mkdtemp(prefix="orgtwin-verify-scale-")
    server = OrgtwinServer("--org-account-quota", "60").start()
    endpoint = server.endpoint
    binary = server.binary
    try:
        signed = json.loads(subprocess.run(
            [binary, "signup", "--endpoint", endpoint, "--email", "payer@partner.example",
             "--name", "Payer"], check=True, capture_output=True, text=True).stdout)
        root_keys = (signed["AccessKeyId"], signed["SecretAccessKey"])
        payer = signed["AccountId"]
        started = time.monotonic()
        iam = client("iam", endpoint, *root_keys)
        iam.create_user(UserName="customer-admin")
        iam.attach_user_policy(UserName="customer-admin",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        admin = iam.create_access_key(UserName="customer-admin")["AccessKey"]
        admin = (admin["AccessKeyId"], admin["SecretAccessKey"])
        org = client("organizations", endpoint, *admin)
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]
        root_id = root["Id"]
        if not any(t["Type"] == "SERVICE_CONTROL_POLICY" and t["Status"] == "ENABLED"
                   for t in root["PolicyTypes"]):
            org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
        units = [org.create_organizational_unit(ParentId=root_id, Name="Unit%d" % u)[
            "OrganizationalUnit"]["Id"] for u in range(5)]
        for u, unit in enumerate(units):
            scp = org.create_policy(Name="Guard%d" % u, Type="SERVICE_CONTROL_POLICY",
                                    Description="bench", Content=json.dumps({
                                        "Version": "2012-10-17", "Statement": [{
                                            "Effect": "Deny", "Action": "iam:DeleteRole%d" % u,
                                            "Resource": "*"}]}))
            org.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=unit)
        members = []
        for a in range(1, ACCOUNTS):
            request = org.create_account(Email="member%d@customer.example" % a,
                                         AccountName="Member %d" % a)["CreateAccountStatus"]

            def finished():
                got = org.describe_create_account_status(
                    CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
                return got if got["State"] != "IN_PROGRESS" else None

            status = wait_for(finished)
            assert status and status["State"] == "SUCCEEDED", (request, status)
            members.append(status["AccountId"])
            org.move_account(AccountId=status["AccountId"], SourceParentId=root_id,
                             DestinationParentId=units[a % 5])
        sts = client("sts", endpoint, *admin)
        for account in [payer] + members:
            if account == payer:
                account_iam = client("iam", endpoint, *admin)
            else:
                c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole"
                                    % account, RoleSessionName="bench")["Credentials"]
                account_iam = client("iam", endpoint, c["AccessKeyId"], c["SecretAccessKey"],
                                     c["SessionToken"])
            arns = [account_iam.create_policy(
                PolicyName="Policy%d" % p,
                PolicyDocument=policy(["s3:*", "ec2:Describe*", "iam:Get*", "sts:AssumeRole"][p]))
                ["Policy"]["Arn"] for p in range(POLICIES_PER_ACCOUNT)]
            for r in range(ROLES_PER_ACCOUNT):
                principal = ("arn:aws:iam::%s:root" % payer if r == 0
                             else "arn:aws:iam::%s:role/Role0" % account)
                account_iam.create_role(RoleName="Role%d" % r, AssumeRolePolicyDocument=trust(principal))
                for p in (r % POLICIES_PER_ACCOUNT, (r + 1) % POLICIES_PER_ACCOUNT):
                    account_iam.attach_role_policy(RoleName="Role%d" % r, PolicyArn=arns[p])
        built = time.monotonic() - started

        # The profiles and the structure file.
        with open(os.path.join(work, "credentials"), "w") as f:
            f.write("[partner-payer]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % root_keys)
            f.write("[customer]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % admin)
        with open(os.path.join(work, "config"), "w") as f:
            for account in members:
                f.write("[profile customer-%s]\nrole_arn = arn:aws:iam::%s:role/"
                        "OrganizationAccountAccessRole\nsource_profile = customer\n"
                        "region = us-east-1\n" % (account, account))
        lines = ["name: verify-scale", "parties:", "  partner:", "    name: Partner",
                 "    profile: partner-payer", "  customer:", "    name: Customer",
                 "    profile: customer", "    profiles:"]
        lines += ["      member%d: customer-%s" % (i, m) for i, m in enumerate(members, 1)]
        lines += ["accounts:", "  payer:", "    owner: customer", "    name: Payer",
                  "    email: payer@partner.example", '    id: "%s"' % payer]
        for i, m in enumerate(members, 1):
            lines += ["  member%d:" % i, "    owner: customer", "    name: Member %d" % i,
                      "    email: member%d@customer.example" % i, '    id: "%s"' % m]
        lines += ["organization:", "  management_account: payer", "  feature_set: ALL",
                  "custody:", "  payer:", "    root_password: partner",
                  "    root_email_mailbox: partner", "    root_mfa: customer",
                  "    phone: customer",
                  "expect:", "  - partner cannot administer IAM in member1",
                  "  - customer can administer the organization"]
        structure = os.path.join(work, "scale.yaml")
        with open(structure, "w") as f:
            f.write("\n".join(lines) + "\n")

        env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "credentials"),
                   AWS_CONFIG_FILE=os.path.join(work, "config"))
        command = [binary, "verify", structure, "--endpoint", endpoint, "--journal",
                   os.path.join(work, "scale.state.json"), "--json",
                   os.path.join(work, "verify.json")]
        once = subprocess.run(command, capture_output=True, text=True, env=env)
        if not os.path.exists(os.path.join(work, "verify.json")):
            sys.exit("verify failed: " + once.stdout[-2000:] + once.stderr[-2000:])
        report = json.load(open(os.path.join(work, "verify.json")))
        print("world: %d accounts, %d roles, %d policies, built in %.1f s through the API" % (
            len(report["accounts"]), sum(a["roles"] for a in report["accounts"]),
            ACCOUNTS * POLICIES_PER_ACCOUNT, built))
        print("verify: exit %d, %d API calls, %d policy decisions, %.3f s inside verify, "
              "%d findings, not read: %d" % (once.returncode, report["api_calls"],
                                             report["decisions"], report["seconds"],
                                             len(report["findings"]), len(report["unread"])))
        if shutil.which("farm-bench"):
            timed = subprocess.run(["farm-bench", "-n", "5", "--timeout", "300", "--"] + command,
                                   capture_output=True, text=True, env=env)
            print(timed.stdout + timed.stderr)
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
