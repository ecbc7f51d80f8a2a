-- 0007: IAM instance profiles (and the role each holds), service-linked role deletion tasks,
-- the account credential report and the console password history used by
-- PasswordReusePrevention. Portable SQL (SQLite and PostgreSQL): TEXT, BIGINT, DOUBLE PRECISION.

CREATE TABLE iam_instance_profiles (
  instance_profile_id TEXT PRIMARY KEY,                   -- AIPA + 17
  account_id          TEXT NOT NULL REFERENCES accounts (account_id),
  profile_name        TEXT NOT NULL,
  profile_name_lower  TEXT NOT NULL,
  path                TEXT NOT NULL,
  created_at          DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX iam_instance_profiles_name ON iam_instance_profiles (account_id, profile_name_lower);

-- AWS allows one role per instance profile; the table does not assume it.
CREATE TABLE iam_instance_profile_roles (
  instance_profile_id TEXT NOT NULL REFERENCES iam_instance_profiles (instance_profile_id),
  role_id             TEXT NOT NULL REFERENCES iam_roles (role_id),
  added_at            DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (instance_profile_id, role_id)
);
CREATE INDEX iam_instance_profile_roles_role ON iam_instance_profile_roles (role_id);

-- DeleteServiceLinkedRole tasks: task-id -> status, as GetServiceLinkedRoleDeletionStatus reads.
CREATE TABLE iam_slr_deletion_tasks (
  deletion_task_id TEXT PRIMARY KEY,                      -- task/aws-service-role/<svc>/<role>/<uuid>
  account_id       TEXT NOT NULL,
  role_name        TEXT NOT NULL,
  status           TEXT NOT NULL,                         -- SUCCEEDED | IN_PROGRESS | FAILED | NOT_STARTED
  created_at       DOUBLE PRECISION NOT NULL
);

-- The last credential report generated for an account (GenerateCredentialReport).
CREATE TABLE iam_credential_reports (
  account_id   TEXT PRIMARY KEY,
  generated_at DOUBLE PRECISION NOT NULL,
  content      TEXT NOT NULL                              -- CSV as GetCredentialReport returns it
);

-- Previous console password hashes per user ('' = root), newest first by changed_at.
CREATE TABLE iam_password_history (
  account_id    TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  changed_at    DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_password_history_user ON iam_password_history (account_id, user_id);
