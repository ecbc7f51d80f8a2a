#include "services/iam/service_linked_roles.h"

#include <cctype>

namespace orgtwin::services::iam {
namespace {

struct LinkedService {
  std::string_view service;      // "organizations.amazonaws.com"
  std::string_view suffix;       // role name after "AWSServiceRoleFor"
  std::string_view policy;       // AWS managed policy under /aws-service-role/, "" = none
  std::string_view description;  // set when the service creates its own role
};

// AWS-COMPAT: the role names and permissions AWS gives the service-linked roles of the services
// the seed's account structure uses; other services get a name derived from the service prefix.
constexpr LinkedService kLinkedServices[] = {
    {"organizations.amazonaws.com", "Organizations", "AWSOrganizationsServiceTrustPolicy",
     "Service-linked role used by AWS Organizations to enable integration of other AWS services "
     "with Organizations."},
    {"support.amazonaws.com", "Support", "AWSSupportServiceRolePolicy", ""},
    {"trustedadvisor.amazonaws.com", "TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy", ""},
    {"config.amazonaws.com", "Config", "AWSConfigServiceRolePolicy", ""},
    {"cloudtrail.amazonaws.com", "CloudTrail", "CloudTrailServiceRolePolicy", ""},
    {"autoscaling.amazonaws.com", "AutoScaling", "AutoScalingServiceRolePolicy", ""},
    {"elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing",
     "AWSElasticLoadBalancingServiceRolePolicy", ""},
    {"sso.amazonaws.com", "SSO", "AWSSSOServiceRolePolicy", ""},
    {"access-analyzer.amazonaws.com", "AccessAnalyzer", "AccessAnalyzerServiceRolePolicy", ""},
};

// "elastic-beanstalk.amazonaws.com" -> "ElasticBeanstalk".
std::string DerivedSuffix(std::string_view service) {
  std::string_view prefix = service.substr(0, service.find('.'));
  std::string out;
  bool upper = true;
  for (char c : prefix) {
    if (c == '-') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

}  // namespace

ServiceLinkedRoleSpec ServiceLinkedRoleFor(std::string_view service,
                                           std::string_view custom_suffix) {
  ServiceLinkedRoleSpec spec;
  spec.service = std::string(service);
  std::string suffix;
  for (const LinkedService& known : kLinkedServices) {
    if (known.service == service) {
      suffix = std::string(known.suffix);
      if (!known.policy.empty()) {
        spec.policy_arn = "arn:aws:iam::aws:policy/aws-service-role/" + std::string(known.policy);
      }
      spec.description = std::string(known.description);
    }
  }
  if (suffix.empty()) suffix = DerivedSuffix(service);
  spec.name = "AWSServiceRoleFor" + suffix;
  if (!custom_suffix.empty()) spec.name += "_" + std::string(custom_suffix);
  spec.path = "/aws-service-role/" + spec.service + "/";
  spec.trust_policy =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
      "{\"Service\":\"" +
      spec.service + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  return spec;
}

std::string ServiceLinkedRoleArn(std::string_view account, std::string_view service,
                                 std::string_view custom_suffix) {
  ServiceLinkedRoleSpec spec = ServiceLinkedRoleFor(service, custom_suffix);
  return "arn:aws:iam::" + std::string(account) + ":role" + spec.path + spec.name;
}

}  // namespace orgtwin::services::iam
