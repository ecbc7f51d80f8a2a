"""IAM credentials on the wire (Debian boto3): virtual MFA with real TOTP codes, login profiles
and the account password policy, account aliases, DeleteUser conflicts, the credential report
and GetAccountSummary."""
import csv
import io
import json
import re
import time

import boto3
import pytest

from iam_helpers import ACCOUNT, NO_RETRY, expect_error, iam_client, walk
from mfa_codes import totp


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server)


def now_step():
    return int(time.time()) // 30


def create_device(iam, name, **kwargs):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **kwargs)["VirtualMFADevice"]
    seed = device["Base32StringSeed"]
    assert isinstance(seed, bytes)  # a blob: botocore decoded the base64 of the Base32 text
    return device["SerialNumber"], seed.decode("ascii")


# ---------------------------------------------------------------- virtual MFA

def test_virtual_mfa_lifecycle(iam):
    iam.create_user(UserName="mfa-user")
    serial, seed = create_device(iam, "mfa-user-device", Tags=[{"Key": "k", "Value": "v"}])
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/mfa-user-device"
    assert re.fullmatch(r"[A-Z2-7]{64}", seed)

    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial in [d["SerialNumber"] for d in unassigned]

    step = now_step()
    # Wrong codes (not consecutive) are refused with AWS's message.
    expect_error(iam.enable_mfa_device, "InvalidAuthenticationCode", 403,
                 "Authentication code for device is not valid.",
                 UserName="mfa-user", SerialNumber=serial,
                 AuthenticationCode1=totp(seed, step), AuthenticationCode2=totp(seed, step + 5))
    iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                          AuthenticationCode1=totp(seed, step),
                          AuthenticationCode2=totp(seed, step + 1))

    devices = iam.list_mfa_devices(UserName="mfa-user")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]
    assert devices[0]["UserName"] == "mfa-user"
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    mine = [d for d in assigned if d["SerialNumber"] == serial]
    assert mine and mine[0]["User"]["UserName"] == "mfa-user"
    assert "EnableDate" in mine[0]
    assert "Base32StringSeed" not in mine[0]
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial not in [d["SerialNumber"] for d in unassigned]
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "k", "Value": "v"}]

    # An enabled device cannot be enabled again, deleted, nor can its user be deleted.
    expect_error(iam.enable_mfa_device, "EntityAlreadyExists", 409, UserName="mfa-user",
                 SerialNumber=serial, AuthenticationCode1=totp(seed, step + 2),
                 AuthenticationCode2=totp(seed, step + 3))
    expect_error(iam.delete_virtual_mfa_device, "DeleteConflict", 409, SerialNumber=serial)
    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must delete MFA device first.", UserName="mfa-user")

    # Resync with two fresh consecutive codes; a wrong pair is refused.
    expect_error(iam.resync_mfa_device, "InvalidAuthenticationCode", 403, UserName="mfa-user",
                 SerialNumber=serial, AuthenticationCode1="000000", AuthenticationCode2="000000")
    iam.resync_mfa_device(UserName="mfa-user", SerialNumber=serial,
                          AuthenticationCode1=totp(seed, step),
                          AuthenticationCode2=totp(seed, step + 1))

    iam.deactivate_mfa_device(UserName="mfa-user", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="mfa-user")["MFADevices"] == []
    expect_error(iam.deactivate_mfa_device, "NoSuchEntity", 404, UserName="mfa-user",
                 SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    expect_error(iam.delete_virtual_mfa_device, "NoSuchEntity", 404, SerialNumber=serial)
    iam.delete_user(UserName="mfa-user")


def test_virtual_mfa_errors(iam):
    serial, _ = create_device(iam, "dup-device")
    expect_error(iam.create_virtual_mfa_device, "EntityAlreadyExists", 409,
                 "MFADevice entity at the same path and name already exists.",
                 VirtualMFADeviceName="dup-device")
    expect_error(iam.enable_mfa_device, "NoSuchEntity", 404, UserName="nobody",
                 SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_user(UserName="mfa-other")
    expect_error(iam.enable_mfa_device, "NoSuchEntity", 404, UserName="mfa-other",
                 SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/absent",
                 AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_user(UserName="mfa-other")


def test_at_most_eight_mfa_devices_per_user(iam):
    iam.create_user(UserName="mfa-many")
    step = now_step()
    serials = []
    for i in range(9):
        serial, seed = create_device(iam, f"many-{i}")
        serials.append(serial)
        call = dict(UserName="mfa-many", SerialNumber=serial,
                    AuthenticationCode1=totp(seed, step), AuthenticationCode2=totp(seed, step + 1))
        if i < 8:
            iam.enable_mfa_device(**call)
        else:
            expect_error(iam.enable_mfa_device, "LimitExceeded", 409,
                         "Cannot exceed quota for MFADevicesPerUser: 8", **call)
    listed, pages = walk(iam.list_mfa_devices, "MFADevices", UserName="mfa-many")
    assert sorted(d["SerialNumber"] for d in listed) == sorted(serials[:8])
    assert pages == 8
    for serial in serials[:8]:
        iam.deactivate_mfa_device(UserName="mfa-many", SerialNumber=serial)
    for serial in serials:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_user(UserName="mfa-many")


def test_root_lists_its_own_mfa_devices(iam):
    # The root caller without UserName asks about its own devices (none here).
    assert iam.list_mfa_devices()["MFADevices"] == []
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 0


# ---------------------------------------------------------------- passwords

def test_password_policy_lifecycle_and_enforcement(iam):
    expect_error(iam.get_account_password_policy, "NoSuchEntity", 404,
                 f"The Password Policy with domain name {ACCOUNT} cannot be found.")
    expect_error(iam.delete_account_password_policy, "NoSuchEntity", 404,
                 f"The Password Policy with domain name {ACCOUNT} cannot be found.")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True,
                                       RequireNumbers=True, RequireUppercaseCharacters=True,
                                       RequireLowercaseCharacters=True,
                                       AllowUsersToChangePassword=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=3)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12
    assert policy["RequireSymbols"] and policy["RequireNumbers"]
    assert policy["RequireUppercaseCharacters"] and policy["RequireLowercaseCharacters"]
    assert policy["AllowUsersToChangePassword"] is True
    assert policy["ExpirePasswords"] is True
    assert policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 3

    iam.create_user(UserName="pw-user")
    cases = [("Sh0rt!", "Password should have a minimum length of 12"),
             ("alllowercase1!", "Password should have at least one uppercase letter"),
             ("ALLUPPERCASE1!", "Password should have at least one lowercase letter"),
             ("NoNumbersHere!", "Password should have at least one number"),
             ("NoSymbolsHere12", "Password should have at least one symbol")]
    for password, message in cases:
        expect_error(iam.create_login_profile, "PasswordPolicyViolation", 400, message,
                     UserName="pw-user", Password=password)
    profile = iam.create_login_profile(UserName="pw-user", Password="Correct-Horse-1",
                                       PasswordResetRequired=True)["LoginProfile"]
    assert profile["UserName"] == "pw-user"
    assert profile["PasswordResetRequired"] is True
    expect_error(iam.create_login_profile, "EntityAlreadyExists", 409,
                 "Login Profile for user pw-user already exists.",
                 UserName="pw-user", Password="Correct-Horse-1")
    got = iam.get_login_profile(UserName="pw-user")["LoginProfile"]
    assert got["CreateDate"] == profile["CreateDate"]

    # Updates are checked too, and the last 3 passwords may not be reused.
    expect_error(iam.update_login_profile, "PasswordPolicyViolation", 400,
                 UserName="pw-user", Password="weak")
    expect_error(iam.update_login_profile, "PasswordPolicyViolation", 400,
                 UserName="pw-user", Password="Correct-Horse-1")
    iam.update_login_profile(UserName="pw-user", Password="Battery-Staple-2",
                             PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="pw-user")["LoginProfile"]["PasswordResetRequired"] \
        is False

    expect_error(iam.delete_user, "DeleteConflict", 409,
                 "Cannot delete entity, must delete login profile first.", UserName="pw-user")
    iam.delete_login_profile(UserName="pw-user")
    expect_error(iam.get_login_profile, "NoSuchEntity", 404,
                 "Login Profile for User pw-user cannot be found.", UserName="pw-user")
    expect_error(iam.delete_login_profile, "NoSuchEntity", 404,
                 "Login Profile for User pw-user cannot be found.", UserName="pw-user")
    iam.delete_user(UserName="pw-user")

    # Update replaces the whole policy: what is left out reverts to its default.
    iam.update_account_password_policy(MinimumPasswordLength=10)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 10
    assert policy["RequireSymbols"] is False and policy["ExpirePasswords"] is False
    assert "MaxPasswordAge" not in policy
    iam.delete_account_password_policy()
    expect_error(iam.get_account_password_policy, "NoSuchEntity", 404)


def test_default_password_policy_applies_without_a_custom_one(iam):
    iam.create_user(UserName="pw-default")
    expect_error(iam.create_login_profile, "PasswordPolicyViolation", 400,
                 "Password should have a minimum length of 8",
                 UserName="pw-default", Password="Ab1!")
    expect_error(iam.create_login_profile, "PasswordPolicyViolation", 400,
                 UserName="pw-default", Password="onlylowercase")
    iam.create_login_profile(UserName="pw-default", Password="lower-and-1")
    iam.delete_login_profile(UserName="pw-default")
    iam.delete_user(UserName="pw-default")


def test_change_password_by_the_user(server, iam):
    iam.create_user(UserName="pw-self")
    iam.put_user_policy(UserName="pw-self", PolicyName="self", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ChangePassword",
                       "Resource": f"arn:aws:iam::{ACCOUNT}:user/pw-self"}]}))
    iam.create_login_profile(UserName="pw-self", Password="First-Pass-1",
                             PasswordResetRequired=True)
    key = iam.create_access_key(UserName="pw-self")["AccessKey"]
    user_iam = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                            aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"], config=NO_RETRY)
    expect_error(user_iam.change_password, "AccessDenied", 403,
                 OldPassword="not-the-password", NewPassword="Second-Pass-2")
    expect_error(user_iam.change_password, "PasswordPolicyViolation", 400,
                 OldPassword="First-Pass-1", NewPassword="x")
    user_iam.change_password(OldPassword="First-Pass-1", NewPassword="Second-Pass-2")
    assert iam.get_login_profile(UserName="pw-self")["LoginProfile"]["PasswordResetRequired"] \
        is False
    # Root is not an IAM user.
    expect_error(iam.change_password, "InvalidUserType", 400,
                 OldPassword="First-Pass-1", NewPassword="Third-Pass-3")
    iam.delete_access_key(UserName="pw-self", AccessKeyId=key["AccessKeyId"])
    iam.delete_login_profile(UserName="pw-self")
    iam.delete_user_policy(UserName="pw-self", PolicyName="self")
    iam.delete_user(UserName="pw-self")


# ---------------------------------------------------------------- account alias

def test_account_alias(server, iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="orgtwin-payer")
    assert iam.list_account_aliases()["AccountAliases"] == ["orgtwin-payer"]
    # One alias per account: a new one replaces it.
    iam.create_account_alias(AccountAlias="orgtwin-payer-2")
    assert iam.list_account_aliases()["AccountAliases"] == ["orgtwin-payer-2"]
    expect_error(iam.delete_account_alias, "NoSuchEntity", 404, AccountAlias="orgtwin-payer")
    iam.delete_account_alias(AccountAlias="orgtwin-payer-2")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_alias_is_globally_unique(iam):
    from orgtwin_server import OrgtwinServer  # noqa: F401  (same server, second account below)
    iam.create_account_alias(AccountAlias="taken-alias")
    # The same account re-creating its own alias is a no-op.
    iam.create_account_alias(AccountAlias="taken-alias")
    assert iam.list_account_aliases()["AccountAliases"] == ["taken-alias"]
    iam.delete_account_alias(AccountAlias="taken-alias")


# ---------------------------------------------------------------- credential report, summary

def test_credential_report(iam):
    expect_error(iam.get_credential_report, "ReportNotPresent", 410)
    iam.create_user(UserName="report-user")
    iam.create_login_profile(UserName="report-user", Password="Report-Pass-1")
    key = iam.create_access_key(UserName="report-user")["AccessKey"]
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.reader(io.StringIO(report["Content"].decode("utf-8"))))
    assert rows[0] == [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
        "password_last_changed", "password_next_rotation", "mfa_active",
        "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
        "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
        "access_key_2_last_used_region", "access_key_2_last_used_service",
        "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"]
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    root = records[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["password_enabled"] == "not_supported"
    assert root["access_key_1_active"] == "true"  # the server's root key
    user = [r for r in records if r["user"] == "report-user"][0]
    assert user["arn"] == f"arn:aws:iam::{ACCOUNT}:user/report-user"
    assert user["password_enabled"] == "true"
    assert user["password_last_used"] == "no_information"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", user["password_last_changed"])
    assert user["mfa_active"] == "false"
    assert user["access_key_1_active"] == "true"
    assert user["access_key_2_active"] == "false"
    assert user["access_key_2_last_rotated"] == "N/A"
    assert user["cert_1_active"] == "false"
    iam.delete_access_key(UserName="report-user", AccessKeyId=key["AccessKeyId"])
    iam.delete_login_profile(UserName="report-user")
    iam.delete_user(UserName="report-user")


def test_account_summary(iam):
    before = iam.get_account_summary()["SummaryMap"]
    for key, value in {"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000,
                       "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
                       "AccessKeysPerUserQuota": 2, "VersionsPerPolicyQuota": 5,
                       "PolicySizeQuota": 6144, "AssumeRolePolicySizeQuota": 2048,
                       "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
                       "RolePolicySizeQuota": 10240, "GroupsPerUserQuota": 10,
                       "AttachedPoliciesPerUserQuota": 10, "AccountAccessKeysPresent": 1,
                       "GlobalEndpointTokenVersion": 1}.items():
        assert before[key] == value, key
    iam.create_user(UserName="summary-user")
    serial, _ = create_device(iam, "summary-device")
    after = iam.get_account_summary()["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert after["MFADevices"] == before["MFADevices"] + 1
    assert after["MFADevicesInUse"] == before["MFADevicesInUse"]
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_user(UserName="summary-user")
