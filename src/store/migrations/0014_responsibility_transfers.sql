-- Responsibility (billing) transfers between organizations (AWS-FACTS 2.10): the partner's
-- management account invites a customer organization's management account to let the partner
-- pay and manage its bill. The invitation is an org_handshakes row (action
-- TRANSFER_RESPONSIBILITY, owned by the inviting organization); the transfer is this row.
--   target_*: the bill-transfer side, the inviter, who manages and pays ("inbound" for it).
--   source_*: the bill-source side, the invited organization ("outbound" for it).
CREATE TABLE org_responsibility_transfers (
  transfer_id       TEXT PRIMARY KEY,                     -- rt-[0-9a-z]{8,32}
  transfer_type     TEXT NOT NULL,                        -- BILLING
  name              TEXT NOT NULL,                        -- SourceName of the invitation
  -- REQUESTED | ACCEPTED | DECLINED | CANCELED | WITHDRAWN; a REQUESTED row past expires_at
  -- reads EXPIRED
  status            TEXT NOT NULL,
  handshake_id      TEXT NOT NULL,
  target_org_id     TEXT NOT NULL,
  target_account_id TEXT NOT NULL,
  source_org_id     TEXT NOT NULL,
  source_account_id TEXT NOT NULL,
  start_at          DOUBLE PRECISION NOT NULL,
  expires_at        DOUBLE PRECISION NOT NULL,            -- the invitation's, as its handshake
  end_at            DOUBLE PRECISION,                     -- set by TerminateResponsibilityTransfer
  requested_at      DOUBLE PRECISION NOT NULL,
  updated_at        DOUBLE PRECISION NOT NULL
);
CREATE INDEX org_responsibility_transfers_target ON org_responsibility_transfers (target_account_id);
CREATE INDEX org_responsibility_transfers_source ON org_responsibility_transfers (source_account_id);
CREATE INDEX org_responsibility_transfers_handshake ON org_responsibility_transfers (handshake_id);
