// File: repo/sns_repository.h
//
// SNS's rows (migration 0021): topics (attributes kept as a JSON object text), their tags,
// subscriptions, published messages and the delivery outbox the worker drains
// (services/sns/delivery.h). Typed rows only: the services turn them into AWS shapes and errors.
// The gateway's authorizer reads a topic's policy through FindTopic/EffectiveTopicPolicy.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// ---- sns_topics, sns_topic_tags ----
struct SnsTopicRow {
  std::string topic_arn;
  std::string account_id;
  std::string region;
  std::string name;
  std::string attributes = "{}";  // JSON object text of the attributes set
  double created_at = 0;
};
Status InsertSnsTopic(store::Transaction& tx, const SnsTopicRow& topic);
Result<std::optional<SnsTopicRow>> FindSnsTopic(store::Transaction& tx, std::string_view arn);
Status UpdateSnsTopicAttributes(store::Transaction& tx, std::string_view arn,
                                std::string_view attributes);
// Deletes the topic, its tags and its subscriptions (pending deliveries stay: AWS delivers what
// was published before the delete).
Status DeleteSnsTopic(store::Transaction& tx, std::string_view arn);
// The topics of `account_id` in `region` with an ARN after `after` ("" = from the first), in ARN
// order, at most `limit`.
Result<std::vector<SnsTopicRow>> ListSnsTopics(store::Transaction& tx, std::string_view account_id,
                                               std::string_view region, std::string_view after,
                                               int64_t limit);
// Tags, ordered by key.
Result<std::vector<std::pair<std::string, std::string>>> SnsTopicTags(store::Transaction& tx,
                                                                      std::string_view arn);
Status PutSnsTopicTag(store::Transaction& tx, std::string_view arn, std::string_view key,
                      std::string_view value);
Status DeleteSnsTopicTag(store::Transaction& tx, std::string_view arn, std::string_view key);

// The topic's access policy: its Policy attribute, or AWS's default policy for a topic of
// `account_id` when none was set (the same document GetTopicAttributes answers).
std::string DefaultSnsTopicPolicy(std::string_view topic_arn, std::string_view account_id);
std::string EffectiveSnsTopicPolicy(const SnsTopicRow& topic);

// ---- sns_subscriptions ----
struct SnsSubscriptionRow {
  std::string subscription_arn;
  std::string topic_arn;
  std::string owner_account;
  std::string protocol;
  std::string endpoint;
  bool confirmed = false;
  std::string token;
  bool authenticate_on_unsubscribe = false;
  std::string attributes = "{}";  // JSON object text
  double created_at = 0;
};
Status InsertSnsSubscription(store::Transaction& tx, const SnsSubscriptionRow& subscription);
Result<std::optional<SnsSubscriptionRow>> FindSnsSubscription(store::Transaction& tx,
                                                              std::string_view arn);
Result<std::optional<SnsSubscriptionRow>> FindSnsSubscriptionByToken(store::Transaction& tx,
                                                                     std::string_view topic_arn,
                                                                     std::string_view token);
// The subscription of `topic_arn` to (protocol, endpoint), if any.
Result<std::optional<SnsSubscriptionRow>> FindSnsSubscriptionByEndpoint(store::Transaction& tx,
                                                                        std::string_view topic_arn,
                                                                        std::string_view protocol,
                                                                        std::string_view endpoint);
Status ConfirmSnsSubscription(store::Transaction& tx, std::string_view arn,
                              bool authenticate_on_unsubscribe);
Status UpdateSnsSubscriptionAttributes(store::Transaction& tx, std::string_view arn,
                                       std::string_view attributes);
Status DeleteSnsSubscription(store::Transaction& tx, std::string_view arn);
// `topic_arn` "" = every topic; `owner_account` "" = any owner. Ordered by ARN, after `after`.
Result<std::vector<SnsSubscriptionRow>> ListSnsSubscriptions(store::Transaction& tx,
                                                             std::string_view topic_arn,
                                                             std::string_view owner_account,
                                                             std::string_view after, int64_t limit);
struct SnsSubscriptionCounts {
  int64_t confirmed = 0;
  int64_t pending = 0;
};
Result<SnsSubscriptionCounts> CountSnsSubscriptions(store::Transaction& tx,
                                                    std::string_view topic_arn);

// ---- sns_messages ----
struct SnsMessageRow {
  std::string message_id;
  std::string topic_arn;
  std::string subject;  // "" = none
  std::string message;
  std::string message_structure;          // "" or "json"
  std::string message_attributes = "{}";  // JSON object text
  double published_at = 0;
};
Status InsertSnsMessage(store::Transaction& tx, const SnsMessageRow& message);
Result<std::optional<SnsMessageRow>> FindSnsMessage(store::Transaction& tx,
                                                    std::string_view message_id);

// ---- sns_deliveries (the outbox) ----
inline constexpr std::string_view kSnsNotification = "Notification";
inline constexpr std::string_view kSnsSubscriptionConfirmation = "SubscriptionConfirmation";

struct SnsDeliveryRow {
  std::string delivery_id;
  std::string kind;  // kSnsNotification | kSnsSubscriptionConfirmation
  std::string message_id;
  std::string topic_arn;
  std::string subscription_arn;
  std::string protocol;
  std::string endpoint;
  std::string token;  // confirmations
  double created_at = 0;
  int64_t attempts = 0;  // failed attempts so far
  double next_attempt_at = 0;
  std::string state = "pending";  // pending | delivered | failed
};
Status InsertSnsDelivery(store::Transaction& tx, const SnsDeliveryRow& delivery);
// Pending deliveries due at `now`, oldest first, at most `limit`.
Result<std::vector<SnsDeliveryRow>> DueSnsDeliveries(store::Transaction& tx, double now,
                                                     int64_t limit);
// The earliest next_attempt_at of a pending delivery, if any.
Result<std::optional<double>> NextSnsDeliveryAt(store::Transaction& tx);
// Marks a pending delivery done ("delivered") at `now`; returns false if it was not pending.
Result<bool> MarkSnsDelivered(store::Transaction& tx, std::string_view delivery_id, double now);
// Records a failed attempt: retried at `next_attempt_at`, or given up ("failed") when `give_up`.
Status MarkSnsDeliveryFailed(store::Transaction& tx, std::string_view delivery_id,
                             std::string_view error, double next_attempt_at, bool give_up,
                             double now);
// Every delivery of a message, by subscription (tests, diagnostics).
Result<std::vector<SnsDeliveryRow>> SnsDeliveriesOf(store::Transaction& tx,
                                                    std::string_view message_id);

// ---- server_settings: the message-signing key ----
// The PEM private key and certificate SNS signs with (services/sns/message_signing.h); nullopt
// before the first use.
Result<std::optional<std::pair<std::string, std::string>>> FindSnsSigningKey(
    store::Transaction& tx);
// Stores them unless another writer stored first (then the stored pair is kept).
Status PutSnsSigningKey(store::Transaction& tx, std::string_view key_pem,
                        std::string_view cert_pem);

}  // namespace orgtwin::repo
