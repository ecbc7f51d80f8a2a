// File: services/sts/sts_handlers.h
//
// AWS STS operations, named as on the wire: GetCallerIdentity, AssumeRole, AssumeRoot,
// GetSessionToken, GetFederationToken, GetAccessKeyInfo, DecodeAuthorizationMessage,
// AssumeRoleWithSAML and AssumeRoleWithWebIdentity.
//
// Authorization (the caller's identity policies, the role's trust policy as resource policy,
// SCPs, boundaries) happens in the gateway before a handler runs, except for the two federated
// calls, which are unsigned: their handlers verify the token (saml_response.h,
// web_identity_token.h) and evaluate the role's trust policy for the federated principal
// themselves (docs/federation.md). The handlers do what STS does
// beyond the policy decision: find the role (a missing role is AccessDenied, as AWS answers, so
// role names cannot be probed), verify MFA codes (TOTP, no replay), apply DurationSeconds limits
// (MaxSessionDuration, the 1-hour role-chaining cap), resolve and size session policies and tags
// (PackedPolicyTooLarge), keep SourceIdentity and transitive tags through chains, and issue
// ASIA... credentials recorded in access_keys + sts_sessions (migration 0004).
//
// Thread-safety: handlers keep no state; safe to call concurrently.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "gateway/gateway.h"
#include "gateway/request_context.h"

namespace orgtwin::services::sts {

// Returns {UserId, Account, Arn} of the caller. Needs no permission: AWS answers it even under
// an explicit deny.
Result<boost::json::object> GetCallerIdentity(gateway::RequestContext& ctx,
                                              const boost::json::object& input);
Result<boost::json::object> AssumeRole(gateway::RequestContext& ctx,
                                       const boost::json::object& input);
// AssumeRoot: short-lived credentials of a member account's root user, scoped by an AWS
// managed root-task policy (the session policy), for the management account or IAM's delegated
// administrator of an organization with RootSessions enabled (centralized root access).
Result<boost::json::object> AssumeRoot(gateway::RequestContext& ctx,
                                       const boost::json::object& input);
Result<boost::json::object> GetSessionToken(gateway::RequestContext& ctx,
                                            const boost::json::object& input);
Result<boost::json::object> GetFederationToken(gateway::RequestContext& ctx,
                                               const boost::json::object& input);
Result<boost::json::object> GetAccessKeyInfo(gateway::RequestContext& ctx,
                                             const boost::json::object& input);
Result<boost::json::object> DecodeAuthorizationMessage(gateway::RequestContext& ctx,
                                                       const boost::json::object& input);
Result<boost::json::object> AssumeRoleWithWebIdentity(gateway::RequestContext& ctx,
                                                      const boost::json::object& input);
Result<boost::json::object> AssumeRoleWithSAML(gateway::RequestContext& ctx,
                                               const boost::json::object& input);

// The account an access key ID belongs to as AWS encodes it in keys issued since 2019 (bits of
// the base32 body after the 4-letter prefix), or "" when `access_key_id` cannot be decoded.
// GetAccessKeyInfo answers keys the twin does not know with it, as AWS answers any key.
std::string AccountFromAccessKeyId(std::string_view access_key_id);

// Registers every STS handler with `gateway`.
Status RegisterStsHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::sts
