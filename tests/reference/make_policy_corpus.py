#!/usr/bin/env python3
"""Writes the hand-written policy case corpus (tests/conformance/policy/<topic>.json, FORMAT.md).

Dev-time only (stdlib; any python3, e.g. /usr/bin/python3); ctest reads the committed JSON. The
cases are written here in a compact table form, one row per rule check: every expectation below is
derived by hand from ../shared/AWS-FACTS.md sections 1 and 3 and the AWS IAM / Organizations
documentation, never from what an evaluator returns. Files named engine_*.json and
differential_found.json are not written by this script.

    python3 tests/reference/make_policy_corpus.py
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "conformance", "policy")
MANAGED = "/work/shared/data/aws-managed-policies/policies"

A = "111111111111"
B = "222222222222"
C = "333333333333"
V12 = "2012-10-17"
MISSING = object()

F11 = "AWS-FACTS 1.1"
F15 = "AWS-FACTS 1.5"
F16 = "AWS-FACTS 1.6"
F17 = "AWS-FACTS 1.7"


# ---------------------------------------------------------------------------------------------
# Builders.

def user(name="alice", acct=A):
    return {"type": "User", "arn": f"arn:aws:iam::{acct}:user/{name}", "account": acct}


def session(role="R", sess="s1", acct=A):
    return {"type": "AssumedRole", "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}",
            "account": acct, "role_arn": f"arn:aws:iam::{acct}:role/{role}"}


def fed(name="fred", acct=A):
    return {"type": "FederatedUser", "arn": f"arn:aws:sts::{acct}:federated-user/{name}",
            "account": acct}


def root(acct=A):
    return {"type": "Root", "arn": f"arn:aws:iam::{acct}:root", "account": acct}


def slr(svc="organizations.amazonaws.com", name="AWSServiceRoleForOrganizations", acct=A):
    return {"type": "ServiceLinkedRole",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{name}/{svc.split('.')[0]}",
            "account": acct,
            "role_arn": f"arn:aws:iam::{acct}:role/aws-service-role/{svc}/{name}"}


def anon():
    return {"type": "Anonymous", "arn": "", "account": ""}


def st(effect="Allow", action="s3:GetObject", resource="*", **kw):
    s = {"Effect": effect}
    for k in ("Sid",):
        if k in kw:
            s[k] = kw.pop(k)
    if "not_action" in kw:
        s["NotAction"] = kw.pop("not_action")
    elif action is not None:
        s["Action"] = action
    if "principal" in kw:
        s["Principal"] = kw.pop("principal")
    if "not_principal" in kw:
        s["NotPrincipal"] = kw.pop("not_principal")
    if "not_resource" in kw:
        s["NotResource"] = kw.pop("not_resource")
    elif resource is not None:
        s["Resource"] = resource
    if "cond" in kw:
        s["Condition"] = kw.pop("cond")
    assert not kw, kw
    return s


def allow(action="s3:GetObject", resource="*", **kw):
    return st("Allow", action, resource, **kw)


def deny(action="s3:GetObject", resource="*", **kw):
    return st("Deny", action, resource, **kw)


def doc(*stmts, version=V12):
    d = {}
    if version is not None:
        d["Version"] = version
    d["Statement"] = list(stmts)
    return d


def pol(pid, *stmts, version=V12):
    return {"id": pid, "document": doc(*stmts, version=version)}


FULL_SCP = {"id": "FullAWSAccess", "document": doc(allow("*", "*"))}
FULL_RCP = {"id": "RCPFullAWSAccess", "document": doc(allow("*", "*", principal="*"))}
ADMIN = pol("admin", allow("*", "*"))


def case(name, rule, decision, principal=None, action="s3:GetObject",
         resource="arn:aws:s3:::bucket/key", by=None, matched=None, identity=None,
         boundary=None, session_pols=None, resource_policy=None, scp=None, rcp=None,
         context=None, resource_account=None):
    req = {"principal": principal if principal is not None else user(), "action": action,
           "resource": resource}
    if resource_account is not None:
        req["resource_account"] = resource_account
    if context:
        req["context"] = context
    pols = {}
    if identity is not None:
        pols["identity"] = identity
    if boundary is not None:
        pols["boundary"] = boundary
    if session_pols is not None:
        pols["session"] = session_pols
    if resource_policy is not None:
        pols["resource"] = resource_policy
    if scp is not None:
        pols["scp"] = scp
    if rcp is not None:
        pols["rcp"] = rcp
    exp = {"decision": decision}
    if by is not None:
        exp["decided_by"] = by
    if matched is not None:
        exp["matched"] = [{"policy": p, "statement": i} for p, i in matched]
    return {"name": name, "rule": rule, "request": req, "policies": pols, "expect": exp}


def allowed(name, rule, **kw):
    return case(name, rule, "Allow", **kw)


def implicit(name, rule, **kw):
    return case(name, rule, "ImplicitDeny", **kw)


def explicit(name, rule, **kw):
    return case(name, rule, "ExplicitDeny", **kw)


def vcase(name, rule, flavour, document, valid, error=None, message=None):
    exp = {"valid": valid}
    if error:
        exp["error"] = error
    if message:
        exp["message"] = message
    if not isinstance(document, str):
        document = json.dumps(document)
    return {"name": name, "rule": rule, "validate": {"flavour": flavour, "document": document},
            "expect": exp}


def yes_no(name, rule, match, **kw):
    """Identity policy allow that matches iff `match`: Allow / ImplicitDeny by identity."""
    if match:
        return case(name, rule, "Allow", by="identity", **kw)
    kw["matched"] = []
    return case(name, rule, "ImplicitDeny", by="identity", **kw)


# ---------------------------------------------------------------------------------------------
# Topics.

def actions():
    rule = F15 + ": Action is service:Name, both case-insensitive, `*` anywhere in the name"
    rows = [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:getobject", "s3:GetObject", True),
        ("S3:GETOBJECT", "s3:GetObject", True),
        ("s3:GetObject", "S3:getObject", True),
        ("s3:*", "s3:PutObject", True),
        ("s3:*", "s3-object-lambda:GetObject", False),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:get*", "s3:GetBucketPolicy", True),
        ("s3:*Object", "s3:GetObject", True),
        ("s3:*Object", "s3:GetObjectAcl", False),
        ("s3:*Object*", "s3:GetObjectAcl", True),
        ("s3:Get*Acl", "s3:GetObjectAcl", True),
        ("s3:Get*Acl", "s3:GetObject", False),
        ("*", "iam:CreateUser", True),
        ("*", "organizations:CreateAccount", True),
        ("iam:*", "s3:GetObject", False),
        ("iam:CreateUser", "iam:CreateUserX", False),
        ("iam:CreateUser", "iam:CreateUse", False),
        ("iam:Create*", "iam:Create", True),
        ("ec2:Describe*", "ec2:DescribeInstances", True),
        ("ec2:Describe*", "ec2:describeinstances", True),
        ("ec2:*Instances", "ec2:TerminateInstances", True),
        ("ec2:*Instances", "ec2:TerminateInstance", False),
        ("s3:GetObjec?", "s3:GetObject", True),
        ("s3:GetObjec?", "s3:GetObjects", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:SetObject", True),
        ("s3:??tObject", "s3:PutObject", True),
        ("organizations:*", "organizations:ListAccounts", True),
        ("organizations:List*", "organizations:DescribeOrganization", False),
        ("aws-portal:*Billing", "aws-portal:ViewBilling", True),
        ("aws-portal:*Billing", "aws-portal:ModifyBilling", True),
        ("aws-portal:*Billing", "aws-portal:ViewUsage", False),
        ("iam:GetRole", "iam:GetRolePolicy", False),
        ("iam:GetRole*", "iam:GetRolePolicy", True),
        ("s3:Get*", "s3:get", True),
        ("cloudtrail:*", "CloudTrail:LookupEvents", True),
    ]
    out = []
    for i, (pat, act, m) in enumerate(rows):
        out.append(yes_no(f"action-{i:02d}-{pat}-vs-{act}", rule, m, action=act,
                          identity=[pol("p", allow(pat))],
                          matched=[("p", 0)] if m else None))
    # Lists of actions are ORed.
    out.append(allowed("action-list-any-matches", rule + "; a list is ORed", by="identity",
                       action="iam:GetUser",
                       identity=[pol("p", allow(["s3:GetObject", "iam:GetUser"]))],
                       matched=[("p", 0)]))
    out.append(implicit("action-list-none-matches", rule + "; a list is ORed", by="identity",
                        action="iam:DeleteUser",
                        identity=[pol("p", allow(["s3:GetObject", "iam:GetUser"]))]))
    out.append(allowed("action-two-statements-both-match", F15, by="identity",
                       identity=[pol("p", allow("s3:*"), allow("s3:GetObject"))],
                       matched=[("p", 0), ("p", 1)]))
    out.append(allowed("action-two-policies", F11 + " step 5: some identity policy allows",
                       by="identity",
                       identity=[pol("p1", allow("iam:*")), pol("p2", allow("s3:Get*"))],
                       matched=[("p2", 0)]))
    out.append(implicit("action-no-policies", F11 + ": every request starts as implicit deny",
                        by="identity", identity=[]))
    out.append(explicit("action-deny-wildcard-case", F15 + " + " + F11 + " step 1",
                        by="identity", action="S3:GetObject",
                        identity=[pol("p", allow("*"), deny("s3:get*"))],
                        matched=[("p", 1)]))
    out.append(explicit("action-deny-overrides-allow-other-policy", F11 + " step 1",
                        by="identity", identity=[pol("a", allow("*")), pol("d", deny("s3:*"))],
                        matched=[("d", 0)]))
    out.append(allowed("action-deny-other-action-does-not-apply", F11 + " step 1",
                       by="identity", identity=[pol("a", allow("*")), pol("d", deny("s3:Put*"))],
                       matched=[("a", 0)]))
    return out


def resources():
    rule = F15 + ": ARN matching is case-sensitive, segment by segment, `*` any run, `?` one char"
    rows = [
        ("*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/KEY", "arn:aws:s3:::bucket/key", False),
        ("arn:aws:s3:::Bucket/key", "arn:aws:s3:::bucket/key", False),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", False),
        ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/a/b/test/c", True),
        ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/a/b/prod/c", False),
        ("arn:aws:s3:::bucket/ke?", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/ke?", "arn:aws:s3:::bucket/keys", False),
        ("arn:aws:s3:::bucket/???", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/????", "arn:aws:s3:::bucket/key", False),
        ("arn:aws:s3:::*/key", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:*:::bucket/key", "arn:aws:s3:::bucket/key", True),
        ("arn:*:s3:::bucket/key", "arn:aws:s3:::bucket/key", True),
        ("arn:aws-cn:s3:::bucket/key", "arn:aws:s3:::bucket/key", False),
        ("arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:user/alice", True),
        ("arn:aws:iam::111111111111:user/Alice", "arn:aws:iam::111111111111:user/alice", False),
        ("arn:aws:iam::*:user/alice", "arn:aws:iam::111111111111:user/alice", True),
        ("arn:aws:iam::222222222222:user/alice", "arn:aws:iam::111111111111:user/alice", False),
        ("arn:aws:iam::1111111111??:user/alice", "arn:aws:iam::111111111111:user/alice", True),
        ("arn:aws:iam::111111111111:user/*", "arn:aws:iam::111111111111:user/alice", True),
        ("arn:aws:iam::111111111111:user/*", "arn:aws:iam::111111111111:role/alice", False),
        ("arn:aws:iam::111111111111:*", "arn:aws:iam::111111111111:role/x/y", True),
        ("arn:aws:ec2:us-east-1:111111111111:instance/*",
         "arn:aws:ec2:us-east-1:111111111111:instance/i-123", True),
        ("arn:aws:ec2:us-east-1:111111111111:instance/*",
         "arn:aws:ec2:eu-west-1:111111111111:instance/i-123", False),
        ("arn:aws:ec2:*:111111111111:instance/*",
         "arn:aws:ec2:eu-west-1:111111111111:instance/i-123", True),
        ("arn:aws:ec2:us-*:*:instance/*",
         "arn:aws:ec2:us-west-2:111111111111:instance/i-9", True),
        ("arn:aws:logs:*:*:log-group:aws-cloudtrail-logs*",
         "arn:aws:logs:us-east-1:111111111111:log-group:aws-cloudtrail-logs-x:log-stream:y", True),
        ("arn:aws:logs:*:*:log-group:aws-cloudtrail-logs*",
         "arn:aws:logs:us-east-1:111111111111:log-group:other", False),
        ("arn:aws:sns:*:*:aws-cloudtrail-logs*",
         "arn:aws:sns:us-east-1:111111111111:aws-cloudtrail-logs-topic", True),
        ("arn:aws:dynamodb:us-east-1:111111111111:table/T",
         "arn:aws:dynamodb:us-east-1:111111111111:table/t", False),
    ]
    out = []
    for i, (pat, res, m) in enumerate(rows):
        out.append(yes_no(f"resource-{i:02d}", rule + f" ({pat} vs {res})", m, resource=res,
                          action="s3:GetObject", identity=[pol("p", allow("s3:GetObject", pat))],
                          matched=[("p", 0)] if m else None))
    out.append(allowed("resource-list-ored", rule + "; a list is ORed", by="identity",
                       identity=[pol("p", allow("s3:GetObject", ["arn:aws:s3:::other/*",
                                                                 "arn:aws:s3:::bucket/*"]))]))
    out.append(implicit("resource-list-none", rule + "; a list is ORed", by="identity",
                        identity=[pol("p", allow("s3:GetObject", ["arn:aws:s3:::other/*",
                                                                  "arn:aws:s3:::bucket2/*"]))]))
    out.append(explicit("resource-deny-prefix", F11 + " step 1 with a resource wildcard",
                        by="identity",
                        identity=[pol("p", allow("s3:*"),
                                      deny("s3:*", "arn:aws:s3:::bucket/*"))],
                        matched=[("p", 1)]))
    out.append(allowed("resource-deny-other-bucket", F11 + " step 1 with a resource wildcard",
                       by="identity",
                       identity=[pol("p", allow("s3:*"), deny("s3:*", "arn:aws:s3:::b2/*"))],
                       matched=[("p", 0)]))
    return out


def not_action_resource():
    out = []
    r_na = F15 + ": NotAction matches every action except those listed, across all services"
    r_nr = F15 + ": NotResource matches everything except the listed ARNs"
    na_rows = [
        ("iam:*", "s3:GetObject", True),
        ("iam:*", "iam:CreateUser", False),
        ("iam:*", "IAM:createuser", False),
        (["iam:*", "organizations:*"], "organizations:ListAccounts", False),
        (["iam:*", "organizations:*"], "ec2:RunInstances", True),
        ("s3:Get*", "s3:PutObject", True),
        ("s3:Get*", "s3:GetObject", False),
        ("*", "s3:GetObject", False),
    ]
    for i, (pat, act, m) in enumerate(na_rows):
        out.append(yes_no(f"notaction-allow-{i}", r_na, m, action=act,
                          identity=[pol("p", st("Allow", None, "*", not_action=pat))],
                          matched=[("p", 0)] if m else None))
    # Deny + NotAction: the MFA / region pattern (denies everything else).
    out.append(explicit("notaction-deny-everything-else", r_na + "; Deny + NotAction", by="identity",
                        action="ec2:RunInstances",
                        identity=[pol("p", allow("*"),
                                      st("Deny", None, "*", not_action=["iam:*", "sts:*"]))],
                        matched=[("p", 1)]))
    out.append(allowed("notaction-deny-listed-action-exempt", r_na + "; Deny + NotAction",
                       by="identity", action="iam:ListUsers",
                       identity=[pol("p", allow("*"),
                                     st("Deny", None, "*", not_action=["iam:*", "sts:*"]))],
                       matched=[("p", 0)]))
    nr_rows = [
        ("arn:aws:s3:::secret/*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::secret/*", "arn:aws:s3:::secret/key", False),
        (["arn:aws:s3:::secret/*", "arn:aws:s3:::bucket/*"], "arn:aws:s3:::bucket/key", False),
        ("arn:aws:s3:::bucket/KEY", "arn:aws:s3:::bucket/key", True),
        ("*", "arn:aws:s3:::bucket/key", False),
    ]
    for i, (pat, res, m) in enumerate(nr_rows):
        out.append(yes_no(f"notresource-allow-{i}", r_nr + " (case-sensitive)", m, resource=res,
                          identity=[pol("p", st("Allow", "s3:*", None, not_resource=pat))],
                          matched=[("p", 0)] if m else None))
    out.append(explicit("notresource-deny-outside-allowed", r_nr + "; Deny + NotResource",
                        by="identity", resource="arn:aws:s3:::other/key",
                        identity=[pol("p", allow("s3:*"),
                                      st("Deny", "s3:*", None,
                                         not_resource="arn:aws:s3:::bucket/*"))],
                        matched=[("p", 1)]))
    out.append(allowed("notresource-deny-inside-allowed", r_nr + "; Deny + NotResource",
                       by="identity",
                       identity=[pol("p", allow("s3:*"),
                                     st("Deny", "s3:*", None,
                                        not_resource="arn:aws:s3:::bucket/*"))],
                       matched=[("p", 0)]))
    out.append(allowed("notaction-notresource-together", r_na + "; " + r_nr, by="identity",
                       action="ec2:RunInstances", resource="arn:aws:ec2:us-east-1:111111111111:instance/i-1",
                       identity=[pol("p", st("Allow", None, None, not_action="iam:*",
                                             not_resource="arn:aws:s3:::*"))],
                       matched=[("p", 0)]))
    out.append(implicit("notaction-notresource-together-excluded", r_na + "; " + r_nr,
                        by="identity",
                        identity=[pol("p", st("Allow", None, None, not_action="iam:*",
                                              not_resource="arn:aws:s3:::*"))]))
    out.append(allowed("notaction-allow-dangerous-grants-other-services",
                       r_na + ": Allow + NotAction grants everything else", by="identity",
                       action="organizations:LeaveOrganization",
                       identity=[pol("p", st("Allow", None, "*", not_action="iam:*"))]))
    return out


def cond_case(name, rule, op, key, values, ctx, expect, action="s3:GetObject", extra_ctx=None):
    context = dict(extra_ctx or {})
    if ctx is not MISSING:
        context[key if not isinstance(ctx, tuple) else ctx[0]] = (
            ctx if not isinstance(ctx, tuple) else ctx[1])
    return yes_no(name, rule, expect, action=action, context=context or None,
                  identity=[pol("p", allow(action, "*", cond={op: {key: values}}))],
                  matched=[("p", 0)] if expect else None)


def conditions_string():
    out = []
    r = F16 + " String family: case-sensitive unless IgnoreCase, only Like takes * and ?"
    rows = [
        ("StringEquals", "aws:RequestedRegion", "us-east-1", "us-east-1", True),
        ("StringEquals", "aws:RequestedRegion", "us-east-1", "US-EAST-1", False),
        ("StringEquals", "aws:RequestedRegion", "us-*", "us-east-1", False),
        ("StringEquals", "aws:RequestedRegion", "us-*", "us-*", True),
        ("StringEquals", "aws:RequestedRegion", ["eu-west-1", "us-east-1"], "us-east-1", True),
        ("StringEquals", "aws:RequestedRegion", ["eu-west-1", "eu-central-1"], "us-east-1", False),
        ("StringEquals", "aws:RequestedRegion", "us-east-1", MISSING, False),
        ("StringNotEquals", "aws:RequestedRegion", "us-east-1", "us-east-1", False),
        ("StringNotEquals", "aws:RequestedRegion", "us-east-1", "eu-west-1", True),
        ("StringNotEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"], "eu-west-1", False),
        ("StringNotEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"], "ap-south-1", True),
        ("StringNotEquals", "aws:RequestedRegion", "us-east-1", MISSING, True),
        ("StringNotEquals", "aws:RequestedRegion", "us-east-1", "US-EAST-1", True),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "blue", True),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "BLUE", True),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "green", False),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", MISSING, False),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "BLUE", False),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", "red", True),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", ["Blue", "Red"], "red", False),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Blue", MISSING, True),
        ("StringLike", "s3:prefix", "home/*", "home/alice/x", True),
        ("StringLike", "s3:prefix", "home/*", "Home/alice", False),
        ("StringLike", "s3:prefix", "home/?", "home/a", True),
        ("StringLike", "s3:prefix", "home/?", "home/ab", False),
        ("StringLike", "s3:prefix", ["docs/*", "home/*"], "home/x", True),
        ("StringLike", "s3:prefix", "*", "", True),
        ("StringLike", "s3:prefix", "home/*", MISSING, False),
        ("StringLike", "s3:prefix", "*a*b*", "xxaxxbxx", True),
        ("StringLike", "s3:prefix", "*a*b*", "xxbxxaxx", False),
        ("StringNotLike", "s3:prefix", "home/*", "home/alice", False),
        ("StringNotLike", "s3:prefix", "home/*", "public/x", True),
        ("StringNotLike", "s3:prefix", ["home/*", "public/*"], "public/x", False),
        ("StringNotLike", "s3:prefix", ["home/*", "public/*"], "tmp/x", True),
        ("StringNotLike", "s3:prefix", "home/*", MISSING, True),
        ("StringEquals", "aws:PrincipalAccount", 111111111111, "111111111111", True),
        ("StringEquals", "aws:SecureTransport", True, "true", True),
    ]
    for i, (op, key, vals, ctx, m) in enumerate(rows):
        out.append(cond_case(f"cond-string-{i:02d}-{op}", r + "; missing key: positive false, "
                             "negated true; negated lists are ANDed", op, key, vals, ctx, m))
    # Key names are case-insensitive.
    r_key = F16 + ": condition key names are case-insensitive"
    out.append(cond_case("cond-key-name-case-1", r_key, "StringEquals", "AWS:REQUESTEDREGION",
                         "us-east-1", ("aws:RequestedRegion", "us-east-1"), True))
    out.append(cond_case("cond-key-name-case-2", r_key, "StringEquals", "aws:requestedregion",
                         "us-east-1", ("Aws:RequestedRegion", "us-east-1"), True))
    out.append(cond_case("cond-key-name-case-tag-suffix", F16 + ": tag-key suffixes match "
                         "case-insensitively", "StringEquals", "aws:PrincipalTag/Team", "blue",
                         ("aws:principaltag/team", "blue"), True))
    # Multiple keys ANDed, multiple operators ANDed.
    r_and = F16 + ": different keys and different operators are ANDed"
    two = {"StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "blue"}}
    out.append(yes_no("cond-two-keys-both", r_and, True,
                      context={"aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "blue"},
                      identity=[pol("p", allow(cond=two))]))
    out.append(yes_no("cond-two-keys-one-fails", r_and, False,
                      context={"aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "red"},
                      identity=[pol("p", allow(cond=two))]))
    two_ops = {"StringEquals": {"aws:RequestedRegion": "us-east-1"},
               "Bool": {"aws:SecureTransport": "true"}}
    out.append(yes_no("cond-two-ops-both", r_and, True,
                      context={"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true"},
                      identity=[pol("p", allow(cond=two_ops))]))
    out.append(yes_no("cond-two-ops-one-fails", r_and, False,
                      context={"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "false"},
                      identity=[pol("p", allow(cond=two_ops))]))
    out.append(yes_no("cond-two-ops-one-missing", r_and, False,
                      context={"aws:RequestedRegion": "us-east-1"},
                      identity=[pol("p", allow(cond=two_ops))]))
    # Deny with a negated operator and a missing key: applies.
    out.append(explicit("cond-deny-stringnotequals-missing-key-applies",
                        F16 + ": a negated operator with a missing key is true", by="identity",
                        identity=[pol("p", allow("*"),
                                      deny("*", cond={"StringNotEquals": {
                                          "aws:PrincipalOrgID": "o-abc"}}))],
                        matched=[("p", 1)]))
    out.append(allowed("cond-deny-stringnotequals-present-equal",
                       F16 + ": a negated operator with an equal value is false", by="identity",
                       context={"aws:PrincipalOrgID": "o-abc"},
                       identity=[pol("p", allow("*"),
                                     deny("*", cond={"StringNotEquals": {
                                         "aws:PrincipalOrgID": "o-abc"}}))],
                       matched=[("p", 0)]))
    return out


def conditions_numeric_date():
    out = []
    r = F16 + " Numeric family (integer or float)"
    rows = [
        ("NumericEquals", "5", "5", True), ("NumericEquals", "5", "5.0", True),
        ("NumericEquals", "5", "6", False), ("NumericEquals", 5, "5", True),
        ("NumericEquals", ["1", "5"], "5", True),
        ("NumericNotEquals", "5", "5", False), ("NumericNotEquals", "5", "6", True),
        ("NumericNotEquals", ["5", "6"], "6", False), ("NumericNotEquals", ["5", "6"], "7", True),
        ("NumericNotEquals", "5", MISSING, True),
        ("NumericLessThan", "3600", "100", True), ("NumericLessThan", "3600", "3600", False),
        ("NumericLessThan", "3600", "7200", False), ("NumericLessThan", "3600", MISSING, False),
        ("NumericLessThanEquals", "3600", "3600", True), ("NumericLessThanEquals", "3600", "3601", False),
        ("NumericGreaterThan", "10", "10.5", True), ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThan", "-1", "0", True),
        ("NumericGreaterThanEquals", "10", "10", True), ("NumericGreaterThanEquals", "10", "9.99", False),
        ("NumericLessThan", "1.5", "1.25", True),
        ("NumericEquals", "10", "ten", False),
    ]
    for i, (op, vals, ctx, m) in enumerate(rows):
        out.append(cond_case(f"cond-numeric-{i:02d}-{op}", r, op, "aws:MultiFactorAuthAge", vals,
                             ctx, m))
    rd = F16 + " Date family (ISO 8601 or epoch seconds)"
    drows = [
        ("DateEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", True),
        ("DateEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", False),
        ("DateEquals", "2024-01-01T00:00:00Z", "1704067200", True),
        ("DateEquals", "1704067200", "2024-01-01T00:00:00Z", True),
        ("DateEquals", "2024-01-01", "2024-01-01T00:00:00Z", True),
        ("DateEquals", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z", True),
        ("DateNotEquals", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", True),
        ("DateNotEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", False),
        ("DateNotEquals", "2024-01-01T00:00:00Z", MISSING, True),
        ("DateLessThan", "2025-01-01T00:00:00Z", "2024-06-01T12:00:00Z", True),
        ("DateLessThan", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", False),
        ("DateLessThan", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
        ("DateLessThan", "2025-01-01T00:00:00Z", MISSING, False),
        ("DateLessThanEquals", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2024-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", False),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "1577836799", False),
        ("DateLessThan", ["2019-01-01T00:00:00Z", "2030-01-01T00:00:00Z"], "2024-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2024-01-01T00:00:00.500Z", "2024-01-01T00:00:00.250Z", False),
    ]
    for i, (op, vals, ctx, m) in enumerate(drows):
        out.append(cond_case(f"cond-date-{i:02d}-{op}", rd, op, "aws:CurrentTime", vals, ctx, m))
    out.append(cond_case("cond-date-epochtime-numeric", F16 + "; aws:EpochTime is numeric (1.8)",
                         "NumericLessThan", "aws:EpochTime", "1900000000", "1704067200", True))
    out.append(cond_case("cond-date-tokenissuetime", F16 + "; aws:TokenIssueTime (1.8)",
                         "DateGreaterThan", "aws:TokenIssueTime", "2024-01-01T00:00:00Z",
                         "2024-03-01T00:00:00Z", True))
    out.append(cond_case("cond-date-tokenissuetime-missing-long-term",
                         F16 + "; aws:TokenIssueTime absent for long-term credentials (1.8)",
                         "DateGreaterThan", "aws:TokenIssueTime", "2024-01-01T00:00:00Z", MISSING,
                         False))
    return out


def conditions_ip_arn_bool_binary():
    out = []
    rip = F16 + " IP family: CIDR, IPv4 and IPv6"
    rows = [
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
        ("IpAddress", "203.0.113.7/32", "203.0.113.7", True),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("IpAddress", "203.0.113.7", "203.0.113.8", False),
        ("IpAddress", "10.0.0.0/8", "10.255.255.255", True),
        ("IpAddress", "10.0.0.0/8", "11.0.0.0", False),
        ("IpAddress", "0.0.0.0/0", "198.51.100.1", True),
        ("IpAddress", ["192.0.2.0/24", "203.0.113.0/24"], "192.0.2.1", True),
        ("IpAddress", "2001:db8::/32", "2001:db8:1::1", True),
        ("IpAddress", "2001:db8::/32", "2001:db9::1", False),
        ("IpAddress", "2001:db8::/32", "192.0.2.1", False),
        ("IpAddress", "203.0.113.0/24", MISSING, False),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.7", False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.7", True),
        ("NotIpAddress", ["192.0.2.0/24", "203.0.113.0/24"], "192.0.2.1", False),
        ("NotIpAddress", ["192.0.2.0/24", "203.0.113.0/24"], "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", MISSING, True),
        ("IpAddress", "192.0.2.0/25", "192.0.2.200", False),
        ("IpAddress", "192.0.2.128/25", "192.0.2.200", True),
    ]
    for i, (op, vals, ctx, m) in enumerate(rows):
        out.append(cond_case(f"cond-ip-{i:02d}-{op}", rip + "; aws:SourceIp absent via VPC endpoint "
                             "(1.8)", op, "aws:SourceIp", vals, ctx, m))
    rarn = F16 + " ARN family: 6 colon segments, globbing per segment, case-sensitive"
    arows = [
        ("ArnEquals", "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:role/Admin", True),
        ("ArnEquals", "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:role/admin", False),
        ("ArnLike", "arn:aws:iam::111111111111:role/*", "arn:aws:iam::111111111111:role/Admin", True),
        ("ArnLike", "arn:aws:iam::*:role/Admin", "arn:aws:iam::222222222222:role/Admin", True),
        ("ArnLike", "arn:aws:iam::*:role/Admin", "arn:aws:iam::222222222222:user/Admin", False),
        ("ArnLike", "arn:aws:iam::11111111111?:root", "arn:aws:iam::111111111111:root", True),
        ("ArnLike", "arn:aws:iam::111111111111:role/*", MISSING, False),
        ("ArnEquals", "arn:aws:iam::111111111111:role/*", "arn:aws:iam::111111111111:role/X", True),
        ("ArnNotEquals", "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:role/Other", True),
        ("ArnNotEquals", "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:role/Admin", False),
        ("ArnNotLike", ["arn:aws:iam::*:role/A*", "arn:aws:iam::*:role/B*"], "arn:aws:iam::111111111111:role/Bob", False),
        ("ArnNotLike", ["arn:aws:iam::*:role/A*", "arn:aws:iam::*:role/B*"], "arn:aws:iam::111111111111:role/Carl", True),
        ("ArnNotLike", "arn:aws:iam::*:role/A*", MISSING, True),
        ("ArnLike", "arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:user/alice", False),
    ]
    for i, (op, vals, ctx, m) in enumerate(arows):
        out.append(cond_case(f"cond-arn-{i:02d}-{op}", rarn, op, "aws:PrincipalArn", vals, ctx, m))
    rb = F16 + " Bool: the strings true and false"
    brows = [
        ("Bool", "true", "true", True), ("Bool", "true", "false", False),
        ("Bool", "false", "false", True), ("Bool", "true", MISSING, False),
        ("Bool", True, "true", True), ("Bool", ["true", "false"], "false", True),
        ("BoolIfExists", "false", MISSING, True), ("BoolIfExists", "false", "true", False),
    ]
    for i, (op, vals, ctx, m) in enumerate(brows):
        out.append(cond_case(f"cond-bool-{i:02d}-{op}", rb, op, "aws:SecureTransport", vals, ctx, m))
    rbin = F16 + " BinaryEquals: base64 value compared byte for byte"
    binrows = [
        ("QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
        ("QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWY=", False),
        ("QmluYXJ5VmFsdWU=", MISSING, False),
        (["AAEC", "QmluYXJ5VmFsdWU="], "AAEC", True),
    ]
    for i, (vals, ctx, m) in enumerate(binrows):
        out.append(cond_case(f"cond-binary-{i}", rbin, "BinaryEquals", "s3:x-amz-binary", vals, ctx, m))
    # The MFA pattern from 1.8: deny with BoolIfExists false.
    mfa = [pol("p", allow("*"),
               deny("*", cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))]
    rm = "AWS-FACTS 1.8: aws:MultiFactorAuthPresent absent for long-term keys; require MFA with " \
         "Deny BoolIfExists false"
    out.append(explicit("mfa-deny-long-term-keys", rm, by="identity", identity=mfa,
                        matched=[("p", 1)]))
    out.append(explicit("mfa-deny-temp-without-mfa", rm, by="identity", identity=mfa,
                        context={"aws:MultiFactorAuthPresent": "false"}, matched=[("p", 1)]))
    out.append(allowed("mfa-allowed-with-mfa", rm, by="identity", identity=mfa,
                       context={"aws:MultiFactorAuthPresent": "true"}, matched=[("p", 0)]))
    mfa_bool = [pol("p", allow("*"), deny("*", cond={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]
    out.append(allowed("mfa-bool-without-ifexists-misses-long-term-keys",
                       rm + " (plain Bool does not match a missing key)", by="identity",
                       identity=mfa_bool, matched=[("p", 0)]))
    return out


def conditions_null_ifexists():
    out = []
    rn = F16 + ": Null true when the key is absent, false when present"
    rows = [
        ("true", MISSING, True), ("true", "x", False), ("false", "x", True), ("false", MISSING, False),
        (True, MISSING, True), (False, "x", True),
    ]
    for i, (vals, ctx, m) in enumerate(rows):
        out.append(cond_case(f"cond-null-{i}", rn, "Null", "aws:TokenIssueTime", vals, ctx, m))
    out.append(explicit("cond-null-deny-untagged", rn + " (deny when tag absent)", by="identity",
                        identity=[pol("p", allow("*"),
                                      deny("*", cond={"Null": {"aws:RequestTag/cost-center": "true"}}))],
                        matched=[("p", 1)]))
    out.append(allowed("cond-null-deny-tagged-passes", rn, by="identity",
                       context={"aws:RequestTag/cost-center": "42"},
                       identity=[pol("p", allow("*"),
                                     deny("*", cond={"Null": {"aws:RequestTag/cost-center": "true"}}))],
                       matched=[("p", 0)]))
    ri = F16 + ": ...IfExists is true when the key is missing, else the base operator"
    irows = [
        ("StringEqualsIfExists", "aws:RequestedRegion", "us-east-1", MISSING, True),
        ("StringEqualsIfExists", "aws:RequestedRegion", "us-east-1", "us-east-1", True),
        ("StringEqualsIfExists", "aws:RequestedRegion", "us-east-1", "eu-west-1", False),
        ("StringNotEqualsIfExists", "aws:RequestedRegion", "us-east-1", MISSING, True),
        ("StringNotEqualsIfExists", "aws:RequestedRegion", "us-east-1", "us-east-1", False),
        ("StringLikeIfExists", "aws:RequestedRegion", "us-*", "eu-west-1", False),
        ("StringLikeIfExists", "aws:RequestedRegion", "us-*", MISSING, True),
        ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600", MISSING, True),
        ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600", "7200", False),
        ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600", "60", True),
        ("DateLessThanIfExists", "aws:CurrentTime", "2030-01-01T00:00:00Z", MISSING, True),
        ("DateLessThanIfExists", "aws:CurrentTime", "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", False),
        ("IpAddressIfExists", "aws:SourceIp", "203.0.113.0/24", MISSING, True),
        ("IpAddressIfExists", "aws:SourceIp", "203.0.113.0/24", "198.51.100.1", False),
        ("NotIpAddressIfExists", "aws:SourceIp", "203.0.113.0/24", MISSING, True),
        ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:t", MISSING, True),
        ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:t", "arn:aws:sns:us-east-1:111111111111:u", False),
        ("ArnNotLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:t", "arn:aws:sns:us-east-1:111111111111:t", False),
        ("BinaryEqualsIfExists", "s3:x-amz-binary", "AAEC", MISSING, True),
        ("StringEqualsIgnoreCaseIfExists", "aws:PrincipalTag/team", "blue", "BLUE", True),
    ]
    for i, (op, key, vals, ctx, m) in enumerate(irows):
        out.append(cond_case(f"cond-ifexists-{i:02d}-{op}", ri, op, key, vals, ctx, m))
    # Region restriction SCP-style deny with IfExists: the MFA age.
    out.append(explicit("cond-ifexists-deny-old-mfa", ri, by="identity",
                        context={"aws:MultiFactorAuthAge": "7200"},
                        identity=[pol("p", allow("*"), deny("*", cond={
                            "NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))],
                        matched=[("p", 1)]))
    out.append(explicit("cond-ifexists-deny-applies-without-mfa-age", ri + " (missing key: the "
                        "deny applies)", by="identity",
                        identity=[pol("p", allow("*"), deny("*", cond={
                            "NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))],
                        matched=[("p", 1)]))
    out.append(allowed("cond-ifexists-deny-recent-mfa", ri, by="identity",
                       context={"aws:MultiFactorAuthAge": "60"},
                       identity=[pol("p", allow("*"), deny("*", cond={
                           "NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))],
                       matched=[("p", 0)]))
    return out


def conditions_set_operators():
    out = []
    rs = F16 + ": ForAllValues true on a missing/empty set; ForAnyValue false on a missing/empty set"
    rows = [
        ("ForAllValues:StringEquals", ["a", "b", "c"], ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a", "b", "c"], ["a", "d"], False),
        ("ForAllValues:StringEquals", ["a", "b"], MISSING, True),
        ("ForAllValues:StringEquals", ["a", "b"], [], True),
        ("ForAllValues:StringEquals", ["a"], ["a", "a"], True),
        ("ForAllValues:StringEquals", ["a"], ["A"], False),
        ("ForAllValues:StringEqualsIgnoreCase", ["a"], ["A"], True),
        ("ForAllValues:StringLike", ["env-*", "team"], ["env-prod", "team"], True),
        ("ForAllValues:StringLike", ["env-*"], ["env-prod", "owner"], False),
        ("ForAnyValue:StringEquals", ["a", "b"], ["x", "b"], True),
        ("ForAnyValue:StringEquals", ["a", "b"], ["x", "y"], False),
        ("ForAnyValue:StringEquals", ["a", "b"], MISSING, False),
        ("ForAnyValue:StringEquals", ["a", "b"], [], False),
        ("ForAnyValue:StringLike", ["*admin*"], ["readonly", "superadmin"], True),
        ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "d"], True),
        ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "a"], False),
        ("ForAllValues:StringNotEquals", ["a", "b"], MISSING, True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
        ("ForAnyValue:StringNotEquals", ["a", "b"], MISSING, False),
        ("ForAnyValue:StringNotLike", ["env-*"], ["env-a", "owner"], True),
        ("ForAllValues:StringNotLike", ["env-*"], ["env-a", "owner"], False),
        ("ForAnyValue:StringEquals", ["a"], ["a"], True),
        ("ForAllValues:StringEquals", ["a", "b"], ["b"], True),
    ]
    for i, (op, vals, ctx, m) in enumerate(rows):
        out.append(cond_case(f"cond-set-{i:02d}-{op.replace(':', '-')}", rs, op, "aws:TagKeys",
                             vals, ctx, m))
    # Set operators with other families.
    other = [
        ("ForAnyValue:ArnLike", "aws:CalledVia", ["arn:aws:iam::*:role/x"], MISSING, False),
        ("ForAnyValue:StringEquals", "aws:CalledVia", ["cloudformation.amazonaws.com"],
         ["cloudformation.amazonaws.com", "athena.amazonaws.com"], True),
        ("ForAllValues:StringEquals", "aws:CalledVia", ["cloudformation.amazonaws.com"],
         ["cloudformation.amazonaws.com", "athena.amazonaws.com"], False),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", ["o-a1b2c3/r-ab12/ou-ab12-11111111/*"],
         ["o-a1b2c3/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"], True),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", ["o-a1b2c3/r-ab12/ou-ab12-33333333/*"],
         ["o-a1b2c3/r-ab12/ou-ab12-11111111/"], False),
        ("ForAllValues:NumericLessThan", "test:Sizes", ["10"], ["1", "5", "9"], True),
        ("ForAllValues:NumericLessThan", "test:Sizes", ["10"], ["1", "50"], False),
        ("ForAnyValue:NumericGreaterThan", "test:Sizes", ["10"], ["1", "50"], True),
        ("ForAnyValue:IpAddress", "test:Ips", ["10.0.0.0/8"], ["192.0.2.1", "10.1.2.3"], True),
        ("ForAllValues:IpAddress", "test:Ips", ["10.0.0.0/8"], ["192.0.2.1", "10.1.2.3"], False),
    ]
    for i, (op, key, vals, ctx, m) in enumerate(other):
        out.append(cond_case(f"cond-set-other-{i}-{op.replace(':', '-')}",
                             rs + "; multivalued keys (1.8)", op, key, vals, ctx, m))
    # The classic pitfall: Allow with ForAllValues is satisfied by a request with no tags.
    out.append(allowed("cond-set-forall-allow-empty-request-tags", rs + " (pitfall: no tags passes)",
                       by="identity", action="ec2:CreateTags",
                       identity=[pol("p", allow("ec2:CreateTags", "*", cond={
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))]))
    out.append(explicit("cond-set-deny-foranyvalue-forbidden-tag", rs, by="identity",
                        action="ec2:CreateTags", context={"aws:TagKeys": ["owner", "admin"]},
                        identity=[pol("p", allow("*"), deny("*", cond={
                            "ForAnyValue:StringEquals": {"aws:TagKeys": ["admin"]}}))],
                        matched=[("p", 1)]))
    out.append(allowed("cond-set-deny-foranyvalue-no-tags", rs, by="identity",
                       action="ec2:CreateTags",
                       identity=[pol("p", allow("*"), deny("*", cond={
                           "ForAnyValue:StringEquals": {"aws:TagKeys": ["admin"]}}))],
                       matched=[("p", 0)]))
    # Single-valued key used with a set operator: treated as a one-element set.
    out.append(cond_case("cond-set-single-valued-key", rs + " (one value = one-element set)",
                         "ForAnyValue:StringEquals", "aws:RequestedRegion", ["us-east-1"],
                         "us-east-1", True))
    return out


def variables():
    out = []
    r = F17 + ": ${key} in Resource and condition values, Version 2012-10-17 only"
    home = "arn:aws:s3:::home/${aws:username}/*"
    ctx = {"aws:username": "alice"}
    out.append(allowed("var-username-resource", r, by="identity", context=ctx,
                       resource="arn:aws:s3:::home/alice/notes.txt",
                       identity=[pol("p", allow("s3:GetObject", home))]))
    out.append(implicit("var-username-resource-other-user", r, by="identity", context=ctx,
                        resource="arn:aws:s3:::home/bob/notes.txt",
                        identity=[pol("p", allow("s3:GetObject", home))]))
    out.append(implicit("var-username-absent-role-session",
                        r + "; a variable that resolves to nothing makes the statement not match",
                        by="identity", principal=session(),
                        resource="arn:aws:s3:::home/${aws:username}/x",
                        identity=[pol("p", allow("s3:GetObject", home))]))
    out.append(implicit("var-2008-literal-no-match", F15 + ": Version 2008-10-17 treats ${...} as "
                        "literal text", by="identity", context=ctx,
                        resource="arn:aws:s3:::home/alice/notes.txt",
                        identity=[pol("p", allow("s3:GetObject", home), version="2008-10-17")]))
    out.append(allowed("var-2008-literal-matches-literal", F15 + ": Version 2008-10-17 treats "
                       "${...} as literal text", by="identity", context=ctx,
                       resource="arn:aws:s3:::home/${aws:username}/notes.txt",
                       identity=[pol("p", allow("s3:GetObject", home), version="2008-10-17")]))
    out.append(implicit("var-no-version-literal", F15 + ": Version omitted = legacy rules, "
                        "${...} literal", by="identity", context=ctx,
                        resource="arn:aws:s3:::home/alice/notes.txt",
                        identity=[pol("p", allow("s3:GetObject", home), version=None)]))
    out.append(allowed("var-no-version-literal-matches", F15 + ": Version omitted = legacy rules",
                       by="identity", context=ctx,
                       resource="arn:aws:s3:::home/${aws:username}/notes.txt",
                       identity=[pol("p", allow("s3:GetObject", home), version=None)]))
    out.append(allowed("var-2008-literal-in-condition", F15 + ": 2008 version, condition values "
                       "literal", by="identity", context={"aws:username": "alice",
                                                           "s3:prefix": "${aws:username}"},
                       identity=[pol("p", allow("s3:GetObject", "*", cond={
                           "StringEquals": {"s3:prefix": "${aws:username}"}}), version="2008-10-17")]))
    out.append(implicit("var-2008-literal-in-condition-no-subst", F15, by="identity",
                        context={"aws:username": "alice", "s3:prefix": "alice"},
                        identity=[pol("p", allow("s3:GetObject", "*", cond={
                            "StringEquals": {"s3:prefix": "${aws:username}"}}), version="2008-10-17")]))
    # Condition values.
    out.append(allowed("var-in-condition-stringlike", r, by="identity",
                       context={"aws:username": "alice", "s3:prefix": "home/alice/docs"},
                       identity=[pol("p", allow("s3:GetObject", "*", cond={
                           "StringLike": {"s3:prefix": "home/${aws:username}/*"}}))]))
    out.append(implicit("var-in-condition-stringlike-other", r, by="identity",
                        context={"aws:username": "alice", "s3:prefix": "home/bob/docs"},
                        identity=[pol("p", allow("s3:GetObject", "*", cond={
                            "StringLike": {"s3:prefix": "home/${aws:username}/*"}}))]))
    tag_cond = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    out.append(allowed("var-abac-tags-equal", r + " (ABAC)", by="identity",
                       context={"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"},
                       identity=[pol("p", allow("*", "*", cond=tag_cond))]))
    out.append(implicit("var-abac-tags-differ", r + " (ABAC)", by="identity",
                        context={"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "red"},
                        identity=[pol("p", allow("*", "*", cond=tag_cond))]))
    out.append(implicit("var-abac-principal-tag-missing", r + "; unresolved variable", by="identity",
                        context={"aws:ResourceTag/team": "blue"},
                        identity=[pol("p", allow("*", "*", cond=tag_cond))]))
    # Defaults.
    dflt = "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"
    out.append(allowed("var-default-used", r + "; default `${key, 'default'}`", by="identity",
                       resource="arn:aws:s3:::bucket/company-wide/x",
                       identity=[pol("p", allow("s3:GetObject", dflt))]))
    out.append(allowed("var-default-not-used-when-present", r + "; default", by="identity",
                       context={"aws:PrincipalTag/team": "blue"},
                       resource="arn:aws:s3:::bucket/blue/x",
                       identity=[pol("p", allow("s3:GetObject", dflt))]))
    out.append(implicit("var-default-not-used-when-present-2", r + "; default", by="identity",
                        context={"aws:PrincipalTag/team": "blue"},
                        resource="arn:aws:s3:::bucket/company-wide/x",
                        identity=[pol("p", allow("s3:GetObject", dflt))]))
    out.append(allowed("var-default-in-condition", r + "; default", by="identity",
                       context={"s3:prefix": "none"},
                       identity=[pol("p", allow("s3:GetObject", "*", cond={
                           "StringEquals": {"s3:prefix": "${aws:PrincipalTag/p, 'none'}"}}))]))
    # Escapes: ${*} ${?} ${$} are literal characters.
    re_ = r + "; escapes ${*} ${?} ${$} are literal"
    out.append(allowed("var-escape-star-literal", re_, by="identity",
                       resource="arn:aws:s3:::bucket/a*b",
                       identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/a${*}b"))]))
    out.append(implicit("var-escape-star-not-wildcard", re_, by="identity",
                        resource="arn:aws:s3:::bucket/axyzb",
                        identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/a${*}b"))]))
    out.append(allowed("var-escape-question-literal", re_, by="identity",
                       resource="arn:aws:s3:::bucket/what?",
                       identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/what${?}"))]))
    out.append(implicit("var-escape-question-not-wildcard", re_, by="identity",
                        resource="arn:aws:s3:::bucket/whatx",
                        identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/what${?}"))]))
    out.append(allowed("var-escape-dollar-literal", re_, by="identity",
                       resource="arn:aws:s3:::bucket/$price",
                       identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/${$}price"))]))
    out.append(allowed("var-escape-star-in-stringlike", re_, by="identity",
                       context={"s3:prefix": "a*"},
                       identity=[pol("p", allow("s3:GetObject", "*", cond={
                           "StringLike": {"s3:prefix": "a${*}"}}))]))
    out.append(implicit("var-escape-star-in-stringlike-not-wild", re_, by="identity",
                        context={"s3:prefix": "abc"},
                        identity=[pol("p", allow("s3:GetObject", "*", cond={
                            "StringLike": {"s3:prefix": "a${*}"}}))]))
    # Multivalued keys cannot be variables.
    out.append(implicit("var-multivalued-key-unresolved", F17 + ": multivalued keys cannot be used",
                        by="identity", context={"aws:TagKeys": ["a"]},
                        resource="arn:aws:s3:::bucket/a",
                        identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:TagKeys}"))]))
    # userid for a role session, PrincipalAccount in a resource ARN.
    out.append(allowed("var-userid-role-session", r + "; aws:userid of a role session is "
                       "AROA...:session (1.7 table)", by="identity", principal=session(),
                       context={"aws:userid": "AROAEXAMPLEID:s1"},
                       resource="arn:aws:s3:::bucket/AROAEXAMPLEID:s1/x",
                       identity=[pol("p", allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:userid}/*"))]))
    out.append(allowed("var-principal-account-in-arn", r, by="identity",
                       context={"aws:PrincipalAccount": A}, action="iam:GetUser",
                       resource=f"arn:aws:iam::{A}:user/alice",
                       identity=[pol("p", allow("iam:GetUser", "arn:aws:iam::${aws:PrincipalAccount}:user/*"))]))
    out.append(explicit("var-in-deny-statement", r, by="identity", context=ctx,
                        resource="arn:aws:s3:::home/alice/x",
                        identity=[pol("p", allow("s3:*"), deny("s3:GetObject", home))],
                        matched=[("p", 1)]))
    out.append(allowed("var-deny-unresolved-does-not-apply",
                       F17 + ": unresolved variable => the (deny) statement does not match",
                       by="identity", principal=session(), resource="arn:aws:s3:::home/x/y",
                       identity=[pol("p", allow("s3:*"), deny("s3:GetObject", home))],
                       matched=[("p", 0)]))
    out.append(allowed("var-key-name-case-insensitive", r + "; key names case-insensitive (1.6)",
                       by="identity", context={"AWS:UserName": "alice"},
                       resource="arn:aws:s3:::home/alice/x",
                       identity=[pol("p", allow("s3:GetObject", home))]))
    return out


def chain():
    out = []
    r_b = F11 + " step 6: a permissions boundary must also allow"
    r_s = F11 + " step 7: a passed session policy must also allow"
    idp = [pol("id", allow("s3:*"))]
    out.append(allowed("chain-boundary-allows", r_b, by="identity", identity=idp,
                       boundary=pol("b", allow("s3:GetObject")), matched=[("id", 0)]))
    out.append(implicit("chain-boundary-does-not-allow", r_b, by="boundary", identity=idp,
                        boundary=pol("b", allow("iam:*")), matched=[]))
    out.append(implicit("chain-boundary-allows-but-identity-not", r_b + "; boundary never grants",
                        by="identity", identity=[pol("id", allow("iam:*"))],
                        boundary=pol("b", allow("*"))))
    out.append(explicit("chain-boundary-deny", F11 + " step 1 (deny in boundary)", by="boundary",
                        identity=idp, boundary=pol("b", allow("*"), deny("s3:GetObject")),
                        matched=[("b", 1)]))
    out.append(explicit("chain-identity-and-boundary-deny-order", F11 + " step 1; decided_by the "
                        "first layer with a deny", by="identity",
                        identity=[pol("id", allow("*"), deny("s3:*"))],
                        boundary=pol("b", deny("s3:GetObject")), matched=[("id", 1), ("b", 0)]))
    out.append(implicit("chain-boundary-resource-mismatch", r_b, by="boundary", identity=idp,
                        boundary=pol("b", allow("s3:GetObject", "arn:aws:s3:::other/*"))))
    out.append(allowed("chain-boundary-role-session", r_b, by="identity", principal=session(),
                       identity=idp, boundary=pol("b", allow("s3:Get*"))))
    out.append(implicit("chain-boundary-role-session-no", r_b, by="boundary", principal=session(),
                        identity=idp, boundary=pol("b", allow("s3:Put*"))))
    out.append(implicit("chain-boundary-condition-fails", r_b, by="boundary", identity=idp,
                        boundary=pol("b", allow("*", cond={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),
                        context={"aws:RequestedRegion": "us-east-1"}))
    # Sessions.
    out.append(allowed("chain-role-session-no-session-policy", r_s + "; a role session with no "
                       "session policy gets Allow", by="identity", principal=session(), identity=idp))
    out.append(allowed("chain-session-policy-allows", r_s, by="identity", principal=session(),
                       identity=idp, session_pols=[pol("s", allow("s3:GetObject"))]))
    out.append(implicit("chain-session-policy-does-not-allow", r_s, by="session",
                        principal=session(), identity=idp,
                        session_pols=[pol("s", allow("s3:PutObject"))]))
    out.append(implicit("chain-session-policy-never-grants", r_s + "; intersection", by="identity",
                        principal=session(), identity=[pol("id", allow("iam:*"))],
                        session_pols=[pol("s", allow("*"))]))
    out.append(explicit("chain-session-policy-deny", F11 + " step 1 (deny in session policy)",
                        by="session", principal=session(), identity=idp,
                        session_pols=[pol("s", allow("*"), deny("s3:GetObject"))],
                        matched=[("s", 1)]))
    out.append(allowed("chain-two-session-policies-one-allows", r_s, by="identity",
                       principal=session(), identity=idp,
                       session_pols=[pol("s1", allow("iam:*")), pol("s2", allow("s3:*"))]))
    out.append(implicit("chain-empty-session-policy-list", r_s + " (a passed policy allowing "
                        "nothing)", by="session", principal=session(), identity=idp,
                        session_pols=[]))
    out.append(implicit("chain-federated-user-no-session-policy", r_s + "; a federated-user "
                        "session with no session policy gets Deny", by="session", principal=fed(),
                        identity=idp))
    out.append(allowed("chain-federated-user-session-policy", r_s, by="identity", principal=fed(),
                       identity=idp, session_pols=[pol("s", allow("s3:*"))]))
    out.append(implicit("chain-federated-user-session-policy-narrow", r_s, by="session",
                        principal=fed(), identity=idp, session_pols=[pol("s", allow("iam:*"))]))
    out.append(implicit("chain-boundary-and-session-both-fail", r_b + "; boundary checked before "
                        "session", by="boundary", principal=session(), identity=idp,
                        boundary=pol("b", allow("iam:*")), session_pols=[pol("s", allow("iam:*"))]))
    out.append(allowed("chain-all-three-allow", F11 + " intersection of layers", by="identity",
                       principal=session(), identity=idp, boundary=pol("b", allow("s3:*")),
                       session_pols=[pol("s", allow("s3:GetObject"))], matched=[("id", 0)]))
    out.append(implicit("chain-no-identity-policy-only-boundary", r_b, by="identity",
                        boundary=pol("b", allow("*"))))
    # Groups, inline and managed: all are identity policies (union).
    out.append(allowed("chain-group-policy-grants", F11 + " step 1: the user's groups are identity "
                       "policies", by="identity",
                       identity=[pol("user-inline", allow("iam:*")), pol("group-admins", allow("s3:*"))],
                       matched=[("group-admins", 0)]))
    out.append(explicit("chain-group-policy-denies", F11 + " step 1", by="identity",
                        identity=[pol("user-inline", allow("s3:*")), pol("group-deny", deny("s3:GetObject"))],
                        matched=[("group-deny", 0)]))
    out.append(explicit("chain-deny-in-all-layers-matched-everywhere", F11 + " step 1; matched lists "
                        "every deny in every layer (FORMAT.md)", by="identity",
                        principal=session(),
                        identity=[pol("id", deny("s3:GetObject"))], boundary=pol("b", deny("s3:*")),
                        session_pols=[pol("s", deny("*"))],
                        matched=[("id", 0), ("b", 0), ("s", 0)]))
    out.append(allowed("chain-matched-lists-every-allow", "FORMAT.md matched: every Allow statement "
                       "that matched in identity and resource-based policies", by="identity",
                       identity=[pol("p1", allow("s3:*"), allow("iam:*"), allow("s3:GetObject")),
                                 pol("p2", allow("*"))],
                       matched=[("p1", 0), ("p1", 2), ("p2", 0)]))
    out.append(explicit("chain-statement-object-not-array", F15 + ": Statement may be a single "
                        "object (index 0)", by="identity",
                        identity=[{"id": "obj", "document": {"Version": V12, "Statement": deny()}}],
                        matched=[("obj", 0)]))
    out.append(allowed("chain-policy-as-string", "FORMAT.md: policies may be given as strings",
                       by="identity",
                       identity=[{"id": "str", "document": json.dumps(doc(allow("s3:*")))}],
                       matched=[("str", 0)]))
    return out


def rbp_same_account():
    out = []
    r = "AWS-FACTS 1.2 (same-account RBP table)"
    bucket = "arn:aws:s3:::bucket/key"

    def rbp(principal_value, effect="Allow", action="s3:GetObject"):
        return pol("rbp", st(effect, action, "arn:aws:s3:::bucket/*", principal={"AWS": principal_value}))

    u = user()
    s = session()
    f = fed()
    # Row 1: IAM user ARN - not limited by identity implicit deny, nor boundary.
    out.append(allowed("rbp-user-arn-no-identity-policy", r + " row user: not limited by an "
                       "implicit deny in identity policy", by="resource", principal=u,
                       resource_policy=rbp(u["arn"]), matched=[("rbp", 0)]))
    out.append(allowed("rbp-user-arn-boundary-implicit-deny", r + " row user: not limited by "
                       "boundary", by="resource", principal=u, resource_policy=rbp(u["arn"]),
                       boundary=pol("b", allow("iam:*"))))
    out.append(explicit("rbp-user-arn-boundary-explicit-deny", r + " + 1.1 step 1: explicit deny "
                        "still wins", by="boundary", principal=u, resource_policy=rbp(u["arn"]),
                        boundary=pol("b", deny("s3:*")), matched=[("b", 0)]))
    out.append(explicit("rbp-user-arn-identity-explicit-deny", r + " + 1.1 step 1", by="identity",
                        principal=u, resource_policy=rbp(u["arn"]),
                        identity=[pol("id", deny("s3:GetObject"))], matched=[("id", 0)]))
    out.append(allowed("rbp-user-arn-and-identity-allow", "FORMAT.md decided_by: identity when the "
                       "identity path alone allows", by="identity", principal=u,
                       resource_policy=rbp(u["arn"]), identity=[pol("id", allow("s3:*"))],
                       matched=[("id", 0), ("rbp", 0)]))
    # Row 2: IAM role ARN - not limited by identity, limited by boundary and session.
    out.append(allowed("rbp-role-arn-no-identity-policy", r + " row role: not limited by identity",
                       by="resource", principal=s, resource_policy=rbp(s["role_arn"])))
    out.append(implicit("rbp-role-arn-boundary-implicit-deny", r + " row role: limited by boundary",
                        by="boundary", principal=s, resource_policy=rbp(s["role_arn"]),
                        boundary=pol("b", allow("iam:*"))))
    out.append(allowed("rbp-role-arn-boundary-allows", r + " row role", by="resource", principal=s,
                       resource_policy=rbp(s["role_arn"]), boundary=pol("b", allow("s3:*"))))
    out.append(implicit("rbp-role-arn-session-implicit-deny", r + " row role: limited by session "
                        "policy", by="session", principal=s, resource_policy=rbp(s["role_arn"]),
                        session_pols=[pol("sp", allow("iam:*"))]))
    out.append(allowed("rbp-role-arn-session-allows", r + " row role", by="resource", principal=s,
                       resource_policy=rbp(s["role_arn"]), session_pols=[pol("sp", allow("s3:*"))]))
    # Row 3: role session ARN - not limited by anything implicit.
    out.append(allowed("rbp-session-arn-no-identity", r + " row session", by="resource",
                       principal=s, resource_policy=rbp(s["arn"])))
    out.append(allowed("rbp-session-arn-boundary-implicit", r + " row session: not limited by "
                       "boundary", by="resource", principal=s, resource_policy=rbp(s["arn"]),
                       boundary=pol("b", allow("iam:*"))))
    out.append(allowed("rbp-session-arn-session-policy-implicit", r + " row session: not limited by "
                       "session policy", by="resource", principal=s, resource_policy=rbp(s["arn"]),
                       session_pols=[pol("sp", allow("iam:*"))]))
    out.append(explicit("rbp-session-arn-session-policy-explicit", r + " + 1.1 step 1", by="session",
                        principal=s, resource_policy=rbp(s["arn"]),
                        session_pols=[pol("sp", deny("s3:*"))], matched=[("sp", 0)]))
    out.append(implicit("rbp-other-session-arn", r + ": a different session is not named",
                        by="identity", principal=s,
                        resource_policy=rbp("arn:aws:sts::111111111111:assumed-role/R/other")))
    # Row 4: federated user ARN.
    out.append(allowed("rbp-federated-arn-no-session-policy", r + " row federated user: not limited",
                       by="resource", principal=f, resource_policy=rbp(f["arn"])))
    out.append(allowed("rbp-federated-arn-session-policy-implicit", r + " row federated user",
                       by="resource", principal=f, resource_policy=rbp(f["arn"]),
                       session_pols=[pol("sp", allow("iam:*"))]))
    # Row 5: account ARN - delegates; identity must allow.
    for pv, tag in ((f"arn:aws:iam::{A}:root", "arn"), (A, "id")):
        out.append(implicit(f"rbp-account-{tag}-needs-identity", r + " row account: identity must "
                            "also allow", by="identity", principal=u, resource_policy=rbp(pv)))
        out.append(allowed(f"rbp-account-{tag}-with-identity", r + " row account", by="identity",
                           principal=u, resource_policy=rbp(pv),
                           identity=[pol("id", allow("s3:*"))], matched=[("id", 0), ("rbp", 0)]))
        out.append(implicit(f"rbp-account-{tag}-identity-boundary-fails", r + " row account + 1.1 "
                            "step 6", by="boundary", principal=u, resource_policy=rbp(pv),
                            identity=[pol("id", allow("s3:*"))], boundary=pol("b", allow("iam:*"))))
    out.append(allowed("rbp-no-rbp-identity-allows", F11 + " step 5", by="identity", principal=u,
                       identity=[pol("id", allow("s3:*"))]))
    out.append(implicit("rbp-other-user-named", r + ": a different user is not named",
                        by="identity", principal=u,
                        resource_policy=rbp(f"arn:aws:iam::{A}:user/bob")))
    out.append(allowed("rbp-principal-list", r + "; Principal lists are ORed", by="resource",
                       principal=u, resource_policy=rbp([f"arn:aws:iam::{A}:user/bob", u["arn"]])))
    out.append(allowed("rbp-principal-star-string", r + "; Principal \"*\" names everyone",
                       by="resource", principal=u,
                       resource_policy=pol("rbp", allow("s3:GetObject", "arn:aws:s3:::bucket/*",
                                                        principal="*"))))
    out.append(allowed("rbp-principal-aws-star", r + "; {\"AWS\":\"*\"} names everyone",
                       by="resource", principal=u, resource_policy=rbp("*")))
    out.append(explicit("rbp-deny-star-locks-out-user", F11 + " step 1 (RBP deny)", by="resource",
                        principal=u, identity=[pol("id", allow("*"))],
                        resource_policy=rbp("*", effect="Deny", action="s3:*"),
                        matched=[("rbp", 0)]))
    out.append(explicit("rbp-deny-named-user", F11 + " step 1 (RBP deny)", by="resource",
                        principal=u, identity=[pol("id", allow("*"))],
                        resource_policy=rbp(u["arn"], effect="Deny", action="s3:*"),
                        matched=[("rbp", 0)]))
    out.append(allowed("rbp-deny-other-user-does-not-apply", F11 + " step 1", by="identity",
                       principal=u, identity=[pol("id", allow("*"))],
                       resource_policy=rbp(f"arn:aws:iam::{A}:user/bob", effect="Deny", action="s3:*"),
                       matched=[("id", 0)]))
    out.append(implicit("rbp-action-mismatch", r, by="identity", principal=u,
                        resource_policy=rbp(u["arn"], action="s3:PutObject")))
    out.append(allowed("rbp-service-principal-does-not-name-user", r + "; a Service principal does "
                       "not name an IAM user", by="identity", principal=u,
                       identity=[pol("id", allow("s3:*"))],
                       resource_policy=pol("rbp", allow("s3:GetObject", "*",
                                                        principal={"Service": "cloudtrail.amazonaws.com"})),
                       matched=[("id", 0)]))
    # NotPrincipal.
    rnp = F15 + ": Deny + NotPrincipal denies everyone except the listed principals (list the " \
        "account too; NotPrincipal doc)"
    np_all = [u["arn"], f"arn:aws:iam::{A}:root"]
    np_stmt = lambda lst: pol("rbp", st("Deny", "s3:*", "arn:aws:s3:::bucket/*",
                                        not_principal={"AWS": lst}))
    out.append(allowed("notprincipal-excluded-user", rnp, by="identity", principal=u,
                       identity=[pol("id", allow("s3:*"))], resource_policy=np_stmt(np_all)))
    out.append(explicit("notprincipal-other-user-denied", rnp, by="resource", principal=user("bob"),
                        identity=[pol("id", allow("s3:*"))], resource_policy=np_stmt(np_all),
                        matched=[("rbp", 0)]))
    out.append(explicit("notprincipal-role-session-denied", rnp, by="resource", principal=s,
                        identity=[pol("id", allow("s3:*"))], resource_policy=np_stmt(np_all),
                        matched=[("rbp", 0)]))
    out.append(allowed("notprincipal-session-role-account-listed", rnp + " (session, role and "
                       "account listed)", by="identity", principal=s,
                       identity=[pol("id", allow("s3:*"))],
                       resource_policy=np_stmt([s["arn"], s["role_arn"], f"arn:aws:iam::{A}:root"])))
    out.append(explicit("notprincipal-anonymous-denied", rnp, by="resource", principal=anon(),
                        resource_account=A, resource_policy=np_stmt(np_all), matched=[("rbp", 0)]))
    out.append(explicit("notprincipal-with-boundary-always-denies", "NotPrincipal doc (current): a "
                        "Deny + NotPrincipal statement always denies a principal that has a "
                        "permissions boundary", by="resource", principal=u,
                        identity=[pol("id", allow("s3:*"))], boundary=pol("b", allow("*")),
                        resource_policy=np_stmt(np_all), matched=[("rbp", 0)]))
    # Anonymous.
    out.append(allowed("anonymous-public-bucket", F15 + ": Principal * includes anonymous users",
                       by="resource", principal=anon(), resource_account=A,
                       resource_policy=pol("rbp", allow("s3:GetObject", "arn:aws:s3:::bucket/*",
                                                        principal="*")),
                       matched=[("rbp", 0)]))
    out.append(implicit("anonymous-no-policy", F11 + ": every request starts as implicit deny",
                        by="identity", principal=anon(), resource_account=A))
    out.append(implicit("anonymous-account-principal-does-not-name", "AWS-FACTS 1.3: the account "
                        "principal means principals of that account, not anonymous", by="identity",
                        principal=anon(), resource_account=A, resource_policy=rbp(A)))
    return out


def cross_account():
    out = []
    r = "AWS-FACTS 1.3: cross-account needs an Allow from the identity policy in P's account AND " \
        "from the RBP in R's account"
    u = user(acct=A)
    s = session(acct=A)

    def rbp(pv, effect="Allow"):
        return pol("rbp", st(effect, "s3:*", "arn:aws:s3:::bucket/*", principal={"AWS": pv}))

    idp = [pol("id", allow("s3:*"))]
    out.append(allowed("xacct-both-allow", r, by="identity", principal=u, resource_account=B,
                       identity=idp, resource_policy=rbp(u["arn"]), matched=[("id", 0), ("rbp", 0)]))
    out.append(implicit("xacct-rbp-only", r, by="identity", principal=u, resource_account=B,
                        resource_policy=rbp(u["arn"])))
    out.append(implicit("xacct-identity-only", r, by="resource", principal=u, resource_account=B,
                        identity=idp))
    out.append(allowed("xacct-account-root-principal", r + "; arn:...:root means the account",
                       by="identity", principal=u, resource_account=B, identity=idp,
                       resource_policy=rbp(f"arn:aws:iam::{A}:root")))
    out.append(allowed("xacct-account-id-principal", r + "; a bare account ID means the account",
                       by="identity", principal=u, resource_account=B, identity=idp,
                       resource_policy=rbp(A)))
    out.append(implicit("xacct-other-account-named", r, by="resource", principal=u,
                        resource_account=B, identity=idp, resource_policy=rbp(C)))
    out.append(explicit("xacct-rbp-deny", r + "; an explicit deny on either side wins",
                        by="resource", principal=u, resource_account=B, identity=idp,
                        resource_policy=pol("rbp", allow("s3:*", "*", principal={"AWS": A}),
                                            deny("s3:GetObject", "*", principal="*")),
                        matched=[("rbp", 1)]))
    out.append(explicit("xacct-identity-deny", r + "; an explicit deny on either side wins",
                        by="identity", principal=u, resource_account=B,
                        identity=[pol("id", allow("s3:*"), deny("s3:GetObject"))],
                        resource_policy=rbp(u["arn"]), matched=[("id", 1)]))
    out.append(allowed("xacct-role-session-role-arn", r, by="identity", principal=s,
                       resource_account=B, identity=idp, resource_policy=rbp(s["role_arn"])))
    out.append(allowed("xacct-role-session-session-arn", r, by="identity", principal=s,
                       resource_account=B, identity=idp, resource_policy=rbp(s["arn"])))
    out.append(implicit("xacct-role-session-no-identity", r + " (the role-ARN shortcut is "
                        "same-account only)", by="identity", principal=s, resource_account=B,
                        resource_policy=rbp(s["role_arn"])))
    out.append(implicit("xacct-boundary-still-applies", r + " + 1.1 step 6", by="boundary",
                        principal=u, resource_account=B, identity=idp,
                        resource_policy=rbp(u["arn"]), boundary=pol("b", allow("iam:*"))))
    out.append(implicit("xacct-session-policy-still-applies", r + " + 1.1 step 7", by="session",
                        principal=s, resource_account=B, identity=idp,
                        resource_policy=rbp(s["arn"]), session_pols=[pol("sp", allow("iam:*"))]))
    out.append(explicit("xacct-scp-of-principal-applies", "AWS-FACTS 1.3: P's account SCPs apply to P",
                        by="scp", principal=u, resource_account=B, identity=idp,
                        resource_policy=rbp(u["arn"]),
                        scp=[[FULL_SCP], [pol("deny-s3", deny("s3:*"))]], matched=[("deny-s3", 0)]))
    out.append(explicit("xacct-rcp-of-resource-applies", "AWS-FACTS 1.3: R's account RCPs apply to R",
                        by="rcp", principal=u, resource_account=B, identity=idp,
                        resource_policy=rbp(u["arn"]),
                        rcp=[[FULL_RCP], [pol("rcp-deny", st("Deny", "s3:*", "*", principal="*",
                                                             cond={"StringNotEqualsIfExists": {
                                                                 "aws:PrincipalOrgID": "o-mine"}}))]],
                        matched=[("rcp-deny", 0)]))
    out.append(allowed("xacct-principal-star-with-identity", r, by="identity", principal=u,
                       resource_account=B, identity=idp, resource_policy=rbp("*")))
    out.append(implicit("xacct-condition-on-principal-org", r + " + 1.8 aws:PrincipalOrgID",
                        by="resource", principal=u, resource_account=B, identity=idp,
                        context={"aws:PrincipalOrgID": "o-other"},
                        resource_policy=pol("rbp", allow("s3:*", "*", principal="*", cond={
                            "StringEquals": {"aws:PrincipalOrgID": "o-mine"}}))))
    out.append(allowed("xacct-condition-on-principal-org-ok", r + " + 1.8 aws:PrincipalOrgID",
                       by="identity", principal=u, resource_account=B, identity=idp,
                       context={"aws:PrincipalOrgID": "o-mine"},
                       resource_policy=pol("rbp", allow("s3:*", "*", principal="*", cond={
                           "StringEquals": {"aws:PrincipalOrgID": "o-mine"}}))))
    out.append(implicit("xacct-principalarn-root-matches-only-root",
                        "AWS-FACTS 1.3: in aws:PrincipalArn the root ARN matches only the root user",
                        by="resource", principal=u, resource_account=B, identity=idp,
                        context={"aws:PrincipalArn": u["arn"]},
                        resource_policy=pol("rbp", allow("s3:*", "*", principal="*", cond={
                            "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:root"}}))))
    return out


def trust_policies():
    out = []
    r = "AWS-FACTS 1.2 note: for role trust policies the principal must be allowed by the trust " \
        "policy itself"
    role_arn = f"arn:aws:iam::{A}:role/Target"
    u = user()

    def trust(pv, **kw):
        return pol("trust", st("Allow", "sts:AssumeRole", None, principal={"AWS": pv}, **kw))

    out.append(allowed("trust-names-user-no-identity", r + "; the user named directly", by="resource",
                       principal=u, action="sts:AssumeRole", resource=role_arn,
                       resource_policy=trust(u["arn"])))
    out.append(implicit("trust-account-needs-identity", r + "; account principal delegates",
                        by="identity", principal=u, action="sts:AssumeRole", resource=role_arn,
                        resource_policy=trust(f"arn:aws:iam::{A}:root")))
    out.append(allowed("trust-account-with-identity", r, by="identity", principal=u,
                       action="sts:AssumeRole", resource=role_arn,
                       resource_policy=trust(f"arn:aws:iam::{A}:root"),
                       identity=[pol("id", allow("sts:AssumeRole", role_arn))]))
    out.append(implicit("trust-not-named-identity-allows", r + ": identity alone is not enough",
                        by="resource", principal=u, action="sts:AssumeRole", resource=role_arn,
                        resource_policy=trust(f"arn:aws:iam::{A}:user/bob"),
                        identity=[pol("id", allow("sts:AssumeRole", "*"))]))
    out.append(implicit("trust-admin-identity-trust-other-account", r, by="resource", principal=u,
                        action="sts:AssumeRole", resource=role_arn,
                        resource_policy=trust(B), identity=[ADMIN]))
    out.append(allowed("trust-cross-account-both", "AWS-FACTS 1.3 + 1.2 note", by="identity",
                       principal=user(acct=B), action="sts:AssumeRole", resource=role_arn,
                       resource_account=A, resource_policy=trust(B),
                       identity=[pol("id", allow("sts:AssumeRole", role_arn))]))
    out.append(implicit("trust-cross-account-no-identity", "AWS-FACTS 1.3", by="identity",
                        principal=user(acct=B), action="sts:AssumeRole", resource=role_arn,
                        resource_account=A, resource_policy=trust(B)))
    out.append(allowed("trust-mfa-condition-met", r + " + 1.8 MFA", by="identity",
                       principal=user(acct=B), action="sts:AssumeRole", resource=role_arn,
                       resource_account=A, context={"aws:MultiFactorAuthPresent": "true"},
                       resource_policy=trust(B, cond={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                       identity=[ADMIN]))
    out.append(implicit("trust-mfa-condition-long-term-keys", r + " + 1.8 MFA absent for "
                        "long-term keys", by="resource", principal=user(acct=B),
                        action="sts:AssumeRole", resource=role_arn, resource_account=A,
                        resource_policy=trust(B, cond={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                        identity=[ADMIN]))
    out.append(explicit("trust-deny-statement", r + " + 1.1 step 1", by="resource", principal=u,
                        action="sts:AssumeRole", resource=role_arn,
                        resource_policy=pol("trust", st("Allow", "sts:AssumeRole", None, principal={"AWS": A}),
                                            st("Deny", "sts:AssumeRole", None, principal={"AWS": u["arn"]})),
                        identity=[ADMIN], matched=[("trust", 1)]))
    out.append(allowed("trust-role-session-chaining-role-arn", r + "; role chaining: the session "
                       "of role named by role ARN", by="resource", principal=session("Chain"),
                       action="sts:AssumeRole", resource=role_arn,
                       resource_policy=trust(f"arn:aws:iam::{A}:role/Chain")))
    out.append(implicit("trust-action-mismatch", r, by="identity", principal=u,
                        action="sts:AssumeRole", resource=role_arn,
                        resource_policy=pol("trust", st("Allow", "sts:AssumeRoleWithSAML", None,
                                                        principal={"AWS": u["arn"]}))))
    out.append(allowed("trust-scp-member-allows", "AWS-FACTS 1.1 step 3 + 1.2 note", by="resource",
                       principal=u, action="sts:AssumeRole", resource=role_arn,
                       resource_policy=trust(u["arn"]), scp=[[FULL_SCP], [FULL_SCP]]))
    out.append(explicit("trust-scp-deny-assume", "AWS-FACTS 1.1 step 1 (SCP deny)", by="scp",
                        principal=u, action="sts:AssumeRole", resource=role_arn,
                        resource_policy=trust(u["arn"]),
                        scp=[[FULL_SCP, pol("no-assume", deny("sts:AssumeRole"))]],
                        matched=[("no-assume", 0)]))
    return out


def scp():
    out = []
    r = F11 + " step 3: every SCP level root->OU->account must allow; SCPs never grant"
    u = user()
    idp = [ADMIN]
    out.append(allowed("scp-full-access-all-levels", r, by="identity", principal=u, identity=idp,
                       scp=[[FULL_SCP], [FULL_SCP], [FULL_SCP]], matched=[("admin", 0)]))
    out.append(implicit("scp-never-grants", r, by="identity", principal=u, identity=[],
                        scp=[[FULL_SCP], [FULL_SCP]]))
    out.append(implicit("scp-ou-level-does-not-allow", r, by="scp", principal=u, identity=idp,
                        scp=[[FULL_SCP], [pol("ou-iam-only", allow("iam:*"))], [FULL_SCP]]))
    out.append(implicit("scp-account-level-does-not-allow", r, by="scp", principal=u, identity=idp,
                        scp=[[FULL_SCP], [FULL_SCP], [pol("acct-ec2", allow("ec2:*"))]]))
    out.append(implicit("scp-root-level-does-not-allow", r, by="scp", principal=u, identity=idp,
                        scp=[[pol("root-ec2", allow("ec2:*"))], [FULL_SCP]]))
    out.append(allowed("scp-allow-list-each-level", r, by="identity", principal=u, identity=idp,
                       scp=[[FULL_SCP], [pol("ou-s3", allow("s3:*"))], [pol("acct-s3get", allow("s3:Get*"))]]))
    out.append(implicit("scp-allow-list-intersection-empty", r + " (intersection)", by="scp",
                        principal=u, identity=idp, action="s3:PutObject",
                        scp=[[FULL_SCP], [pol("ou-s3", allow("s3:*"))], [pol("acct-s3get", allow("s3:Get*"))]]))
    out.append(allowed("scp-level-any-policy-allows", r + "; within a level any attached policy",
                       by="identity", principal=u, identity=idp,
                       scp=[[FULL_SCP], [pol("a", allow("ec2:*")), pol("b", allow("s3:*"))]]))
    out.append(explicit("scp-deny-list", F11 + " step 1 (deny in an SCP)", by="scp", principal=u,
                        identity=idp, scp=[[FULL_SCP], [FULL_SCP, pol("deny-s3", deny("s3:*"))]],
                        matched=[("deny-s3", 0)]))
    out.append(explicit("scp-deny-and-identity-deny", F11 + " step 1; decided_by scp first",
                        by="scp", principal=u, identity=[pol("id", allow("*"), deny("s3:*"))],
                        scp=[[FULL_SCP, pol("deny-s3", deny("s3:GetObject"))]],
                        matched=[("deny-s3", 0), ("id", 1)]))
    out.append(explicit("scp-deny-at-root", F11 + " step 1", by="scp", principal=u, identity=idp,
                        scp=[[FULL_SCP, pol("root-deny", deny("s3:*"))], [FULL_SCP]],
                        matched=[("root-deny", 0)]))
    out.append(explicit("scp-region-deny-notaction", F11 + " step 1; NotAction deny pattern",
                        by="scp", principal=u, identity=idp, action="ec2:RunInstances",
                        context={"aws:RequestedRegion": "ap-south-1"},
                        scp=[[FULL_SCP, pol("region", st("Deny", None, "*", not_action=["iam:*", "organizations:*", "sts:*"],
                                                          cond={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]],
                        matched=[("region", 0)]))
    out.append(allowed("scp-region-deny-global-service-exempt", F11 + "; NotAction exempts IAM "
                       "(1.8: global services report us-east-1)", by="identity", principal=u,
                       identity=idp, action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/x",
                       context={"aws:RequestedRegion": "us-east-1"},
                       scp=[[FULL_SCP, pol("region", st("Deny", None, "*", not_action=["iam:*", "organizations:*", "sts:*"],
                                                         cond={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]]))
    out.append(allowed("scp-region-deny-allowed-region", F11, by="identity", principal=u,
                       identity=idp, action="ec2:RunInstances",
                       context={"aws:RequestedRegion": "eu-west-1"},
                       scp=[[FULL_SCP, pol("region", st("Deny", None, "*", not_action=["iam:*"],
                                                         cond={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}))]]))
    out.append(allowed("scp-absent-management-account", F11 + " exemptions: SCPs never affect the "
                       "management account (scp absent)", by="identity", principal=u, identity=idp))
    out.append(implicit("scp-empty-level", r + " (a level with no allowing policy)", by="scp",
                        principal=u, identity=idp, scp=[[FULL_SCP], []]))
    out.append(explicit("scp-deny-role-session", F11 + " step 1", by="scp", principal=session(),
                        identity=idp, scp=[[FULL_SCP, pol("d", deny("s3:GetObject"))]],
                        matched=[("d", 0)]))
    out.append(explicit("scp-deny-leave-org", F11 + " step 1 (classic SCP)", by="scp", principal=u,
                        identity=idp, action="organizations:LeaveOrganization",
                        scp=[[FULL_SCP, pol("noleave", deny("organizations:LeaveOrganization"))]],
                        matched=[("noleave", 0)]))
    out.append(allowed("scp-condition-allow", r, by="identity", principal=u, identity=idp,
                       context={"aws:PrincipalTag/team": "ops"},
                       scp=[[FULL_SCP], [pol("tagged", allow("*", cond={"StringEquals": {"aws:PrincipalTag/team": "ops"}}))]]))
    out.append(implicit("scp-condition-allow-fails", r, by="scp", principal=u, identity=idp,
                        scp=[[FULL_SCP], [pol("tagged", allow("*", cond={"StringEquals": {"aws:PrincipalTag/team": "ops"}}))]]))
    out.append(implicit("scp-fails-before-boundary", "FORMAT.md decided_by order scp, rcp, identity, "
                        "boundary, session", by="scp", principal=u, identity=idp,
                        boundary=pol("b", allow("iam:*")), scp=[[pol("ec2", allow("ec2:*"))]]))
    out.append(implicit("scp-fails-before-identity", "FORMAT.md decided_by order", by="scp",
                        principal=u, identity=[], scp=[[pol("ec2", allow("ec2:*"))]]))
    out.append(implicit("scp-resource-scoped-allow", r, by="scp", principal=u, identity=idp,
                        scp=[[FULL_SCP], [pol("bucket2", allow("s3:*", "arn:aws:s3:::bucket2/*"))]]))
    out.append(allowed("scp-resource-scoped-allow-ok", r, by="identity", principal=u, identity=idp,
                       scp=[[FULL_SCP], [pol("bucket", allow("s3:*", "arn:aws:s3:::bucket/*"))]]))
    out.append(implicit("scp-limits-same-account-rbp", r + "; SCPs bound RBP grants too", by="scp",
                        principal=u, resource_policy=pol("rbp", allow("s3:GetObject", "*", principal={"AWS": u["arn"]})),
                        scp=[[pol("ec2", allow("ec2:*"))]]))
    return out


def rcp():
    out = []
    r = F11 + " step 2 / RCP page: every RCP level must allow (RCPFullAWSAccess by default); " \
        "RCPs never grant"
    u = user()
    idp = [ADMIN]
    out.append(allowed("rcp-full-access", r, by="identity", principal=u, identity=idp,
                       rcp=[[FULL_RCP], [FULL_RCP]]))
    out.append(implicit("rcp-never-grants", r, by="identity", principal=u, identity=[],
                        rcp=[[FULL_RCP]]))
    out.append(explicit("rcp-deny-outside-org", r + " (deny external principals)", by="rcp",
                        principal=u, identity=idp, context={"aws:PrincipalOrgID": "o-other"},
                        rcp=[[FULL_RCP, pol("perimeter", st("Deny", "s3:*", "*", principal="*",
                                                            cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}))]],
                        matched=[("perimeter", 0)]))
    out.append(allowed("rcp-deny-outside-org-inside", r, by="identity", principal=u, identity=idp,
                       context={"aws:PrincipalOrgID": "o-mine"},
                       rcp=[[FULL_RCP, pol("perimeter", st("Deny", "s3:*", "*", principal="*",
                                                           cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}))]]))
    out.append(implicit("rcp-level-without-allow", r, by="rcp", principal=u, identity=idp,
                        rcp=[[FULL_RCP], []]))
    out.append(explicit("rcp-deny-insecure-transport", r, by="rcp", principal=u, identity=idp,
                        context={"aws:SecureTransport": "false"},
                        rcp=[[FULL_RCP, pol("tls", st("Deny", "s3:*", "*", principal="*",
                                                      cond={"BoolIfExists": {"aws:SecureTransport": "false"}}))]],
                        matched=[("tls", 0)]))
    out.append(allowed("rcp-absent-management-account", F11 + ": RCPs never affect resources in the "
                       "management account (rcp absent)", by="identity", principal=u, identity=idp))
    out.append(explicit("rcp-applies-to-root-user", r + "; RCPs restrict every principal incl. root",
                        by="rcp", principal=root(), rcp=[[FULL_RCP, pol("d", st("Deny", "s3:*", "*", principal="*"))]],
                        matched=[("d", 0)]))
    out.append(explicit("rcp-applies-to-anonymous", r, by="rcp", principal=anon(), resource_account=A,
                        resource_policy=pol("rbp", allow("s3:GetObject", "*", principal="*")),
                        rcp=[[FULL_RCP, pol("d", st("Deny", "s3:*", "*", principal="*"))]],
                        matched=[("d", 0)]))
    out.append(explicit("rcp-and-scp-deny-order", "FORMAT.md decided_by: scp before rcp", by="scp",
                        principal=u, identity=idp,
                        scp=[[FULL_SCP, pol("sd", deny("s3:*"))]],
                        rcp=[[FULL_RCP, pol("rd", st("Deny", "s3:*", "*", principal="*"))]],
                        matched=[("sd", 0), ("rd", 0)]))
    out.append(implicit("rcp-implicit-after-scp-ok", "FORMAT.md decided_by order", by="rcp",
                        principal=u, identity=idp, scp=[[FULL_SCP]], rcp=[[pol("ec2", st("Allow", "ec2:*", "*", principal="*"))]]))
    out.append(explicit("rcp-cross-account-resource", "AWS-FACTS 1.3: R's account RCPs apply",
                        by="rcp", principal=user(acct=B), resource_account=A, identity=idp,
                        resource_policy=pol("rbp", allow("s3:*", "*", principal={"AWS": B})),
                        rcp=[[FULL_RCP, pol("d", st("Deny", "s3:*", "*", principal="*",
                                                    cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}))]],
                        matched=[("d", 0)]))
    out.append(allowed("rcp-deny-other-action", r, by="identity", principal=u, identity=idp,
                       rcp=[[FULL_RCP, pol("d", st("Deny", "kms:*", "*", principal="*"))]]))
    return out


def root_user():
    out = []
    r = "AWS-FACTS 1.1 + 1.4: the root user is implicitly allowed in its own account"
    rt = root()
    out.append(allowed("root-own-account-no-policies", r, by="root", principal=rt))
    out.append(allowed("root-own-account-iam", r, by="root", principal=rt, action="iam:CreateUser",
                       resource=f"arn:aws:iam::{A}:user/x"))
    out.append(allowed("root-management-unrestricted", "AWS-FACTS 1.4: root in the management "
                       "account is unrestricted (no SCPs)", by="root", principal=rt,
                       action="organizations:CreateAccount", resource="*"))
    out.append(explicit("root-member-scp-deny", "AWS-FACTS 1.1: SCPs do restrict a member "
                        "account's root user", by="scp", principal=rt,
                        scp=[[FULL_SCP, pol("d", deny("s3:*"))]], matched=[("d", 0)]))
    out.append(implicit("root-member-scp-no-allow", "AWS-FACTS 1.4: member root is bounded by SCPs",
                        by="scp", principal=rt, scp=[[FULL_SCP], [pol("ec2", allow("ec2:*"))]]))
    out.append(allowed("root-member-scp-full", "AWS-FACTS 1.4", by="root", principal=rt,
                       scp=[[FULL_SCP], [FULL_SCP]]))
    out.append(explicit("root-rbp-deny-locks-out", "AWS-FACTS 1.4: a bucket policy that denies "
                        "everyone can lock root out", by="resource", principal=rt,
                        resource_policy=pol("rbp", deny("s3:*", "*", principal="*")),
                        matched=[("rbp", 0)]))
    out.append(explicit("root-rbp-deny-account", "AWS-FACTS 1.4", by="resource", principal=rt,
                        resource_policy=pol("rbp", deny("s3:*", "*", principal={"AWS": A})),
                        matched=[("rbp", 0)]))
    out.append(allowed("root-rbp-deny-other-principal", "AWS-FACTS 1.4", by="root", principal=rt,
                       resource_policy=pol("rbp", deny("s3:*", "*", principal={"AWS": f"arn:aws:iam::{A}:user/bob"}))))
    out.append(allowed("root-rbp-allow-listed-in-matched", "FORMAT.md matched", by="root", principal=rt,
                       resource_policy=pol("rbp", allow("s3:*", "*", principal={"AWS": A})),
                       matched=[("rbp", 0)]))
    out.append(allowed("root-cross-account-rbp-allows", "AWS-FACTS 1.3 + 1.4; FORMAT.md: a root "
                       "user's allow is decided_by root", by="root",
                       principal=root(B), resource_account=A,
                       resource_policy=pol("rbp", allow("s3:*", "*", principal={"AWS": B}))))
    out.append(implicit("root-cross-account-no-rbp", "AWS-FACTS 1.3: the resource's account must "
                        "allow", by="resource", principal=root(B), resource_account=A))
    out.append(explicit("root-deny-notprincipal-account-listed-excluded", F15 + " NotPrincipal",
                        by="resource", principal=root(B), resource_account=A,
                        resource_policy=pol("rbp", allow("s3:*", "*", principal={"AWS": B}),
                                            st("Deny", "s3:*", "*", not_principal={"AWS": [C]})),
                        matched=[("rbp", 1)]))
    out.append(allowed("root-member-rcp-full", "RCP page", by="root", principal=rt, rcp=[[FULL_RCP]]))
    return out


def service_linked_roles():
    out = []
    r = F11 + " exemptions: SCPs (and RCPs) do not restrict service-linked roles"
    p = slr()
    idp = [pol("slr-policy", allow("organizations:*"))]
    act = "organizations:DescribeOrganization"
    out.append(allowed("slr-scp-deny-ignored", r, by="identity", principal=p, identity=idp, action=act,
                       resource="*", scp=[[FULL_SCP, pol("d", deny("*"))]], matched=[("slr-policy", 0)]))
    out.append(allowed("slr-scp-no-allow-ignored", r, by="identity", principal=p, identity=idp,
                       action=act, resource="*", scp=[[pol("ec2", allow("ec2:*"))]]))
    out.append(allowed("slr-rcp-deny-ignored", r, by="identity", principal=p, identity=idp, action=act,
                       resource="*", rcp=[[FULL_RCP, pol("d", st("Deny", "*", "*", principal="*"))]]))
    out.append(implicit("slr-still-needs-identity", F11 + " step 5", by="identity", principal=p,
                        identity=idp, action="s3:GetObject", scp=[[FULL_SCP]]))
    out.append(explicit("slr-identity-deny-applies", F11 + " step 1", by="identity", principal=p,
                        identity=[pol("slr-policy", allow("*"), deny(act))], action=act, resource="*",
                        scp=[[FULL_SCP]], matched=[("slr-policy", 1)]))
    out.append(explicit("slr-rbp-deny-applies", F11 + " step 1 (RBP deny)", by="resource", principal=p,
                        identity=[pol("slr-policy", allow("*"))],
                        resource_policy=pol("rbp", deny("s3:*", "*", principal="*")),
                        scp=[[FULL_SCP, pol("d", deny("*"))]], matched=[("rbp", 0)]))
    out.append(explicit("normal-role-same-scp-denied", F11 + " step 1 (contrast: a normal role "
                        "session is bound)", by="scp", principal=session(), identity=idp,
                        action=act, resource="*", scp=[[FULL_SCP, pol("d", deny("*"))]],
                        matched=[("d", 0)]))
    out.append(allowed("slr-resource-policy-names-role", "AWS-FACTS 1.2 row role", by="resource",
                       principal=p, resource_policy=pol("rbp", allow("s3:GetObject", "*",
                                                                     principal={"AWS": p["role_arn"]}))))
    return out


def validation():
    out = []
    mpd = "MalformedPolicyDocument"
    r15 = F15
    ok = doc(allow("s3:GetObject", "*"))
    out.append(vcase("valid-identity", r15, "identity", ok, True))
    out.append(vcase("valid-identity-statement-object", r15 + ": Statement may be an object",
                     "identity", {"Version": V12, "Statement": allow()}, True))
    out.append(vcase("invalid-json", "issue 3 / AWS: syntax errors", "identity", '{"Version": ',
                     False, mpd, "Syntax errors in policy."))
    out.append(vcase("invalid-json-trailing-comma", "AWS: syntax errors", "identity",
                     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},]}',
                     False, mpd, "Syntax errors in policy."))
    out.append(vcase("invalid-json-not-object", "AWS: syntax errors", "identity", '[1,2]', False, mpd))
    out.append(vcase("identity-with-principal", r15 + ": Principal only in resource-based policies",
                     "identity", doc(allow(principal="*")), False, mpd,
                     "Policy document should not specify a principal."))
    out.append(vcase("identity-with-notprincipal", r15 + ": NotPrincipal not permitted in identity "
                     "policies", "identity", doc(st("Deny", "*", "*", not_principal={"AWS": A})),
                     False, mpd))
    out.append(vcase("boundary-with-principal", r15, "boundary", doc(allow(principal="*")), False, mpd))
    out.append(vcase("session-with-principal", r15, "session", doc(allow(principal="*")), False, mpd))
    out.append(vcase("scp-with-principal", r15, "scp", doc(allow(principal="*")), False,
                     "MalformedPolicyDocumentException"))
    out.append(vcase("identity-missing-resource", r15 + ": identity policies need Resource or "
                     "NotResource", "identity", doc(st("Allow", "s3:*", None)), False, mpd))
    out.append(vcase("identity-missing-action", r15, "identity", doc(st("Allow", None, "*")), False, mpd))
    out.append(vcase("identity-action-and-notaction", r15, "identity",
                     {"Version": V12, "Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}]},
                     False, mpd))
    out.append(vcase("identity-resource-and-notresource", r15, "identity",
                     {"Version": V12, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "arn:aws:s3:::b"}]},
                     False, mpd))
    out.append(vcase("identity-bad-effect", r15 + ": Effect is Allow or Deny", "identity",
                     {"Version": V12, "Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}, False, mpd))
    out.append(vcase("identity-effect-lowercase", r15, "identity",
                     {"Version": V12, "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}, False, mpd))
    out.append(vcase("identity-missing-effect", r15, "identity",
                     {"Version": V12, "Statement": [{"Action": "*", "Resource": "*"}]}, False, mpd))
    out.append(vcase("identity-sid-alnum-ok", r15 + ": Sid matches [A-Za-z0-9]*", "identity",
                     doc(allow(Sid="AllowS3Read1")), True))
    out.append(vcase("identity-sid-with-space", r15 + ": Sid matches [A-Za-z0-9]* in IAM", "identity",
                     doc(allow(Sid="Allow S3")), False, mpd))
    out.append(vcase("identity-sid-with-dash", r15, "identity", doc(allow(Sid="Allow-S3")), False, mpd))
    out.append(vcase("identity-sid-duplicate", r15 + ": Sid unique within the policy", "identity",
                     doc(allow(Sid="A"), deny(Sid="A")), False, mpd))
    out.append(vcase("identity-sid-distinct", r15, "identity", doc(allow(Sid="A"), deny(Sid="B")), True))
    out.append(vcase("resource-sid-with-space-ok", r15 + ": other services (SQS, SNS) allow spaces",
                     "resource", doc(allow(principal="*", Sid="Allow public read")), True))
    out.append(vcase("identity-bad-version", r15 + ": Version is 2012-10-17 or 2008-10-17", "identity",
                     {"Version": "2012-10-18", "Statement": [allow()]}, False, mpd))
    out.append(vcase("identity-version-2008-ok", r15, "identity", doc(allow(), version="2008-10-17"), True))
    out.append(vcase("identity-no-version-ok", r15, "identity", doc(allow(), version=None), True))
    out.append(vcase("scp-version-2008-rejected", r15 + ": SCPs must use 2012-10-17", "scp",
                     doc(allow("*", "*"), version="2008-10-17"), False, "MalformedPolicyDocumentException"))
    out.append(vcase("scp-valid", r15, "scp", doc(deny("s3:*", "*")), True))
    out.append(vcase("rcp-valid", r15, "rcp", doc(deny("s3:*", "*", principal="*")), True))
    out.append(vcase("trust-valid", r15, "trust",
                     doc(st("Allow", "sts:AssumeRole", None, principal={"AWS": f"arn:aws:iam::{A}:root"})), True))
    out.append(vcase("trust-with-resource", r15 + ": trust policies have no Resource element", "trust",
                     doc(st("Allow", "sts:AssumeRole", "*", principal={"AWS": A})), False, mpd))
    out.append(vcase("trust-without-principal", r15 + ": trust policies name a principal", "trust",
                     doc(st("Allow", "sts:AssumeRole", None)), False, mpd))
    out.append(vcase("trust-with-notprincipal", r15 + ": NotPrincipal not permitted in trust policies",
                     "trust", doc(st("Deny", "sts:AssumeRole", None, not_principal={"AWS": A})), False, mpd))
    out.append(vcase("resource-valid-notprincipal-deny", r15, "resource",
                     doc(st("Deny", "s3:*", "*", not_principal={"AWS": [f"arn:aws:iam::{A}:root"]})), True))
    out.append(vcase("resource-without-principal", r15 + ": resource-based policies name a principal",
                     "resource", doc(allow()), False, mpd))
    out.append(vcase("identity-action-no-vendor", r15 + ": Action is service:Name", "identity",
                     doc(allow("GetObject")), False, mpd))
    out.append(vcase("identity-resource-not-arn", r15 + ": Resource is an ARN or *", "identity",
                     doc(allow("s3:GetObject", "bucket/key")), False, mpd))
    out.append(vcase("identity-unknown-condition-operator", F16, "identity",
                     doc(allow(cond={"StringEqualz": {"aws:username": "a"}})), False, mpd))
    out.append(vcase("identity-null-ifexists-rejected", F16 + ": IfExists for any operator except Null",
                     "identity", doc(allow(cond={"NullIfExists": {"aws:username": "true"}})), False, mpd))
    out.append(vcase("identity-condition-ok", F16, "identity",
                     doc(allow(cond={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}})), True))
    out.append(vcase("identity-unknown-top-level-key", r15, "identity",
                     {"Version": V12, "Statement": [allow()], "Extra": 1}, False, mpd))
    out.append(vcase("identity-unknown-statement-key", r15, "identity",
                     {"Version": V12, "Statement": [dict(allow(), Foo="bar")]}, False, mpd))
    out.append(vcase("identity-missing-statement", r15 + ": a document has one Statement", "identity",
                     {"Version": V12}, False, mpd))
    out.append(vcase("identity-bad-character", r15 + ": only TAB, LF, CR, U+0020-U+00FF",
                     "identity", '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow",'
                     '"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\u2603"}]}', False, mpd))
    out.append(vcase("identity-latin1-character-ok", r15 + ": U+0020-U+00FF allowed", "identity",
                     '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                     '"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/caf\u00e9"}]}', True))
    # Size limits (1.9).
    big_actions = [f"s3:GetObjectVersionTaggingNumber{i:04d}" for i in range(200)]
    big = json.dumps(doc(allow(big_actions)), separators=(",", ":"))
    assert len(big) > 6144
    out.append(vcase("identity-over-6144-nonwhitespace", "AWS-FACTS 1.9: managed policy 6,144 "
                     "chars without whitespace", "identity", big, False, "LimitExceeded"))
    out.append(vcase("boundary-over-6144", "AWS-FACTS 1.9 (a boundary is a managed policy)",
                     "boundary", big, False, "LimitExceeded"))
    mid_actions = [f"s3:GetObjectVersionTaggingNumber{i:04d}" for i in range(120)]
    mid = json.dumps(doc(allow(mid_actions)), separators=(",", ":"))
    assert 4000 < len(mid) < 6144
    padded = mid.replace(",", "," + " " * 20)
    assert len(padded) > 6144
    out.append(vcase("identity-whitespace-not-counted", "AWS-FACTS 1.9: whitespace not counted",
                     "identity", padded, True))
    small_actions = [f"s3:GetObjectVersionTaggingNumber{i:04d}" for i in range(90)]
    small = json.dumps(doc(allow(small_actions)), separators=(",", ":"))
    assert 2048 < len(small) < 5120
    out.append(vcase("trust-over-2048", "AWS-FACTS 1.9: role trust policy 2,048", "trust",
                     json.dumps(doc(st("Allow", small_actions, None, principal={"AWS": A})),
                                separators=(",", ":")), False, "LimitExceeded"))
    out.append(vcase("scp-under-5120", "AWS-FACTS 1.9: SCP 5,120 chars", "scp", small, True))
    scp_padded = small.replace(",", "," + " " * 20)
    assert len(scp_padded) > 5120 and len(small) <= 5120
    out.append(vcase("scp-whitespace-counted", "AWS-FACTS 1.9: for SCPs all characters count",
                     "scp", scp_padded, False, "ConstraintViolationException"))
    out.append(vcase("rcp-over-5120", "AWS-FACTS 1.9: RCP 5,120 chars", "rcp",
                     json.dumps(doc(st("Deny", big_actions, "*", principal="*"))), False,
                     "ConstraintViolationException"))
    out.append(vcase("identity-5000-ok", "AWS-FACTS 1.9", "identity", mid, True))
    return out


def seed_roles():
    out = []
    docs = {}
    for n in ["AWSOrganizationsFullAccess", "AmazonS3FullAccess", "AWSCloudTrail_FullAccess",
              "CloudWatchFullAccess", "AWSCloudFormationFullAccess", "Billing"]:
        with open(os.path.join(MANAGED, n + ".json")) as f:
            docs[n] = json.load(f)["document"]
    soc_pols = [{"id": n, "document": copy.deepcopy(docs[n])} for n in
                ["AWSOrganizationsFullAccess", "AmazonS3FullAccess", "AWSCloudTrail_FullAccess",
                 "CloudWatchFullAccess", "AWSCloudFormationFullAccess"]]
    billing = [{"id": "Billing", "document": copy.deepcopy(docs["Billing"])}]
    soc = session("CustomerSOC", "analyst", acct=A)
    partner = session("PartnerBilling", "partner", acct=A)
    r_soc = "issue 3 / AWS-FACTS 3.3: the customer SOC role has no billing action"
    r_bill = "issue 3 / AWS-FACTS 3.3: job-function/Billing allows billing actions only"
    billing_actions = ["aws-portal:ViewBilling", "aws-portal:ModifyBilling", "aws-portal:ViewPaymentMethods",
                       "aws-portal:ViewUsage", "billing:GetBillingData", "billing:UpdateIAMAccessPreference",
                       "payments:MakePayment", "payments:CreatePaymentInstrument",
                       "invoicing:GetInvoicePDF", "invoicing:ListInvoiceSummaries",
                       "ce:GetCostAndUsage", "budgets:ViewBudget", "cur:DescribeReportDefinitions",
                       "tax:GetTaxRegistration", "purchase-orders:ViewPurchaseOrders"]
    for a in billing_actions:
        out.append(implicit(f"seed-soc-denied-{a.replace(':', '-')}", r_soc, by="identity",
                            principal=soc, action=a, resource="*", identity=soc_pols))
        out.append(allowed(f"seed-billing-allowed-{a.replace(':', '-')}", r_bill, by="identity",
                           principal=partner, action=a, resource="*", identity=billing))
    soc_allowed = [("organizations:ListAccounts", "*", [("AWSOrganizationsFullAccess", 0)]),
                   ("organizations:CreateAccount", "*", [("AWSOrganizationsFullAccess", 0)]),
                   ("account:PutAlternateContact", "*", [("AWSOrganizationsFullAccess", 1)]),
                   ("s3:GetObject", "arn:aws:s3:::logs/k", [("AmazonS3FullAccess", 0)]),
                   ("s3:ListAllMyBuckets", "*", [("AmazonS3FullAccess", 0), ("AWSCloudTrail_FullAccess", 3)]),
                   ("cloudtrail:LookupEvents", "*", [("AWSCloudTrail_FullAccess", 4)]),
                   ("cloudwatch:PutMetricAlarm", "*", [("CloudWatchFullAccess", 0)]),
                   ("logs:FilterLogEvents", "*", [("CloudWatchFullAccess", 0)]),
                   ("sns:Publish", "arn:aws:sns:us-east-1:111111111111:alerts", [("CloudWatchFullAccess", 0)]),
                   ("cloudformation:CreateStack", "*", [("AWSCloudFormationFullAccess", 0)]),
                   ("iam:GetRole", "arn:aws:iam::111111111111:role/x", [("CloudWatchFullAccess", 0)])]
    for a, res, m in soc_allowed:
        out.append(allowed(f"seed-soc-allowed-{a.replace(':', '-')}", r_soc + " (but has its "
                           "managed policies' actions)", by="identity", principal=soc, action=a,
                           resource=res, identity=soc_pols, matched=m))
    soc_denied = ["iam:CreateRole", "iam:AttachRolePolicy", "ec2:RunInstances", "kms:Decrypt",
                  "sts:AssumeRole", "account:PutAccountName2"]
    for a in soc_denied:
        out.append(implicit(f"seed-soc-denied-{a.replace(':', '-')}", r_soc + " (nothing beyond "
                            "its policies)", by="identity", principal=soc, action=a, resource="*",
                            identity=soc_pols))
    out.append(allowed("seed-soc-passrole-to-cloudtrail", r_soc + "; iam:PassRole only with "
                       "iam:PassedToService=cloudtrail.amazonaws.com", by="identity", principal=soc,
                       action="iam:PassRole", resource="arn:aws:iam::111111111111:role/trail",
                       context={"iam:PassedToService": "cloudtrail.amazonaws.com"},
                       identity=soc_pols, matched=[("AWSCloudTrail_FullAccess", 7)]))
    out.append(implicit("seed-soc-passrole-to-ec2", r_soc + "; PassRole condition", by="identity",
                        principal=soc, action="iam:PassRole",
                        resource="arn:aws:iam::111111111111:role/trail",
                        context={"iam:PassedToService": "ec2.amazonaws.com"}, identity=soc_pols))
    out.append(allowed("seed-soc-create-slr-organizations", r_soc + "; CreateServiceLinkedRole for "
                       "organizations only", by="identity", principal=soc,
                       action="iam:CreateServiceLinkedRole", resource="*",
                       context={"iam:AWSServiceName": "organizations.amazonaws.com"},
                       identity=soc_pols, matched=[("AWSOrganizationsFullAccess", 2)]))
    out.append(implicit("seed-soc-create-slr-other", r_soc, by="identity", principal=soc,
                        action="iam:CreateServiceLinkedRole", resource="*",
                        context={"iam:AWSServiceName": "ec2.amazonaws.com"}, identity=soc_pols))
    out.append(allowed("seed-soc-s3-createbucket-cloudtrail-bucket", r_soc, by="identity",
                       principal=soc, action="s3:CreateBucket",
                       resource="arn:aws:s3:::aws-cloudtrail-logs-123",
                       identity=soc_pols, matched=[("AmazonS3FullAccess", 0), ("AWSCloudTrail_FullAccess", 2)]))
    billing_denied = ["iam:CreateRole", "organizations:CreateAccount", "s3:GetObject",
                      "account:PutAlternateContact", "account:PutContactInformation",
                      "organizations:ListAccounts", "ec2:RunInstances", "iam:PassRole",
                      "aws-portal:ModifyAccount", "sts:AssumeRole"]
    for a in billing_denied:
        out.append(implicit(f"seed-billing-denied-{a.replace(':', '-')}", r_bill + " (nothing like "
                            "iam/organizations/s3)", by="identity", principal=partner, action=a,
                            resource="*", identity=billing))
    out.append(allowed("seed-billing-account-info", r_bill + " (account:GetAccountInformation)",
                       by="identity", principal=partner, action="account:GetAccountInformation",
                       resource="*", identity=billing))
    out.append(implicit("seed-soc-under-member-scp-full", F11 + " step 3 with FullAWSAccess: still "
                        "no billing", by="identity", principal=soc, action="billing:GetBillingData",
                        resource="*", identity=soc_pols, scp=[[FULL_SCP], [FULL_SCP]]))
    out.append(explicit("seed-billing-scp-deny-payments", F11 + " step 1 (SCP deny)", by="scp",
                        principal=partner, action="payments:MakePayment", resource="*",
                        identity=billing, scp=[[FULL_SCP, pol("nopay", deny("payments:*"))]],
                        matched=[("nopay", 0)]))
    return out


TOPICS = {
    "actions.json": actions,
    "resources.json": resources,
    "not_action_resource.json": not_action_resource,
    "conditions_string.json": conditions_string,
    "conditions_numeric_date.json": conditions_numeric_date,
    "conditions_ip_arn_bool_binary.json": conditions_ip_arn_bool_binary,
    "conditions_null_ifexists.json": conditions_null_ifexists,
    "conditions_set_operators.json": conditions_set_operators,
    "variables.json": variables,
    "chain_identity_boundary_session.json": chain,
    "resource_policies_same_account.json": rbp_same_account,
    "cross_account.json": cross_account,
    "trust_policies.json": trust_policies,
    "scp.json": scp,
    "rcp.json": rcp,
    "root_user.json": root_user,
    "service_linked_roles.json": service_linked_roles,
    "validation.json": validation,
    "seed_roles.json": seed_roles,
}


def main():
    total = 0
    for fname, fn in TOPICS.items():
        cases = fn()
        names = [c["name"] for c in cases]
        assert len(names) == len(set(names)), f"duplicate names in {fname}"
        with open(os.path.join(OUT, fname), "w") as f:
            json.dump(cases, f, indent=1)
            f.write("\n")
        total += len(cases)
        print(f"{fname}: {len(cases)}")
    print("total", total)


if __name__ == "__main__":
    main()
