-- Tables on the CreateAccount path become clustered on their primary key (SQLite WITHOUT ROWID).
--
-- Why: a rowid table with a TEXT or composite primary key is two B-trees, the rows by rowid and
-- a unique index from the key to the rowid, so every insert writes both, and every group commit
-- writes a page of each to the WAL. Clustered, the row lives in the key's B-tree: one B-tree
-- fewer per table and one index insert fewer per row (a created account writes ~10 rows into
-- these tables). Secondary indexes then hold the primary key instead of a rowid, so a lookup by
-- target or by organization reads the key from the index alone.
--
-- iam_roles stays a rowid table: a role row carries its trust policy (up to 2 KiB and more),
-- and a clustered B-tree keeps far less of a row on its own page (about a quarter of a page
-- before it spills to overflow pages), which would make role listing walk overflow chains.
--
-- The columns, defaults and indexes are exactly those of migrations 0001-0012. Foreign keys are
-- off while migrations run; the runner checks every reference before this commits.
-- SQLite dialect: WITHOUT ROWID is SQLite's. A PostgreSQL backend stores every table as a heap
-- with a primary-key index and has nothing to change here.

CREATE TABLE accounts_new (
  account_id                 TEXT PRIMARY KEY,           -- 12 digits
  email                      TEXT NOT NULL,              -- root user's sign-in email
  name                       TEXT NOT NULL,
  state                      TEXT NOT NULL DEFAULT 'ACTIVE',  -- AccountState enum
  created_at                 DOUBLE PRECISION NOT NULL,  -- epoch seconds
  has_payment_method         BIGINT NOT NULL DEFAULT 1,
  has_contact_info           BIGINT NOT NULL DEFAULT 1,
  closed_at                  DOUBLE PRECISION,
  iam_user_access_to_billing BIGINT NOT NULL DEFAULT 1,
  membership_changed_at      DOUBLE PRECISION
) WITHOUT ROWID;
INSERT INTO accounts_new (account_id, email, name, state, created_at, has_payment_method,
                          has_contact_info, closed_at, iam_user_access_to_billing,
                          membership_changed_at)
  SELECT account_id, email, name, state, created_at, has_payment_method, has_contact_info,
         closed_at, iam_user_access_to_billing, membership_changed_at
  FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE UNIQUE INDEX accounts_email ON accounts (email);

CREATE TABLE iam_attachments_new (
  account_id  TEXT NOT NULL REFERENCES accounts (account_id),
  entity_type TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  policy_arn  TEXT NOT NULL,
  attached_at DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (entity_type, entity_id, policy_arn)
) WITHOUT ROWID;
INSERT INTO iam_attachments_new (account_id, entity_type, entity_id, policy_arn, attached_at)
  SELECT account_id, entity_type, entity_id, policy_arn, attached_at FROM iam_attachments;
DROP TABLE iam_attachments;
ALTER TABLE iam_attachments_new RENAME TO iam_attachments;
CREATE INDEX iam_attachments_policy ON iam_attachments (account_id, policy_arn);

CREATE TABLE org_accounts_new (
  account_id    TEXT PRIMARY KEY REFERENCES accounts (account_id),
  org_id        TEXT NOT NULL REFERENCES organizations (org_id),
  parent_id     TEXT NOT NULL,                            -- a root ID or an OU ID
  joined_method TEXT NOT NULL,                            -- INVITED | CREATED
  joined_at     DOUBLE PRECISION NOT NULL
) WITHOUT ROWID;
INSERT INTO org_accounts_new (account_id, org_id, parent_id, joined_method, joined_at)
  SELECT account_id, org_id, parent_id, joined_method, joined_at FROM org_accounts;
DROP TABLE org_accounts;
ALTER TABLE org_accounts_new RENAME TO org_accounts;
CREATE INDEX org_accounts_org_account ON org_accounts (org_id, account_id);
CREATE INDEX org_accounts_parent_account ON org_accounts (parent_id, account_id);

CREATE TABLE org_policy_attachments_new (
  org_id    TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  PRIMARY KEY (org_id, policy_id, target_id)
) WITHOUT ROWID;
INSERT INTO org_policy_attachments_new (org_id, policy_id, target_id)
  SELECT org_id, policy_id, target_id FROM org_policy_attachments;
DROP TABLE org_policy_attachments;
ALTER TABLE org_policy_attachments_new RENAME TO org_policy_attachments;
CREATE INDEX org_policy_attachments_target ON org_policy_attachments (target_id);

CREATE TABLE org_create_account_status_new (
  request_id      TEXT PRIMARY KEY,                       -- car-[a-z0-9]{8,32}
  org_id          TEXT NOT NULL,
  account_name    TEXT NOT NULL,
  state           TEXT NOT NULL,                          -- IN_PROGRESS | SUCCEEDED | FAILED
  requested_at    DOUBLE PRECISION NOT NULL,
  completed_at    DOUBLE PRECISION,
  account_id      TEXT,
  failure_reason  TEXT
) WITHOUT ROWID;
INSERT INTO org_create_account_status_new (request_id, org_id, account_name, state,
                                           requested_at, completed_at, account_id,
                                           failure_reason)
  SELECT request_id, org_id, account_name, state, requested_at, completed_at, account_id,
         failure_reason
  FROM org_create_account_status;
DROP TABLE org_create_account_status;
ALTER TABLE org_create_account_status_new RENAME TO org_create_account_status;
CREATE INDEX org_create_account_status_org ON org_create_account_status (org_id, state);
