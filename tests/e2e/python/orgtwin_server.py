"""Starts a real `orgtwin serve` on port 0 in a temp data dir and tells tests how to reach it.

Shared by the pytest suites (boto3, AWS CLI, raw-socket robustness). The binary comes from
$ORGTWIN_BIN (set by ctest) or build/release/src/cli/orgtwin.

With ORGTWIN_E2E_STORE=postgres (ctest's e2e_postgres_* runs, under scripts/with-postgres.sh,
which sets PGHOST/PGPORT/PGUSER and OT_TEST_PG_PORT), each server that names no --store of its
own serves from a PostgreSQL database that stands for its data directory's orgtwin.db (created
empty on first use), reached over TCP as a deployment would: a suite's servers start from an
empty twin as they do on SQLite, and a server started again on the same directory finds its
state.
"""
import configparser
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_BIN = os.path.join(REPO, "build", "release", "src", "cli", "orgtwin")


class OrgtwinServer:
    def __init__(self, *extra_args):
        self.binary = os.environ.get("ORGTWIN_BIN", DEFAULT_BIN)
        self.data_dir = tempfile.mkdtemp(prefix="orgtwin-e2e-")
        self.extra_args = list(extra_args)
        self.on_postgres = (os.environ.get("ORGTWIN_E2E_STORE") == "postgres"
                            and "--store" not in self.extra_args)
        self.process = None
        self.banner = None  # the "orgtwin listening on ..." line, which names the store
        self.endpoint = None
        self.port = None

    def start(self, timeout=20.0):
        # The data directory is read here, not in __init__: a test may point a second server at
        # the first one's directory to find its state again.
        store = ["--store", postgres_database_of(self.data_dir)] if self.on_postgres else []
        self.process = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", "--data", self.data_dir,
             "--log-level", "warn"] + self.extra_args + store,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("orgtwin exited early: " + self.process.stderr.read())
            match = re.search(r"listening on (https?://[\d.]+:(\d+))", line)
            if match:
                self.banner = line.strip()
                self.endpoint, self.port = match.group(1), int(match.group(2))
                break
        else:
            raise RuntimeError("orgtwin did not report its port in time")
        if self.on_postgres and "(store postgres://" not in self.banner:
            raise RuntimeError("orgtwin was to serve from PostgreSQL: " + self.banner)
        creds = configparser.ConfigParser()
        creds.read(self.credentials_file)
        self.access_key = creds["orgtwin"]["aws_access_key_id"]
        self.secret_key = creds["orgtwin"]["aws_secret_access_key"]
        return self

    @property
    def credentials_file(self):
        return os.path.join(self.data_dir, "credentials")

    @property
    def config_file(self):
        return os.path.join(self.data_dir, "config")

    def kill9(self):
        """SIGKILL, no shutdown: what survives is what the server had made durable."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self, timeout=20.0):
        """Starts the server again on the same data directory (after stop() or kill9())."""
        return self.start(timeout)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def postgres_database_of(data_dir):
    """The URL of the database that stands for `data_dir`'s orgtwin.db on the test server of
    scripts/with-postgres.sh, created empty on first use."""
    name = "e2e_" + hashlib.sha1(os.path.abspath(data_dir).encode()).hexdigest()[:20]
    created = subprocess.run(["createdb", name], capture_output=True, text=True, timeout=60)
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise RuntimeError("createdb %s: %s" % (name, created.stderr))
    return "postgres://postgres@127.0.0.1:%s/%s" % (os.environ["OT_TEST_PG_PORT"], name)


def wait_for(probe, timeout=20.0):
    """Polls `probe` until it returns something truthy or `timeout` seconds pass; returns its last
    value (falsy on timeout). For effects the twin makes after answering: mail, deliveries, the
    audit trail's read events."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
