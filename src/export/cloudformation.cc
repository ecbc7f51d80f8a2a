// The cloudformation format (export/export.h): a template per account and owner, so each party
// deploys the stack of what it owns with its own credentials, as apply acts:
//   - ACCOUNT.template.json: the account's IAM (roles, groups, users), deployed by its owner;
//   - MANAGEMENT.organization.template.json: the organization's OUs and policies, deployed in the
//     management account by the party that runs the organization (often through a role of the
//     first template, so after it).
// An ID not known when exporting becomes a template Parameter: the organization's root (it exists
// only once the organization does) and each account without a known ID; the template's own account
// is AWS::AccountId.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "export/export.h"
#include "export/generator_helpers.h"
#include "structure/documents.h"

namespace orgtwin::exporter {
namespace {

namespace json = boost::json;
using structure::Structure;

// CloudFormation's limit on a logical ID's length.
constexpr size_t kMaxLogicalIdLength = 255;

// Logical IDs: letters and digits only, unique within a template (Parameters and Resources share
// one namespace, as Ref reaches both).
class LogicalIds {
 public:
  // "Role" + "payer-admin" -> "RolePayerAdmin"; "Ou" + "Workloads/Prod" -> "OuWorkloadsProd".
  // A name that comes out taken gets a number ("RolePayerAdmin2").
  std::string Allocate(std::string_view prefix, std::string_view name) {
    std::string id(prefix);
    bool word_start = true;
    for (char c : name) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum) {
        word_start = true;
        continue;
      }
      id.push_back(word_start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
      word_start = false;
    }
    if (id.size() > kMaxLogicalIdLength - 8) id.resize(kMaxLogicalIdLength - 8);
    std::string unique = id;
    for (int n = 2; taken_.count(unique) != 0; ++n) unique = id + std::to_string(n);
    taken_.insert(unique);
    return unique;
  }

 private:
  std::set<std::string> taken_;
};

// In Fn::Sub text, "${" opens a variable; a literal one is written "${!".
std::string SubEscaped(std::string_view text, const std::set<std::string>& variables) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') continue;
    bool ours = false;
    for (const std::string& variable : variables) {
      if (text.substr(i, variable.size()) == variable) ours = true;
    }
    if (!ours) {
      out += "{!";
      ++i;
    }
  }
  return out;
}

bool MentionsAny(std::string_view text, const std::set<std::string>& variables) {
  for (const std::string& variable : variables) {
    if (text.find(variable) != std::string_view::npos) return true;
  }
  return false;
}

// A generated document's strings that name an account by placeholder become Fn::Sub, so
// CloudFormation puts the ID in when the stack is deployed.
void SubstitutePlaceholders(json::value& value, const std::set<std::string>& variables) {
  if (value.is_object()) {
    for (auto& member : value.as_object()) SubstitutePlaceholders(member.value(), variables);
  } else if (value.is_array()) {
    for (json::value& element : value.as_array()) SubstitutePlaceholders(element, variables);
  } else if (value.is_string() && MentionsAny(value.as_string(), variables)) {
    value = json::object{{"Fn::Sub", SubEscaped(value.as_string(), variables)}};
  }
}

json::value ListOf(const std::vector<structure::LocatedString>& strings) {
  json::array list;
  for (const structure::LocatedString& text : strings) list.emplace_back(text.value);
  return list;
}

class TemplateBuilder {
 public:
  TemplateBuilder(const Structure& structure, const AccountIds& ids, std::string account)
      : structure_(structure),
        account_(std::move(account)),
        namer_(ids, [this](const std::string& key) { return "${" + AccountParameter(key) + "}"; }) {
  }

  json::object IamTemplate(const structure::AccountIam& iam) {
    std::map<std::string, std::string> group_ids;  // group name -> logical ID
    for (const structure::Group& group : iam.groups) {
      json::object properties{{"GroupName", group.name}, {"Path", group.path}};
      AddPolicyProperties(properties, group.managed_policy_arns, group.inline_policies);
      group_ids[group.name] =
          AddResource("Group", group.name, "AWS::IAM::Group", std::move(properties));
    }
    for (const structure::Role& role : iam.roles) {
      json::object properties{{"RoleName", role.name}, {"Path", role.path}};
      if (!role.description.empty()) properties["Description"] = role.description;
      properties["AssumeRolePolicyDocument"] =
          role.trust.IsDocument()
              ? DocumentJson(role.trust.document)
              : GeneratedDocument(structure::TrustPolicyDocument(role, namer_.AsFunction()));
      AddPolicyProperties(properties, role.managed_policy_arns, role.inline_policies);
      if (role.permissions_boundary_arn) {
        properties["PermissionsBoundary"] = role.permissions_boundary_arn->value;
      }
      properties["MaxSessionDuration"] = role.max_session_duration_seconds;
      AddResource("Role", role.name, "AWS::IAM::Role", std::move(properties));
    }
    for (const structure::User& user : iam.users) {
      json::object properties{{"UserName", user.name}, {"Path", user.path}};
      if (!user.groups.empty()) {
        json::array groups;
        // A Ref to the group (its name) also makes CloudFormation create the group first.
        for (const structure::LocatedString& group : user.groups) {
          groups.emplace_back(json::object{{"Ref", group_ids.at(group.value)}});
        }
        properties["Groups"] = std::move(groups);
      }
      AddPolicyProperties(properties, user.managed_policy_arns, user.inline_policies);
      if (!user.may_assume.empty()) {
        if (!properties.contains("Policies")) properties["Policies"] = json::array();
        properties["Policies"].as_array().emplace_back(
            json::object{{"PolicyName", structure::kMayAssumePolicyName},
                         {"PolicyDocument", GeneratedDocument(structure::MayAssumePolicyDocument(
                                                structure_, user, namer_.AsFunction()))}});
      }
      AddResource("User", user.name, "AWS::IAM::User", std::move(properties));
    }
    const structure::Account& account = *structure_.FindAccount(account_);
    const structure::Party& owner = *structure_.FindParty(account.owner.value);
    return Assemble("IAM of account `" + account_ + "` (" + account.name + "), owned by " +
                        owner.key + ": deploy as " + owner.key + " (profile " +
                        structure_.ProfileFor(owner, account_) + ") with CAPABILITY_NAMED_IAM",
                    owner);
  }

  json::object OrganizationTemplate(const structure::Organization& organization) {
    root_parameter_ = logical_ids_.Allocate("OrganizationRootId", "");
    std::map<std::string, std::string> unit_ids;  // OU path -> logical ID
    for (const UnitInOrder& entry : UnitsInCreationOrder(organization)) {
      json::object properties{{"Name", entry.unit->name},
                              {"ParentId", TargetId(entry.parent_path, unit_ids)}};
      unit_ids[entry.unit->path] = AddResource(
          "Ou", entry.unit->path, "AWS::Organizations::OrganizationalUnit", std::move(properties));
    }
    for (const structure::OrganizationPolicy& policy : organization.policies) {
      json::object properties{{"Name", policy.name},
                              {"Type", structure::PolicyTypeName(policy.type)},
                              {"Content", DocumentJson(policy.content)}};
      if (!policy.description.empty()) properties["Description"] = policy.description;
      json::array targets;
      for (const structure::PolicyTarget& target : policy.attachments) {
        switch (target.kind) {
          case structure::PolicyTarget::Kind::kRoot:
            targets.emplace_back(json::object{{"Ref", root_parameter_}});
            break;
          case structure::PolicyTarget::Kind::kOrganizationalUnit:
            targets.emplace_back(TargetId(target.name, unit_ids));
            break;
          case structure::PolicyTarget::Kind::kAccount:
            targets.emplace_back(AccountIdValue(target.name));
            break;
        }
      }
      if (!targets.empty()) properties["TargetIds"] = std::move(targets);
      AddResource("Policy", policy.name, "AWS::Organizations::Policy", std::move(properties));
    }
    json::object root_parameter{
        {"Type", "String"},
        {"AllowedPattern", "^r-[0-9a-z]{4,32}$"},
        {"Description",
         "The ID of the organization's root (aws organizations list-roots): the organization, "
         "with the policy types these policies use enabled on its root, exists before this "
         "stack"}};
    parameters_[root_parameter_] = std::move(root_parameter);
    const structure::Party& administrator =
        *structure_.FindParty(organization.administered_by.value);
    return Assemble("The organization's OUs and policies, in its management account `" + account_ +
                        "`, run by " + administrator.key + ": deploy as " + administrator.key +
                        " (profile " + structure_.ProfileFor(administrator, account_) + ")",
                    administrator);
  }

  const std::set<std::string>& unknown_accounts() const { return namer_.unknown(); }

 private:
  std::string AddResource(std::string_view prefix, std::string_view name, std::string_view type,
                          json::object properties) {
    std::string id = logical_ids_.Allocate(prefix, name);
    resources_[id] = json::object{{"Type", type}, {"Properties", std::move(properties)}};
    return id;
  }

  void AddPolicyProperties(json::object& properties,
                           const std::vector<structure::LocatedString>& managed_policy_arns,
                           const std::vector<structure::InlinePolicy>& inline_policies) {
    if (!managed_policy_arns.empty()) properties["ManagedPolicyArns"] = ListOf(managed_policy_arns);
    if (inline_policies.empty()) return;
    json::array policies;
    for (const structure::InlinePolicy& policy : inline_policies) {
      policies.emplace_back(json::object{{"PolicyName", policy.name},
                                         {"PolicyDocument", DocumentJson(policy.document)}});
    }
    properties["Policies"] = std::move(policies);
  }

  // A document structure/documents.h made, with the accounts named by placeholder substituted.
  json::value GeneratedDocument(const std::string& text) {
    json::value document = DocumentJson(text);
    std::set<std::string> variables;
    for (const std::string& key : namer_.unknown())
      variables.insert("${" + AccountParameter(key) + "}");
    SubstitutePlaceholders(document, variables);
    return document;
  }

  // The parameter standing for an account whose ID is not known ("AccountIdCustomerProd"); the
  // template's own account is the AWS::AccountId pseudo parameter, known wherever it is deployed.
  std::string AccountParameter(const std::string& key) {
    if (key == account_) return "AWS::AccountId";
    auto found = account_parameters_.find(key);
    if (found != account_parameters_.end()) return found->second;
    std::string name = logical_ids_.Allocate("AccountId", key);
    parameters_[name] = json::object{
        {"Type", "String"},
        {"AllowedPattern", "^[0-9]{12}$"},
        {"Description", "The 12-digit ID of account `" + key + "` (" +
                            structure_.FindAccount(key)->name + "), not known when exported"}};
    account_parameters_[key] = name;
    return name;
  }

  json::value AccountIdValue(const std::string& key) {
    std::string text = namer_(key);
    if (namer_.unknown().count(key) == 0) return json::value(text);
    return json::object{{"Ref", AccountParameter(key)}};
  }

  // The root ("") or an OU (by path) as a target or parent ID.
  json::value TargetId(const std::string& path,
                       const std::map<std::string, std::string>& unit_ids) {
    if (path.empty()) return json::object{{"Ref", root_parameter_}};
    return json::object{{"Fn::GetAtt", json::array{unit_ids.at(path), "Id"}}};
  }

  json::object Assemble(const std::string& description, const structure::Party& deployer) {
    json::object stack{{"AWSTemplateFormatVersion", "2010-09-09"}};
    stack["Description"] = "orgtwin export of structure `" + structure_.name + "`: " + description;
    stack["Metadata"] = json::object{
        {"orgtwin", json::object{{"structure", structure_.name},
                                 {"source", structure_.file},
                                 {"account", account_},
                                 {"deployed_by", deployer.key},
                                 {"profile", structure_.ProfileFor(deployer, account_)}}}};
    if (!parameters_.empty()) stack["Parameters"] = std::move(parameters_);
    stack["Resources"] = std::move(resources_);
    return stack;
  }

  const Structure& structure_;
  const std::string account_;
  AccountNamer namer_;
  LogicalIds logical_ids_;
  std::map<std::string, std::string> account_parameters_;  // account key -> parameter
  std::string root_parameter_;
  json::object parameters_;
  json::object resources_;
};

}  // namespace

Export ExportCloudFormation(const Structure& structure, const AccountIds& ids) {
  Export result;
  std::set<std::string> unknown;
  for (const auto& [account, iam] : structure.iam) {
    TemplateBuilder builder(structure, ids, account);
    result.files.push_back({account + ".template.json", PrettyJson(builder.IamTemplate(iam))});
    unknown.insert(builder.unknown_accounts().begin(), builder.unknown_accounts().end());
  }
  if (structure.organization) {
    const std::string& management = structure.organization->management_account;
    TemplateBuilder builder(structure, ids, management);
    result.files.push_back({management + ".organization.template.json",
                            PrettyJson(builder.OrganizationTemplate(*structure.organization))});
    unknown.insert(builder.unknown_accounts().begin(), builder.unknown_accounts().end());
  }
  result.unknown_accounts.assign(unknown.begin(), unknown.end());
  return result;
}

}  // namespace orgtwin::exporter
