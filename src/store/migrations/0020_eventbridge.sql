-- 0020: EventBridge on the default event bus (issue 13): rules, their targets and tags. Rules are
-- per account and region (the SigV4 scope region); the default bus is implicit. Portable SQL.

-- state: ENABLED | DISABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. event_pattern and
-- schedule_expression are kept as the caller sent them (NULL when not given).
CREATE TABLE events_rules (
  account_id          TEXT NOT NULL,
  region              TEXT NOT NULL,
  name                TEXT NOT NULL,
  arn                 TEXT NOT NULL,
  event_pattern       TEXT,
  schedule_expression TEXT,
  state               TEXT NOT NULL,
  description         TEXT,
  role_arn            TEXT,
  created_at          DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (account_id, region, name)
);
-- The dispatch on every call's write path asks for the enabled rules of one account and region.
CREATE INDEX events_rules_state ON events_rules (account_id, region, state);

-- A rule's targets. target is the Target structure's JSON as PutTargets received it (Input,
-- InputPath, InputTransformer, RoleArn and the service parameters); arn beside it for lookups.
CREATE TABLE events_targets (
  account_id TEXT NOT NULL,
  region     TEXT NOT NULL,
  rule_name  TEXT NOT NULL,
  target_id  TEXT NOT NULL,
  arn        TEXT NOT NULL,
  target     TEXT NOT NULL,
  added_at   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (account_id, region, rule_name, target_id)
);
CREATE INDEX events_targets_arn ON events_targets (account_id, region, arn);

-- Tags of EventBridge resources (rules), by ARN.
CREATE TABLE events_tags (
  resource_arn TEXT NOT NULL,
  tag_key      TEXT NOT NULL,
  tag_value    TEXT NOT NULL,
  PRIMARY KEY (resource_arn, tag_key)
);
