"""Helpers of the root-user suites: accounts signed up with a root password, the extension
API's console, mailbox, phone and party endpoints, and TOTP codes on the twin's clock.

The extension calls are plain HTTP POSTs of JSON (`/_orgtwin/...`), signed with SigV4 when they
act as someone (parties, root-only tasks) and unsigned where AWS has a web page instead of an API
(sign-in, recovery, mailboxes, phones).
"""
import calendar
import itertools
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from mfa_codes import totp
from orgtwin_server import OrgtwinServer

NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})
ROOT_PASSWORD = "Payer-root-Pa55word!"
_counter = itertools.count(1)


def post(server, path, body, key=None, secret=None, token=None):
    """POST JSON to the twin; signed when a key is given. Returns (HTTP status, JSON body)."""
    url = server.endpoint + path
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        request = AWSRequest(method="POST", url=url, data=data, headers=headers)
        SigV4Auth(Credentials(key, secret, token), "orgtwin", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
    prepared = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def admin(server, path, body):
    """A call as the twin's administrator (the default account's root user)."""
    return post(server, path, body, server.access_key, server.secret_key)


def error_code(body):
    return body.get("__type", body.get("code", "")).split("#")[-1]


class RootAccount:
    def __init__(self, server, account_id, key, secret, email):
        self.server, self.id, self.key, self.secret, self.email = (server, account_id, key,
                                                                   secret, email)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.server.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                            config=NO_RETRY)


def signup(server, name="payer", password=ROOT_PASSWORD):
    n = next(_counter)
    email = "%s-%d-%d@example.com" % (name, os.getpid(), n)
    args = [server.binary, "signup", "--endpoint", server.endpoint, "--email", email,
            "--name", "%s%d" % (name, n)]
    if password:
        args += ["--root-password", password]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
    result = json.loads(out.stdout)
    return RootAccount(server, result["AccountId"], result["AccessKeyId"],
                       result["SecretAccessKey"], email)


def session_client(server, credentials, service):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"], config=NO_RETRY)


def twin_now(server):
    """The twin's clock (an adjustable-clock server), as epoch seconds."""
    status, body = admin(server, "/_orgtwin/clock/advance", {"Seconds": 0.001})
    assert status == 200, body
    return calendar.timegm(time.strptime(body["Now"][:19], "%Y-%m-%dT%H:%M:%S"))


class Device:
    """A virtual MFA device's seed and the codes it has given (each step is accepted once)."""

    def __init__(self, server, serial, seed):
        self.server, self.serial, self.seed = server, serial, seed
        self.last_step = 0

    def code(self):
        step = max(self.last_step + 1, twin_now(self.server) // 30 - 1)
        if step > twin_now(self.server) // 30 + 1:
            admin(self.server, "/_orgtwin/clock/advance", {"Seconds": 60})
        self.last_step = step
        return totp(self.seed, step)

    def two_codes(self):
        first = self.code()
        return first, self.code()


def root_mfa_device(account, name="root-mfa"):
    """A virtual MFA device enabled for the account's root user (IAM, as root)."""
    iam = account.client("iam")
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    device = Device(account.server, created["SerialNumber"],
                    created["Base32StringSeed"].decode()
                    if isinstance(created["Base32StringSeed"], bytes)
                    else created["Base32StringSeed"])
    code1, code2 = device.two_codes()
    # The console's step: IAM's EnableMFADevice needs a user name, which root has not.
    status, body = post(account.server, "/_orgtwin/console/root/mfa/enable",
                        {"SerialNumber": device.serial, "AuthenticationCode1": code1,
                         "AuthenticationCode2": code2}, account.key, account.secret)
    assert status == 200, body
    return device


def party(server, name, *factors):
    status, body = admin(server, "/_orgtwin/parties/put", {"Name": name})
    assert status == 200, body
    for kind, ref in factors:
        status, body = admin(server, "/_orgtwin/parties/factors/add",
                             {"Party": name, "Kind": kind, "Ref": ref})
        assert status == 200, body
    return body


def sign_in(server, **fields):
    return post(server, "/_orgtwin/console/signin", fields)


def mailbox(server, address, party_name=None):
    body = {"Address": address}
    if party_name:
        body["Party"] = party_name
    return post(server, "/_orgtwin/mailboxes/list", body)


def contact(phone):
    """Primary contact information whose phone is `phone` (the number MFA recovery calls)."""
    return {"FullName": "Customer SOC", "AddressLine1": "1 Main Street", "City": "Seattle",
            "PostalCode": "98101", "CountryCode": "US", "PhoneNumber": phone}


@pytest.fixture(scope="module")
def adjustable_server():
    """A twin with an adjustable clock: MFA codes follow its time, and links can expire."""
    srv = OrgtwinServer("--clock", "adjustable").start()
    yield srv
    srv.cleanup()
