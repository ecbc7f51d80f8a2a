// File: services/sts/sts_handlers.h
//
// AWS STS operations, named as on the wire. Issue 2 serves GetCallerIdentity; AssumeRole,
// GetSessionToken and the rest arrive with IAM (issue 4).
#pragma once

#include <boost/json.hpp>

#include "gateway/gateway.h"
#include "gateway/request_context.h"

namespace orgtwin::services::sts {

// Returns {UserId, Account, Arn} of the caller. Needs no permission: AWS answers it even under
// an explicit deny.
Result<boost::json::object> GetCallerIdentity(gateway::RequestContext& ctx,
                                              const boost::json::object& input);

// Registers every STS handler with `gateway`.
Status RegisterStsHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::sts
