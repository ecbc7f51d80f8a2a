#include "services/register.h"

#include "services/account/account_contacts.h"
#include "services/iam/iam_handlers.h"
#include "services/organizations/organizations_core.h"
#include "services/root/root_handlers.h"
#include "services/sns/sns_handlers.h"
#include "services/sts/sts_handlers.h"
#include "services/trail/lookup_events.h"
#include "services/twin/twin_register.h"

namespace orgtwin::services {

Status RegisterAllServices(gateway::Gateway& gateway) {
  OT_RETURN_IF_ERROR(sts::RegisterStsHandlers(gateway));
  OT_RETURN_IF_ERROR(iam::RegisterIamHandlers(gateway));
  OT_RETURN_IF_ERROR(organizations::RegisterOrganizationsHandlers(gateway));
  OT_RETURN_IF_ERROR(account::RegisterAccountHandlers(gateway));
  OT_RETURN_IF_ERROR(twin::RegisterTwinHandlers(gateway));
  OT_RETURN_IF_ERROR(root::RegisterRootHandlers(gateway));
  OT_RETURN_IF_ERROR(trail::RegisterTrailHandlers(gateway));
  OT_RETURN_IF_ERROR(sns::RegisterSnsHandlers(gateway));
  return Status::Ok();
}

}  // namespace orgtwin::services
