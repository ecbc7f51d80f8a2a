-- 0001: the accounts the twin knows, their root users' access keys, and server settings.
-- Portable SQL (SQLite and PostgreSQL): TEXT, BIGINT, DOUBLE PRECISION only.

-- Server-wide settings, e.g. the default account ID chosen at first start.
CREATE TABLE server_settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Every AWS account in the twin (standalone or in an organization).
CREATE TABLE accounts (
  account_id  TEXT PRIMARY KEY,              -- 12 digits
  email       TEXT NOT NULL,                 -- root user's sign-in email
  name        TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'ACTIVE',  -- AccountState enum of the organizations model
  created_at  DOUBLE PRECISION NOT NULL      -- epoch seconds
);
CREATE UNIQUE INDEX accounts_email ON accounts (email);

-- Long-term and temporary access keys. principal_type: 'Root' | 'User' | 'AssumedRole' |
-- 'FederatedUser'. principal_name is the user name, or "role/session" for sessions.
CREATE TABLE access_keys (
  access_key_id     TEXT PRIMARY KEY,
  secret_access_key TEXT NOT NULL,
  account_id        TEXT NOT NULL REFERENCES accounts (account_id),
  principal_type    TEXT NOT NULL,
  principal_name    TEXT NOT NULL DEFAULT '',
  status            TEXT NOT NULL DEFAULT 'Active',   -- 'Active' | 'Inactive'
  session_token     TEXT,                              -- temporary credentials only
  expires_at        DOUBLE PRECISION,                  -- temporary credentials only
  created_at        DOUBLE PRECISION NOT NULL
);
CREATE INDEX access_keys_account ON access_keys (account_id, principal_type, principal_name);
