// File: services/register.h
//
// Wires every service's handlers into a Gateway. One call at start-up (cli/serve.cc).
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services {

Status RegisterAllServices(gateway::Gateway& gateway);

}  // namespace orgtwin::services
