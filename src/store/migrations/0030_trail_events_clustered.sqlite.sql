-- 0030: trail_events clustered on (account_id, event_time, event_id) (SQLite WITHOUT ROWID).
--
-- Why: every API call inserts one row here, inside the write it records (issue 13), and the
-- write path's budget is tight. As a rowid table with the (account_id, event_time) index, an
-- insert wrote two B-trees, and each commit put a page of each into the WAL. Clustered on the
-- key every reader already asks for (LookupEvents: one account, newest first by time then event
-- ID; log delivery: accounts' events oldest first after a (time, event ID) position), an insert
-- writes one B-tree, and those readers walk the rows in key order without a sort or a lookup
-- from index to row. The key is unique: event IDs are fresh UUIDs.
--
-- The price: a clustered B-tree keeps at most about a quarter of a page of a row on the page (as
-- 0013 says), so a record over ~1,000 bytes (a call whose parameters carry a large policy) spills
-- its tail to an overflow page. Most packed records are far shorter (stored_event.h: CreateRole's
-- 247 characters, AssumeRole's 211, GetRole's 95).
--
-- The columns are those of 0023 and 0024. SQLite dialect; PostgreSQL keeps its heap and index.
CREATE TABLE trail_events_next (
  event_id     TEXT NOT NULL,
  account_id   TEXT NOT NULL,                        -- recipientAccountId
  event_time   DOUBLE PRECISION NOT NULL,
  event_source TEXT NOT NULL,
  event_name   TEXT NOT NULL,
  record       TEXT NOT NULL,
  caller_key   TEXT,
  PRIMARY KEY (account_id, event_time, event_id)
) WITHOUT ROWID;
INSERT INTO trail_events_next (event_id, account_id, event_time, event_source, event_name, record,
                               caller_key)
  SELECT event_id, account_id, event_time, event_source, event_name, record, caller_key
  FROM trail_events;
DROP TABLE trail_events;
ALTER TABLE trail_events_next RENAME TO trail_events;
