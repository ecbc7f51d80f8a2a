#include "structure/import.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include "common/json_fields.h"
#include "structure/documents.h"
#include "structure/principal_ops.h"
#include "structure/structure.h"

namespace orgtwin::structure {
namespace {

namespace json = boost::json;
using json_fields::Arr;
using json_fields::Obj;
using json_fields::Str;

constexpr std::string_view kPartyKey = "owner";
// IAM keeps the roles AWS services create for themselves under this path; they are AWS's, not
// the account's, and CreateRole refuses the path.
constexpr std::string_view kServiceLinkedPath = "/aws-service-role/";
constexpr size_t kMaxKeyLength = 64;

Status CallFailed(std::string_view service, std::string_view operation,
                  const client::Error& error) {
  std::string message = "import: ";
  message.append(service).append(" ").append(operation).append(": ").append(error.ToString());
  if (error.code.find("AccessDenied") != std::string::npos) return AccessDeniedError(message);
  if (error.IsTransportError()) return UnavailableError(message);
  return InvalidInputError(message);
}

// ---- what is read ----------------------------------------------------------------------------

struct ImportedUnit {
  std::string id;
  std::string name;
  std::string path;
  std::vector<ImportedUnit> children;
};

struct ImportedAccount {
  std::string id;
  std::string key;
  std::string name;
  std::string email;
  std::string parent;  // "root" or an OU path
};

struct ImportedPolicy {
  std::string name;
  std::string type;
  std::string description;
  std::string content;
  std::vector<std::string> targets;  // "root", OU paths, account keys
};

// A role, user or group: what the structure file says of each (fields a kind lacks stay empty).
struct ImportedPrincipal {
  std::string name;
  std::string path = "/";
  std::string description;  // roles
  std::string trust;        // roles: the trust policy document
  std::string boundary;     // roles: the permissions boundary's ARN
  int64_t max_session_duration = 3600;
  std::vector<std::string> groups;  // users
  std::vector<std::string> managed;
  std::vector<std::pair<std::string, std::string>> inline_policies;  // name, document
};

// One account's IAM as read.
struct AccountIamImport {
  std::vector<ImportedPrincipal> roles;
  std::vector<ImportedPrincipal> users;
  std::vector<ImportedPrincipal> groups;

  bool empty() const { return roles.empty() && users.empty() && groups.empty(); }
};

class Importer {
 public:
  Importer(client::Client& client, const ImportOptions& options)
      : management_client_(client), client_(&client), options_(options) {}

  Result<std::string> Run() {
    OT_RETURN_IF_ERROR(ReadOrganization());
    OT_RETURN_IF_ERROR(ReadUnits());
    OT_RETURN_IF_ERROR(ReadAccounts());
    OT_RETURN_IF_ERROR(ReadPolicies());
    OT_RETURN_IF_ERROR(ReadIam(iam_[ManagementKey()]));
    // Each member's IAM, with the member's own profile where it resolves: one profile never
    // reads another account's IAM.
    for (const ImportedAccount& account : accounts_) {
      if (account.id == management_id_) continue;
      client::Client* member =
          options_.member_client ? options_.member_client(MemberProfile(account.key)) : nullptr;
      if (member == nullptr) {
        members_without_iam_.push_back(account.key);
        continue;
      }
      client_ = member;
      OT_ASSIGN_OR_RETURN(json::object who, Call("sts", "GetCallerIdentity"));
      if (Str(who, "Account") != account.id) {
        return InvalidInputError("profile `" + MemberProfile(account.key) + "` acts in account " +
                                 Str(who, "Account") + ", not in `" + account.key + "` (" +
                                 account.id + ")");
      }
      OT_RETURN_IF_ERROR(ReadIam(iam_[account.key]));
    }
    client_ = &management_client_;
    return Emit();
  }

 private:
  // ---- calls ----------------------------------------------------------------------------------

  Result<json::object> Call(std::string_view service, std::string_view operation,
                            const json::object& input = {}) {
    auto outcome = client_->Call(service, operation, input);
    if (!outcome.ok()) return CallFailed(service, operation, outcome.error());
    return std::move(outcome).value();
  }

  // The items of list `member` over every page.
  Result<std::vector<json::value>> List(std::string_view service, std::string_view operation,
                                        std::string_view member, json::object input = {}) {
    auto pages = client_->AllPages(service, operation, std::move(input));
    if (!pages.ok()) return CallFailed(service, operation, pages.error());
    std::vector<json::value> items;
    for (const json::object& page : *pages) {
      for (const json::value& item : Arr(page, member)) items.push_back(item);
    }
    return items;
  }

  // ---- Organizations --------------------------------------------------------------------------

  Status ReadOrganization() {
    OT_ASSIGN_OR_RETURN(json::object caller, Call("sts", "GetCallerIdentity"));
    caller_account_ = Str(caller, "Account");
    auto described = client_->Call("organizations", "DescribeOrganization");
    if (!described.ok()) {
      if (described.error().code == "AWSOrganizationsNotInUseException") {
        return InvalidInputError("import: account " + caller_account_ + " (profile `" +
                                 options_.profile + "`) is not in an organization");
      }
      return CallFailed("organizations", "DescribeOrganization", described.error());
    }
    const json::object& organization = Obj(*described, "Organization");
    organization_id_ = Str(organization, "Id");
    management_id_ = Str(organization, "MasterAccountId");
    feature_set_ = Str(organization, "FeatureSet");
    // Only the management account lists the accounts and reads every policy, and the file
    // imports the IAM of the account the profile acts in as the management account's.
    if (management_id_ != caller_account_) {
      return InvalidInputError("import: profile `" + options_.profile + "` acts in account " +
                               caller_account_ + ", a member of organization " + organization_id_ +
                               "; import reads an organization from its management account (" +
                               management_id_ + ")");
    }
    OT_ASSIGN_OR_RETURN(json::object roots, Call("organizations", "ListRoots"));
    const json::array& list = Arr(roots, "Roots");
    if (list.empty()) return InternalError("import: ListRoots returned no root");
    const json::object& root = list.front().as_object();
    root_id_ = Str(root, "Id");
    for (const json::value& type : Arr(root, "PolicyTypes")) {
      if (Str(type.as_object(), "Status") == "ENABLED") {
        enabled_types_.push_back(Str(type.as_object(), "Type"));
      }
    }
    return Status::Ok();
  }

  Status ReadUnits() { return ReadUnitsUnder(root_id_, "", units_); }

  Status ReadUnitsUnder(const std::string& parent_id, const std::string& parent_path,
                        std::vector<ImportedUnit>& out) {
    OT_ASSIGN_OR_RETURN(auto listed, List("organizations", "ListOrganizationalUnitsForParent",
                                          "OrganizationalUnits", {{"ParentId", parent_id}}));
    for (const json::value& item : listed) {
      ImportedUnit unit;
      unit.id = Str(item.as_object(), "Id");
      unit.name = Str(item.as_object(), "Name");
      unit.path = parent_path.empty() ? unit.name : parent_path + "/" + unit.name;
      unit_paths_[unit.id] = unit.path;
      OT_RETURN_IF_ERROR(ReadUnitsUnder(unit.id, unit.path, unit.children));
      out.push_back(std::move(unit));
    }
    std::sort(out.begin(), out.end(),
              [](const ImportedUnit& a, const ImportedUnit& b) { return a.name < b.name; });
    return Status::Ok();
  }

  Status ReadAccounts() {
    OT_ASSIGN_OR_RETURN(auto listed, List("organizations", "ListAccounts", "Accounts"));
    std::vector<ImportedAccount> accounts;
    for (const json::value& item : listed) {
      const json::object& account = item.as_object();
      accounts.push_back({Str(account, "Id"), "", Str(account, "Name"), Str(account, "Email"), ""});
    }
    // The management account first (its key is the plainest), then by name, so the keys do
    // not depend on the order ListAccounts happens to return.
    std::sort(accounts.begin(), accounts.end(),
              [&](const ImportedAccount& a, const ImportedAccount& b) {
                return std::pair(a.id != management_id_, a.name) <
                       std::pair(b.id != management_id_, b.name);
              });
    // An account key equal to an OU path would make an attachment ambiguous.
    std::set<std::string> taken;
    for (const auto& [id, path] : unit_paths_) taken.insert(path);
    for (ImportedAccount& account : accounts) {
      account.key = AccountKeyFromName(account.name, taken);
      taken.insert(account.key);
      OT_ASSIGN_OR_RETURN(json::object parents,
                          Call("organizations", "ListParents", {{"ChildId", account.id}}));
      const json::array& list = Arr(parents, "Parents");
      const std::string parent = list.empty() ? root_id_ : Str(list.front().as_object(), "Id");
      auto unit = unit_paths_.find(parent);
      account.parent = unit == unit_paths_.end() ? "root" : unit->second;
      account_keys_[account.id] = account.key;
    }
    accounts_ = std::move(accounts);
    return Status::Ok();
  }

  Status ReadPolicies() {
    for (const std::string& type : enabled_types_) {
      if (!PolicyTypeFromName(type)) {
        notes_.push_back("policies of type " + type +
                         " are not imported (the structure file does not have that type)");
        continue;
      }
      OT_ASSIGN_OR_RETURN(auto listed,
                          List("organizations", "ListPolicies", "Policies", {{"Filter", type}}));
      for (const json::value& item : listed) {
        const json::object& summary = item.as_object();
        const json::value* aws_managed = summary.if_contains("AwsManaged");
        if (aws_managed != nullptr && aws_managed->is_bool() && aws_managed->as_bool()) continue;
        const std::string id = Str(summary, "Id");
        OT_ASSIGN_OR_RETURN(json::object described,
                            Call("organizations", "DescribePolicy", {{"PolicyId", id}}));
        ImportedPolicy policy;
        policy.name = Str(summary, "Name");
        policy.type = type;
        policy.description = Str(summary, "Description");
        policy.content = Str(Obj(described, "Policy"), "Content");
        OT_ASSIGN_OR_RETURN(auto targets, List("organizations", "ListTargetsForPolicy", "Targets",
                                               {{"PolicyId", id}}));
        for (const json::value& target : targets) {
          const std::string target_id = Str(target.as_object(), "TargetId");
          if (target_id == root_id_) {
            policy.targets.emplace_back("root");
          } else if (auto unit = unit_paths_.find(target_id); unit != unit_paths_.end()) {
            policy.targets.push_back(unit->second);
          } else if (auto account = account_keys_.find(target_id); account != account_keys_.end()) {
            policy.targets.push_back(account->second);
          }
        }
        std::sort(policy.targets.begin(), policy.targets.end());
        policies_.push_back(std::move(policy));
      }
    }
    return Status::Ok();
  }

  // ---- IAM of the management account ------------------------------------------------------------

  std::string ManagementKey() const {
    for (const ImportedAccount& account : accounts_) {
      if (account.id == management_id_) return account.key;
    }
    return {};
  }

  Status ReadIam(AccountIamImport& iam) {
    OT_ASSIGN_OR_RETURN(auto roles, List("iam", "ListRoles", "Roles"));
    int service_linked = 0;
    for (const json::value& item : roles) {
      const std::string name = Str(item.as_object(), "RoleName");
      if (Str(item.as_object(), "Path").rfind(kServiceLinkedPath, 0) == 0) {
        ++service_linked;
        continue;
      }
      OT_ASSIGN_OR_RETURN(json::object got, Call("iam", "GetRole", {{"RoleName", name}}));
      const json::object& role = Obj(got, "Role");
      ImportedPrincipal principal;
      principal.name = name;
      principal.path = Str(role, "Path").empty() ? "/" : Str(role, "Path");
      principal.description = Str(role, "Description");
      principal.trust = DecodeDocument(Str(role, "AssumeRolePolicyDocument"));
      principal.boundary = Str(Obj(role, "PermissionsBoundary"), "PermissionsBoundaryArn");
      if (const json::value* duration = role.if_contains("MaxSessionDuration");
          duration != nullptr && duration->is_number()) {
        principal.max_session_duration = duration->to_number<int64_t>();
      }
      OT_RETURN_IF_ERROR(ReadPrincipalPolicies(kRoleOps, principal));
      iam.roles.push_back(std::move(principal));
    }
    if (service_linked > 0) {
      notes_.push_back(std::to_string(service_linked) +
                       " service-linked role(s) under /aws-service-role/ left out: AWS services "
                       "make them");
    }
    OT_ASSIGN_OR_RETURN(auto groups, List("iam", "ListGroups", "Groups"));
    for (const json::value& item : groups) {
      ImportedPrincipal principal;
      principal.name = Str(item.as_object(), "GroupName");
      principal.path = Str(item.as_object(), "Path").empty() ? "/" : Str(item.as_object(), "Path");
      OT_RETURN_IF_ERROR(ReadPrincipalPolicies(kGroupOps, principal));
      iam.groups.push_back(std::move(principal));
    }
    OT_ASSIGN_OR_RETURN(auto users, List("iam", "ListUsers", "Users"));
    for (const json::value& item : users) {
      ImportedPrincipal principal;
      principal.name = Str(item.as_object(), "UserName");
      principal.path = Str(item.as_object(), "Path").empty() ? "/" : Str(item.as_object(), "Path");
      OT_ASSIGN_OR_RETURN(auto member_of, List("iam", "ListGroupsForUser", "Groups",
                                               {{"UserName", principal.name}}));
      for (const json::value& group : member_of) {
        principal.groups.push_back(Str(group.as_object(), "GroupName"));
      }
      std::sort(principal.groups.begin(), principal.groups.end());
      OT_RETURN_IF_ERROR(ReadPrincipalPolicies(kUserOps, principal));
      iam.users.push_back(std::move(principal));
    }
    for (auto* list : {&iam.roles, &iam.groups, &iam.users}) {
      std::sort(
          list->begin(), list->end(),
          [](const ImportedPrincipal& a, const ImportedPrincipal& b) { return a.name < b.name; });
    }
    return Status::Ok();
  }

  // A principal's managed policy ARNs and inline policies.
  Status ReadPrincipalPolicies(const PrincipalOps& ops, ImportedPrincipal& principal) {
    const json::object who{{ops.name_member, principal.name}};
    OT_ASSIGN_OR_RETURN(auto attached, List("iam", ops.list_attached, "AttachedPolicies", who));
    for (const json::value& policy : attached) {
      std::string arn = Str(policy.as_object(), "PolicyArn");
      if (arn.rfind("arn:aws:iam::aws:policy/", 0) != 0) customer_managed_ = true;
      principal.managed.push_back(std::move(arn));
    }
    std::sort(principal.managed.begin(), principal.managed.end());
    OT_ASSIGN_OR_RETURN(auto names, List("iam", ops.list_inline, "PolicyNames", who));
    for (const json::value& name : names) {
      if (!name.is_string()) continue;
      json::object input = who;
      input["PolicyName"] = name.as_string();
      OT_ASSIGN_OR_RETURN(json::object got, Call("iam", ops.get_inline, input));
      principal.inline_policies.emplace_back(std::string(name.as_string()),
                                             DecodeDocument(Str(got, "PolicyDocument")));
    }
    return Status::Ok();
  }

  // ---- the file -----------------------------------------------------------------------------

  std::string Emit() const {
    YAML::Emitter out;
    EmitHeader(out);
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value
        << (options_.name.empty() ? organization_id_ : options_.name);
    const ImportedAccount* management = nullptr;
    for (const ImportedAccount& account : accounts_) {
      if (account.id == management_id_) management = &account;
    }
    const std::string management_key = management != nullptr ? management->key : std::string();

    out << YAML::Key << "parties" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << std::string(kPartyKey) << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value
        << (management != nullptr ? management->name : organization_id_);
    out << YAML::Key << "profile" << YAML::Value << options_.profile;
    bool members = false;
    for (const ImportedAccount& account : accounts_) {
      if (account.id == management_id_) continue;
      if (!members) {
        out << YAML::Key << "profiles" << YAML::Value << YAML::BeginMap;
        members = true;
      }
      out << YAML::Key << account.key << YAML::Value << MemberProfile(account.key);
    }
    if (members) out << YAML::EndMap;
    out << YAML::EndMap << YAML::EndMap;

    out << YAML::Key << "accounts" << YAML::Value << YAML::BeginMap;
    for (const ImportedAccount& account : accounts_) {
      out << YAML::Key << account.key << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "owner" << YAML::Value << std::string(kPartyKey);
      out << YAML::Key << "name" << YAML::Value << account.name;
      out << YAML::Key << "email" << YAML::Value << account.email;
      out << YAML::Key << "id" << YAML::Value << YAML::DoubleQuoted << account.id;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "organization" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "management_account" << YAML::Value << management_key;
    out << YAML::Key << "feature_set" << YAML::Value << feature_set_;
    if (!units_.empty()) {
      out << YAML::Key << "units" << YAML::Value;
      EmitUnits(out, units_);
    }
    if (!accounts_.empty()) {
      out << YAML::Key << "placement" << YAML::Value << YAML::BeginMap;
      for (const ImportedAccount& account : accounts_) {
        out << YAML::Key << account.key << YAML::Value << account.parent;
      }
      out << YAML::EndMap;
    }
    if (!policies_.empty()) {
      out << YAML::Key << "policies" << YAML::Value << YAML::BeginSeq;
      for (const ImportedPolicy& policy : policies_) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << policy.name;
        out << YAML::Key << "type" << YAML::Value << policy.type;
        if (!policy.description.empty()) {
          out << YAML::Key << "description" << YAML::Value << policy.description;
        }
        out << YAML::Key << "content" << YAML::Value;
        EmitDocument(out, policy.content, false);
        if (!policy.targets.empty()) {
          out << YAML::Key << "attach_to" << YAML::Value << YAML::Flow << policy.targets;
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;

    bool any_iam = false;
    for (const ImportedAccount& account : accounts_) {
      auto iam = iam_.find(account.key);
      if (iam == iam_.end() || iam->second.empty()) continue;
      if (!any_iam) {
        out << YAML::Key << "iam" << YAML::Value << YAML::BeginMap;
        any_iam = true;
      }
      out << YAML::Key << account.key << YAML::Value << YAML::BeginMap;
      EmitPrincipals(out, "roles", iam->second.roles, true);
      EmitPrincipals(out, "users", iam->second.users, false);
      EmitPrincipals(out, "groups", iam->second.groups, false);
      out << YAML::EndMap;
    }
    if (any_iam) out << YAML::EndMap;
    out << YAML::EndMap;
    std::string text = out.c_str();
    text.push_back('\n');
    return text;
  }

  std::string MemberProfile(const std::string& key) const {
    std::string profile = options_.profile;
    profile.append("-").append(key);
    return profile;
  }

  void EmitHeader(YAML::Emitter& out) const {
    std::vector<std::string> lines = {
        "Imported by `orgtwin import --profile " + options_.profile + "` from organization " +
            organization_id_ + ",",
        "read through the API from its management account " + management_id_ + ".",
        "Each member's IAM is read with the member's profile (below); not imported: alternate",
        "contacts, and secrets (passwords, access keys, MFA devices), which are never read.",
        "The members' profiles (`" + options_.profile +
            "-ACCOUNT_KEY`) act in each member: on AWS, a role profile",
        "that assumes a role there; `orgtwin rehearse` gives them the members' root keys.",
    };
    if (customer_managed_) {
      lines.emplace_back(
          "Customer managed policies are named by ARN; their documents are not imported.");
    }
    if (!members_without_iam_.empty()) {
      std::string keys;
      for (const std::string& key : members_without_iam_) {
        keys.append(keys.empty() ? "" : ", ").append(key);
      }
      lines.push_back("Not imported: the IAM of " + keys +
                      " (no usable profile; add theirs under `iam`).");
    }
    for (const std::string& note : notes_) lines.push_back("Note: " + note + ".");
    for (const std::string& line : lines) out << YAML::Comment(line) << YAML::Newline;
  }

  static void EmitUnits(YAML::Emitter& out, const std::vector<ImportedUnit>& units) {
    out << YAML::BeginSeq;
    for (const ImportedUnit& unit : units) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << unit.name;
      if (!unit.children.empty()) {
        out << YAML::Key << "children" << YAML::Value;
        EmitUnits(out, unit.children);
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }

  static void EmitPrincipals(YAML::Emitter& out, const char* section,
                             const std::vector<ImportedPrincipal>& principals, bool roles) {
    if (principals.empty()) return;
    out << YAML::Key << section << YAML::Value << YAML::BeginSeq;
    for (const ImportedPrincipal& principal : principals) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << principal.name;
      if (principal.path != "/") out << YAML::Key << "path" << YAML::Value << principal.path;
      if (roles) {
        if (!principal.description.empty()) {
          out << YAML::Key << "description" << YAML::Value << principal.description;
        }
        out << YAML::Key << "trust" << YAML::Value;
        EmitDocument(out, principal.trust, true);
      }
      if (!principal.groups.empty()) {
        out << YAML::Key << "groups" << YAML::Value << YAML::Flow << principal.groups;
      }
      if (!principal.managed.empty()) {
        out << YAML::Key << "managed" << YAML::Value << principal.managed;
      }
      if (!principal.inline_policies.empty()) {
        out << YAML::Key << "inline" << YAML::Value << YAML::BeginMap;
        for (const auto& [name, document] : principal.inline_policies) {
          out << YAML::Key << name << YAML::Value;
          EmitDocument(out, document, false);
        }
        out << YAML::EndMap;
      }
      if (roles && !principal.boundary.empty()) {
        out << YAML::Key << "permissions_boundary" << YAML::Value << principal.boundary;
      }
      if (roles && principal.max_session_duration != 3600) {
        out << YAML::Key << "max_session_duration" << YAML::Value << principal.max_session_duration;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }

  // ---- documents ------------------------------------------------------------------------------

  // Whether the loader reads `text` back as this JSON value when it is written as a YAML
  // mapping: its scalars are typed by the YAML core schema (structure/parse.cc), where a
  // fraction is a string, so a document with one is written as JSON text instead.
  static bool MappingKeepsValue(const json::value& value) {
    switch (value.kind()) {
      case json::kind::object:
        return std::all_of(
            value.as_object().begin(), value.as_object().end(),
            [](const json::key_value_pair& pair) { return MappingKeepsValue(pair.value()); });
      case json::kind::array:
        return std::all_of(value.as_array().begin(), value.as_array().end(), MappingKeepsValue);
      case json::kind::double_:
        return false;
      default:
        return true;
    }
  }

  // A string the loader would type as something else when written plain: true, false, null,
  // ~, an integer, or nothing at all.
  static bool NeedsQuotes(std::string_view text) {
    if (text.empty() || text == "true" || text == "false" || text == "null" || text == "~") {
      return true;
    }
    int64_t ignored = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ignored);
    return ec == std::errc() && end == text.data() + text.size();
  }

  static void EmitJson(YAML::Emitter& out, const json::value& value) {
    switch (value.kind()) {
      case json::kind::object:
        out << YAML::BeginMap;
        for (const json::key_value_pair& pair : value.as_object()) {
          out << YAML::Key << std::string(pair.key()) << YAML::Value;
          EmitJson(out, pair.value());
        }
        out << YAML::EndMap;
        break;
      case json::kind::array:
        out << YAML::BeginSeq;
        for (const json::value& item : value.as_array()) EmitJson(out, item);
        out << YAML::EndSeq;
        break;
      case json::kind::string: {
        const std::string text(value.as_string());
        if (NeedsQuotes(text)) out << YAML::DoubleQuoted;
        out << text;
        break;
      }
      case json::kind::bool_:
        out << value.as_bool();
        break;
      case json::kind::int64:
        out << value.as_int64();
        break;
      case json::kind::uint64:
        out << value.as_uint64();
        break;
      case json::kind::double_:  // excluded by MappingKeepsValue
      case json::kind::null:
        out << YAML::Null;
        break;
    }
  }

  // A policy document as a YAML mapping, which reads better and diffs line by line, or as its
  // JSON text where a mapping would not read back the same. A trust policy is a mapping only
  // with `Statement` or `Version`: without them the loader takes a mapping for the short form.
  static void EmitDocument(YAML::Emitter& out, const std::string& text, bool trust) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    const bool mapping = !ec && value.is_object() && MappingKeepsValue(value) &&
                         (!trust || value.as_object().contains("Statement") ||
                          value.as_object().contains("Version"));
    if (mapping) {
      EmitJson(out, value);
    } else {
      out << (text.find('\n') != std::string::npos ? YAML::Literal : YAML::DoubleQuoted) << text;
    }
  }

  client::Client& management_client_;
  client::Client* client_;  // the account whose IAM is being read; else the management account's
  const ImportOptions& options_;
  std::string caller_account_;
  std::string organization_id_;
  std::string management_id_;
  std::string feature_set_;
  std::string root_id_;
  std::vector<std::string> enabled_types_;
  std::vector<ImportedUnit> units_;
  std::map<std::string, std::string> unit_paths_;    // OU ID -> path
  std::map<std::string, std::string> account_keys_;  // account ID -> key
  std::vector<ImportedAccount> accounts_;
  std::vector<ImportedPolicy> policies_;
  std::map<std::string, AccountIamImport> iam_;   // by account key
  std::vector<std::string> members_without_iam_;  // account keys whose profile did not resolve
  std::vector<std::string> notes_;
  bool customer_managed_ = false;
};

}  // namespace

std::string AccountKeyFromName(const std::string& name, const std::set<std::string>& taken) {
  std::string key;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      key.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (!key.empty() && key.back() != '-') {
      key.push_back('-');
    }
  }
  while (!key.empty() && key.back() == '-') key.pop_back();
  if (key.size() > kMaxKeyLength) key.resize(kMaxKeyLength);
  while (!key.empty() && key.back() == '-') key.pop_back();
  if (key.empty()) key = "account";
  // `root` names the organization's root wherever a policy is attached.
  if (key == "root") key = "root-account";
  std::string unique = key;
  for (int n = 2; taken.count(unique) != 0; ++n) {
    const std::string suffix = "-" + std::to_string(n);
    unique = key.substr(0, kMaxKeyLength - suffix.size());
    unique.append(suffix);
  }
  return unique;
}

Result<std::string> ImportStructure(client::Client& client, const ImportOptions& options) {
  return Importer(client, options).Run();
}

}  // namespace orgtwin::structure
