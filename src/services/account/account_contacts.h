// File: services/account/account_contacts.h
//
// The Account Management API's contact operations (AWS-FACTS 5): PutContactInformation /
// GetContactInformation (the account's primary contact; setting it marks the account as having
// contact information, which LeaveOrganization requires) and Put/Get/DeleteAlternateContact
// (BILLING, OPERATIONS, SECURITY; ResourceNotFoundException 404 when unset).
//
// AccountId omitted: the caller's own account. AccountId of a member account: the caller must be
// the management account (or the delegated administrator for account.amazonaws.com) of an
// all-features organization with trusted access for account.amazonaws.com enabled; the
// management account may not name itself.
//
// Thread-safety: handlers share nothing but the store; each write is one transaction.
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::account {

Status RegisterAccountHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::account
