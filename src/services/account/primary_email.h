// File: services/account/primary_email.h
//
// The root user's email change, one way for both who may ask it: the Account API's
// StartPrimaryEmailUpdate / AcceptPrimaryEmailUpdate (a management account, for a member) and the
// root user itself in the console (services/root/root_tasks.cc). A six-character code is mailed
// to the new address; the change happens only with that code, once, within 24 hours, and only
// while no other account signs in with the address. Errors are the Account API's
// (ValidationException, ConflictException, ResourceNotFoundException).
//
// Thread-safety: free functions over the request's transaction.
#pragma once

#include <string>

#include "common/status.h"
#include "gateway/request_context.h"

namespace orgtwin::services::account {

Status StartEmailUpdate(gateway::RequestContext& ctx, const std::string& account_id,
                        const std::string& email);
Status AcceptEmailUpdate(gateway::RequestContext& ctx, const std::string& account_id,
                         const std::string& email, const std::string& otp);

}  // namespace orgtwin::services::account
