// File: services/trail/lookup_events.h
//
// CloudTrail's event history (LookupEvents) over trail_events (migration 0016): the events of
// the caller's account from the last 90 days on the twin's clock, newest first, filtered by at
// most one lookup attribute and a time range, in pages of up to 50. The console sign-ins write
// there today; the audit trail of every call (issue 13) writes the rest.
//
// Thread-safety: handlers keep no state.
#pragma once

#include "gateway/gateway.h"

namespace orgtwin::services::trail {

Status RegisterTrailHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::trail
