// orgtwin against the AWS SDK for JavaScript v3 (@aws-sdk/client-sts, client-iam,
// client-organizations from npm).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { IAMClient, GetRoleCommand } from "@aws-sdk/client-iam";
import { OrganizationsClient, DescribeAccountCommand } from "@aws-sdk/client-organizations";
import { errorOf, startServer } from "./orgtwin_server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

function config(overrides = {}) {
  return {
    endpoint: server.endpoint,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...overrides,
  };
}

test("GetCallerIdentity returns the default account's root", async () => {
  const out = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, "123456789012");
  assert.equal(out.Arn, "arn:aws:iam::123456789012:root");
  assert.equal(out.UserId, "123456789012");
  assert.equal(out.$metadata.httpStatusCode, 200);
});

test("wrong secret is SignatureDoesNotMatch", async () => {
  const err = await errorOf(new STSClient(config({
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: "z".repeat(40) },
  })).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, "SignatureDoesNotMatch");
  assert.equal(err.$metadata.httpStatusCode, 403);
});

test("unknown key is InvalidClientTokenId", async () => {
  const err = await errorOf(new STSClient(config({
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "z".repeat(40) },
  })).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, "InvalidClientTokenId");
  assert.equal(err.message, "The security token included in the request is invalid.");
});

test("stale date is SignatureDoesNotMatch: Signature expired", async () => {
  // systemClockOffset shifts the SDK's signing clock by -20 minutes.
  const err = await errorOf(new STSClient(config({ systemClockOffset: -20 * 60 * 1000 }))
    .send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, "SignatureDoesNotMatch");
  assert.match(err.message, /^Signature expired: /);
  assert.equal(err.$metadata.httpStatusCode, 403);
});

test("missing required parameter is a ValidationError", async () => {
  const err = await errorOf(new STSClient(config()).send(
    new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/r" })));
  assert.equal(err.name, "ValidationError");
  assert.match(err.message, /roleSessionName/);
});

test("pattern violation on IAM is a ValidationError", async () => {
  const err = await errorOf(new IAMClient(config()).send(new GetRoleCommand({ RoleName: "bad name!" })));
  assert.equal(err.name, "ValidationError");
  assert.match(err.message, /regular expression pattern/);
});

test("Organizations validation is InvalidInputException", async () => {
  const err = await errorOf(new OrganizationsClient(config()).send(
    new DescribeAccountCommand({ AccountId: "12" })));
  assert.equal(err.name, "InvalidInputException");
  assert.equal(err.$metadata.httpStatusCode, 400);
});
