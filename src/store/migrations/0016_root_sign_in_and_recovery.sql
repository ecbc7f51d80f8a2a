-- 0016: the root user's console sign-in and recovery (issue 12), and the places its factors
-- live outside the account: mailboxes and phones, which the twin keeps locally, and the parties
-- who hold each factor. The root password is iam_login_profiles' row with user_id '' (0005);
-- root MFA devices are iam_mfa_devices with user_id '' (0005). Portable SQL.

-- Failed console sign-ins, for the lockout after too many (root and IAM users alike).
ALTER TABLE iam_login_profiles ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE iam_login_profiles ADD COLUMN locked_until DOUBLE PRECISION;

-- Mail the twin sent (password-reset links, verification links, one-time codes). address is
-- lower-cased; the recipient is whoever holds the mailbox (party_factors kind 'mailbox').
CREATE TABLE mailbox_messages (
  message_id TEXT PRIMARY KEY,
  address    TEXT NOT NULL,
  sent_at    DOUBLE PRECISION NOT NULL,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  token      TEXT                                   -- the link's token or the code it carries
);
CREATE INDEX mailbox_messages_address ON mailbox_messages (address, sent_at);

-- Phone calls the twin placed (the primary-contact phone check of MFA recovery). phone_number
-- is kept as digits with a leading '+'.
CREATE TABLE phone_calls (
  call_id      TEXT PRIMARY KEY,
  phone_number TEXT NOT NULL,
  placed_at    DOUBLE PRECISION NOT NULL,
  purpose      TEXT NOT NULL,
  code         TEXT NOT NULL                         -- what the caller is asked to key in
);
CREATE INDEX phone_calls_number ON phone_calls (phone_number, placed_at);

-- One-time tokens: reset links, verification links, OTPs. Used once, before expires_at.
-- purpose: root-password-reset | mfa-recovery-email | mfa-recovery-phone |
--          primary-email-update. subject: what the token is about (the new address of an email
-- update, the recovery flow's ID).
CREATE TABLE one_time_tokens (
  token      TEXT PRIMARY KEY,
  purpose    TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject    TEXT NOT NULL DEFAULT '',
  created_at DOUBLE PRECISION NOT NULL,
  expires_at DOUBLE PRECISION NOT NULL,
  used_at    DOUBLE PRECISION
);
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose);

-- CloudTrail-shaped events (the console sign-ins now; every call with the audit trail).
-- record is the event's JSON as CloudTrail writes it.
CREATE TABLE trail_events (
  event_id     TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL,                        -- recipientAccountId
  event_time   DOUBLE PRECISION NOT NULL,
  event_source TEXT NOT NULL,
  event_name   TEXT NOT NULL,
  record       TEXT NOT NULL
);
CREATE INDEX trail_events_account_time ON trail_events (account_id, event_time);

-- Parties (the seed's partner and customer) and the factors each holds. kind:
--   root-password (ref: account ID)       iam-password (ref: account ID/user name)
--   mfa-device (ref: serial number)        mailbox (ref: email address, lower-cased)
--   phone (ref: +digits)                   payment-card (ref: account ID)
--   access-key (ref: access key ID)
CREATE TABLE parties (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE TABLE party_factors (
  party TEXT NOT NULL REFERENCES parties (name),
  kind  TEXT NOT NULL,
  ref   TEXT NOT NULL,
  PRIMARY KEY (party, kind, ref)
);
CREATE INDEX party_factors_ref ON party_factors (kind, ref);
