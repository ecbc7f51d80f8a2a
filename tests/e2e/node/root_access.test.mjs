// Centralized root access through the AWS SDK for JavaScript v3 (Debian's botocore predates
// it): IAM's organization features (ListOrganizationsFeatures, Enable/Disable...) and their
// preconditions, STS AssumeRoot into member accounts, and what each root-task policy lets the
// root session do there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  OrganizationsClient, CreateOrganizationCommand, InviteAccountToOrganizationCommand,
  AcceptHandshakeCommand, CreateAccountCommand, DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand, RegisterDelegatedAdministratorCommand,
} from "@aws-sdk/client-organizations";
import {
  IAMClient, ListOrganizationsFeaturesCommand, EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand, DisableOrganizationsRootSessionsCommand,
  CreateUserCommand, PutUserPolicyCommand, CreateAccessKeyCommand, ListAccessKeysCommand,
  DeleteAccessKeyCommand, CreateLoginProfileCommand, GetLoginProfileCommand,
  DeleteLoginProfileCommand, CreateVirtualMFADeviceCommand,
  ListMFADevicesCommand, DeactivateMFADeviceCommand,
} from "@aws-sdk/client-iam";
import {
  STSClient, AssumeRootCommand, AssumeRoleCommand, GetCallerIdentityCommand,
} from "@aws-sdk/client-sts";
import { errorOf, startServer } from "./orgtwin_server.mjs";

const TASK = "arn:aws:iam::aws:policy/root-task/";
let server;
// The organization: its management account (root and two IAM users), a member that joined by
// invitation (its root keys are known, so it can hold credentials to delete), a member created
// by CreateAccount, and a standalone account.
let mgmt, orgId, invited, created, standalone, admin, auditor;

function clientsFor(credentials) {
  const config = { endpoint: server.endpoint, region: "us-east-1", maxAttempts: 1, credentials };
  return {
    org: new OrganizationsClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
  };
}

async function signup(name) {
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: `root-${name}-${process.pid}@example.com`, AccountName: name }),
  });
  assert.equal(response.status, 200);
  const account = await response.json();
  return {
    id: account.AccountId,
    ...clientsFor({ accessKeyId: account.AccessKeyId, secretAccessKey: account.SecretAccessKey }),
  };
}

// An IAM user of the management account with `statements` inline, and clients with its key.
async function userWith(name, statements) {
  await mgmt.iam.send(new CreateUserCommand({ UserName: name }));
  await mgmt.iam.send(new PutUserPolicyCommand({
    UserName: name, PolicyName: "root-access",
    PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
  }));
  const { AccessKey } = await mgmt.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return clientsFor({ accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
}

async function assumeRoot(caller, target, task, extra = {}) {
  const out = await caller.sts.send(new AssumeRootCommand({
    TargetPrincipal: target, TaskPolicyArn: { arn: TASK + task }, ...extra,
  }));
  const { AccessKeyId, SecretAccessKey, SessionToken } = out.Credentials;
  return { out, ...clientsFor({ accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey,
                                sessionToken: SessionToken }) };
}

before(async () => {
  server = await startServer();
  mgmt = await signup("management");
  orgId = (await mgmt.org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })))
    .Organization.Id;
  invited = await signup("invited");
  const { Handshake } = await mgmt.org.send(new InviteAccountToOrganizationCommand({
    Target: { Type: "ACCOUNT", Id: invited.id },
  }));
  await invited.org.send(new AcceptHandshakeCommand({ HandshakeId: Handshake.Id }));
  const request = (await mgmt.org.send(new CreateAccountCommand({
    Email: `root-created-${process.pid}@example.com`, AccountName: "created",
  }))).CreateAccountStatus;
  const status = (await mgmt.org.send(new DescribeCreateAccountStatusCommand({
    CreateAccountRequestId: request.Id,
  }))).CreateAccountStatus;
  assert.equal(status.State, "SUCCEEDED");
  created = { id: status.AccountId };
  standalone = await signup("standalone");
  admin = await userWith("root-admin", [
    { Effect: "Allow", Action: ["sts:AssumeRoot", "sts:AssumeRole"], Resource: "*" },
  ]);
  // May only open audit sessions (sts:TaskPolicyArn), and only in member accounts' roots.
  auditor = await userWith("root-auditor", [{
    Effect: "Allow", Action: "sts:AssumeRoot", Resource: "arn:aws:iam::*:root",
    Condition: { StringEquals: { "sts:TaskPolicyArn": `${TASK}IAMAuditRootUserCredentials` } },
  }]);
});
after(async () => { await server.stop(); });

test("the features need an organization, trusted access for IAM and the management account",
     async () => {
  const alone = await errorOf(standalone.iam.send(new ListOrganizationsFeaturesCommand({})));
  assert.equal(alone.name, "OrganizationNotFoundException");
  assert.equal(alone.$metadata.httpStatusCode, 400);
  const untrusted = await errorOf(mgmt.iam.send(new ListOrganizationsFeaturesCommand({})));
  assert.equal(untrusted.name, "ServiceAccessNotEnabledException");
  const enableEarly = await errorOf(mgmt.iam.send(new EnableOrganizationsRootSessionsCommand({})));
  assert.equal(enableEarly.name, "ServiceAccessNotEnabledException");
  const fromMember = await errorOf(invited.iam.send(new ListOrganizationsFeaturesCommand({})));
  assert.equal(fromMember.name, "AccountNotManagementOrDelegatedAdministratorException");
  // No root sessions yet.
  const early = await errorOf(assumeRoot(admin, invited.id, "IAMAuditRootUserCredentials"));
  assert.equal(early.name, "AccessDenied");

  await mgmt.org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "iam.amazonaws.com" }));
  const none = await mgmt.iam.send(new ListOrganizationsFeaturesCommand({}));
  assert.equal(none.OrganizationId, orgId);
  assert.deepEqual(none.EnabledFeatures, []);
  const stillOff = await errorOf(assumeRoot(admin, invited.id, "IAMAuditRootUserCredentials"));
  assert.equal(stillOff.name, "AccessDenied");

  const credentials =
    await mgmt.iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
  assert.equal(credentials.OrganizationId, orgId);
  assert.deepEqual(credentials.EnabledFeatures, ["RootCredentialsManagement"]);
  const sessions = await mgmt.iam.send(new EnableOrganizationsRootSessionsCommand({}));
  assert.deepEqual(sessions.EnabledFeatures, ["RootCredentialsManagement", "RootSessions"]);
  // Enabling twice changes nothing.
  const again = await mgmt.iam.send(new EnableOrganizationsRootSessionsCommand({}));
  assert.deepEqual(again.EnabledFeatures, ["RootCredentialsManagement", "RootSessions"]);
  const listed = await mgmt.iam.send(new ListOrganizationsFeaturesCommand({}));
  assert.deepEqual(listed.EnabledFeatures, ["RootCredentialsManagement", "RootSessions"]);
  const memberEnables =
    await errorOf(invited.iam.send(new EnableOrganizationsRootSessionsCommand({})));
  assert.equal(memberEnables.name, "AccountNotManagementOrDelegatedAdministratorException");
});

test("IAM's delegated administrator lists the features but cannot enable them", async () => {
  await mgmt.org.send(new RegisterDelegatedAdministratorCommand({
    AccountId: invited.id, ServicePrincipal: "iam.amazonaws.com",
  }));
  const listed = await invited.iam.send(new ListOrganizationsFeaturesCommand({}));
  assert.equal(listed.OrganizationId, orgId);
  assert.deepEqual(listed.EnabledFeatures, ["RootCredentialsManagement", "RootSessions"]);
  const enable = await errorOf(
    invited.iam.send(new EnableOrganizationsRootCredentialsManagementCommand({})));
  assert.equal(enable.name, "CallerIsNotManagementAccountException");
  // An IAM user of the delegated administrator opens root sessions in other members.
  await invited.iam.send(new CreateUserCommand({ UserName: "delegate" }));
  await invited.iam.send(new PutUserPolicyCommand({
    UserName: "delegate", PolicyName: "assume-root",
    PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [
      { Effect: "Allow", Action: "sts:AssumeRoot", Resource: "*" }] }),
  }));
  const { AccessKey } =
    await invited.iam.send(new CreateAccessKeyCommand({ UserName: "delegate" }));
  const delegate = clientsFor({ accessKeyId: AccessKey.AccessKeyId,
                                secretAccessKey: AccessKey.SecretAccessKey });
  // The S3 unlock task: no IAM action is left to the session.
  const { ...s3 } = await assumeRoot(delegate, created.id, "S3UnlockBucketPolicy");
  const who = await s3.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${created.id}:root`);
  const keys = await errorOf(s3.iam.send(new ListAccessKeysCommand({})));
  assert.equal(keys.name, "AccessDenied");
  assert.match(keys.message, /iam:ListAccessKeys .* with an explicit deny in a session policy$/);
});

test("an IAMDeleteRootUserCredentials session deletes the member root's credentials only",
     async () => {
  // The member's root user gets a password and a second access key. (Root MFA devices are
  // enabled in the console only: EnableMFADevice requires UserName.)
  await invited.iam.send(new CreateLoginProfileCommand({ Password: "Root-Passw0rd-2026!" }));
  const { AccessKey } = await invited.iam.send(new CreateAccessKeyCommand({}));
  const device = (await invited.iam.send(new CreateVirtualMFADeviceCommand({
    VirtualMFADeviceName: "root-mfa",
  }))).VirtualMFADevice;

  const { out, ...root } = await assumeRoot(admin, invited.id, "IAMDeleteRootUserCredentials");
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  const lifetime = out.Credentials.Expiration.getTime() - Date.now();
  assert.ok(lifetime > 880 * 1000 && lifetime <= 900 * 1000, `lifetime ${lifetime} ms`);
  const who = await root.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${invited.id}:root`);
  assert.equal(who.Account, invited.id);

  const keys = (await root.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata;
  assert.ok(keys.some((k) => k.AccessKeyId === AccessKey.AccessKeyId));
  await root.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey.AccessKeyId }));
  const left = (await root.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata;
  assert.ok(!left.some((k) => k.AccessKeyId === AccessKey.AccessKeyId));

  const profile = (await root.iam.send(new GetLoginProfileCommand({}))).LoginProfile;
  assert.equal(profile.UserName, invited.id);
  await root.iam.send(new DeleteLoginProfileCommand({}));
  const gone = await errorOf(root.iam.send(new GetLoginProfileCommand({})));
  assert.equal(gone.name, "NoSuchEntityException");

  // The device was never enabled for root: nothing to list, nothing to deactivate (the task
  // policy allows the call; the device is not root's).
  assert.deepEqual((await root.iam.send(new ListMFADevicesCommand({}))).MFADevices, []);
  const notRoots = await errorOf(root.iam.send(new DeactivateMFADeviceCommand({
    SerialNumber: device.SerialNumber,
  })));
  assert.equal(notRoots.name, "NoSuchEntityException");

  // Anything else is an explicit deny of the task policy, root or not.
  const createUser = await errorOf(root.iam.send(new CreateUserCommand({ UserName: "intruder" })));
  assert.equal(createUser.name, "AccessDenied");
  assert.equal(createUser.$metadata.httpStatusCode, 403);
  assert.equal(createUser.message,
               `User: arn:aws:iam::${invited.id}:root is not authorized to perform: ` +
               `iam:CreateUser on resource: arn:aws:iam::${invited.id}:user/intruder ` +
               "with an explicit deny in a session policy");
  const recreate = await errorOf(root.iam.send(new CreateLoginProfileCommand({})));
  assert.equal(recreate.name, "AccessDenied");
  // The member root's own long-term key still works outside the session.
  await invited.iam.send(new CreateUserCommand({ UserName: "member-admin" }));
});

test("an IAMCreateRootUserPassword session creates a root login profile without a password",
     async () => {
  const { ...root } = await assumeRoot(admin, invited.id, "IAMCreateRootUserPassword",
                                       { DurationSeconds: 300 });
  const withPassword = await errorOf(root.iam.send(new CreateLoginProfileCommand({
    Password: "Another-Passw0rd!",
  })));
  assert.equal(withPassword.name, "InvalidInputException");
  const { LoginProfile } = await root.iam.send(new CreateLoginProfileCommand({}));
  assert.equal(LoginProfile.UserName, invited.id);
  assert.ok(LoginProfile.CreateDate instanceof Date);
  const got = (await root.iam.send(new GetLoginProfileCommand({}))).LoginProfile;
  assert.equal(got.UserName, invited.id);
  const twice = await errorOf(root.iam.send(new CreateLoginProfileCommand({})));
  assert.equal(twice.name, "EntityAlreadyExistsException");
  const remove = await errorOf(root.iam.send(new DeleteLoginProfileCommand({})));
  assert.equal(remove.name, "AccessDenied");
});

test("an IAMAuditRootUserCredentials session reads a created account's root credentials",
     async () => {
  const { out, ...root } = await assumeRoot(auditor, `arn:aws:iam::${created.id}:root`,
                                            "IAMAuditRootUserCredentials");
  assert.equal(out.SourceIdentity, undefined);
  const noProfile = await errorOf(root.iam.send(new GetLoginProfileCommand({})));
  assert.equal(noProfile.name, "NoSuchEntityException");
  assert.equal(noProfile.message, `Login Profile for User ${created.id} cannot be found.`);
  assert.ok(Array.isArray((await root.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata));
  assert.deepEqual((await root.iam.send(new ListMFADevicesCommand({}))).MFADevices, []);
  const del = await errorOf(root.iam.send(new DeleteLoginProfileCommand({})));
  assert.equal(del.name, "AccessDenied");
  // The auditor's policy allows the audit task only (sts:TaskPolicyArn).
  const other = await errorOf(assumeRoot(auditor, created.id, "IAMDeleteRootUserCredentials"));
  assert.equal(other.name, "AccessDenied");
  assert.equal(other.message,
               `User: arn:aws:iam::${mgmt.id}:user/root-auditor is not authorized to perform: ` +
               `sts:AssumeRoot on resource: arn:aws:iam::${created.id}:root because no ` +
               "identity-based policy allows the sts:AssumeRoot action");
});

test("AssumeRoot refuses bad durations, other policies, non-members and other callers",
     async () => {
  const long = await errorOf(assumeRoot(admin, invited.id, "IAMAuditRootUserCredentials",
                                        { DurationSeconds: 901 }));
  assert.equal(long.name, "ValidationError");
  assert.match(long.message, /durationSeconds/);
  const notTask = await errorOf(admin.sts.send(new AssumeRootCommand({
    TargetPrincipal: invited.id,
    TaskPolicyArn: { arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
  })));
  assert.equal(notTask.name, "InvalidParameterValue");
  for (const target of [standalone.id, mgmt.id]) {
    const outside = await errorOf(assumeRoot(admin, target, "IAMAuditRootUserCredentials"));
    assert.equal(outside.name, "AccessDenied");
    assert.match(outside.message, new RegExp(`sts:AssumeRoot on resource: arn:aws:iam::${target}:root`));
  }
  // Root users never call it, the management account's included.
  const asRoot = await errorOf(assumeRoot(mgmt, invited.id, "IAMAuditRootUserCredentials"));
  assert.equal(asRoot.name, "AccessDenied");
  // A role session in a member account is not the management account.
  const role = await admin.sts.send(new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${created.id}:role/OrganizationAccountAccessRole`,
    RoleSessionName: "member-admin",
  }));
  const inMember = clientsFor({
    accessKeyId: role.Credentials.AccessKeyId, secretAccessKey: role.Credentials.SecretAccessKey,
    sessionToken: role.Credentials.SessionToken,
  });
  const fromMember = await errorOf(inMember.sts.send(new AssumeRootCommand({
    TargetPrincipal: invited.id, TaskPolicyArn: { arn: `${TASK}IAMAuditRootUserCredentials` },
  })));
  assert.equal(fromMember.name, "AccessDenied");
  // Turning root sessions off stops new ones.
  const off = await mgmt.iam.send(new DisableOrganizationsRootSessionsCommand({}));
  assert.deepEqual(off.EnabledFeatures, ["RootCredentialsManagement"]);
  const disabled = await errorOf(assumeRoot(admin, invited.id, "IAMAuditRootUserCredentials"));
  assert.equal(disabled.name, "AccessDenied");
});
