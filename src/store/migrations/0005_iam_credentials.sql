-- 0005: IAM credentials beyond access keys (issue 4): console passwords, MFA devices, the
-- account password policy and alias. Root users use user_id '' (empty) in these tables.
CREATE TABLE iam_login_profiles (
  account_id              TEXT NOT NULL,
  user_id                 TEXT NOT NULL,            -- iam_users unique ID, '' for the root user
  password_hash           TEXT NOT NULL,            -- auth/password.h format
  password_reset_required BIGINT NOT NULL DEFAULT 0,
  created_at              DOUBLE PRECISION NOT NULL,
  password_last_used      DOUBLE PRECISION,
  PRIMARY KEY (account_id, user_id)
);

CREATE TABLE iam_mfa_devices (
  serial_number   TEXT PRIMARY KEY,                 -- arn:aws:iam::A:mfa/<name>
  account_id      TEXT NOT NULL,
  device_name     TEXT NOT NULL,
  path            TEXT NOT NULL DEFAULT '/',
  seed_base32     TEXT NOT NULL,                    -- TOTP seed (virtual devices)
  user_id         TEXT,                             -- NULL until enabled; '' = root user
  enabled_at      DOUBLE PRECISION,
  last_used_step  BIGINT NOT NULL DEFAULT 0,        -- last accepted TOTP step (no replay)
  created_at      DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_mfa_devices_user ON iam_mfa_devices (account_id, user_id);

CREATE TABLE iam_password_policies (
  account_id TEXT PRIMARY KEY,
  policy     TEXT NOT NULL                          -- JSON: the PasswordPolicy shape
);

CREATE TABLE iam_account_aliases (
  account_id TEXT PRIMARY KEY,
  alias      TEXT NOT NULL UNIQUE
);
