#include "services/root/console_sign_in.h"
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
  return gateway.RegisterAll("orgtwin", kHandlers);
}

}  // namespace orgtwin::services::root
