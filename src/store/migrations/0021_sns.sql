-- 0021: SNS (issue 13): topics with their attributes and tags, subscriptions, published messages
-- and the delivery outbox. A Publish commits its message and one sns_deliveries row per confirmed
-- subscription in one transaction; the delivery worker (services/sns/delivery.h) sends each row
-- and marks it delivered in a transaction of its own, so a crash between the two re-sends at most
-- the message in hand (with the same x-amz-sns-message-id). Portable SQL.
CREATE TABLE sns_topics (
  topic_arn   TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  region      TEXT NOT NULL,
  name        TEXT NOT NULL,
  attributes  TEXT NOT NULL,  -- JSON object of the attributes set (Policy, DisplayName, ...)
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX sns_topics_by_account ON sns_topics (account_id, region, topic_arn);

CREATE TABLE sns_topic_tags (
  topic_arn  TEXT NOT NULL,
  tag_key    TEXT NOT NULL,
  tag_value  TEXT NOT NULL,
  PRIMARY KEY (topic_arn, tag_key)
);

CREATE TABLE sns_subscriptions (
  subscription_arn  TEXT PRIMARY KEY,
  topic_arn         TEXT NOT NULL,
  owner_account     TEXT NOT NULL,
  protocol          TEXT NOT NULL,
  endpoint          TEXT NOT NULL,
  confirmed         BIGINT NOT NULL,      -- 0 = pending confirmation
  token             TEXT NOT NULL,        -- the confirmation token
  authenticate_on_unsubscribe BIGINT NOT NULL DEFAULT 0,
  attributes        TEXT NOT NULL,        -- JSON object (RawMessageDelivery, FilterPolicy, ...)
  created_at        DOUBLE PRECISION NOT NULL
);
CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn, subscription_arn);
CREATE INDEX sns_subscriptions_by_token ON sns_subscriptions (token);

CREATE TABLE sns_messages (
  message_id         TEXT PRIMARY KEY,
  topic_arn          TEXT NOT NULL,
  subject            TEXT NOT NULL,   -- '' = none
  message            TEXT NOT NULL,
  message_structure  TEXT NOT NULL,   -- '' or 'json'
  message_attributes TEXT NOT NULL,   -- JSON object as published
  published_at       DOUBLE PRECISION NOT NULL
);

-- The outbox. kind: 'Notification' (message_id names sns_messages) or 'SubscriptionConfirmation'
-- (message_id is the confirmation's own; token set). state: 'pending', 'delivered', 'failed'.
CREATE TABLE sns_deliveries (
  delivery_id       TEXT PRIMARY KEY,
  kind              TEXT NOT NULL,
  message_id        TEXT NOT NULL,
  topic_arn         TEXT NOT NULL,
  subscription_arn  TEXT NOT NULL,
  protocol          TEXT NOT NULL,
  endpoint          TEXT NOT NULL,
  token             TEXT NOT NULL,
  created_at        DOUBLE PRECISION NOT NULL,
  attempts          BIGINT NOT NULL DEFAULT 0,
  next_attempt_at   DOUBLE PRECISION NOT NULL,
  state             TEXT NOT NULL,
  finished_at       DOUBLE PRECISION,
  last_error        TEXT
);
CREATE INDEX sns_deliveries_due ON sns_deliveries (state, next_attempt_at);
