-- 0004: STS sessions (issue 4). One row per temporary credential issued by AssumeRole,
-- GetSessionToken or GetFederationToken; its access key lives in access_keys (principal_type
-- 'AssumedRole' | 'SessionToken' | 'FederatedUser', session_token and expires_at set).
CREATE TABLE sts_sessions (
  access_key_id        TEXT PRIMARY KEY REFERENCES access_keys (access_key_id),
  account_id           TEXT NOT NULL,
  kind                 TEXT NOT NULL,             -- AssumedRole | SessionToken | FederatedUser
  role_id              TEXT,                      -- AssumedRole: iam_roles unique ID (AROA...)
  role_name            TEXT,
  session_name         TEXT,                      -- AssumedRole RoleSessionName / federated name
  user_name            TEXT,                      -- SessionToken: the IAM user ('' for root)
  -- Session policies as a JSON array of policy documents (the inline Policy plus the documents
  -- of the PolicyArns, resolved at issue time). '[]' = none passed.
  session_policies     TEXT NOT NULL DEFAULT '[]',
  session_tags         TEXT NOT NULL DEFAULT '{}',  -- JSON object key -> value
  transitive_tag_keys  TEXT NOT NULL DEFAULT '[]',  -- JSON array
  source_identity      TEXT,
  mfa_authenticated    BIGINT NOT NULL DEFAULT 0,
  mfa_authenticated_at DOUBLE PRECISION,
  issued_at            DOUBLE PRECISION NOT NULL,
  expires_at           DOUBLE PRECISION NOT NULL,
  chained              BIGINT NOT NULL DEFAULT 0    -- issued to a role session (role chaining)
);
CREATE INDEX sts_sessions_role ON sts_sessions (role_id);
