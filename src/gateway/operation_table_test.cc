#include "gateway/operation_table.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/authz_test_util.h"
#include "gateway/operation_actions.h"
#include "model/service_model.h"
#include "policy/catalog.h"

namespace orgtwin::gateway {
namespace {

using testing::AuthzFixture;

// Model operations the catalog snapshot has no action for (newer than the snapshot); each is
// authorized as `<prefix>:<Operation>` and treated as a write.
const std::set<std::string> kNotInCatalog = {"iam:UpdateDelegationRequest"};

// The orgtwin extension service (models/orgtwin/): not an AWS service.
constexpr char kExtensionService[] = "orgtwin";

TEST(OperationTableTest, EveryModelOperationHasAnEntryAndAnAction) {
  size_t operations = 0;
  for (const model::ServiceModel* service : model::Registry::Embedded().services()) {
    for (const auto& [name, op] : service->operations()) {
      ++operations;
      const OperationInfo* info = FindOperationInfo(service->signing_name, name);
      ASSERT_NE(info, nullptr) << service->signing_name << ":" << name;
      EXPECT_EQ(info->operation, name);
      const std::string action = ActionNameOf(service->signing_name, name);
      if (service->signing_name == kExtensionService && action.rfind("orgtwin:", 0) == 0) {
        // The twin's own operations have actions of their own namespace, which no AWS catalog
        // lists; those standing for a console action AWS has (payments:...) are checked below.
        EXPECT_EQ(info->action, nullptr) << action;
        continue;
      }
      if (kNotInCatalog.count(action) != 0) {
        EXPECT_EQ(info->action, nullptr) << action;
        EXPECT_TRUE(info->may_write) << action;
        EXPECT_FALSE(info->read_only) << action;
        continue;
      }
      ASSERT_NE(info->action, nullptr) << action << " has neither a catalog entry nor an override";
      EXPECT_EQ(info->action->prefix + ":" + info->action->name, action);
    }
  }
  EXPECT_GT(operations, 300u);
}

// The table and the policy engine's action catalog (data/policy/iam-actions.json) come from the
// same snapshot by two paths; they must agree on every action and its access level.
TEST(OperationTableTest, AgreesWithTheActionCatalog) {
  std::set<std::string> prefixes;
  size_t checked = 0;
  for (const ActionInfo* action : AllActionInfos()) {
    prefixes.insert(action->prefix);
    const policy::CatalogAction* catalog =
        policy::Actions().Find(action->prefix + ":" + action->name);
    ASSERT_NE(catalog, nullptr) << action->prefix << ":" << action->name;
    EXPECT_EQ(AccessLevelName(action->access_level), catalog->access_level)
        << action->prefix << ":" << action->name;
    for (const ActionResource& resource : action->resources) {
      ASSERT_NE(resource.type, nullptr);
      EXPECT_TRUE(resource.type->arn_template.rfind("arn:${Partition}:", 0) == 0)
          << resource.type->arn_template;
    }
    ++checked;
  }
  // Every served model's prefix and the services coming next.
  for (const model::ServiceModel* service : model::Registry::Embedded().services()) {
    if (service->signing_name == kExtensionService) continue;
    EXPECT_EQ(prefixes.count(service->signing_name), 1u) << service->signing_name;
  }
  for (const char* next :
       {"cloudtrail", "events", "sns", "billing", "invoicing", "ce", "payments"}) {
    EXPECT_EQ(prefixes.count(next), 1u) << next;
  }
  // The number of actions of these prefixes in the whole catalog.
  size_t in_catalog = 0;
  for (const policy::CatalogAction& a : policy::Actions().actions()) {
    if (prefixes.count(a.name.substr(0, a.name.find(':'))) != 0) ++in_catalog;
  }
  EXPECT_EQ(checked, in_catalog);
}

TEST(OperationTableTest, ExtensionOperationsUseAwsActionsWhereAwsHasThem) {
  EXPECT_EQ(ActionNameOf(kExtensionService, "CreatePaymentMethod"),
            "payments:CreatePaymentInstrument");
  const OperationInfo* payment = FindOperationInfo(kExtensionService, "CreatePaymentMethod");
  ASSERT_NE(payment, nullptr);
  ASSERT_NE(payment->action, nullptr);
  EXPECT_EQ(payment->action->prefix, "payments");
  EXPECT_TRUE(payment->may_write);
  EXPECT_EQ(ActionNameOf(kExtensionService, "ResetTwin"), "orgtwin:ResetTwin");
  const OperationInfo* reset = FindOperationInfo(kExtensionService, "ResetTwin");
  ASSERT_NE(reset, nullptr);
  EXPECT_TRUE(reset->may_write);
  EXPECT_FALSE(reset->read_only);
  // The health report lives in memory: no writer thread, no epoch bump.
  const OperationInfo* health = FindOperationInfo(kExtensionService, "GetHealth");
  ASSERT_NE(health, nullptr);
  EXPECT_FALSE(health->may_write);
  // The clock's offset is stored, for every node on the database and the next start.
  const OperationInfo* clock = FindOperationInfo(kExtensionService, "AdvanceClock");
  ASSERT_NE(clock, nullptr);
  EXPECT_TRUE(clock->may_write);
}

TEST(OperationTableTest, AccessLevelsResourcesAndKeysAsTheReferenceStates) {
  const ActionInfo* get_user = FindActionInfo("iam", "GetUser");
  ASSERT_NE(get_user, nullptr);
  EXPECT_EQ(get_user->access_level, AccessLevel::kRead);
  ASSERT_EQ(get_user->resources.size(), 1u);
  EXPECT_EQ(get_user->resources[0].type->name, "user");
  EXPECT_TRUE(get_user->resources[0].required);
  EXPECT_EQ(get_user->resources[0].type->arn_template,
            "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}");
  EXPECT_EQ(FindActionInfo("iam", "ListRoles")->access_level, AccessLevel::kList);
  EXPECT_TRUE(FindActionInfo("iam", "ListRoles")->resources.empty());
  EXPECT_EQ(FindActionInfo("iam", "AttachRolePolicy")->access_level,
            AccessLevel::kPermissionsManagement);
  EXPECT_EQ(FindActionInfo("iam", "TagRole")->access_level, AccessLevel::kTagging);
  EXPECT_EQ(FindActionInfo("iam", "createrole")->name, "CreateRole");  // case-insensitive
  const auto& keys = FindActionInfo("iam", "CreateRole")->condition_keys;
  EXPECT_NE(std::find(keys.begin(), keys.end(), "iam:PermissionsBoundary"), keys.end());
  const ActionInfo* move = FindActionInfo("organizations", "MoveAccount");
  ASSERT_EQ(move->resources.size(), 3u);
  EXPECT_EQ(FindActionInfo("cloudtrail", "LookupEvents")->access_level, AccessLevel::kRead);
  EXPECT_EQ(FindActionInfo("iam", "NoSuchAction"), nullptr);
}

// One sample ARN per served service, filled from the catalog's own template.
TEST(OperationTableTest, ArnTemplatesFill) {
  const std::map<std::string, std::string> vars = {{"Partition", "aws"},
                                                   {"Account", "123456789012"},
                                                   {"Region", "us-east-1"},
                                                   {"RoleNameWithPath", "team/Admin"},
                                                   {"OrganizationId", "abcdefghij"},
                                                   {"AccountId", "111111111111"},
                                                   {"FederatedUserName", "bob"},
                                                   {"TrailName", "main"},
                                                   {"ResourceId", "view-1"},
                                                   {"Identifier", "unit-1"},
                                                   {"RuleName", "r1"},
                                                   {"EventBusName", "bus"},
                                                   {"TopicName", "t"},
                                                   {"AnomalyMonitorId", "m-1"},
                                                   {"PaymentInstrumentId", "pi-1"},
                                                   {"ManagementAccountId", "123456789012"},
                                                   {"MemberAccountId", "111111111111"}};
  auto fill = [&](std::string_view prefix, std::string_view action,
                  std::string_view type) -> std::string {
    const ActionInfo* info = FindActionInfo(prefix, action);
    if (info == nullptr) return "no action";
    for (const ActionResource& r : info->resources) {
      if (r.type->name != type) continue;
      auto arn = FillArnTemplate(r.type->arn_template,
                                 [&](std::string_view var) -> std::optional<std::string> {
                                   auto it = vars.find(std::string(var));
                                   if (it == vars.end()) return std::nullopt;
                                   return it->second;
                                 });
      return arn.value_or("unfilled " + r.type->arn_template);
    }
    return "no resource type";
  };
  EXPECT_EQ(fill("iam", "GetRole", "role"), "arn:aws:iam::123456789012:role/team/Admin");
  EXPECT_EQ(fill("sts", "AssumeRole", "role"), "arn:aws:iam::123456789012:role/team/Admin");
  EXPECT_EQ(fill("sts", "GetFederationToken", "federated-user"),
            "arn:aws:sts::123456789012:federated-user/bob");
  EXPECT_EQ(fill("organizations", "DescribeAccount", "account"),
            "arn:aws:organizations::123456789012:account/o-abcdefghij/111111111111");
  EXPECT_EQ(fill("account", "GetAlternateContact", "account"),
            "arn:aws:account::123456789012:account");
  EXPECT_EQ(fill("account", "GetAlternateContact", "accountInOrganization"),
            "arn:aws:account::123456789012:account/o-abcdefghij/111111111111");
  EXPECT_EQ(fill("cloudtrail", "StartLogging", "trail"),
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/main");
  EXPECT_EQ(fill("billing", "GetBillingView", "billingview"),
            "arn:aws:billing::123456789012:billingview/view-1");
  EXPECT_EQ(fill("invoicing", "GetInvoiceUnit", "invoice-unit"),
            "arn:aws:invoicing::123456789012:invoice-unit/unit-1");
  EXPECT_EQ(fill("events", "PutRule", "rule-on-default-event-bus"),
            "arn:aws:events:us-east-1:123456789012:rule/r1");
  EXPECT_EQ(fill("sns", "Publish", "topic"), "arn:aws:sns:us-east-1:123456789012:t");
  // A missing variable leaves the template unfilled.
  EXPECT_EQ(FillArnTemplate("arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
                            [](std::string_view var) -> std::optional<std::string> {
                              if (var == "Partition") return "aws";
                              return std::nullopt;
                            }),
            std::nullopt);
}

TEST(OperationTableTest, ArnsMatchTheirTemplateOnly) {
  const std::string role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
  const std::string user = "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}";
  EXPECT_TRUE(ArnMatchesTemplate("arn:aws:iam::123456789012:role/a/b/Admin", role));
  EXPECT_FALSE(ArnMatchesTemplate("arn:aws:iam::123456789012:role/a/b/Admin", user));
  EXPECT_FALSE(ArnMatchesTemplate("arn:aws:iam::123456789012:role/", role));  // empty name
  EXPECT_TRUE(ArnMatchesTemplate("arn:aws:iam::aws:policy/ReadOnlyAccess",
                                 "arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}"));
}

// Every split of the ARN, tried one by one: the plain reading of "a variable stands for one or
// more characters", which ArnMatchesTemplate must agree with while trying fewer.
bool MatchesByEverySplit(std::string_view arn, std::string_view arn_template) {
  if (arn_template.empty()) return arn.empty();
  if (arn_template.starts_with("${")) {
    const size_t close = arn_template.find('}');
    for (size_t n = 1; n <= arn.size(); ++n) {
      if (MatchesByEverySplit(arn.substr(n), arn_template.substr(close + 1))) return true;
    }
    return false;
  }
  return !arn.empty() && arn.front() == arn_template.front() &&
         MatchesByEverySplit(arn.substr(1), arn_template.substr(1));
}

TEST(OperationTableTest, ArnTemplatesMatchAsEverySplitWould) {
  const std::vector<std::string> templates = {
      "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
      "arn:${Partition}:sns:${Region}:${Account}:${TopicName}",
      "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
      "${A}${B}:x",
      "${A}/${A}",
  };
  const std::vector<std::string> arns = {
      "arn:aws:iam::123456789012:role/a/b/Admin",
      "arn:aws:iam::123456789012:role/role/",
      "arn:aws:iam:::role/x",
      "arn:aws:iam::1:role/:role/x",
      "arn:aws:sns:us-east-1:123456789012:alerts",
      "arn:aws:sns:us-east-1:123456789012:",
      "arn:aws:sns::123456789012:a:b",
      "arn:aws:s3:::bucket/a/b/c",
      "arn:aws:s3:::/x",
      "ab:x",
      "a:x",
      ":x:x",
      "a/b",
      "/b",
      "a/",
      "",
  };
  for (const std::string& arn_template : templates) {
    for (const std::string& arn : arns) {
      EXPECT_EQ(ArnMatchesTemplate(arn, arn_template), MatchesByEverySplit(arn, arn_template))
          << arn << " against " << arn_template;
    }
  }
}

// Whether an operation writes follows its access level, except the listed twin exceptions.
TEST(OperationTableTest, WritesFollowTheAccessLevel) {
  // The issue's example: a Read-level call stays off the writer thread.
  EXPECT_FALSE(OperationMayWrite("cloudtrail", "LookupEvents"));
  EXPECT_TRUE(IsReadOnlyOperation("cloudtrail", "LookupEvents"));
  EXPECT_FALSE(OperationMayWrite("iam", "GetUser"));
  EXPECT_TRUE(OperationMayWrite("iam", "TagUser"));
  EXPECT_TRUE(OperationMayWrite("cloudtrail", "CreateTrail"));
  // STS: credential-issuing calls store the session; none changes a decision.
  EXPECT_TRUE(OperationMayWrite("sts", "GetSessionToken"));
  EXPECT_TRUE(OperationMayWrite("sts", "AssumeRole"));
  EXPECT_TRUE(OperationMayWrite("sts", "GetFederationToken"));
  EXPECT_FALSE(OperationMayWrite("sts", "GetCallerIdentity"));
  EXPECT_FALSE(OperationMayWrite("sts", "DecodeAuthorizationMessage"));
  EXPECT_TRUE(IsReadOnlyOperation("sts", "AssumeRole"));
  // The credential report is stored, but changes no decision.
  EXPECT_TRUE(OperationMayWrite("iam", "GenerateCredentialReport"));
  EXPECT_TRUE(IsReadOnlyOperation("iam", "GenerateCredentialReport"));
  // Unknown operations are writes that may change decisions.
  EXPECT_TRUE(OperationMayWrite("iam", "NoSuchOperation"));
  EXPECT_FALSE(IsReadOnlyOperation("iam", "NoSuchOperation"));
  EXPECT_EQ(FindOperationInfo("iam", "getuser"), nullptr);  // wire names are case-sensitive

  for (const model::ServiceModel* service : model::Registry::Embedded().services()) {
    for (const auto& [name, op] : service->operations()) {
      const OperationInfo* info = FindOperationInfo(service->signing_name, name);
      ASSERT_NE(info, nullptr);
      EXPECT_TRUE(!info->only_adds || info->may_write) << name;
      EXPECT_TRUE(info->may_write || info->read_only) << name;
    }
  }
}

class OperationTablePlanTest : public AuthzFixture {};

TEST_F(OperationTablePlanTest, ServicesWithoutAPlannerUseTheTable) {
  // CloudTrail: a trail by name or ARN; the listing names none.
  AuthzPlan start = Plan(Root(), "cloudtrail", "StartLogging", {{"Name", "main"}});
  ASSERT_EQ(start.checks.size(), 1u);
  EXPECT_EQ(start.checks[0].action, "cloudtrail:StartLogging");
  EXPECT_EQ(start.checks[0].resource.substr(0, 19), "arn:aws:cloudtrail:");
  EXPECT_EQ(start.checks[0].resource.substr(start.checks[0].resource.size() - 11), ":trail/main");
  const std::string arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/other";
  EXPECT_EQ(Plan(Root(), "cloudtrail", "StopLogging", {{"Name", arn}}).checks[0].resource, arn);
  EXPECT_EQ(Plan(Root(), "cloudtrail", "LookupEvents").checks[0].resource, "*");
  // AWS-COMPAT: ListInsightsMetricData is authorized as cloudtrail:LookupEvents.
  AuthzPlan insights = Plan(Root(), "cloudtrail", "ListInsightsMetricData",
                            {{"EventSource", "iam.amazonaws.com"}, {"EventName", "CreateUser"}});
  ASSERT_EQ(insights.checks.size(), 1u);
  EXPECT_EQ(insights.checks[0].action, "cloudtrail:LookupEvents");
  // Invoicing: the resource ARN member matches the invoice-unit template; tags are keys.
  const std::string unit = "arn:aws:invoicing::123456789012:invoice-unit/abc";
  AuthzPlan tag = Plan(
      Root(), "invoicing", "TagResource",
      {{"ResourceArn", unit},
       {"ResourceTags", boost::json::array{boost::json::object{{"Key", "k"}, {"Value", "v"}}}}});
  EXPECT_EQ(tag.checks[0].action, "invoicing:TagResource");
  EXPECT_EQ(tag.checks[0].resource, unit);
}

}  // namespace
}  // namespace orgtwin::gateway
