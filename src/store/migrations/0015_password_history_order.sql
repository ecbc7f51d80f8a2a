-- Password history in the order passwords were set, on every backend: `seq` counts a user's
-- passwords (1, 2, ...), so two changes within one clock tick (the adjustable clock can stand
-- still) keep their order without SQLite's rowid. Rows written before this migration keep 0 and
-- are ordered by changed_at alone, as they were apart from ties.
ALTER TABLE iam_password_history ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
