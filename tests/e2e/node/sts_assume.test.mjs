// AssumeRole through the AWS SDK for JavaScript v3, then GetCallerIdentity with the returned
// temporary credentials (ASIA key + session token). The caller is an IAM user of the account:
// AWS refuses AssumeRole to the root user.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  IAMClient, CreateRoleCommand, CreateUserCommand, AttachUserPolicyCommand, CreateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { startServer } from "./orgtwin_server.mjs";

let server;
before(async () => { server = await startServer(); });
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

test("AssumeRole then GetCallerIdentity with the session's credentials", async () => {
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" },
                  Action: "sts:AssumeRole" }],
  });
  const iam = new IAMClient(config());
  const role = await iam.send(new CreateRoleCommand({
    RoleName: "JsRole", AssumeRolePolicyDocument: trust }));
  // As root: refused outright, whatever the trust policy says.
  await assert.rejects(new STSClient(config()).send(new AssumeRoleCommand({
    RoleArn: role.Role.Arn, RoleSessionName: "js-root" })),
  (err) => err.name === "AccessDenied" && err.$metadata.httpStatusCode === 403 &&
    err.message === "Roles may not be assumed by root accounts.");
  await iam.send(new CreateUserCommand({ UserName: "js-deployer" }));
  await iam.send(new AttachUserPolicyCommand({
    UserName: "js-deployer", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "js-deployer" }))).AccessKey;
  const out = await new STSClient(config({
    accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey,
  })).send(new AssumeRoleCommand({
    RoleArn: role.Role.Arn, RoleSessionName: "js-session", DurationSeconds: 900 }));
  assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(out.Credentials.Expiration instanceof Date);
  assert.equal(out.AssumedRoleUser.AssumedRoleId, `${role.Role.RoleId}:js-session`);

  const who = await new STSClient(config({
    accessKeyId: out.Credentials.AccessKeyId,
    secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  })).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, "arn:aws:sts::123456789012:assumed-role/JsRole/js-session");
  assert.equal(who.UserId, `${role.Role.RoleId}:js-session`);
  assert.equal(who.Account, "123456789012");
});
