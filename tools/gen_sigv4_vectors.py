#!/usr/bin/env python3
"""Generates src/auth/testdata/sigv4_vectors.json with botocore's own SigV4 signers.

Dev-time only: run with the pyenv `python3` that has botocore 1.43.11 (the version models/ came
from). ctest never runs this; it reads the committed JSON.

    python3 tools/gen_sigv4_vectors.py > src/auth/testdata/sigv4_vectors.json

Each case is signed by botocore.auth.SigV4Auth (Authorization header) or SigV4QueryAuth (presigned
query) on a botocore AWSRequest, with fixed credentials and a frozen clock (botocore's
get_current_datetime is patched, as botocore's own tests freeze time). Recorded per case: the
exact request as it goes on the wire (method, target, headers in order, body) plus botocore's
canonical request, string to sign and signature, so the C++ verifier can be checked step by step.
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import urlsplit

import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=="
NOW = datetime.datetime(2026, 11, 27, 23, 7, 44)

# The published AWS SigV4 test suite's fixed inputs (aws-sig-v4-test-suite); the cases below that
# use them are re-derived here with botocore rather than copied.
SUITE_AKID = "AKIDEXAMPLE"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_NOW = datetime.datetime(2015, 8, 30, 12, 36, 0)


def sign(name, method, url, headers=(), body=b"", service="sts", region="us-east-1",
         presign_expires=None, token=None, akid=AKID, secret=SECRET, now=NOW, date_header=False):
    req = AWSRequest(method=method, url=url, data=body)
    host = urlsplit(url).netloc
    req.headers["Host"] = host
    for k, v in headers:
        req.headers[k] = v  # HTTPHeaders appends: repeated names stay repeated
    creds = Credentials(akid, secret, token)
    if presign_expires is not None:
        auth = SigV4QueryAuth(creds, service, region, expires=presign_expires)
    else:
        auth = SigV4Auth(creds, service, region)
    captured = {}
    orig_cr, orig_sts = auth.canonical_request, auth.string_to_sign

    def cr(r):
        captured["canonical_request"] = orig_cr(r)
        return captured["canonical_request"]

    def sts(r, c):
        captured["string_to_sign"] = orig_sts(r, c)
        return captured["string_to_sign"]

    auth.canonical_request, auth.string_to_sign = cr, sts
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        auth.add_auth(req)
    parts = urlsplit(req.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    body_bytes = req.body if isinstance(req.body, bytes) else (req.body or "").encode()
    if isinstance(req.data, str) and req.data == "":
        body_bytes = b""
    signature = captured["string_to_sign"] and auth.signature(captured["string_to_sign"], req)
    return {
        "name": name,
        "method": method,
        "target": target,
        "headers": [[k, v] for k, v in req.headers.items()],
        "body": body_bytes.decode("utf-8"),
        "access_key_id": akid,
        "secret_access_key": secret,
        "session_token": token or "",
        "region": region,
        "service": service,
        "now": now.strftime("%Y%m%dT%H%M%SZ"),
        "presigned": presign_expires is not None,
        "expires": presign_expires or 0,
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
        "signature": signature,
    }


FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON11 = "application/x-amz-json-1.1"


def cases():
    out = []
    sts = "https://sts.amazonaws.com"
    iam = "https://iam.amazonaws.com"
    org = "https://organizations.us-east-1.amazonaws.com"
    acct = "https://account.us-east-1.amazonaws.com"
    out.append(sign("get_query", "GET",
                    sts + "/?Action=GetCallerIdentity&Version=2011-06-15"))
    out.append(sign("post_form_sts", "POST", sts + "/",
                    [("Content-Type", FORM)],
                    b"Action=GetCallerIdentity&Version=2011-06-15"))
    out.append(sign("post_form_iam", "POST", iam + "/",
                    [("Content-Type", FORM)],
                    b"Action=CreateUser&UserName=alice%2Bops&Path=%2Fteam%2F&Version=2010-05-08"))
    out.append(sign("json_organizations", "POST", org + "/",
                    [("Content-Type", JSON11),
                     ("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")],
                    b"{}", service="organizations"))
    out.append(sign("json_organizations_body", "POST", org + "/",
                    [("Content-Type", JSON11),
                     ("X-Amz-Target", "AWSOrganizationsV20161128.CreateAccount")],
                    '{"Email":"ops+1@example.com","AccountName":"Prod \u00e9t\u00e9"}'.encode(),
                    service="organizations"))
    out.append(sign("restjson_account", "POST", acct + "/getAlternateContact",
                    [("Content-Type", "application/json")],
                    b'{"AlternateContactType":"BILLING"}', service="account"))
    out.append(sign("session_token", "POST", sts + "/",
                    [("Content-Type", FORM)],
                    b"Action=GetCallerIdentity&Version=2011-06-15", token=TOKEN))
    out.append(sign("presigned_get", "GET",
                    sts + "/?Action=GetCallerIdentity&Version=2011-06-15",
                    presign_expires=900))
    out.append(sign("presigned_token", "GET",
                    sts + "/?Action=GetCallerIdentity&Version=2011-06-15",
                    presign_expires=3600, token=TOKEN))
    out.append(sign("presigned_extra_header", "GET",
                    sts + "/?Action=GetCallerIdentity&Version=2011-06-15",
                    [("x-k8s-aws-id", "my-cluster")], presign_expires=60))
    out.append(sign("path_space", "GET", acct + "/a%20b/c", service="account"))
    out.append(sign("path_unicode", "GET", acct + "/caf%C3%A9/%E2%9C%93", service="account"))
    out.append(sign("path_double_slash", "GET", acct + "/foo//bar///baz", service="account"))
    out.append(sign("path_dots", "GET", acct + "/foo/./bar/../baz/.", service="account"))
    out.append(sign("path_trailing_slash", "GET", acct + "/foo/bar/", service="account"))
    out.append(sign("path_reserved", "GET", acct + "/a%2Fb/c%3Dd/e~f-g_h.i", service="account"))
    out.append(sign("query_repeated_keys", "GET",
                    acct + "/list?b=2&a=3&a=1&a=2&c=z", service="account"))
    out.append(sign("query_empty_values", "GET",
                    acct + "/list?flag&x=&y=1&=v", service="account"))
    out.append(sign("query_encoded", "GET",
                    acct + "/list?k%20ey=v%2Fal%3Due&%C3%A9=%E2%9C%93&t=a~b", service="account"))
    out.append(sign("header_whitespace", "GET", sts + "/?Action=GetCallerIdentity&Version=2011-06-15",
                    [("X-Amz-Meta-Note", "   a   b \t c   "), ("My-Header", "\tx  y\t")]))
    out.append(sign("header_repeated", "GET", sts + "/?Action=GetCallerIdentity&Version=2011-06-15",
                    [("X-Amz-Meta-Multi", "one"), ("X-Amz-Meta-Multi", "  two  three "),
                     ("x-amz-meta-multi", "four")]))
    out.append(sign("header_mixed_case", "POST", iam + "/",
                    [("content-TYPE", FORM), ("X-AMZ-User-Agent", "orgtwin/1.0")],
                    b"Action=ListUsers&Version=2010-05-08", region="us-east-1", service="iam"))
    out.append(sign("other_region", "POST", "https://sts.eu-west-1.amazonaws.com/",
                    [("Content-Type", FORM)], b"Action=GetCallerIdentity&Version=2011-06-15",
                    region="eu-west-1"))
    out.append(sign("host_with_port", "POST", "http://127.0.0.1:4566/",
                    [("Content-Type", FORM)], b"Action=GetCallerIdentity&Version=2011-06-15"))

    # Re-derivations of aws-sig-v4-test-suite inputs.
    ex = "https://example.amazonaws.com"
    suite = dict(akid=SUITE_AKID, secret=SUITE_SECRET, now=SUITE_NOW, service="service")
    out.append(sign("suite_get_vanilla", "GET", ex + "/", **suite))
    out.append(sign("suite_get_vanilla_query_order_key_case", "GET",
                    ex + "/?Param2=value2&Param1=value1", **suite))
    out.append(sign("suite_get_vanilla_utf8_query", "GET", ex + "/?%E1%88%B4=bar", **suite))
    out.append(sign("suite_get_vanilla_empty_query_key", "GET", ex + "/?Param1=value1", **suite))
    out.append(sign("suite_get_space", "GET", ex + "/example%20space/", **suite))
    out.append(sign("suite_get_slash_dot_slash", "GET", ex + "/./", **suite))
    out.append(sign("suite_get_slashes", "GET", ex + "//example//", **suite))
    out.append(sign("suite_get_relative_relative", "GET", ex + "/example1/example2/../..",
                    **suite))
    out.append(sign("suite_get_unreserved", "GET",
                    ex + "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    **suite))
    out.append(sign("suite_get_header_value_trim", "GET", ex + "/",
                    [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')], **suite))
    out.append(sign("suite_get_header_value_multiline", "GET", ex + "/",
                    [("My-Header1", "value1 value2  value3")], **suite))
    out.append(sign("suite_post_x_www_form_urlencoded", "POST", ex + "/",
                    [("Content-Type", "application/x-www-form-urlencoded")], b"Param1=value1",
                    **suite))
    out.append(sign("suite_post_sts_token", "POST", ex + "/", [],
                    b"", token="AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW"
                    "LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1"
                    "NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY"
                    "9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rv"
                    "x3iSIlTJabIQwj2ICCR/oLxBA==", **suite))
    return out


def main():
    data = {
        "generator": "tools/gen_sigv4_vectors.py",
        "botocore_version": botocore.__version__,
        "cases": cases(),
    }
    json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
