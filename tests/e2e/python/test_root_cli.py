"""The root user's console, recovery and custody through the `orgtwin` binary (signin, inbox,
phone, custody) against a real `orgtwin serve`, and `aws` acting as the signed-in principal
with the profile `orgtwin signin --profile` wrote."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from orgtwin_server import DEFAULT_BIN  # noqa: E402
from root_helpers import (ROOT_PASSWORD, adjustable_server, contact, party, post,  # noqa: E402
                          root_mfa_device, signup)

CONTACT = contact("+1 206-555-0142")
# Adjustable clock: root_mfa_device reads the twin's time for its codes.
server = adjustable_server


@pytest.fixture()
def home():
    """An empty AWS configuration: the tests' profiles never touch the user's ~/.aws."""
    directory = tempfile.mkdtemp(prefix="orgtwin-cli-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def env_for(home, **extra):
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "ORGTWIN_PASSWORD"):
        env.pop(name, None)
    env.update(HOME=home, AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "credentials"),
               AWS_CONFIG_FILE=os.path.join(home, "config"), AWS_DEFAULT_REGION="us-east-1")
    env.update(extra)
    return env


def orgtwin(server, home, *args, stdin=None, **env):
    return subprocess.run([server.binary] + list(args) + ["--endpoint", server.endpoint],
                          input=stdin, capture_output=True, text=True, timeout=30,
                          env=env_for(home, **env))


def test_signin_writes_a_profile_aws_then_acts_as_root(server, home):
    account = signup(server, "cli")
    out = orgtwin(server, home, "signin", "--email", account.email, "--password-stdin",
                  "--profile", "p", stdin=ROOT_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    root_arn = "arn:aws:iam::%s:root" % account.id
    assert answer["Arn"] == root_arn and answer["PrincipalType"] == "Root"
    credentials = os.path.join(home, "credentials")
    assert stat.S_IMODE(os.stat(credentials).st_mode) == 0o600
    identity = subprocess.run(
        ["/usr/bin/aws", "--profile", "p", "--endpoint-url", server.endpoint, "--output", "json",
         "sts", "get-caller-identity"],
        capture_output=True, text=True, timeout=60, env=env_for(home))
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Arn"] == root_arn


def test_signin_takes_the_password_from_the_environment(server, home):
    account = signup(server, "cli-env")
    out = orgtwin(server, home, "signin", "--email", account.email,
                  ORGTWIN_PASSWORD=ROOT_PASSWORD)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AccountId"] == account.id
    # No --profile: nothing written.
    assert not os.path.exists(os.path.join(home, "credentials"))


def test_wrong_password_or_none_exits_1_with_the_error(server, home):
    account = signup(server, "cli-wrong")
    out = orgtwin(server, home, "signin", "--email", account.email, "--password-stdin",
                  "--profile", "p", stdin="not-the-password\n")
    assert out.returncode == 1 and out.stdout == ""
    assert "HTTP 401" in out.stderr and "AuthenticationFailed" in out.stderr, out.stderr
    assert not os.path.exists(os.path.join(home, "credentials"))
    out = orgtwin(server, home, "signin", "--email", account.email)
    assert out.returncode == 1 and "ORGTWIN_PASSWORD" in out.stderr, out.stderr


def test_inbox_shows_the_reset_link_to_its_holder_only(server, home):
    account = signup(server, "cli-inbox")
    holder, stranger = "holder-" + account.id, "stranger-" + account.id
    party(server, holder, ("mailbox", account.email))
    party(server, stranger)
    status, body = post(server, "/_orgtwin/console/root/password-reset", {"Email": account.email})
    assert status == 200, body
    out = orgtwin(server, home, "inbox", account.email, "--party", holder)
    assert out.returncode == 0, out.stderr
    message = json.loads(out.stdout)["Messages"][-1]
    assert "password" in message["Subject"] and message["Token"] in message["Body"]
    out = orgtwin(server, home, "inbox", account.email, "--party", stranger)
    assert out.returncode == 1 and "HTTP 403" in out.stderr, out.stderr


def test_phone_lists_and_answers_the_mfa_recovery_call(server, home):
    account = signup(server, "cli-phone")
    account.client("account").put_contact_information(ContactInformation=CONTACT)
    root_mfa_device(account)
    status, body = post(server, "/_orgtwin/console/root/mfa-recovery",
                        {"Email": account.email, "Password": ROOT_PASSWORD})
    assert status == 200, body
    out = orgtwin(server, home, "inbox", account.email)
    token = json.loads(out.stdout)["Messages"][-1]["Token"]
    status, body = post(server, "/_orgtwin/console/root/mfa-recovery/verify-email",
                        {"Token": token})
    assert status == 200, body
    call_id, screen_code = body["CallId"], body["ScreenCode"]
    out = orgtwin(server, home, "phone", CONTACT["PhoneNumber"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Calls"][-1]["CallId"] == call_id
    out = orgtwin(server, home, "phone", CONTACT["PhoneNumber"], "--answer", call_id)
    assert out.returncode != 0 and "--digits" in out.stderr, out.stderr
    out = orgtwin(server, home, "phone", CONTACT["PhoneNumber"], "--answer", call_id,
                  "--digits", screen_code)
    assert out.returncode == 0, out.stderr
    assert "1 MFA device" in json.loads(out.stdout)["Message"]
    # The device is gone: the password alone signs in.
    out = orgtwin(server, home, "signin", "--email", account.email, "--password-stdin",
                  stdin=ROOT_PASSWORD + "\n")
    assert out.returncode == 0 and json.loads(out.stdout)["MfaUsed"] is False, out.stderr


def test_custody_as_the_administrator_json_and_text(server, home):
    account = signup(server, "cli-custody")
    partner, customer = "partner-" + account.id, "customer-" + account.id
    party(server, partner, ("root-password", account.id))
    party(server, customer, ("mailbox", account.email))
    admin_files = {"AWS_SHARED_CREDENTIALS_FILE": server.credentials_file,
                   "AWS_CONFIG_FILE": server.config_file}
    out = orgtwin(server, home, "custody", account.id, **admin_files)
    assert out.returncode == 0, out.stderr
    goals = {g["Goal"]: [sorted(c["Parties"]) for c in g["Coalitions"]]
             for g in json.loads(out.stdout)["Goals"]}
    assert goals["reset-root-password"] == [[customer]]
    # The partner knows the password; the customer can reset it from the mailbox.
    assert sorted(goals["sign-in-as-root"]) == [[customer], [partner]]
    out = orgtwin(server, home, "custody", account.id, "--text", **admin_files)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Account %s, root email %s" % (account.id, account.email)
    start = next(i for i, line in enumerate(lines) if line.startswith("reset-root-password: "))
    assert lines[start + 1] == "  " + customer and lines[start + 2].startswith("    1. ")
    # Without the administrator's profile there is nothing to sign with.
    out = orgtwin(server, home, "custody", account.id)
    assert out.returncode == 1 and "profile orgtwin" in out.stderr, out.stderr


def test_an_unreachable_twin_is_an_error(server, home):
    out = subprocess.run([server.binary, "inbox", "x@example.com", "--endpoint",
                          "http://127.0.0.1:1"], capture_output=True, text=True, timeout=30,
                         env=env_for(home))
    assert out.returncode == 1 and "cannot reach http://127.0.0.1:1" in out.stderr, out.stderr


@pytest.mark.parametrize("args,message", [
    (["verify"], "FILE is required"),
    (["serve", "--bogus"], "The following argument was not expected: --bogus"),
    (["signin", "--email"], "--email: 1 required"),
])
def test_a_refused_command_line_exits_2_with_clis_message(args, message):
    """A command line the parser refuses exits 2, as every refused input does (cli/exit_codes.h),
    whatever code CLI11 gives the error; --help exits 0."""
    binary = os.environ.get("ORGTWIN_BIN", DEFAULT_BIN)
    refused = subprocess.run([binary] + args, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2, (refused.returncode, refused.stderr)
    assert message in refused.stderr, refused.stderr
    helped = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 0 and "serve" in helped.stdout
