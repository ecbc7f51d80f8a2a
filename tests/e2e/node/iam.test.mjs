// IAM through @aws-sdk/client-iam and STS through @aws-sdk/client-sts: a user's lifecycle with
// its DeleteConflict refusals, managed policies and versions, the SDK's paginateListRoles over
// Marker/IsTruncated, AssumeRole and the returned credentials in use, and a user without any
// policy refused with AWS's AccessDenied wording.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient, CreateUserCommand, GetUserCommand, TagUserCommand, ListUserTagsCommand,
  CreateAccessKeyCommand, ListAccessKeysCommand, DeleteAccessKeyCommand, CreateGroupCommand,
  AddUserToGroupCommand, GetGroupCommand, RemoveUserFromGroupCommand, DeleteGroupCommand,
  AttachUserPolicyCommand, ListAttachedUserPoliciesCommand, DetachUserPolicyCommand,
  PutUserPolicyCommand, GetUserPolicyCommand, DeleteUserPolicyCommand, DeleteUserCommand,
  CreateRoleCommand, GetRoleCommand, AttachRolePolicyCommand, CreatePolicyCommand,
  CreatePolicyVersionCommand, ListPolicyVersionsCommand, GetPolicyVersionCommand,
  DeletePolicyVersionCommand, ListRolesCommand, paginateListRoles, CreateVirtualMFADeviceCommand,
} from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { errorOf, startServer } from "./orgtwin_server.mjs";

const ACCOUNT = "123456789012";
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const S3_READ = { Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
const S3_ALL = { Version: "2012-10-17",
                 Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "sts:AssumeRole" }],
});

let server;
let iam;
let sts;
before(async () => {
  server = await startServer();
  iam = new IAMClient(config());
  sts = new STSClient(config());
});
after(async () => { await server.stop(); });

function config(credentials) {
  return {
    endpoint: server.endpoint,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: credentials ?? { accessKeyId: server.accessKeyId,
                                  secretAccessKey: server.secretAccessKey },
  };
}

async function expectError(promise, name, status) {
  const err = await errorOf(promise);
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

test("a user's lifecycle, refused deletion while anything hangs off it", async () => {
  const user = (await iam.send(new CreateUserCommand({
    UserName: "js-alice", Path: "/js/", Tags: [{ Key: "team", Value: "blue" }],
  }))).User;
  assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/js/js-alice`);
  assert.match(user.UserId, /^AIDA[A-Z0-9]{17}$/);
  assert.ok(user.CreateDate instanceof Date);
  assert.ok(Math.abs(Date.now() - user.CreateDate.getTime()) < 5 * 60 * 1000);
  await expectError(iam.send(new CreateUserCommand({ UserName: "js-alice" })),
                    "EntityAlreadyExistsException", 409);

  await iam.send(new TagUserCommand({ UserName: "js-alice",
                                      Tags: [{ Key: "cost", Value: "42" }] }));
  const tags = (await iam.send(new ListUserTagsCommand({ UserName: "js-alice" }))).Tags;
  assert.deepEqual(Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
                   { team: "blue", cost: "42" });

  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "js-alice" }))).AccessKey;
  assert.match(key.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
  assert.equal(key.SecretAccessKey.length, 40);
  assert.equal(key.Status, "Active");
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: "js-alice" })))
    .AccessKeyMetadata;
  assert.deepEqual(keys.map((k) => k.AccessKeyId), [key.AccessKeyId]);

  await iam.send(new CreateGroupCommand({ GroupName: "js-devs" }));
  await iam.send(new AddUserToGroupCommand({ UserName: "js-alice", GroupName: "js-devs" }));
  const group = await iam.send(new GetGroupCommand({ GroupName: "js-devs" }));
  assert.deepEqual(group.Users.map((u) => u.UserName), ["js-alice"]);
  assert.equal(group.IsTruncated, false);

  await iam.send(new AttachUserPolicyCommand({ UserName: "js-alice", PolicyArn: READ_ONLY }));
  const attached = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "js-alice" })))
    .AttachedPolicies;
  assert.deepEqual(attached, [{ PolicyName: "ReadOnlyAccess", PolicyArn: READ_ONLY }]);
  await iam.send(new PutUserPolicyCommand({
    UserName: "js-alice", PolicyName: "inline-s3", PolicyDocument: JSON.stringify(S3_READ),
  }));
  const inline = await iam.send(new GetUserPolicyCommand({
    UserName: "js-alice", PolicyName: "inline-s3",
  }));
  // The Query protocol returns the document URL-encoded; the JS SDK leaves it that way.
  assert.deepEqual(JSON.parse(decodeURIComponent(inline.PolicyDocument)), S3_READ);

  const conflicts = [
    ["must delete access keys first",
     () => iam.send(new DeleteAccessKeyCommand({ UserName: "js-alice",
                                                 AccessKeyId: key.AccessKeyId }))],
    ["must remove users from group first",
     () => iam.send(new RemoveUserFromGroupCommand({ UserName: "js-alice",
                                                     GroupName: "js-devs" }))],
    ["must detach all policies first",
     () => iam.send(new DetachUserPolicyCommand({ UserName: "js-alice",
                                                  PolicyArn: READ_ONLY }))],
    ["must delete policies first",
     () => iam.send(new DeleteUserPolicyCommand({ UserName: "js-alice",
                                                  PolicyName: "inline-s3" }))],
  ];
  for (const [message, resolve] of conflicts) {
    const err = await expectError(iam.send(new DeleteUserCommand({ UserName: "js-alice" })),
                                  "DeleteConflictException", 409);
    assert.equal(err.message, `Cannot delete entity, ${message}.`);
    await resolve();
  }
  await iam.send(new DeleteUserCommand({ UserName: "js-alice" }));
  const gone = await expectError(iam.send(new GetUserCommand({ UserName: "js-alice" })),
                                 "NoSuchEntityException", 404);
  assert.equal(gone.message, "The user with name js-alice cannot be found.");
  assert.equal(gone.Error?.Type ?? "Sender", "Sender");
  await iam.send(new DeleteGroupCommand({ GroupName: "js-devs" }));
});

test("managed policy versions", async () => {
  const policy = (await iam.send(new CreatePolicyCommand({
    PolicyName: "js-s3", PolicyDocument: JSON.stringify(S3_READ), Description: "versions",
  }))).Policy;
  assert.equal(policy.Arn, `arn:aws:iam::${ACCOUNT}:policy/js-s3`);
  assert.equal(policy.DefaultVersionId, "v1");
  assert.equal(policy.IsAttachable, true);
  assert.ok(policy.UpdateDate instanceof Date);
  const v2 = (await iam.send(new CreatePolicyVersionCommand({
    PolicyArn: policy.Arn, PolicyDocument: JSON.stringify(S3_ALL), SetAsDefault: true,
  }))).PolicyVersion;
  assert.equal(v2.VersionId, "v2");
  assert.equal(v2.IsDefaultVersion, true);
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.Arn })))
    .Versions;
  assert.deepEqual(Object.fromEntries(versions.map((v) => [v.VersionId, v.IsDefaultVersion])),
                   { v1: false, v2: true });
  const v1 = (await iam.send(new GetPolicyVersionCommand({
    PolicyArn: policy.Arn, VersionId: "v1",
  }))).PolicyVersion;
  assert.deepEqual(JSON.parse(decodeURIComponent(v1.Document)), S3_READ);
  const err = await expectError(iam.send(new DeletePolicyVersionCommand({
    PolicyArn: policy.Arn, VersionId: "v2",
  })), "DeleteConflictException", 409);
  assert.equal(err.message, "Cannot delete the default version of a policy.");
  await expectError(iam.send(new CreatePolicyCommand({
    PolicyName: "js-bad", PolicyDocument: "{not json",
  })), "MalformedPolicyDocumentException", 400);
});

test("paginateListRoles follows Marker until IsTruncated is false", async () => {
  const names = ["js-page-0", "js-page-1", "js-page-2", "js-page-3", "js-page-4"];
  await Promise.all(names.map((RoleName) => iam.send(new CreateRoleCommand({
    RoleName, Path: "/js-pages/", AssumeRolePolicyDocument: TRUST,
  }))));
  const pages = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 2 },
                                             { PathPrefix: "/js-pages/" })) {
    pages.push(page);
  }
  assert.deepEqual(pages.map((p) => p.Roles.length), [2, 2, 1]);
  assert.deepEqual(pages.map((p) => p.IsTruncated), [true, true, false]);
  assert.deepEqual(pages.flatMap((p) => p.Roles.map((r) => r.RoleName)), names);
  assert.equal(pages[2].Marker, undefined);
  // Trust policies come back URL-encoded in ListRoles as in GetRole.
  assert.deepEqual(JSON.parse(decodeURIComponent(pages[0].Roles[0].AssumeRolePolicyDocument)),
                   JSON.parse(TRUST));
  // A marker the server never issued is IAM's InvalidInput (modeled: InvalidInputException).
  const bogus = await expectError(iam.send(new ListRolesCommand({ Marker: "bogus-marker" })),
                                  "InvalidInputException", 400);
  assert.equal(bogus.message, "Invalid Marker.");
});

test("AssumeRole, then the session's credentials in use", async () => {
  const role = (await iam.send(new CreateRoleCommand({
    RoleName: "js-reader", AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200,
  }))).Role;
  assert.match(role.RoleId, /^AROA[A-Z0-9]{17}$/);
  // AWS-COMPAT: the root user may never assume a role, whatever the trust policy says.
  const asRoot = await expectError(sts.send(new AssumeRoleCommand({
    RoleArn: role.Arn, RoleSessionName: "js-root",
  })), "AccessDenied", 403);
  assert.equal(asRoot.message, "Roles may not be assumed by root accounts.");
  // An administrator user of the account assumes it (the trust policy names the account).
  await iam.send(new CreateUserCommand({ UserName: "js-assumer" }));
  await iam.send(new AttachUserPolicyCommand({
    UserName: "js-assumer", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
  }));
  const assumerKey = (await iam.send(new CreateAccessKeyCommand({ UserName: "js-assumer" })))
    .AccessKey;
  const assumer = new STSClient(config({ accessKeyId: assumerKey.AccessKeyId,
                                         secretAccessKey: assumerKey.SecretAccessKey }));
  const out = await assumer.send(new AssumeRoleCommand({
    RoleArn: role.Arn, RoleSessionName: "js-session", DurationSeconds: 7200,
  }));
  const lifetime = out.Credentials.Expiration.getTime() - Date.now();
  assert.ok(lifetime > 7100 * 1000 && lifetime <= 7205 * 1000, `lifetime ${lifetime}`);
  const credentials = {
    accessKeyId: out.Credentials.AccessKeyId,
    secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  };
  const sessionIam = new IAMClient(config(credentials));
  const who = await new STSClient(config(credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/js-reader/js-session`);

  // AccessDenied is not one of IAM's modeled errors: the SDK names the error after the code.
  const denied = await expectError(sessionIam.send(new GetRoleCommand({ RoleName: "js-reader" })),
                                   "AccessDenied", 403);
  // AWS-COMPAT: IAM names the role as "role <name>" in this message, not by ARN.
  assert.equal(denied.message,
               `User: arn:aws:sts::${ACCOUNT}:assumed-role/js-reader/js-session is not ` +
               "authorized to perform: iam:GetRole on resource: role js-reader because no " +
               "identity-based policy allows the iam:GetRole action");
  await iam.send(new AttachRolePolicyCommand({ RoleName: "js-reader", PolicyArn: READ_ONLY }));
  const got = (await sessionIam.send(new GetRoleCommand({ RoleName: "js-reader" }))).Role;
  assert.equal(got.RoleId, role.RoleId);
  assert.equal(got.MaxSessionDuration, 7200);
  assert.deepEqual(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument)),
                   JSON.parse(TRUST));
  await expectError(sessionIam.send(new CreateUserCommand({ UserName: "js-nope" })),
                    "AccessDenied", 403);
  // Beyond the role's MaxSessionDuration: a ValidationError naming the limit.
  const tooLong = await expectError(assumer.send(new AssumeRoleCommand({
    RoleArn: role.Arn, RoleSessionName: "js-long", DurationSeconds: 7201,
  })), "ValidationError", 400);
  assert.match(tooLong.message, /DurationSeconds exceeds the MaxSessionDuration/);
});

test("a user without any policy is denied with AWS's message", async () => {
  await iam.send(new CreateUserCommand({ UserName: "js-bare" }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "js-bare" }))).AccessKey;
  const bare = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  const who = await new STSClient(config(bare)).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/js-bare`);
  const err = await expectError(new IAMClient(config(bare)).send(new ListRolesCommand({})),
                                "AccessDenied", 403);
  assert.equal(err.message,
               `User: arn:aws:iam::${ACCOUNT}:user/js-bare is not authorized to perform: ` +
               `iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no ` +
               "identity-based policy allows the iam:ListRoles action");
  assert.equal(err.$fault, "client");
  assert.match(err.$metadata.requestId, /^[0-9a-f-]{36}$/);
});

test("CreateVirtualMFADevice returns both bootstrap blobs as bytes", async () => {
  const device = (await iam.send(new CreateVirtualMFADeviceCommand({
    VirtualMFADeviceName: "js-phone",
  }))).VirtualMFADevice;
  assert.equal(device.SerialNumber, `arn:aws:iam::${ACCOUNT}:mfa/js-phone`);
  // Blobs arrive base64-decoded: the seed's bytes are its Base32 text, the QR code is a PNG.
  assert.match(Buffer.from(device.Base32StringSeed).toString("ascii"), /^[A-Z2-7]{64}$/);
  const png = Buffer.from(device.QRCodePNG);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
  assert.equal(png.readUInt32BE(16), png.readUInt32BE(20));  // square
});
