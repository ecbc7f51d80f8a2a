// The cli format (export/export.h): one bash script of AWS CLI v2 commands that builds the
// structure on AWS from nothing, in the order apply follows (IAM first, since the organization's
// administrator may act through a role created there; then the organization, its policy types,
// OUs, policies and their attachments, the members' places; then alternate contacts). Each step
// names its owner in a comment and runs with the profile the file gives that party in that
// account (Structure::ProfileFor), so a step a party does not own fails on AWS's AccessDenied
// instead of quietly running as someone else. IDs made on the way (the root, OUs, policies) are
// kept in shell variables; account IDs not known when exporting are variables the script requires.
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

// Characters a shell word may hold without quotes.
bool IsBareShellWord(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("_./:=@,+-%").find(c) != std::string_view::npos;
    if (!plain) return false;
  }
  return true;
}

// `text` as one shell word: single-quoted (nothing expands inside), except the `variables`
// ("${ACCOUNT_ID_PAYER}") it holds, which are spliced in double quotes so bash expands them.
std::string ShellWord(std::string_view text, const std::set<std::string>& variables = {}) {
  if (IsBareShellWord(text)) return std::string(text);
  std::string word;
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    word += '\'';
    for (char c : literal) word += c == '\'' ? std::string("'\\''") : std::string(1, c);
    word += '\'';
    literal.clear();
  };
  for (size_t i = 0; i < text.size();) {
    bool spliced = false;
    for (const std::string& variable : variables) {
      if (text.substr(i, variable.size()) == variable) {
        flush_literal();
        word += "\"" + variable + "\"";
        i += variable.size();
        spliced = true;
        break;
      }
    }
    if (!spliced) literal += text[i++];
  }
  flush_literal();
  return word.empty() ? "''" : word;
}

// Shell variable names: upper case letters, digits and '_', unique in the script.
class ShellNames {
 public:
  std::string Allocate(std::string_view prefix, std::string_view name) {
    std::string base(prefix);
    for (char c : name) {
      if (c >= 'a' && c <= 'z') {
        base.push_back(static_cast<char>(c - 'a' + 'A'));
      } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        base.push_back(c);
      } else if (base.empty() || base.back() != '_') {
        base.push_back('_');
      }
    }
    std::string unique = base;
    for (int n = 2; taken_.count(unique) != 0; ++n) unique = base + "_" + std::to_string(n);
    taken_.insert(unique);
    return unique;
  }

 private:
  std::set<std::string> taken_;
};

// An option of a command and its value, already a shell word ("" for a flag without value).
using CliOptions = std::vector<std::pair<std::string, std::string>>;

class ScriptWriter {
 public:
  ScriptWriter(const Structure& structure, const AccountIds& ids)
      : structure_(structure),
        namer_(ids, [this](const std::string& key) { return "${" + AccountVariable(key) + "}"; }) {}

  Export Run() {
    for (const auto& [account, iam] : structure_.iam) WriteIam(iam);
    if (structure_.organization) WriteOrganization(*structure_.organization);
    for (const auto& [account, contacts] : structure_.alternate_contacts) WriteContacts(contacts);

    std::string script = "#!/usr/bin/env bash\n";
    script += "# orgtwin export of structure `" + structure_.name + "` (" + structure_.file +
              "): the AWS CLI v2\n"
              "# commands that build it on AWS, in order. Each step names the party that owns "
              "it and runs\n"
              "# with the profile the file gives that party in that account. It creates and "
              "does not update:\n"
              "# run it once, on accounts without these objects; later changes are "
              "`orgtwin apply`'s.\n"
              "# What it leaves out (account sign-up, membership, root custody, alerts): "
              "docs/export.md.\n";
    script += "set -euo pipefail\n";
    script += "export AWS_PAGER=\"\"  # the CLI's pager would stop the script for a key press\n";
    if (!namer_.unknown().empty()) {
      script += "\n# The IDs of accounts not known when exporting: set each before running.\n";
      for (const std::string& key : namer_.unknown()) {
        const std::string& variable = account_variables_.at(key);
        script.append(": \"${").append(variable).append(":?set ").append(variable);
        script.append(" to the 12-digit ID of account ").append(key).append("}\"\n");
      }
    }
    script += body_;
    Export result;
    result.files.push_back({"orgtwin-structure.sh", std::move(script), true});
    result.unknown_accounts.assign(namer_.unknown().begin(), namer_.unknown().end());
    return result;
  }

 private:
  std::string AccountVariable(const std::string& key) {
    auto found = account_variables_.find(key);
    if (found != account_variables_.end()) return found->second;
    return account_variables_[key] = names_.Allocate("ACCOUNT_ID_", key);
  }

  std::set<std::string> PlaceholderVariables() {
    std::set<std::string> variables;
    for (const std::string& key : namer_.unknown()) {
      variables.insert("${" + AccountVariable(key) + "}");
    }
    return variables;
  }

  // A document as one shell word of compact JSON, generated account IDs spliced in as variables.
  std::string DocumentWord(std::string_view text) {
    return ShellWord(json::serialize(DocumentJson(text)), PlaceholderVariables());
  }

  void Section(const std::string& title) { body_ += "\n# ---- " + title + " ----\n"; }

  // One step: its owner comment, then the command (its output kept in `capture` when not "").
  void Step(const std::string& party, const std::string& account, const std::string& what,
            const std::string& service, const std::string& operation, const CliOptions& options,
            const std::string& capture = "", const std::string& query = "") {
    const structure::Party& owner = *structure_.FindParty(party);
    ++steps_;
    body_ += "# step " + std::to_string(steps_) + ", owner " + party + " (account " + account +
             "): " + what + "\n";
    std::string command = "aws " + service + " " + operation + " --profile " +
                          ShellWord(structure_.ProfileFor(owner, account));
    for (const auto& [option, value] : options) {
      command += " \\\n  " + option;
      if (!value.empty()) command += " " + value;
    }
    if (!capture.empty()) {
      command += " \\\n  --query " + ShellWord(query) + " --output text";
      body_ += capture + "=\"$(" + command + ")\"\n";
    } else {
      body_ += command + "\n";
    }
  }

  // Managed attachments and inline policies, the same for roles, groups and users
  // (`kind`: "role", "group", "user" as the CLI's operations spell it).
  void WritePolicies(const std::string& party, const std::string& account, const std::string& kind,
                     const std::string& name,
                     const std::vector<structure::LocatedString>& managed_policy_arns,
                     const std::vector<structure::InlinePolicy>& inline_policies) {
    const std::string name_option = "--" + kind + "-name";
    for (const structure::LocatedString& arn : managed_policy_arns) {
      std::string what = "attach ";
      what.append(arn.value).append(" to ").append(kind).append(" ").append(name);
      Step(party, account, what, "iam", "attach-" + kind + "-policy",
           {{name_option, ShellWord(name)}, {"--policy-arn", ShellWord(arn.value)}});
    }
    for (const structure::InlinePolicy& policy : inline_policies) {
      std::string what = "inline policy ";
      what.append(policy.name).append(" of ").append(kind).append(" ").append(name);
      Step(party, account, what, "iam", "put-" + kind + "-policy",
           {{name_option, ShellWord(name)},
            {"--policy-name", ShellWord(policy.name)},
            {"--policy-document", DocumentWord(policy.document)}});
    }
  }

  void WriteIam(const structure::AccountIam& iam) {
    const std::string& account = iam.account;
    const std::string& owner = structure_.FindAccount(account)->owner.value;
    Section("IAM in account " + account + ", owned by " + owner);
    for (const structure::Role& role : iam.roles) {
      const std::string trust = structure::TrustPolicyDocument(role, namer_.AsFunction());
      CliOptions options{
          {"--role-name", ShellWord(role.name)},
          {"--path", ShellWord(role.path)},
          {"--assume-role-policy-document", DocumentWord(trust)},
          {"--max-session-duration", std::to_string(role.max_session_duration_seconds)}};
      if (!role.description.empty())
        options.push_back({"--description", ShellWord(role.description)});
      if (role.permissions_boundary_arn) {
        options.push_back(
            {"--permissions-boundary", ShellWord(role.permissions_boundary_arn->value)});
      }
      Step(owner, account, "create role " + role.name, "iam", "create-role", options);
      WritePolicies(owner, account, "role", role.name, role.managed_policy_arns,
                    role.inline_policies);
    }
    for (const structure::Group& group : iam.groups) {
      Step(owner, account, "create group " + group.name, "iam", "create-group",
           {{"--group-name", ShellWord(group.name)}, {"--path", ShellWord(group.path)}});
      WritePolicies(owner, account, "group", group.name, group.managed_policy_arns,
                    group.inline_policies);
    }
    for (const structure::User& user : iam.users) {
      Step(owner, account, "create user " + user.name, "iam", "create-user",
           {{"--user-name", ShellWord(user.name)}, {"--path", ShellWord(user.path)}});
      for (const structure::LocatedString& group : user.groups) {
        Step(owner, account, "add user " + user.name + " to group " + group.value, "iam",
             "add-user-to-group",
             {{"--user-name", ShellWord(user.name)}, {"--group-name", ShellWord(group.value)}});
      }
      WritePolicies(owner, account, "user", user.name, user.managed_policy_arns,
                    user.inline_policies);
      if (!user.may_assume.empty()) {
        const std::string document =
            structure::MayAssumePolicyDocument(structure_, user, namer_.AsFunction());
        Step(owner, account,
             std::string("inline policy ") + structure::kMayAssumePolicyName + " of user " +
                 user.name + " (its may_assume)",
             "iam", "put-user-policy",
             {{"--user-name", ShellWord(user.name)},
              {"--policy-name", structure::kMayAssumePolicyName},
              {"--policy-document", DocumentWord(document)}});
      }
    }
  }

  // An account ID as a shell word: the ID, or its required variable.
  std::string AccountIdWord(const std::string& key) {
    return ShellWord(namer_(key), PlaceholderVariables());
  }

  void WriteOrganization(const structure::Organization& organization) {
    const std::string& party = organization.administered_by.value;
    const std::string& account = organization.management_account;
    Section("the organization, in its management account " + account + ", run by " + party);
    Step(party, account, "create the organization", "organizations", "create-organization",
         {{"--feature-set", std::string(structure::FeatureSetName(organization.feature_set))}});
    const std::string root = names_.Allocate("ROOT_ID", "");
    Step(party, account, "read the root's ID", "organizations", "list-roots", {}, root,
         "Roots[0].Id");
    const std::string root_word = "\"$" + root + "\"";
    if (organization.feature_set == structure::FeatureSet::kAll) {
      for (structure::PolicyType type : PolicyTypesInUse(organization)) {
        Step(party, account, "enable policy type " + std::string(structure::PolicyTypeName(type)),
             "organizations", "enable-policy-type",
             {{"--root-id", root_word},
              {"--policy-type", std::string(structure::PolicyTypeName(type))}});
      }
    }
    std::map<std::string, std::string> unit_words;  // OU path -> "$OU_..."
    for (const UnitInOrder& entry : UnitsInCreationOrder(organization)) {
      const std::string variable = names_.Allocate("OU_", entry.unit->path);
      Step(party, account, "create OU " + entry.unit->path, "organizations",
           "create-organizational-unit",
           {{"--parent-id",
             entry.parent_path.empty() ? root_word : unit_words.at(entry.parent_path)},
            {"--name", ShellWord(entry.unit->name)}},
           variable, "OrganizationalUnit.Id");
      unit_words[entry.unit->path] = "\"$" + variable + "\"";
    }
    std::vector<std::pair<std::string, const structure::OrganizationPolicy*>> created;
    for (const structure::OrganizationPolicy& policy : organization.policies) {
      const std::string variable = names_.Allocate("POLICY_", policy.name);
      CliOptions options{{"--name", ShellWord(policy.name)},
                         {"--type", std::string(structure::PolicyTypeName(policy.type))},
                         {"--content", DocumentWord(policy.content)}};
      // create-policy requires a description; the file's may be empty.
      options.push_back({"--description", ShellWord(policy.description)});
      Step(party, account,
           "create " + std::string(structure::PolicyTypeName(policy.type)) + " " + policy.name,
           "organizations", "create-policy", options, variable, "Policy.PolicySummary.Id");
      created.emplace_back("\"$" + variable + "\"", &policy);
    }
    auto attach = [&](bool to_accounts) {
      for (const auto& [policy_word, policy] : created) {
        for (const structure::PolicyTarget& target : policy->attachments) {
          const bool is_account = target.kind == structure::PolicyTarget::Kind::kAccount;
          if (is_account != to_accounts) continue;
          std::string target_word;
          std::string target_name;
          if (target.kind == structure::PolicyTarget::Kind::kRoot) {
            target_word = root_word;
            target_name = "the root";
          } else if (is_account) {
            target_word = AccountIdWord(target.name);
            target_name = "account " + target.name;
          } else {
            target_word = unit_words.at(target.name);
            target_name = "OU " + target.name;
          }
          Step(party, account, "attach " + policy->name + " to " + target_name, "organizations",
               "attach-policy", {{"--policy-id", policy_word}, {"--target-id", target_word}});
        }
      }
    };
    attach(false);
    bool any_member = false;
    for (const structure::Placement& placement : organization.placements) {
      if (placement.account != account) any_member = true;
    }
    if (!any_member) return;
    body_ +=
        "\n# The members join through the transfer playbook (`orgtwin playbook run transfer`: "
        "leaving\n# their old organization, the invitation and its acceptance); the steps below "
        "expect each\n# one to be a member at the root already.\n";
    for (const structure::Placement& placement : organization.placements) {
      if (placement.ou_path.empty() || placement.account == account) continue;
      Step(party, account, "move account " + placement.account + " to OU " + placement.ou_path,
           "organizations", "move-account",
           {{"--account-id", AccountIdWord(placement.account)},
            {"--source-parent-id", root_word},
            {"--destination-parent-id", unit_words.at(placement.ou_path)}});
    }
    attach(true);
  }

  void WriteContacts(const structure::AlternateContacts& contacts) {
    const std::string& account = contacts.account;
    const std::string& owner = structure_.FindAccount(account)->owner.value;
    Section("alternate contacts of account " + account + ", owned by " + owner);
    for (const auto& [type, party_key] : contacts.party) {
      const structure::Party& party = *structure_.FindParty(party_key.value);
      const structure::Contact& contact = party.contacts.at(type);
      std::string type_name(structure::ContactTypeName(type));
      for (char& c : type_name) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      Step(owner, account, std::string(structure::ContactTypeName(type)) + " contact: " + party.key,
           "account", "put-alternate-contact",
           {{"--alternate-contact-type", type_name},
            {"--name", ShellWord(contact.name)},
            {"--title", ShellWord(contact.title)},
            {"--email-address", ShellWord(contact.email)},
            {"--phone-number", ShellWord(contact.phone)}});
    }
  }

  const Structure& structure_;
  AccountNamer namer_;
  ShellNames names_;
  std::map<std::string, std::string> account_variables_;  // account key -> variable
  std::string body_;
  int steps_ = 0;
};

}  // namespace

Export ExportCliScript(const Structure& structure, const AccountIds& ids) {
  return ScriptWriter(structure, ids).Run();
}

}  // namespace orgtwin::exporter
