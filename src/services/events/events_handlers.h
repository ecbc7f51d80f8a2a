// File: services/events/events_handlers.h
//
// Amazon EventBridge (events, awsJson1_1) on each account's default event bus, per region (the
// SigV4 scope region): rules with event patterns (event_pattern.h) and schedules, their targets,
// tags, TestEventPattern and PutEvents, over the tables of migration 0020 (repo/
// events_repository.h). PutEvents hands its entries to the bus's dispatch (dispatch.h).
// Schedules are validated, stored and described; they do not fire.
//
// Thread-safety: handlers keep no state.
#pragma once

#include "gateway/gateway.h"

namespace orgtwin::services::events {

Status RegisterEventsHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::events
