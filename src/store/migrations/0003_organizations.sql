-- 0003: AWS Organizations (issue 5). The shared shape of the organization tree; services that
-- need more columns add them in their own later migrations.
-- IDs follow the organizations model's patterns: o-, r-, ou-, p-, h-, car-.

-- Standalone-account facts that the leave/accept preconditions check (set by sign-up).
ALTER TABLE accounts ADD COLUMN has_payment_method BIGINT NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN has_contact_info BIGINT NOT NULL DEFAULT 1;

CREATE TABLE organizations (
  org_id                TEXT PRIMARY KEY,                 -- o-[a-z0-9]{10,32}
  management_account_id TEXT NOT NULL UNIQUE REFERENCES accounts (account_id),
  feature_set           TEXT NOT NULL,                    -- ALL | CONSOLIDATED_BILLING
  created_at            DOUBLE PRECISION NOT NULL
);

CREATE TABLE org_roots (
  root_id TEXT PRIMARY KEY,                               -- r-[0-9a-z]{4,32}
  org_id  TEXT NOT NULL REFERENCES organizations (org_id),
  name    TEXT NOT NULL DEFAULT 'Root'
);

-- Policy types enabled on a root: status ENABLED | PENDING_ENABLE | PENDING_DISABLE.
CREATE TABLE org_root_policy_types (
  root_id     TEXT NOT NULL REFERENCES org_roots (root_id),
  policy_type TEXT NOT NULL,
  status      TEXT NOT NULL,
  PRIMARY KEY (root_id, policy_type)
);

CREATE TABLE org_units (
  ou_id      TEXT PRIMARY KEY,                            -- ou-<root suffix>-[a-z0-9]{8,32}
  org_id     TEXT NOT NULL REFERENCES organizations (org_id),
  parent_id  TEXT NOT NULL,                               -- a root ID or an OU ID
  name       TEXT NOT NULL,
  created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_id);

-- Membership: one row per account in an organization (the management account included).
CREATE TABLE org_accounts (
  account_id    TEXT PRIMARY KEY REFERENCES accounts (account_id),
  org_id        TEXT NOT NULL REFERENCES organizations (org_id),
  parent_id     TEXT NOT NULL,                            -- a root ID or an OU ID
  joined_method TEXT NOT NULL,                            -- INVITED | CREATED
  joined_at     DOUBLE PRECISION NOT NULL
);
CREATE INDEX org_accounts_org ON org_accounts (org_id);
CREATE INDEX org_accounts_parent ON org_accounts (parent_id);

CREATE TABLE org_create_account_status (
  request_id      TEXT PRIMARY KEY,                       -- car-[a-z0-9]{8,32}
  org_id          TEXT NOT NULL,
  account_name    TEXT NOT NULL,
  state           TEXT NOT NULL,                          -- IN_PROGRESS | SUCCEEDED | FAILED
  requested_at    DOUBLE PRECISION NOT NULL,
  completed_at    DOUBLE PRECISION,
  account_id      TEXT,
  failure_reason  TEXT
);
CREATE INDEX org_create_account_status_org ON org_create_account_status (org_id, state);

-- Policies of every type. AWS managed ones (FullAWSAccess, RCPFullAWSAccess) have org_id NULL
-- and aws_managed = 1.
CREATE TABLE org_policies (
  policy_id   TEXT PRIMARY KEY,                           -- p-[0-9a-zA-Z_]{8,128}
  org_id      TEXT,
  policy_type TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  content     TEXT NOT NULL,
  aws_managed BIGINT NOT NULL DEFAULT 0,
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX org_policies_org ON org_policies (org_id, policy_type);

-- Attachments: target_id is a root, OU or account ID. org_id disambiguates the AWS managed
-- policies, which are shared by every organization.
CREATE TABLE org_policy_attachments (
  org_id    TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  PRIMARY KEY (org_id, policy_id, target_id)
);
CREATE INDEX org_policy_attachments_target ON org_policy_attachments (target_id);

CREATE TABLE org_handshakes (
  handshake_id      TEXT PRIMARY KEY,                     -- h-[0-9a-z]{8,32}
  org_id            TEXT NOT NULL,
  action            TEXT NOT NULL,                        -- INVITE | ENABLE_ALL_FEATURES | ...
  state             TEXT NOT NULL,                        -- REQUESTED | OPEN | ACCEPTED | ...
  requested_at      DOUBLE PRECISION NOT NULL,
  expires_at        DOUBLE PRECISION NOT NULL,
  target_account_id TEXT,                                 -- the invited account, when known
  target_email      TEXT,                                 -- invitations by email
  parties           TEXT NOT NULL,                        -- JSON array of HandshakeParty
  resources         TEXT NOT NULL                         -- JSON array of HandshakeResource
);
CREATE INDEX org_handshakes_org ON org_handshakes (org_id);
CREATE INDEX org_handshakes_target ON org_handshakes (target_account_id);

CREATE TABLE org_tags (
  resource_id TEXT NOT NULL,                              -- account, OU, root or policy ID
  tag_key     TEXT NOT NULL,
  tag_value   TEXT NOT NULL,
  PRIMARY KEY (resource_id, tag_key)
);

CREATE TABLE org_delegated_admins (
  org_id            TEXT NOT NULL,
  account_id        TEXT NOT NULL,
  service_principal TEXT NOT NULL,
  delegated_at      DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (org_id, account_id, service_principal)
);

CREATE TABLE org_trusted_services (
  org_id            TEXT NOT NULL,
  service_principal TEXT NOT NULL,
  enabled_at        DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (org_id, service_principal)
);

CREATE TABLE org_resource_policies (
  org_id     TEXT PRIMARY KEY,
  policy_id  TEXT NOT NULL,
  content    TEXT NOT NULL,
  created_at DOUBLE PRECISION NOT NULL
);
