// File: cli/embedded_twin.h
//
// EmbeddedTwin: the whole twin inside the calling process (`orgtwin rehearse`): its store (SQLite
// in a data directory by default, or any store URL), the default account, a Gateway with every
// service registered, SNS's delivery worker (a rehearsal's alert subscriptions are confirmed by
// mail), and an InProcessTransport into it. The engine reaches it exactly as it reaches AWS --
// SigV4-signed requests through orgtwin::client -- only without a socket; `orgtwin serve --data
// DIR` serves the same directory afterwards.
//
// Ownership: owns everything it opens; the transport must not outlive it.
// Thread-safety: as the Gateway (any thread).
#pragma once

#include <memory>
#include <string>

#include "client/transport.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "gateway/gateway.h"
#include "services/identity/credential_store.h"
#include "services/sns/delivery.h"
#include "store/store.h"

namespace orgtwin::cli {

class EmbeddedTwin {
 public:
  // Opens (or creates) the twin whose store `store_url` names (open_store.h), e.g.
  // sqlite:DATA_DIR/orgtwin.db, or a PostgreSQL database.
  static Result<std::unique_ptr<EmbeddedTwin>> Open(const std::string& store_url);

  std::shared_ptr<client::Transport> transport() const { return transport_; }
  // The URL the engine's clients are given; requests never leave the process.
  static constexpr char kEndpointUrl[] = "http://orgtwin.embedded";

 private:
  EmbeddedTwin() = default;

  SystemClock clock_;
  SecureIdGenerator ids_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<services::CredentialStore> credentials_;
  // Records every call; declared before the gateway, which it must outlive.
  std::unique_ptr<gateway::CallObserver> audit_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::shared_ptr<client::Transport> transport_;
  // Last: stopped before the store it reads goes away.
  std::unique_ptr<services::sns::DeliveryWorker> sns_delivery_;
};

}  // namespace orgtwin::cli
