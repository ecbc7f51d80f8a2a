// Organizations core against @aws-sdk/client-organizations: a standalone account signs up
// (POST /_orgtwin/signup), creates its organization, lists its root, creates an OU and an
// account. IDs and ARNs are checked against the organizations model's patterns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  OrganizationsClient, CreateOrganizationCommand, DescribeOrganizationCommand, ListRootsCommand,
  CreateOrganizationalUnitCommand, ListOrganizationalUnitsForParentCommand, CreateAccountCommand,
  DescribeCreateAccountStatusCommand, DescribeAccountCommand, paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { errorOf, startServer } from "./orgtwin_server.mjs";

let server;
let orgs;
before(async () => {
  server = await startServer();
  const response = await fetch(`${server.endpoint}/_orgtwin/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Email: `node-mgmt-${process.pid}@example.com`, AccountName: "node" }),
  });
  assert.equal(response.status, 200);
  const account = await response.json();
  assert.match(account.AccountId, /^\d{12}$/);
  orgs = new OrganizationsClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: account.AccessKeyId, secretAccessKey: account.SecretAccessKey },
  });
  orgs.accountId = account.AccountId;
});
after(async () => { await server.stop(); });

test("describe-organization before and after create-organization", async () => {
  const missing = await errorOf(orgs.send(new DescribeOrganizationCommand({})));
  assert.equal(missing.name, "AWSOrganizationsNotInUseException");
  const created = await orgs.send(new CreateOrganizationCommand({}));
  const org = created.Organization;
  assert.match(org.Id, /^o-[a-z0-9]{10,32}$/);
  assert.match(org.Arn, /^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/);
  assert.equal(org.FeatureSet, "ALL");
  assert.equal(org.MasterAccountId, orgs.accountId);
  const described = await orgs.send(new DescribeOrganizationCommand({}));
  assert.deepEqual(described.Organization, org);
});

test("list-roots and create an OU", async () => {
  const roots = (await orgs.send(new ListRootsCommand({}))).Roots;
  assert.equal(roots.length, 1);
  assert.match(roots[0].Id, /^r-[0-9a-z]{4,32}$/);
  // No policy type until EnablePolicyType (AWS-FACTS 2.2).
  assert.deepEqual(roots[0].PolicyTypes, []);
  const ou = (await orgs.send(new CreateOrganizationalUnitCommand({
    ParentId: roots[0].Id, Name: "node-ou",
  }))).OrganizationalUnit;
  assert.match(ou.Id, /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
  assert.match(ou.Arn,
    /^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
  const listed = await orgs.send(new ListOrganizationalUnitsForParentCommand({
    ParentId: roots[0].Id,
  }));
  assert.deepEqual(listed.OrganizationalUnits.map((o) => o.Id), [ou.Id]);
  const duplicate = await errorOf(orgs.send(new CreateOrganizationalUnitCommand({
    ParentId: roots[0].Id, Name: "node-ou",
  })));
  assert.equal(duplicate.name, "DuplicateOrganizationalUnitException");
});

test("create-account, then the account's State and pagination", async () => {
  const status = (await orgs.send(new CreateAccountCommand({
    Email: `node-member-${process.pid}@example.com`, AccountName: "member",
  }))).CreateAccountStatus;
  assert.match(status.Id, /^car-[a-z0-9]{8,32}$/);
  assert.equal(status.State, "IN_PROGRESS");
  const done = (await orgs.send(new DescribeCreateAccountStatusCommand({
    CreateAccountRequestId: status.Id,
  }))).CreateAccountStatus;
  assert.equal(done.State, "SUCCEEDED");
  const account = (await orgs.send(new DescribeAccountCommand({ AccountId: done.AccountId })))
    .Account;
  assert.equal(account.State, "ACTIVE");
  assert.equal(account.JoinedMethod, "CREATED");
  assert.ok(account.JoinedTimestamp instanceof Date);
  const ids = [];
  for await (const page of paginateListAccounts({ client: orgs, pageSize: 1 }, {})) {
    assert.ok(page.Accounts.length <= 1);
    ids.push(...page.Accounts.map((a) => a.Id));
  }
  assert.deepEqual(ids.sort(), [orgs.accountId, done.AccountId].sort());
});
