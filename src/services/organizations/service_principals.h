// File: services/organizations/service_principals.h
//
// The service principals AWS Organizations recognizes: those of the AWS services that work with
// Organizations (trusted access, delegated administrator). Enable/DisableAWSServiceAccess,
// Register/DeregisterDelegatedAdministrator and the delegated-administrator listings refuse any
// other principal with UNRECOGNIZED_SERVICE_PRINCIPAL, as AWS does. The list is data:
// data/organizations/service-principals.json, with its sources (data/README.md).
#pragma once

#include <string_view>

namespace orgtwin::services::organizations {

bool IsRecognizedServicePrincipal(std::string_view principal);

}  // namespace orgtwin::services::organizations
