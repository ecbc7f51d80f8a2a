"""The server survives garbage: every malformed exchange gets a clean 4xx (or a closed
connection) and the server keeps answering real requests afterwards."""
import socket

import boto3
from botocore.config import Config


def exchange(server, payload, read_timeout=10.0):
    """Sends raw bytes, returns whatever the server answers before closing (or the timeout)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except socket.timeout:
            pass
    return b"".join(chunks)


def status_of(response):
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None


def still_serving(server):
    sts = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=server.access_key,
                       aws_secret_access_key=server.secret_key,
                       config=Config(retries={"max_attempts": 1}))
    return sts.get_caller_identity()["Account"] == "123456789012"


def test_not_http(server):
    response = exchange(server, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
    assert status_of(response) == 400
    assert still_serving(server)


def test_truncated_request(server):
    response = exchange(server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=")
    # The client went away mid-body: nothing to answer, or a 4xx; never a crash.
    assert response == b"" or 400 <= status_of(response) < 500
    assert still_serving(server)


def test_huge_headers(server):
    payload = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n"
    response = exchange(server, payload)
    assert status_of(response) in (400, 431)
    assert still_serving(server)


def test_body_over_limit(server):
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (64 * 1024 * 1024)
    response = exchange(server, head + b"x" * 65536)
    assert status_of(response) == 413
    assert still_serving(server)


def test_invalid_utf8_body_gets_aws_error(server):
    body = b"Action=GetCallerIdentity&Version=2011-06-15&Junk=\xff\xfe\xc3\x28"
    payload = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    response = exchange(server, payload)
    # Unsigned: AWS answers MissingAuthenticationToken (403) in the STS XML error format.
    assert status_of(response) == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in response
    assert still_serving(server)


def test_invalid_utf8_json_target(server):
    body = b'{"AccountId": "\xff\xff"}'
    payload = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSOrganizationsV20161128.Describe\xffAccount\r\n"
               b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    response = exchange(server, payload)
    assert 400 <= status_of(response) < 500
    assert still_serving(server)
