// File: services/sns/delivery.h
//
// DeliveryWorker: drains SNS's outbox (sns_deliveries, migration 0021) on a thread of its own,
// started by `orgtwin serve`. Each due row is sent -- email and email-json into the local
// mailbox (mailbox_messages, the inboxes `orgtwin inbox` reads and the optional SMTP relay
// forwards), http and https as SNS's signed JSON POST (message_signing.h) with libcurl -- and
// marked delivered in a transaction of its own right after it succeeded. A failed HTTP attempt is
// retried per SNS's default HTTP delivery policy (3 retries, 20 seconds apart; the delay is an
// option so tests can shorten it), then given up. Undelivered rows outlive a crash: the next
// start resumes them. A crash between a successful POST and its mark re-sends that one message
// with the same x-amz-sns-message-id, which receivers use to drop the duplicate, as on AWS.
//
// Thread-safety: Start and Stop from one thread; deliveries run on the worker's thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "repo/sns_repository.h"
#include "services/sns/message_signing.h"
#include "store/store.h"

namespace orgtwin::services::sns {

struct DeliveryOptions {
  // The twin's own base URL ("http://127.0.0.1:4566"): SigningCertURL, SubscribeURL and
  // UnsubscribeURL point there.
  std::string base_url;
  // AWS-COMPAT: SNS's default HTTP/S delivery policy retries 3 times, 20 seconds apart (linear
  // backoff between minDelayTarget = maxDelayTarget = 20 s). `serve --sns-retry-delay` scales the
  // delay for tests only.
  double retry_delay_seconds = 20;
  int http_retries = 3;
  // How often the outbox is polled for due rows.
  int poll_interval_ms = 100;
  long http_timeout_seconds = 15;
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::Store& store, const Clock& clock, DeliveryOptions options);
  ~DeliveryWorker();  // stops the thread
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Starts the worker thread (the signing key is made or loaded at the first delivery).
  Status Start();
  // Stops after the delivery in hand; the rest wait in the outbox for the next start.
  void Stop();

  // One pass over the outbox: sends what is due. Returns how many were delivered (tests).
  Result<int> DeliverDue();

 private:
  void Loop();
  // Sends one row; "" on success, else why it failed (a retry may succeed).
  std::string Deliver(const repo::SnsDeliveryRow& delivery);
  std::string DeliverEmail(const repo::SnsDeliveryRow& delivery, const Envelope& envelope,
                           const std::string& signature, double now, bool* marked);
  std::string Post(const repo::SnsDeliveryRow& delivery, const std::string& body) const;
  std::string SubscribeUrl(const std::string& topic_arn, const std::string& token) const;
  std::string UnsubscribeUrl(const std::string& subscription_arn) const;

  store::Store& store_;
  const Clock& clock_;
  DeliveryOptions options_;
  SigningKey key_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace orgtwin::services::sns
