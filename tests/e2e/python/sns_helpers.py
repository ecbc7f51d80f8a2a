"""What an SNS subscriber needs in the suites: an HTTP endpoint that keeps what SNS POSTs to it,
and the signature check an SNS receiver makes with the certificate the twin serves.
"""
import base64
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding


class Receiver:
    """An HTTP endpoint that keeps every POST (headers and JSON body) and wakes waiters."""

    def __init__(self, port=0):
        self.messages = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.cond:
                    receiver.messages.append((dict(self.headers), json.loads(body)))
                    receiver.cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, predicate, timeout=15.0):
        with self.cond:
            assert self.cond.wait_for(lambda: [m for m in self.messages if predicate(m)],
                                      timeout), "no matching POST"
            return [m for m in self.messages if predicate(m)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def of_type(kind, **fields):
    return lambda m: m[1]["Type"] == kind and all(m[1].get(k) == v for k, v in fields.items())


def verify_signature(message):
    """Checks the message's signature as an SNS receiver does, with the served certificate."""
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join("%s\n%s\n" % (k, message[k]) for k in keys if k in message)
    with urllib.request.urlopen(message["SigningCertURL"], timeout=10) as response:
        cert = x509.load_pem_x509_certificate(response.read())
    digest = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    cert.public_key().verify(base64.b64decode(message["Signature"]), text.encode(),
                             padding.PKCS1v15(), digest)
