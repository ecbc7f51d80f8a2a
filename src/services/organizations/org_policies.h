// File: services/organizations/org_policies.h
//
// Organizations policies of every type in the model's PolicyType enum, and handshakes:
//   - CreatePolicy / UpdatePolicy / DeletePolicy / DescribePolicy / ListPolicies /
//     ListPoliciesForTarget / ListTargetsForPolicy / AttachPolicy / DetachPolicy /
//     EnablePolicyType / DisablePolicyType (org_policies.cc);
//   - DescribeEffectivePolicy / ListAccountsWithInvalidEffectivePolicy /
//     ListEffectivePolicyValidationErrors (org_policies.cc over effective_policy.h);
//   - InviteAccountToOrganization / AcceptHandshake / DeclineHandshake / CancelHandshake /
//     DescribeHandshake / ListHandshakesForAccount / ListHandshakesForOrganization /
//     EnableAllFeatures (org_handshakes.h).
// Content is validated per type: SCPs and RCPs by the policy engine's scp/rcp grammars
// (policy/document.h), management policies as JSON with inheritance operators; sizes per
// AWS-FACTS 1.9, all characters counted.
//
// Default policies: the function that attaches FullAWSAccess / RCPFullAWSAccess to a new OU or
// account while their type is enabled is AttachDefaultPolicies() of org_store.h (shared with the
// core handlers, which call it when they create an OU or account).
//
// Thread-safety: handlers keep no state; each runs in one store transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "gateway/gateway.h"
#include "services/organizations/org_store.h"

namespace orgtwin::services::organizations {

// Registers the policy, effective-policy and handshake handlers under "organizations".
Status RegisterOrganizationsPolicyHandlers(gateway::Gateway& gateway);

// Per-type rules (AWS-FACTS 1.9 and 2.3).
struct PolicyTypeRules {
  std::string_view type;
  size_t max_content_chars;  // all characters count
  int64_t max_attachments;   // per root, OU or account
  int64_t max_policies;      // per organization
  bool authorization;        // SCP or RCP: an Allow is needed at every level, min 1 attached
};
// nullopt for a name outside the model's enum.
std::optional<PolicyTypeRules> RulesForPolicyType(std::string_view type);

// Validates `content` as a policy of `type` (MalformedPolicyDocumentException or
// ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED).
Status ValidatePolicyContent(std::string_view type, std::string_view content);

}  // namespace orgtwin::services::organizations
