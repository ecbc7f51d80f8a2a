-- 0027: Organizations listings in creation order (issue 16). ListAccounts, ListAccountsForParent,
-- ListChildren, ListOrganizationalUnitsForParent, ListPolicies and the handshake listings came
-- back ordered by ID; the IDs are random (OUs, policies, handshakes) or increase only within one
-- run of the server (accounts, common/ids.h), so a new object landed anywhere in a listing. Each
-- listed row now carries the position it was created at:
--   org_accounts.joined_seq   1, 2, ... per organization, in the order the accounts joined (the
--                             management account first); moving an account keeps it;
--   org_units.created_seq     per parent (an OU never changes parent);
--   org_policies.created_seq  per organization (AWS managed policies, shared by every
--                             organization, keep 0 and list first);
--   org_handshakes.created_seq over all handshakes (ListHandshakesForAccount spans organizations).
-- A new row takes MAX + 1 of its scope through the index below, in the writer's transaction.
-- Existing rows are numbered by their timestamps, ties by ID. UPDATE ... FROM is SQLite 3.33+ and
-- PostgreSQL.
ALTER TABLE org_accounts ADD COLUMN joined_seq BIGINT NOT NULL DEFAULT 0;
UPDATE org_accounts SET joined_seq = ranked.seq
  FROM (SELECT account_id,
               ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY joined_at, account_id) AS seq
          FROM org_accounts) AS ranked
 WHERE ranked.account_id = org_accounts.account_id;
CREATE INDEX org_accounts_org_seq ON org_accounts (org_id, joined_seq);
CREATE INDEX org_accounts_parent_seq ON org_accounts (parent_id, joined_seq);
DROP INDEX org_accounts_org_account;
DROP INDEX org_accounts_parent_account;

ALTER TABLE org_units ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0;
UPDATE org_units SET created_seq = ranked.seq
  FROM (SELECT ou_id,
               ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY created_at, ou_id) AS seq
          FROM org_units) AS ranked
 WHERE ranked.ou_id = org_units.ou_id;
CREATE INDEX org_units_parent_seq ON org_units (parent_id, created_seq);
DROP INDEX org_units_parent;

ALTER TABLE org_policies ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0;
UPDATE org_policies SET created_seq = ranked.seq
  FROM (SELECT policy_id,
               ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY created_at, policy_id) AS seq
          FROM org_policies WHERE org_id IS NOT NULL) AS ranked
 WHERE ranked.policy_id = org_policies.policy_id;
CREATE INDEX org_policies_org_seq ON org_policies (org_id, created_seq);

ALTER TABLE org_handshakes ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0;
UPDATE org_handshakes SET created_seq = ranked.seq
  FROM (SELECT handshake_id, ROW_NUMBER() OVER (ORDER BY requested_at, handshake_id) AS seq
          FROM org_handshakes) AS ranked
 WHERE ranked.handshake_id = org_handshakes.handshake_id;
CREATE INDEX org_handshakes_seq ON org_handshakes (created_seq);
