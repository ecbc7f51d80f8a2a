#include "repo/sns_repository.h"

#include <boost/json.hpp>

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

using internal::Exec;

constexpr std::string_view kTopicColumns =
    "topic_arn, account_id, region, name, attributes, created_at";

SnsTopicRow ToTopic(const store::Row& r) {
  return SnsTopicRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Double(5)};
}

constexpr std::string_view kSubscriptionColumns =
    "subscription_arn, topic_arn, owner_account, protocol, endpoint, confirmed, token, "
    "authenticate_on_unsubscribe, attributes, created_at";

SnsSubscriptionRow ToSubscription(const store::Row& r) {
  SnsSubscriptionRow s;
  s.subscription_arn = r.Text(0);
  s.topic_arn = r.Text(1);
  s.owner_account = r.Text(2);
  s.protocol = r.Text(3);
  s.endpoint = r.Text(4);
  s.confirmed = r.Int(5) != 0;
  s.token = r.Text(6);
  s.authenticate_on_unsubscribe = r.Int(7) != 0;
  s.attributes = r.Text(8);
  s.created_at = r.Double(9);
  return s;
}

constexpr std::string_view kDeliveryColumns =
    "delivery_id, kind, message_id, topic_arn, subscription_arn, protocol, endpoint, token, "
    "created_at, attempts, next_attempt_at, state";

SnsDeliveryRow ToDelivery(const store::Row& r) {
  SnsDeliveryRow d;
  d.delivery_id = r.Text(0);
  d.kind = r.Text(1);
  d.message_id = r.Text(2);
  d.topic_arn = r.Text(3);
  d.subscription_arn = r.Text(4);
  d.protocol = r.Text(5);
  d.endpoint = r.Text(6);
  d.token = r.Text(7);
  d.created_at = r.Double(8);
  d.attempts = r.Int(9);
  d.next_attempt_at = r.Double(10);
  d.state = r.Text(11);
  return d;
}

std::string Sql(std::string_view head, std::string_view columns, std::string_view tail) {
  std::string sql(head);
  sql.append(columns).append(tail);
  return sql;
}

}  // namespace

Status InsertSnsTopic(store::Transaction& tx, const SnsTopicRow& topic) {
  return Exec(tx, Sql("INSERT INTO sns_topics (", kTopicColumns, ") VALUES (?, ?, ?, ?, ?, ?)"),
              {topic.topic_arn, topic.account_id, topic.region, topic.name, topic.attributes,
               topic.created_at});
}

Result<std::optional<SnsTopicRow>> FindSnsTopic(store::Transaction& tx, std::string_view arn) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(Sql("SELECT ", kTopicColumns, " FROM sns_topics WHERE topic_arn = ?"),
                          {std::string(arn)}));
  if (rows.empty()) return std::optional<SnsTopicRow>();
  return std::optional<SnsTopicRow>(ToTopic(rows.front()));
}

Status UpdateSnsTopicAttributes(store::Transaction& tx, std::string_view arn,
                                std::string_view attributes) {
  return Exec(tx, "UPDATE sns_topics SET attributes = ? WHERE topic_arn = ?",
              {std::string(attributes), std::string(arn)});
}

Status DeleteSnsTopic(store::Transaction& tx, std::string_view arn) {
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM sns_subscriptions WHERE topic_arn = ?", {std::string(arn)}));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM sns_topic_tags WHERE topic_arn = ?", {std::string(arn)}));
  return Exec(tx, "DELETE FROM sns_topics WHERE topic_arn = ?", {std::string(arn)});
}

Result<std::vector<SnsTopicRow>> ListSnsTopics(store::Transaction& tx, std::string_view account_id,
                                               std::string_view region, std::string_view after,
                                               int64_t limit) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(Sql("SELECT ", kTopicColumns,
                   " FROM sns_topics WHERE account_id = ? AND region = ? AND topic_arn > ? "
                   "ORDER BY topic_arn LIMIT ?"),
               {std::string(account_id), std::string(region), std::string(after), limit}));
  std::vector<SnsTopicRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToTopic(r));
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SnsTopicTags(store::Transaction& tx,
                                                                      std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM sns_topic_tags WHERE "
                                          "topic_arn = ? ORDER BY tag_key",
                                          {std::string(arn)}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Status PutSnsTopicTag(store::Transaction& tx, std::string_view arn, std::string_view key,
                      std::string_view value) {
  return Exec(tx,
              "INSERT INTO sns_topic_tags (topic_arn, tag_key, tag_value) VALUES (?, ?, ?) "
              "ON CONFLICT (topic_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
              {std::string(arn), std::string(key), std::string(value)});
}

Status DeleteSnsTopicTag(store::Transaction& tx, std::string_view arn, std::string_view key) {
  return Exec(tx, "DELETE FROM sns_topic_tags WHERE topic_arn = ? AND tag_key = ?",
              {std::string(arn), std::string(key)});
}

std::string DefaultSnsTopicPolicy(std::string_view topic_arn, std::string_view account_id) {
  // AWS-COMPAT: the document AWS gives a topic created without a Policy attribute: every
  // principal of the owner's account (AWS:SourceOwner) may manage, subscribe to and publish to
  // the topic; other accounts and AWS services need a policy of their own.
  boost::json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", boost::json::object{{"AWS", "*"}}},
      {"Action",
       boost::json::array{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                          "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                          "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
      {"Resource", topic_arn},
      {"Condition", boost::json::object{
                        {"StringEquals", boost::json::object{{"AWS:SourceOwner", account_id}}}}}};
  boost::json::object policy{{"Version", "2008-10-17"},
                             {"Id", "__default_policy_ID"},
                             {"Statement", boost::json::array{std::move(statement)}}};
  return boost::json::serialize(policy);
}

std::string EffectiveSnsTopicPolicy(const SnsTopicRow& topic) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(topic.attributes, ec);
  if (!ec && parsed.is_object()) {
    const boost::json::value* policy = parsed.get_object().if_contains("Policy");
    if (policy != nullptr && policy->is_string() && !policy->get_string().empty()) {
      return std::string(policy->get_string());
    }
  }
  return DefaultSnsTopicPolicy(topic.topic_arn, topic.account_id);
}

Status InsertSnsSubscription(store::Transaction& tx, const SnsSubscriptionRow& s) {
  return Exec(tx,
              Sql("INSERT INTO sns_subscriptions (", kSubscriptionColumns,
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
              {s.subscription_arn, s.topic_arn, s.owner_account, s.protocol, s.endpoint,
               int64_t{s.confirmed ? 1 : 0}, s.token,
               int64_t{s.authenticate_on_unsubscribe ? 1 : 0}, s.attributes, s.created_at});
}

Result<std::optional<SnsSubscriptionRow>> FindSnsSubscription(store::Transaction& tx,
                                                              std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kSubscriptionColumns,
                                              " FROM sns_subscriptions WHERE "
                                              "subscription_arn = ?"),
                                          {std::string(arn)}));
  if (rows.empty()) return std::optional<SnsSubscriptionRow>();
  return std::optional<SnsSubscriptionRow>(ToSubscription(rows.front()));
}

Result<std::optional<SnsSubscriptionRow>> FindSnsSubscriptionByToken(store::Transaction& tx,
                                                                     std::string_view topic_arn,
                                                                     std::string_view token) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kSubscriptionColumns,
                                              " FROM sns_subscriptions WHERE token = ? AND "
                                              "topic_arn = ?"),
                                          {std::string(token), std::string(topic_arn)}));
  if (rows.empty()) return std::optional<SnsSubscriptionRow>();
  return std::optional<SnsSubscriptionRow>(ToSubscription(rows.front()));
}

Result<std::optional<SnsSubscriptionRow>> FindSnsSubscriptionByEndpoint(store::Transaction& tx,
                                                                        std::string_view topic_arn,
                                                                        std::string_view protocol,
                                                                        std::string_view endpoint) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(Sql("SELECT ", kSubscriptionColumns,
                              " FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND "
                              "endpoint = ? ORDER BY subscription_arn"),
                          {std::string(topic_arn), std::string(protocol), std::string(endpoint)}));
  if (rows.empty()) return std::optional<SnsSubscriptionRow>();
  return std::optional<SnsSubscriptionRow>(ToSubscription(rows.front()));
}

Status ConfirmSnsSubscription(store::Transaction& tx, std::string_view arn,
                              bool authenticate_on_unsubscribe) {
  return Exec(tx,
              "UPDATE sns_subscriptions SET confirmed = 1, authenticate_on_unsubscribe = ? "
              "WHERE subscription_arn = ?",
              {int64_t{authenticate_on_unsubscribe ? 1 : 0}, std::string(arn)});
}

Status UpdateSnsSubscriptionAttributes(store::Transaction& tx, std::string_view arn,
                                       std::string_view attributes) {
  return Exec(tx, "UPDATE sns_subscriptions SET attributes = ? WHERE subscription_arn = ?",
              {std::string(attributes), std::string(arn)});
}

Status DeleteSnsSubscription(store::Transaction& tx, std::string_view arn) {
  return Exec(tx, "DELETE FROM sns_subscriptions WHERE subscription_arn = ?", {std::string(arn)});
}

Result<std::vector<SnsSubscriptionRow>> ListSnsSubscriptions(store::Transaction& tx,
                                                             std::string_view topic_arn,
                                                             std::string_view owner_account,
                                                             std::string_view after,
                                                             int64_t limit) {
  std::string sql =
      Sql("SELECT ", kSubscriptionColumns, " FROM sns_subscriptions WHERE subscription_arn > ?");
  std::vector<store::Value> params{std::string(after)};
  if (!topic_arn.empty()) {
    sql += " AND topic_arn = ?";
    params.emplace_back(std::string(topic_arn));
  }
  if (!owner_account.empty()) {
    sql += " AND owner_account = ?";
    params.emplace_back(std::string(owner_account));
  }
  sql += " ORDER BY subscription_arn LIMIT ?";
  params.emplace_back(limit);
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<SnsSubscriptionRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToSubscription(r));
  return out;
}

Result<SnsSubscriptionCounts> CountSnsSubscriptions(store::Transaction& tx,
                                                    std::string_view topic_arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT confirmed, COUNT(*) FROM sns_subscriptions "
                                          "WHERE topic_arn = ? GROUP BY confirmed",
                                          {std::string(topic_arn)}));
  SnsSubscriptionCounts counts;
  for (const store::Row& r : rows) {
    (r.Int(0) != 0 ? counts.confirmed : counts.pending) = r.Int(1);
  }
  return counts;
}

Status InsertSnsMessage(store::Transaction& tx, const SnsMessageRow& m) {
  return Exec(tx,
              "INSERT INTO sns_messages (message_id, topic_arn, subject, message, "
              "message_structure, message_attributes, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {m.message_id, m.topic_arn, m.subject, m.message, m.message_structure,
               m.message_attributes, m.published_at});
}

Result<std::optional<SnsMessageRow>> FindSnsMessage(store::Transaction& tx,
                                                    std::string_view message_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT message_id, topic_arn, subject, message, "
                                          "message_structure, message_attributes, published_at "
                                          "FROM sns_messages WHERE message_id = ?",
                                          {std::string(message_id)}));
  if (rows.empty()) return std::optional<SnsMessageRow>();
  const store::Row& r = rows.front();
  return std::optional<SnsMessageRow>(
      SnsMessageRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Double(6)});
}

Status InsertSnsDelivery(store::Transaction& tx, const SnsDeliveryRow& d) {
  return Exec(tx,
              Sql("INSERT INTO sns_deliveries (", kDeliveryColumns,
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
              {d.delivery_id, d.kind, d.message_id, d.topic_arn, d.subscription_arn, d.protocol,
               d.endpoint, d.token, d.created_at, d.attempts, d.next_attempt_at, d.state});
}

Result<std::vector<SnsDeliveryRow>> DueSnsDeliveries(store::Transaction& tx, double now,
                                                     int64_t limit) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(Sql("SELECT ", kDeliveryColumns,
                                   " FROM sns_deliveries WHERE state = 'pending' AND "
                                   "next_attempt_at <= ? ORDER BY created_at, delivery_id "
                                   "LIMIT ?"),
                               {now, limit}));
  std::vector<SnsDeliveryRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToDelivery(r));
  return out;
}

Result<std::optional<double>> NextSnsDeliveryAt(store::Transaction& tx) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT MIN(next_attempt_at) FROM sns_deliveries "
                                          "WHERE state = 'pending'",
                                          {}));
  if (rows.empty() || rows.front().IsNull(0)) return std::optional<double>();
  return std::optional<double>(rows.front().Double(0));
}

Result<bool> MarkSnsDelivered(store::Transaction& tx, std::string_view delivery_id, double now) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE sns_deliveries SET state = 'delivered', finished_at = ?, "
                                 "last_error = NULL WHERE delivery_id = ? AND state = 'pending'",
                                 {now, std::string(delivery_id)}));
  return changed > 0;
}

Status MarkSnsDeliveryFailed(store::Transaction& tx, std::string_view delivery_id,
                             std::string_view error, double next_attempt_at, bool give_up,
                             double now) {
  store::Value finished = std::monostate();
  if (give_up) finished = now;
  return Exec(tx,
              "UPDATE sns_deliveries SET attempts = attempts + 1, last_error = ?, "
              "next_attempt_at = ?, state = ?, finished_at = ? WHERE delivery_id = ? AND "
              "state = 'pending'",
              {std::string(error), next_attempt_at, std::string(give_up ? "failed" : "pending"),
               finished, std::string(delivery_id)});
}

Result<std::vector<SnsDeliveryRow>> SnsDeliveriesOf(store::Transaction& tx,
                                                    std::string_view message_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kDeliveryColumns,
                                              " FROM sns_deliveries WHERE message_id = ? "
                                              "ORDER BY subscription_arn"),
                                          {std::string(message_id)}));
  std::vector<SnsDeliveryRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToDelivery(r));
  return out;
}

Result<std::optional<std::pair<std::string, std::string>>> FindSnsSigningKey(
    store::Transaction& tx) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT name, value FROM server_settings WHERE name IN "
                                          "('sns_signing_key', 'sns_signing_cert')",
                                          {}));
  std::string key;
  std::string cert;
  for (const store::Row& r : rows) (r.Text(0) == "sns_signing_key" ? key : cert) = r.Text(1);
  if (key.empty() || cert.empty()) return std::optional<std::pair<std::string, std::string>>();
  return std::optional<std::pair<std::string, std::string>>(std::pair(key, cert));
}

Status PutSnsSigningKey(store::Transaction& tx, std::string_view key_pem,
                        std::string_view cert_pem) {
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO server_settings (name, value) VALUES ('sns_signing_key', "
                          "?) ON CONFLICT (name) DO NOTHING",
                          {std::string(key_pem)}));
  return Exec(tx,
              "INSERT INTO server_settings (name, value) VALUES ('sns_signing_cert', ?) "
              "ON CONFLICT (name) DO NOTHING",
              {std::string(cert_pem)});
}

}  // namespace orgtwin::repo
