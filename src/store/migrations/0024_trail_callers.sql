-- 0024: events stored compactly (services/trail/stored_event.h). The caller part of an event --
-- userIdentity, awsRegion, sourceIPAddress and userAgent, the same for every call of a client --
-- is stored once here, keyed by a hash of its JSON; trail_events.record then holds the rest of
-- the event, and caller_key names its caller. Rows written before this migration (caller_key
-- NULL) keep their whole record and read as they were. Caller rows are never deleted, by the
-- 90-day pruning or a reset (services/twin/default_account.h TwinKeptTables): the audit trail
-- remembers which are committed and does not write them again.
CREATE TABLE trail_callers (
  caller_key TEXT PRIMARY KEY,
  caller     TEXT NOT NULL
);
ALTER TABLE trail_events ADD COLUMN caller_key TEXT;
