#include "services/billing/billing_handlers.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {

Status RegisterBillingHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kCostExplorer[] = {
      {"GetCostAndUsage", GetCostAndUsage},
      {"GetDimensionValues", GetDimensionValues},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("ce", kCostExplorer));
  static constexpr gateway::HandlerEntry kInvoicing[] = {
      {"ListInvoiceSummaries", ListInvoiceSummaries},
      {"GetInvoicePDF", GetInvoicePDF},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("invoicing", kInvoicing));
  static constexpr gateway::HandlerEntry kBilling[] = {
      {"ListBillingViews", ListBillingViews},
      {"GetBillingView", GetBillingView},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("billing", kBilling));
  static constexpr gateway::HandlerEntry kExtension[] = {
      {"RecordUsage", RecordUsage},
      {"GetBillingDocument", GetBillingDocument},
  };
  return gateway.RegisterAll("orgtwin", kExtension);
}

}  // namespace orgtwin::services::billing
