// Organizations policies and handshakes against @aws-sdk/client-organizations: SCPs created,
// attached, listed and deleted with their errors; an SCP denying s3:* enforced on a member
// account; an invitation accepted by a second standalone account (POST /_orgtwin/signup), then
// move-account and remove-account-from-organization.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  OrganizationsClient, CreateOrganizationCommand, ListRootsCommand, EnablePolicyTypeCommand,
  DisablePolicyTypeCommand, CreatePolicyCommand, DescribePolicyCommand, UpdatePolicyCommand,
  AttachPolicyCommand, DetachPolicyCommand, DeletePolicyCommand, ListPoliciesForTargetCommand,
  ListTargetsForPolicyCommand, CreateOrganizationalUnitCommand, InviteAccountToOrganizationCommand,
  AcceptHandshakeCommand, DescribeHandshakeCommand, ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand, DeclineHandshakeCommand, CancelHandshakeCommand,
  DescribeOrganizationCommand, MoveAccountCommand, ListParentsCommand,
  RemoveAccountFromOrganizationCommand, DescribeAccountCommand, paginateListPolicies,
} from "@aws-sdk/client-organizations";
import {
  IAMClient, AttachUserPolicyCommand, CreateUserCommand, CreateAccessKeyCommand, ListUsersCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { errorOf, startServer } from "./orgtwin_server.mjs";

const DENY_S3 = JSON.stringify({
  Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }],
});
const DENY_IAM_LIST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Deny", Action: "iam:List*", Resource: "*" }],
});

let server;
let mgmt;
let rootId;
let orgId;
let counter = 0;

function config(credentials) {
  return { endpoint: server.endpoint, region: "us-east-1", maxAttempts: 1, credentials };
}

// A new standalone account through the signup extension; its root keys and clients.
async function signup(name) {
  counter += 1;
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: `node-pol-${process.pid}-${counter}@example.com`,
                           AccountName: `${name}${counter}` }),
  });
  assert.equal(response.status, 200);
  const account = await response.json();
  const credentials = { accessKeyId: account.AccessKeyId,
                        secretAccessKey: account.SecretAccessKey };
  return {
    id: account.AccountId,
    credentials,
    orgs: new OrganizationsClient(config(credentials)),
    iam: new IAMClient(config(credentials)),
    sts: new STSClient(config(credentials)),
  };
}

async function expectError(promise, name, status = 400) {
  const err = await errorOf(promise);
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

before(async () => {
  server = await startServer();
  mgmt = await signup("mgmt");
  orgId = (await mgmt.orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })))
    .Organization.Id;
  rootId = (await mgmt.orgs.send(new ListRootsCommand({}))).Roots[0].Id;
  // The API's CreateOrganization enables no policy type (AWS-FACTS 2.2): SCPs are enabled here.
  await mgmt.orgs.send(new EnablePolicyTypeCommand({
    RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY",
  }));
});
after(async () => { await server.stop(); });

test("policy types on the root", async () => {
  const enabled = (await mgmt.orgs.send(new EnablePolicyTypeCommand({
    RootId: rootId, PolicyType: "TAG_POLICY",
  }))).Root;
  assert.deepEqual(
    Object.fromEntries(enabled.PolicyTypes.map((t) => [t.Type, t.Status])),
    { SERVICE_CONTROL_POLICY: "ENABLED", TAG_POLICY: "ENABLED" });
  await expectError(mgmt.orgs.send(new EnablePolicyTypeCommand({
    RootId: rootId, PolicyType: "TAG_POLICY",
  })), "PolicyTypeAlreadyEnabledException");
  await mgmt.orgs.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: "TAG_POLICY" }));
  await expectError(mgmt.orgs.send(new DisablePolicyTypeCommand({
    RootId: rootId, PolicyType: "TAG_POLICY",
  })), "PolicyTypeNotEnabledException");
});

test("an SCP's lifecycle: create, describe, update, attach, list, detach, delete", async () => {
  const created = (await mgmt.orgs.send(new CreatePolicyCommand({
    Name: "node-deny-s3", Type: "SERVICE_CONTROL_POLICY", Description: "no s3", Content: DENY_S3,
    Tags: [{ Key: "owner", Value: "node" }],
  }))).Policy;
  const summary = created.PolicySummary;
  assert.match(summary.Id, /^p-[0-9a-zA-Z_]{8,128}$/);
  assert.equal(summary.Arn,
               `arn:aws:organizations::${mgmt.id}:policy/${orgId}/service_control_policy/` +
               summary.Id);
  assert.equal(summary.AwsManaged, false);
  assert.deepEqual(JSON.parse(created.Content), JSON.parse(DENY_S3));
  await expectError(mgmt.orgs.send(new CreatePolicyCommand({
    Name: "node-deny-s3", Type: "SERVICE_CONTROL_POLICY", Description: "again", Content: DENY_S3,
  })), "DuplicatePolicyException");
  const malformed = await expectError(mgmt.orgs.send(new CreatePolicyCommand({
    Name: "node-bad", Type: "SERVICE_CONTROL_POLICY", Description: "bad", Content: "{nope",
  })), "MalformedPolicyDocumentException");
  assert.ok(malformed.message.length > 0);

  const updated = (await mgmt.orgs.send(new UpdatePolicyCommand({
    PolicyId: summary.Id, Description: "still no s3",
  }))).Policy;
  assert.equal(updated.PolicySummary.Description, "still no s3");
  assert.deepEqual((await mgmt.orgs.send(new DescribePolicyCommand({ PolicyId: summary.Id })))
    .Policy, updated);

  const ou = (await mgmt.orgs.send(new CreateOrganizationalUnitCommand({
    ParentId: rootId, Name: "node-scp",
  }))).OrganizationalUnit;
  await mgmt.orgs.send(new AttachPolicyCommand({ PolicyId: summary.Id, TargetId: ou.Id }));
  await expectError(mgmt.orgs.send(new AttachPolicyCommand({
    PolicyId: summary.Id, TargetId: ou.Id,
  })), "DuplicatePolicyAttachmentException");
  const onOu = (await mgmt.orgs.send(new ListPoliciesForTargetCommand({
    TargetId: ou.Id, Filter: "SERVICE_CONTROL_POLICY",
  }))).Policies;
  assert.deepEqual(onOu.map((p) => p.Id).sort(), ["p-FullAWSAccess", summary.Id].sort());
  const targets = (await mgmt.orgs.send(new ListTargetsForPolicyCommand({ PolicyId: summary.Id })))
    .Targets;
  assert.deepEqual(targets.map((t) => [t.TargetId, t.Type, t.Name]),
                   [[ou.Id, "ORGANIZATIONAL_UNIT", "node-scp"]]);

  // paginateListPolicies, one policy per page: the managed FullAWSAccess and ours.
  const ids = [];
  for await (const page of paginateListPolicies({ client: mgmt.orgs, pageSize: 1 },
                                                { Filter: "SERVICE_CONTROL_POLICY" })) {
    assert.ok(page.Policies.length <= 1);
    ids.push(...page.Policies.map((p) => p.Id));
  }
  assert.deepEqual(ids.sort(), ["p-FullAWSAccess", summary.Id].sort());

  await expectError(mgmt.orgs.send(new DeletePolicyCommand({ PolicyId: summary.Id })),
                    "PolicyInUseException");
  await mgmt.orgs.send(new DetachPolicyCommand({ PolicyId: summary.Id, TargetId: ou.Id }));
  await expectError(mgmt.orgs.send(new DetachPolicyCommand({
    PolicyId: summary.Id, TargetId: ou.Id,
  })), "PolicyNotAttachedException");
  await mgmt.orgs.send(new DeletePolicyCommand({ PolicyId: summary.Id }));
  await expectError(mgmt.orgs.send(new DescribePolicyCommand({ PolicyId: summary.Id })),
                    "PolicyNotFoundException");
});

test("invite, accept, SCP enforcement, move, remove", async () => {
  const member = await signup("member");
  const hs = (await mgmt.orgs.send(new InviteAccountToOrganizationCommand({
    Target: { Type: "ACCOUNT", Id: member.id }, Notes: "from node",
  }))).Handshake;
  assert.match(hs.Id, /^h-[0-9a-z]{8,32}$/);
  assert.equal(hs.State, "OPEN");
  assert.equal(hs.Action, "INVITE");
  assert.ok(hs.RequestedTimestamp instanceof Date && hs.ExpirationTimestamp instanceof Date);
  assert.equal(hs.ExpirationTimestamp - hs.RequestedTimestamp, 15 * 86400 * 1000);
  assert.deepEqual(hs.Parties, [{ Id: orgId, Type: "ORGANIZATION" },
                                { Id: member.id, Type: "ACCOUNT" }]);
  await expectError(mgmt.orgs.send(new InviteAccountToOrganizationCommand({
    Target: { Type: "ACCOUNT", Id: member.id },
  })), "DuplicateHandshakeException");

  const mine = (await member.orgs.send(new ListHandshakesForAccountCommand({}))).Handshakes;
  assert.deepEqual(mine.map((h) => h.Id), [hs.Id]);
  assert.deepEqual((await member.orgs.send(new DescribeHandshakeCommand({ HandshakeId: hs.Id })))
    .Handshake, mine[0]);
  await expectError(mgmt.orgs.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })),
                    "AccessDeniedException");
  const accepted = (await member.orgs.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })))
    .Handshake;
  assert.equal(accepted.State, "ACCEPTED");
  await expectError(member.orgs.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })),
                    "HandshakeAlreadyInStateException");
  await expectError(member.orgs.send(new DeclineHandshakeCommand({ HandshakeId: hs.Id })),
                    "InvalidHandshakeTransitionException");
  const orgSide = (await mgmt.orgs.send(new ListHandshakesForOrganizationCommand({})))
    .Handshakes;
  assert.ok(orgSide.some((h) => h.Id === hs.Id && h.State === "ACCEPTED"));
  assert.equal((await member.orgs.send(new DescribeOrganizationCommand({}))).Organization.Id,
               orgId);
  const account = (await mgmt.orgs.send(new DescribeAccountCommand({ AccountId: member.id })))
    .Account;
  assert.equal(account.JoinedMethod, "INVITED");
  assert.ok(account.JoinedTimestamp instanceof Date);

  // An SCP on the member's OU binds its IAM admin, never the management account.
  const ou = (await mgmt.orgs.send(new CreateOrganizationalUnitCommand({
    ParentId: rootId, Name: "node-members",
  }))).OrganizationalUnit;
  await mgmt.orgs.send(new MoveAccountCommand({
    AccountId: member.id, SourceParentId: rootId, DestinationParentId: ou.Id,
  }));
  assert.deepEqual((await mgmt.orgs.send(new ListParentsCommand({ ChildId: member.id })))
    .Parents, [{ Id: ou.Id, Type: "ORGANIZATIONAL_UNIT" }]);
  await expectError(mgmt.orgs.send(new MoveAccountCommand({
    AccountId: member.id, SourceParentId: rootId, DestinationParentId: ou.Id,
  })), "DuplicateAccountException");
  await member.iam.send(new CreateUserCommand({ UserName: "admin" }));
  await member.iam.send(new AttachUserPolicyCommand({
    UserName: "admin", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
  }));
  const key = (await member.iam.send(new CreateAccessKeyCommand({ UserName: "admin" })))
    .AccessKey;
  const adminIam = new IAMClient(config({ accessKeyId: key.AccessKeyId,
                                          secretAccessKey: key.SecretAccessKey }));
  const users = (await adminIam.send(new ListUsersCommand({}))).Users;
  assert.deepEqual(users.map((u) => u.UserName), ["admin"]);
  const scp = (await mgmt.orgs.send(new CreatePolicyCommand({
    Name: "node-deny-iam-list", Type: "SERVICE_CONTROL_POLICY", Description: "deny",
    Content: DENY_IAM_LIST,
  }))).Policy.PolicySummary;
  await mgmt.orgs.send(new AttachPolicyCommand({ PolicyId: scp.Id, TargetId: ou.Id }));
  const denied = await expectError(adminIam.send(new ListUsersCommand({})), "AccessDenied", 403);
  assert.match(denied.message,
               new RegExp(`^User: arn:aws:iam::${member.id}:user/admin is not authorized to ` +
                          "perform: iam:ListUsers on resource: .* with an explicit deny in a " +
                          "service control policy"));
  // The management account is never bound by SCPs.
  await mgmt.iam.send(new ListUsersCommand({}));
  // GetCallerIdentity needs no permission: not even an SCP can deny it.
  assert.equal((await new STSClient(config({ accessKeyId: key.AccessKeyId,
                                             secretAccessKey: key.SecretAccessKey }))
    .send(new GetCallerIdentityCommand({}))).Account, member.id);

  // Removal: the member cannot remove itself through this call; the management account can.
  await expectError(member.orgs.send(new RemoveAccountFromOrganizationCommand({
    AccountId: member.id,
  })), "AccessDeniedException");
  await expectError(mgmt.orgs.send(new RemoveAccountFromOrganizationCommand({
    AccountId: mgmt.id,
  })), "MasterCannotLeaveOrganizationException");
  await mgmt.orgs.send(new RemoveAccountFromOrganizationCommand({ AccountId: member.id }));
  await expectError(member.orgs.send(new DescribeOrganizationCommand({})),
                    "AWSOrganizationsNotInUseException");
  // Outside the organization the SCP no longer applies.
  assert.equal((await adminIam.send(new ListUsersCommand({}))).Users.length, 1);
});

test("a cancelled invitation cannot be accepted", async () => {
  const member = await signup("cancelled");
  const hs = (await mgmt.orgs.send(new InviteAccountToOrganizationCommand({
    Target: { Type: "ACCOUNT", Id: member.id },
  }))).Handshake;
  const cancelled = (await mgmt.orgs.send(new CancelHandshakeCommand({ HandshakeId: hs.Id })))
    .Handshake;
  assert.equal(cancelled.State, "CANCELED");
  await expectError(member.orgs.send(new AcceptHandshakeCommand({ HandshakeId: hs.Id })),
                    "InvalidHandshakeTransitionException");
  await expectError(mgmt.orgs.send(new DescribeHandshakeCommand({ HandshakeId: "h-0000000000" })),
                    "HandshakeNotFoundException");
});
