-- 0025: consolidated billing (issue 14; services/billing/, repo/billing_repository.h).
--
-- billing_payer_periods: each stretch of an account's membership in an organization. A charge
-- incurred at time t belongs to the management account of the organization the account was in
-- at t (started_at <= t, and t < ended_at while the stretch is closed); outside every stretch
-- the account pays its own bill. Organizations opens a stretch when an account joins (created,
-- invited, or the management account with its new organization) and closes it when the account
-- leaves, is removed, or the organization is deleted. The history is never rewritten, so a
-- charge keeps its payer however the account moves later.
CREATE TABLE billing_payer_periods (
  account_id       TEXT NOT NULL,
  org_id           TEXT NOT NULL,
  payer_account_id TEXT NOT NULL,                  -- the organization's management account
  started_at       DOUBLE PRECISION NOT NULL,
  ended_at         DOUBLE PRECISION                -- NULL while the account is a member
);
CREATE INDEX billing_payer_periods_account ON billing_payer_periods (account_id, started_at);
-- Memberships from before this migration start their stretch when they joined.
INSERT INTO billing_payer_periods (account_id, org_id, payer_account_id, started_at)
  SELECT m.account_id, m.org_id, o.management_account_id, m.joined_at
  FROM org_accounts m JOIN organizations o ON o.org_id = m.org_id;

-- billing_charges: priced usage, one row per usage record (Cost Explorer sums them). The payer is
-- fixed when the charge is recorded: the payer at the moment of the usage, from
-- billing_payer_periods. cost_micros: USD millionths, so sums are exact.
CREATE TABLE billing_charges (
  charge_id        TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL,
  payer_account_id TEXT NOT NULL,
  usage_at         DOUBLE PRECISION NOT NULL,      -- the moment of the usage
  usage_day        TEXT NOT NULL,                  -- its day, YYYY-MM-DD UTC
  service          TEXT NOT NULL,                  -- Cost Explorer's SERVICE dimension value
  usage_type       TEXT NOT NULL,                  -- USAGE_TYPE, e.g. USE1-BoxUsage:t3.micro
  region           TEXT NOT NULL,
  usage_quantity   DOUBLE PRECISION NOT NULL,
  usage_unit       TEXT NOT NULL,                  -- Hrs, GB-Mo, Requests, ...
  cost_micros      BIGINT NOT NULL,
  recorded_at      DOUBLE PRECISION NOT NULL
);
CREATE INDEX billing_charges_payer_day ON billing_charges (payer_account_id, usage_day);
CREATE INDEX billing_charges_account_day ON billing_charges (account_id, usage_day);
