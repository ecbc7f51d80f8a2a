"""Organizations policies over the wire with boto3: every policy operation and its errors,
policy types on the root, default FullAWSAccess / RCPFullAWSAccess attachments, per-target limits,
effective management policies and pagination."""
import json
import re

from orgpol_helpers import (ensure_scp_enabled, expect_error, invite_and_join, new_org,
                            policy_ids, scp, signup)

FULL = "p-FullAWSAccess"
RCP_FULL = "p-RCPFullAWSAccess"
SCP = "SERVICE_CONTROL_POLICY"
POLICY_ID = re.compile(r"^p-[0-9a-z]{10,32}$")


def test_scp_create_describe_update_delete(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    c = mgmt.orgs
    created = c.create_policy(Name="DenyS3", Description="no s3", Type=SCP,
                              Content=scp())["Policy"]
    summary = created["PolicySummary"]
    assert POLICY_ID.match(summary["Id"])
    assert summary["Arn"] == "arn:aws:organizations::%s:policy/%s/service_control_policy/%s" % (
        mgmt.id, org["Id"], summary["Id"])
    assert summary["AwsManaged"] is False and summary["Type"] == SCP
    assert json.loads(created["Content"])["Statement"][0]["Action"] == "s3:*"
    assert c.describe_policy(PolicyId=summary["Id"])["Policy"] == created

    full = c.describe_policy(PolicyId=FULL)["Policy"]
    assert full["PolicySummary"]["AwsManaged"] is True
    assert full["PolicySummary"]["Name"] == "FullAWSAccess"
    assert full["PolicySummary"]["Arn"] == (
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
    listed = {p["Id"] for p in c.list_policies(Filter=SCP)["Policies"]}
    assert listed == {FULL, summary["Id"]}
    assert c.list_policies(Filter="TAG_POLICY")["Policies"] == []

    expect_error(c.create_policy, "DuplicatePolicyException", Name="DenyS3", Description="",
                 Type=SCP, Content=scp())
    expect_error(c.create_policy, "MalformedPolicyDocumentException", Name="Bad",
                 Description="", Type=SCP, Content="{not json")
    # 5,120 characters, whitespace included: one more is over the limit.
    at_limit = scp(pad=5120 - len(scp()))
    assert len(at_limit) == 5120
    c.create_policy(Name="AtLimit", Description="", Type=SCP, Content=at_limit)
    expect_error(c.create_policy, "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED",
                 Name="OverLimit", Description="", Type=SCP, Content=scp(pad=5121 - len(scp())))

    updated = c.update_policy(PolicyId=summary["Id"], Name="DenyS3Renamed",
                              Content=scp("iam:CreateUser"))["Policy"]
    assert updated["PolicySummary"]["Name"] == "DenyS3Renamed"
    assert updated["PolicySummary"]["Description"] == "no s3"
    assert "iam:CreateUser" in updated["Content"]
    expect_error(c.update_policy, "DuplicatePolicyException", PolicyId=summary["Id"],
                 Name="AtLimit")
    expect_error(c.update_policy, "MalformedPolicyDocumentException", PolicyId=summary["Id"],
                 Content='{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}')
    expect_error(c.update_policy, "InvalidInputException", "IMMUTABLE_POLICY", PolicyId=FULL,
                 Name="Mine")
    expect_error(c.delete_policy, "InvalidInputException", "IMMUTABLE_POLICY", PolicyId=FULL)

    c.delete_policy(PolicyId=summary["Id"])
    expect_error(c.describe_policy, "PolicyNotFoundException", PolicyId=summary["Id"])
    expect_error(c.delete_policy, "PolicyNotFoundException", PolicyId=summary["Id"])
    expect_error(c.update_policy, "PolicyNotFoundException", PolicyId="p-0000000000",
                 Name="x")


def test_attach_detach_limits_and_last_scp_rule(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    c = mgmt.orgs
    ou = c.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    # SCPs on: root, the new OU and the management account carry FullAWSAccess.
    assert policy_ids(c, root) == [FULL]
    assert policy_ids(c, ou) == [FULL]
    assert policy_ids(c, mgmt.id) == [FULL]

    ids = [c.create_policy(Name="P%d" % i, Description="", Type=SCP,
                           Content=scp("ec2:Action%d" % i))["Policy"]["PolicySummary"]["Id"]
           for i in range(5)]
    c.attach_policy(PolicyId=ids[0], TargetId=ou)
    expect_error(c.attach_policy, "DuplicatePolicyAttachmentException", PolicyId=ids[0],
                 TargetId=ou)
    targets = c.list_targets_for_policy(PolicyId=ids[0])["Targets"]
    assert targets == [{"TargetId": ou, "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT",
                        "Arn": "arn:aws:organizations::%s:ou/%s/%s" % (mgmt.id, org["Id"], ou)}]
    full_targets = {t["TargetId"]: t["Type"] for t in
                    c.list_targets_for_policy(PolicyId=FULL)["Targets"]}
    assert full_targets == {root: "ROOT", ou: "ORGANIZATIONAL_UNIT", mgmt.id: "ACCOUNT"}

    for pid in ids[1:4]:
        c.attach_policy(PolicyId=pid, TargetId=ou)
    assert len(policy_ids(c, ou)) == 5
    expect_error(c.attach_policy, "ConstraintViolationException",
                 "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", PolicyId=ids[4], TargetId=ou)

    # Detaching FullAWSAccess is fine while another SCP stays; the last one cannot go.
    c.detach_policy(PolicyId=FULL, TargetId=ou)
    for pid in ids[1:4]:
        c.detach_policy(PolicyId=pid, TargetId=ou)
    assert policy_ids(c, ou) == [ids[0]]
    expect_error(c.detach_policy, "ConstraintViolationException",
                 "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", PolicyId=ids[0], TargetId=ou)
    expect_error(c.detach_policy, "PolicyNotAttachedException", PolicyId=ids[1], TargetId=ou)
    expect_error(c.delete_policy, "PolicyInUseException", PolicyId=ids[0])
    c.attach_policy(PolicyId=FULL, TargetId=ou)
    c.detach_policy(PolicyId=ids[0], TargetId=ou)
    c.delete_policy(PolicyId=ids[0])

    expect_error(c.attach_policy, "TargetNotFoundException", PolicyId=ids[1],
                 TargetId="ou-abcd-zzzzzzzz")
    expect_error(c.attach_policy, "TargetNotFoundException", PolicyId=ids[1],
                 TargetId="999999999999")
    expect_error(c.attach_policy, "PolicyNotFoundException", PolicyId="p-0000000000",
                 TargetId=ou)
    expect_error(c.list_policies_for_target, "TargetNotFoundException",
                 TargetId="ou-abcd-zzzzzzzz", Filter=SCP)
    expect_error(c.list_targets_for_policy, "PolicyNotFoundException", PolicyId="p-0000000000")


def test_policy_types_on_the_root(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    c = mgmt.orgs
    ou = c.create_organizational_unit(ParentId=root, Name="A")["OrganizationalUnit"]["Id"]
    tag = c.create_policy(Name="Tags", Description="", Type="TAG_POLICY", Content=json.dumps(
        {"tags": {"env": {"tag_key": {"@@assign": "Env"}}}}))["Policy"]["PolicySummary"]["Id"]
    expect_error(c.attach_policy, "PolicyTypeNotEnabledException", PolicyId=tag, TargetId=ou)

    enabled = c.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")["Root"]
    assert {"Type": "TAG_POLICY", "Status": "ENABLED"} in enabled["PolicyTypes"]
    assert enabled["Id"] == root
    expect_error(c.enable_policy_type, "PolicyTypeAlreadyEnabledException", RootId=root,
                 PolicyType="TAG_POLICY")
    expect_error(c.enable_policy_type, "RootNotFoundException", RootId="r-zzzz",
                 PolicyType="BACKUP_POLICY")
    c.attach_policy(PolicyId=tag, TargetId=ou)
    assert policy_ids(c, ou, "TAG_POLICY") == [tag]

    disabled = c.disable_policy_type(RootId=root, PolicyType="TAG_POLICY")["Root"]
    assert "TAG_POLICY" not in {t["Type"] for t in disabled["PolicyTypes"]}
    assert policy_ids(c, ou, "TAG_POLICY") == []
    expect_error(c.disable_policy_type, "PolicyTypeNotEnabledException", RootId=root,
                 PolicyType="TAG_POLICY")

    # RCPs: RCPFullAWSAccess everywhere, and it cannot be detached.
    c.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
    assert policy_ids(c, root, "RESOURCE_CONTROL_POLICY") == [RCP_FULL]
    assert policy_ids(c, ou, "RESOURCE_CONTROL_POLICY") == [RCP_FULL]
    expect_error(c.detach_policy, "InvalidInputException", "NON_DETACHABLE_POLICY",
                 PolicyId=RCP_FULL, TargetId=ou)
    # A new OU gets the defaults of every enabled authorization type.
    ou2 = c.create_organizational_unit(ParentId=ou, Name="B")["OrganizationalUnit"]["Id"]
    assert policy_ids(c, ou2) == [FULL]
    assert policy_ids(c, ou2, "RESOURCE_CONTROL_POLICY") == [RCP_FULL]

    # Disabling SCPs detaches every SCP; enabling again restores FullAWSAccess only.
    own = c.create_policy(Name="Own", Description="", Type=SCP,
                          Content=scp())["Policy"]["PolicySummary"]["Id"]
    c.attach_policy(PolicyId=own, TargetId=ou)
    c.disable_policy_type(RootId=root, PolicyType=SCP)
    assert policy_ids(c, ou) == [] and policy_ids(c, root) == []
    expect_error(c.attach_policy, "PolicyTypeNotEnabledException", PolicyId=own, TargetId=ou)
    c.enable_policy_type(RootId=root, PolicyType=SCP)
    assert policy_ids(c, ou) == [FULL] and policy_ids(c, ou2) == [FULL]


def test_consolidated_billing_has_no_policy_types(server):
    mgmt, org, root = new_org(server, "CONSOLIDATED_BILLING")
    expect_error(mgmt.orgs.enable_policy_type, "PolicyTypeNotAvailableForOrganizationException",
                 RootId=root, PolicyType=SCP)
    expect_error(mgmt.orgs.create_policy, "PolicyTypeNotAvailableForOrganizationException",
                 Name="x", Description="", Type=SCP, Content=scp())


def test_every_management_policy_type_validates_its_content(server):
    mgmt, org, root = new_org(server)
    c = mgmt.orgs
    contents = {
        "TAG_POLICY": {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}},
        "BACKUP_POLICY": {"plans": {"daily": {"regions": {"@@assign": ["us-east-1"]}}}},
        "AISERVICES_OPT_OUT_POLICY": {"services": {"default": {
            "opt_out_policy": {"@@assign": "optOut"}}}},
        "CHATBOT_POLICY": {"chatbot": {"platforms": {"slack": {
            "client": {"@@assign": "disabled"}}}}},
        "DECLARATIVE_POLICY_EC2": {"ec2_attributes": {"image_block_public_access": {
            "state": {"@@assign": "block_new_sharing"}}}},
        "SECURITYHUB_POLICY": {"securityhub": {"enable_in_regions": {"@@assign": ["ALL"]}}},
        "INSPECTOR_POLICY": {"inspector": {"enablement": {"@@assign": "on"}}},
        "BEDROCK_POLICY": {"bedrock": {"guardrail": {"@@assign": "g-1"}}},
        "S3_POLICY": {"s3_attributes": {"block_public_access": {"@@assign": "all"}}},
        "UPGRADE_ROLLOUT_POLICY": {"upgrade_rollout": {"wave": {"@@assign": "1"}}},
        "NETWORK_SECURITY_DIRECTOR_POLICY": {"nsd": {"mode": {"@@assign": "on"}}},
    }
    for policy_type, content in contents.items():
        p = c.create_policy(Name=policy_type, Description="", Type=policy_type,
                            Content=json.dumps(content))["Policy"]["PolicySummary"]
        assert p["Type"] == policy_type
        assert p["Arn"].endswith("/%s/%s" % (policy_type.lower(), p["Id"]))
    expect_error(c.create_policy, "MalformedPolicyDocumentException", Name="bad",
                 Description="", Type="TAG_POLICY",
                 Content=json.dumps({"tags": {"a": {"@@asign": "A"}}}))
    opt_out = json.dumps(contents["AISERVICES_OPT_OUT_POLICY"])
    expect_error(c.create_policy, "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED",
                 Name="big", Description="", Type="AISERVICES_OPT_OUT_POLICY",
                 Content=opt_out[:1] + " " * (2501 - len(opt_out)) + opt_out[1:])
    # 2,501 characters are within a tag policy's 10,000.
    tag = json.dumps(contents["TAG_POLICY"])
    c.create_policy(Name="big-tag", Description="", Type="TAG_POLICY",
                    Content=tag[:1] + " " * (2501 - len(tag)) + tag[1:])


def test_effective_tag_policy_merges_root_ou_and_account(server):
    mgmt, org, root = new_org(server)
    member = signup(server, "member")
    invite_and_join(mgmt, member)
    c = mgmt.orgs
    ou = c.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
    c.move_account(AccountId=member.id, SourceParentId=root, DestinationParentId=ou)
    c.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    expect_error(c.describe_effective_policy, "EffectivePolicyNotFoundException",
                 PolicyType="TAG_POLICY", TargetId=member.id)

    def attach(name, content, target):
        pid = c.create_policy(Name=name, Description="", Type="TAG_POLICY",
                              Content=json.dumps(content))["Policy"]["PolicySummary"]["Id"]
        c.attach_policy(PolicyId=pid, TargetId=target)

    attach("root", {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"},
                                            "tag_value": {"@@assign": ["100", "200"]}}}}, root)
    attach("ou", {"tags": {"costcenter": {"tag_value": {"@@append": ["300"]}}}}, ou)
    attach("acct", {"tags": {"costcenter": {"tag_value": {"@@remove": ["100"]}}}}, member.id)

    effective = c.describe_effective_policy(PolicyType="TAG_POLICY",
                                            TargetId=member.id)["EffectivePolicy"]
    assert effective["TargetId"] == member.id and effective["PolicyType"] == "TAG_POLICY"
    assert json.loads(effective["PolicyContent"]) == {
        "tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["200", "300"]}}}
    # The member may ask for its own; the management account's own path has only the root's.
    own = member.orgs.describe_effective_policy(PolicyType="TAG_POLICY")["EffectivePolicy"]
    assert own["PolicyContent"] == effective["PolicyContent"]
    mine = json.loads(c.describe_effective_policy(
        PolicyType="TAG_POLICY")["EffectivePolicy"]["PolicyContent"])
    assert mine["tags"]["costcenter"]["tag_value"] == ["100", "200"]
    expect_error(c.describe_effective_policy, "InvalidInputException", "TARGET_NOT_SUPPORTED",
                 PolicyType="TAG_POLICY", TargetId=ou)
    expect_error(member.orgs.describe_effective_policy, "AccessDeniedException",
                 PolicyType="TAG_POLICY", TargetId=mgmt.id)

    # Operations newer than Debian's botocore, answered empty and correctly shaped.
    status, body = mgmt.raw("ListAccountsWithInvalidEffectivePolicy",
                            {"PolicyType": "TAG_POLICY"})
    assert status == 200 and body == {"Accounts": [], "PolicyType": "TAG_POLICY"}
    status, body = mgmt.raw("ListEffectivePolicyValidationErrors",
                            {"PolicyType": "TAG_POLICY", "AccountId": member.id})
    assert status == 200, body
    assert body["EffectivePolicyValidationErrors"] == []
    assert body["Path"] == "%s/%s/%s/%s/" % (org["Id"], root, ou, member.id)
    assert body["AccountId"] == member.id


def test_members_and_outsiders_are_refused(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    member = signup(server, "member")
    invite_and_join(mgmt, member)
    expect_error(member.orgs.create_policy, "AccessDeniedException", Name="x", Description="",
                 Type=SCP, Content=scp())
    expect_error(member.orgs.list_policies, "AccessDeniedException", Filter=SCP)
    expect_error(member.orgs.attach_policy, "AccessDeniedException", PolicyId=FULL,
                 TargetId=member.id)
    outsider = signup(server, "outsider")
    expect_error(outsider.orgs.list_policies, "AWSOrganizationsNotInUseException", Filter=SCP)
    # An invited account gets FullAWSAccess when it joins.
    assert policy_ids(mgmt.orgs, member.id) == [FULL]


def test_list_policies_pagination(server):
    mgmt, org, root = new_org(server)
    c = mgmt.orgs
    made = {c.create_policy(Name="n%02d" % i, Description="", Type="BACKUP_POLICY",
                            Content=json.dumps({"plans": {"p%d" % i: {"x": {"@@assign": "y"}}}}))
            ["Policy"]["PolicySummary"]["Id"] for i in range(5)}
    seen, token, pages = [], None, 0
    while True:
        args = {"Filter": "BACKUP_POLICY", "MaxResults": 2}
        if token:
            args["NextToken"] = token
        page = c.list_policies(**args)
        pages += 1
        assert len(page["Policies"]) <= 2
        seen.extend(p["Id"] for p in page["Policies"])
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 3 and set(seen) == made and len(seen) == 5
    expect_error(c.list_policies, "InvalidInputException", "INVALID_NEXT_TOKEN",
                 Filter="TAG_POLICY", NextToken="bogus")


def test_scp_attached_to_an_ou_constrains_its_member_accounts(server):
    mgmt, org, root = new_org(server)
    ensure_scp_enabled(mgmt, root)
    member = signup(server, "member")
    invite_and_join(mgmt, member)
    c = mgmt.orgs
    ou = c.create_organizational_unit(ParentId=root, Name="Locked")["OrganizationalUnit"]["Id"]
    c.move_account(AccountId=member.id, SourceParentId=root, DestinationParentId=ou)
    member_iam, mgmt_iam = member.client("iam"), mgmt.client("iam")
    member_iam.create_user(UserName="before")

    deny = c.create_policy(Name="NoCreateUser", Description="", Type=SCP,
                           Content=scp("iam:CreateUser"))["Policy"]["PolicySummary"]["Id"]
    c.attach_policy(PolicyId=deny, TargetId=ou)
    # The member's root is bound by the OU's SCP at once; the management account is exempt.
    expect_error(member_iam.create_user, "AccessDenied", UserName="blocked")
    member_iam.list_users()
    mgmt_iam.create_user(UserName="mgmt-user")
    c.attach_policy(PolicyId=deny, TargetId=root)
    mgmt_iam.create_user(UserName="mgmt-user-2")

    # Without FullAWSAccess on the OU nothing allows anything there any more.
    c.detach_policy(PolicyId=FULL, TargetId=ou)
    expect_error(member_iam.list_users, "AccessDenied")
    c.attach_policy(PolicyId=FULL, TargetId=ou)
    member_iam.list_users()
    c.detach_policy(PolicyId=deny, TargetId=ou)
    c.detach_policy(PolicyId=deny, TargetId=root)
    member_iam.create_user(UserName="after")
