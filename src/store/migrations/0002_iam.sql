-- 0002: IAM entities of every account: users, groups (and membership), roles, customer managed
-- policies with their versions, managed-policy attachments, inline policies and tags.
-- Portable SQL (SQLite and PostgreSQL): TEXT, BIGINT, DOUBLE PRECISION only.
--
-- Entities are keyed by their unique ID (AIDA.../AGPA.../AROA.../ANPA...) so a rename touches one
-- row; names are unique per account case-insensitively through the *_lower columns (AWS compares
-- IAM names without regard to case but returns them as written).

CREATE TABLE iam_users (
  user_id                  TEXT PRIMARY KEY,             -- AIDA + 17
  account_id               TEXT NOT NULL REFERENCES accounts (account_id),
  user_name                TEXT NOT NULL,
  user_name_lower          TEXT NOT NULL,
  path                     TEXT NOT NULL,
  permissions_boundary_arn TEXT,
  created_at               DOUBLE PRECISION NOT NULL     -- epoch seconds (whole)
);
CREATE UNIQUE INDEX iam_users_name ON iam_users (account_id, user_name_lower);

CREATE TABLE iam_groups (
  group_id         TEXT PRIMARY KEY,                     -- AGPA + 17
  account_id       TEXT NOT NULL REFERENCES accounts (account_id),
  group_name       TEXT NOT NULL,
  group_name_lower TEXT NOT NULL,
  path             TEXT NOT NULL,
  created_at       DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX iam_groups_name ON iam_groups (account_id, group_name_lower);

CREATE TABLE iam_group_members (
  group_id TEXT NOT NULL REFERENCES iam_groups (group_id),
  user_id  TEXT NOT NULL REFERENCES iam_users (user_id),
  added_at DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX iam_group_members_user ON iam_group_members (user_id);

CREATE TABLE iam_roles (
  role_id                  TEXT PRIMARY KEY,             -- AROA + 17
  account_id               TEXT NOT NULL REFERENCES accounts (account_id),
  role_name                TEXT NOT NULL,
  role_name_lower          TEXT NOT NULL,
  path                     TEXT NOT NULL,
  assume_role_policy       TEXT NOT NULL,                -- the trust policy as submitted
  description              TEXT,
  max_session_duration     BIGINT NOT NULL,
  permissions_boundary_arn TEXT,
  last_used_at             DOUBLE PRECISION,
  last_used_region         TEXT,
  created_at               DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX iam_roles_name ON iam_roles (account_id, role_name_lower);

-- Customer managed policies (AWS managed ones come from the embedded catalog, policy/catalog.h).
CREATE TABLE iam_policies (
  policy_id          TEXT PRIMARY KEY,                   -- ANPA + 17
  account_id         TEXT NOT NULL REFERENCES accounts (account_id),
  policy_name        TEXT NOT NULL,
  policy_name_lower  TEXT NOT NULL,
  path               TEXT NOT NULL,
  arn                TEXT NOT NULL,
  description        TEXT,
  default_version_id TEXT NOT NULL,
  next_version       BIGINT NOT NULL,                    -- number of the next vN to create
  created_at         DOUBLE PRECISION NOT NULL,
  updated_at         DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX iam_policies_name ON iam_policies (account_id, policy_name_lower);
CREATE UNIQUE INDEX iam_policies_arn ON iam_policies (arn);

CREATE TABLE iam_policy_versions (
  policy_id      TEXT NOT NULL REFERENCES iam_policies (policy_id),
  version_number BIGINT NOT NULL,                        -- N of "vN"
  document       TEXT NOT NULL,                          -- as submitted
  created_at     DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (policy_id, version_number)
);

-- Managed policies attached to users, groups and roles. policy_arn may name an AWS managed policy.
-- entity_type: 'User' | 'Group' | 'Role'; entity_id: the entity's unique ID.
CREATE TABLE iam_attachments (
  account_id  TEXT NOT NULL REFERENCES accounts (account_id),
  entity_type TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  policy_arn  TEXT NOT NULL,
  attached_at DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (entity_type, entity_id, policy_arn)
);
CREATE INDEX iam_attachments_policy ON iam_attachments (account_id, policy_arn);

-- Inline policies embedded in users, groups and roles.
CREATE TABLE iam_inline_policies (
  entity_type TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  document    TEXT NOT NULL,
  PRIMARY KEY (entity_type, entity_id, policy_name)
);

-- Tags of taggable IAM entities, in insertion order (position).
CREATE TABLE iam_tags (
  entity_type TEXT NOT NULL,                             -- 'User' | 'Role' | 'Policy' | ...
  entity_id   TEXT NOT NULL,
  tag_key       TEXT NOT NULL,                         -- as last written
  tag_key_lower TEXT NOT NULL,                         -- IAM tag keys are case-insensitive
  tag_value     TEXT NOT NULL,
  position      BIGINT NOT NULL,
  PRIMARY KEY (entity_type, entity_id, tag_key_lower)
);
