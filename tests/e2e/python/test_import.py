"""`orgtwin import`: an organization read through the API into a structure file, checked by
rehearsing the file and comparing the copy with the original.

- `orgtwin rehearse examples/shared-payer.yaml --data D`, `orgtwin serve --data D`: the original.
- `orgtwin import --profile partner-payer --endpoint URL -o F` (the payer's root keys from D's
  profile files) reads it. F loads, and `orgtwin plan F` against the same twin, with a journal of
  its own that is empty, finds nothing to change: every ID is in the file.
- `orgtwin rehearse F --data D2` makes a twin a copy of the organization (its management
  account signed up with its ID, the organization created, the members invited and accepted)
  and runs the transfer playbook on it; served, D2 holds the same OUs, accounts in the same OUs,
  policies with the same content and targets, and roles with the same trust and policies as D.
- From a member account, import refuses and names the management account.
"""
import configparser
import json
import os
import shutil
import subprocess
import tempfile

from orgtwin_server import REPO
from rehearsal_helpers import binary, profile_env, serve, session, snapshot

EXAMPLE = os.path.join(REPO, "examples", "shared-payer.yaml")


def run(*args, env=None):
    return subprocess.run([binary(), *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_an_imported_organization_plans_clean_and_rehearses_into_the_same_structure():
    work = tempfile.mkdtemp(prefix="orgtwin-import-")
    original, copy = os.path.join(work, "original"), os.path.join(work, "copy")
    imported = os.path.join(work, "imported.yaml")
    try:
        done = run("rehearse", EXAMPLE, "--data", original)
        assert done.returncode == 0, done.stdout + done.stderr
        server = serve(original)
        try:
            env = profile_env(original)
            # The production member has IAM of its own and a profile import can use for it
            # (`PROFILE-ACCOUNT_KEY`: here its root keys); the development member has neither.
            prod = session(original, "customer-prod").client("iam", endpoint_url=server.endpoint)
            prod.create_role(RoleName="Deployer", AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action":
                 "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}}]}))
            prod.attach_role_policy(RoleName="Deployer",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
            keys = configparser.ConfigParser()
            keys.read(os.path.join(original, "credentials"))
            with open(os.path.join(original, "credentials"), "a") as f:
                f.write("\n[partner-payer-customer-production]\naws_access_key_id = %s\n"
                        "aws_secret_access_key = %s\n" % (
                            keys["customer-prod"]["aws_access_key_id"],
                            keys["customer-prod"]["aws_secret_access_key"]))
            read = run("import", "--profile", "partner-payer", "--endpoint", server.endpoint,
                       "-o", imported, env=env)
            assert read.returncode == 0, read.stdout + read.stderr
            text = open(imported).read()
            # What is left out is said at the top; IDs are quoted; one party, the profile given.
            assert text.startswith("# Imported by `orgtwin import --profile partner-payer`")
            assert "Not imported: the IAM of customer-development (no usable profile" in text
            assert "  customer-production:\n    roles:\n      - name: Deployer" in text, text
            assert 'id: "210987654322"' in text
            assert "profile: partner-payer\n" in text
            assert "customer-production: partner-payer-customer-production" in text
            assert "management_account: partner-master-payer" in text
            assert "customer-production: Workloads/Prod" in text
            assert "AWSServiceRoleFor" not in text  # service-linked roles are AWS's

            # The file loads and describes the twin as it is: no change, nothing unread.
            journal = os.path.join(work, "plan.state.json")
            plan = run("plan", imported, "--endpoint", server.endpoint, "--journal", journal,
                       env=env)
            assert plan.returncode == 0, plan.stdout + plan.stderr
            assert plan.stdout.startswith("No changes. The accounts match the structure file."), \
                plan.stdout
            assert not os.path.exists(journal) or '"accounts": {}' in open(journal).read()
            before = snapshot(server.endpoint, original)

            # From a member account (customer-prod's root keys) import refuses, and names the
            # management account; no file is written.
            member = os.path.join(work, "member.yaml")
            refused = run("import", "--profile", "customer-prod", "--endpoint", server.endpoint,
                          "-o", member, env=env)
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert "import reads an organization from its management account" in refused.stderr
            assert not os.path.exists(member)
        finally:
            server.stop()

        rehearsed = run("rehearse", imported, "--data", copy)
        assert rehearsed.returncode == 0, rehearsed.stdout + rehearsed.stderr
        assert "No changes. The accounts match the structure file." in rehearsed.stdout
        # One party: the tasks about another party's role say there is nothing to do.
        assert "no party acts in another's account through a role" in rehearsed.stdout
        server = serve(copy)
        try:
            after = snapshot(server.endpoint, copy)
        finally:
            server.stop()
        assert after == before
        assert after["units"] == ["Security", "Workloads", "Workloads/Dev", "Workloads/Prod"]
        assert after["accounts"]["Customer Production"][1] == "Workloads/Prod"
        assert after["policies"]["RegionGuard"][2] == ["Workloads"]
        assert "CustomerAdmin" in after["roles"]
        # The member's IAM came along: the copy's production account has the role.
        server = serve(copy)
        try:
            copied = session(copy, "partner-payer-customer-production").client(
                "iam", endpoint_url=server.endpoint)
            role = copied.get_role(RoleName="Deployer")["Role"]
            assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
                "AWS": "arn:aws:iam::210987654321:root"}
            attached = copied.list_attached_role_policies(RoleName="Deployer")["AttachedPolicies"]
            assert [p["PolicyName"] for p in attached] == ["ReadOnlyAccess"]
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

