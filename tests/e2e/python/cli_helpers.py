"""Helpers of the AWS CLI v2 suites: run Debian's /usr/bin/aws against an orgtwin server.

The default principal is the profile the server writes (AWS_SHARED_CREDENTIALS_FILE /
AWS_CONFIG_FILE, profile orgtwin); other principals are given as explicit keys through the
environment, the way a user exports credentials returned by `aws sts assume-role`.
"""
import json
import subprocess

AWS = "/usr/bin/aws"


class Keys:
    """Explicit credentials for the CLI's environment (a session token for temporary ones)."""

    def __init__(self, access_key, secret_key, session_token=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token

    def env(self):
        env = {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
               "AWS_DEFAULT_REGION": "us-east-1"}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env


def run(server, *args, keys=None):
    """Runs `aws --endpoint-url ... --output json ARGS` and returns the CompletedProcess."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": server.data_dir,
        "AWS_SHARED_CREDENTIALS_FILE": server.credentials_file,
        "AWS_CONFIG_FILE": server.config_file,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }
    if keys is None:
        env["AWS_PROFILE"] = "orgtwin"
    else:
        env.update(keys.env())
    cmd = [AWS, "--endpoint-url", server.endpoint, "--output", "json"] + list(args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def ok(server, *args, keys=None):
    """Runs the CLI, asserts success, returns the parsed JSON output ({} when there is none)."""
    result = run(server, *args, keys=keys)
    assert result.returncode == 0, (args, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip() else {}


def fails(server, code, *args, keys=None):
    """Runs the CLI, asserts the service-error exit code 254 and `(code)`, returns stderr."""
    result = run(server, *args, keys=keys)
    assert result.returncode == 254, (args, result.returncode, result.stdout, result.stderr)
    assert "An error occurred (%s) when calling" % code in result.stderr, result.stderr
    return result.stderr


def in_parallel(call, items):
    """call(item) for every item on its own thread (CLI start-up dominates each call); returns
    the results in the order of items. Only for calls that do not depend on each other."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(call, items))
