"""The root user's console sign-in, recovery and custody (issue 12), end to end: a real
`orgtwin serve` (adjustable clock, so MFA codes and link expiry follow the twin's time), boto3
for the AWS APIs and plain HTTP for the extension endpoints."""
import os
import sys

import botocore
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from root_helpers import (ROOT_PASSWORD, adjustable_server, admin, contact,  # noqa: E402
                          error_code, mailbox, party, post, root_mfa_device, session_client,
                          sign_in, signup)

CONTACT = contact("+1 (206) 555-0100")
PHONE = "+12065550100"
server = adjustable_server


@pytest.fixture()
def payer(server):
    """The seed's arrangement: a payer whose root password the partner knows while the customer
    holds the MFA device, the root mailbox and the contact phone."""
    account = signup(server, "payer")
    account.client("account").put_contact_information(ContactInformation=CONTACT)
    account.device = root_mfa_device(account)
    suffix = account.id
    account.partner, account.customer = "partner-" + suffix, "customer-" + suffix
    party(server, account.partner, ("root-password", account.id))
    party(server, account.customer, ("mfa-device", account.device.serial),
          ("mailbox", account.email), ("phone", CONTACT["PhoneNumber"]))
    return account


def console_logins(account):
    """ConsoleLogin events of the account (CloudTrail LookupEvents, as its root user)."""
    trail = account.client("cloudtrail")
    events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                    "AttributeValue": "ConsoleLogin"}])["Events"]
    import json
    return [json.loads(e["CloudTrailEvent"]) for e in events]


def test_root_sign_in_with_password_and_mfa_gives_a_console_session(server, payer):
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD)
    assert status == 401 and error_code(body) == "MfaRequired", body
    status, body = sign_in(server, Email=payer.email.upper(), Password=ROOT_PASSWORD,
                           MfaCode=payer.device.code())
    assert status == 200, body
    assert body["PrincipalType"] == "Root" and body["MfaUsed"] is True
    assert body["Arn"] == "arn:aws:iam::%s:root" % payer.id
    sts = session_client(server, body["Credentials"], "sts")
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::%s:root" % payer.id
    # A console session is root itself: IAM answers it (a GetSessionToken session without MFA
    # would be refused).
    iam = session_client(server, body["Credentials"], "iam")
    assert iam.list_mfa_devices()["MFADevices"][0]["SerialNumber"] == payer.device.serial
    logins = console_logins(payer)
    success = [e for e in logins if e["responseElements"]["ConsoleLogin"] == "Success"]
    assert success and success[-1]["userIdentity"]["type"] == "Root"
    assert success[-1]["additionalEventData"]["MFAUsed"] == "Yes"
    assert success[-1]["eventSource"] == "signin.amazonaws.com"
    assert success[-1]["recipientAccountId"] == payer.id


def test_wrong_password_and_wrong_code_fail_and_are_recorded(server, payer):
    status, body = sign_in(server, Email=payer.email, Password="not-the-password")
    assert status == 401 and error_code(body) == "AuthenticationFailed", body
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD, MfaCode="000000")
    assert status == 401 and error_code(body) == "AuthenticationFailed", body
    code = payer.device.code()
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD, MfaCode=code)
    assert status == 200, body
    # The same code twice: refused (a TOTP step is accepted once).
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD, MfaCode=code)
    assert status == 401, body
    failures = [e for e in console_logins(payer)
                if e["responseElements"]["ConsoleLogin"] == "Failure"]
    assert len(failures) == 3
    assert all(e["errorMessage"] == "Failed authentication" for e in failures)
    assert all(e["userIdentity"]["type"] == "Root" for e in failures)


def test_neither_party_alone_signs_in_as_root_together_they_do(server, payer):
    # The partner knows the password but holds no MFA device.
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD,
                           MfaCode=payer.device.code(), Parties=[payer.partner])
    assert status == 403 and "MFA device" in body["message"], body
    # The customer holds the device but not the password.
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD,
                           MfaCode=payer.device.code(), Parties=[payer.customer])
    assert status == 403 and "password" in body["message"], body
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD,
                           MfaCode=payer.device.code(), Parties=[payer.partner, payer.customer])
    assert status == 200 and body["MfaUsed"], body


def test_lockout_after_five_failures(server):
    account = signup(server, "locked")
    for _ in range(5):
        status, body = sign_in(server, Email=account.email, Password="wrong")
        assert status == 401, body
    status, body = sign_in(server, Email=account.email, Password=ROOT_PASSWORD)
    assert status == 429 and error_code(body) == "SignInLocked", body
    admin(server, "/_orgtwin/clock/advance", {"Seconds": 15 * 60 + 1})
    status, body = sign_in(server, Email=account.email, Password=ROOT_PASSWORD)
    assert status == 200 and body["MfaUsed"] is False, body


def test_forgotten_password_is_reset_by_whoever_reads_the_mailbox(server, payer):
    status, body = post(server, "/_orgtwin/console/root/password-reset", {"Email": payer.email})
    assert status == 200, body
    # The mailbox is the customer's: the partner cannot read it.
    status, body = mailbox(server, payer.email, payer.partner)
    assert status == 403, body
    status, body = mailbox(server, payer.email, payer.customer)
    assert status == 200, body
    token = body["Messages"][-1]["Token"]
    status, body = post(server, "/_orgtwin/console/root/password-reset/complete",
                        {"Token": token, "NewPassword": "short"})
    assert status == 400 and error_code(body) == "ValidationException", body
    new_password = "Customer-owns-1t-now"
    status, body = post(server, "/_orgtwin/console/root/password-reset/complete",
                        {"Token": token, "NewPassword": new_password})
    assert status == 200, body
    status, body = post(server, "/_orgtwin/console/root/password-reset/complete",
                        {"Token": token, "NewPassword": new_password + "2"})
    assert status == 400 and error_code(body) == "InvalidToken", body
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD,
                           MfaCode=payer.device.code())
    assert status == 401, body
    status, body = sign_in(server, Email=payer.email, Password=new_password,
                           MfaCode=payer.device.code())
    assert status == 200, body


def test_reset_link_expires(server):
    account = signup(server, "expiry")
    post(server, "/_orgtwin/console/root/password-reset", {"Email": account.email})
    token = mailbox(server, account.email)[1]["Messages"][-1]["Token"]
    admin(server, "/_orgtwin/clock/advance", {"Seconds": 3601})
    status, body = post(server, "/_orgtwin/console/root/password-reset/complete",
                        {"Token": token, "NewPassword": "Fresh-Pa55word!"})
    assert status == 400 and "expired" in body["message"], body


def test_mfa_recovery_needs_the_email_and_the_phone(server, payer):
    # Step 1 needs the password (the partner's) ...
    status, body = post(server, "/_orgtwin/console/root/mfa-recovery",
                        {"Email": payer.email, "Password": ROOT_PASSWORD,
                         "Parties": [payer.partner]})
    assert status == 200, body
    # ... step 2 the root mailbox (the customer's) ...
    status, body = mailbox(server, payer.email, payer.customer)
    token = body["Messages"][-1]["Token"]
    status, body = post(server, "/_orgtwin/console/root/mfa-recovery/verify-email",
                        {"Token": token})
    assert status == 200, body
    assert body["PhoneNumber"].endswith("00") and "*" in body["PhoneNumber"]
    call_id, screen_code = body["CallId"], body["ScreenCode"]
    # ... and step 3 the phone (the customer's): the partner cannot answer it.
    status, body = post(server, "/_orgtwin/phones/answer",
                        {"PhoneNumber": PHONE, "CallId": call_id, "Digits": screen_code,
                         "Party": payer.partner})
    assert status == 403, body
    status, body = post(server, "/_orgtwin/phones/answer",
                        {"PhoneNumber": PHONE, "CallId": call_id, "Digits": "999999",
                         "Party": payer.customer})
    assert status == 400 and error_code(body) == "InvalidToken", body
    status, body = post(server, "/_orgtwin/phones/list", {"PhoneNumber": PHONE,
                                                          "Party": payer.customer})
    assert status == 200 and body["Calls"][-1]["CallId"] == call_id
    assert "Code" not in body["Calls"][-1]
    status, body = post(server, "/_orgtwin/phones/answer",
                        {"PhoneNumber": PHONE, "CallId": call_id, "Digits": screen_code,
                         "Party": payer.customer})
    assert status == 200 and "1 MFA device" in body["Message"], body
    # The MFA device is gone: the password alone signs in now.
    status, body = sign_in(server, Email=payer.email, Password=ROOT_PASSWORD)
    assert status == 200 and body["MfaUsed"] is False, body


def test_root_only_tasks_refuse_an_administrator(server):
    account = signup(server, "rootonly")
    iam = account.client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    for path, body in [("/_orgtwin/console/root/password", {"NewPassword": "Admin-Pa55word!"}),
                       ("/_orgtwin/console/root/email", {"NewEmail": "admin@example.com"}),
                       ("/_orgtwin/console/root/iam-access-to-billing", {"Enabled": True}),
                       ("/_orgtwin/console/root/close-account", {})]:
        status, answer = post(server, path, body, key["AccessKeyId"], key["SecretAccessKey"])
        assert status == 403 and "root user" in answer["message"], (path, answer)
    status, answer = post(server, "/_orgtwin/console/root/password",
                          {"CurrentPassword": "wrong", "NewPassword": "Root-Pa55word-2"},
                          account.key, account.secret)
    assert status == 401, answer
    status, answer = post(server, "/_orgtwin/console/root/password",
                          {"CurrentPassword": ROOT_PASSWORD, "NewPassword": "Root-Pa55word-2"},
                          account.key, account.secret)
    assert status == 200, answer
    status, answer = post(server, "/_orgtwin/console/root/close-account", {},
                          account.key, account.secret)
    assert status == 200 and answer["Status"] == "SUSPENDED", answer


def test_root_changes_its_own_email_with_a_code_mailed_to_the_new_address(server):
    account = signup(server, "newmail")
    new_email = "renamed-" + account.email
    status, body = post(server, "/_orgtwin/console/root/email",
                        {"NewEmail": new_email, "CurrentPassword": "wrong"},
                        account.key, account.secret)
    assert status == 401, body
    taken = signup(server, "taken")
    status, body = post(server, "/_orgtwin/console/root/email",
                        {"NewEmail": taken.email, "CurrentPassword": ROOT_PASSWORD},
                        account.key, account.secret)
    assert status == 409 and error_code(body) == "ConflictException", body
    status, body = post(server, "/_orgtwin/console/root/email",
                        {"NewEmail": new_email, "CurrentPassword": ROOT_PASSWORD},
                        account.key, account.secret)
    assert status == 200, body
    code = mailbox(server, new_email)[1]["Messages"][-1]["Token"]
    status, body = post(server, "/_orgtwin/console/root/email/complete",
                        {"NewEmail": new_email, "Code": "ZZZZZZ"}, account.key, account.secret)
    assert status == 400, body
    status, body = post(server, "/_orgtwin/console/root/email/complete",
                        {"NewEmail": new_email, "Code": code}, account.key, account.secret)
    assert status == 200, body
    assert sign_in(server, Email=account.email, Password=ROOT_PASSWORD)[0] == 401
    status, body = sign_in(server, Email=new_email, Password=ROOT_PASSWORD)
    assert status == 200 and body["AccountId"] == account.id, body


def test_iam_user_console_sign_in_with_alias_mfa_and_password_reset(server):
    account = signup(server, "users")
    iam = account.client("iam")
    iam.create_account_alias(AccountAlias="users-alias-%s" % account.id)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Alice-Pa55word!",
                             PasswordResetRequired=True)
    status, body = sign_in(server, AccountId="users-alias-%s" % account.id, UserName="alice",
                           Password="Alice-Pa55word!")
    assert status == 401 and error_code(body) == "PasswordChangeRequired", body
    status, body = sign_in(server, AccountId=account.id, UserName="alice",
                           Password="Alice-Pa55word!", NewPassword="Alice-New-Pa55word!")
    assert status == 200 and body["PrincipalType"] == "IAMUser", body
    assert body["Arn"] == "arn:aws:iam::%s:user/alice" % account.id
    # No MFA: a policy that requires it denies the console session.
    iam.put_user_policy(UserName="alice", PolicyName="mfa", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers",'
        '"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'))
    users = session_client(server, body["Credentials"], "iam")
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        users.list_users()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    status, body = sign_in(server, AccountId=account.id, UserName="alice",
                           Password="Alice-Pa55word!")
    assert status == 401 and error_code(body) == "AuthenticationFailed", body
    status, body = sign_in(server, AccountId=account.id, UserName="nobody", Password="x")
    assert status == 401, body
    hidden = [e for e in console_logins(account)
              if e["userIdentity"].get("userName") == "HIDDEN_DUE_TO_SECURITY_REASONS"]
    assert len(hidden) == 1


def test_mfa_signed_console_session_satisfies_mfa_conditions(server):
    account = signup(server, "mfauser")
    iam = account.client("iam")
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Bob-Pa55word!")
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
    from root_helpers import Device
    seed = created["Base32StringSeed"]
    device = Device(server, created["SerialNumber"],
                    seed.decode() if isinstance(seed, bytes) else seed)
    code1, code2 = device.two_codes()
    iam.enable_mfa_device(UserName="bob", SerialNumber=device.serial,
                          AuthenticationCode1=code1, AuthenticationCode2=code2)
    iam.put_user_policy(UserName="bob", PolicyName="mfa", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers",'
        '"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},'
        '"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}'))
    status, body = sign_in(server, AccountId=account.id, UserName="bob",
                           Password="Bob-Pa55word!", MfaCode=device.code())
    assert status == 200 and body["MfaUsed"], body
    users = session_client(server, body["Credentials"], "iam")
    assert any(u["UserName"] == "bob" for u in users.list_users()["Users"])


def test_parties_record_custody(server):
    status, body = admin(server, "/_orgtwin/parties/put", {"Name": "soc", "Description": "SOC"})
    assert status == 200 and body["Party"]["Factors"] == []
    status, body = admin(server, "/_orgtwin/parties/factors/add",
                         {"Party": "soc", "Kind": "phone", "Ref": "+1 (206) 555-0199"})
    assert body["Party"]["Factors"] == [{"Kind": "phone", "Ref": "+12065550199"}], body
    status, body = admin(server, "/_orgtwin/parties/factors/add",
                         {"Party": "soc", "Kind": "crystal-ball", "Ref": "x"})
    assert status == 400, body
    status, body = admin(server, "/_orgtwin/parties/factors/add",
                         {"Party": "nobody", "Kind": "phone", "Ref": "+1"})
    assert status == 404, body
    listed = admin(server, "/_orgtwin/parties/list", {})[1]["Parties"]
    assert any(p["Name"] == "soc" for p in listed)
    other = signup(server, "notadmin")
    status, body = post(server, "/_orgtwin/parties/put", {"Name": "x"}, other.key, other.secret)
    assert status == 403, body
    assert admin(server, "/_orgtwin/parties/delete", {"Name": "soc"})[0] == 200
    assert admin(server, "/_orgtwin/parties/delete", {"Name": "soc"})[0] == 404


def custody(server, account_id):
    status, body = admin(server, "/_orgtwin/custody", {"AccountId": account_id})
    assert status == 200, body
    return {g["Goal"]: sorted(sorted(c["Parties"]) for c in g["Coalitions"]) for g in body["Goals"]}


def test_custody_of_the_seed_payer_and_the_soc_role_leak(server):
    """The seed: the partner knows the root password and reads the root mailbox (its email);
    the customer holds the MFA device and the phone. Then the customer's SOC role with
    AWSOrganizationsFullAccess, and the same role given to the partner."""
    payer = signup(server, "custody")
    # A phone of its own: the other tests' customers answer CONTACT's.
    payer_contact = contact("+1 206-555-0177")
    payer.client("account").put_contact_information(ContactInformation=payer_contact)
    device = root_mfa_device(payer)
    partner, customer = "partner-c" + payer.id, "customer-c" + payer.id
    party(server, partner, ("root-password", payer.id), ("mailbox", payer.email))
    party(server, customer, ("mfa-device", device.serial), ("phone", payer_contact["PhoneNumber"]))
    goals = custody(server, payer.id)
    both = sorted([partner, customer])
    assert goals["sign-in-as-root"] == [both]
    assert goals["reset-root-password"] == [[partner]]
    assert goals["remove-root-mfa"] == [both]
    assert goals["change-root-email"] == [both]
    assert goals["change-recovery-phone"] == [both]
    _, body = admin(server, "/_orgtwin/custody", {"AccountId": payer.id})
    assert any("Security questions" in line for line in body["NotModeled"])
    steps = [c["Steps"] for g in body["Goals"] if g["Goal"] == "remove-root-mfa"
             for c in g["Coalitions"]][0]
    assert any("phone call" in s for s in steps), steps

    # The customer's SOC role: AWSOrganizationsFullAccess (account:PutContactInformation).
    iam = payer.client("iam")
    iam.create_role(RoleName="soc", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
        '{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}' % payer.id))
    iam.attach_role_policy(RoleName="soc",
                           PolicyArn="arn:aws:iam::aws:policy/AWSOrganizationsFullAccess")
    assume = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
              '"Resource":"arn:aws:iam::%s:role/soc"}]}' % payer.id)
    for user in ("customer-soc", "partner-ops"):
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="assume-soc", PolicyDocument=assume)
    customer_key = iam.create_access_key(UserName="customer-soc")["AccessKey"]["AccessKeyId"]
    admin(server, "/_orgtwin/parties/factors/add",
          {"Party": customer, "Kind": "access-key", "Ref": customer_key})
    goals = custody(server, payer.id)
    assert goals["change-recovery-phone"] == [[customer]]
    assert goals["sign-in-as-root"] == [both]

    # Give the partner the same role and its account alone reaches root: it changes the phone,
    # recovers without the customer's MFA device, and signs in.
    partner_key = iam.create_access_key(UserName="partner-ops")["AccessKey"]["AccessKeyId"]
    admin(server, "/_orgtwin/parties/factors/add",
          {"Party": partner, "Kind": "access-key", "Ref": partner_key})
    goals = custody(server, payer.id)
    assert goals["sign-in-as-root"] == [[partner]]
    assert goals["remove-root-mfa"] == [[partner]]
    assert sorted(goals["change-recovery-phone"]) == [[customer], [partner]]
    for name in (partner, customer):
        admin(server, "/_orgtwin/parties/delete", {"Name": name})
