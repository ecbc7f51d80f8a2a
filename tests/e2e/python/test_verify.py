"""`orgtwin verify`: who can do what, proved from the state a rehearsal of the example left.

- On the example the seed's own claims are checked: the customer cannot read the payer's
  invoices, the partner can; and verify finds where the rehearsed state lets a party do more than
  the seed claims (the partner holds the payer's root keys, so it acts as root alone although the
  customer holds the root's MFA device; either party can switch off the root-login alerting). A
  failing claim exits 1 and is named.
- The custody analysis follows the factors: give the root email's mailbox to the customer and the
  customer, not the partner, reaches the root user alone.
- Each privilege-escalation edge is found when a policy grants it (positive) and not when the
  same action is granted only on the principal itself or withheld (negative).
"""
import json
import os
import shutil
import tempfile
import time

import pytest

from mfa_codes import totp
from rehearsal_helpers import EXAMPLE, add_keys, engine, rehearse, serve, session, variant


def verify_json(structure, server, data):
    out = os.path.join(data, "verify-test.json")
    done = engine("verify", structure, server, data, "--json", out)
    with open(out) as f:
        return done, json.load(f)


def cell(report, party, account, capability):
    for c in report["cells"]:
        if (c["party"], c["account"], c["capability"]) == (party, account, capability):
            return c
    raise AssertionError((party, account, capability))


def claim(report, text):
    return next(c for c in report["claims"] if c["text"] == text)


@pytest.fixture
def rehearsed():
    work = tempfile.mkdtemp(prefix="orgtwin-verify-")
    data = os.path.join(work, "data")
    done = rehearse(data)
    assert done.returncode == 0, done.stdout + done.stderr
    # The rehearsal prints verify's matrix and keeps its report.
    assert "== 5. verify" in done.stdout and "Capability matrix" in done.stdout
    assert os.path.exists(os.path.join(data, "verify.json"))
    server = serve(data)
    try:
        yield work, data, server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_the_example_proves_the_billing_split_and_finds_where_the_state_leaks(rehearsed):
    _, data, server = rehearsed
    done, report = verify_json(EXAMPLE, server, data)
    assert done.returncode == 1, done.stdout + done.stderr
    # The seed's billing split holds, each with its evidence.
    assert claim(report, "customer cannot read invoices")["holds"]
    assert claim(report, "partner can read invoices")["holds"]
    assert claim(report, "customer can administer the organization")["holds"]
    org = cell(report, "customer", "payer", "administer_organization")
    assert org["verdict"] == "allowed"
    assert org["principal"].endswith(":role/CustomerAdmin")
    assert any("assumes role" in step and "with MFA" in step for step in org["chain"])
    assert any("AWSOrganizationsFullAccess" in s for s in org["statements"])
    assert cell(report, "customer", "payer", "read_billing")["verdict"] == "denied"
    assert cell(report, "customer", "payer", "administer_iam")["verdict"] == "denied"
    # Where the rehearsed state lets the partner do more than the seed claims, found from it.
    failed = claim(report, "neither party alone can sign in as root")
    assert not failed["holds"] and any("partner in `payer`" in e for e in failed["evidence"])
    assert "FAILS  neither party alone can sign in as root" in done.stdout
    titles = [f["title"] for f in report["findings"]]
    assert "partner holds access keys of the root user of `payer` (profile `partner-payer`)" \
        in titles
    payer = next(c for c in report["coalitions"] if c["account"] == "payer")
    assert ["partner"] in payer["minimal"]
    assert "the root user has access keys" in payer["notes"]
    assert any(t.startswith("customer alone can stop or change the alerting in `payer`")
               for t in titles)
    assert report["findings"][0]["severity"] == 3  # ranked: root first
    assert report["decisions"] > 0 and report["api_calls"] > 0


def test_custody_follows_the_factors_a_party_holds(rehearsed):
    work, data, server = rehearsed
    structure, _ = variant(work, "root_email_mailbox: partner", "root_email_mailbox: customer")
    done, report = verify_json(structure, server, data)
    payer = next(c for c in report["coalitions"] if c["account"] == "payer")
    # The root user has no password, and the customer holds its MFA device (task I.3): with the
    # mailbox too, the customer alone resets the password and signs in.
    assert ["customer"] in payer["minimal"], payer
    assert ["partner"] not in payer["minimal"], payer
    assert any(f["title"].startswith("customer alone can sign in as the root user of `payer`")
               for f in report["findings"])


def test_a_claim_the_file_words_wrongly_is_named_and_fails(rehearsed):
    work, data, server = rehearsed
    structure, _ = variant(work, "  - partner can read invoices",
                           "  - partner can read invoices\n  - partner can fly to the moon\n"
                           "  - partner can read invoices in nowhere")
    done, report = verify_json(structure, server, data)
    assert done.returncode == 1
    bad = claim(report, "partner can fly to the moon")
    assert not bad["understood"]
    assert "NOT UNDERSTOOD  partner can fly to the moon" in done.stdout
    nowhere = claim(report, "partner can read invoices in nowhere")
    assert not nowhere["understood"]
    assert nowhere["evidence"] == ["`nowhere` is not an account of the file"]


# Each escalation edge: the intern's policy that grants it (positive), one that does not
# (negative), the targets the test makes, and the words the edge is reported with.
ANY = "*"
EDGES = [
    ("iam:CreateAccessKey", "user/boss", "user/intern", "creates an access key for"),
    ("iam:CreateLoginProfile", "user/boss", "user/intern", "sets the console password of"),
    ("iam:UpdateAssumeRolePolicy", "role/Boss", None, "rewrites the trust policy of"),
    ("iam:PutUserPolicy", "user/intern", "user/boss", "attaches a policy to itself"),
    ("iam:CreatePolicyVersion", "policy/InternPolicy", "policy/Other",
     "writes a new default version of its policy"),
]


@pytest.mark.parametrize("action,granted,withheld,how", EDGES,
                         ids=[e[0].split(":")[1] for e in EDGES])
def test_each_escalation_edge_is_found_when_granted_and_only_then(rehearsed, action, granted,
                                                                  withheld, how):
    work, data, server = rehearsed
    # The partner acts in the payer as an IAM user, `intern`, instead of with the root keys.
    structure, _ = variant(work, "payer: partner-payer", "payer: payer-intern")
    root = session(data, "partner-payer")
    iam = root.client("iam", endpoint_url=server.endpoint)
    payer_id = root.client("sts", endpoint_url=server.endpoint).get_caller_identity()["Account"]
    iam.create_user(UserName="intern")
    # Verify reads the payer's IAM as the partner, now the intern: read-only, no escalation.
    iam.attach_user_policy(UserName="intern",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.create_user(UserName="boss")
    iam.attach_user_policy(UserName="boss",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_role(RoleName="Boss", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    iam.attach_role_policy(RoleName="Boss",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    add_keys(data, "payer-intern", key)
    intern_arn = "arn:aws:iam::%s:user/intern" % payer_id

    def grant(resource):
        document = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": action,
            "Resource": "arn:aws:iam::%s:%s" % (payer_id, resource)}]}
        if action == "iam:CreatePolicyVersion":
            # The intern's own customer managed policy carries the grant.
            for name in ("InternPolicy", "Other"):
                arn = "arn:aws:iam::%s:policy/%s" % (payer_id, name)
                try:
                    iam.detach_user_policy(UserName="intern", PolicyArn=arn)
                    iam.delete_policy(PolicyArn=arn)
                except iam.exceptions.NoSuchEntityException:
                    pass
            arn = iam.create_policy(PolicyName="InternPolicy",
                                    PolicyDocument=json.dumps(document))["Policy"]["Arn"]
            iam.attach_user_policy(UserName="intern", PolicyArn=arn)
        else:
            iam.put_user_policy(UserName="intern", PolicyName="grant",
                                PolicyDocument=json.dumps(document))

    def edges():
        done, report = verify_json(structure, server, data)
        return [e for e in report["escalations"] if e["from"] == intern_arn]

    grant(granted)
    found = edges()
    assert any(e["how"].startswith(how) and e["party"] == "partner" for e in found), found
    if withheld is None:
        iam.delete_user_policy(UserName="intern", PolicyName="grant")
    else:
        grant(withheld)
    assert not any(e["how"].startswith(how) for e in edges())


def test_a_role_passed_to_a_service_that_runs_code_is_an_edge(rehearsed):
    work, data, server = rehearsed
    structure, _ = variant(work, "payer: partner-payer", "payer: payer-intern")
    root = session(data, "partner-payer")
    iam = root.client("iam", endpoint_url=server.endpoint)
    payer_id = root.client("sts", endpoint_url=server.endpoint).get_caller_identity()["Account"]
    for name, service in (("Runner", "ec2.amazonaws.com"), ("Idle", "example.amazonaws.com")):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": service}}]}))
    iam.create_user(UserName="intern")
    iam.attach_user_policy(UserName="intern",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.put_user_policy(UserName="intern", PolicyName="pass", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    add_keys(data, "payer-intern", key)
    _, report = verify_json(structure, server, data)
    hows = [e["how"] for e in report["escalations"]
            if e["from"] == "arn:aws:iam::%s:user/intern" % payer_id]
    # Only the role EC2 may assume is reached; the other trusts no service that runs code.
    assert any(h.startswith("passes arn:aws:iam::%s:role/Runner to ec2.amazonaws.com" % payer_id)
               for h in hows), hows
    assert not any(":role/Idle" in h for h in hows), hows


def test_the_seeds_claims_hold_once_the_payer_root_is_under_split_custody(rehearsed):
    """What the seed asks for, finished on the rehearsed state: the payer's root has the MFA
    device the customer holds (task I.3 of the rehearsal), its access keys go, and the partner
    acts in the payer only through PartnerBilling (billing-clerk's keys, with MFA). Every claim
    then holds and verify exits 0; the alerting leak stays, as it is the seed's own design."""
    work, data, server = rehearsed
    root = session(data, "partner-payer")
    iam = root.client("iam", endpoint_url=server.endpoint)
    payer_id = root.client("sts", endpoint_url=server.endpoint).get_caller_identity()["Account"]
    keys = root.get_credentials()
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1  # task I.3
    step = int(time.time()) // 30 - 1
    # The partner's billing clerk, with its own MFA device, assumes PartnerBilling.
    home = session(data, "partner").client("iam", endpoint_url=server.endpoint)
    clerk = home.create_access_key(UserName="billing-clerk")["AccessKey"]
    clerk_device = home.create_virtual_mfa_device(
        VirtualMFADeviceName="billing-clerk")["VirtualMFADevice"]
    clerk_seed = clerk_device["Base32StringSeed"]
    clerk_seed = clerk_seed.decode() if isinstance(clerk_seed, bytes) else clerk_seed
    home.enable_mfa_device(UserName="billing-clerk", SerialNumber=clerk_device["SerialNumber"],
                           AuthenticationCode1=totp(clerk_seed, step),
                           AuthenticationCode2=totp(clerk_seed, step + 1))
    add_keys(data, "billing-clerk", clerk)
    with open(os.path.join(data, "config"), "a") as f:
        f.write("\n[profile partner-billing]\nrole_arn = arn:aws:iam::%s:role/PartnerBilling\n"
                "source_profile = billing-clerk\nmfa_serial = %s\n"
                % (payer_id, clerk_device["SerialNumber"]))
    structure, _ = variant(work, "payer: partner-payer", "payer: partner-billing")
    # Without the root keys no party of the seed's design can read the payer's IAM (the Billing
    # policy and CustomerAdmin's policies have no IAM reads), and verify proves nothing there:
    # CustomerAdmin gets IAM read-only, which changes no claim.
    iam.attach_role_policy(RoleName="CustomerAdmin",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    # Last, the root's access keys go (the root deletes its own).
    iam.delete_access_key(AccessKeyId=keys.access_key)

    done, report = verify_json(structure, server, data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(c["holds"] for c in report["claims"]), report["claims"]
    payer = next(c for c in report["coalitions"] if c["account"] == "payer")
    assert payer["minimal"] == [["customer", "partner"]], payer
    billing = cell(report, "partner", "payer", "read_billing")
    assert billing["principal"].endswith(":role/PartnerBilling")
    assert any("with MFA" in step for step in billing["chain"])
    assert cell(report, "partner", "payer", "act_as_root")["verdict"] == "denied"
    titles = [f["title"] for f in report["findings"]]
    assert not any(f["severity"] == 3 and "`payer`" in f["title"] for f in report["findings"])
    # The seed's own design still lets the customer silence the partner's root-login alerts.
    assert any(t.startswith("customer alone can stop or change the alerting in `payer`")
               for t in titles)


def test_a_cannot_claim_about_an_account_no_party_can_read_is_not_proved(rehearsed):
    work, data, server = rehearsed
    # The partner acts in the payer as an intern with no permission at all; CustomerAdmin has no
    # IAM reads either: nobody reads the payer's IAM.
    structure, _ = variant(work, "payer: partner-payer", "payer: payer-intern")
    iam = session(data, "partner-payer").client("iam", endpoint_url=server.endpoint)
    iam.create_user(UserName="intern")
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    add_keys(data, "payer-intern", key)
    done, report = verify_json(structure, server, data)
    assert done.returncode == 1
    assert any(u.startswith("the IAM of `payer`") for u in report["unread"]), report["unread"]
    iam_claim = claim(report, "partner cannot administer IAM in payer, customer-mgmt, "
                              "customer-prod and customer-dev")
    assert not iam_claim["holds"]
    assert "the IAM of `payer` could not be read, so the claim is not proved there" \
        in iam_claim["evidence"]
