#include "services/sns/topic_policy.h"

#include <chrono>
#include <string>

#include "policy/compiled_policy.h"
#include "policy/evaluator.h"
#include "services/sns/sns_common.h"

namespace orgtwin::services::sns {
namespace {

policy::ParseOptions ResourceOptions() {
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;
  return options;
}

}  // namespace

Status AuthorizeServiceCall(const repo::SnsTopicRow& topic, const ServiceCaller& caller,
                            std::string_view action, TimePoint now) {
  policy::Request req;
  req.principal.type = policy::PrincipalType::kService;
  req.principal.arn = std::string(caller.service_principal);
  req.action = std::string(action);
  req.resource = topic.topic_arn;
  req.resource_account = topic.account_id;
  req.epoch_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (!caller.source_arn.empty()) req.context.Set("aws:SourceArn", std::string(caller.source_arn));
  if (!caller.source_account.empty()) {
    req.context.Set("aws:SourceAccount", std::string(caller.source_account));
    // AWS-COMPAT: SNS's legacy key for the account a service acts for (the default policy's
    // condition) carries the same value as aws:SourceAccount.
    req.context.Set("aws:SourceOwner", std::string(caller.source_account));
  }
  req.context.Set("aws:ViaAWSService", "false");
  req.DeriveGlobalKeys();
  policy::PolicySet set;
  Result<policy::PolicyPtr> compiled =
      policy::CompileText(repo::EffectiveSnsTopicPolicy(topic), policy::Flavour::kResource,
                          topic.topic_arn + "/policy", ResourceOptions());
  // A stored policy that no longer compiles allows nothing.
  if (compiled.ok()) set.resource = *std::move(compiled);
  policy::Decision decision = policy::Evaluate(req, set);
  if (decision.allowed()) return Status::Ok();
  return SnsAuthorizationError(policy::AccessDeniedMessage(req, decision));
}

Status ValidateTopicPolicy(std::string_view document) {
  Result<policy::PolicyPtr> compiled =
      policy::CompileText(document, policy::Flavour::kResource, "topic-policy", ResourceOptions());
  if (compiled.ok()) return Status::Ok();
  // AWS-COMPAT: SNS answers an invalid policy with "Invalid parameter: Policy Error: <why>"; the
  // reason is the policy engine's own text.
  return InvalidParameter("Policy Error: " + compiled.status().message());
}

}  // namespace orgtwin::services::sns
