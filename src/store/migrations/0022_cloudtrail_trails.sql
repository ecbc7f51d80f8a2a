-- 0022: CloudTrail trails (services/trail/trails.h) and their log-file delivery
-- (services/trail/log_delivery.h). A trail belongs to the account that created it, in its home
-- Region; an organization trail (is_organization_trail) of a management account also covers the
-- organization's members. Optional strings are '' when absent. Booleans are 0/1. Portable SQL.
CREATE TABLE cloudtrail_trails (
  trail_arn                     TEXT PRIMARY KEY,
  account_id                    TEXT NOT NULL,
  home_region                   TEXT NOT NULL,
  name                          TEXT NOT NULL,
  s3_bucket_name                TEXT NOT NULL,
  s3_key_prefix                 TEXT NOT NULL DEFAULT '',
  sns_topic_name                TEXT NOT NULL DEFAULT '',
  include_global_service_events BIGINT NOT NULL DEFAULT 1,
  is_multi_region_trail         BIGINT NOT NULL DEFAULT 0,
  is_organization_trail         BIGINT NOT NULL DEFAULT 0,
  log_file_validation_enabled   BIGINT NOT NULL DEFAULT 0,
  cloud_watch_logs_log_group_arn TEXT NOT NULL DEFAULT '',
  cloud_watch_logs_role_arn     TEXT NOT NULL DEFAULT '',
  kms_key_id                    TEXT NOT NULL DEFAULT '',
  -- PutEventSelectors' selectors as JSON arrays; '' = never put (the default selector).
  event_selectors               TEXT NOT NULL DEFAULT '',
  advanced_event_selectors      TEXT NOT NULL DEFAULT '',
  created_at                    DOUBLE PRECISION NOT NULL,
  is_logging                    BIGINT NOT NULL DEFAULT 0,
  start_logging_time            DOUBLE PRECISION,
  stop_logging_time             DOUBLE PRECISION,
  latest_delivery_time          DOUBLE PRECISION,
  latest_delivery_attempt_time  DOUBLE PRECISION,
  latest_delivery_error         TEXT NOT NULL DEFAULT '',
  -- Delivery cursor: every event up to (delivered_time, delivered_event_id) in (event_time,
  -- event_id) order has been written to a log file.
  delivered_time                DOUBLE PRECISION NOT NULL DEFAULT 0,
  delivered_event_id            TEXT NOT NULL DEFAULT '',
  -- A delivery in progress (the outbox step): the files for the events after the cursor up to
  -- (pending_time, pending_event_id) are named from pending_nonce and stamped pending_at. Set and
  -- committed before any file is written, cleared with the cursor's move after, so a restart
  -- rewrites exactly the same files instead of losing or repeating events.
  pending_time                  DOUBLE PRECISION,
  pending_event_id              TEXT NOT NULL DEFAULT '',
  pending_nonce                 TEXT NOT NULL DEFAULT '',
  pending_at                    DOUBLE PRECISION
);
CREATE UNIQUE INDEX cloudtrail_trails_name ON cloudtrail_trails (account_id, home_region, name);
CREATE INDEX cloudtrail_trails_by_name ON cloudtrail_trails (name);
-- LoggingTrailCovers asks on every recorded call: one index probe when nothing logs.
CREATE INDEX cloudtrail_trails_logging ON cloudtrail_trails (is_logging);

CREATE TABLE cloudtrail_trail_tags (
  trail_arn TEXT NOT NULL,
  tag_key   TEXT NOT NULL,
  tag_value TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (trail_arn, tag_key)
);
