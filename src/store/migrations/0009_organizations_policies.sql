-- 0009: Organizations policies and handshakes (issue 5).
-- When a policy's name, description or content last changed (EffectivePolicy's
-- LastUpdatedTimestamp); NULL reads as created_at.
ALTER TABLE org_policies ADD COLUMN updated_at DOUBLE PRECISION;

-- ENABLE_ALL_FEATURES member handshakes and the APPROVE_ALL_FEATURES handshake point at the
-- ENABLE_ALL_FEATURES handshake the management account started (ListHandshakes* Filter
-- ParentHandshakeId).
ALTER TABLE org_handshakes ADD COLUMN parent_handshake_id TEXT;
-- The Tags of InviteAccountToOrganization (JSON array of Tag), applied to the account when it
-- joins.
ALTER TABLE org_handshakes ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- The last state change (a completed handshake stays listed for 30 days after it).
ALTER TABLE org_handshakes ADD COLUMN updated_at DOUBLE PRECISION;
CREATE INDEX org_handshakes_parent ON org_handshakes (parent_handshake_id);
-- The handshake's ARN, fixed at creation (it names the management account of the time).
ALTER TABLE org_handshakes ADD COLUMN arn TEXT NOT NULL DEFAULT '';
