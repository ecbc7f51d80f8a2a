// The iam-json format (export/export.h): every policy document of the structure as a file of its
// own, so a team can review it, diff it, or feed it to its own tooling (IAM Access Analyzer's
// ValidatePolicy, a Terraform module), with index.json saying what each file is and where it goes.
#include <map>
#include <set>
#include <string>

#include "common/ascii.h"
#include "export/export.h"
#include "export/generator_helpers.h"
#include "structure/documents.h"

namespace orgtwin::exporter {
namespace {

namespace json = boost::json;
using structure::Structure;

// IAM names are safe as file names except "." and ".."; Organizations policy names may hold any
// character (a '/' or a space). Anything outside IAM's name characters becomes '_'.
std::string FileNameFor(std::string_view name) {
  std::string safe;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("+=,.@_-").find(c) != std::string_view::npos;
    safe.push_back(plain ? c : '_');
  }
  if (safe.empty() || safe == "." || safe == "..") safe = "_" + safe;
  return safe;
}

// "SERVICE_CONTROL_POLICY" -> "service-control-policy": the folder of a policy type.
std::string PolicyTypeFolder(structure::PolicyType type) {
  std::string folder = AsciiLowerCopy(structure::PolicyTypeName(type));
  for (char& c : folder) {
    if (c == '_') c = '-';
  }
  return folder;
}

// Where an account's ID is not known: a text no ARN parser mistakes for an ID.
std::string IamJsonPlaceholder(const std::string& account) {
  return "<account-id:" + account + ">";
}

class IamJsonWriter {
 public:
  IamJsonWriter(const Structure& structure, const AccountIds& ids)
      : structure_(structure), ids_(ids), namer_(ids, IamJsonPlaceholder) {}

  Export Run() {
    for (const auto& [account, iam] : structure_.iam) WriteAccountIam(iam);
    if (structure_.organization) WriteOrganization(*structure_.organization);
    json::object accounts;
    for (const auto& [key, account] : structure_.accounts) {
      json::object entry{{"name", account.name}, {"owner", account.owner.value}};
      auto id = ids_.find(key);
      if (id != ids_.end()) {
        entry["id"] = id->second;
      } else {
        entry["id"] = nullptr;
        entry["placeholder"] = IamJsonPlaceholder(key);
      }
      accounts[key] = std::move(entry);
    }
    json::array unknown;
    for (const std::string& key : namer_.unknown()) unknown.emplace_back(key);
    json::object index{{"structure", structure_.name},
                       {"source", structure_.file},
                       {"format", "iam-json"},
                       {"accounts", std::move(accounts)},
                       {"documents", std::move(documents_)},
                       {"managed_policy_attachments", std::move(attachments_)},
                       {"unknown_account_ids", std::move(unknown)}};
    result_.files.push_back({"index.json", PrettyJson(index)});
    result_.unknown_accounts.assign(namer_.unknown().begin(), namer_.unknown().end());
    return std::move(result_);
  }

 private:
  // A document file, and its entry in the index. `what` describes it (kind, principal, ...).
  void AddDocument(const std::string& path, std::string_view text, json::object what) {
    json::object entry{{"file", path}};
    for (auto& member : what) entry[member.key()] = std::move(member.value());
    documents_.emplace_back(std::move(entry));
    result_.files.push_back({path, PrettyJson(DocumentJson(text))});
  }

  // Inline policies and managed attachments of a role, user or group (`kind`: "role", ...).
  void AddPolicies(const std::string& account, const std::string& kind, const std::string& name,
                   const std::string& folder,
                   const std::vector<structure::LocatedString>& managed_policy_arns,
                   const std::vector<structure::InlinePolicy>& inline_policies) {
    for (const structure::InlinePolicy& policy : inline_policies) {
      AddDocument(folder + "/inline/" + FileNameFor(policy.name) + ".json", policy.document,
                  {{"account", account},
                   {"kind", "inline-policy"},
                   {kind, name},
                   {"policy_name", policy.name}});
    }
    for (const structure::LocatedString& arn : managed_policy_arns) {
      attachments_.emplace_back(
          json::object{{"account", account}, {kind, name}, {"policy_arn", arn.value}});
    }
  }

  void WriteAccountIam(const structure::AccountIam& iam) {
    const std::string& account = iam.account;
    for (const structure::Role& role : iam.roles) {
      const std::string folder = FileNameFor(account) + "/roles/" + FileNameFor(role.name);
      json::object what{
          {"account", account}, {"kind", "trust-policy"}, {"role", role.name}, {"path", role.path}};
      if (role.permissions_boundary_arn) {
        what["permissions_boundary"] = role.permissions_boundary_arn->value;
      }
      AddDocument(folder + "/trust-policy.json",
                  structure::TrustPolicyDocument(role, namer_.AsFunction()), std::move(what));
      AddPolicies(account, "role", role.name, folder, role.managed_policy_arns,
                  role.inline_policies);
    }
    for (const structure::Group& group : iam.groups) {
      AddPolicies(account, "group", group.name,
                  FileNameFor(account) + "/groups/" + FileNameFor(group.name),
                  group.managed_policy_arns, group.inline_policies);
    }
    for (const structure::User& user : iam.users) {
      const std::string folder = FileNameFor(account) + "/users/" + FileNameFor(user.name);
      AddPolicies(account, "user", user.name, folder, user.managed_policy_arns,
                  user.inline_policies);
      if (!user.may_assume.empty()) {
        AddDocument(folder + "/inline/" + structure::kMayAssumePolicyName + ".json",
                    structure::MayAssumePolicyDocument(structure_, user, namer_.AsFunction()),
                    {{"account", account},
                     {"kind", "inline-policy"},
                     {"user", user.name},
                     {"policy_name", structure::kMayAssumePolicyName},
                     {"generated_from", "may_assume"}});
      }
    }
  }

  void WriteOrganization(const structure::Organization& organization) {
    const std::string root = FileNameFor(organization.management_account) + "/organization/";
    std::set<std::string> taken;
    for (const structure::OrganizationPolicy& policy : organization.policies) {
      const std::string folder = root + PolicyTypeFolder(policy.type) + "/";
      std::string path = folder + FileNameFor(policy.name) + ".json";
      // Two names that differ only in characters a file name cannot hold.
      for (int n = 2; taken.count(path) != 0; ++n) {
        path = folder + FileNameFor(policy.name) + "-" + std::to_string(n) + ".json";
      }
      taken.insert(path);
      json::array targets;
      for (const structure::PolicyTarget& target : policy.attachments) {
        switch (target.kind) {
          case structure::PolicyTarget::Kind::kRoot:
            targets.emplace_back(json::object{{"root", true}});
            break;
          case structure::PolicyTarget::Kind::kOrganizationalUnit:
            targets.emplace_back(json::object{{"ou", target.name}});
            break;
          case structure::PolicyTarget::Kind::kAccount:
            targets.emplace_back(
                json::object{{"account", target.name}, {"id", namer_(target.name)}});
            break;
        }
      }
      json::object what{{"account", organization.management_account},
                        {"kind", "organization-policy"},
                        {"policy_name", policy.name},
                        {"type", structure::PolicyTypeName(policy.type)},
                        {"description", policy.description},
                        {"targets", std::move(targets)}};
      if (policy.copy_from) what["copied_from"] = policy.copy_from->value;
      AddDocument(path, policy.content, std::move(what));
    }
  }

  const Structure& structure_;
  const AccountIds& ids_;
  AccountNamer namer_;
  json::array documents_;
  json::array attachments_;
  Export result_;
};

}  // namespace

Export ExportIamJson(const Structure& structure, const AccountIds& ids) {
  return IamJsonWriter(structure, ids).Run();
}

}  // namespace orgtwin::exporter
