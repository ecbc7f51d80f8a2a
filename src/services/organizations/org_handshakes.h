// File: services/organizations/org_handshakes.h
//
// Handshakes (AWS-FACTS 2.5): InviteAccountToOrganization, AcceptHandshake, DeclineHandshake,
// CancelHandshake, DescribeHandshake, ListHandshakesForAccount, ListHandshakesForOrganization,
// and the EnableAllFeatures flow (an ENABLE_ALL_FEATURES handshake per invited member, then an
// APPROVE_ALL_FEATURES handshake the management account accepts to switch the feature set).
//
// State model: INVITE and member ENABLE_ALL_FEATURES handshakes start OPEN (as AWS reports them);
// the management account's ENABLE_ALL_FEATURES handshake is REQUESTED until every member has
// accepted, then OPEN. A REQUESTED/OPEN handshake whose expires_at has passed (by the twin's
// clock, RequestContext::now) reads as EXPIRED and can no longer change. Terminal handshakes stay
// visible for 30 days after their last change.
//
// Exactly-once acceptance: a transition is a conditional UPDATE ... WHERE state = <expected>
// inside the write transaction; a concurrent second accept changes no row and is answered
// HandshakeAlreadyInStateException.
//
// Thread-safety: handlers keep no state; each runs in one store transaction.
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::organizations {

// Registers the handshake handlers (and EnableAllFeatures) under "organizations".
Status RegisterOrganizationsHandshakeHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::organizations
