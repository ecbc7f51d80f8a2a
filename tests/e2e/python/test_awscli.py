"""orgtwin against Debian's AWS CLI v2 (/usr/bin/aws), configured only through the credentials and
config files the server writes -- exactly what a user does."""
import json
import os
import subprocess

import pytest

AWS = "/usr/bin/aws"


def aws(server, *args, env_extra=None, faketime=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": server.data_dir,
        "AWS_SHARED_CREDENTIALS_FILE": server.credentials_file,
        "AWS_CONFIG_FILE": server.config_file,
        "AWS_PROFILE": "orgtwin",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }
    env.update(env_extra or {})
    # Explicit keys in env_extra replace the profile entirely.
    if "AWS_ACCESS_KEY_ID" in env:
        del env["AWS_PROFILE"]
    cmd = [AWS, "--endpoint-url", server.endpoint, "--output", "json"] + list(args)
    if faketime:
        cmd = ["/usr/bin/faketime", "-f", faketime] + cmd
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def test_cli_is_version_2():
    out = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("aws-cli/2.")


def test_get_caller_identity(server):
    result = aws(server, "sts", "get-caller-identity")
    assert result.returncode == 0, result.stderr
    identity = json.loads(result.stdout)
    assert identity == {"UserId": "123456789012", "Account": "123456789012",
                        "Arn": "arn:aws:iam::123456789012:root"}


def test_wrong_secret(server):
    result = aws(server, "sts", "get-caller-identity", env_extra={
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": "y" * 40, "AWS_DEFAULT_REGION": "us-east-1"})
    assert result.returncode == 254
    assert "(SignatureDoesNotMatch)" in result.stderr


def test_unknown_key(server):
    result = aws(server, "sts", "get-caller-identity", env_extra={
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "y" * 40, "AWS_DEFAULT_REGION": "us-east-1"})
    assert result.returncode == 254
    assert "(InvalidClientTokenId)" in result.stderr
    assert "The security token included in the request is invalid" in result.stderr


def test_stale_date(server):
    result = aws(server, "sts", "get-caller-identity", faketime="-20m")
    assert result.returncode == 254, result.stdout
    assert "(SignatureDoesNotMatch)" in result.stderr
    assert "Signature expired" in result.stderr


def test_pattern_violation(server):
    result = aws(server, "sts", "assume-role", "--role-arn",
                 "arn:aws:iam::123456789012:role/r", "--role-session-name", "bad session!")
    assert result.returncode == 254
    assert "(ValidationError)" in result.stderr
    assert "roleSessionName" in result.stderr


def test_organizations_invalid_input(server):
    result = aws(server, "organizations", "describe-account", "--account-id", "12")
    assert result.returncode == 254
    assert "(InvalidInputException)" in result.stderr
