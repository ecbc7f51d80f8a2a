// Consolidated billing through the AWS SDK for JavaScript v3 (@aws-sdk/client-cost-explorer,
// @aws-sdk/client-invoicing): usage recorded through the extension API is seen by the payer for
// every linked account and by a member for itself only, a past month's invoice is listed at the
// payer, and an IAM user of a signed-up account is kept out by the billing gate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { InvoicingClient, ListInvoiceSummariesCommand } from "@aws-sdk/client-invoicing";
import { IAMClient, CreateUserCommand, AttachUserPolicyCommand, CreateAccessKeyCommand }
  from "@aws-sdk/client-iam";
import {
  OrganizationsClient, CreateOrganizationCommand, InviteAccountToOrganizationCommand,
  AcceptHandshakeCommand,
} from "@aws-sdk/client-organizations";
import { errorOf, startServer } from "./orgtwin_server.mjs";

const DAY = 86400;
let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

function clients(credentials) {
  const config = { endpoint: server.endpoint, region: "us-east-1", maxAttempts: 1, credentials };
  return {
    ce: new CostExplorerClient(config),
    invoicing: new InvoicingClient(config),
    iam: new IAMClient(config),
    orgs: new OrganizationsClient(config),
  };
}

async function signUp(name) {
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: `node-billing-${name}-${process.pid}@example.com`,
                           AccountName: name }),
  });
  assert.equal(response.status, 200);
  const account = await response.json();
  return { id: account.AccountId, ...clients({ accessKeyId: account.AccessKeyId,
                                               secretAccessKey: account.SecretAccessKey }) };
}

// RecordUsage of the extension API, SigV4-signed for the `orgtwin` service by the twin's
// administrator (the default account's root user).
async function recordUsage(records) {
  const url = new URL(`${server.endpoint}/_orgtwin/billing/usage`);
  const signer = new SignatureV4({
    service: "orgtwin", region: "us-east-1", sha256: Sha256,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  const body = JSON.stringify({ Records: records });
  const signed = await signer.sign({
    method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port),
    path: url.pathname, headers: { host: url.host, "content-type": "application/json" }, body,
  });
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).Charges;
}

function day(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

async function costsByAccount(account, start, end) {
  const out = await account.ce.send(new GetCostAndUsageCommand({
    TimePeriod: { Start: start, End: end }, Granularity: "MONTHLY", Metrics: ["UnblendedCost"],
    GroupBy: [{ Type: "DIMENSION", Key: "LINKED_ACCOUNT" }],
  }));
  const totals = {};
  for (const result of out.ResultsByTime) {
    for (const group of result.Groups) {
      const amount = Number(group.Metrics.UnblendedCost.Amount);
      totals[group.Keys[0]] = Math.round(((totals[group.Keys[0]] ?? 0) + amount) * 1e6) / 1e6;
    }
  }
  return totals;
}

test("the payer sees every linked account, a member itself, an IAM user nothing", async () => {
  const payer = await signUp("payer");
  await payer.orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const member = await signUp("member");
  const { Handshake } = await payer.orgs.send(new InviteAccountToOrganizationCommand({
    Target: { Type: "ACCOUNT", Id: member.id } }));
  await member.orgs.send(new AcceptHandshakeCommand({ HandshakeId: Handshake.Id }));

  const now = Date.now() / 1000;
  const usage = (account, quantity, extra = {}) => ({
    AccountId: account.id, Service: "Amazon Elastic Compute Cloud - Compute",
    UsageType: "BoxUsage:t3.micro", UsageQuantity: quantity, ...extra });
  const charges = await recordUsage([usage(member, 100), usage(payer, 10)]);
  assert.deepEqual(charges.map((c) => c.PayerAccountId), [payer.id, payer.id]);
  const start = day(now - 2 * DAY);
  const end = day(now + DAY);
  assert.deepEqual(await costsByAccount(payer, start, end), { [member.id]: 1.04, [payer.id]: 0.104 });
  assert.deepEqual(await costsByAccount(member, start, end), { [member.id]: 1.04 });

  // Usage of seventy days ago was the payer's own before the member joined; its month's invoice
  // is issued, and the payer lists it.
  await recordUsage([usage(payer, 1000, { Time: Math.floor(now - 70 * DAY) })]);
  const listed = await payer.invoicing.send(new ListInvoiceSummariesCommand({
    Selector: { ResourceType: "ACCOUNT_ID", Value: payer.id } }));
  assert.equal(listed.InvoiceSummaries.length, 1);
  const invoice = listed.InvoiceSummaries[0];
  assert.equal(invoice.AccountId, payer.id);
  assert.equal(invoice.BaseCurrencyAmount.TotalAmount, "10.40");
  assert.equal(invoice.BaseCurrencyAmount.CurrencyCode, "USD");

  // An administrator of the signed-up payer: IAM access to billing is off, so no cost data.
  await payer.iam.send(new CreateUserCommand({ UserName: "admin" }));
  await payer.iam.send(new AttachUserPolicyCommand({
    UserName: "admin", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
  const { AccessKey } = await payer.iam.send(new CreateAccessKeyCommand({ UserName: "admin" }));
  const admin = clients({ accessKeyId: AccessKey.AccessKeyId,
                          secretAccessKey: AccessKey.SecretAccessKey });
  const denied = await errorOf(admin.ce.send(new GetCostAndUsageCommand({
    TimePeriod: { Start: start, End: end }, Granularity: "MONTHLY",
    Metrics: ["UnblendedCost"] })));
  assert.equal(denied.name, "AccessDeniedException");
  const deniedInvoices = await errorOf(admin.invoicing.send(new ListInvoiceSummariesCommand({
    Selector: { ResourceType: "ACCOUNT_ID", Value: payer.id } })));
  assert.equal(deniedInvoices.name, "AccessDeniedException");
});
