// File: services/iam/access_keys.h
//
// IAM access keys of users and of the root user: CreateAccessKey (at most 2 per user),
// UpdateAccessKey (Active/Inactive; an inactive key fails authentication with
// InvalidClientTokenId), DeleteAccessKey, ListAccessKeys (Marker/MaxItems) and
// GetAccessKeyLastUsed (from CredentialStore::LastUse). Rows live in `access_keys`
// (principal_type 'User' with the user name, or 'Root'); every change invalidates the
// credential cache entry of the key.
//
// Thread-safety: handlers keep no state; safe to call concurrently.
#pragma once

#include "common/status.h"
#include "gateway/gateway.h"

namespace orgtwin::services::iam {

// Registers the access-key handlers with `gateway` under the signing name "iam".
Status RegisterAccessKeyHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::iam
