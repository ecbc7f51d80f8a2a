// File: services/iam/service_linked_roles.h
//
// What AWS names and grants a service's service-linked role: the role name
// ("AWSServiceRoleFor<Service>[_<suffix>]"), its path (/aws-service-role/<service>/), its trust
// policy (the service principal may sts:AssumeRole) and the AWS managed policy it carries. One
// table shared by IAM's CreateServiceLinkedRole, the services that create their own role
// (Organizations' AWSServiceRoleForOrganizations) and the gateway, which authorizes
// iam:CreateServiceLinkedRole on the role's ARN.
//
// Pure functions over the name table (compiled into orgtwin_twin_state so the gateway can use
// them); creating the role in the store is iam::CreateServiceLinkedRoleRow (iam_entities.h).
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin::services::iam {

inline constexpr std::string_view kOrganizationsServicePrincipal = "organizations.amazonaws.com";

struct ServiceLinkedRoleSpec {
  std::string service;       // "organizations.amazonaws.com"
  std::string name;          // "AWSServiceRoleForOrganizations"
  std::string path;          // "/aws-service-role/organizations.amazonaws.com/"
  std::string trust_policy;  // JSON
  std::string policy_arn;    // AWS managed policy to attach, "" = none
  std::string description;   // what AWS sets when the service creates the role itself, or ""
};

// Whether `service` (a service principal, "elasticbeanstalk.amazonaws.com") has a service-linked
// role; CreateServiceLinkedRole refuses the others.
bool HasServiceLinkedRole(std::string_view service);

// The role AWS creates for `service`; `custom_suffix` ("" = none) is appended as "_<suffix>".
// For a service without one (HasServiceLinkedRole false) the name is derived from the principal's
// first label, for authorizing the request that will then be refused.
ServiceLinkedRoleSpec ServiceLinkedRoleFor(std::string_view service,
                                           std::string_view custom_suffix = "");

// "arn:aws:iam::<account>:role/aws-service-role/<service>/<name>".
std::string ServiceLinkedRoleArn(std::string_view account, std::string_view service,
                                 std::string_view custom_suffix = "");

}  // namespace orgtwin::services::iam
