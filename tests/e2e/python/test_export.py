"""`orgtwin export` of examples/shared-payer.yaml, end to end (docs/export.md).

A rehearsal (`orgtwin rehearse --data D`) creates the payer on an embedded twin and records its ID
in its journal (D/rehearsal.state.json), which export reads with --journal. Then:
- iam-json: every file parses, the index lists each, the organization's policies are the file's,
  and the trust and policy documents are those the rehearsal's apply wrote on the twin;
- cloudformation: every template passes the CloudFormation validator of tests/e2e/export
  (cfn-lint with AWS's current resource specification; validate_templates.cjs), which rejects a
  broken one;
- cli: `bash -n` accepts the script; run with a stand-in `aws` that records its arguments, each
  step runs as its owner's profile with whole arguments, and without a known payer ID the script
  stops before its first step;
- bad input (an unknown format, a bad --account) exits 2 with a message.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from orgtwin_server import REPO
from rehearsal_helpers import binary, serve, snapshot

EXAMPLE = os.path.join(REPO, "examples", "shared-payer.yaml")
VALIDATOR_DIR = os.path.join(REPO, "tests", "e2e", "export")
CUSTOMER_MGMT = "210987654321"
PARTNER_HOME = "111122223333"


def export(fmt, out_dir, *extra, structure=EXAMPLE):
    return subprocess.run([binary(), "export", structure, "--format", fmt, "-o", out_dir, *extra],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def example_copy():
    """The example in a directory of its own, so no journal of an earlier run sits beside it."""
    path = tempfile.mkdtemp(prefix="orgtwin-export-example-")
    shutil.copytree(os.path.join(REPO, "examples"), path, dirs_exist_ok=True)
    yield os.path.join(path, "shared-payer.yaml")
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def rehearsal():
    """(data dir, journal, payer ID, the twin's state as snapshot() reads it)."""
    data = tempfile.mkdtemp(prefix="orgtwin-export-")
    try:
        done = subprocess.run([binary(), "rehearse", EXAMPLE, "--data", data],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
        journal = os.path.join(data, "rehearsal.state.json")
        with open(journal) as f:
            payer_id = json.load(f)["accounts"]["payer"]
        assert re.fullmatch(r"\d{12}", payer_id)
        server = serve(data)
        try:
            state = snapshot(server.endpoint, data)
        finally:
            server.stop()
        yield data, journal, payer_id, state
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def out_dir():
    path = tempfile.mkdtemp(prefix="orgtwin-export-out-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def load(path):
    with open(path) as f:
        return json.load(f)


def validate(*templates):
    node = shutil.which("node")
    assert node, "node not found (scripts/install-deps.sh installs it)"
    assert os.path.isdir(os.path.join(VALIDATOR_DIR, "node_modules", "cfn-lint")), \
        "the CloudFormation validator is not installed: run scripts/install-deps.sh"
    return subprocess.run([node, os.path.join(VALIDATOR_DIR, "validate_templates.cjs"), *templates],
                          capture_output=True, text=True, timeout=120)


def test_iam_json_holds_the_files_documents_and_what_apply_wrote(rehearsal, out_dir):
    _, journal, payer_id, state = rehearsal
    done = export("iam-json", out_dir, "--journal", journal)
    assert done.returncode == 0, done.stderr
    assert "placeholder" not in done.stderr

    index = load(os.path.join(out_dir, "index.json"))
    assert index["structure"] == "shared-payer"
    assert index["unknown_account_ids"] == []
    assert index["accounts"]["payer"]["id"] == payer_id
    written = set()
    for root, _, files in os.walk(out_dir):
        for name in files:
            path = os.path.relpath(os.path.join(root, name), out_dir)
            load(os.path.join(out_dir, path))  # every file is JSON
            written.add(path)
    listed = [entry["file"] for entry in index["documents"]]
    assert sorted(listed) == sorted(written - {"index.json"})

    documents = {entry["file"]: (entry, load(os.path.join(out_dir, entry["file"])))
                 for entry in index["documents"]}
    # Trust policies: what the rehearsal's apply wrote on the twin, the same documents.
    for role in ("CustomerAdmin", "PartnerBilling"):
        _, trust = documents[f"payer/roles/{role}/trust-policy.json"]
        applied, _ = state["roles"][role]
        assert trust == applied, role
    principal = documents["payer/roles/CustomerAdmin/trust-policy.json"][1]["Statement"][0]
    assert principal["Principal"] == {"AWS": f"arn:aws:iam::{CUSTOMER_MGMT}:root"}
    assert principal["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    # may_assume: the roles' ARNs in the payer, with its ID from the journal.
    _, may_assume = documents["customer-mgmt/users/payer-admin/inline/MayAssumeStructureRoles.json"]
    assert may_assume["Statement"][0]["Resource"] == f"arn:aws:iam::{payer_id}:role/CustomerAdmin"

    # The organization's policies: the file's documents, as the twin holds them, with targets.
    policies = {entry["policy_name"]: (entry, content) for entry, content in documents.values()
                if entry["kind"] == "organization-policy"}
    assert sorted(policies) == ["CostCenterTags", "DenyLeaveOrganization", "RegionGuard"]
    for name, file_name in (("DenyLeaveOrganization", "deny-leave-organization.json"),
                            ("RegionGuard", "region-guard.json")):
        entry, content = policies[name]
        assert content == load(os.path.join(REPO, "examples", "policies", file_name))
        assert entry["type"] == "SERVICE_CONTROL_POLICY"
    assert policies["CostCenterTags"][1] == {"tags": {"costcenter": {"tag_key": {
        "@@assign": "CostCenter"}}}}
    for name, (kind, content, targets) in state["policies"].items():
        entry, exported = policies[name]
        assert (entry["type"], exported) == (kind, content), name
        names = sorted("root" if t.get("root") else t.get("ou") or t.get("account")
                       for t in entry["targets"])
        assert names == targets, name


def test_cloudformation_templates_pass_the_validator(rehearsal, out_dir):
    _, journal, payer_id, _ = rehearsal
    done = export("cloudformation", out_dir, "--journal", journal)
    assert done.returncode == 0, done.stderr
    templates = sorted(os.path.join(out_dir, name) for name in os.listdir(out_dir))
    assert [os.path.basename(t) for t in templates] == [
        "customer-mgmt.template.json", "partner-home.template.json",
        "payer.organization.template.json", "payer.template.json"]
    checked = validate(*templates)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": valid (0 critical") == len(templates), checked.stdout

    customer = load(os.path.join(out_dir, "customer-mgmt.template.json"))
    assert "Parameters" not in customer  # every ID known
    user = customer["Resources"]["UserPayerAdmin"]["Properties"]
    assert user["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] == \
        f"arn:aws:iam::{payer_id}:role/CustomerAdmin"
    organization = load(os.path.join(out_dir, "payer.organization.template.json"))
    assert list(organization["Parameters"]) == ["OrganizationRootId"]
    types = sorted(r["Type"] for r in organization["Resources"].values())
    assert types == ["AWS::Organizations::OrganizationalUnit"] * 4 + \
        ["AWS::Organizations::Policy"] * 3
    for logical_id in list(organization["Resources"]) + list(organization["Parameters"]):
        assert re.fullmatch(r"[A-Za-z0-9]+", logical_id)

    # The validator is not a rubber stamp: a template with a property its type lacks, or a
    # reference to nothing, is refused.
    broken = os.path.join(out_dir, "broken.json")
    organization["Resources"]["OuWorkloadsProd"]["Properties"]["ParentId"] = {"Ref": "Nowhere"}
    organization["Resources"]["OuSecurity"]["Properties"]["Colour"] = "blue"
    with open(broken, "w") as f:
        json.dump(organization, f)
    refused = validate(broken)
    assert refused.returncode == 1, refused.stdout
    assert "Colour is not a valid property" in refused.stdout
    assert "Nowhere does not exist" in refused.stdout


def fake_aws(directory):
    """A stand-in `aws` in `directory` that appends its argument list (JSON) to calls.jsonl and
    prints an ID for the steps that keep one."""
    calls = os.path.join(directory, "calls.jsonl")
    script = os.path.join(directory, "aws")
    with open(script, "w") as f:
        f.write(f"#!{sys.executable}\nimport json, sys\n"
                f"with open({calls!r}, 'a') as out:\n"
                "    out.write(json.dumps(sys.argv[1:]) + '\\n')\n"
                "print('fake-id')\n")
    os.chmod(script, 0o755)
    return calls


def option(args, name):
    return args[args.index(name) + 1]


def test_cli_script_runs_each_step_as_its_owner(rehearsal, out_dir):
    _, journal, payer_id, state = rehearsal
    done = export("cli", out_dir, "--journal", journal)
    assert done.returncode == 0, done.stderr
    script = os.path.join(out_dir, "orgtwin-structure.sh")
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", script]).returncode == 0
    text = open(script).read()
    assert "set -euo pipefail" in text
    assert "ACCOUNT_ID_" not in text  # every ID known

    bin_dir = os.path.join(out_dir, "bin")
    os.mkdir(bin_dir)
    calls_file = fake_aws(bin_dir)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    ran = subprocess.run(["bash", script], capture_output=True, text=True, env=env, timeout=60)
    assert ran.returncode == 0, ran.stderr
    calls = [json.loads(line) for line in open(calls_file)]
    steps = re.findall(r"^# step \d+, owner ([a-z-]+) \(account ([a-z-]+)\): ", text, re.M)
    assert len(calls) == len(steps)
    profiles = {("partner", "payer"): "partner-payer", ("customer", "payer"): "customer-payer",
                ("customer", "customer-mgmt"): "customer", ("partner", "partner-home"): "partner"}
    for args, owner_account in zip(calls, steps):
        assert option(args, "--profile") == profiles[owner_account], (args, owner_account)

    by_operation = {}
    for args in calls:
        by_operation.setdefault(tuple(args[:2]), []).append(args)
    # IAM first, then the organization (its administrator acts through a role made there).
    operations = [tuple(args[:2]) for args in calls]
    assert operations.index(("organizations", "create-organization")) > \
        operations.index(("iam", "create-role"))
    for args in by_operation[("iam", "create-role")]:
        applied, _ = state["roles"][option(args, "--role-name")]
        assert json.loads(option(args, "--assume-role-policy-document")) == applied
    contents = {option(a, "--name"): (option(a, "--type"), json.loads(option(a, "--content")))
                for a in by_operation[("organizations", "create-policy")]}
    for name, (kind, content, _) in state["policies"].items():
        assert contents[name] == (kind, content), name
    assert option(by_operation[("organizations", "create-policy")][1], "--description") == \
        "Regional services only in the customer's approved regions"
    units = [option(a, "--name") for a in by_operation[("organizations",
                                                        "create-organizational-unit")]]
    assert units == ["Security", "Workloads", "Prod", "Dev"]
    user_policy = json.loads(option(by_operation[("iam", "put-user-policy")][0],
                                    "--policy-document"))
    assert user_policy["Statement"][0]["Resource"] == f"arn:aws:iam::{payer_id}:role/CustomerAdmin"


def test_cli_script_requires_an_id_it_does_not_know(out_dir, example_copy):
    # No journal beside the example: the payer's ID is unknown.
    done = export("cli", out_dir, structure=example_copy)
    assert done.returncode == 0, done.stderr
    assert "no ID known for payer" in done.stderr
    script = os.path.join(out_dir, "orgtwin-structure.sh")
    assert subprocess.run(["bash", "-n", script]).returncode == 0
    bin_dir = os.path.join(out_dir, "bin")
    os.mkdir(bin_dir)
    calls_file = fake_aws(bin_dir)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    env.pop("ACCOUNT_ID_PAYER", None)
    stopped = subprocess.run(["bash", script], capture_output=True, text=True, env=env)
    assert stopped.returncode != 0
    assert "ACCOUNT_ID_PAYER" in stopped.stderr
    assert not os.path.exists(calls_file)  # stopped before its first step
    env["ACCOUNT_ID_PAYER"] = "999988887777"
    ran = subprocess.run(["bash", script], capture_output=True, text=True, env=env)
    assert ran.returncode == 0, ran.stderr
    assert "arn:aws:iam::999988887777:role/CustomerAdmin" in open(calls_file).read()


def test_cloudformation_without_the_payer_id_takes_it_as_a_parameter(out_dir, example_copy):
    done = export("cloudformation", out_dir, "--account", f"partner-home={PARTNER_HOME}",
                  structure=example_copy)
    assert done.returncode == 0, done.stderr
    customer = load(os.path.join(out_dir, "customer-mgmt.template.json"))
    assert customer["Parameters"]["AccountIdPayer"]["Type"] == "String"
    resource = customer["Resources"]["UserPayerAdmin"]["Properties"]["Policies"][0][
        "PolicyDocument"]["Statement"][0]["Resource"]
    assert resource == {"Fn::Sub": "arn:aws:iam::${AccountIdPayer}:role/CustomerAdmin"}
    templates = [os.path.join(out_dir, name) for name in sorted(os.listdir(out_dir))]
    checked = validate(*templates)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("extra, message", [
    (["--format", "terraform"], "unknown format `terraform` (formats: iam-json, cloudformation, cli)"),
    (["--format", "cli", "--account", "nowhere=123456789012"], "`nowhere` is not an account"),
    (["--format", "cli", "--account", "payer=12"], "not an AWS account ID"),
    (["--format", "cli", "--journal", "/nonexistent/j.json"], "no journal at"),
])
def test_bad_input_exits_2_with_a_message(out_dir, extra, message):
    done = subprocess.run([binary(), "export", EXAMPLE, "-o", out_dir, *extra],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert os.listdir(out_dir) == []
