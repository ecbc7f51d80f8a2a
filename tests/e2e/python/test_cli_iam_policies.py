"""IAM roles and managed policies through Debian's AWS CLI v2 (/usr/bin/aws), configured only
through the credentials/config files the server writes: a role whose trust policy comes from a
file:// argument, managed policy versions and their DeleteConflict refusals, and the CLI's own
paginator (--page-size / --max-items / --starting-token, and single raw pages with
--no-paginate) over the server's Marker/IsTruncated."""
import json
import re

from cli_helpers import fails, in_parallel, ok

ACCOUNT = "123456789012"
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
S3_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
     "Action": "sts:AssumeRole"}]}


def write_trust_file(server, name, document):
    path = "%s/%s.json" % (server.data_dir, name)
    with open(path, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    return path


def test_role_from_trust_file_and_policy_versions(server):
    path = write_trust_file(server, "trust", TRUST_ACCOUNT)
    role = ok(server, "iam", "create-role", "--role-name", "cli-app", "--path", "/app/",
              "--assume-role-policy-document", "file://" + path, "--description", "from a file",
              "--max-session-duration", "7200")["Role"]
    assert role["Arn"] == "arn:aws:iam::%s:role/app/cli-app" % ACCOUNT
    assert re.match(r"^AROA[A-Z0-9]{17}$", role["RoleId"])
    got = ok(server, "iam", "get-role", "--role-name", "cli-app")["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST_ACCOUNT
    assert got["MaxSessionDuration"] == 7200 and got["Description"] == "from a file"
    fails(server, "MalformedPolicyDocument", "iam", "update-assume-role-policy", "--role-name",
          "cli-app", "--policy-document", '{"Version":"2012-10-17","Statement":[]}')

    policy = ok(server, "iam", "create-policy", "--policy-name", "cli-s3", "--policy-document",
                S3_READ, "--description", "versions")["Policy"]
    arn = policy["Arn"]
    assert arn == "arn:aws:iam::%s:policy/cli-s3" % ACCOUNT
    assert policy["DefaultVersionId"] == "v1" and policy["AttachmentCount"] == 0
    v2 = ok(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document",
            S3_ALL, "--set-as-default")["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True
    versions = ok(server, "iam", "list-policy-versions", "--policy-arn", arn)["Versions"]
    assert {v["VersionId"]: v["IsDefaultVersion"] for v in versions} == {"v1": False, "v2": True}
    v1 = ok(server, "iam", "get-policy-version", "--policy-arn", arn,
            "--version-id", "v1")["PolicyVersion"]
    assert v1["Document"] == json.loads(S3_READ)
    err = fails(server, "DeleteConflict", "iam", "delete-policy-version", "--policy-arn", arn,
                "--version-id", "v2")
    assert "Cannot delete the default version of a policy." in err
    ok(server, "iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v1")
    ok(server, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")
    assert ok(server, "iam", "get-policy", "--policy-arn", arn)["Policy"]["DefaultVersionId"] == "v1"

    ok(server, "iam", "attach-role-policy", "--role-name", "cli-app", "--policy-arn", arn)
    fails(server, "DeleteConflict", "iam", "delete-policy", "--policy-arn", arn)
    entities = ok(server, "iam", "list-entities-for-policy", "--policy-arn", arn)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["cli-app"]
    fails(server, "DeleteConflict", "iam", "delete-role", "--role-name", "cli-app")
    ok(server, "iam", "detach-role-policy", "--role-name", "cli-app", "--policy-arn", arn)
    ok(server, "iam", "delete-policy", "--policy-arn", arn)
    ok(server, "iam", "delete-role", "--role-name", "cli-app")
    fails(server, "NoSuchEntity", "iam", "get-role", "--role-name", "cli-app")


def test_cli_paginator(server):
    path = write_trust_file(server, "trust-pages", TRUST_ACCOUNT)
    names = ["cli-page-%d" % i for i in range(5)]
    in_parallel(lambda name: ok(server, "iam", "create-role", "--role-name", name, "--path",
                                "/pages/", "--assume-role-policy-document", "file://" + path),
                names)
    # Without paging options the CLI follows the server's markers to the end.
    everything = ok(server, "iam", "list-roles", "--path-prefix", "/pages/", "--page-size", "2")
    assert [r["RoleName"] for r in everything["Roles"]] == names
    assert "NextToken" not in everything

    # --max-items stops the CLI paginator part-way; its NextToken wraps the server's Marker.
    first = ok(server, "iam", "list-roles", "--path-prefix", "/pages/", "--page-size", "2",
               "--max-items", "3")
    assert [r["RoleName"] for r in first["Roles"]] == names[:3]
    token = first["NextToken"]
    rest = ok(server, "iam", "list-roles", "--path-prefix", "/pages/", "--page-size", "2",
              "--starting-token", token)
    assert [r["RoleName"] for r in rest["Roles"]] == names[3:]
    assert "NextToken" not in rest

    # A single raw page: IsTruncated and Marker as the server sent them.
    raw = ok(server, "iam", "list-roles", "--path-prefix", "/pages/", "--no-paginate",
             "--max-items", "2")
    assert raw["IsTruncated"] is True and raw["Marker"]
    assert [r["RoleName"] for r in raw["Roles"]] == names[:2]
    page2 = ok(server, "iam", "list-roles", "--path-prefix", "/pages/", "--no-paginate",
               "--max-items", "10", "--marker", raw["Marker"])
    assert [r["RoleName"] for r in page2["Roles"]] == names[2:]
    assert page2["IsTruncated"] is False and "Marker" not in page2
