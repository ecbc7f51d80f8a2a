-- 0023: trail_events without its primary key. Every API call now writes a row here (the audit
-- trail, services/trail/audit_trail.h), inside the write it records; the primary key's separate
-- index on event_id was a third B-tree to update per call, and nothing looks an event up by ID
-- alone (LookupEvents' EventId attribute filters the caller's account's events, which the
-- (account_id, event_time) index finds). Event IDs stay unique: each is a fresh UUID.
CREATE TABLE trail_events_next (
  event_id     TEXT NOT NULL,
  account_id   TEXT NOT NULL,                        -- recipientAccountId
  event_time   DOUBLE PRECISION NOT NULL,
  event_source TEXT NOT NULL,
  event_name   TEXT NOT NULL,
  record       TEXT NOT NULL
);
INSERT INTO trail_events_next (event_id, account_id, event_time, event_source, event_name, record)
  SELECT event_id, account_id, event_time, event_source, event_name, record FROM trail_events;
DROP TABLE trail_events;
ALTER TABLE trail_events_next RENAME TO trail_events;
CREATE INDEX trail_events_account_time ON trail_events (account_id, event_time);
