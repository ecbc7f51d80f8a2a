// The Account Management API beyond contacts, through @aws-sdk/client-account: account name and
// information, the root email's two-step change (the code is read from the twin's mailbox table,
// as the holder of the new address would read their mail), and Region opt-in with the twin's
// adjustable clock stepping a change from ENABLING to ENABLED.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AccountClient, GetAccountInformationCommand, PutAccountNameCommand, GetPrimaryEmailCommand,
  StartPrimaryEmailUpdateCommand, AcceptPrimaryEmailUpdateCommand, ListRegionsCommand,
  GetRegionOptStatusCommand, EnableRegionCommand, DisableRegionCommand, paginateListRegions,
} from "@aws-sdk/client-account";
import {
  OrganizationsClient, CreateOrganizationCommand, InviteAccountToOrganizationCommand,
  AcceptHandshakeCommand, EnableAWSServiceAccessCommand, RegisterDelegatedAdministratorCommand,
} from "@aws-sdk/client-organizations";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { errorOf, startServer } from "./orgtwin_server.mjs";

let server;
let storeDir;
let counter = 0;

before(async () => {
  // The store at a known path, so the test can read the mail the twin sent.
  storeDir = mkdtempSync(join(tmpdir(), "orgtwin-node-account-"));
  server = await startServer("--clock", "adjustable",
                             "--store", `sqlite://${join(storeDir, "store.db")}`);
});
after(async () => {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

function config(credentials) {
  return { endpoint: server.endpoint, region: "us-east-1", maxAttempts: 1, credentials };
}

// A new standalone account through the signup extension, with its root's clients.
async function signup(name) {
  counter += 1;
  const email = `node-acct-${process.pid}-${counter}@example.com`;
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: email, AccountName: `${name}${counter}` }),
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  const credentials = { accessKeyId: body.AccessKeyId, secretAccessKey: body.SecretAccessKey };
  return {
    id: body.AccountId, email, name: `${name}${counter}`, credentials,
    account: new AccountClient(config(credentials)),
    orgs: new OrganizationsClient(config(credentials)),
  };
}

async function expectError(promise, name, status = 400) {
  const err = await errorOf(promise);
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

// A management account with two invited members, trusted access for the Account API on or off.
async function newOrg(trusted) {
  const mgmt = await signup("mgmt");
  await mgmt.orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const members = [];
  for (const name of ["member-a", "member-b"]) {
    const member = await signup(name);
    const { Handshake } = await mgmt.orgs.send(new InviteAccountToOrganizationCommand({
      Target: { Type: "ACCOUNT", Id: member.id },
    }));
    await member.orgs.send(new AcceptHandshakeCommand({ HandshakeId: Handshake.Id }));
    members.push(member);
  }
  if (trusted) {
    await mgmt.orgs.send(new EnableAWSServiceAccessCommand({
      ServicePrincipal: "account.amazonaws.com",
    }));
  }
  return { mgmt, members };
}

// A POST signed with SigV4 for `service`; its status and JSON body.
async function signedPost(credentials, service, path, input) {
  const url = new URL(`${server.endpoint}${path}`);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service, region: "us-east-1", sha256: Sha256, credentials });
  const signed = await signer.sign({
    method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port),
    path: url.pathname, query: {},
    headers: { host: url.host, "content-type": "application/json" }, body,
  });
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

// Moves the twin's clock (only the default root may).
async function advanceClock(seconds) {
  const { status, body } = await signedPost(
    { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, "orgtwin",
    "/_orgtwin/clock/advance", { Seconds: seconds });
  assert.equal(status, 200, JSON.stringify(body));
}

// GetAccountInformation read from the wire, not through the SDK: the twin's JSON protocol writes
// every timestamp as epoch seconds, and the SDK refuses AccountCreatedDate unless it is the
// ISO 8601 string the model asks for (see the todo test below).
async function accountInformation(who, input = {}) {
  const { status, body } = await signedPost(who.credentials, "account", "/getAccountInformation",
                                            input);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

// The mail the twin sent to `address` (mailbox_messages, migration 0016), oldest first.
function mailTo(address) {
  const script = [
    "import json, sqlite3, sys",
    "db = sqlite3.connect(sys.argv[1])",
    "rows = db.execute('SELECT subject, body, token FROM mailbox_messages WHERE address = ? "
      + "ORDER BY sent_at, message_id', (sys.argv[2].lower(),)).fetchall()",
    "print(json.dumps([{'subject': s, 'body': b, 'token': t} for s, b, t in rows]))",
  ].join("\n");
  const out = execFileSync("/usr/bin/python3", ["-c", script, join(storeDir, "store.db"), address]);
  return JSON.parse(out.toString());
}

test("account information and name, own account and a member's", async () => {
  const solo = await signup("solo");
  const info = await accountInformation(solo);
  assert.deepEqual(Object.keys(info).sort(),
                   ["AccountCreatedDate", "AccountId", "AccountName", "AccountState"]);
  assert.equal(info.AccountId, solo.id);
  assert.equal(info.AccountName, solo.name);
  assert.equal(info.AccountState, "ACTIVE");
  // Epoch seconds today; the ISO 8601 string of the model once the protocol honours it.
  const created = typeof info.AccountCreatedDate === "number"
    ? info.AccountCreatedDate * 1000 : Date.parse(info.AccountCreatedDate);
  assert.ok(Math.abs(created - Date.now()) < 86400 * 1000, String(info.AccountCreatedDate));

  await solo.account.send(new PutAccountNameCommand({ AccountName: "renamed solo" }));
  assert.equal((await accountInformation(solo)).AccountName, "renamed solo");
  const bad = await expectError(
    solo.account.send(new PutAccountNameCommand({ AccountName: "x".repeat(51) })),
    "ValidationException");
  assert.equal(bad.reason, "fieldValidationFailed");

  // Another standalone account cannot read it.
  const other = await signup("other");
  await expectError(other.account.send(new GetAccountInformationCommand({ AccountId: solo.id })),
                    "AccessDeniedException", 403);

  const { mgmt, members } = await newOrg(false);
  const [a, b] = members;
  // Without trusted access the management account cannot reach a member.
  await expectError(mgmt.account.send(new GetAccountInformationCommand({ AccountId: a.id })),
                    "AccessDeniedException", 403);
  await mgmt.orgs.send(new EnableAWSServiceAccessCommand({
    ServicePrincipal: "account.amazonaws.com",
  }));
  await mgmt.account.send(new PutAccountNameCommand({ AccountId: a.id, AccountName: "by mgmt" }));
  const member = await accountInformation(mgmt, { AccountId: a.id });
  assert.equal(member.AccountId, a.id);
  assert.equal(member.AccountName, "by mgmt");
  assert.equal((await accountInformation(a)).AccountName, "by mgmt");
  // The management account may not name itself; a member may not name another member.
  const own = await expectError(
    mgmt.account.send(new GetAccountInformationCommand({ AccountId: mgmt.id })),
    "ValidationException");
  assert.match(own.message, /management account can't specify its own AccountId/);
  await expectError(a.account.send(new PutAccountNameCommand({ AccountId: b.id,
                                                               AccountName: "hijack" })),
                    "AccessDeniedException", 403);
  assert.equal((await accountInformation(b)).AccountName, b.name);
});

test("GetAccountInformation's AccountCreatedDate through the SDK", {
  todo: "src/protocol writes JSON-body timestamps as epoch seconds whatever the model's "
        + "timestampFormat; the Account model asks for iso8601 and the SDK rejects a number",
}, async () => {
  const solo = await signup("dated");
  const info = await solo.account.send(new GetAccountInformationCommand({}));
  assert.equal(info.AccountId, solo.id);
  assert.ok(info.AccountCreatedDate instanceof Date);
  assert.ok(Math.abs(info.AccountCreatedDate - Date.now()) < 86400 * 1000);
});

test("primary email: get, start, accept with the mailed code", async () => {
  const { mgmt, members } = await newOrg(true);
  const [a, b] = members;
  assert.equal((await mgmt.account.send(new GetPrimaryEmailCommand({ AccountId: a.id })))
    .PrimaryEmail, a.email);

  // Wrong callers: the management account for itself, a member for itself or another member.
  await expectError(mgmt.account.send(new GetPrimaryEmailCommand({ AccountId: mgmt.id })),
                    "ValidationException");
  await expectError(a.account.send(new GetPrimaryEmailCommand({ AccountId: a.id })),
                    "AccessDeniedException", 403);
  await expectError(a.account.send(new GetPrimaryEmailCommand({ AccountId: b.id })),
                    "AccessDeniedException", 403);
  await expectError(a.account.send(new StartPrimaryEmailUpdateCommand({
    AccountId: b.id, PrimaryEmail: `stolen-${process.pid}@example.com`,
  })), "AccessDeniedException", 403);

  // An address another account signs in with is refused at the start.
  await expectError(mgmt.account.send(new StartPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: b.email,
  })), "ConflictException", 409);

  const next = `node-new-${process.pid}@example.com`;
  const started = await mgmt.account.send(new StartPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next,
  }));
  assert.equal(started.Status, "PENDING");
  const mail = mailTo(next);
  assert.equal(mail.length, 1);
  const otp = mail[0].token;
  assert.match(otp, /^[a-zA-Z0-9]{6}$/);
  assert.ok(mail[0].body.includes(otp));
  assert.ok(mail[0].subject.includes(a.id));
  // Nothing changed yet.
  assert.equal((await mgmt.account.send(new GetPrimaryEmailCommand({ AccountId: a.id })))
    .PrimaryEmail, a.email);

  // A wrong code, the right code for another address, the right code for another account.
  const wrong = otp === "ZZZZZZ" ? "YYYYYY" : "ZZZZZZ";
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next, Otp: wrong,
  })), "ValidationException");
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: `else-${process.pid}@example.com`, Otp: otp,
  })), "ValidationException");
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: b.id, PrimaryEmail: next, Otp: otp,
  })), "ValidationException");
  // The model's pattern: six letters or digits.
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next, Otp: "12345",
  })), "ValidationException");

  const accepted = await mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next, Otp: otp,
  }));
  assert.equal(accepted.Status, "ACCEPTED");
  assert.equal((await mgmt.account.send(new GetPrimaryEmailCommand({ AccountId: a.id })))
    .PrimaryEmail, next);
  // Used once only.
  const reused = await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next, Otp: otp,
  })), "ValidationException");
  assert.match(reused.message, /already used/);
  // The old address is free again; the new one is taken (b cannot move to it).
  await expectError(mgmt.account.send(new StartPrimaryEmailUpdateCommand({
    AccountId: b.id, PrimaryEmail: next.toUpperCase(),
  })), "ConflictException", 409);

  // A newer code replaces the earlier one.
  const third = `node-third-${process.pid}@example.com`;
  await mgmt.account.send(new StartPrimaryEmailUpdateCommand({ AccountId: b.id,
                                                                PrimaryEmail: third }));
  await mgmt.account.send(new StartPrimaryEmailUpdateCommand({ AccountId: b.id,
                                                                PrimaryEmail: third }));
  const [first, second] = mailTo(third);
  assert.notEqual(first.token, second.token);
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: b.id, PrimaryEmail: third, Otp: first.token,
  })), "ValidationException");
  // Taken by another account between start and accept.
  const taker = `node-taken-${process.pid}@example.com`;
  await mgmt.account.send(new StartPrimaryEmailUpdateCommand({ AccountId: b.id,
                                                                PrimaryEmail: taker }));
  const takerOtp = mailTo(taker)[0].token;
  await mgmt.account.send(new StartPrimaryEmailUpdateCommand({ AccountId: a.id,
                                                                PrimaryEmail: taker }));
  const aOtp = mailTo(taker)[1].token;
  assert.equal((await mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: taker, Otp: aOtp,
  }))).Status, "ACCEPTED");
  await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: b.id, PrimaryEmail: taker, Otp: takerOtp,
  })), "ConflictException", 409);
});

test("primary email: the code expires after 24 hours of the twin's clock", async () => {
  const { mgmt, members } = await newOrg(true);
  const [a] = members;
  const next = `node-late-${process.pid}@example.com`;
  await mgmt.account.send(new StartPrimaryEmailUpdateCommand({ AccountId: a.id,
                                                                PrimaryEmail: next }));
  const otp = mailTo(next)[0].token;
  await advanceClock(24 * 3600 + 1);
  const late = await expectError(mgmt.account.send(new AcceptPrimaryEmailUpdateCommand({
    AccountId: a.id, PrimaryEmail: next, Otp: otp,
  })), "ValidationException");
  assert.match(late.message, /expired/);
  assert.equal((await mgmt.account.send(new GetPrimaryEmailCommand({ AccountId: a.id })))
    .PrimaryEmail, a.email);
});

test("primary email through the delegated administrator", async () => {
  const { mgmt, members } = await newOrg(true);
  const [admin, target] = members;
  await expectError(admin.account.send(new GetPrimaryEmailCommand({ AccountId: target.id })),
                    "AccessDeniedException", 403);
  await mgmt.orgs.send(new RegisterDelegatedAdministratorCommand({
    AccountId: admin.id, ServicePrincipal: "account.amazonaws.com",
  }));
  assert.equal((await admin.account.send(new GetPrimaryEmailCommand({ AccountId: target.id })))
    .PrimaryEmail, target.email);
});

test("regions: list, filter, pages, enable and disable on the twin's clock", async () => {
  const solo = await signup("regions");
  const all = (await solo.account.send(new ListRegionsCommand({}))).Regions;
  assert.equal(all.length, 34);
  const status = Object.fromEntries(all.map((r) => [r.RegionName, r.RegionOptStatus]));
  assert.equal(status["us-east-1"], "ENABLED_BY_DEFAULT");
  assert.equal(status["eu-west-3"], "ENABLED_BY_DEFAULT");
  assert.equal(status["af-south-1"], "DISABLED");
  assert.equal(status["ap-east-1"], "DISABLED");
  assert.equal(all.filter((r) => r.RegionOptStatus === "ENABLED_BY_DEFAULT").length, 17);

  // Pages of five, by hand and with the SDK's paginator.
  const names = [];
  let NextToken;
  let pages = 0;
  do {
    const page = await solo.account.send(new ListRegionsCommand({ MaxResults: 5, NextToken }));
    assert.ok(page.Regions.length <= 5);
    names.push(...page.Regions.map((r) => r.RegionName));
    NextToken = page.NextToken;
    pages += 1;
  } while (NextToken);
  assert.equal(pages, 7);
  assert.deepEqual(names, all.map((r) => r.RegionName));
  const paged = [];
  for await (const page of paginateListRegions({ client: solo.account, pageSize: 10 }, {})) {
    paged.push(...page.Regions);
  }
  assert.deepEqual(paged, all);
  await expectError(solo.account.send(new ListRegionsCommand({ NextToken: "not-a-token" })),
                    "ValidationException");
  await expectError(solo.account.send(new ListRegionsCommand({ MaxResults: 51 })),
                    "ValidationException");

  const optIn = await solo.account.send(new ListRegionsCommand({
    RegionOptStatusContains: ["DISABLED"],
  }));
  assert.equal(optIn.Regions.length, 17);

  // Default Regions are no opt-in target.
  const byDefault = await expectError(
    solo.account.send(new EnableRegionCommand({ RegionName: "us-east-1" })), "ValidationException");
  assert.equal(byDefault.reason, "invalidRegionOptTarget");
  await expectError(solo.account.send(new DisableRegionCommand({ RegionName: "eu-west-1" })),
                    "ValidationException");
  await expectError(solo.account.send(new GetRegionOptStatusCommand({ RegionName: "xx-nowhere-9" })),
                    "ValidationException");

  await solo.account.send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  const enabling = await solo.account.send(new GetRegionOptStatusCommand({
    RegionName: "af-south-1",
  }));
  assert.deepEqual({ ...enabling, $metadata: undefined },
                   { RegionName: "af-south-1", RegionOptStatus: "ENABLING", $metadata: undefined });
  // A change in progress blocks another.
  await expectError(solo.account.send(new DisableRegionCommand({ RegionName: "af-south-1" })),
                    "ConflictException", 409);
  await expectError(solo.account.send(new EnableRegionCommand({ RegionName: "af-south-1" })),
                    "ConflictException", 409);
  assert.deepEqual((await solo.account.send(new ListRegionsCommand({
    RegionOptStatusContains: ["ENABLING", "ENABLED"],
  }))).Regions, [{ RegionName: "af-south-1", RegionOptStatus: "ENABLING" }]);

  await advanceClock(61);
  assert.equal((await solo.account.send(new GetRegionOptStatusCommand({
    RegionName: "af-south-1",
  }))).RegionOptStatus, "ENABLED");
  // Enabling an enabled Region changes nothing.
  await solo.account.send(new EnableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal((await solo.account.send(new GetRegionOptStatusCommand({
    RegionName: "af-south-1",
  }))).RegionOptStatus, "ENABLED");

  await solo.account.send(new DisableRegionCommand({ RegionName: "af-south-1" }));
  assert.equal((await solo.account.send(new GetRegionOptStatusCommand({
    RegionName: "af-south-1",
  }))).RegionOptStatus, "DISABLING");
  await expectError(solo.account.send(new EnableRegionCommand({ RegionName: "af-south-1" })),
                    "ConflictException", 409);
  await advanceClock(61);
  assert.equal((await solo.account.send(new GetRegionOptStatusCommand({
    RegionName: "af-south-1",
  }))).RegionOptStatus, "DISABLED");

  // A member's Regions from the management account; another account's are out of reach.
  const { mgmt, members } = await newOrg(true);
  const [a, b] = members;
  await mgmt.account.send(new EnableRegionCommand({ AccountId: a.id, RegionName: "me-south-1" }));
  assert.equal((await a.account.send(new GetRegionOptStatusCommand({
    RegionName: "me-south-1",
  }))).RegionOptStatus, "ENABLING");
  assert.equal((await b.account.send(new GetRegionOptStatusCommand({
    RegionName: "me-south-1",
  }))).RegionOptStatus, "DISABLED");
  await expectError(a.account.send(new ListRegionsCommand({ AccountId: b.id })),
                    "AccessDeniedException", 403);
  await expectError(mgmt.account.send(new ListRegionsCommand({ AccountId: mgmt.id })),
                    "ValidationException");
  await expectError(solo.account.send(new EnableRegionCommand({ AccountId: a.id,
                                                                 RegionName: "me-south-1" })),
                    "AccessDeniedException", 403);
});
