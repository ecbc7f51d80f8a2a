#!/usr/bin/env python3
"""Generates tests/conformance/policy/engine_seed_roles.json and engine_scp_levels.json.

The expected decisions are written by hand below from the AWS rules (AWS-FACTS 1.1-1.3, 3.3) and
from reading the AWS managed documents; the script only inlines the documents verbatim from
data/policy/managed-policies.json so the cases are self-contained (FORMAT.md).
Run from the repo root with any python3: python3 src/policy/testdata/gen_engine_corpus.py
"""
import json
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
with open(os.path.join(REPO, "data/policy/managed-policies.json"), encoding="utf-8") as f:
    DATA = json.load(f)
BY_ARN = {p["arn"]: p for p in DATA["policies"] if p.get("arn")}
ORGS = {p["name"]: p for p in DATA["organizations"]}


def managed(name, path="/"):
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    return {"id": arn, "document": BY_ARN[arn]["document"]}


SOC = [managed("AWSOrganizationsFullAccess"), managed("AmazonS3FullAccess"),
       managed("AWSCloudTrail_FullAccess"), managed("CloudWatchFullAccess"),
       managed("AWSCloudFormationFullAccess")]
BILLING = [managed("Billing", "/job-function/")]
ORG = managed("AWSOrganizationsFullAccess")["id"]
S3 = managed("AmazonS3FullAccess")["id"]
CT = managed("AWSCloudTrail_FullAccess")["id"]
CW = managed("CloudWatchFullAccess")["id"]
CF = managed("AWSCloudFormationFullAccess")["id"]
BILL = BILLING[0]["id"]

PAYER = "111111111111"      # partner's management (payer) account
CUSTOMER = "222222222222"   # customer account
SOC_SESSION = {"type": "AssumedRole", "arn": f"arn:aws:sts::{PAYER}:assumed-role/CustomerSOC/alice",
               "account": PAYER, "role_arn": f"arn:aws:iam::{PAYER}:role/CustomerSOC"}
PARTNER_SESSION = {"type": "AssumedRole",
                   "arn": f"arn:aws:sts::{PAYER}:assumed-role/PartnerBilling/bob",
                   "account": PAYER, "role_arn": f"arn:aws:iam::{PAYER}:role/PartnerBilling"}


def case(name, rule, principal, action, resource, policies, decision, decided_by, matched=None,
         context=None):
    c = {"name": name, "rule": rule,
         "request": {"principal": principal, "action": action, "resource": resource},
         "policies": policies, "expect": {"decision": decision, "decided_by": decided_by}}
    if context:
        c["request"]["context"] = context
    if matched is not None:
        c["expect"]["matched"] = [{"policy": p, "statement": s} for p, s in matched]
    return c


soc_rule = "AWS-FACTS 3.3: the customer SOC role's five managed policies grant no billing action"
bill_rule = "AWS-FACTS 3.3: job-function/Billing grants billing actions only"
cases = []
# --- customer SOC role: what it can do ---
for action, resource, matched in [
    ("s3:GetObject", "arn:aws:s3:::audit-logs/2026/01/01.json.gz", [(S3, 0)]),
    ("organizations:ListAccounts", "*", [(ORG, 0)]),
    ("organizations:DescribeOrganization", "*", [(ORG, 0)]),
    ("account:PutAlternateContact", "*", [(ORG, 1)]),
    ("account:GetAccountInformation", "*", [(ORG, 1)]),
    ("cloudtrail:LookupEvents", "*", [(CT, 4)]),
    ("cloudtrail:CreateTrail", "*", [(CT, 4)]),
    ("logs:PutLogEvents", "*", [(CW, 0)]),
    ("cloudwatch:PutMetricAlarm", "*", [(CW, 0)]),
    ("cloudformation:CreateStack", "*", [(CF, 0)]),
    ("sns:ListTopics", "*", [(CT, 1), (CW, 0)]),
    ("s3:GetBucketPolicy", "arn:aws:s3:::audit-logs", [(S3, 0), (CT, 3)]),
    ("s3:CreateBucket", "arn:aws:s3:::aws-cloudtrail-logs-222", [(S3, 0), (CT, 2)]),
    ("iam:GetRole", "arn:aws:iam::111111111111:role/CustomerSOC", [(CW, 0)]),
]:
    cases.append(case(f"engine-soc-allows-{action.replace(':', '-').lower()}", soc_rule,
                      SOC_SESSION, action, resource, {"identity": SOC}, "Allow", "identity",
                      matched))
# --- customer SOC role: no billing, no IAM write ---
for action in ["aws-portal:ViewBilling", "aws-portal:ModifyBilling", "aws-portal:ViewPaymentMethods",
               "billing:GetBillingData", "billing:UpdateIAMAccessPreference",
               "payments:MakePayment", "payments:CreatePaymentInstrument",
               "invoicing:GetInvoicePDF", "invoicing:ListInvoiceSummaries",
               "ce:GetCostAndUsage", "cur:DescribeReportDefinitions", "budgets:ViewBudget",
               "tax:GetTaxRegistration", "purchase-orders:ViewPurchaseOrders",
               "consolidatedbilling:ListBillingViews", "freetier:GetFreeTierUsage",
               "iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy",
               "sts:AssumeRoot", "ec2:RunInstances"]:
    cases.append(case(f"engine-soc-denies-{action.replace(':', '-').lower()}", soc_rule,
                      SOC_SESSION, action, "*", {"identity": SOC}, "ImplicitDeny", "identity",
                      []))
# iam:PassRole only to CloudTrail (AWSCloudTrail_FullAccess statement 7's condition).
cases.append(case("engine-soc-passrole-to-cloudtrail", soc_rule, SOC_SESSION, "iam:PassRole",
                  f"arn:aws:iam::{PAYER}:role/TrailDelivery", {"identity": SOC}, "Allow",
                  "identity", [(CT, 7)],
                  context={"iam:PassedToService": "cloudtrail.amazonaws.com"}))
cases.append(case("engine-soc-passrole-to-ec2-denied", soc_rule, SOC_SESSION, "iam:PassRole",
                  f"arn:aws:iam::{PAYER}:role/Admin", {"identity": SOC}, "ImplicitDeny",
                  "identity", [], context={"iam:PassedToService": "ec2.amazonaws.com"}))
cases.append(case("engine-soc-create-slr-for-organizations", soc_rule, SOC_SESSION,
                  "iam:CreateServiceLinkedRole", "*", {"identity": SOC}, "Allow", "identity",
                  [(ORG, 2)], context={"iam:AWSServiceName": "organizations.amazonaws.com"}))
cases.append(case("engine-soc-create-slr-for-other-service-denied", soc_rule, SOC_SESSION,
                  "iam:CreateServiceLinkedRole", "*", {"identity": SOC}, "ImplicitDeny",
                  "identity", [], context={"iam:AWSServiceName": "ec2.amazonaws.com"}))
# --- partner billing role: billing only ---
for action in ["aws-portal:ViewBilling", "aws-portal:ModifyBilling", "aws-portal:ViewUsage",
               "aws-portal:ModifyPaymentMethods", "billing:GetBillingData",
               "billing:UpdateIAMAccessPreference", "ce:GetCostAndUsage", "budgets:ViewBudget",
               "account:GetAccountInformation"]:
    cases.append(case(f"engine-partner-allows-{action.replace(':', '-').lower()}", bill_rule,
                      PARTNER_SESSION, action, "*", {"identity": BILLING}, "Allow", "identity",
                      [(BILL, 0)]))
for action in ["organizations:ListAccounts", "organizations:LeaveOrganization",
               "organizations:CreateAccount", "account:PutAlternateContact",
               "account:PutContactInformation", "account:GetAlternateContact", "iam:CreateRole",
               "iam:AttachRolePolicy", "iam:CreateUser", "s3:GetObject", "cloudtrail:StopLogging",
               "sts:AssumeRole", "aws-portal:ViewAccount", "aws-portal:ModifyAccount"]:
    cases.append(case(f"engine-partner-denies-{action.replace(':', '-').lower()}", bill_rule,
                      PARTNER_SESSION, action, "*", {"identity": BILLING}, "ImplicitDeny",
                      "identity", []))

# --- member account under 5 levels of SCPs ---
full = {"id": "p-FullAWSAccess", "document": ORGS["FullAWSAccess"]["content"]}
deny_leave = {"id": "deny-leave", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
     "Resource": "*"}]}}
allow_s3_only = {"id": "allow-s3", "document": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "cloudtrail:*"], "Resource": "*"}]}}
deny_billing = {"id": "deny-billing", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoBilling", "Effect": "Deny",
     "Action": ["aws-portal:*", "billing:*", "payments:*", "invoicing:*"], "Resource": "*"}]}}
member = {"type": "User", "arn": f"arn:aws:iam::{CUSTOMER}:user/ops", "account": CUSTOMER}
admin = {"id": "admin", "document": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
scp_rule = "AWS-FACTS 1.1 step 3: every SCP level root -> OU... -> account must allow; any Deny wins"
five = [[full], [full, deny_leave], [full], [full, deny_billing], [full]]
scp_cases = [
    case("engine-scp5-admin-s3-allowed", scp_rule, member, "s3:PutObject", "arn:aws:s3:::b/k",
         {"identity": [admin], "scp": five}, "Allow", "identity", [("admin", 0)]),
    case("engine-scp5-leave-denied", scp_rule, member, "organizations:LeaveOrganization", "*",
         {"identity": [admin], "scp": five}, "ExplicitDeny", "scp", [("deny-leave", 0)]),
    case("engine-scp5-billing-denied", scp_rule, member, "aws-portal:ViewBilling", "*",
         {"identity": [admin], "scp": five}, "ExplicitDeny", "scp", [("deny-billing", 0)]),
    case("engine-scp5-level-without-allow", scp_rule, member, "ec2:RunInstances", "*",
         {"identity": [admin], "scp": [[full], [full], [allow_s3_only], [full], [full]]},
         "ImplicitDeny", "scp", []),
    case("engine-scp5-level-with-allow", scp_rule, member, "cloudtrail:LookupEvents", "*",
         {"identity": [admin], "scp": [[full], [full], [allow_s3_only], [full], [full]]},
         "Allow", "identity", [("admin", 0)]),
    case("engine-scp5-identity-still-needed", scp_rule, member, "s3:GetObject",
         "arn:aws:s3:::b/k", {"identity": [], "scp": five}, "ImplicitDeny", "identity", []),
    case("engine-scp5-slr-exempt",
         "AWS-FACTS 1.1: SCPs do not restrict service-linked roles",
         {"type": "ServiceLinkedRole",
          "arn": f"arn:aws:sts::{CUSTOMER}:assumed-role/AWSServiceRoleForOrganizations/x",
          "account": CUSTOMER}, "organizations:LeaveOrganization", "*",
         {"identity": [admin], "scp": five}, "Allow", "identity", [("admin", 0)]),
    case("engine-scp-management-account-exempt",
         "AWS-FACTS 1.1: SCPs never affect the management account (no scp levels given)",
         {"type": "User", "arn": f"arn:aws:iam::{PAYER}:user/ops", "account": PAYER},
         "organizations:LeaveOrganization", "*", {"identity": [admin]}, "Allow", "identity",
         [("admin", 0)]),
    case("engine-scp5-member-root-restricted",
         "AWS-FACTS 1.1/1.4: SCPs restrict a member account's root user",
         {"type": "Root", "arn": f"arn:aws:iam::{CUSTOMER}:root", "account": CUSTOMER},
         "aws-portal:ViewBilling", "*", {"scp": five}, "ExplicitDeny", "scp",
         [("deny-billing", 0)]),
    case("engine-scp5-member-root-allowed",
         "AWS-FACTS 1.4: root is implicitly allowed in its own account, within SCPs",
         {"type": "Root", "arn": f"arn:aws:iam::{CUSTOMER}:root", "account": CUSTOMER},
         "s3:CreateBucket", "*", {"scp": five}, "Allow", "root", []),
]
out_dir = os.path.join(REPO, "tests/conformance/policy")
for fname, data in [("engine_seed_roles.json", cases), ("engine_scp_levels.json", scp_cases)]:
    with open(os.path.join(out_dir, fname), "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in data) + "\n]")
        f.write("\n")
    print(fname, len(data))
