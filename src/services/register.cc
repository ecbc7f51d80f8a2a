#include "services/register.h"

#include "services/account/account_contacts.h"
#include "services/billing/billing_handlers.h"
#include "services/events/dispatch.h"
#include "services/events/events_handlers.h"
#include "services/iam/iam_handlers.h"
#include "services/organizations/organizations_core.h"
#include "services/root/root_handlers.h"
#include "services/sns/publish.h"
#include "services/sns/sns_handlers.h"
#include "services/sts/sts_handlers.h"
#include "services/trail/lookup_events.h"
#include "services/trail/trails.h"
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
  OT_RETURN_IF_ERROR(events::RegisterEventsHandlers(gateway));
  OT_RETURN_IF_ERROR(trail::RegisterTrailsHandlers(gateway));
  OT_RETURN_IF_ERROR(sns::RegisterSnsHandlers(gateway));
  OT_RETURN_IF_ERROR(billing::RegisterBillingHandlers(gateway));
  // EventBridge's SNS targets: the rule publishes as events.amazonaws.com, so the topic policy
  // must let that principal publish (as on AWS; with aws:SourceArn = the rule).
  events::RegisterTargetInvoker(
      "sns",
      [](store::Transaction& tx, TimePoint now, IdGenerator& ids,
         const events::TargetInvocation& target) -> Status {
        return sns::PublishAsService(
                   tx, now, ids,
                   sns::ServicePublish{target.target_arn, target.payload, "",
                                       "events.amazonaws.com", target.rule_arn, target.account_id})
            .status();
      });
  return Status::Ok();
}

}  // namespace orgtwin::services
