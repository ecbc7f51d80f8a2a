// File: services/account/account_internal.h
//
// Internal to services/account: the AccountId rules every operation shares (account_target.cc),
// the API's errors as AWS shapes them, and the handlers account_register.cc wires up.
//
// Thread-safety: stateless functions over the request's transaction.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "common/status.h"
#include "gateway/request_context.h"

namespace orgtwin::services::account {

using Json = boost::json::object;

// ---- Errors (the model's shapes; see the header of account_contacts.h for the rules) ----
Status AccessDenied(std::string message);
// ValidationException with reason `reason` (fieldValidationFailed | invalidRegionOptTarget).
Status Validation(std::string message, const char* reason = "fieldValidationFailed");
Status NotFound(std::string message);
Status Conflict(std::string message);

// The account an operation acts on: AccountId omitted = the caller's own; a member's ID only
// from its organization's management account or delegated administrator for
// account.amazonaws.com, in an all-features organization with trusted access for it; the
// management account may not name itself.
Result<std::string> TargetAccount(gateway::RequestContext& ctx, const Json& input);
// As TargetAccount for the operations that act only on a member account on behalf of its
// organization (the primary-email operations): AccountId naming the caller's own account is
// refused too.
Result<std::string> MemberTargetAccount(gateway::RequestContext& ctx, const Json& input);

// The twin's clock in seconds since the epoch.
double NowSeconds(const gateway::RequestContext& ctx);

// ---- Handlers ----
// account_contacts.cc
Result<Json> PutContactInformation(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetContactInformation(gateway::RequestContext& ctx, const Json& input);
Result<Json> PutAlternateContact(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetAlternateContact(gateway::RequestContext& ctx, const Json& input);
Result<Json> DeleteAlternateContact(gateway::RequestContext& ctx, const Json& input);
// account_information.cc
Result<Json> GetAccountInformation(gateway::RequestContext& ctx, const Json& input);
Result<Json> PutAccountName(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetPrimaryEmail(gateway::RequestContext& ctx, const Json& input);
Result<Json> StartPrimaryEmailUpdate(gateway::RequestContext& ctx, const Json& input);
Result<Json> AcceptPrimaryEmailUpdate(gateway::RequestContext& ctx, const Json& input);
// account_regions.cc
Result<Json> ListRegions(gateway::RequestContext& ctx, const Json& input);
Result<Json> GetRegionOptStatus(gateway::RequestContext& ctx, const Json& input);
Result<Json> EnableRegion(gateway::RequestContext& ctx, const Json& input);
Result<Json> DisableRegion(gateway::RequestContext& ctx, const Json& input);

}  // namespace orgtwin::services::account
