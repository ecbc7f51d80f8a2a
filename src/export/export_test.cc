#include "export/export.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "structure/parse.h"
#include "testing/temp_dir.h"

namespace orgtwin::exporter {
namespace {

namespace json = boost::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPayerId[] = "999988887777";

structure::Structure LoadExample() {
  auto loaded =
      structure::LoadStructureFile(std::string(OT_REPO_ROOT) + "/examples/shared-payer.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return *loaded;
}

// Names a file of the example would hold that make the generators work for their living: a path
// with shell and Fn::Sub syntax in it, a quote in a description, two role names that make the same
// logical ID, and a role trusting its own account (whose ID is not known).
constexpr std::string_view kAwkward = R"(name: awkward
parties:
  ops:
    name: Ops
    profile: ops-home
    profiles: {app: ops-app}
accounts:
  app:
    owner: ops
    name: App
    email: app@ops.example
    create: true
  home:
    owner: ops
    name: Home
    email: home@ops.example
    id: "123456789012"
iam:
  app:
    roles:
      - name: Ops-Admin
        path: "/it's/${x}/$(touch${IFS}pwned)/"
        description: "Ops' admin role; `date` $HOME"
        trust: {accounts: [app, home], external_id: ext-1}
      - name: Ops.Admin
        trust: {accounts: [home]}
  home:
    users:
      - name: alice
        may_assume: [app/Ops-Admin]
)";

structure::Structure LoadAwkward(const test::TempDir& dir) {
  auto parsed = structure::ParseStructure(kAwkward, "awkward.yaml", dir.path());
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return *parsed;
}

const ExportedFile* FindFile(const Export& exported, std::string_view path) {
  for (const ExportedFile& file : exported.files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

json::object ParseFile(const Export& exported, std::string_view path) {
  const ExportedFile* file = FindFile(exported, path);
  EXPECT_NE(file, nullptr) << path;
  if (file == nullptr) return {};
  return json::parse(file->content).as_object();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExportFormatTest, NamesRoundTrip) {
  for (ExportFormat format :
       {ExportFormat::kIamJson, ExportFormat::kCloudFormation, ExportFormat::kCli}) {
    EXPECT_EQ(ExportFormatFromName(ExportFormatName(format)), format);
  }
  EXPECT_EQ(ExportFormatFromName("terraform"), std::nullopt);
}

TEST(KnownAccountIdsTest, FileFirstThenRecorded) {
  structure::Structure example = LoadExample();
  auto ids = KnownAccountIds(example, {{"payer", kPayerId}});
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(ids->at("payer"), kPayerId);
  EXPECT_EQ(ids->at("customer-mgmt"), "210987654321");
  EXPECT_EQ(ids->size(), example.accounts.size());
}

TEST(KnownAccountIdsTest, RefusesWhatCannotBeAnId) {
  structure::Structure example = LoadExample();
  EXPECT_THAT(KnownAccountIds(example, {{"nope", kPayerId}}).status().message(),
              HasSubstr("`nope` is not an account"));
  EXPECT_THAT(KnownAccountIds(example, {{"payer", "12345"}}).status().message(),
              HasSubstr("not an AWS account ID"));
  EXPECT_THAT(KnownAccountIds(example, {{"customer-mgmt", kPayerId}}).status().message(),
              HasSubstr("has ID 210987654321"));
}

TEST(IamJsonExportTest, OneFilePerDocumentWithAnIndex) {
  structure::Structure example = LoadExample();
  auto ids = KnownAccountIds(example, {});
  Export exported = ExportIamJson(example, *ids);
  EXPECT_THAT(exported.unknown_accounts, ElementsAre("payer"));

  json::object trust = ParseFile(exported, "payer/roles/CustomerAdmin/trust-policy.json");
  const json::object& statement = trust.at("Statement").as_array().at(0).as_object();
  EXPECT_EQ(statement.at("Principal").at("AWS"), "arn:aws:iam::210987654321:root");
  EXPECT_EQ(statement.at("Condition").at("Bool").at("aws:MultiFactorAuthPresent"), "true");

  json::object may_assume =
      ParseFile(exported, "customer-mgmt/users/payer-admin/inline/MayAssumeStructureRoles.json");
  EXPECT_EQ(may_assume.at("Statement").as_array().at(0).at("Resource"),
            "arn:aws:iam::<account-id:payer>:role/CustomerAdmin");

  // The organization's policies, as the file has them.
  json::object deny_leave =
      ParseFile(exported, "payer/organization/service-control-policy/DenyLeaveOrganization.json");
  EXPECT_EQ(json::value(deny_leave),
            json::parse(ReadText(std::string(OT_REPO_ROOT) +
                                 "/examples/policies/deny-leave-organization.json")));
  json::object tags = ParseFile(exported, "payer/organization/tag-policy/CostCenterTags.json");
  EXPECT_EQ(tags.at("tags").at("costcenter").at("tag_key").at("@@assign"), "CostCenter");

  // The index lists every other file exactly once, and each entry's file exists.
  json::object index = ParseFile(exported, "index.json");
  std::set<std::string> listed;
  for (const json::value& entry : index.at("documents").as_array()) {
    const std::string file(entry.at("file").as_string());
    EXPECT_TRUE(listed.insert(file).second) << file;
    EXPECT_NE(FindFile(exported, file), nullptr) << file;
  }
  EXPECT_EQ(listed.size() + 1, exported.files.size());
  EXPECT_EQ(index.at("accounts").at("payer").at("placeholder"), "<account-id:payer>");
  EXPECT_TRUE(index.at("accounts").at("payer").at("id").is_null());
  EXPECT_EQ(index.at("unknown_account_ids"), json::array{"payer"});
}

TEST(IamJsonExportTest, KnownIdsLeaveNoPlaceholder) {
  structure::Structure example = LoadExample();
  auto ids = KnownAccountIds(example, {{"payer", kPayerId}});
  Export exported = ExportIamJson(example, *ids);
  EXPECT_TRUE(exported.unknown_accounts.empty());
  for (const ExportedFile& file : exported.files) {
    EXPECT_THAT(file.content, Not(HasSubstr("<account-id:"))) << file.path;
  }
  json::object may_assume =
      ParseFile(exported, "customer-mgmt/users/payer-admin/inline/MayAssumeStructureRoles.json");
  EXPECT_EQ(may_assume.at("Statement").as_array().at(0).at("Resource"),
            "arn:aws:iam::999988887777:role/CustomerAdmin");
}

// Every logical ID of a template: letters and digits only (uniqueness is the JSON object's).
void ExpectAlphanumericLogicalIds(const json::object& stack) {
  for (const char* section : {"Parameters", "Resources"}) {
    if (!stack.contains(section)) continue;
    for (const auto& member : stack.at(section).as_object()) {
      EXPECT_TRUE(std::regex_match(std::string(member.key()), std::regex("[A-Za-z0-9]{1,255}")))
          << member.key();
      if (std::string_view(section) == "Resources" && stack.contains("Parameters")) {
        EXPECT_FALSE(stack.at("Parameters").as_object().contains(member.key())) << member.key();
      }
    }
  }
}

TEST(CloudFormationExportTest, TemplatePerAccountAndOneForTheOrganization) {
  structure::Structure example = LoadExample();
  auto ids = KnownAccountIds(example, {});
  Export exported = ExportCloudFormation(example, *ids);
  std::vector<std::string> paths;
  for (const ExportedFile& file : exported.files) paths.push_back(file.path);
  EXPECT_THAT(paths, ElementsAre("customer-mgmt.template.json", "partner-home.template.json",
                                 "payer.template.json", "payer.organization.template.json"));

  json::object payer = ParseFile(exported, "payer.template.json");
  ExpectAlphanumericLogicalIds(payer);
  const json::object& role = payer.at("Resources").at("RoleCustomerAdmin").as_object();
  EXPECT_EQ(role.at("Type"), "AWS::IAM::Role");
  const json::object& properties = role.at("Properties").as_object();
  EXPECT_EQ(properties.at("RoleName"), "CustomerAdmin");
  EXPECT_EQ(properties.at("MaxSessionDuration"), 3600);
  EXPECT_EQ(properties.at("ManagedPolicyArns").as_array().size(), 6U);
  EXPECT_EQ(
      properties.at("AssumeRolePolicyDocument").at("Statement").as_array().at(0).at("Principal"),
      (json::object{{"AWS", "arn:aws:iam::210987654321:root"}}));
  EXPECT_THAT(json::value_to<std::string>(payer.at("Metadata").at("orgtwin").at("profile")),
              "partner-payer");

  // The customer's user may assume a role in the payer, whose ID is a parameter.
  json::object customer = ParseFile(exported, "customer-mgmt.template.json");
  ExpectAlphanumericLogicalIds(customer);
  EXPECT_EQ(customer.at("Parameters").at("AccountIdPayer").at("AllowedPattern"), "^[0-9]{12}$");
  const json::object& user =
      customer.at("Resources").at("UserPayerAdmin").at("Properties").as_object();
  EXPECT_EQ(user.at("Groups"), (json::array{json::object{{"Ref", "GroupPayerAdmins"}}}));
  EXPECT_EQ(user.at("Policies").as_array().at(0).at("PolicyName"), "MayAssumeStructureRoles");
  EXPECT_EQ(user.at("Policies")
                .as_array()
                .at(0)
                .at("PolicyDocument")
                .at("Statement")
                .as_array()
                .at(0)
                .at("Resource"),
            (json::object{{"Fn::Sub", "arn:aws:iam::${AccountIdPayer}:role/CustomerAdmin"}}));

  json::object organization = ParseFile(exported, "payer.organization.template.json");
  ExpectAlphanumericLogicalIds(organization);
  EXPECT_THAT(json::value_to<std::string>(organization.at("Metadata").at("orgtwin").at("profile")),
              "customer-payer");
  const json::object& resources = organization.at("Resources").as_object();
  const json::object root_ref{{"Ref", "OrganizationRootId"}};
  const json::object workloads_id{{"Fn::GetAtt", json::array{"OuWorkloads", "Id"}}};
  EXPECT_EQ(resources.at("OuWorkloads").at("Properties").at("ParentId"), root_ref);
  EXPECT_EQ(resources.at("OuWorkloadsProd").at("Properties").at("ParentId"), workloads_id);
  EXPECT_EQ(resources.at("OuWorkloadsProd").at("Type"), "AWS::Organizations::OrganizationalUnit");
  EXPECT_EQ(resources.at("PolicyDenyLeaveOrganization").at("Properties").at("TargetIds"),
            json::array{root_ref});
  EXPECT_EQ(resources.at("PolicyRegionGuard").at("Properties").at("TargetIds"),
            json::array{workloads_id});
  EXPECT_EQ(resources.at("PolicyCostCenterTags").at("Properties").at("Type"), "TAG_POLICY");
  EXPECT_TRUE(resources.at("PolicyCostCenterTags").at("Properties").at("Content").is_object());
}

TEST(CloudFormationExportTest, OwnAccountIsThePseudoParameterAndNamesStayUnique) {
  test::TempDir dir;
  structure::Structure awkward = LoadAwkward(dir);
  Export exported = ExportCloudFormation(awkward, *KnownAccountIds(awkward, {}));
  json::object app = ParseFile(exported, "app.template.json");
  ExpectAlphanumericLogicalIds(app);
  EXPECT_FALSE(app.contains("Parameters"));  // only its own ID is unknown
  const json::object& resources = app.at("Resources").as_object();
  ASSERT_TRUE(resources.contains("RoleOpsAdmin"));
  ASSERT_TRUE(resources.contains("RoleOpsAdmin2"));
  EXPECT_EQ(resources.at("RoleOpsAdmin")
                .at("Properties")
                .at("AssumeRolePolicyDocument")
                .at("Statement")
                .as_array()
                .at(0)
                .at("Principal")
                .at("AWS"),
            (json::array{json::object{{"Fn::Sub", "arn:aws:iam::${AWS::AccountId}:root"}},
                         "arn:aws:iam::123456789012:root"}));

  // In the other account the role's ARN is substituted, and the `${x}` of its path kept literal.
  json::object home = ParseFile(exported, "home.template.json");
  EXPECT_EQ(home.at("Resources")
                .at("UserAlice")
                .at("Properties")
                .at("Policies")
                .as_array()
                .at(0)
                .at("PolicyDocument")
                .at("Statement")
                .as_array()
                .at(0)
                .at("Resource"),
            (json::object{
                {"Fn::Sub",
                 "arn:aws:iam::${AccountIdApp}:role/it's/${!x}/$(touch${!IFS}pwned)/Ops-Admin"}}));
}

TEST(CliScriptExportTest, StepsNameTheirOwnerAndProfile) {
  structure::Structure example = LoadExample();
  Export exported = ExportCliScript(example, *KnownAccountIds(example, {}));
  ASSERT_EQ(exported.files.size(), 1U);
  const ExportedFile& script = exported.files.front();
  EXPECT_TRUE(script.executable);
  EXPECT_THAT(script.content, HasSubstr("\nset -euo pipefail\n"));
  EXPECT_THAT(script.content,
              HasSubstr(": \"${ACCOUNT_ID_PAYER:?set ACCOUNT_ID_PAYER to the 12-digit ID"));

  // Every command follows its step comment, and runs with that owner's profile there.
  std::istringstream lines(script.content);
  std::string line;
  std::string owner;
  std::string account;
  int commands = 0;
  const std::regex step_comment("# step [0-9]+, owner ([a-z-]+) \\(account ([a-z-]+)\\): .*");
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, step_comment)) {
      owner = match[1];
      account = match[2];
      continue;
    }
    if (line.rfind("aws ", 0) != 0 && line.find("=\"$(aws ") == std::string::npos) continue;
    ++commands;
    ASSERT_FALSE(owner.empty()) << line;
    const std::string& profile = example.ProfileFor(*example.FindParty(owner), account);
    EXPECT_THAT(line, HasSubstr(" --profile " + profile)) << line;
    owner.clear();
  }
  EXPECT_GT(commands, 20);
  // The organization is the customer's, through its role in the payer; the payer's IAM the
  // partner's, with the payer's root keys.
  EXPECT_THAT(script.content,
              HasSubstr("owner customer (account payer): create the organization\n"
                        "aws organizations create-organization --profile customer-payer"));
  EXPECT_THAT(script.content, HasSubstr("owner partner (account payer): create role CustomerAdmin\n"
                                        "aws iam create-role --profile partner-payer"));
  EXPECT_THAT(script.content, HasSubstr("\"${ACCOUNT_ID_PAYER}\"':role/CustomerAdmin"));
}

TEST(CliScriptExportTest, AwkwardTextIsQuotedForBash) {
  test::TempDir dir;
  structure::Structure awkward = LoadAwkward(dir);
  Export exported = ExportCliScript(awkward, *KnownAccountIds(awkward, {}));
  ASSERT_TRUE(WriteExport(exported, dir.File("out")).ok());
  const std::string script = dir.File("out/orgtwin-structure.sh");
  EXPECT_THAT(ReadText(script), HasSubstr("--path '/it'\\''s/${x}/$(touch${IFS}pwned)/'"));
  EXPECT_EQ(std::system(("bash -n " + script).c_str()), 0);
  // Run with a stand-in `aws` that prints its arguments one per line: nothing in the file's text
  // is executed, and each argument arrives whole.
  const std::string fake_bin = dir.File("bin");
  std::filesystem::create_directories(fake_bin);
  {
    std::ofstream fake(fake_bin + "/aws");
    fake << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> \"" << dir.File("calls")
         << "\"\necho fake-id\n";
  }
  std::filesystem::permissions(fake_bin + "/aws", std::filesystem::perms::owner_all);
  const std::string run = "cd " + dir.path() + " && PATH=" + fake_bin +
                          ":$PATH ACCOUNT_ID_APP=111111111111 bash " + script + " >/dev/null";
  ASSERT_EQ(std::system(run.c_str()), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.File("pwned")));
  const std::string calls = ReadText(dir.File("calls"));
  EXPECT_THAT(calls, HasSubstr("\n/it's/${x}/$(touch${IFS}pwned)/\n"));
  EXPECT_THAT(calls, HasSubstr("\nOps' admin role; `date` $HOME\n"));
  EXPECT_THAT(calls,
              HasSubstr("arn:aws:iam::111111111111:role/it's/${x}/$(touch${IFS}pwned)/Ops-Admin"));
}

TEST(CliScriptExportTest, AScriptWithoutUnknownIdsRequiresNone) {
  structure::Structure example = LoadExample();
  Export exported = ExportCliScript(example, *KnownAccountIds(example, {{"payer", kPayerId}}));
  EXPECT_TRUE(exported.unknown_accounts.empty());
  EXPECT_THAT(exported.files.front().content, Not(HasSubstr("ACCOUNT_ID_")));
}

}  // namespace
}  // namespace orgtwin::exporter
