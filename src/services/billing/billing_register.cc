#include "services/billing/billing_handlers.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {

Status RegisterBillingHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kCostExplorer[] = {
      {"GetCostAndUsage", GetCostAndUsage},
      {"GetDimensionValues", GetDimensionValues},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("ce", kCostExplorer));
  OT_RETURN_IF_ERROR(gateway.Register("invoicing", "ListInvoiceSummaries", ListInvoiceSummaries));
  return gateway.Register("orgtwin", "RecordUsage", RecordUsage);
}

}  // namespace orgtwin::services::billing
