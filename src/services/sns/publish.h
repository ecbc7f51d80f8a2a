// File: services/sns/publish.h
//
// Publishing to a topic: the message and its outbox rows (one pending delivery per confirmed
// subscription) are written in the caller's transaction, so a published message is delivered
// (services/sns/delivery.h) exactly when the transaction that published it commits. The API's
// Publish (sns_handlers.cc) and AWS services (EventBridge targets) share this path; services go
// through PublishAsService, which enforces the topic policy for their service principal.
//
// Thread-safety: free functions over the caller's transaction; none commits.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "repo/sns_repository.h"
#include "store/store.h"

namespace orgtwin::services::sns {

struct ServicePublish {
  std::string topic_arn, message, subject;  // subject "" = none
  std::string service_principal;            // "events.amazonaws.com"
  std::string source_arn;                   // aws:SourceArn (the rule's ARN)
  std::string source_account;               // aws:SourceAccount
};

// Inside tx: the topic must exist (NotFound), its policy must allow `service_principal`
// sns:Publish with those condition keys (AuthorizationError); nothing is written on failure.
// Stores the message and one pending delivery per confirmed subscription. Returns MessageId.
Result<std::string> PublishAsService(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                                     const ServicePublish& publish);

// Validates and stores `message` (message_id and published_at are filled here) with one pending
// delivery per confirmed subscription of its topic, which must exist. InvalidParameter for an
// empty or oversized message, a bad subject, or a MessageStructure json body without "default".
// Returns the MessageId.
Result<std::string> StoreMessage(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                                 repo::SnsMessageRow message);

// Queues the SubscriptionConfirmation of a pending subscription (its token and SubscribeURL).
Status QueueConfirmation(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                         const repo::SnsSubscriptionRow& subscription);

}  // namespace orgtwin::services::sns
