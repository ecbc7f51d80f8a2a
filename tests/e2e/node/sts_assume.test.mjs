// AssumeRole through the AWS SDK for JavaScript v3, then GetCallerIdentity with the returned
// temporary credentials (ASIA key + session token).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { IAMClient, CreateRoleCommand } from "@aws-sdk/client-iam";
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
  const role = await new IAMClient(config()).send(new CreateRoleCommand({
    RoleName: "JsRole", AssumeRolePolicyDocument: trust }));
  const out = await new STSClient(config()).send(new AssumeRoleCommand({
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
