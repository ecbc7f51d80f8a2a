-- 0018: centralized root access (IAM EnableOrganizationsRootCredentialsManagement and
-- EnableOrganizationsRootSessions): the features an organization has turned on for its member
-- accounts' root users. One row per enabled feature; no row = disabled. Portable SQL.
--   feature: RootCredentialsManagement | RootSessions (the IAM model's FeatureType)
CREATE TABLE org_root_features (
  org_id     TEXT NOT NULL,
  feature    TEXT NOT NULL,
  enabled_at DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (org_id, feature)
);
