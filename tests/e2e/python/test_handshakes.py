"""Organizations handshakes over the wire with boto3: invitations by account and by email,
accept/decline/cancel transitions and their errors, two racing accepts, the move of an account
between two organizations (the seed's Part III steps 9-12), EnableAllFeatures and listing."""
import re
import threading

import botocore

from orgpol_helpers import (Account, ensure_scp_enabled, expect_error, invite_and_join, new_org,
                            policy_ids, signup)

HANDSHAKE_ID = re.compile(r"^h-[0-9a-z]{8,32}$")


def invite(mgmt, member, notes=None):
    args = {"Target": {"Type": "ACCOUNT", "Id": member.id}}
    if notes is not None:
        args["Notes"] = notes
    return mgmt.orgs.invite_account_to_organization(**args)["Handshake"]


def test_invite_shape_and_accept_moves_the_account_in(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    member = signup(server, "member")
    hs = invite(mgmt, member, notes="join us")
    assert HANDSHAKE_ID.match(hs["Id"])
    assert hs["Arn"] == "arn:aws:organizations::%s:handshake/%s/invite/%s" % (
        mgmt.id, org["Id"], hs["Id"])
    assert hs["State"] == "OPEN" and hs["Action"] == "INVITE"
    assert hs["Parties"] == [{"Id": org["Id"], "Type": "ORGANIZATION"},
                             {"Id": member.id, "Type": "ACCOUNT"}]
    assert round((hs["ExpirationTimestamp"] - hs["RequestedTimestamp"]).total_seconds()) == \
        15 * 86400
    org_resource = hs["Resources"][0]
    assert org_resource["Type"] == "ORGANIZATION" and org_resource["Value"] == org["Id"]
    inner = {r["Type"]: r["Value"] for r in org_resource["Resources"]}
    assert inner["MASTER_EMAIL"] == mgmt.email
    assert inner["ORGANIZATION_FEATURE_SET"] == "ALL"
    assert {"Type": "ACCOUNT", "Value": member.id} in hs["Resources"]
    assert {"Type": "NOTES", "Value": "join us"} in hs["Resources"]

    # The invited account sees it; an unrelated account does not.
    mine = member.orgs.list_handshakes_for_account()["Handshakes"]
    assert [h["Id"] for h in mine] == [hs["Id"]]
    outsider = signup(server, "outsider")
    expect_error(outsider.orgs.describe_handshake, "HandshakeNotFoundException",
                 HandshakeId=hs["Id"])
    expect_error(outsider.orgs.accept_handshake, "HandshakeNotFoundException",
                 HandshakeId=hs["Id"])
    # The sender cannot accept its own invitation.
    expect_error(mgmt.orgs.accept_handshake, "AccessDeniedException", HandshakeId=hs["Id"])

    accepted = member.orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    account = mgmt.orgs.describe_account(AccountId=member.id)["Account"]
    assert account["JoinedMethod"] == "INVITED"
    parents = mgmt.orgs.list_parents(ChildId=member.id)["Parents"]
    assert parents == [{"Id": root, "Type": "ROOT"}]
    assert policy_ids(mgmt.orgs, member.id) == ["p-FullAWSAccess"]
    assert member.orgs.describe_organization()["Organization"]["Id"] == org["Id"]
    # Joining an all-features organization creates its service-linked role in the account.
    slr = member.client("iam").get_role(RoleName="AWSServiceRoleForOrganizations")["Role"]
    assert slr["Path"] == "/aws-service-role/organizations.amazonaws.com/"
    expect_error(member.orgs.accept_handshake, "HandshakeAlreadyInStateException",
                 HandshakeId=hs["Id"])
    expect_error(mgmt.orgs.cancel_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=hs["Id"])
    # Already a member: inviting again is refused.
    expect_error(mgmt.orgs.invite_account_to_organization, "DuplicateAccountException",
                 Target={"Type": "ACCOUNT", "Id": member.id})


def test_invite_errors(server):
    mgmt, org, root = new_org(server)
    member = signup(server, "member")
    invite(mgmt, member)
    expect_error(mgmt.orgs.invite_account_to_organization, "DuplicateHandshakeException",
                 Target={"Type": "ACCOUNT", "Id": member.id})
    expect_error(mgmt.orgs.invite_account_to_organization, "InvalidInputException",
                 "INVALID_PARTY_TYPE_TARGET", Target={"Type": "ORGANIZATION", "Id": org["Id"]})
    expect_error(mgmt.orgs.invite_account_to_organization, "AccountNotFoundException",
                 Target={"Type": "ACCOUNT", "Id": "999999999990"})
    expect_error(mgmt.orgs.invite_account_to_organization, "InvalidInputException",
                 Target={"Type": "ACCOUNT", "Id": "x"}, Notes="n" * 1025)
    standalone = signup(server, "alone")
    expect_error(standalone.orgs.invite_account_to_organization,
                 "AWSOrganizationsNotInUseException", Target={"Type": "ACCOUNT", "Id": member.id})
    # A member account cannot invite.
    joined = signup(server, "joined")
    invite_and_join(mgmt, joined)
    expect_error(joined.orgs.invite_account_to_organization, "AccessDeniedException",
                 Target={"Type": "ACCOUNT", "Id": standalone.id})
    # Without a payment method an account cannot accept.
    broke = signup(server, "broke", payment_method=False)
    hs = invite(mgmt, broke)
    expect_error(broke.orgs.accept_handshake, "HandshakeConstraintViolationException",
                 "PAYMENT_INSTRUMENT_REQUIRED", HandshakeId=hs["Id"])


def test_invite_by_email(server):
    mgmt, org, root = new_org(server)
    member = signup(server, "member")
    hs = mgmt.orgs.invite_account_to_organization(
        Target={"Type": "EMAIL", "Id": member.email.upper()},
        Tags=[{"Key": "team", "Value": "blue"}])["Handshake"]
    assert {"Id": member.email.upper(), "Type": "EMAIL"} in hs["Parties"]
    assert [h["Id"] for h in member.orgs.list_handshakes_for_account()["Handshakes"]] == [hs["Id"]]
    assert member.orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "ACCEPTED"
    accounts = {a["Id"] for a in mgmt.orgs.list_accounts()["Accounts"]}
    assert accounts == {mgmt.id, member.id}
    # The invitation's tags land on the account when it joins.
    tags = mgmt.orgs.list_tags_for_resource(ResourceId=member.id)["Tags"]
    assert tags == [{"Key": "team", "Value": "blue"}]


def test_decline_and_cancel_transitions(server):
    mgmt, org, root = new_org(server)
    member = signup(server, "member")
    declined = invite(mgmt, member)
    assert member.orgs.decline_handshake(
        HandshakeId=declined["Id"])["Handshake"]["State"] == "DECLINED"
    expect_error(member.orgs.decline_handshake, "HandshakeAlreadyInStateException",
                 HandshakeId=declined["Id"])
    expect_error(member.orgs.accept_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=declined["Id"])
    expect_error(mgmt.orgs.cancel_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=declined["Id"])
    assert mgmt.orgs.describe_handshake(
        HandshakeId=declined["Id"])["Handshake"]["State"] == "DECLINED"

    canceled = invite(mgmt, member)
    expect_error(member.orgs.cancel_handshake, "AccessDeniedException",
                 HandshakeId=canceled["Id"])
    expect_error(mgmt.orgs.decline_handshake, "AccessDeniedException",
                 HandshakeId=canceled["Id"])
    assert mgmt.orgs.cancel_handshake(
        HandshakeId=canceled["Id"])["Handshake"]["State"] == "CANCELED"
    expect_error(mgmt.orgs.cancel_handshake, "HandshakeAlreadyInStateException",
                 HandshakeId=canceled["Id"])
    expect_error(member.orgs.accept_handshake, "InvalidHandshakeTransitionException",
                 HandshakeId=canceled["Id"])
    expect_error(member.orgs.describe_handshake, "HandshakeNotFoundException",
                 HandshakeId="h-0000000000")

    states = {h["Id"]: h["State"] for h in
              mgmt.orgs.list_handshakes_for_organization()["Handshakes"]}
    assert states == {declined["Id"]: "DECLINED", canceled["Id"]: "CANCELED"}


def test_two_concurrent_accepts_succeed_exactly_once(server):
    mgmt, org, root = new_org(server)
    member = signup(server, "member")
    hs = invite(mgmt, member)
    clients = [member.orgs, member.orgs]
    barrier = threading.Barrier(2)
    results = [None, None]

    def accept(i):
        barrier.wait(timeout=10)
        try:
            results[i] = clients[i].accept_handshake(HandshakeId=hs["Id"])["Handshake"]["State"]
        except botocore.exceptions.ClientError as error:
            results[i] = error.response["Error"]["Code"]

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ACCEPTED", "HandshakeAlreadyInStateException"], results
    accounts = [a["Id"] for a in mgmt.orgs.list_accounts()["Accounts"]]
    assert sorted(accounts) == sorted([mgmt.id, member.id])


def test_account_moves_between_two_organizations(server):
    """The seed's Part III, steps 9-12: the customer organization removes its member, the
    partner organization invites it, it accepts, and the partner moves it into an OU."""
    customer, customer_org, customer_root = new_org(server)
    partner, partner_org, partner_root = new_org(server)
    ensure_scp_enabled(partner, partner_root)
    workload = signup(server, "workload")
    invite_and_join(customer, workload)

    # Still a member of the customer organization: it cannot accept the partner's invitation.
    hs = invite(partner, workload)
    expect_error(workload.orgs.accept_handshake, "HandshakeConstraintViolationException",
                 "ALREADY_IN_AN_ORGANIZATION", HandshakeId=hs["Id"])
    assert workload.orgs.describe_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "OPEN"

    customer.orgs.remove_account_from_organization(AccountId=workload.id)
    expect_error(workload.orgs.describe_organization, "AWSOrganizationsNotInUseException")
    accepted = workload.orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert workload.orgs.describe_organization()["Organization"]["Id"] == partner_org["Id"]
    assert workload.id not in {a["Id"] for a in customer.orgs.list_accounts()["Accounts"]}

    ou = partner.orgs.create_organizational_unit(ParentId=partner_root,
                                                 Name="Customers")["OrganizationalUnit"]["Id"]
    partner.orgs.move_account(AccountId=workload.id, SourceParentId=partner_root,
                              DestinationParentId=ou)
    in_ou = partner.orgs.list_accounts_for_parent(ParentId=ou)["Accounts"]
    assert [a["Id"] for a in in_ou] == [workload.id]
    assert in_ou[0]["JoinedMethod"] == "INVITED"
    assert policy_ids(partner.orgs, workload.id) == ["p-FullAWSAccess"]

    # And it can leave again (invited accounts have no waiting period).
    workload.orgs.leave_organization()
    expect_error(workload.orgs.describe_organization, "AWSOrganizationsNotInUseException")


def test_list_handshakes_filter_and_pagination(server):
    mgmt, org, root = new_org(server)
    members = [signup(server, "m") for _ in range(3)]
    ids = [invite(mgmt, m)["Id"] for m in members]
    seen, token, pages = [], None, 0
    while True:
        args = {"MaxResults": 1, "Filter": {"ActionType": "INVITE"}}
        if token:
            args["NextToken"] = token
        page = mgmt.orgs.list_handshakes_for_organization(**args)
        pages += 1
        seen.extend(h["Id"] for h in page["Handshakes"])
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(ids) and pages == 3
    assert mgmt.orgs.list_handshakes_for_organization(
        Filter={"ActionType": "ENABLE_ALL_FEATURES"})["Handshakes"] == []
    expect_error(mgmt.orgs.list_handshakes_for_organization, "InvalidInputException",
                 "MAX_LIMIT_EXCEEDED_FILTER",
                 Filter={"ActionType": "INVITE", "ParentHandshakeId": "h-0000000000"})
    expect_error(members[0].orgs.list_handshakes_for_organization,
                 "AWSOrganizationsNotInUseException")


def test_enable_all_features_handshake_flow(server):
    mgmt, org, root = new_org(server, "CONSOLIDATED_BILLING")
    member = signup(server, "member")
    invite_and_join(mgmt, member)
    later = signup(server, "later")

    started = mgmt.orgs.enable_all_features()["Handshake"]
    assert started["Action"] == "ENABLE_ALL_FEATURES" and started["State"] == "REQUESTED"
    assert "/enable_all_features/" in started["Arn"]
    assert round((started["ExpirationTimestamp"] -
                  started["RequestedTimestamp"]).total_seconds()) == 90 * 86400
    expect_error(mgmt.orgs.enable_all_features, "HandshakeConstraintViolationException",
                 "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
    expect_error(mgmt.orgs.invite_account_to_organization,
                 "HandshakeConstraintViolationException",
                 "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                 Target={"Type": "ACCOUNT", "Id": later.id})

    asked = member.orgs.list_handshakes_for_account(
        Filter={"ActionType": "ENABLE_ALL_FEATURES"})["Handshakes"]
    assert len(asked) == 1 and asked[0]["State"] == "OPEN"
    assert {"Type": "PARENT_HANDSHAKE", "Value": started["Id"]} in asked[0]["Resources"]
    children = mgmt.orgs.list_handshakes_for_organization(
        Filter={"ParentHandshakeId": started["Id"]})["Handshakes"]
    assert [h["Id"] for h in children] == [asked[0]["Id"]]
    assert mgmt.orgs.describe_organization()["Organization"]["FeatureSet"] == \
        "CONSOLIDATED_BILLING"

    member.orgs.accept_handshake(HandshakeId=asked[0]["Id"])
    assert mgmt.orgs.describe_handshake(HandshakeId=started["Id"])["Handshake"]["State"] == "OPEN"
    approvals = mgmt.orgs.list_handshakes_for_account(
        Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    assert len(approvals) == 1 and approvals[0]["State"] == "OPEN"
    # Only the management account approves.
    expect_error(member.orgs.accept_handshake, "HandshakeNotFoundException",
                 HandshakeId=approvals[0]["Id"])
    mgmt.orgs.accept_handshake(HandshakeId=approvals[0]["Id"])
    assert mgmt.orgs.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert mgmt.orgs.describe_handshake(
        HandshakeId=started["Id"])["Handshake"]["State"] == "ACCEPTED"
    expect_error(mgmt.orgs.enable_all_features, "HandshakeConstraintViolationException",
                 "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")
    mgmt.orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    invite(mgmt, later)


def test_accepting_into_all_features_needs_create_service_linked_role(server):
    """AcceptHandshake makes Organizations create AWSServiceRoleForOrganizations in the joining
    account: the caller needs iam:CreateServiceLinkedRole too, else
    AccessDeniedForDependencyException (ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE)."""
    import json

    mgmt, _, _ = new_org(server)
    member = signup(server, "slrdep")
    iam = member.client("iam")
    iam.create_user(UserName="joiner")
    iam.put_user_policy(UserName="joiner", PolicyName="accept", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
                                                "Action": "organizations:AcceptHandshake"}]}))
    key = iam.create_access_key(UserName="joiner")["AccessKey"]
    joiner = Account(server, member.id, key["AccessKeyId"], key["SecretAccessKey"])
    hs = mgmt.orgs.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": member.id})["Handshake"]
    expect_error(joiner.orgs.accept_handshake, "AccessDeniedForDependencyException",
                 "ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE", HandshakeId=hs["Id"])
    slr = ("arn:aws:iam::%s:role/aws-service-role/organizations.amazonaws.com/"
           "AWSServiceRoleForOrganizations" % member.id)
    iam.put_user_policy(UserName="joiner", PolicyName="slr", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": slr,
            "Condition": {"StringEquals": {"iam:AWSServiceName": "organizations.amazonaws.com"}}}]}))
    assert joiner.orgs.accept_handshake(HandshakeId=hs["Id"])["Handshake"]["State"] == "ACCEPTED"
    role = iam.get_role(RoleName="AWSServiceRoleForOrganizations")["Role"]
    assert role["Arn"] == slr
    assert role["Description"].startswith("Service-linked role used by AWS Organizations")
