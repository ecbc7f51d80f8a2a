#include "services/root/console_sign_in.h"
#include "services/root/custody.h"
#include "services/root/root_handlers.h"

namespace orgtwin::services::root {
namespace {

constexpr gateway::HandlerEntry kHandlers[] = {
    {"ConsoleSignIn", ConsoleSignIn},
    {"StartRootPasswordReset", StartRootPasswordReset},
    {"CompleteRootPasswordReset", CompleteRootPasswordReset},
    {"StartRootMfaRecovery", StartRootMfaRecovery},
    {"VerifyRootMfaRecoveryEmail", VerifyRootMfaRecoveryEmail},
    {"AnswerPhoneCall", AnswerPhoneCall},
    {"ListMailboxMessages", ListMailboxMessages},
    {"ListPhoneCalls", ListPhoneCalls},
    {"ChangeRootPassword", ChangeRootPassword},
    {"StartRootEmailChange", StartRootEmailChange},
    {"CompleteRootEmailChange", CompleteRootEmailChange},
    {"EnableRootMfaDevice", EnableRootMfaDevice},
    {"SetIamUserAccessToBilling", SetIamUserAccessToBilling},
    {"CloseAccount", CloseAccount},
    {"PutParty", PutParty},
    {"DeleteParty", DeleteParty},
    {"ListParties", ListParties},
    {"AddPartyFactor", AddPartyFactor},
    {"RemovePartyFactor", RemovePartyFactor},
};

}  // namespace

Status RegisterRootHandlers(gateway::Gateway& gateway) {
  OT_RETURN_IF_ERROR(gateway.RegisterAll("orgtwin", kHandlers));
  // The custody analysis asks the gateway's authorizer, as each request it reasons about would.
  return gateway.Register("orgtwin", "GetRootCustody",
                          [&gateway](gateway::RequestContext& ctx, const Json& input) {
                            return GetRootCustody(gateway, ctx, input);
                          });
}

}  // namespace orgtwin::services::root
