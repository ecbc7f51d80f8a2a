// File: services/account/account_contacts.h
//
// The Account Management API (service `account`, AWS-FACTS 5). Contacts: Put/GetContactInformation
// (the primary contact; setting it marks the account as having contact information, which
// LeaveOrganization requires) and Put/Get/DeleteAlternateContact. The account itself:
// GetAccountInformation, PutAccountName, and the root email's two-step change
// (GetPrimaryEmail, StartPrimaryEmailUpdate mailing a code to the new address,
// AcceptPrimaryEmailUpdate). Regions: ListRegions, GetRegionOptStatus, EnableRegion,
// DisableRegion over the opt-in Regions.
//
// AccountId omitted: the caller's own account. AccountId of a member account: the caller must be
// the management account (or the delegated administrator for account.amazonaws.com) of an
// all-features organization with trusted access for account.amazonaws.com enabled; the
// management account may not name itself. The primary-email operations serve only members.
//
// Thread-safety: handlers share nothing but the store; each request is one transaction.
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::account {

Status RegisterAccountHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::account
