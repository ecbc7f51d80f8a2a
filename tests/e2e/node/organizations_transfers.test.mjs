// Billing (responsibility) transfers through @aws-sdk/client-organizations: a partner
// organization invites a customer organization, the customer accepts, both sides list and
// describe the transfer under their own ARN, the partner renames it, the customer withdraws it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  OrganizationsClient, CreateOrganizationCommand, AcceptHandshakeCommand,
  InviteOrganizationToTransferResponsibilityCommand, DescribeResponsibilityTransferCommand,
  UpdateResponsibilityTransferCommand, TerminateResponsibilityTransferCommand,
  ListInboundResponsibilityTransfersCommand, ListOutboundResponsibilityTransfersCommand,
} from "@aws-sdk/client-organizations";
import { errorOf, startServer } from "./orgtwin_server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

// A signed-up standalone account that created its own organization.
async function newOrg(name) {
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: `node-${name}-${process.pid}@example.com`, AccountName: name }),
  });
  assert.equal(response.status, 200);
  const account = await response.json();
  const client = new OrganizationsClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: account.AccessKeyId, secretAccessKey: account.SecretAccessKey },
  });
  const org = (await client.send(new CreateOrganizationCommand({}))).Organization;
  return { client, id: account.AccountId, org };
}

// 00:00 UTC on the 1st of the first month that starts more than two days from now.
function nextStart() {
  const now = new Date();
  let start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  if (start - now.getTime() <= 2 * 86400 * 1000) {
    start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1);
  }
  return new Date(start);
}

test("a billing transfer from invitation to withdrawal", async () => {
  const partner = await newOrg("partner");
  const customers = [await newOrg("customer-a"), await newOrg("customer-b")];
  const start = nextStart();
  const invitations = [];
  for (const customer of customers) {
    const { Handshake } = await partner.client.send(
      new InviteOrganizationToTransferResponsibilityCommand({
        Type: "BILLING",
        Target: { Type: "ACCOUNT", Id: customer.id },
        StartTimestamp: start,
        SourceName: `billing for ${customer.id}`,
      }));
    assert.equal(Handshake.Action, "TRANSFER_RESPONSIBILITY");
    const rt = Handshake.Resources.find((r) => r.Type === "RESPONSIBILITY_TRANSFER").Value;
    assert.match(rt, /^rt-[0-9a-z]{8,32}$/);
    invitations.push({ handshake: Handshake.Id, rt });
  }
  const early = await errorOf(partner.client.send(
    new InviteOrganizationToTransferResponsibilityCommand({
      Type: "BILLING",
      Target: { Type: "ACCOUNT", Id: customers[0].id },
      StartTimestamp: new Date(start.getTime() + 3600 * 1000),
      SourceName: "not at midnight",
    })));
  assert.equal(early.name, "InvalidInputException");
  assert.equal(early.Reason, "START_DATE_NOT_BEGINNING_OF_DAY");

  // The partner's inbound list, one per page (the SDK has no paginator for it: NextToken by hand).
  const seen = [];
  let NextToken;
  do {
    const page = await partner.client.send(new ListInboundResponsibilityTransfersCommand(
      { Type: "BILLING", MaxResults: 1, NextToken }));
    assert.equal(page.ResponsibilityTransfers.length, 1);
    seen.push(...page.ResponsibilityTransfers);
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(seen.map((t) => t.Id).sort(), invitations.map((i) => i.rt).sort());
  for (const transfer of seen) {
    assert.equal(transfer.Status, "REQUESTED");
    assert.equal(transfer.StartTimestamp.getTime(), start.getTime());
    assert.equal(transfer.Arn,
      `arn:aws:organizations::${partner.id}:transfer/${partner.org.Id}/billing/inbound/${transfer.Id}`);
  }

  const [customer] = customers;
  const { rt, handshake } = invitations[0];
  await customer.client.send(new AcceptHandshakeCommand({ HandshakeId: handshake }));
  const outbound = (await customer.client.send(
    new ListOutboundResponsibilityTransfersCommand({ Type: "BILLING" }))).ResponsibilityTransfers;
  assert.equal(outbound.length, 1);
  assert.equal(outbound[0].Status, "ACCEPTED");
  assert.equal(outbound[0].Arn,
    `arn:aws:organizations::${customer.id}:transfer/${customer.org.Id}/billing/outbound/${rt}`);
  assert.equal(outbound[0].Source.ManagementAccountId, customer.id);
  assert.equal(outbound[0].Target.ManagementAccountId, partner.id);

  const renamed = await partner.client.send(
    new UpdateResponsibilityTransferCommand({ Id: rt, Name: "Acme" }));
  assert.equal(renamed.ResponsibilityTransfer.Name, "Acme");

  const withdrawn = await customer.client.send(new TerminateResponsibilityTransferCommand({ Id: rt }));
  assert.equal(withdrawn.ResponsibilityTransfer.Status, "WITHDRAWN");
  assert.ok(withdrawn.ResponsibilityTransfer.EndTimestamp instanceof Date);
  const again = await errorOf(partner.client.send(
    new TerminateResponsibilityTransferCommand({ Id: rt })));
  assert.equal(again.name, "ResponsibilityTransferAlreadyInStatusException");
  const described = await partner.client.send(
    new DescribeResponsibilityTransferCommand({ Id: rt }));
  assert.equal(described.ResponsibilityTransfer.Status, "WITHDRAWN");
  assert.equal(described.ResponsibilityTransfer.Name, "Acme");

  const outsider = await errorOf(customers[1].client.send(
    new DescribeResponsibilityTransferCommand({ Id: rt })));
  assert.equal(outsider.name, "ResponsibilityTransferNotFoundException");
});
