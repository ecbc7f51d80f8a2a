#include "structure/parse.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace orgtwin::structure {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Two parties and two accounts: lines 1 to 19. Error tests append to it, so the line numbers in
// their expectations count from 20.
constexpr std::string_view kMinimal = R"(name: t
parties:
  partner:
    name: Partner
    profile: partner
  customer:
    name: Customer
    profile: customer
accounts:
  payer:
    owner: partner
    name: Payer
    email: payer@partner.example
    create: true
  customer-mgmt:
    owner: customer
    name: Customer
    email: root@customer.example
    id: "210987654321"
)";

class StructureParseTest : public ::testing::Test {
 protected:
  // Writes `text` as structure.yaml in the temp dir and loads it from there, as a user would.
  Result<Structure> Load(std::string_view text) {
    WriteFile(path_, text);
    return LoadStructureFile(path_);
  }
  // The error message expected for `text`, which must fail.
  std::string ErrorOf(std::string_view text) {
    Result<Structure> result = Load(text);
    EXPECT_FALSE(result.ok());
    if (result.ok()) return "";
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidInput);
    return result.status().message();
  }
  // `path:line:column: message`.
  std::string At(int line, int column, std::string_view message) const {
    return path_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
           std::string(message);
  }

  test::TempDir dir_{"orgtwin-structure"};
  std::string path_ = dir_.File("structure.yaml");
};

TEST_F(StructureParseTest, MinimalParses) {
  Result<Structure> result = Load(kMinimal);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->name, "t");
  const Account* payer = result->FindAccount("payer");
  ASSERT_NE(payer, nullptr);
  EXPECT_TRUE(payer->ToBeCreated());
  EXPECT_EQ(payer->owner.value, "partner");
  EXPECT_EQ(payer->location.ToString(), path_ + ":10:3");
  EXPECT_EQ(payer->owner.location.ToString(), path_ + ":11:12");
  EXPECT_EQ(result->FindAccount("customer-mgmt")->existing_id, "210987654321");
  EXPECT_FALSE(result->organization.has_value());
}

TEST_F(StructureParseTest, ExampleSharedPayerSaysWhatTheFileSays) {
  const std::string example = std::string(OT_REPO_ROOT) + "/examples/shared-payer.yaml";
  Result<Structure> result = LoadStructureFile(example);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Structure& s = *result;
  EXPECT_EQ(s.name, "shared-payer");

  ASSERT_EQ(s.parties.size(), 2u);
  const Party& partner = s.parties.at("partner");
  const Party& customer = s.parties.at("customer");
  EXPECT_EQ(partner.profile, "partner");
  EXPECT_EQ(customer.profile, "customer");
  EXPECT_EQ(partner.contacts.at(ContactType::kBilling).email, "aws-billing@partner.example");
  EXPECT_EQ(customer.contacts.at(ContactType::kSecurity).email, "soc@customer.example");
  EXPECT_EQ(customer.contacts.at(ContactType::kOperations).phone, "+1 425 555 0199");
  EXPECT_EQ(customer.contacts.count(ContactType::kBilling), 0u);

  const Account& payer = s.accounts.at("payer");
  EXPECT_TRUE(payer.ToBeCreated());
  EXPECT_EQ(payer.owner.value, "partner");
  EXPECT_EQ(payer.email, "aws-payer@partner.example");
  EXPECT_EQ(s.accounts.at("customer-mgmt").existing_id, "210987654321");
  EXPECT_EQ(s.accounts.at("customer-mgmt").owner.value, "customer");
  EXPECT_FALSE(s.accounts.at("customer-prod").ToBeCreated());
  EXPECT_FALSE(s.accounts.at("customer-dev").ToBeCreated());

  ASSERT_TRUE(s.organization.has_value());
  const Organization& org = *s.organization;
  EXPECT_EQ(org.management_account, "payer");
  EXPECT_EQ(org.feature_set, FeatureSet::kAll);
  ASSERT_EQ(org.units.size(), 2u);
  EXPECT_EQ(org.units[0].path, "Security");
  ASSERT_NE(org.FindUnit("Workloads/Prod"), nullptr);
  ASSERT_NE(org.FindUnit("Workloads/Dev"), nullptr);
  EXPECT_EQ(org.FindUnit("Workloads/Dev")->name, "Dev");
  ASSERT_EQ(org.placements.size(), 2u);
  EXPECT_EQ(org.placements[0].account, "customer-prod");
  EXPECT_EQ(org.placements[0].ou_path, "Workloads/Prod");

  ASSERT_EQ(org.policies.size(), 3u);
  const OrganizationPolicy& deny_leave = org.policies[0];
  EXPECT_EQ(deny_leave.name, "DenyLeaveOrganization");
  EXPECT_EQ(deny_leave.type, PolicyType::kServiceControl);
  EXPECT_EQ(deny_leave.content_file, "policies/deny-leave-organization.json");
  EXPECT_EQ(deny_leave.content, ReadWholeFile(std::string(OT_REPO_ROOT) +
                                              "/examples/policies/deny-leave-organization.json"));
  ASSERT_TRUE(deny_leave.copy_from.has_value());
  EXPECT_EQ(deny_leave.copy_from->value, "customer-mgmt");
  ASSERT_EQ(deny_leave.attachments.size(), 1u);
  EXPECT_EQ(deny_leave.attachments[0].kind, PolicyTarget::Kind::kRoot);
  EXPECT_EQ(org.policies[1].attachments[0].kind, PolicyTarget::Kind::kOrganizationalUnit);
  EXPECT_EQ(org.policies[1].attachments[0].name, "Workloads");
  const OrganizationPolicy& tags = org.policies[2];
  EXPECT_EQ(tags.type, PolicyType::kTag);
  EXPECT_FALSE(tags.copy_from.has_value());
  EXPECT_EQ(boost::json::parse(tags.content),
            boost::json::parse(R"({"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}})"));

  const AccountIam& payer_iam = s.iam.at("payer");
  const Role* admin = payer_iam.FindRole("CustomerAdmin");
  ASSERT_NE(admin, nullptr);
  EXPECT_FALSE(admin->trust.IsDocument());
  ASSERT_EQ(admin->trust.accounts.size(), 1u);
  EXPECT_EQ(admin->trust.accounts[0].value, "customer-mgmt");
  EXPECT_TRUE(admin->trust.require_mfa);
  std::vector<std::string> admin_policies;
  for (const LocatedString& arn : admin->managed_policy_arns) admin_policies.push_back(arn.value);
  EXPECT_THAT(admin_policies, ElementsAre("arn:aws:iam::aws:policy/AWSOrganizationsFullAccess",
                                          "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                                          "arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
                                          "arn:aws:iam::aws:policy/CloudWatchFullAccess",
                                          "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess",
                                          "arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess"));
  const Role* billing = payer_iam.FindRole("PartnerBilling");
  ASSERT_NE(billing, nullptr);
  ASSERT_EQ(billing->managed_policy_arns.size(), 1u);
  EXPECT_EQ(billing->managed_policy_arns[0].value, "arn:aws:iam::aws:policy/job-function/Billing");
  EXPECT_TRUE(billing->inline_policies.empty());
  EXPECT_EQ(billing->trust.accounts[0].value, "partner-home");

  const AccountIam& customer_iam = s.iam.at("customer-mgmt");
  ASSERT_EQ(customer_iam.users.size(), 1u);
  ASSERT_EQ(customer_iam.users[0].may_assume.size(), 1u);
  EXPECT_EQ(customer_iam.users[0].may_assume[0].account, "payer");
  EXPECT_EQ(customer_iam.users[0].may_assume[0].role, "CustomerAdmin");

  const AlternateContacts& contacts = s.alternate_contacts.at("payer");
  EXPECT_EQ(contacts.party.at(ContactType::kBilling).value, "partner");
  EXPECT_EQ(contacts.party.at(ContactType::kOperations).value, "customer");
  EXPECT_EQ(contacts.party.at(ContactType::kSecurity).value, "customer");

  const Custody& custody = s.custody.at("payer");
  EXPECT_EQ(custody.held.at(RootFactor::kRootPassword).value, "partner");
  EXPECT_EQ(custody.held.at(RootFactor::kRootEmailMailbox).value, "partner");
  EXPECT_EQ(custody.held.at(RootFactor::kRootMfa).value, "customer");
  EXPECT_EQ(custody.held.at(RootFactor::kPhone).value, "customer");

  ASSERT_EQ(s.billing_visibility.size(), 1u);
  EXPECT_EQ(s.billing_visibility[0].value, "partner");
  ASSERT_EQ(s.alerts.size(), 1u);
  EXPECT_EQ(s.alerts[0].event, AlertEvent::kRootLogin);
  EXPECT_EQ(s.alerts[0].account.value, "payer");
  ASSERT_EQ(s.alerts[0].notify.size(), 2u);

  std::vector<std::string> expectations;
  for (const Expectation& e : s.expectations) expectations.push_back(e.text);
  EXPECT_THAT(
      expectations,
      ::testing::Contains(
          "partner cannot administer IAM in payer, customer-mgmt, customer-prod and customer-dev"));
  EXPECT_THAT(expectations, ::testing::Contains("customer cannot read invoices"));
  EXPECT_THAT(expectations, ::testing::Contains("neither party alone can sign in as root"));
  EXPECT_EQ(s.expectations[0].location.file, example);
  EXPECT_GT(s.expectations[0].location.line, 1);
}

TEST_F(StructureParseTest, YamlSyntaxErrorNamesThePlace) {
  EXPECT_EQ(ErrorOf("name: t\nparties: [a, b\n"),
            At(3, 1, "yaml syntax error: end of sequence flow not found"));
}

TEST_F(StructureParseTest, EmptyFile) {
  EXPECT_EQ(ErrorOf(""), At(1, 1, "the structure file is empty"));
}

TEST_F(StructureParseTest, UnknownKeySaysWhichAreAllowed) {
  std::string text(kMinimal);
  text.insert(text.find("    create: true"), "    emial: x@y.example\n");
  EXPECT_EQ(ErrorOf(text), At(14, 5,
                              "account `payer`: unknown key `emial` (allowed: owner, name, "
                              "email, id, create, starts_in)"));
}

TEST_F(StructureParseTest, WrongType) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "billing_visibility: partner\n"),
            At(20, 21, "`billing_visibility` must be a sequence, not a scalar"));
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "expect:\n  - {a: b}\n"),
            At(21, 5, "each item of `expect` must be a string, not a mapping"));
}

TEST_F(StructureParseTest, MissingRequiredField) {
  std::string text(kMinimal);
  text.erase(text.find("    email: payer@partner.example\n"),
             std::string_view("    email: payer@partner.example\n").size());
  EXPECT_EQ(ErrorOf(text), At(11, 5, "account `payer`: missing required key `email`"));
}

TEST_F(StructureParseTest, BadAccountId) {
  std::string text(kMinimal);
  text.replace(text.find("\"210987654321\""), 14, "\"2109876543\"");
  EXPECT_EQ(ErrorOf(text),
            At(19, 9,
               "account `customer-mgmt`: `id` `2109876543` is not an AWS account ID (12 digits; "
               "quote it in YAML)"));
}

TEST_F(StructureParseTest, BadEmail) {
  std::string text(kMinimal);
  text.replace(text.find("payer@partner.example"), 21, "payer-at-partner");
  EXPECT_EQ(ErrorOf(text), At(13, 12,
                              "account `payer`: `email` `payer-at-partner` is not an email address "
                              "(6 to 64 characters, name@domain.tld)"));
}

TEST_F(StructureParseTest, IdOrCreateExactlyOne) {
  std::string text(kMinimal);
  text.erase(text.find("    create: true\n"), std::string_view("    create: true\n").size());
  EXPECT_EQ(ErrorOf(text), At(11, 5,
                              "account `payer`: give either `id` (an account that exists) or "
                              "`create: true` (one to be created)"));
}

TEST_F(StructureParseTest, UnknownParty) {
  std::string text(kMinimal);
  text.replace(text.find("owner: partner"), 14, "owner: partnr");
  EXPECT_EQ(ErrorOf(text), At(11, 12,
                              "account `payer`: `owner`: unknown party `partnr` (parties: "
                              "customer, partner)"));
}

TEST_F(StructureParseTest, UnknownAccountInPlacement) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "organization:\n"
                                            "  management_account: payer\n"
                                            "  placement:\n"
                                            "    customer-prod: root\n"),
            At(23, 5,
               "placement of `customer-prod`: unknown account `customer-prod` (accounts: "
               "customer-mgmt, payer)"));
}

TEST_F(StructureParseTest, UnknownOuInPlacement) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "organization:\n"
                                            "  management_account: payer\n"
                                            "  units:\n"
                                            "    - name: Workloads\n"
                                            "  placement:\n"
                                            "    customer-mgmt: Workloads/Prod\n"),
            At(25, 5, "placement of `customer-mgmt`: unknown OU `Workloads/Prod`"));
}

TEST_F(StructureParseTest, UnknownAttachmentTarget) {
  EXPECT_EQ(
      ErrorOf(std::string(kMinimal) + "organization:\n"
                                      "  management_account: payer\n"
                                      "  policies:\n"
                                      "    - name: Tags\n"
                                      "      type: TAG_POLICY\n"
                                      "      content: {tags: {}}\n"
                                      "      attach_to: [root, Sandbox, customer-mgmt]\n"),
      At(26, 25, "policy `Tags`: attachment `Sandbox` is not `root`, an account or an OU path") +
          "\n" +
          At(26, 34,
             "policy `Tags`: account `customer-mgmt` is not in the organization (add it to "
             "`placement`)"));
}

TEST_F(StructureParseTest, DuplicateAccountKey) {
  std::string text(kMinimal);
  text +=
      "  payer:\n    owner: partner\n    name: P\n    email: p2@partner.example\n"
      "    create: true\n";
  EXPECT_EQ(ErrorOf(text),
            At(20, 3, "`accounts`: duplicate key `payer` (first at " + path_ + ":10:3)"));
}

TEST_F(StructureParseTest, DuplicateOuAndRole) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "organization:\n"
                                            "  management_account: payer\n"
                                            "  units:\n"
                                            "    - name: Workloads\n"
                                            "    - name: Workloads\n"
                                            "iam:\n"
                                            "  payer:\n"
                                            "    roles:\n"
                                            "      - {name: Admin, trust: {accounts: [payer]}}\n"
                                            "      - {name: Admin, trust: {accounts: [payer]}}\n"),
            At(24, 13, "duplicate OU `Workloads` (first at " + path_ + ":23:7)") + "\n" +
                At(29, 9, "duplicate role `Admin` in `payer` (first at " + path_ + ":28:9)"));
}

TEST_F(StructureParseTest, OuDeeperThanFiveLevels) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "organization:\n"
                                            "  management_account: payer\n"
                                            "  units:\n"
                                            "    - name: A\n"
                                            "      children:\n"
                                            "        - name: B\n"
                                            "          children:\n"
                                            "            - name: C\n"
                                            "              children:\n"
                                            "                - name: D\n"
                                            "                  children:\n"
                                            "                    - name: E\n"
                                            "                      children:\n"
                                            "                        - name: F\n"),
            At(33, 27, "OU `A/B/C/D/E/F` is 6 levels below the root; AWS allows at most 5"));
}

TEST_F(StructureParseTest, OuCycleThroughAnAlias) {
  // The only way to write a cycle in nested OUs: an alias of an enclosing OU inside it.
  std::string message = ErrorOf(std::string(kMinimal) +
                                "organization:\n"
                                "  management_account: payer\n"
                                "  units:\n"
                                "    - &loop\n"
                                "      name: Loop\n"
                                "      children:\n"
                                "        - *loop\n");
  // An alias is the node it names, so the error points at the OU that contains itself.
  EXPECT_EQ(message, At(23, 7, "OU cycle: OU `Loop` contains itself through a YAML alias"));
}

TEST_F(StructureParseTest, UnknownPolicyType) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "organization:\n"
                                            "  management_account: payer\n"
                                            "  policies:\n"
                                            "    - name: X\n"
                                            "      type: SCP\n"
                                            "      content: '{}'\n"),
            At(24, 13,
               "policy `X`: unknown policy type `SCP` (allowed: SERVICE_CONTROL_POLICY, "
               "RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY)"));
}

TEST_F(StructureParseTest, PolicyDocumentThatDoesNotParse) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) +
                    "organization:\n"
                    "  management_account: payer\n"
                    "  policies:\n"
                    "    - name: X\n"
                    "      type: SERVICE_CONTROL_POLICY\n"
                    "      content:\n"
                    "        Version: 2012-10-17\n"
                    "        Statement: [{Effect: Maybe, Action: '*', Resource: '*'}]\n"),
            At(26, 9,
               "policy `X`: content is not a valid SERVICE_CONTROL_POLICY: The provided policy "
               "document does not meet the requirements of the specified policy type."));
}

TEST_F(StructureParseTest, InlineIamPolicyThatDoesNotParse) {
  std::string message = ErrorOf(std::string(kMinimal) +
                                "iam:\n"
                                "  payer:\n"
                                "    users:\n"
                                "      - name: u\n"
                                "        inline:\n"
                                "          Broken: '{\"Version\": \"2012-10-17\"'\n");
  EXPECT_THAT(message, HasSubstr(At(25, 19,
                                    "user `u` in `payer`: inline policy `Broken` is not a valid "
                                    "identity policy: ")));
}

TEST_F(StructureParseTest, UnreadableFile) {
  std::string message = ErrorOf(std::string(kMinimal) +
                                "organization:\n"
                                "  management_account: payer\n"
                                "  policies:\n"
                                "    - name: X\n"
                                "      type: SERVICE_CONTROL_POLICY\n"
                                "      file: policies/missing.json\n");
  EXPECT_EQ(message, At(25, 13,
                        "policy `X`: cannot read `file` `policies/missing.json` (looked for `" +
                            dir_.File("policies/missing.json") + "`)"));
}

TEST_F(StructureParseTest, PolicyFileThatIsEmptyOrADirectory) {
  WriteFile(dir_.File("policies/empty.json"), "");
  std::filesystem::create_directories(dir_.File("policies/dir.json"));
  std::string message = ErrorOf(std::string(kMinimal) +
                                "organization:\n"
                                "  management_account: payer\n"
                                "  policies:\n"
                                "    - name: Empty\n"
                                "      type: TAG_POLICY\n"
                                "      file: policies/empty.json\n"
                                "    - name: Dir\n"
                                "      type: TAG_POLICY\n"
                                "      file: policies/dir.json\n");
  EXPECT_THAT(message, HasSubstr(At(25, 13,
                                    "policy `Empty`: content is not a valid TAG_POLICY: "
                                    "invalid JSON (")));
  EXPECT_THAT(message,
              HasSubstr(At(28, 13, "policy `Dir`: cannot read `file` `policies/dir.json`")));
}

TEST_F(StructureParseTest, MissingStructureFile) {
  Result<Structure> result = LoadStructureFile(dir_.File("absent.yaml"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            dir_.File("absent.yaml") + ": cannot read the structure file");
}

TEST_F(StructureParseTest, PoliciesNeedAllFeatures) {
  EXPECT_EQ(
      ErrorOf(std::string(kMinimal) + "organization:\n"
                                      "  management_account: payer\n"
                                      "  feature_set: CONSOLIDATED_BILLING\n"
                                      "  policies:\n"
                                      "    - {name: T, type: TAG_POLICY, content: {tags: {}}}\n"),
      At(24, 7, "policy `T`: TAG_POLICY needs `feature_set: ALL`"));
}

TEST_F(StructureParseTest, TwoPartiesCannotShareAProfile) {
  std::string text(kMinimal);
  text.replace(text.find("profile: customer"), 17, "profile: partner");
  EXPECT_EQ(
      ErrorOf(text),
      At(6, 3, "party `customer`: profile `partner` is already the profile of party `partner`"));
}

TEST_F(StructureParseTest, DocumentThatContainsItselfThroughAnAlias) {
  std::string message =
      ErrorOf(std::string(kMinimal) +
              "iam:\n"
              "  payer:\n"
              "    groups:\n"
              "      - name: G\n"
              "        inline:\n"
              "          Loop: &loop {Version: 2012-10-17, Statement: [*loop]}\n");
  EXPECT_THAT(message, HasSubstr("nests too deeply (a YAML alias that contains itself?)"));
}

TEST_F(StructureParseTest, RoleTrustingAnUnknownAccount) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "iam:\n"
                                            "  payer:\n"
                                            "    roles:\n"
                                            "      - name: CustomerAdmin\n"
                                            "        trust:\n"
                                            "          accounts: [customer-mgmt, customer-mgnt]\n"),
            At(25, 37,
               "role `CustomerAdmin` in `payer`: `trust`: unknown account `customer-mgnt` "
               "(accounts: customer-mgmt, payer)"));
}

TEST_F(StructureParseTest, UnknownAwsManagedPolicy) {
  EXPECT_EQ(
      ErrorOf(std::string(kMinimal) + "iam:\n"
                                      "  payer:\n"
                                      "    groups:\n"
                                      "      - name: G\n"
                                      "        managed: [arn:aws:iam::aws:policy/NoSuchPolicy]\n"),
      At(24, 19,
         "group `G` in `payer`: unknown AWS managed policy "
         "`arn:aws:iam::aws:policy/NoSuchPolicy`"));
}

TEST_F(StructureParseTest, UserAssumingAnUndeclaredRole) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "iam:\n"
                                            "  customer-mgmt:\n"
                                            "    users:\n"
                                            "      - name: u\n"
                                            "        may_assume: [payer/Nope]\n"),
            At(24, 22, "user `u` in `customer-mgmt`: unknown role `Nope` in `payer`"));
}

TEST_F(StructureParseTest, AlternateContactPartyWithoutThatContact) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "alternate_contacts:\n  payer: {billing: partner}\n"),
            At(21, 20, "alternate contacts of `payer`: party `partner` has no billing contact"));
}

TEST_F(StructureParseTest, EveryErrorIsReportedInFileOrder) {
  std::string text(kMinimal);
  text.replace(text.find("\"210987654321\""), 14, "\"1\"");
  text.replace(text.find("payer@partner.example"), 21, "nope");
  std::string message = ErrorOf(text);
  EXPECT_EQ(message, At(13, 12,
                        "account `payer`: `email` `nope` is not an email address (6 to 64 "
                        "characters, name@domain.tld)") +
                         "\n" +
                         At(19, 9,
                            "account `customer-mgmt`: `id` `1` is not an AWS account ID (12 "
                            "digits; quote it in YAML)"));
}

// The listing in docs/structure-file.md, "Errors".
TEST_F(StructureParseTest, TheDocumentedErrorListing) {
  std::string text(kMinimal);
  text.replace(text.find("email: payer@"), 6, "emial:");
  text.replace(text.find("\"210987654321\""), 14, "\"1\"");
  EXPECT_EQ(ErrorOf(text),
            At(11, 5, "account `payer`: missing required key `email`") + "\n" +
                At(13, 5,
                   "account `payer`: unknown key `emial` (allowed: owner, name, email, id, "
                   "create, starts_in)") +
                "\n" +
                At(19, 9,
                   "account `customer-mgmt`: `id` `1` is not an AWS account ID (12 digits; quote "
                   "it in YAML)"));
}

TEST_F(StructureParseTest, FileResolvesAgainstTheStructureFilesDirectory) {
  WriteFile(dir_.File("org/policies/deny.json"),
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",)"
            R"("Resource":"*"}]})");
  std::string text = std::string(kMinimal) +
                     "organization:\n"
                     "  management_account: payer\n"
                     "  policies:\n"
                     "    - name: DenyS3\n"
                     "      type: SERVICE_CONTROL_POLICY\n"
                     "      file: policies/deny.json\n";
  std::string nested = dir_.File("org/structure.yaml");
  WriteFile(nested, text);
  // The working directory is not the file's: resolution must not depend on it.
  Result<Structure> result = LoadStructureFile(nested);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const OrganizationPolicy& policy = result->organization->policies.at(0);
  EXPECT_EQ(policy.content_file, "policies/deny.json");
  EXPECT_EQ(policy.content, ReadWholeFile(dir_.File("org/policies/deny.json")));

  // ParseStructure resolves against the base directory it is given.
  Result<Structure> parsed = ParseStructure(text, "inline.yaml", dir_.File("org"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->organization->policies.at(0).location.ToString(), "inline.yaml:23:7");
}

TEST_F(StructureParseTest, AnchorsAndAliases) {
  std::string text =
      std::string(kMinimal) +
      "anchors:\n"
      "  admin_policies: &admin\n"
      "    - arn:aws:iam::aws:policy/AWSOrganizationsFullAccess\n"
      "    - arn:aws:iam::aws:policy/AmazonS3FullAccess\n"
      "  trust_customer: &trust_customer {accounts: [customer-mgmt], require_mfa: true}\n"
      "iam:\n"
      "  payer:\n"
      "    roles:\n"
      "      - {name: A, trust: *trust_customer, managed: *admin}\n"
      "      - {name: B, trust: *trust_customer, managed: *admin}\n";
  Result<Structure> result = Load(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const AccountIam& iam = result->iam.at("payer");
  ASSERT_EQ(iam.roles.size(), 2u);
  for (const Role& role : iam.roles) {
    ASSERT_EQ(role.managed_policy_arns.size(), 2u);
    EXPECT_EQ(role.managed_policy_arns[1].value, "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    EXPECT_TRUE(role.trust.require_mfa);
    EXPECT_EQ(role.trust.accounts.at(0).value, "customer-mgmt");
  }
  // An alias keeps the place of what it names, so an error in shared text points at its one
  // definition.
  EXPECT_EQ(iam.roles[1].managed_policy_arns[0].location.line, 22);
}

TEST_F(StructureParseTest, InlineYamlDocumentKeepsTypes) {
  std::string text = std::string(kMinimal) +
                     "iam:\n"
                     "  payer:\n"
                     "    roles:\n"
                     "      - name: R\n"
                     "        trust:\n"
                     "          Version: 2012-10-17\n"
                     "          Statement:\n"
                     "            - Effect: Allow\n"
                     "              Principal: {AWS: '210987654321'}\n"
                     "              Action: sts:AssumeRole\n"
                     "              Condition: {Bool: {aws:MultiFactorAuthPresent: 'true'}}\n";
  Result<Structure> result = Load(text);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const RoleTrust& trust = result->iam.at("payer").roles.at(0).trust;
  ASSERT_TRUE(trust.IsDocument());
  boost::json::value document = boost::json::parse(trust.document);
  // Quoted scalars stay strings: the account ID keeps its digits as text, "true" is not a bool.
  EXPECT_EQ(document.at("Statement").at(0).at("Principal").at("AWS"), "210987654321");
  EXPECT_EQ(
      document.at("Statement").at(0).at("Condition").at("Bool").at("aws:MultiFactorAuthPresent"),
      "true");
  EXPECT_EQ(document.at("Version"), "2012-10-17");
}

// The JSON Schema and the parser accept the same top-level keys. The parser's list is read from
// its own unknown-key message, so the test needs no second copy of it.
TEST_F(StructureParseTest, SchemaListsEveryTopLevelKeyTheParserAccepts) {
  std::string message = ErrorOf(std::string(kMinimal) + "bogus: 1\n");
  size_t open = message.find("(allowed: ");
  ASSERT_NE(open, std::string::npos) << message;
  std::string list = message.substr(open + 10, message.find(')', open) - open - 10);
  std::set<std::string> parser_keys;
  std::stringstream stream(list);
  for (std::string key; std::getline(stream, key, ',');) {
    parser_keys.insert(key.substr(key.find_first_not_of(' ')));
  }
  boost::json::value schema = boost::json::parse(
      ReadWholeFile(std::string(OT_REPO_ROOT) + "/schemas/structure.schema.json"));
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  std::set<std::string> schema_keys;
  for (const auto& property : schema.at("properties").as_object()) {
    schema_keys.insert(std::string(property.key()));
  }
  EXPECT_EQ(parser_keys, schema_keys);
  std::set<std::string> required;
  for (const auto& key : schema.at("required").as_array())
    required.insert(std::string(key.as_string()));
  EXPECT_EQ(required, (std::set<std::string>{"name", "parties", "accounts"}));
}

TEST_F(StructureParseTest, ExampleSaysWhoActsWhereAndWhoRunsTheOrganization) {
  Result<Structure> result =
      LoadStructureFile(std::string(OT_REPO_ROOT) + "/examples/shared-payer.yaml");
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Party& partner = result->parties.at("partner");
  const Party& customer = result->parties.at("customer");
  EXPECT_EQ(result->ProfileFor(partner, "payer"), "partner-payer");
  EXPECT_EQ(result->ProfileFor(partner, "partner-home"), "partner");
  EXPECT_EQ(result->ProfileFor(customer, "payer"), "customer-payer");
  EXPECT_EQ(result->ProfileFor(customer, "customer-mgmt"), "customer");
  EXPECT_EQ(result->organization->administered_by.value, "customer");
  ASSERT_TRUE(result->accounts.at("customer-prod").starts_in.has_value());
  EXPECT_EQ(result->accounts.at("customer-prod").starts_in->value, "customer-mgmt");
  EXPECT_FALSE(result->accounts.at("customer-mgmt").starts_in.has_value());
}

TEST_F(StructureParseTest, AdministeredByDefaultsToTheManagementAccountsOwner) {
  Result<Structure> result = Load(std::string(kMinimal) +
                                  "organization:\n"
                                  "  management_account: payer\n");
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->organization->administered_by.value, "partner");
}

TEST_F(StructureParseTest, ProfilesAndStartsInAreChecked) {
  std::string profiles(kMinimal);
  profiles.insert(profiles.find("  customer:\n"), "    profiles:\n      payr: partner-payer\n");
  EXPECT_EQ(ErrorOf(profiles), At(7, 13,
                                  "party `partner`: `profiles`: unknown account `payr` (accounts: "
                                  "customer-mgmt, payer)"));
  std::string shared(kMinimal);
  shared.insert(shared.find("  customer:\n"), "    profiles:\n      payer: customer\n");
  EXPECT_THAT(ErrorOf(shared), HasSubstr("profile `customer` is already the profile of party"));
  std::string starts(kMinimal);
  starts.insert(starts.find("    create: true\n"), "    starts_in: customer-mgmt\n");
  EXPECT_EQ(ErrorOf(starts), At(14, 16,
                                "account `payer`: `starts_in` names the management account of the "
                                "organization an existing account is in before the transfer (not "
                                "itself)"));
  EXPECT_THAT(ErrorOf(std::string(kMinimal) + "organization:\n"
                                              "  management_account: payer\n"
                                              "  administered_by: nobody\n"),
              HasSubstr("`organization`: `administered_by`: unknown party `nobody`"));
}

}  // namespace
}  // namespace orgtwin::structure
