// File: services/root/root_handlers.h
//
// The root user and its factors (the extension API, models/orgtwin/): console sign-in
// (console_sign_in.h), recovery and the mailboxes and phones it goes through (recovery.cc), the
// tasks only root may do (root_tasks.cc), and the parties who hold each factor (parties.cc).
//
// Thread-safety: handlers keep no state.
#pragma once

#include "gateway/gateway.h"
#include "services/root/root_common.h"

namespace orgtwin::services::root {

Result<Json> StartRootPasswordReset(gateway::RequestContext& ctx, const Json& input);
Result<Json> CompleteRootPasswordReset(gateway::RequestContext& ctx, const Json& input);
Result<Json> StartRootMfaRecovery(gateway::RequestContext& ctx, const Json& input);
Result<Json> VerifyRootMfaRecoveryEmail(gateway::RequestContext& ctx, const Json& input);
Result<Json> AnswerPhoneCall(gateway::RequestContext& ctx, const Json& input);
Result<Json> ListMailboxMessages(gateway::RequestContext& ctx, const Json& input);
Result<Json> ListPhoneCalls(gateway::RequestContext& ctx, const Json& input);

Result<Json> ChangeRootPassword(gateway::RequestContext& ctx, const Json& input);
Result<Json> StartRootEmailChange(gateway::RequestContext& ctx, const Json& input);
Result<Json> CompleteRootEmailChange(gateway::RequestContext& ctx, const Json& input);
Result<Json> EnableRootMfaDevice(gateway::RequestContext& ctx, const Json& input);
Result<Json> SetIamUserAccessToBilling(gateway::RequestContext& ctx, const Json& input);
Result<Json> CloseAccount(gateway::RequestContext& ctx, const Json& input);

Result<Json> PutParty(gateway::RequestContext& ctx, const Json& input);
Result<Json> DeleteParty(gateway::RequestContext& ctx, const Json& input);
Result<Json> ListParties(gateway::RequestContext& ctx, const Json& input);
Result<Json> AddPartyFactor(gateway::RequestContext& ctx, const Json& input);
Result<Json> RemovePartyFactor(gateway::RequestContext& ctx, const Json& input);

Status RegisterRootHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::root
