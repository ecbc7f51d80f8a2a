-- 0029: what several orgtwin nodes on one PostgreSQL database share beyond the data (issue 17).
-- store_revision: one row, raised by every write transaction the PostgreSQL backend commits. A
-- node that finds it moved by a commit that was not its own drops its in-memory caches of stored
-- state before it answers (Store::CommitsByOthers). SQLite, one serving process per file, leaves
-- it at 0.
CREATE TABLE store_revision (
  id BIGINT PRIMARY KEY,
  revision BIGINT NOT NULL
);
INSERT INTO store_revision (id, revision) VALUES (1, 0);
-- twin_clock: how far `serve --clock adjustable` has moved the twin's clock ahead of real time,
-- in microseconds, so every node and every restart runs on the same clock. Only grows.
CREATE TABLE twin_clock (
  id BIGINT PRIMARY KEY,
  offset_us BIGINT NOT NULL
);
INSERT INTO twin_clock (id, offset_us) VALUES (1, 0);
