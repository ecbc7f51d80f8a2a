#include "model/service_model.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace orgtwin::model {
namespace {

TEST(RegistryTest, EveryEmbeddedServiceLoads) {
  const Registry& registry = Registry::Embedded();
  std::vector<std::string> ids;
  for (const ServiceModel* s : registry.services()) {
    ids.push_back(s->endpoint_prefix);
    EXPECT_FALSE(s->operations().empty()) << s->service_id;
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"account", "billing", "ce", "cloudtrail", "events", "iam",
                                      "invoicing", "organizations", "orgtwin", "sns", "sts"}));
}

TEST(RegistryTest, LookupsBySigningNameTargetPrefixAndApiVersion) {
  const Registry& registry = Registry::Embedded();
  const ServiceModel* orgs = registry.BySigningName("organizations");
  ASSERT_NE(orgs, nullptr);
  EXPECT_EQ(orgs->protocol, Protocol::kJson);
  EXPECT_EQ(orgs->json_version, "1.1");
  EXPECT_EQ(orgs->target_prefix, "AWSOrganizationsV20161128");
  EXPECT_EQ(registry.ByTargetPrefix("AWSOrganizationsV20161128"), orgs);
  EXPECT_EQ(registry.ByTargetPrefix(""), nullptr);
  EXPECT_EQ(registry.ByTargetPrefix("NoSuchPrefix"), nullptr);

  const ServiceModel* iam = registry.ByApiVersion("2010-05-08");
  ASSERT_NE(iam, nullptr);
  EXPECT_EQ(iam->signing_name, "iam");
  EXPECT_EQ(iam->protocol, Protocol::kQuery);
  EXPECT_EQ(iam->xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
  const ServiceModel* sts = registry.ByApiVersion("2011-06-15");
  ASSERT_NE(sts, nullptr);
  EXPECT_EQ(sts->signing_name, "sts");

  const ServiceModel* account = registry.BySigningName("account");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->protocol, Protocol::kRestJson);
  EXPECT_EQ(registry.ByEndpointPrefix("cloudtrail"), registry.BySigningName("cloudtrail"));
  // billing and invoicing speak JSON 1.0.
  ASSERT_NE(registry.BySigningName("invoicing"), nullptr);
  EXPECT_EQ(registry.BySigningName("invoicing")->json_version, "1.0");
  EXPECT_EQ(registry.BySigningName("nope"), nullptr);
}

TEST(ServiceModelTest, OrganizationsCreateAccountShapes) {
  const ServiceModel* orgs = Registry::Embedded().BySigningName("organizations");
  ASSERT_NE(orgs, nullptr);
  const Operation* op = orgs->FindOperation("CreateAccount");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(orgs->FindOperation("createaccount"), nullptr);
  ASSERT_NE(op->input, nullptr);
  EXPECT_EQ(op->input->type, ShapeType::kStructure);
  EXPECT_TRUE(op->input->IsRequired("Email"));
  EXPECT_TRUE(op->input->IsRequired("AccountName"));
  EXPECT_FALSE(op->input->IsRequired("RoleName"));
  const Member* email = op->input->FindMember("Email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->shape->type, ShapeType::kString);
  EXPECT_EQ(email->shape->min, 6);
  EXPECT_EQ(email->shape->max, 64);
  ASSERT_TRUE(email->shape->pattern.has_value());
  const Member* billing = op->input->FindMember("IamUserAccessToBilling");
  ASSERT_NE(billing, nullptr);
  EXPECT_EQ(billing->shape->enum_values, (std::vector<std::string>{"ALLOW", "DENY"}));
  const Member* tags = op->input->FindMember("Tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->shape->type, ShapeType::kList);
  EXPECT_EQ(tags->shape->member.shape->type, ShapeType::kStructure);
  ASSERT_NE(op->output, nullptr);
  EXPECT_NE(op->output->FindMember("CreateAccountStatus"), nullptr);
  EXPECT_FALSE(op->errors.empty());

  const Shape* invalid = orgs->FindError("InvalidInputException");
  ASSERT_NE(invalid, nullptr);
  EXPECT_TRUE(invalid->is_error);
  EXPECT_EQ(invalid->http_status, 400);
  EXPECT_NE(invalid->FindMember("Reason"), nullptr);

  const ServiceModel::Paginator* pag = orgs->FindPaginator("ListAccounts");
  ASSERT_NE(pag, nullptr);
  EXPECT_EQ(pag->input_token, std::vector<std::string>{"NextToken"});
  EXPECT_EQ(pag->limit_key, "MaxResults");
}

TEST(ServiceModelTest, QueryErrorCodesAndRestJsonBindings) {
  const Registry& registry = Registry::Embedded();
  const ServiceModel* iam = registry.BySigningName("iam");
  ASSERT_NE(iam, nullptr);
  // IAM error shapes carry a wire code that differs from the shape name.
  const Shape* exists = iam->FindError("EntityAlreadyExists");
  ASSERT_NE(exists, nullptr);
  EXPECT_EQ(exists->name, "EntityAlreadyExistsException");
  EXPECT_EQ(exists->http_status, 409);
  EXPECT_EQ(iam->FindError("EntityAlreadyExistsException"), exists);
  const Shape* no_such = iam->FindError("NoSuchEntity");
  ASSERT_NE(no_such, nullptr);
  EXPECT_EQ(no_such->http_status, 404);
  const Operation* create_role = iam->FindOperation("CreateRole");
  ASSERT_NE(create_role, nullptr);
  EXPECT_EQ(create_role->result_wrapper, "CreateRoleResult");

  const ServiceModel* sts = registry.BySigningName("sts");
  ASSERT_NE(sts, nullptr);
  const Operation* web = sts->FindOperation("AssumeRoleWithWebIdentity");
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(web->auth_none);
  EXPECT_FALSE(sts->FindOperation("AssumeRole")->auth_none);

  const ServiceModel* account = registry.BySigningName("account");
  ASSERT_NE(account, nullptr);
  const Operation* put = account->FindOperation("PutAlternateContact");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->http_method, "POST");
  EXPECT_EQ(put->request_uri, "/putAlternateContact");
  const Shape* not_found = account->FindError("ResourceNotFoundException");
  ASSERT_NE(not_found, nullptr);
  EXPECT_EQ(not_found->http_status, 404);
}

TEST(RegistryLoadTest, RejectsMalformedDocuments) {
  EXPECT_FALSE(Registry::Load({{"not json", ""}}).ok());
  EXPECT_FALSE(Registry::Load({{"[]", ""}}).ok());
  EXPECT_FALSE(Registry::Load({{R"({"metadata":{}})", ""}}).ok());
  // A member pointing at an undefined shape.
  const char* dangling = R"({"metadata":{"protocol":"json","endpointPrefix":"x","apiVersion":"1"},
    "operations":{},"shapes":{"S":{"type":"structure","members":{"A":{"shape":"Missing"}}}}})";
  auto loaded = Registry::Load({{dangling, ""}});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("Missing"), std::string::npos);
  const char* minimal = R"({"metadata":{"protocol":"json","endpointPrefix":"x","apiVersion":"1",
    "targetPrefix":"X"},"operations":{"Op":{"name":"Op","http":{"method":"POST","requestUri":"/"}}},
    "shapes":{}})";
  auto ok = Registry::Load({{minimal, ""}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->ByTargetPrefix("X")->json_version, "1.0");
}

}  // namespace
}  // namespace orgtwin::model
