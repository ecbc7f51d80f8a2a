"""moto-compatible reset: POST /moto-api/reset and /_orgtwin/reset."""
import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from orgtwin_server import OrgtwinServer


def post(url, headers=None):
    req = urllib.request.Request(url, data=b"", headers=headers or {}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, json.loads(response.read())


def signed_headers(server, url, key=None, secret=None):
    request = AWSRequest(method="POST", url=url, data=b"")
    SigV4Auth(Credentials(key or server.access_key, secret or server.secret_key), "orgtwin",
              "us-east-1").add_auth(request)
    return dict(request.headers)


def test_health_is_open(server):
    with urllib.request.urlopen(server.endpoint + "/_orgtwin/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok"
    assert health["defaultAccountId"] == "123456789012"


@pytest.mark.parametrize("path", ["/moto-api/reset", "/_orgtwin/reset"])
def test_unsigned_reset_is_refused_in_enforce_mode(server, path):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        post(server.endpoint + path)
    assert excinfo.value.code == 403


@pytest.mark.parametrize("path", ["/moto-api/reset", "/_orgtwin/reset"])
def test_default_root_may_reset_and_keeps_its_key(server, path):
    url = server.endpoint + path
    assert post(url, signed_headers(server, url)) == (200, {"status": "ok"})
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=server.access_key,
                       aws_secret_access_key=server.secret_key)
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_allow_reset_flag_accepts_unsigned_reset():
    srv = OrgtwinServer("--allow-reset").start()
    try:
        assert post(srv.endpoint + "/moto-api/reset") == (200, {"status": "ok"})
    finally:
        srv.cleanup()


def test_permissive_mode_accepts_any_key_as_default_root():
    srv = OrgtwinServer("--auth", "permissive").start()
    try:
        sts = boto3.client("sts", endpoint_url=srv.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        assert post(srv.endpoint + "/moto-api/reset") == (200, {"status": "ok"})
    finally:
        srv.cleanup()


def test_restart_keeps_credentials():
    srv = OrgtwinServer().start()
    try:
        key = srv.access_key
        assert srv.stop() == 0  # graceful SIGTERM exit
        again = OrgtwinServer()
        again.data_dir = srv.data_dir
        again.start()
        try:
            assert again.access_key == key
            sts = boto3.client("sts", endpoint_url=again.endpoint, region_name="us-east-1",
                               aws_access_key_id=again.access_key,
                               aws_secret_access_key=again.secret_key)
            assert sts.get_caller_identity()["Account"] == "123456789012"
        finally:
            again.stop()
    finally:
        srv.cleanup()


def test_credentials_file_is_private(server):
    import os
    import stat
    mode = stat.S_IMODE(os.stat(server.credentials_file).st_mode)
    assert mode == 0o600
