"""AWS Organizations through Debian's AWS CLI v2 (/usr/bin/aws).

The default account (123456789012, the profile the server writes) builds an organization; other
standalone accounts come from `orgtwin signup` and reach the CLI through env vars. Covers
create-organization, OUs, create-account and its status, list-accounts with the CLI paginator,
policy types, SCPs attached to targets, an invitation accepted by a second account, move-account,
and remove-account-from-organization with its refusals."""
import json
import re
from datetime import datetime

import pytest

from cli_helpers import Keys, fails, in_parallel, ok, run
from orgpol_helpers import signup

DEFAULT_ACCOUNT = "123456789012"
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
POLICY_ID = re.compile(r"^p-[0-9a-zA-Z_]{8,128}$")
CAR_ID = re.compile(r"^car-[a-z0-9]{8,32}$")
HANDSHAKE_ID = re.compile(r"^h-[0-9a-z]{8,32}$")
DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def keys_of(account):
    return Keys(account.access_key, account.secret_key)


@pytest.fixture(scope="module")
def org(server):
    """The default account's organization, created through the profile: (org, root_id)."""
    fails(server, "AWSOrganizationsNotInUseException", "organizations", "describe-organization")
    created = ok(server, "organizations", "create-organization",
                 "--feature-set", "ALL")["Organization"]
    root = ok(server, "organizations", "list-roots")["Roots"][0]
    return created, root["Id"]


def test_create_organization(server, org):
    created, root_id = org
    assert ORG_ID.match(created["Id"])
    assert created["Arn"] == "arn:aws:organizations::%s:organization/%s" % (
        DEFAULT_ACCOUNT, created["Id"])
    assert created["MasterAccountId"] == DEFAULT_ACCOUNT
    assert created["FeatureSet"] == "ALL"
    assert ROOT_ID.match(root_id)
    described = ok(server, "organizations", "describe-organization")["Organization"]
    assert described["Id"] == created["Id"]
    fails(server, "AlreadyInOrganizationException", "organizations", "create-organization")


def test_organizational_units(server, org):
    _, root_id = org
    ou = ok(server, "organizations", "create-organizational-unit", "--parent-id", root_id,
            "--name", "cli-eng")["OrganizationalUnit"]
    assert OU_ID.match(ou["Id"]) and ou["Name"] == "cli-eng"
    nested = ok(server, "organizations", "create-organizational-unit", "--parent-id", ou["Id"],
                "--name", "cli-eng-web")["OrganizationalUnit"]
    children = ok(server, "organizations", "list-organizational-units-for-parent",
                  "--parent-id", ou["Id"])["OrganizationalUnits"]
    assert [c["Id"] for c in children] == [nested["Id"]]
    parents = ok(server, "organizations", "list-parents", "--child-id", nested["Id"])["Parents"]
    assert parents == [{"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    fails(server, "DuplicateOrganizationalUnitException", "organizations",
          "create-organizational-unit", "--parent-id", root_id, "--name", "cli-eng")
    fails(server, "OrganizationalUnitNotEmptyException", "organizations",
          "delete-organizational-unit", "--organizational-unit-id", ou["Id"])
    renamed = ok(server, "organizations", "update-organizational-unit",
                 "--organizational-unit-id", nested["Id"], "--name", "cli-web")
    assert renamed["OrganizationalUnit"]["Name"] == "cli-web"
    ok(server, "organizations", "delete-organizational-unit",
       "--organizational-unit-id", nested["Id"])
    fails(server, "OrganizationalUnitNotFoundException", "organizations",
          "describe-organizational-unit", "--organizational-unit-id", nested["Id"])


def test_create_account_and_list_accounts_paginated(server, org):
    def create(i):
        status = ok(server, "organizations", "create-account", "--email",
                    "cli-created-%d@example.com" % i, "--account-name",
                    "cli-created-%d" % i)["CreateAccountStatus"]
        assert CAR_ID.match(status["Id"])
        assert status["State"] in ("IN_PROGRESS", "SUCCEEDED")
        # The CLI parses the JSON protocol's epoch timestamps and prints ISO 8601.
        assert datetime.fromisoformat(status["RequestedTimestamp"]).tzinfo is not None
        done = ok(server, "organizations", "describe-create-account-status",
                  "--create-account-request-id", status["Id"])["CreateAccountStatus"]
        assert done["State"] == "SUCCEEDED" and done["AccountName"] == "cli-created-%d" % i
        assert re.match(r"^\d{12}$", done["AccountId"])
        return done["AccountId"]

    created_ids = in_parallel(create, range(3))
    fails(server, "CreateAccountStatusNotFoundException", "organizations",
          "describe-create-account-status", "--create-account-request-id", "car-0000000000")
    account = ok(server, "organizations", "describe-account", "--account-id",
                 created_ids[0])["Account"]
    assert account["Status"] == "ACTIVE" and account["JoinedMethod"] == "CREATED"
    assert account["Email"] == "cli-created-0@example.com"

    # The whole list, fetched one account per request by the CLI's paginator.
    everything = ok(server, "organizations", "list-accounts", "--page-size", "1")
    all_ids = [a["Id"] for a in everything["Accounts"]]
    assert set(created_ids) | {DEFAULT_ACCOUNT} <= set(all_ids)
    assert len(all_ids) == len(set(all_ids))
    # --max-items stops part-way; --starting-token resumes from the server's NextToken.
    first = ok(server, "organizations", "list-accounts", "--page-size", "1", "--max-items", "2")
    assert len(first["Accounts"]) == 2 and first["NextToken"]
    rest = ok(server, "organizations", "list-accounts", "--page-size", "1",
              "--starting-token", first["NextToken"])
    assert "NextToken" not in rest
    assert [a["Id"] for a in first["Accounts"] + rest["Accounts"]] == all_ids
    # One raw page through --no-paginate carries the service's own NextToken.
    raw = ok(server, "organizations", "list-accounts", "--no-paginate", "--max-results", "1")
    assert len(raw["Accounts"]) == 1 and raw["NextToken"]
    fails(server, "InvalidInputException", "organizations", "list-accounts", "--no-paginate",
          "--next-token", "not-a-token")


def test_policy_types_and_scps(server, org):
    _, root_id = org
    enabled = ok(server, "organizations", "enable-policy-type", "--root-id", root_id,
                 "--policy-type", "TAG_POLICY")["Root"]
    # Only the type enabled: the API's CreateOrganization enables none (AWS-FACTS 2.2).
    assert enabled["PolicyTypes"] == [{"Type": "TAG_POLICY", "Status": "ENABLED"}]
    ok(server, "organizations", "enable-policy-type", "--root-id", root_id,
       "--policy-type", "SERVICE_CONTROL_POLICY")
    fails(server, "PolicyTypeAlreadyEnabledException", "organizations", "enable-policy-type",
          "--root-id", root_id, "--policy-type", "TAG_POLICY")
    ok(server, "organizations", "disable-policy-type", "--root-id", root_id,
       "--policy-type", "TAG_POLICY")
    fails(server, "PolicyTypeNotEnabledException", "organizations", "disable-policy-type",
          "--root-id", root_id, "--policy-type", "TAG_POLICY")

    ou = ok(server, "organizations", "create-organizational-unit", "--parent-id", root_id,
            "--name", "cli-scp")["OrganizationalUnit"]
    policy = ok(server, "organizations", "create-policy", "--name", "cli-deny-s3", "--type",
                "SERVICE_CONTROL_POLICY", "--description", "no s3",
                "--content", DENY_S3)["Policy"]
    summary = policy["PolicySummary"]
    assert POLICY_ID.match(summary["Id"]) and summary["AwsManaged"] is False
    assert json.loads(policy["Content"]) == json.loads(DENY_S3)
    fails(server, "DuplicatePolicyException", "organizations", "create-policy", "--name",
          "cli-deny-s3", "--type", "SERVICE_CONTROL_POLICY", "--description", "again",
          "--content", DENY_S3)
    fails(server, "MalformedPolicyDocumentException", "organizations", "create-policy",
          "--name", "cli-bad", "--type", "SERVICE_CONTROL_POLICY", "--description", "bad",
          "--content", "{not json")

    ok(server, "organizations", "attach-policy", "--policy-id", summary["Id"],
       "--target-id", ou["Id"])
    fails(server, "DuplicatePolicyAttachmentException", "organizations", "attach-policy",
          "--policy-id", summary["Id"], "--target-id", ou["Id"])
    attached = ok(server, "organizations", "list-policies-for-target", "--target-id", ou["Id"],
                  "--filter", "SERVICE_CONTROL_POLICY")["Policies"]
    assert sorted(p["Id"] for p in attached) == sorted(["p-FullAWSAccess", summary["Id"]])
    targets = ok(server, "organizations", "list-targets-for-policy",
                 "--policy-id", summary["Id"])["Targets"]
    assert [(t["TargetId"], t["Type"]) for t in targets] == [(ou["Id"], "ORGANIZATIONAL_UNIT")]
    fails(server, "PolicyInUseException", "organizations", "delete-policy",
          "--policy-id", summary["Id"])
    ok(server, "organizations", "detach-policy", "--policy-id", summary["Id"],
       "--target-id", ou["Id"])
    fails(server, "PolicyNotAttachedException", "organizations", "detach-policy",
          "--policy-id", summary["Id"], "--target-id", ou["Id"])
    ok(server, "organizations", "delete-policy", "--policy-id", summary["Id"])
    fails(server, "PolicyNotFoundException", "organizations", "describe-policy",
          "--policy-id", summary["Id"])


def test_invite_accept_move_remove(server, org):
    created, root_id = org
    member = signup(server, "cli-member")
    member_keys = keys_of(member)
    hs = ok(server, "organizations", "invite-account-to-organization", "--target",
            "Id=%s,Type=ACCOUNT" % member.id, "--notes", "from the cli")["Handshake"]
    assert HANDSHAKE_ID.match(hs["Id"]) and hs["State"] == "OPEN"
    assert {"Type": "NOTES", "Value": "from the cli"} in hs["Resources"]
    fails(server, "DuplicateHandshakeException", "organizations",
          "invite-account-to-organization", "--target", "Id=%s,Type=ACCOUNT" % member.id)

    # The invited account sees the handshake and accepts it with its own keys.
    mine = ok(server, "organizations", "list-handshakes-for-account", keys=member_keys)
    assert [h["Id"] for h in mine["Handshakes"]] == [hs["Id"]]
    fails(server, "AccessDeniedException", "organizations", "accept-handshake",
          "--handshake-id", hs["Id"])
    accepted = ok(server, "organizations", "accept-handshake", "--handshake-id", hs["Id"],
                  keys=member_keys)["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    fails(server, "HandshakeAlreadyInStateException", "organizations", "accept-handshake",
          "--handshake-id", hs["Id"], keys=member_keys)
    joined = ok(server, "organizations", "describe-organization", keys=member_keys)
    assert joined["Organization"]["Id"] == created["Id"]
    account = ok(server, "organizations", "describe-account", "--account-id",
                 member.id)["Account"]
    assert account["JoinedMethod"] == "INVITED"

    # move-account into an OU, and its errors.
    ou = ok(server, "organizations", "create-organizational-unit", "--parent-id", root_id,
            "--name", "cli-moved")["OrganizationalUnit"]
    ok(server, "organizations", "move-account", "--account-id", member.id,
       "--source-parent-id", root_id, "--destination-parent-id", ou["Id"])
    parents = ok(server, "organizations", "list-parents", "--child-id", member.id)["Parents"]
    assert parents == [{"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    fails(server, "DuplicateAccountException", "organizations", "move-account",
          "--account-id", member.id, "--source-parent-id", root_id,
          "--destination-parent-id", ou["Id"])
    missing_ou = ou["Id"][:-8] + "zzzzzzzz"
    fails(server, "SourceParentNotFoundException", "organizations", "move-account",
          "--account-id", member.id, "--source-parent-id", missing_ou,
          "--destination-parent-id", root_id)
    fails(server, "DestinationParentNotFoundException", "organizations", "move-account",
          "--account-id", member.id, "--source-parent-id", ou["Id"],
          "--destination-parent-id", missing_ou)
    in_ou = ok(server, "organizations", "list-accounts-for-parent", "--parent-id", ou["Id"])
    assert [a["Id"] for a in in_ou["Accounts"]] == [member.id]

    # remove-account-from-organization: the refusals first, then the removal.
    err = fails(server, "MasterCannotLeaveOrganizationException", "organizations",
                "remove-account-from-organization", "--account-id", DEFAULT_ACCOUNT)
    assert "management account" in err
    fails(server, "AccountNotFoundException", "organizations",
          "remove-account-from-organization", "--account-id", "111111111111")
    fails(server, "AccessDeniedException", "organizations", "remove-account-from-organization",
          "--account-id", member.id, keys=member_keys)
    result = run(server, "organizations", "remove-account-from-organization",
                 "--account-id", member.id)
    assert result.returncode == 0 and result.stdout == "", result.stderr
    fails(server, "AWSOrganizationsNotInUseException", "organizations",
          "describe-organization", keys=member_keys)
    fails(server, "AccountNotFoundException", "organizations", "describe-account",
          "--account-id", member.id)


def test_errors_of_a_standalone_account(server):
    loner = keys_of(signup(server, "cli-loner"))
    fails(server, "AWSOrganizationsNotInUseException", "organizations", "list-accounts",
          keys=loner)
    # Every account lookup from outside any organization: the exception AWS documents for an
    # account that is not a member of one.
    for lookup in (["describe-account", "--account-id", "123456789012"],
                   ["list-parents", "--child-id", "123456789012"],
                   ["list-roots"], ["list-create-account-status"]):
        fails(server, "AWSOrganizationsNotInUseException", "organizations", *lookup, keys=loner)
    err = fails(server, "InvalidInputException", "organizations", "describe-account",
                "--account-id", "12")
    assert "You provided a value that does not match the required pattern." in err
