"""`orgtwin serve --store URL`: the default store is orgtwin.db in the data directory; a
sqlite: URL puts the database elsewhere (with its options) and the state survives a restart
there; a URL orgtwin cannot open stops the server with the message the user needs."""
import os
import shutil
import subprocess
import tempfile
import urllib.parse

import boto3

from orgtwin_server import DEFAULT_BIN, OrgtwinServer


def iam(server):
    return boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key)


def test_default_store_is_in_the_data_directory(server):
    database = os.path.join(os.path.abspath(server.data_dir), "orgtwin.db")
    assert "(store sqlite:%s," % database in server.banner
    assert os.path.exists(database)


def test_sqlite_url_places_the_database_and_keeps_state():
    elsewhere = tempfile.mkdtemp(prefix="orgtwin-e2e-store-")
    database = os.path.join(elsewhere, "state dir", "twin.db")
    url = "sqlite://" + urllib.parse.quote(database) + "?sync=full&busy_timeout_ms=2000"
    server = OrgtwinServer("--store", url)
    try:
        server.start()
        assert "(store sqlite:%s," % database in server.banner
        assert os.path.exists(database)
        assert not os.path.exists(os.path.join(server.data_dir, "orgtwin.db"))
        # The credentials still go to the data directory.
        assert os.path.exists(server.credentials_file)
        iam(server).create_user(UserName="kept-in-store-url")
        server.stop()

        server.restart()
        names = [u["UserName"] for u in iam(server).list_users()["Users"]]
        assert "kept-in-store-url" in names
    finally:
        server.cleanup()
        shutil.rmtree(elsewhere, ignore_errors=True)


def run_serve(*args):
    data_dir = tempfile.mkdtemp(prefix="orgtwin-e2e-")
    try:
        return subprocess.run(
            [os.environ.get("ORGTWIN_BIN", DEFAULT_BIN), "serve", "--listen", "127.0.0.1:0", "--data", data_dir]
            + list(args), capture_output=True, text=True, timeout=30)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def test_unreachable_postgres_stops_serve_without_echoing_the_password():
    # Port 1 on the loopback refuses at once: nothing listens there.
    result = run_serve("--store", "postgres://orgtwin:secret@127.0.0.1:1/orgtwin")
    assert result.returncode == 1
    assert "orgtwin serve: unavailable: postgres: cannot connect" in result.stderr
    assert "secret" not in result.stderr


def test_bad_sqlite_option_is_refused():
    result = run_serve("--store", "sqlite:x.db?sync=fast")
    assert result.returncode == 1
    assert ("orgtwin serve: invalid_input: store URL `sqlite:x.db?sync=fast` has sync `fast`; "
            "sync is `normal` or `full`") in result.stderr
