// File: services/billing/billing_handlers.h
//
// Consolidated billing: Cost Explorer (ce) and the extension API's RecordUsage, over the payer
// history and charges of migration 0025 (repo/billing_repository.h). billing_internal.h says
// what the operations share, including the billing gate.
//
// Thread-safety: handlers keep no state.
#pragma once

#include "gateway/gateway.h"

namespace orgtwin::services::billing {

Status RegisterBillingHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::billing
