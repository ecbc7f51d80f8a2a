-- 0019: the optional SMTP relay (`serve --smtp`, services/root/smtp_relay.h). mailbox_messages is
-- its outbox: a message is committed first and relayed after, retried until the relay server
-- takes it (relay_next_at backs off), so no acknowledged message is lost to a crash. Portable SQL.
ALTER TABLE mailbox_messages ADD COLUMN relayed_at DOUBLE PRECISION;
ALTER TABLE mailbox_messages ADD COLUMN relay_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mailbox_messages ADD COLUMN relay_next_at DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE mailbox_messages ADD COLUMN relay_error TEXT;
CREATE INDEX mailbox_messages_unrelayed ON mailbox_messages (sent_at) WHERE relayed_at IS NULL;
