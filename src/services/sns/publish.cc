#include "services/sns/publish.h"

#include <boost/json.hpp>

#include "services/sns/sns_common.h"
#include "services/sns/topic_policy.h"

namespace orgtwin::services::sns {
namespace {

// AWS-COMPAT: SNS's quotas for Publish: 256 KiB of message, a subject of up to 100 printable
// ASCII characters on one line.
constexpr size_t kMaxMessageBytes = 262144;
constexpr size_t kMaxSubjectChars = 100;

Status ValidateMessage(const repo::SnsMessageRow& m) {
  if (m.message.empty()) return InvalidParameter("Empty message");
  if (m.message.size() > kMaxMessageBytes) return InvalidParameter("Message too long");
  if (!m.subject.empty()) {
    bool printable = m.subject.size() <= kMaxSubjectChars;
    for (unsigned char c : m.subject) printable = printable && c >= 0x20 && c < 0x7f;
    if (!printable) return InvalidParameter("Subject");
  }
  if (m.message_structure.empty()) return Status::Ok();
  if (m.message_structure != "json") return InvalidParameter("MessageStructure");
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(m.message, ec);
  if (ec || !body.is_object()) {
    return InvalidParameter("Message Structure - JSON message body failed to parse");
  }
  const boost::json::value* fallback = body.get_object().if_contains("default");
  if (fallback == nullptr || !fallback->is_string()) {
    return InvalidParameter("Message Structure - No default entry in JSON message body");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> StoreMessage(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                                 repo::SnsMessageRow message) {
  OT_RETURN_IF_ERROR(ValidateMessage(message));
  OT_ASSIGN_OR_RETURN(auto topic, repo::FindSnsTopic(tx, message.topic_arn));
  if (!topic.has_value()) return TopicNotFound();
  message.message_id = ids.Uuid();
  message.published_at = ToEpochSeconds(now);
  OT_RETURN_IF_ERROR(repo::InsertSnsMessage(tx, message));
  // Every confirmed subscription, a page at a time.
  std::string after;
  for (;;) {
    OT_ASSIGN_OR_RETURN(auto page,
                        repo::ListSnsSubscriptions(tx, message.topic_arn, "", after, 500));
    for (const repo::SnsSubscriptionRow& s : page) {
      if (!s.confirmed) continue;
      repo::SnsDeliveryRow d;
      d.delivery_id = ids.Uuid();
      d.kind = std::string(repo::kSnsNotification);
      d.message_id = message.message_id;
      d.topic_arn = message.topic_arn;
      d.subscription_arn = s.subscription_arn;
      d.protocol = s.protocol;
      d.endpoint = s.endpoint;
      d.created_at = message.published_at;
      d.next_attempt_at = message.published_at;
      OT_RETURN_IF_ERROR(repo::InsertSnsDelivery(tx, d));
    }
    if (page.size() < 500) break;
    after = page.back().subscription_arn;
  }
  return message.message_id;
}

Status QueueConfirmation(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                         const repo::SnsSubscriptionRow& subscription) {
  repo::SnsDeliveryRow d;
  d.delivery_id = ids.Uuid();
  d.kind = std::string(repo::kSnsSubscriptionConfirmation);
  d.message_id = ids.Uuid();
  d.topic_arn = subscription.topic_arn;
  d.subscription_arn = subscription.subscription_arn;
  d.protocol = subscription.protocol;
  d.endpoint = subscription.endpoint;
  d.token = subscription.token;
  d.created_at = ToEpochSeconds(now);
  d.next_attempt_at = d.created_at;
  return repo::InsertSnsDelivery(tx, d);
}

Result<std::string> PublishAsService(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                                     const ServicePublish& publish) {
  OT_ASSIGN_OR_RETURN(auto topic, repo::FindSnsTopic(tx, publish.topic_arn));
  if (!topic.has_value()) return TopicNotFound();
  OT_RETURN_IF_ERROR(AuthorizeServiceCall(
      *topic, ServiceCaller{publish.service_principal, publish.source_arn, publish.source_account},
      "sns:Publish", now));
  repo::SnsMessageRow message;
  message.topic_arn = publish.topic_arn;
  message.subject = publish.subject;
  message.message = publish.message;
  // Nothing is written before the checks: StoreMessage validates before its first insert.
  return StoreMessage(tx, now, ids, std::move(message));
}

}  // namespace orgtwin::services::sns
