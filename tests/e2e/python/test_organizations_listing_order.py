"""Organizations listings in creation order, and service principals from AWS's list (issue 16).

Listings of accounts, OUs, policies and handshakes come back in the order the objects were
created (accounts: the order they joined), the same on every call and across pages, never in the
order of their random IDs. Trusted access and delegated administrators accept only the service
principals of AWS services that work with Organizations (data/organizations/).
"""
import pytest

from test_organizations_core import create_account, expect_error, new_org, signup, walk


def ids(items):
    return [item["Id"] for item in items]


def test_accounts_list_in_the_order_they_joined(server):
    mgmt, orgs, org, root_id = new_org(server)
    created = [create_account(orgs, "order%d" % i)[1]["AccountId"] for i in range(3)]
    # Two standalone accounts, signed up in this order, join in the other order: the listing
    # follows the joining, not the IDs.
    first, second = signup(server, "early"), signup(server, "late")
    invites = {}
    for account in (first, second):
        invites[account.id] = orgs.invite_account_to_organization(
            Target={"Type": "ACCOUNT", "Id": account.id})["Handshake"]["Id"]
    second.client().accept_handshake(HandshakeId=invites[second.id])
    first.client().accept_handshake(HandshakeId=invites[first.id])
    expected = [mgmt.id] + created + [second.id, first.id]

    walked, pages = walk(orgs.list_accounts, "Accounts")
    assert ids(walked) == expected and pages == len(expected)
    assert ids(orgs.list_accounts()["Accounts"]) == expected
    paged = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": 2}) for a in page["Accounts"]]
    assert paged == expected
    assert ids(walk(orgs.list_accounts_for_parent, "Accounts", ParentId=root_id)[0]) == expected
    assert ids(walk(orgs.list_children, "Children", ParentId=root_id,
                    ChildType="ACCOUNT")[0]) == expected

    # Moving accounts keeps their places: an OU lists its accounts in joined order too.
    ou = orgs.create_organizational_unit(ParentId=root_id, Name="moved")["OrganizationalUnit"]
    for account_id in (first.id, created[0]):
        orgs.move_account(AccountId=account_id, SourceParentId=root_id,
                          DestinationParentId=ou["Id"])
    assert ids(orgs.list_accounts_for_parent(ParentId=ou["Id"])["Accounts"]) == [
        created[0], first.id]
    assert ids(orgs.list_accounts()["Accounts"]) == expected


def test_ous_list_in_creation_order(server):
    _, orgs, _, root_id = new_org(server)
    names = ["zulu", "alpha", "mike", "bravo", "yankee", "charlie"]
    made = [orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]
            for name in names]
    listed, pages = walk(orgs.list_organizational_units_for_parent, "OrganizationalUnits",
                         ParentId=root_id)
    assert ids(listed) == ids(made) and pages == len(made)
    assert [ou["Name"] for ou in listed] == names
    assert ids(walk(orgs.list_children, "Children", ParentId=root_id,
                    ChildType="ORGANIZATIONAL_UNIT")[0]) == ids(made)
    # A deleted OU leaves a gap, not a reordering; a new one comes last.
    orgs.delete_organizational_unit(OrganizationalUnitId=made[1]["Id"])
    newest = orgs.create_organizational_unit(ParentId=root_id, Name="aardvark")
    assert ids(orgs.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"]) == ids(made[:1] + made[2:]) + [
            newest["OrganizationalUnit"]["Id"]]


def test_policies_list_in_creation_order(server):
    _, orgs, _, root_id = new_org(server)
    orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    content = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",'
               '"Resource":"*"}]}')
    names = ["zz-last-by-name", "aa-first-by-name", "mm-middle"]
    made = [orgs.create_policy(Name=name, Description="", Type="SERVICE_CONTROL_POLICY",
                               Content=content)["Policy"]["PolicySummary"]["Id"]
            for name in names]
    listed, _ = walk(orgs.list_policies, "Policies", Filter="SERVICE_CONTROL_POLICY")
    # The AWS managed FullAWSAccess exists before any policy of the organization.
    assert ids(listed) == ["p-FullAWSAccess"] + made
    for policy_id in reversed(made):
        orgs.attach_policy(PolicyId=policy_id, TargetId=root_id)
    attached, _ = walk(orgs.list_policies_for_target, "Policies", TargetId=root_id,
                       Filter="SERVICE_CONTROL_POLICY")
    assert ids(attached) == ["p-FullAWSAccess"] + made


def test_handshakes_list_in_creation_order(server):
    _, orgs, _, _ = new_org(server)
    invited = [signup(server, "hs%d" % i) for i in range(4)]
    made = [orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": a.id})[
        "Handshake"]["Id"] for a in reversed(invited)]
    listed, pages = walk(orgs.list_handshakes_for_organization, "Handshakes")
    assert ids(listed) == made and pages == len(made)


UNKNOWN = "notaservice.amazonaws.com"


def test_only_service_principals_of_aws_services_are_recognized(server):
    _, orgs, _, _ = new_org(server)
    _, done = create_account(orgs)
    account_id = done["AccountId"]
    for call, kwargs in [
            (orgs.enable_aws_service_access, {}),
            (orgs.disable_aws_service_access, {}),
            (orgs.register_delegated_administrator, {"AccountId": account_id}),
            (orgs.deregister_delegated_administrator, {"AccountId": account_id}),
            (orgs.list_delegated_administrators, {})]:
        expect_error(call, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL",
                     ServicePrincipal=UNKNOWN, **kwargs)
    assert orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    # Principals from AWS's list: an original one, one with a dotted service part, and services
    # that joined the list after 2023.
    recognized = ["guardduty.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
                  "securitylake.amazonaws.com", "iam.amazonaws.com"]
    for principal in recognized:
        orgs.enable_aws_service_access(ServicePrincipal=principal)
    enabled = orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert sorted(e["ServicePrincipal"] for e in enabled) == sorted(recognized)
    orgs.register_delegated_administrator(AccountId=account_id,
                                          ServicePrincipal="securitylake.amazonaws.com")
    assert ids(orgs.list_delegated_administrators(
        ServicePrincipal="securitylake.amazonaws.com")["DelegatedAdministrators"]) == [account_id]


@pytest.mark.parametrize("principal", ["GUARDDUTY.AMAZONAWS.COM", "guardduty.amazonaws.com.",
                                       "guardduty"])
def test_service_principals_match_exactly(server, principal):
    _, orgs, _, _ = new_org(server)
    expect_error(orgs.enable_aws_service_access, "InvalidInputException",
                 "UNRECOGNIZED_SERVICE_PRINCIPAL", ServicePrincipal=principal)
