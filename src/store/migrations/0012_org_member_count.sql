-- 0012: (1) organizations.member_count is the number of org_accounts rows of the organization, kept
-- by the Organizations handlers in the same transaction as each membership change
-- (services/organizations/org_store.h AddMembership / RemoveMembership). The account quota is
-- checked on every CreateAccount and invitation: counting the members each time cost time
-- linear in the organization's size (at 10,000 accounts, most of a CreateAccount).
-- (2) accounts.membership_changed_at: when the account last joined or left an organization (set
-- by the same helpers), for HandshakeConstraintViolation ORGANIZATION_MEMBERSHIP_CHANGE_RATE_
-- LIMIT_EXCEEDED on an accept that follows the previous change too closely. NULL: never.
ALTER TABLE organizations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE organizations SET member_count =
  (SELECT COUNT(*) FROM org_accounts WHERE org_accounts.org_id = organizations.org_id);
ALTER TABLE accounts ADD COLUMN membership_changed_at DOUBLE PRECISION;
