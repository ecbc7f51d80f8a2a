"""The rehearsal of examples/shared-payer.yaml, end to end, checked with boto3.

- `orgtwin rehearse --data D` runs the transfer on an embedded twin; `orgtwin serve --data D` then
  serves what it left, and boto3 (with the profiles the rehearsal wrote) finds the structure the
  file describes; `orgtwin apply` against the served twin changes nothing.
- A rehearsal killed with SIGKILL at a random task and run again reaches the same state as an
  uninterrupted one (accounts, OUs, placements, policies and their targets, roles and trust).
- Task III.7 builds the seed's root-login alerting (an organization trail, an EventBridge rule, an
  SNS topic mailing both parties, the subscriptions confirmed from the mailboxes), and a root
  sign-in to the payer then reaches both parties.
- The engine over HTTPS: `serve --tls-cert/--tls-key`, a certificate made here, AWS_CA_BUNDLE.
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time

import boto3
import botocore.exceptions
import pytest

from mfa_codes import totp
from orgpol_helpers import raw_call
from orgtwin_server import REPO, OrgtwinServer, wait_for
from rehearsal_helpers import (EXAMPLE, add_keys, binary, engine, rehearse, rehearse_command,
                               serve, session, snapshot, variant)
from root_helpers import admin, error_code, mailbox, post, sign_in

def test_rehearsal_leaves_the_structure_of_the_file_and_apply_then_changes_nothing():
    data = tempfile.mkdtemp(prefix="orgtwin-rehearsal-")
    try:
        done = rehearse(data)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No changes. The accounts match the structure file." in done.stdout
        assert "[III.12] customer" in done.stdout
        # I.3: the payer's root user gets the MFA device the custody gives the customer.
        assert "with customer: holds the root user's MFA device" in done.stdout
        assert ":mfa/root-account-mfa-device protects the root user of `payer`" in done.stdout
        server = serve(data)
        try:
            state = snapshot(server.endpoint, data)
            assert state["units"] == ["Security", "Workloads", "Workloads/Dev", "Workloads/Prod"]
            assert state["accounts"] == {
                "Partner Master Payer": ("aws-payer@partner.example", "root"),
                "Customer Production": ("aws-prod@customer.example", "Workloads/Prod"),
                "Customer Development": ("aws-dev@customer.example", "Workloads/Dev"),
            }
            assert state["policies"]["DenyLeaveOrganization"][2] == ["root"]
            assert state["policies"]["RegionGuard"][2] == ["Workloads"]
            assert state["policies"]["CostCenterTags"][0] == "TAG_POLICY"
            assert state["policies"]["CostCenterTags"][2] == ["Workloads/Prod"]
            trust, attached = state["roles"]["CustomerAdmin"]
            statement = trust["Statement"][0]
            assert statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
            assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            assert "arn:aws:iam::aws:policy/AWSOrganizationsFullAccess" in attached
            assert state["roles"]["PartnerBilling"][1] == [
                "arn:aws:iam::aws:policy/job-function/Billing"]

            # The customer reaches the payer only through its role, with MFA (profile files the
            # rehearsal wrote, the virtual device's codes computed from the seed it kept).
            config = open(os.path.join(data, "config")).read()
            assert "role_arn = arn:aws:iam::" in config and "mfa_serial = " in config

            # The member's alternate contacts: the billing contact is the partner's.
            account = session(data, "partner-payer").client("account",
                                                            endpoint_url=server.endpoint)
            billing = account.get_alternate_contact(AlternateContactType="BILLING")
            assert billing["AlternateContact"]["EmailAddress"] == "aws-billing@partner.example"

            # apply against the served twin, with the rehearsal's journal and profiles: nothing.
            env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(data, "credentials"),
                       AWS_CONFIG_FILE=os.path.join(data, "config"))
            # The role profile needs an MFA code: let the engine compute it from the kept seed.
            again = subprocess.run(
                [binary(), "playbook", "run", "transfer", EXAMPLE, "--endpoint", server.endpoint,
                 "--journal", os.path.join(data, "rehearsal.state.json"), "--twin-data", data],
                capture_output=True, text=True, timeout=60, env=env)
            assert again.returncode == 0, again.stdout + again.stderr
            assert "(done in an earlier run)" in again.stdout
            applied = subprocess.run(
                [binary(), "apply", EXAMPLE, "--endpoint", server.endpoint, "--journal",
                 os.path.join(data, "rehearsal.state.json"), "--twin-data", data],
                capture_output=True, text=True, timeout=60, env=env)
            assert applied.returncode == 0, applied.stdout + applied.stderr
            assert applied.stdout.startswith("No changes."), applied.stdout

            # A change the file does not make is put back, by its owner: the partner's billing
            # role loses its policy, plan shows it, apply restores it, and plan is clean again.
            payer_iam = session(data, "partner-payer").client("iam", endpoint_url=server.endpoint)
            payer_iam.detach_role_policy(RoleName="PartnerBilling",
                                         PolicyArn="arn:aws:iam::aws:policy/job-function/Billing")
            plan = subprocess.run(
                [binary(), "plan", EXAMPLE, "--endpoint", server.endpoint, "--journal",
                 os.path.join(data, "rehearsal.state.json"), "--twin-data", data],
                capture_output=True, text=True, timeout=60, env=env)
            assert plan.returncode == 0, plan.stdout + plan.stderr
            assert "account payer, as partner:" in plan.stdout
            assert "~ role PartnerBilling: attach arn:aws:iam::aws:policy/job-function/Billing" \
                in plan.stdout
            assert "Plan: 0 to create, 1 to change, 0 to remove." in plan.stdout
            fixed = subprocess.run(
                [binary(), "apply", EXAMPLE, "--endpoint", server.endpoint, "--journal",
                 os.path.join(data, "rehearsal.state.json"), "--twin-data", data],
                capture_output=True, text=True, timeout=60, env=env)
            assert "Applied: 0 created, 1 changed, 0 removed." in fixed.stdout, fixed.stdout
            assert payer_iam.list_attached_role_policies(RoleName="PartnerBilling")[
                "AttachedPolicies"][0]["PolicyName"] == "Billing"
        finally:
            server.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_the_rehearsal_alerts_both_parties_on_a_root_login():
    data = tempfile.mkdtemp(prefix="orgtwin-rehearsal-")
    try:
        done = rehearse(data)
        assert done.returncode == 0, done.stdout + done.stderr
        line = next(l for l in done.stdout.splitlines() if l.startswith("[III.7 ]"))
        assert line.rstrip().endswith("done"), done.stdout
        server = serve(data)
        try:
            payer = session(data, "partner-payer")
            client = lambda name: payer.client(name, endpoint_url=server.endpoint)
            trail = client("cloudtrail").describe_trails(trailNameList=["organization-trail"])
            assert trail["trailList"][0]["IsOrganizationTrail"] is True
            assert client("cloudtrail").get_trail_status(Name="organization-trail")["IsLogging"]
            events = client("events")
            pattern = json.loads(events.describe_rule(Name="root-login-alerts")["EventPattern"])
            assert pattern["detail"]["userIdentity"]["type"] == ["Root"]
            topic = events.list_targets_by_rule(Rule="root-login-alerts")["Targets"][0]["Arn"]
            subscriptions = client("sns").list_subscriptions_by_topic(TopicArn=topic)
            confirmed = {s["Endpoint"] for s in subscriptions["Subscriptions"]
                         if s["SubscriptionArn"] != "PendingConfirmation"}
            addresses = {"soc@customer.example", "aws-accounts@partner.example"}
            assert confirmed == addresses

            # Somebody tries the payer's root user: both teams are told.
            payer_id = topic.split(":")[4]
            status, _ = sign_in(server, Email="aws-payer@partner.example",
                                Password="guessing-Pa55word!")
            assert status != 200

            def alerted(address):
                status, body = mailbox(server, address)
                assert status == 200, body
                for message in body.get("Messages", []):
                    text = message["Body"].split("\n--\n")[0].strip()
                    try:
                        event = json.loads(text)
                    except ValueError:
                        continue
                    if (event.get("detail-type") == "AWS Console Sign In via CloudTrail"
                            and event["account"] == payer_id):
                        return event
                return None
            for address in addresses:
                event = wait_for(lambda: alerted(address))
                assert event, "no alert mailed to " + address
                assert event["detail"]["responseElements"]["ConsoleLogin"] == "Failure"
        finally:
            server.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def billing_paths(server, credentials, payer_id):
    """What `credentials` (temporary) get from every billing path of the payer: Cost Explorer by
    linked account, the invoices, and adding a payment method. {path: result or error code}."""
    key, secret, token = (credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"])
    ce = boto3.client("ce", endpoint_url=server.endpoint, region_name="us-east-1",
                      aws_access_key_id=key, aws_secret_access_key=secret,
                      aws_session_token=token)
    out = {}
    try:
        now = time.time()
        costs = ce.get_cost_and_usage(
            TimePeriod={"Start": time.strftime("%Y-%m-%d", time.gmtime(now - 86400)),
                        "End": time.strftime("%Y-%m-%d", time.gmtime(now + 86400))},
            Granularity="MONTHLY", Metrics=["UnblendedCost"],
            GroupBy=[{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}])
        out["costs"] = sorted(g["Keys"][0] for r in costs["ResultsByTime"] for g in r["Groups"])
    except botocore.exceptions.ClientError as error:
        out["costs"] = error.response["Error"]["Code"]
    # The invoicing API is newer than Debian's botocore: a signed call of its own.
    status, answer = raw_call(
        server, key, secret, "ListInvoiceSummaries",
        {"Selector": {"ResourceType": "ACCOUNT_ID", "Value": payer_id}}, service="invoicing",
        target_prefix="Invoicing", json_version="1.0", token=token)
    out["invoices"] = len(answer["InvoiceSummaries"]) if status == 200 else error_code(answer)
    status, answer = post(server, "/_orgtwin/accounts/payment-method", {}, key, secret, token)
    out["payment"] = "added" if status == 200 else error_code(answer)
    return out


def test_in_the_seeds_payer_the_partner_reads_every_bill_and_the_customer_none():
    """The seed's promise about billing, on the rehearsed world: the partner's billing role sees
    the costs of every linked account and the invoices and may pay; the customer's SOC role
    (CustomerAdmin) gets no invoice, cost or payment data by any path."""
    data = tempfile.mkdtemp(prefix="orgtwin-billing-")
    try:
        done = rehearse(data)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "invoice(s) of `customer-mgmt` archived in" in done.stdout
        server = serve(data)
        try:
            payer_org = session(data, "partner-payer").client("organizations",
                                                              endpoint_url=server.endpoint)
            accounts = [a["Id"] for a in payer_org.list_accounts()["Accounts"]]
            payer_id = payer_org.describe_organization()["Organization"]["MasterAccountId"]
            records = [{"AccountId": a, "Service": "Amazon Elastic Compute Cloud - Compute",
                        "UsageType": "BoxUsage:t3.micro", "UsageQuantity": 10} for a in accounts]
            # Last quarter's usage of the payer, so that an invoice is issued.
            records.append(dict(records[0], AccountId=payer_id, Time=time.time() - 70 * 86400))
            status, body = admin(server, "/_orgtwin/billing/usage", {"Records": records})
            assert status == 200, body
            step = int(time.time()) // 30

            # The partner's billing clerk (partner-home) with a new virtual MFA device, as the
            # partner's own administrator would set it up, assumes PartnerBilling.
            home = session(data, "partner")
            home_iam = home.client("iam", endpoint_url=server.endpoint)
            device = home_iam.create_virtual_mfa_device(VirtualMFADeviceName="billing-clerk")
            serial = device["VirtualMFADevice"]["SerialNumber"]
            seed = device["VirtualMFADevice"]["Base32StringSeed"].decode()
            home_iam.enable_mfa_device(UserName="billing-clerk", SerialNumber=serial,
                                       AuthenticationCode1=totp(seed, step - 2),
                                       AuthenticationCode2=totp(seed, step - 1))
            key = home_iam.create_access_key(UserName="billing-clerk")["AccessKey"]
            clerk_sts = boto3.client("sts", endpoint_url=server.endpoint,
                                     region_name="us-east-1",
                                     aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"])
            partner = clerk_sts.assume_role(
                RoleArn="arn:aws:iam::%s:role/PartnerBilling" % payer_id,
                RoleSessionName="clerk", SerialNumber=serial,
                TokenCode=totp(seed, step))["Credentials"]

            # The customer's payer-admin, with the device the rehearsal made for it (II.1).
            devices = [line.split() for line in open(os.path.join(data, "mfa-devices"))
                       if line.startswith("arn:") and "root-account-mfa-device" not in line]
            serial, seed, last = devices[0][0], devices[0][1], int(devices[0][2])
            source = session(data, "customer-payer-source")
            customer = source.client("sts", endpoint_url=server.endpoint).assume_role(
                RoleArn="arn:aws:iam::%s:role/CustomerAdmin" % payer_id, RoleSessionName="soc",
                SerialNumber=serial, TokenCode=totp(seed, max(step, last + 1)))["Credentials"]

            assert billing_paths(server, partner, payer_id) == {
                "costs": sorted(accounts), "invoices": 1, "payment": "added"}
            assert billing_paths(server, customer, payer_id) == {
                "costs": "AccessDeniedException", "invoices": "AccessDeniedException",
                "payment": "AccessDeniedException"}
        finally:
            server.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def task_states(journal_path):
    try:
        with open(journal_path) as f:
            return json.load(f).get("playbooks", {}).get("transfer", {})
    except (OSError, ValueError):
        return {}


def test_a_rehearsal_killed_at_a_random_task_resumes_to_the_same_state():
    seed = int(os.environ.get("ORGTWIN_TEST_SEED", time.time()))
    rng = random.Random(seed)
    tasks = ["I.1", "I.2", "I.3", "I.4", "I.6", "I.7", "I.8", "II.1", "II.2", "III.1", "III.2", "III.3",
             "III.5", "III.9", "III.10", "III.11", "III.12"]
    target = rng.choice(tasks)
    print("seed", seed, "kill at task", target)
    whole = tempfile.mkdtemp(prefix="orgtwin-whole-")
    killed = tempfile.mkdtemp(prefix="orgtwin-killed-")
    try:
        assert rehearse(whole).returncode == 0
        journal = os.path.join(killed, "rehearsal.state.json")
        process = subprocess.Popen(rehearse_command(killed),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if target in task_states(journal):
                process.kill()  # SIGKILL: no cleanup, no flush
                break
        process.wait()
        state = task_states(journal).get(target, {}).get("status")
        assert state in ("running", "done", "manual", "waiting"), (seed, target, state)
        resumed = rehearse(killed)
        assert resumed.returncode == 0, (seed, target, resumed.stdout + resumed.stderr)

        def state_of(data):
            server = serve(data)
            try:
                snap = snapshot(server.endpoint, data)
            finally:
                server.stop()
            # Trust documents as text (dicts of lists compare fine, but a diff reads better).
            for name, (trust, attached) in snap["roles"].items():
                snap["roles"][name] = (json.dumps(trust, sort_keys=True), attached)
            return snap

        assert state_of(killed) == state_of(whole), (seed, target)
    finally:
        shutil.rmtree(whole, ignore_errors=True)
        shutil.rmtree(killed, ignore_errors=True)


def without_section(path, section):
    with open(path) as f:
        lines = f.read().splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.startswith("["):
            skipping = line.strip() == "[" + section + "]"
        if not skipping:
            kept.append(line)
    with open(path, "w") as f:
        f.write("\n".join(kept) + "\n")


def test_an_account_signed_up_by_a_run_killed_before_it_saved_the_keys_is_recovered_by_email():
    # The state a SIGKILL between the sign-up's commit and the profile's write leaves: the payer
    # exists on the twin, but neither the profile nor the journal knows it.
    data = tempfile.mkdtemp(prefix="orgtwin-signup-kill-")
    try:
        assert rehearse(data).returncode == 0
        journal_path = os.path.join(data, "rehearsal.state.json")
        with open(journal_path) as f:
            journal = json.load(f)
        payer_id = journal["accounts"].pop("payer")
        journal["playbooks"]["transfer"]["I.1"] = {"status": "running"}
        with open(journal_path, "w") as f:
            json.dump(journal, f)
        without_section(os.path.join(data, "credentials"), "partner-payer")
        without_section(os.path.join(data, "config"), "profile partner-payer")

        resumed = rehearse(data)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "recovered the root user of `payer`, " + payer_id in resumed.stdout
        server = serve(data)
        try:
            root = session(data, "partner-payer")
            sts = root.client("sts", endpoint_url=server.endpoint)
            assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::%s:root" % payer_id
            # The key the stopped run never saved is gone: the root keeps only the new one.
            iam = root.client("iam", endpoint_url=server.endpoint)
            keys = iam.list_access_keys()["AccessKeyMetadata"]
            assert [k["AccessKeyId"] for k in keys] == [root.get_credentials().access_key]
            # The reset went through the root email, as on AWS.
            status, body = mailbox(server, "aws-payer@partner.example")
            assert status == 200, body
            subjects = [m["Subject"] for m in body["Messages"]]
            assert "Amazon Web Services password assistance" in subjects
        finally:
            server.stop()
        with open(journal_path) as f:
            assert json.load(f)["accounts"]["payer"] == payer_id
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_the_engine_reaches_a_twin_over_https_with_aws_ca_bundle():
    work = tempfile.mkdtemp(prefix="orgtwin-tls-")
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    server = OrgtwinServer("--tls-cert", cert, "--tls-key", key).start()
    data = os.path.join(work, "profiles")
    try:
        assert server.endpoint.startswith("https://")
        env = dict(os.environ, AWS_CA_BUNDLE=cert)
        done = subprocess.run([binary(), "rehearse", EXAMPLE, "--endpoint", server.endpoint,
                               "--data", data], capture_output=True, text=True, timeout=120,
                              env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No changes. The accounts match the structure file." in done.stdout
        # Without the bundle the engine refuses the self-signed certificate: plan says what it
        # could not read and fails. (AWS_MAX_ATTEMPTS=1, as the CLI reads it: a refused
        # certificate is a connection error, which the SDKs retry with backoff.)
        env.pop("AWS_CA_BUNDLE")
        env["AWS_MAX_ATTEMPTS"] = "1"
        env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(data, "credentials")
        env["AWS_CONFIG_FILE"] = os.path.join(data, "config")
        refused = subprocess.run([binary(), "plan", EXAMPLE, "--endpoint", server.endpoint,
                                  "--journal", os.path.join(data, "rehearsal.state.json")],
                                 capture_output=True, text=True, timeout=60, env=env)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "could not read:" in refused.stdout
        assert "certificate" in refused.stdout.lower(), refused.stdout
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_a_missing_profile_is_named_at_its_place_and_nothing_is_applied():
    work = tempfile.mkdtemp(prefix="orgtwin-variant-")
    data = os.path.join(work, "data")
    try:
        assert rehearse(data).returncode == 0
        structure, line = variant(work, "payer: customer-payer", "payer: customer-payer-gone")
        server = serve(data)
        try:
            iam = session(data, "partner-payer").client("iam", endpoint_url=server.endpoint)
            billing = "arn:aws:iam::aws:policy/job-function/Billing"
            iam.detach_role_policy(RoleName="PartnerBilling", PolicyArn=billing)
            applied = engine("apply", structure, server, data)
            assert applied.returncode == 1, applied.stdout + applied.stderr
            assert "nothing applied" in applied.stderr
            assert structure + ":" + str(line) + ":14: party `customer` cannot act in account " \
                "`payer` with profile `customer-payer-gone`" in applied.stderr, applied.stderr
            # The partner's drift, which apply would have fixed first, is still there.
            assert iam.list_attached_role_policies(RoleName="PartnerBilling")[
                "AttachedPolicies"] == []
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_a_change_its_owner_may_not_make_fails_with_access_denied_and_the_owner_named():
    work = tempfile.mkdtemp(prefix="orgtwin-variant-")
    data = os.path.join(work, "data")
    try:
        assert rehearse(data).returncode == 0
        # The partner now acts in the payer as an IAM user with no permissions.
        structure, _ = variant(work, "payer: partner-payer", "payer: payer-intern")
        server = serve(data)
        try:
            iam = session(data, "partner-payer").client("iam", endpoint_url=server.endpoint)
            iam.create_user(UserName="intern")
            key = iam.create_access_key(UserName="intern")["AccessKey"]
            add_keys(data, "payer-intern", key)
            applied = engine("apply", structure, server, data)
            assert applied.returncode == 1, applied.stdout + applied.stderr
            assert "party `partner` in account `payer`: iam " in applied.stderr, applied.stderr
            assert "AccessDenied" in applied.stderr
            assert "User: arn:aws:iam::" in applied.stderr and ":user/intern is not authorized" \
                in applied.stderr

            # A profile that acts in another account than the file says is refused before any
            # change: the partner's home keys given for the payer.
            wrong, _ = variant(os.path.join(work, "w"), "payer: partner-payer", "payer: partner")
            refused = engine("apply", wrong, server, data)
            assert refused.returncode == 1
            assert "with profile `partner`: it acts in account 111122223333, not in " \
                in refused.stderr, refused.stderr
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_terminate_gives_the_customer_its_accounts_back_and_removes_the_partners_access():
    data = tempfile.mkdtemp(prefix="orgtwin-terminate-")
    try:
        assert rehearse(data).returncode == 0
        server = serve(data)
        try:
            env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(data, "credentials"),
                       AWS_CONFIG_FILE=os.path.join(data, "config"))
            # An observer in the payer with read-only access, made before the partner gives the
            # root user up (afterwards nobody the test knows of is the payer's root).
            root = session(data, "partner-payer")
            root_iam = root.client("iam", endpoint_url=server.endpoint)
            payer_id = root.client("sts", endpoint_url=server.endpoint).get_caller_identity()[
                "Account"]
            root_iam.create_user(UserName="observer")
            root_iam.attach_user_policy(UserName="observer",
                                        PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
            key = root_iam.create_access_key(UserName="observer")["AccessKey"]
            observer = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"],
                                     region_name="us-east-1")

            command = [binary(), "playbook", "run", "terminate", EXAMPLE, "--endpoint",
                       server.endpoint, "--journal", os.path.join(data, "rehearsal.state.json"),
                       "--twin-data", data]
            ended = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
            assert ended.returncode == 0, ended.stdout + ended.stderr
            assert "7 done, 0 done earlier, 0 manual, 0 waiting" in ended.stdout, ended.stdout
            # T.1: the payer's invoices, which billed the members' usage, archived first.
            assert "invoice(s) of `payer` archived in" in ended.stdout
            manifest = os.path.join(data, "invoices", "payer", "manifest.json")
            assert os.path.exists(manifest), os.listdir(os.path.join(data, "invoices"))
            customer = session(data, "customer").client("organizations",
                                                        endpoint_url=server.endpoint)
            back = {a["Name"] for a in customer.list_accounts()["Accounts"]}
            assert back == {"Customer Management", "Customer Production", "Customer Development"}
            orgs = observer.client("organizations", endpoint_url=server.endpoint)
            assert [a["Name"] for a in orgs.list_accounts()["Accounts"]] == [
                "Partner Master Payer"]
            roles = observer.client("iam", endpoint_url=server.endpoint).list_roles()["Roles"]
            assert "PartnerBilling" not in {r["RoleName"] for r in roles}
            account = observer.client("account", endpoint_url=server.endpoint)
            with pytest.raises(account.exceptions.ResourceNotFoundException):
                account.get_alternate_contact(AlternateContactType="BILLING")
            # T.7: the root user is the customer's: its email is the customer's SOC list, the
            # reset link for the customer's own password went there, and the partner's root
            # keys are gone.
            assert orgs.describe_account(AccountId=payer_id)["Account"]["Email"] == (
                "soc@customer.example")
            status, inbox = mailbox(server, "soc@customer.example", "customer")
            assert status == 200, inbox
            assert any("password" in m["Subject"] for m in inbox["Messages"]), inbox
            with pytest.raises(botocore.exceptions.ClientError) as refused:
                root.client("sts", endpoint_url=server.endpoint).get_caller_identity()
            assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
            # Run again: every task is done; nothing fails, nothing repeats.
            again = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
            assert again.returncode == 0, again.stdout + again.stderr
            assert again.stdout.count("(done in an earlier run)") == 7
        finally:
            server.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_a_member_account_to_be_created_is_made_by_the_organization_and_placed():
    work = tempfile.mkdtemp(prefix="orgtwin-variant-")
    data = os.path.join(work, "data")
    try:
        structure, _ = variant(
            work, "\norganization:\n",
            "\n  customer-sandbox:\n    owner: customer\n    name: Customer Sandbox\n"
            "    email: aws-sandbox@customer.example\n    create: true\n"
            "\norganization:\n")
        text = open(structure).read().replace(
            "    customer-dev: Workloads/Dev\n",
            "    customer-dev: Workloads/Dev\n    customer-sandbox: Workloads/Dev\n")
        with open(structure, "w") as f:
            f.write(text)
        done = rehearse(data, structure=structure)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "`customer-sandbox` created as " in done.stdout
        server = serve(data)
        try:
            state = snapshot(server.endpoint, data)
            assert state["accounts"]["Customer Sandbox"] == ("aws-sandbox@customer.example",
                                                             "Workloads/Dev")
        finally:
            server.stop()
        # A second run finds it (the journal has its ID) and creates nothing.
        again = rehearse(data, structure=structure)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "No changes. The accounts match the structure file." in again.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
