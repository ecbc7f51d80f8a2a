// File: services/sns/topic_policy.h
//
// A topic's access policy, evaluated with the project's policy engine (policy/evaluator.h):
// whether an AWS service principal (events.amazonaws.com, ...) may sns:Publish to the topic with
// its aws:SourceArn / aws:SourceAccount, and whether a Policy attribute is a valid resource-based
// policy. API callers are authorized by the gateway (gateway/authorizer.cc loads the same
// document through repo::EffectiveSnsTopicPolicy).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "repo/sns_repository.h"

namespace orgtwin::services::sns {

struct ServiceCaller {
  std::string_view service_principal;  // "events.amazonaws.com"
  std::string_view source_arn;         // aws:SourceArn ("" = absent)
  std::string_view source_account;     // aws:SourceAccount ("" = absent)
};

// Ok when the topic's effective policy allows `caller` `action` ("sns:Publish") on the topic;
// AuthorizationError (403) with AWS's text otherwise.
Status AuthorizeServiceCall(const repo::SnsTopicRow& topic, const ServiceCaller& caller,
                            std::string_view action, TimePoint now);

// Ok when `document` is a valid resource-based policy; InvalidParameter ("Invalid parameter:
// Policy Error: ...") otherwise.
Status ValidateTopicPolicy(std::string_view document);

}  // namespace orgtwin::services::sns
