"""IAM and STS through Debian's AWS CLI v2 (/usr/bin/aws), configured only through the
credentials/config files the server writes; other principals come in through the environment,
as a user exports the keys `aws iam create-access-key` or `aws sts assume-role` printed.

Covers a user's whole lifecycle (with the DeleteConflict refusals in the order AWS gives them),
AssumeRole and GetSessionToken with the returned credentials used through env vars, a user
without policy denied with AWS's wording, and errors as the CLI reports them (exit code 254, the
code in stderr). Roles from trust files, policy versions and the CLI paginator are in
test_cli_iam_policies.py (one file per ctest; the CLI's start-up time adds up)."""
import json
import re
from datetime import datetime, timedelta, timezone

from cli_helpers import Keys, fails, ok, run
from mfa_codes import totp

ACCOUNT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
     "Action": "sts:AssumeRole"}]}


def parse_time(text):
    # The CLI prints timestamps in ISO 8601 with an explicit offset.
    return datetime.fromisoformat(text)


def write_trust_file(server, name, document):
    path = "%s/%s.json" % (server.data_dir, name)
    with open(path, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    return path


def test_user_lifecycle(server):
    user = ok(server, "iam", "create-user", "--user-name", "cli-alice", "--path", "/cli/",
              "--tags", "Key=team,Value=blue")["User"]
    assert user["Arn"] == "arn:aws:iam::%s:user/cli/cli-alice" % ACCOUNT
    assert re.match(r"^AIDA[A-Z0-9]{17}$", user["UserId"])
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]
    created = parse_time(user["CreateDate"])
    assert abs(datetime.now(timezone.utc) - created) < timedelta(minutes=5)
    fails(server, "EntityAlreadyExists", "iam", "create-user", "--user-name", "cli-alice")

    ok(server, "iam", "tag-user", "--user-name", "cli-alice", "--tags", "Key=cost,Value=42")
    tags = ok(server, "iam", "list-user-tags", "--user-name", "cli-alice")["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "blue", "cost": "42"}
    ok(server, "iam", "untag-user", "--user-name", "cli-alice", "--tag-keys", "team")
    got = ok(server, "iam", "get-user", "--user-name", "cli-alice")["User"]
    assert got["Tags"] == [{"Key": "cost", "Value": "42"}]
    assert got["UserId"] == user["UserId"]

    key = ok(server, "iam", "create-access-key", "--user-name", "cli-alice")["AccessKey"]
    assert re.match(r"^AKIA[A-Z0-9]{16}$", key["AccessKeyId"])
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    listed = ok(server, "iam", "list-access-keys", "--user-name", "cli-alice")
    assert [k["AccessKeyId"] for k in listed["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed["AccessKeyMetadata"][0]

    ok(server, "iam", "create-group", "--group-name", "cli-devs")
    ok(server, "iam", "add-user-to-group", "--user-name", "cli-alice", "--group-name", "cli-devs")
    group = ok(server, "iam", "get-group", "--group-name", "cli-devs")
    assert [u["UserName"] for u in group["Users"]] == ["cli-alice"]
    groups = ok(server, "iam", "list-groups-for-user", "--user-name", "cli-alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["cli-devs"]

    ok(server, "iam", "attach-user-policy", "--user-name", "cli-alice", "--policy-arn", READ_ONLY)
    attached = ok(server, "iam", "list-attached-user-policies", "--user-name", "cli-alice")
    assert attached["AttachedPolicies"] == [{"PolicyName": "ReadOnlyAccess",
                                             "PolicyArn": READ_ONLY}]
    ok(server, "iam", "put-user-policy", "--user-name", "cli-alice", "--policy-name", "inline-s3",
       "--policy-document", S3_READ)
    inline = ok(server, "iam", "get-user-policy", "--user-name", "cli-alice", "--policy-name",
                "inline-s3")
    # The CLI URL-decodes and parses the document back into JSON.
    assert inline["PolicyDocument"] == json.loads(S3_READ)
    assert ok(server, "iam", "list-user-policies",
              "--user-name", "cli-alice")["PolicyNames"] == ["inline-s3"]

    # DeleteUser refuses while anything hangs off the user, one dependency at a time.
    err = fails(server, "DeleteConflict", "iam", "delete-user", "--user-name", "cli-alice")
    assert "must delete access keys first" in err
    ok(server, "iam", "delete-access-key", "--user-name", "cli-alice", "--access-key-id",
       key["AccessKeyId"])
    err = fails(server, "DeleteConflict", "iam", "delete-user", "--user-name", "cli-alice")
    assert "must remove users from group first" in err
    ok(server, "iam", "remove-user-from-group", "--user-name", "cli-alice",
       "--group-name", "cli-devs")
    err = fails(server, "DeleteConflict", "iam", "delete-user", "--user-name", "cli-alice")
    assert "must detach all policies first" in err
    ok(server, "iam", "detach-user-policy", "--user-name", "cli-alice", "--policy-arn", READ_ONLY)
    err = fails(server, "DeleteConflict", "iam", "delete-user", "--user-name", "cli-alice")
    assert "must delete policies first" in err
    ok(server, "iam", "delete-user-policy", "--user-name", "cli-alice",
       "--policy-name", "inline-s3")
    ok(server, "iam", "delete-user", "--user-name", "cli-alice")
    err = fails(server, "NoSuchEntity", "iam", "get-user", "--user-name", "cli-alice")
    assert "The user with name cli-alice cannot be found." in err
    ok(server, "iam", "delete-group", "--group-name", "cli-devs")


def test_assume_role_and_use_the_credentials(server):
    path = write_trust_file(server, "trust-assume", TRUST_ACCOUNT)
    role = ok(server, "iam", "create-role", "--role-name", "cli-reader",
              "--assume-role-policy-document", "file://" + path)["Role"]
    # AWS-COMPAT: the root user (the CLI's configured profile) may never assume a role.
    err = fails(server, "AccessDenied", "sts", "assume-role", "--role-arn", role["Arn"],
                "--role-session-name", "as-root")
    assert "Roles may not be assumed by root accounts." in err
    # An administrator user of the account may (the trust policy names the account).
    ok(server, "iam", "create-user", "--user-name", "cli-assumer")
    ok(server, "iam", "attach-user-policy", "--user-name", "cli-assumer", "--policy-arn",
       "arn:aws:iam::aws:policy/AdministratorAccess")
    key = ok(server, "iam", "create-access-key", "--user-name", "cli-assumer")["AccessKey"]
    assumer = Keys(key["AccessKeyId"], key["SecretAccessKey"])
    out = ok(server, "sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name",
             "cli-session", "--duration-seconds", "900", keys=assumer)
    creds = out["Credentials"]
    assert re.match(r"^ASIA[A-Z0-9]{16}$", creds["AccessKeyId"])
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": role["RoleId"] + ":cli-session",
        "Arn": "arn:aws:sts::%s:assumed-role/cli-reader/cli-session" % ACCOUNT}
    lifetime = parse_time(creds["Expiration"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=10) < lifetime <= timedelta(minutes=15, seconds=5)
    session = Keys(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])

    who = ok(server, "sts", "get-caller-identity", keys=session)
    assert who == {"UserId": role["RoleId"] + ":cli-session", "Account": ACCOUNT,
                   "Arn": "arn:aws:sts::%s:assumed-role/cli-reader/cli-session" % ACCOUNT}
    # The role has no permissions yet: IAM refuses with AWS's wording.
    err = fails(server, "AccessDenied", "iam", "list-users", keys=session)
    assert ("User: arn:aws:sts::%s:assumed-role/cli-reader/cli-session is not authorized to "
            "perform: iam:ListUsers" % ACCOUNT) in err
    ok(server, "iam", "attach-role-policy", "--role-name", "cli-reader", "--policy-arn", READ_ONLY)
    listed = ok(server, "iam", "list-roles", "--path-prefix", "/", keys=session)
    assert "cli-reader" in [r["RoleName"] for r in listed["Roles"]]
    # Read-only: writes stay denied.
    fails(server, "AccessDenied", "iam", "create-user", "--user-name", "nope", keys=session)
    # Without the session token the temporary key is unknown.
    fails(server, "InvalidClientTokenId", "sts", "get-caller-identity",
          keys=Keys(creds["AccessKeyId"], creds["SecretAccessKey"]))
    # Past the role's MaxSessionDuration (default 3600): the server's ValidationError.
    err = fails(server, "ValidationError", "sts", "assume-role", "--role-arn", role["Arn"],
                "--role-session-name", "too-long", "--duration-seconds", "3601", keys=assumer)
    assert "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." \
        in err
    # The role is absent: AssumeRole says AccessDenied, never NoSuchEntity.
    err = fails(server, "AccessDenied", "sts", "assume-role", "--role-arn",
                "arn:aws:iam::%s:role/ghost" % ACCOUNT, "--role-session-name", "ghost-s",
                keys=assumer)
    assert "sts:AssumeRole on resource: arn:aws:iam::%s:role/ghost" % ACCOUNT in err


def test_get_session_token_and_user_credentials(server):
    ok(server, "iam", "create-user", "--user-name", "cli-bob")
    key = ok(server, "iam", "create-access-key", "--user-name", "cli-bob")["AccessKey"]
    bob = Keys(key["AccessKeyId"], key["SecretAccessKey"])
    who = ok(server, "sts", "get-caller-identity", keys=bob)
    assert who["Arn"] == "arn:aws:iam::%s:user/cli-bob" % ACCOUNT
    # No policy: everything but GetCallerIdentity and GetSessionToken is denied.
    err = fails(server, "AccessDenied", "iam", "list-users", keys=bob)
    assert ("User: arn:aws:iam::%s:user/cli-bob is not authorized to perform: iam:ListUsers on "
            "resource: arn:aws:iam::%s:user/ because no identity-based policy allows the "
            "iam:ListUsers action" % (ACCOUNT, ACCOUNT)) in err

    token = ok(server, "sts", "get-session-token", "--duration-seconds", "900",
               keys=bob)["Credentials"]
    assert re.match(r"^ASIA[A-Z0-9]{16}$", token["AccessKeyId"])
    lifetime = parse_time(token["Expiration"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=10) < lifetime <= timedelta(minutes=15, seconds=5)
    session = Keys(token["AccessKeyId"], token["SecretAccessKey"], token["SessionToken"])
    # A GetSessionToken session acts as the user itself.
    assert ok(server, "sts", "get-caller-identity", keys=session)["Arn"] == who["Arn"]
    # AWS-COMPAT: IAM calls are refused to GetSessionToken credentials without MFA.
    fails(server, "InvalidClientTokenId", "iam", "get-user", keys=session)

    # Deactivating the user's key cuts it off.
    ok(server, "iam", "update-access-key", "--user-name", "cli-bob", "--access-key-id",
       key["AccessKeyId"], "--status", "Inactive")
    fails(server, "InvalidClientTokenId", "sts", "get-caller-identity", keys=bob)


def test_errors_exit_254_with_code(server):
    result = run(server, "iam", "get-role", "--role-name", "no-such-role")
    assert result.returncode == 254 and result.stdout == ""
    assert "(NoSuchEntity)" in result.stderr
    assert "The role with name no-such-role cannot be found." in result.stderr
    fails(server, "NoSuchEntity", "iam", "get-policy", "--policy-arn",
          "arn:aws:iam::%s:policy/none" % ACCOUNT)
    fails(server, "MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "bad",
          "--policy-document", "{not json")
    fails(server, "ValidationError", "iam", "create-user", "--user-name", "bad name!")
    # CLI-side validation (exit code 252) never reaches the server.
    local = run(server, "iam", "get-role")
    assert local.returncode == 252 and "--role-name" in local.stderr


def test_virtual_mfa_bootstrap_files(server):
    import struct
    import time
    import zlib
    # QRCodePNG: the CLI writes the decoded PNG to --outfile and drops both seeds from stdout.
    png_path = "%s/qr.png" % server.data_dir
    out = ok(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli-qr",
             "--outfile", png_path, "--bootstrap-method", "QRCodePNG")["VirtualMFADevice"]
    assert out == {"SerialNumber": "arn:aws:iam::%s:mfa/cli-qr" % ACCOUNT}
    with open(png_path, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert width == height and depth == 1 and color == 0
    idat_len = struct.unpack(">I", png[33:37])[0]
    assert png[37:41] == b"IDAT"
    raw = zlib.decompress(png[41:41 + idat_len])
    row = (width + 7) // 8 + 1
    assert len(raw) == row * height

    def white(x, y):
        return (raw[y * row + 1 + x // 8] >> (7 - x % 8)) & 1 == 1
    # A light quiet zone, then the top-left finder pattern: its dark outer ring starts where
    # the diagonal first turns dark and runs along the row and column from there.
    corner = next(x for x in range(width) if not white(x, x))
    assert 0 < corner < width // 4
    assert all(white(x, y) for x in range(corner) for y in range(corner))
    assert not white(corner + 1, corner) and not white(corner, corner + 1)

    # Base32StringSeed: the file holds the seed; two consecutive TOTP codes enable the device.
    seed_path = "%s/seed.txt" % server.data_dir
    ok(server, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli-seed",
       "--outfile", seed_path, "--bootstrap-method", "Base32StringSeed")
    with open(seed_path) as f:
        seed = f.read()
    assert re.match(r"^[A-Z2-7]{64}$", seed)
    ok(server, "iam", "create-user", "--user-name", "cli-mfa-user")
    serial = "arn:aws:iam::%s:mfa/cli-seed" % ACCOUNT
    fails(server, "InvalidAuthenticationCode", "iam", "enable-mfa-device", "--user-name",
          "cli-mfa-user", "--serial-number", serial, "--authentication-code1", "000000",
          "--authentication-code2", "000000")
    step = int(time.time()) // 30
    ok(server, "iam", "enable-mfa-device", "--user-name", "cli-mfa-user", "--serial-number",
       serial, "--authentication-code1", totp(seed, step - 1), "--authentication-code2",
       totp(seed, step))
    devices = ok(server, "iam", "list-mfa-devices", "--user-name", "cli-mfa-user")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]
