-- 0017: the Account Management API's Region opt-in status (services/account/account_regions.cc).
-- Only opt-in Regions an account has enabled or disabled have a row; a Region without one is
-- ENABLED_BY_DEFAULT or DISABLED, as the Region table in the code says. status is the last
-- request (ENABLING | DISABLING); it reads as ENABLED / DISABLED once the twin's clock passes
-- changed_at plus the transition delay. Portable SQL.

CREATE TABLE account_regions (
  account_id  TEXT NOT NULL REFERENCES accounts (account_id),
  region_name TEXT NOT NULL,
  status      TEXT NOT NULL,                                  -- ENABLING | DISABLING
  changed_at  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (account_id, region_name)
);
