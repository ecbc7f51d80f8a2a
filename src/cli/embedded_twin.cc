#include "cli/embedded_twin.h"

#include "client/inprocess_transport.h"
#include "model/service_model.h"
#include "services/register.h"
#include "services/trail/audit_trail.h"
#include "services/twin/default_account.h"
#include "store/open_store.h"

namespace orgtwin::cli {

Result<std::unique_ptr<EmbeddedTwin>> EmbeddedTwin::Open(const std::string& store_url) {
  std::unique_ptr<EmbeddedTwin> twin(new EmbeddedTwin());
  OT_ASSIGN_OR_RETURN(twin->store_, store::OpenStore(store_url));
  twin->credentials_ = std::make_unique<services::CredentialStore>(*twin->store_);
  OT_ASSIGN_OR_RETURN(services::DefaultAccount account,
                      services::EnsureDefaultAccount(*twin->store_, *twin->credentials_, twin->ids_,
                                                     twin->clock_, services::kDefaultAccountId));
  twin->audit_ =
      std::make_unique<services::trail::AuditTrail>(*twin->store_, twin->clock_, twin->ids_);
  twin->gateway_ = std::make_unique<gateway::Gateway>(
      gateway::GatewayOptions{}, model::Registry::Embedded(),
      gateway::TwinServices{*twin->store_, twin->clock_, twin->ids_, *twin->credentials_, account});
  twin->gateway_->SetCallObserver(twin->audit_.get());
  OT_RETURN_IF_ERROR(services::RegisterAllServices(*twin->gateway_));
  twin->transport_ = std::make_shared<client::InProcessTransport>(*twin->gateway_);
  // Links in SNS's messages point at the embedded endpoint, which only this process reaches.
  twin->sns_delivery_ = std::make_unique<services::sns::DeliveryWorker>(
      *twin->store_, twin->clock_, services::sns::DeliveryOptions{kEndpointUrl});
  OT_RETURN_IF_ERROR(twin->sns_delivery_->Start());
  return twin;
}

}  // namespace orgtwin::cli
