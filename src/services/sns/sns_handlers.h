// File: services/sns/sns_handlers.h
//
// Amazon SNS (models/sns/2010-03-31, Query protocol with XML answers), enough for alerting:
// topics with their attributes, policy and tags; email, email-json, http and https
// subscriptions with the confirmation handshake; Publish into the delivery outbox
// (publish.h, delivered by delivery.h). The gateway authorizes every call against the caller's
// policies and the topic's policy (gateway/authorizer.cc); the handlers act on the ARNs they are
// given. Also the orgtwin extension operation GetSnsSigningCertificate, the certificate message
// signatures verify with (message_signing.h).
//
// Thread-safety: handlers keep no state.
#pragma once

#include "gateway/gateway.h"

namespace orgtwin::services::sns {

Status RegisterSnsHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::sns
