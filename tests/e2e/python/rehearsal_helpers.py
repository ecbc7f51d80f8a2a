"""Helpers of the engine's suites (rehearse, import): run the orgtwin binary, serve a rehearsal's
data directory, and read the payer's organization and IAM through boto3 as one snapshot.

The snapshot names everything by name (OU paths, account names, policy names), never by ID, so
two twins built separately -- an uninterrupted rehearsal and a resumed one, an organization and
the rehearsal of its import -- compare equal when they hold the same structure.
"""
import json
import os
import shutil
import subprocess

import boto3

from orgtwin_server import REPO, OrgtwinServer, postgres_database_of

EXAMPLE = os.path.join(REPO, "examples", "shared-payer.yaml")


def binary():
    return OrgtwinServer().binary


def rehearse_command(data_dir, structure=EXAMPLE):
    """The command line of `orgtwin rehearse` of `structure` into `data_dir`. On the PostgreSQL
    runs (ORGTWIN_E2E_STORE=postgres) the twin goes into the database that stands for
    `data_dir`, which a server later started on `data_dir` serves."""
    store = []
    if os.environ.get("ORGTWIN_E2E_STORE") == "postgres":
        store = ["--store", postgres_database_of(data_dir)]
    return [binary(), "rehearse", structure, "--data", data_dir, *store]


def rehearse(data_dir, *extra, env=None, structure=EXAMPLE):
    """`orgtwin rehearse` of the example (or `structure`) into `data_dir` (rehearse_command)."""
    return subprocess.run(rehearse_command(data_dir, structure) + list(extra),
                          capture_output=True, text=True, timeout=120, env=env)


def variant(work, old, new):
    """A copy of the example (with its policy files) where `old` is replaced by `new`."""
    shutil.copytree(os.path.join(REPO, "examples", "policies"), os.path.join(work, "policies"))
    text = open(EXAMPLE).read()
    assert old in text
    path = os.path.join(work, "variant.yaml")
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))
    return path, text[:text.index(old)].count("\n") + 1


def engine(command, structure, server, data, *extra):
    """An engine command (plan, apply, verify) on a served rehearsal's twin and profiles."""
    env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(data, "credentials"),
               AWS_CONFIG_FILE=os.path.join(data, "config"))
    return subprocess.run(
        [binary(), command, structure, "--endpoint", server.endpoint, "--journal",
         os.path.join(data, "rehearsal.state.json"), "--twin-data", data, *extra],
        capture_output=True, text=True, timeout=60, env=env)


def add_keys(data_dir, profile, key):
    """Appends an access key (IAM's AccessKey shape) as `profile` to `data_dir`'s credentials."""
    with open(os.path.join(data_dir, "credentials"), "a") as f:
        f.write("\n[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (profile, key["AccessKeyId"], key["SecretAccessKey"]))


def session(data_dir, profile):
    """A boto3 session with `profile` from the profile files of `data_dir` (a rehearsal's)."""
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(data_dir, "credentials")
    os.environ["AWS_CONFIG_FILE"] = os.path.join(data_dir, "config")
    return boto3.Session(profile_name=profile, region_name="us-east-1")


def profile_env(data_dir):
    """The environment of a command that reads `data_dir`'s profile files."""
    return dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(data_dir, "credentials"),
                AWS_CONFIG_FILE=os.path.join(data_dir, "config"))


def serve(data_dir, *extra):
    """`orgtwin serve --data data_dir`, started; the caller stops it."""
    server = OrgtwinServer(*extra)
    shutil.rmtree(server.data_dir, ignore_errors=True)
    server.data_dir = data_dir
    return server.start()


def snapshot(endpoint, data_dir, profile="partner-payer"):
    """The payer's organization and IAM by names, through the API, as `profile` sees it."""
    s = session(data_dir, profile)
    org = s.client("organizations", endpoint_url=endpoint)
    iam = s.client("iam", endpoint_url=endpoint)
    root = org.list_roots()["Roots"][0]
    names = {root["Id"]: "root"}
    units = []

    def walk(parent, path):
        for ou in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]:
            names[ou["Id"]] = path + ou["Name"]
            units.append(path + ou["Name"])
            walk(ou["Id"], path + ou["Name"] + "/")

    walk(root["Id"], "")
    accounts = {}
    for account in org.list_accounts()["Accounts"]:
        parent = org.list_parents(ChildId=account["Id"])["Parents"][0]["Id"]
        accounts[account["Name"]] = (account["Email"], names[parent])
    policies = {}
    for kind in ("SERVICE_CONTROL_POLICY", "TAG_POLICY"):
        for policy in org.list_policies(Filter=kind)["Policies"]:
            if policy["AwsManaged"]:
                continue
            content = org.describe_policy(PolicyId=policy["Id"])["Policy"]["Content"]
            targets = sorted(names.get(t["TargetId"], t["Name"]) for t in
                             org.list_targets_for_policy(PolicyId=policy["Id"])["Targets"])
            policies[policy["Name"]] = (kind, json.loads(content), targets)
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        attached = sorted(p["PolicyArn"] for p in
                          iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
        roles[name] = (role["AssumeRolePolicyDocument"], attached)
    return {"units": sorted(units), "accounts": accounts, "policies": policies, "roles": roles,
            "types": sorted(t["Type"] for t in root["PolicyTypes"] if t["Status"] == "ENABLED")}
