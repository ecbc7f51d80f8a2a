// File: services/iam/organizations_features.h
//
// Centralized root access for member accounts: IAM's organization features
// (RootCredentialsManagement, RootSessions; table org_root_features, migration 0018) and the
// rule for who may use them, shared by the IAM handlers (ListOrganizationsFeatures,
// Enable/Disable...) and STS AssumeRoot.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "repo/org_repository.h"
#include "store/store.h"

namespace orgtwin::services::iam {

inline constexpr std::string_view kIamServicePrincipal = "iam.amazonaws.com";

// Who may make a call: Enable* only the management account; the rest also IAM's delegated
// administrator.
enum class RootAccessCaller { kManagementOnly, kManagementOrDelegatedAdmin };

// The organization `account_id` may manage centralized root access for: it is in an
// organization with all features and trusted access for IAM, and it is the management account
// (or, when `who` allows it, the delegated administrator for iam.amazonaws.com). Otherwise the
// IAM error AWS answers (OrganizationNotFoundException, ...).
Result<repo::OrgRow> RootAccessOrganization(store::Transaction& tx, std::string_view account_id,
                                            RootAccessCaller who);

}  // namespace orgtwin::services::iam
