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

// The service principals that have a service-linked role and the role AWS names for each, from
// AWS's "AWS services that work with IAM" page (docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_aws-services-that-work-with-iam.html, the services with "Yes" under Service-linked
// roles) and each service's "Using service-linked roles" page, which names the role and its AWS
// managed policy. The name is "AWSServiceRoleFor" + `suffix`; it is not derivable from the
// principal (spot.amazonaws.com -> AWSServiceRoleForEC2Spot, eks.amazonaws.com ->
// AWSServiceRoleForAmazonEKS), hence the table. A policy absent from the embedded managed-policy
// set is not attached (InsertServiceLinkedRole). Sorted by service principal.
constexpr LinkedService kLinkedServices[] = {
    {"access-analyzer.amazonaws.com", "AccessAnalyzer", "AccessAnalyzerServiceRolePolicy", ""},
    {"appstream.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_AppStreamFleet",
     "AWSApplicationAutoscalingAppStreamFleetPolicy", ""},
    {"apprunner.amazonaws.com", "AppRunner", "AppRunnerServiceRolePolicy", ""},
    {"autoscaling-plans.amazonaws.com", "AutoScalingPlans_EC2AutoScaling",
     "AWSAutoScalingPlansEC2AutoScalingPolicy", ""},
    {"autoscaling.amazonaws.com", "AutoScaling", "AutoScalingServiceRolePolicy", ""},
    {"backup.amazonaws.com", "Backup", "AWSBackupServiceLinkedRolePolicyForBackup", ""},
    {"batch.amazonaws.com", "Batch", "BatchServiceRolePolicy", ""},
    {"cassandra.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_CassandraTable",
     "AWSApplicationAutoscalingCassandraTablePolicy", ""},
    {"cloudtrail.amazonaws.com", "CloudTrail", "CloudTrailServiceRolePolicy", ""},
    {"comprehend.application-autoscaling.amazonaws.com",
     "ApplicationAutoScaling_ComprehendEndpoint",
     "AWSApplicationAutoscalingComprehendEndpointPolicy", ""},
    {"compute-optimizer.amazonaws.com", "ComputeOptimizer", "ComputeOptimizerServiceRolePolicy",
     ""},
    {"config.amazonaws.com", "Config", "AWSConfigServiceRolePolicy", ""},
    {"controltower.amazonaws.com", "AWSControlTower", "AWSControlTowerServiceRolePolicy", ""},
    {"custom-resource.application-autoscaling.amazonaws.com",
     "ApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy", ""},
    {"dax.amazonaws.com", "DAX", "DAXServiceRolePolicy", ""},
    {"delivery.logs.amazonaws.com", "LogDelivery", "AWSServiceRoleForLogDeliveryPolicy", ""},
    {"dynamodb.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_DynamoDBTable",
     "AWSApplicationAutoscalingDynamoDBTablePolicy", ""},
    {"ec2.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_EC2SpotFleetRequest",
     "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy", ""},
    {"ec2fleet.amazonaws.com", "EC2Fleet", "AWSEC2FleetServiceRolePolicy", ""},
    {"ec2scheduled.amazonaws.com", "EC2Scheduled", "AWSServiceRoleForEC2ScheduledInstances", ""},
    {"ecs.amazonaws.com", "ECS", "AmazonECSServiceRolePolicy", ""},
    {"ecs.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_ECSService",
     "AWSApplicationAutoscalingECSServicePolicy", ""},
    {"eks-fargate.amazonaws.com", "AmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy",
     ""},
    {"eks-nodegroup.amazonaws.com", "AmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup",
     ""},
    {"eks.amazonaws.com", "AmazonEKS", "AmazonEKSServiceRolePolicy", ""},
    {"elasticache.amazonaws.com", "ElastiCache", "ElastiCacheServiceRolePolicy", ""},
    {"elasticache.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_ElastiCacheRG",
     "AWSApplicationAutoscalingElastiCacheRGPolicy", ""},
    {"elasticbeanstalk.amazonaws.com", "ElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy",
     ""},
    {"elasticfilesystem.amazonaws.com", "AmazonElasticFileSystem",
     "AmazonElasticFileSystemServiceRolePolicy", ""},
    {"elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing",
     "AWSElasticLoadBalancingServiceRolePolicy", ""},
    {"elasticmapreduce.amazonaws.com", "EMRCleanup", "AmazonEMRCleanupPolicy", ""},
    {"emr-containers.amazonaws.com", "AmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy",
     ""},
    {"es.amazonaws.com", "AmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy", ""},
    {"events.amazonaws.com", "CloudWatchEvents", "CloudWatchEventsServiceRolePolicy", ""},
    {"fms.amazonaws.com", "FMS", "FMSServiceRolePolicy", ""},
    {"fsx.amazonaws.com", "AmazonFSx", "AmazonFSxServiceRolePolicy", ""},
    {"globalaccelerator.amazonaws.com", "GlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy", ""},
    {"guardduty.amazonaws.com", "AmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy", ""},
    {"imagebuilder.amazonaws.com", "ImageBuilder", "AWSServiceRoleForImageBuilder", ""},
    {"inspector2.amazonaws.com", "AmazonInspector2", "AmazonInspector2ServiceRolePolicy", ""},
    {"kafka.amazonaws.com", "Kafka", "KafkaServiceRolePolicy", ""},
    {"kafka.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_KafkaCluster",
     "AWSApplicationAutoscalingKafkaClusterPolicy", ""},
    {"lakeformation.amazonaws.com", "LakeFormationDataAccess",
     "LakeFormationDataAccessServiceRolePolicy", ""},
    {"lambda.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_LambdaConcurrency",
     "AWSApplicationAutoscalingLambdaConcurrencyPolicy", ""},
    {"macie.amazonaws.com", "AmazonMacie", "AmazonMacieServiceRolePolicy", ""},
    {"managedupdates.elasticbeanstalk.amazonaws.com", "ElasticBeanstalkManagedUpdates",
     "AWSElasticBeanstalkManagedUpdatesServiceRolePolicy", ""},
    {"member.org.stacksets.cloudformation.amazonaws.com", "CloudFormationStackSetsOrgMember",
     "CloudFormationStackSetsOrgMemberServiceRolePolicy", ""},
    {"neptune.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_NeptuneCluster",
     "AWSApplicationAutoscalingNeptuneClusterPolicy", ""},
    {"opensearchservice.amazonaws.com", "AmazonOpenSearchService",
     "AmazonOpenSearchServiceRolePolicy", ""},
    {"ops.apigateway.amazonaws.com", "APIGateway", "APIGatewayServiceRolePolicy", ""},
    {"organizations.amazonaws.com", "Organizations", "AWSOrganizationsServiceTrustPolicy",
     "Service-linked role used by AWS Organizations to enable integration of other AWS services "
     "with Organizations."},
    {"osis.amazonaws.com", "AmazonOpenSearchIngestionService",
     "AmazonOpenSearchIngestionServiceRolePolicy", ""},
    {"ram.amazonaws.com", "ResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy", ""},
    {"rds.amazonaws.com", "RDS", "AmazonRDSServiceRolePolicy", ""},
    {"rds.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_RDSCluster",
     "AWSApplicationAutoscalingRDSClusterPolicy", ""},
    {"redshift.amazonaws.com", "Redshift", "AmazonRedshiftServiceLinkedRolePolicy", ""},
    {"replicator.lambda.amazonaws.com", "LambdaReplicator", "AWSLambdaReplicator", ""},
    {"sagemaker.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_SageMakerEndpoint",
     "AWSApplicationAutoscalingSageMakerEndpointPolicy", ""},
    {"securityhub.amazonaws.com", "SecurityHub", "AWSSecurityHubServiceRolePolicy", ""},
    {"spot.amazonaws.com", "EC2Spot", "AWSEC2SpotServiceRolePolicy", ""},
    {"spotfleet.amazonaws.com", "EC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy", ""},
    {"ssm.amazonaws.com", "AmazonSSM", "AmazonSSMServiceRolePolicy", ""},
    {"sso.amazonaws.com", "SSO", "AWSSSOServiceRolePolicy", ""},
    {"stacksets.cloudformation.amazonaws.com", "CloudFormationStackSetsOrgAdmin",
     "CloudFormationStackSetsOrgAdminServiceRolePolicy", ""},
    {"storage-lens.s3.amazonaws.com", "S3StorageLens", "S3StorageLensServiceRolePolicy", ""},
    {"support.amazonaws.com", "Support", "AWSSupportServiceRolePolicy", ""},
    {"transitgateway.amazonaws.com", "VPCTransitGateway", "AWSVPCTransitGatewayServiceRolePolicy",
     ""},
    {"trustedadvisor.amazonaws.com", "TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy", ""},
};

const LinkedService* FindLinkedService(std::string_view service) {
  for (const LinkedService& known : kLinkedServices) {
    if (known.service == service) return &known;
  }
  return nullptr;
}

// "elastic-beanstalk.amazonaws.com" -> "ElasticBeanstalk". Only for the authorization ARN of a
// request naming a service outside the table, which CreateServiceLinkedRole then refuses.
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
  if (const LinkedService* known = FindLinkedService(service)) {
    suffix = std::string(known->suffix);
    if (!known->policy.empty()) {
      spec.policy_arn = "arn:aws:iam::aws:policy/aws-service-role/" + std::string(known->policy);
    }
    spec.description = std::string(known->description);
  } else {
    suffix = DerivedSuffix(service);
  }
  spec.name = "AWSServiceRoleFor" + suffix;
  if (!custom_suffix.empty()) spec.name += "_" + std::string(custom_suffix);
  spec.path = "/aws-service-role/" + spec.service + "/";
  spec.trust_policy =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
      "{\"Service\":\"" +
      spec.service + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  return spec;
}

bool HasServiceLinkedRole(std::string_view service) {
  return FindLinkedService(service) != nullptr;
}

std::string ServiceLinkedRoleArn(std::string_view account, std::string_view service,
                                 std::string_view custom_suffix) {
  ServiceLinkedRoleSpec spec = ServiceLinkedRoleFor(service, custom_suffix);
  return "arn:aws:iam::" + std::string(account) + ":role" + spec.path + spec.name;
}

}  // namespace orgtwin::services::iam
