"""The optional SMTP relay (`orgtwin serve --smtp host:port`): the twin's mail also reaches a
real SMTP server, and a message the server could not take at first is retried until it does.
The server here is a minimal SMTP sink on loopback, written for the test."""
import os
import socket
import socketserver
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from orgtwin_server import OrgtwinServer, wait_for  # noqa: E402
from root_helpers import post, signup  # noqa: E402


class Sink(socketserver.ThreadingTCPServer):
    """Accepts every message (EHLO, MAIL, RCPT, DATA, QUIT) and keeps (sender, recipients,
    text)."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port=0):
        self.messages = []
        super().__init__(("127.0.0.1", port), SinkHandler)


class SinkHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline().decode(errors="replace").rstrip("\r\n")
            if not line:
                return
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender = line[line.index(":") + 1:].strip()
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line[line.index(":") + 1:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                text = []
                while True:
                    data = self.rfile.readline().decode(errors="replace")
                    if data in (".\r\n", ".\n", ""):
                        break
                    text.append(data)
                self.server.messages.append((sender, recipients, "".join(text)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_sink(sink):
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    return sink


@pytest.fixture()
def relayed():
    port = free_port()
    srv = OrgtwinServer("--smtp", "127.0.0.1:%d" % port, "--smtp-from", "twin@example.net")
    srv.start()
    srv.smtp_port = port
    yield srv
    srv.cleanup()


def wait_for_log(server, text, timeout=20.0):
    """Reads the server's log (stderr, warnings and up) until a line contains `text`."""
    import select
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([server.process.stderr], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = server.process.stderr.readline()
        if text in line:
            return True
    return False


def reset_link(server, account):
    status, body = post(server, "/_orgtwin/console/root/password-reset", {"Email": account.email})
    assert status == 200, body
    status, body = post(server, "/_orgtwin/mailboxes/list", {"Address": account.email})
    return body["Messages"][-1]["Token"]


def test_mail_reaches_the_smtp_server_and_stays_in_the_mailbox(relayed):
    sink = serve_sink(Sink(relayed.smtp_port))
    try:
        account = signup(relayed, "relayed")
        token = reset_link(relayed, account)
        assert wait_for(lambda: sink.messages), "the relay delivered nothing"
        sender, recipients, text = sink.messages[-1]
        assert sender == "<twin@example.net>"
        assert recipients == ["<%s>" % account.email.lower()]
        assert "Subject: Amazon Web Services password assistance" in text
        assert token in text
    finally:
        sink.shutdown()
        sink.server_close()


def test_a_message_the_server_could_not_take_is_retried(relayed):
    # Nothing listens yet: the first attempt fails (the relay logs it) and the message waits in
    # the outbox.
    account = signup(relayed, "retried")
    token = reset_link(relayed, account)
    assert wait_for_log(relayed, "smtp relay: %s" % account.email.lower()), "no failed attempt"
    sink = serve_sink(Sink(relayed.smtp_port))
    try:
        assert wait_for(lambda: any(token in m[2] for m in sink.messages), timeout=30), \
            "the relay did not retry"
        # A later message arriving means the relay made later passes: the first was not resent.
        later = reset_link(relayed, account)
        assert wait_for(lambda: any(later in m[2] for m in sink.messages)), "no later message"
        assert sum(token in m[2] for m in sink.messages) == 1
    finally:
        sink.shutdown()
        sink.server_close()
