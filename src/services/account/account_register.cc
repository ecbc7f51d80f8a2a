#include "services/account/account_contacts.h"
#include "services/account/account_internal.h"

namespace orgtwin::services::account {

Status RegisterAccountHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kHandlers[] = {
      {"PutContactInformation", PutContactInformation},
      {"GetContactInformation", GetContactInformation},
      {"PutAlternateContact", PutAlternateContact},
      {"GetAlternateContact", GetAlternateContact},
      {"DeleteAlternateContact", DeleteAlternateContact},
      {"GetAccountInformation", GetAccountInformation},
      {"PutAccountName", PutAccountName},
      {"GetPrimaryEmail", GetPrimaryEmail},
      {"StartPrimaryEmailUpdate", StartPrimaryEmailUpdate},
      {"AcceptPrimaryEmailUpdate", AcceptPrimaryEmailUpdate},
      {"ListRegions", ListRegions},
      {"GetRegionOptStatus", GetRegionOptStatus},
      {"EnableRegion", EnableRegion},
      {"DisableRegion", DisableRegion},
  };
  return gateway.RegisterAll("account", kHandlers);
}

}  // namespace orgtwin::services::account
