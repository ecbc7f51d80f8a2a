// File: services/iam/iam_handlers.h
//
// IAM entity handlers (users, groups, roles, customer managed policies and their versions,
// attachments, inline policies, permissions boundaries, tags), named after the AWS operations
// they serve. Each reads and writes the store in one transaction (a write transaction for every
// mutating operation) and returns AWS's own error codes and messages (iam_entities.h).
// Entities belong to the caller's account.
//
// Thread-safety: handlers keep no state; safe to call concurrently.
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::iam {

// Registers every handler of this folder with `gateway` under the signing name "iam".
Status RegisterIamHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::iam
