#include "policy/catalog.h"

#include <set>

#include <gtest/gtest.h>

#include "policy/effective.h"

namespace orgtwin::policy {
namespace {

// Namespaces that expose or change billing, payment, invoice, cost or tax data (see
// docs/policy-evaluation.md, "Billing actions"). account:GetAccountInformation (account name,
// ID, creation date) is account management, not billing.
const std::set<std::string> kBilling = {"aws-portal",
                                        "billing",
                                        "payments",
                                        "invoicing",
                                        "ce",
                                        "cur",
                                        "purchase-orders",
                                        "tax",
                                        "budgets",
                                        "consolidatedbilling",
                                        "freetier",
                                        "bcm-data-exports",
                                        "bcm-dashboards",
                                        "bcm-pricing-calculator",
                                        "bcm-recommended-actions",
                                        "billingconductor",
                                        "mapcredits",
                                        "savingsplans"};
// Billing-console companions the Billing job function also grants; still not account control.
const std::set<std::string> kBillingAdjacent = {"pricing", "sustainability"};

std::string Prefix(const std::string& action) { return action.substr(0, action.find(':')); }

PolicySet Managed(std::initializer_list<const char*> arns) {
  PolicySet set;
  for (const char* arn : arns) {
    auto p = ManagedPolicies().Compiled(arn);
    EXPECT_TRUE(p.ok()) << arn << ": " << p.status().ToString();
    if (p.ok()) set.identity.push_back(*p);
  }
  return set;
}

Principal Session(const char* role) {
  Principal p;
  p.type = PrincipalType::kAssumedRole;
  p.account = "111111111111";
  p.arn = std::string("arn:aws:sts::111111111111:assumed-role/") + role + "/s";
  return p;
}

TEST(ActionCatalog, HasEveryActionCaseInsensitively) {
  const auto& c = Actions();
  EXPECT_EQ(c.actions().size(), 21788u);
  const CatalogAction* a = c.Find("S3:GETOBJECT");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "s3:GetObject");
  EXPECT_EQ(a->access_level, "Read");
  EXPECT_NE(a->id, kNoAction);
  EXPECT_EQ(c.Find("s3:NoSuchAction"), nullptr);
  EXPECT_GE(c.global_condition_keys().size(), 50u);
}

TEST(ManagedPolicies, ResolveRealDocuments) {
  const auto& m = ManagedPolicies();
  EXPECT_GE(m.policies().size(), 1600u);
  const ManagedPolicy* billing = m.FindByArn("arn:aws:iam::aws:policy/job-function/Billing");
  ASSERT_NE(billing, nullptr);
  EXPECT_EQ(billing->name, "Billing");
  EXPECT_NE(billing->document.find("aws-portal:*Billing"), std::string::npos);
  EXPECT_NE(m.FindOrganizations("FullAWSAccess"), nullptr);
  EXPECT_NE(m.FindOrganizations("p-RCPFullAWSAccess"), nullptr);
  auto missing = m.Compiled("arn:aws:iam::aws:policy/FullOrganizationAccess");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().aws_code(), "NoSuchEntity");
  // Every current managed policy compiles (AWS's own documents are valid).
  size_t compiled = 0;
  for (const auto& p : m.policies()) {
    if (p.arn.empty()) continue;
    auto r = m.Compiled(p.arn);
    EXPECT_TRUE(r.ok()) << p.arn << ": " << r.status().ToString();
    compiled += r.ok() ? 1 : 0;
  }
  EXPECT_GE(compiled, 1590u);
}

TEST(EffectivePermissions, CustomerSocRoleHasNoBillingAction) {
  PolicySet set = Managed({"arn:aws:iam::aws:policy/AWSOrganizationsFullAccess",
                           "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                           "arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
                           "arn:aws:iam::aws:policy/CloudWatchFullAccess",
                           "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess"});
  EffectiveQuery q;
  q.principal = Session("CustomerSOC");
  auto allowed = EffectivePermissions(set, q);
  std::set<std::string> names;
  for (const auto& a : allowed) {
    EXPECT_EQ(kBilling.count(Prefix(a.action->name)), 0u) << a.action->name;
    names.insert(a.action->name);
  }
  EXPECT_TRUE(names.count("organizations:CreateAccount"));
  EXPECT_TRUE(names.count("s3:GetObject"));
  EXPECT_TRUE(names.count("cloudformation:CreateStack"));
  EXPECT_FALSE(names.count("iam:CreateRole"));
  // iam:PassRole is allowed only when passed to CloudTrail: conditional, with the key named.
  for (const auto& a : allowed) {
    if (a.action->name == "iam:PassRole") {
      EXPECT_EQ(a.permission, Permission::kConditional);
      ASSERT_EQ(a.condition_keys.size(), 1u);
      EXPECT_EQ(a.condition_keys[0], "iam:passedtoservice");
    }
  }
  EXPECT_TRUE(names.count("iam:PassRole"));
}

TEST(EffectivePermissions, PartnerBillingRoleHasNothingButBilling) {
  PolicySet set = Managed({"arn:aws:iam::aws:policy/job-function/Billing"});
  EffectiveQuery q;
  q.principal = Session("PartnerBilling");
  auto allowed = EffectivePermissions(set, q);
  EXPECT_GT(allowed.size(), 100u);
  std::set<std::string> names;
  for (const auto& a : allowed) {
    const std::string prefix = Prefix(a.action->name);
    const bool ok = kBilling.count(prefix) || kBillingAdjacent.count(prefix) ||
                    a.action->name == "account:GetAccountInformation" ||
                    a.action->name == "support:CreateCase" ||
                    a.action->name == "support:AddAttachmentsToSet";
    EXPECT_TRUE(ok) << a.action->name;
    names.insert(a.action->name);
  }
  EXPECT_TRUE(names.count("aws-portal:ViewBilling"));
  EXPECT_TRUE(names.count("invoicing:GetInvoicePDF"));
  EXPECT_FALSE(names.count("account:PutAlternateContact"));
  EXPECT_FALSE(names.count("organizations:LeaveOrganization"));
}

TEST(EffectivePermissions, MfaOnlyAllowIsConditional) {
  PolicySet set;
  auto p = CompileText(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"iam:*","Resource":"*"},
      {"Effect":"Deny","NotAction":"iam:ListUsers","Resource":"*",
       "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]})",
                       Flavour::kIdentity, "mfa");
  ASSERT_TRUE(p.ok());
  set.identity.push_back(*p);
  EffectiveQuery q;
  q.principal.type = PrincipalType::kUser;
  q.principal.account = "111111111111";
  q.principal.arn = "arn:aws:iam::111111111111:user/alice";
  auto allowed = EffectivePermissions(set, q);
  bool saw_list = false, saw_create = false;
  for (const auto& a : allowed) {
    EXPECT_EQ(Prefix(a.action->name), "iam");
    if (a.action->name == "iam:ListUsers") {
      saw_list = true;
      EXPECT_EQ(a.permission, Permission::kAllowed);
    }
    if (a.action->name == "iam:CreateUser") {
      saw_create = true;
      EXPECT_EQ(a.permission, Permission::kConditional);
      EXPECT_EQ(a.condition_keys, std::vector<std::string>{"aws:multifactorauthpresent"});
    }
  }
  EXPECT_TRUE(saw_list);
  EXPECT_TRUE(saw_create);
}

}  // namespace
}  // namespace orgtwin::policy
