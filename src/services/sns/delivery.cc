#include "services/sns/delivery.h"

#include <chrono>
#include <map>
#include <utility>

#include <curl/curl.h>

#include "common/log.h"
#include "repo/recovery_repository.h"
#include "services/sns/sns_common.h"

namespace orgtwin::services::sns {
namespace {

constexpr int64_t kBatch = 50;

TimePoint FromSeconds(double seconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6))));
}

// The text a protocol receives of a MessageStructure=json message: its own entry, else
// "default" (Publish checked that "default" exists).
std::string MessageFor(const repo::SnsMessageRow& message, const std::string& protocol) {
  if (message.message_structure != "json") return message.message;
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(message.message, ec);
  if (ec || !body.is_object()) return message.message;
  for (const std::string& key : {protocol, std::string("default")}) {
    const boost::json::value* v = body.get_object().if_contains(key);
    if (v != nullptr && v->is_string()) return std::string(v->get_string());
  }
  return message.message;
}

std::string Escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  if (escaped == nullptr) return text;
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

size_t DiscardBody(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

bool IsEmail(const std::string& protocol) {
  return protocol == "email" || protocol == "email-json";
}

}  // namespace

DeliveryWorker::DeliveryWorker(store::Store& store, const Clock& clock, DeliveryOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

Status DeliveryWorker::Start() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Result<int> delivered = DeliverDue();
    if (!delivered.ok()) Log(LogLevel::kWarn, "sns delivery: " + delivered.status().ToString());
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                   [this] { return stopping_; });
  }
}

Result<int> DeliveryWorker::DeliverDue() {
  // Several nodes on one database: only the leading node delivers (Store::LeadsBackgroundWork).
  OT_ASSIGN_OR_RETURN(bool leads, store_.LeadsBackgroundWork());
  if (!leads) return 0;
  std::vector<repo::SnsDeliveryRow> due;
  {
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(due, repo::DueSnsDeliveries(*tx, ToEpochSeconds(clock_.Now()), kBatch));
  }
  // The key is made at the first delivery, not at start: a twin that never publishes never pays
  // for an RSA key generation. Read again each pass with work: a ResetTwin wipes the stored key,
  // and the certificate served must stay the one signatures verify with.
  if (!due.empty()) {
    OT_ASSIGN_OR_RETURN(key_, EnsureSigningKey(store_));
  }
  int delivered = 0;
  for (const repo::SnsDeliveryRow& d : due) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    std::string error = Deliver(d);
    const double now = ToEpochSeconds(clock_.Now());
    if (error.empty()) {
      ++delivered;
      continue;
    }
    const int64_t attempts = d.attempts + 1;
    // Email goes to the local mailbox: it fails only when the store does, and is retried as
    // HTTP is.
    const bool give_up = attempts > options_.http_retries;
    Log(LogLevel::kWarn, "sns delivery: " + d.kind + " " + d.message_id + " to " + d.protocol +
                             " " + d.endpoint + " attempt " + std::to_string(attempts) +
                             " failed: " + error + (give_up ? "; giving up" : "; will retry"));
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
    OT_RETURN_IF_ERROR(repo::MarkSnsDeliveryFailed(
        *tx, d.delivery_id, error, now + options_.retry_delay_seconds, give_up, now));
    OT_RETURN_IF_ERROR(tx->Commit());
  }
  return delivered;
}

std::string DeliveryWorker::SubscribeUrl(const std::string& topic_arn,
                                         const std::string& token) const {
  // AWS-COMPAT: AWS's SubscribeURL carries Action, TopicArn and Token; the twin's adds
  // Version=2010-03-31 because one endpoint serves every Query service (the version routes it).
  return options_.base_url +
         "/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=" + Escape(topic_arn) +
         "&Token=" + Escape(token);
}

std::string DeliveryWorker::UnsubscribeUrl(const std::string& subscription_arn) const {
  return options_.base_url +
         "/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=" + Escape(subscription_arn);
}

std::string DeliveryWorker::Deliver(const repo::SnsDeliveryRow& d) {
  Envelope envelope;
  envelope.type = d.kind;
  envelope.message_id = d.message_id;
  envelope.topic_arn = d.topic_arn;
  // AWS-COMPAT: AWS serves its certificate from sns.<region>.amazonaws.com; the twin serves its
  // own (orgtwin GetSnsSigningCertificate).
  envelope.signing_cert_url = options_.base_url + "/_orgtwin/sns/SimpleNotificationService.pem";
  bool raw = false;
  {
    Result<std::unique_ptr<store::Transaction>> tx = store_.Begin(store::TxMode::kRead);
    if (!tx.ok()) return tx.status().ToString();
    auto topic = repo::FindSnsTopic(**tx, d.topic_arn);
    if (!topic.ok()) return topic.status().ToString();
    if (topic->has_value()) {
      auto attributes = ParseAttributes((*topic)->attributes);
      if (attributes.count("SignatureVersion") > 0) {
        envelope.signature_version = attributes["SignatureVersion"];
      }
    }
    if (d.kind == repo::kSnsNotification) {
      auto subscription = repo::FindSnsSubscription(**tx, d.subscription_arn);
      if (!subscription.ok()) return subscription.status().ToString();
      auto message = repo::FindSnsMessage(**tx, d.message_id);
      if (!message.ok()) return message.status().ToString();
      tx->reset();
      if (!subscription->has_value() || !message->has_value()) {
        // Unsubscribed since the publish (or the message is gone after a reset): nothing to send.
        auto write = store_.Begin(store::TxMode::kWrite);
        if (!write.ok()) return write.status().ToString();
        const double now = ToEpochSeconds(clock_.Now());
        Status marked = repo::MarkSnsDeliveryFailed(**write, d.delivery_id, "unsubscribed", now,
                                                    /*give_up=*/true, now);
        if (marked.ok()) marked = (*write)->Commit();
        return marked.ok() ? std::string() : marked.ToString();
      }
      const repo::SnsMessageRow& m = **message;
      envelope.subject = m.subject;
      envelope.message = MessageFor(m, d.protocol);
      envelope.timestamp = FormatIso8601(FromSeconds(m.published_at));
      envelope.unsubscribe_url = UnsubscribeUrl(d.subscription_arn);
      raw = ParseAttributes((*subscription)->attributes)["RawMessageDelivery"] == "true";
    } else {
      envelope.token = d.token;
      envelope.subscribe_url = SubscribeUrl(d.topic_arn, d.token);
      envelope.timestamp = FormatIso8601(FromSeconds(d.created_at));
      envelope.message = "You have chosen to subscribe to the topic " + d.topic_arn +
                         ".\nTo confirm the subscription, visit the SubscribeURL included in "
                         "this message.";
    }
  }
  Result<std::string> signature = Sign(key_, StringToSign(envelope), envelope.signature_version);
  if (!signature.ok()) return signature.status().ToString();
  bool marked = false;
  std::string error;
  if (IsEmail(d.protocol)) {
    error = DeliverEmail(d, envelope, *signature, ToEpochSeconds(clock_.Now()), &marked);
  } else {
    const std::string body =
        raw ? envelope.message : boost::json::serialize(EnvelopeJson(envelope, *signature));
    error = Post(d, body);
  }
  if (!error.empty() || marked) return error;
  // Delivered: marked at once in a transaction of its own, so a restart does not send it again.
  auto tx = store_.Begin(store::TxMode::kWrite);
  if (!tx.ok()) return tx.status().ToString();
  auto done = repo::MarkSnsDelivered(**tx, d.delivery_id, ToEpochSeconds(clock_.Now()));
  if (!done.ok()) return done.status().ToString();
  Status committed = (*tx)->Commit();
  if (!committed.ok()) {
    Log(LogLevel::kError, "sns delivery: " + d.delivery_id +
                              " was delivered but could not be marked: " + committed.ToString());
  }
  return std::string();
}

std::string DeliveryWorker::DeliverEmail(const repo::SnsDeliveryRow& d, const Envelope& envelope,
                                         const std::string& signature, double now, bool* marked) {
  repo::MailRow mail;
  // The delivery's own ID: the mail and the mark commit together, so it is written once.
  mail.message_id = d.delivery_id;
  mail.address = d.endpoint;
  mail.sent_at = now;
  if (d.kind == repo::kSnsSubscriptionConfirmation) {
    // AWS-COMPAT: the subject and gist of SNS's confirmation mail; email-json subscriptions get
    // the SubscriptionConfirmation JSON instead of the text.
    mail.subject = "AWS Notification - Subscription Confirmation";
    mail.token = d.token;
    if (d.protocol == "email-json") {
      mail.body = boost::json::serialize(EnvelopeJson(envelope, signature));
    } else {
      mail.body = "You have chosen to subscribe to the topic:\n" + d.topic_arn +
                  "\n\nTo confirm this subscription, click or visit the link below (If this was "
                  "in error no action is necessary):\n" +
                  envelope.subscribe_url + "\n";
    }
  } else {
    mail.subject = envelope.subject.empty() ? "AWS Notification Message" : envelope.subject;
    if (d.protocol == "email-json") {
      mail.body = boost::json::serialize(EnvelopeJson(envelope, signature));
    } else {
      mail.body = envelope.message +
                  "\n\n--\nIf you wish to stop receiving notifications from this topic, please "
                  "click or visit the link below to unsubscribe:\n" +
                  envelope.unsubscribe_url + "\n";
    }
  }
  auto tx = store_.Begin(store::TxMode::kWrite);
  if (!tx.ok()) return tx.status().ToString();
  auto done = repo::MarkSnsDelivered(**tx, d.delivery_id, now);
  if (!done.ok()) return done.status().ToString();
  if (*done) {
    Status inserted = repo::InsertMail(**tx, mail);
    if (!inserted.ok()) return inserted.ToString();
  }
  Status committed = (*tx)->Commit();
  if (!committed.ok()) return committed.ToString();
  *marked = true;
  return std::string();
}

std::string DeliveryWorker::Post(const repo::SnsDeliveryRow& d, const std::string& body) const {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return "libcurl could not start a transfer";
  curl_slist* headers = nullptr;
  auto add = [&headers](const std::string& header) {
    headers = curl_slist_append(headers, header.c_str());
  };
  add("x-amz-sns-message-type: " + d.kind);
  add("x-amz-sns-message-id: " + d.message_id);
  add("x-amz-sns-topic-arn: " + d.topic_arn);
  if (d.kind == repo::kSnsNotification) add("x-amz-sns-subscription-arn: " + d.subscription_arn);
  add("Content-Type: text/plain; charset=UTF-8");
  add("Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, d.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Amazon Simple Notification Service Agent");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, options_.http_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) return curl_easy_strerror(result);
  // AWS-COMPAT: a 2xx answer is a delivery; anything else is retried per the delivery policy.
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  return std::string();
}

}  // namespace orgtwin::services::sns
