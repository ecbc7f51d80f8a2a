// File: services/twin/twin_register.h
//
// The handlers of the orgtwin extension service (models/orgtwin/2026-12-04): what AWS offers only
// in its console or sign-up pages, or what a twin needs and AWS lacks. They are parsed, validated,
// authenticated, authorized (orgtwin:<Operation>, or AWS's own action where AWS has one, e.g.
// payments:CreatePaymentInstrument) and observed like any AWS operation. GetHealth and
// AdvanceClock are registered by the gateway itself (they report and move its state).
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::twin {

Status RegisterTwinHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::twin
