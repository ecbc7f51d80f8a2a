#include "gateway/operation_actions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>

#include "common/arn.h"
#include "common/ascii.h"
#include "common/json_fields.h"
#include "gateway/operation_table.h"
#include "services/iam/service_linked_roles.h"

namespace orgtwin::gateway {
namespace {

using Json = boost::json::object;

using json_fields::Str;

bool Has(const Json& input, std::string_view member) { return !Str(input, member).empty(); }

std::string NormalizePath(std::string path) {
  if (path.empty()) return "/";
  return path;
}

// aws:RequestTag/<key> and aws:TagKeys from a Tags member ([{Key, Value}], the shape IAM, STS,
// Organizations and the others share), aws:TagKeys from TagKeys (untag operations).
void AddTagKeys(const Json& input, AuthzPlan* plan) {
  std::vector<std::string> keys;
  if (auto it = input.find("Tags"); it != input.end() && it->value().is_array()) {
    for (const auto& tag : it->value().get_array()) {
      if (!tag.is_object()) continue;
      std::string key = Str(tag.get_object(), "Key");
      if (key.empty()) continue;
      plan->context.emplace_back("aws:RequestTag/" + key, Str(tag.get_object(), "Value"));
      keys.push_back(std::move(key));
    }
  }
  if (auto it = input.find("TagKeys"); it != input.end() && it->value().is_array()) {
    for (const auto& key : it->value().get_array()) {
      if (key.is_string()) keys.emplace_back(key.get_string());
    }
  }
  if (!keys.empty()) plan->multi_context.emplace_back("aws:TagKeys", std::move(keys));
}

// ---------------------------------------------------------------- The table-driven rules
//
// The action of an operation, its resource types and their ARN templates, and its condition keys
// come from the operation table (operation_table.h, AWS's Service Authorization Reference). The
// resource a request names is found in two passes over the action's resource types, in the
// catalog's order: an input member holding an ARN of the type's shape names it as given (RoleArn,
// PolicyArn, SerialNumber, ResourceArn, ...); otherwise the type's ARN template is filled from
// the caller (${Partition}, ${Account}, ${Region}) and the input (a variable is the input member
// of its name, or the one kVariableMembers says). The services' planners below add what the
// catalog cannot say (paths of stored IAM entities, Organizations IDs, AWS-COMPAT exceptions).

// Template variables named by an input member of another name.
struct VariableMember {
  std::string_view service;
  std::string_view variable;
  std::string_view member;
};
constexpr std::array<VariableMember, 5> kVariableMembers = {{
    {"iam", "SamlProviderName", "Name"},
    {"iam", "CertificateName", "ServerCertificateName"},  // base of ${CertificateNameWithPath}
    {"iam", "MfaTokenId", "VirtualMFADeviceName"},        // base of ${MfaTokenIdWithPath}
    {"sts", "FederatedUserName", "Name"},
    {"cloudtrail", "TrailName", "Name"},
}};

std::string_view MemberOfVariable(std::string_view service, std::string_view variable) {
  for (const VariableMember& vm : kVariableMembers) {
    if (vm.service == service && vm.variable == variable) return vm.member;
  }
  return variable;
}

// The input member matching `name` case-insensitively; nullptr if none.
const boost::json::value* FindMemberIgnoreCase(const Json& input, std::string_view name) {
  const std::string lower = AsciiLowerCopy(name);
  for (const auto& member : input) {
    if (AsciiLowerCopy(member.key()) == lower) return &member.value();
  }
  return nullptr;
}

// Sets a single-valued key unless a rule before set it already.
void SetContext(AuthzPlan* plan, std::string key, std::string value) {
  for (const auto& [k, v] : plan->context) {
    if (k == key) return;
  }
  plan->context.emplace_back(std::move(key), std::move(value));
}

// The request keys the catalog lists for the action (or for its resource types) whose value is
// in the input: tags and tag keys, and `<service>:<Member>` keys.
void AddInputConditionKeys(const ActionInfo& action, const Json& input, AuthzPlan* plan) {
  std::vector<std::string_view> keys;
  for (const std::string& key : action.condition_keys) keys.push_back(key);
  for (const ActionResource& resource : action.resources) {
    for (const std::string& key : resource.condition_keys) keys.push_back(key);
  }
  bool tags = false;
  for (std::string_view key : keys) {
    if (key == "aws:RequestTag/${TagKey}" || key == "aws:TagKeys") {
      tags = true;
      continue;
    }
    // aws:* keys describe the request or principal, not an input member; templated keys
    // (iam:ResourceTag/${TagKey}) come from state.
    if (key.starts_with("aws:") || key.find("${") != std::string_view::npos) continue;
    // Only the service's own keys name an input member; the identity providers' keys
    // (accounts.google.com:aud, saml:sub, ...) come from the federation token.
    const size_t colon = key.find(':');
    if (colon == std::string_view::npos || key.substr(0, colon) != action.prefix) continue;
    // The member named like the key's part after the colon, compared case-insensitively
    // (iam:PolicyARN <- PolicyArn, sts:ExternalId <- ExternalId).
    const boost::json::value* value = FindMemberIgnoreCase(input, key.substr(colon + 1));
    if (value == nullptr) continue;
    if (value->is_string()) {
      SetContext(plan, std::string(key), std::string(value->get_string()));
    } else if (value->is_int64() || value->is_uint64() || value->is_bool()) {
      SetContext(plan, std::string(key), boost::json::serialize(*value));
    } else if (value->is_array()) {
      std::vector<std::string> values;
      for (const auto& v : value->get_array()) {
        if (v.is_string()) values.emplace_back(v.get_string());
      }
      plan->multi_context.emplace_back(std::string(key), std::move(values));
    }
  }
  if (tags) AddTagKeys(input, plan);
}

using VariableResolver =
    std::function<std::optional<std::string>(const ResourceTypeInfo& type, std::string_view var)>;

// The variables every template shares, then the input member naming the variable.
std::optional<std::string> DefaultVariable(std::string_view service, const Json& input,
                                           const CallerFacts& caller, std::string_view var) {
  if (var == "Partition") return std::string("aws");
  if (var == "Account") return caller.account;
  if (var == "Region") return caller.region;
  std::string value = Str(input, MemberOfVariable(service, var));
  if (value.empty()) return std::nullopt;
  return value;
}

// The first resource of the action's types the input names (the two passes above), or nullopt.
std::optional<std::string> NamedResource(const ActionInfo& action, const Json& input,
                                         const VariableResolver& resolve) {
  for (const ActionResource& resource : action.resources) {
    for (const auto& member : input) {
      if (!member.value().is_string()) continue;
      std::string_view value = member.value().get_string();
      if (value.starts_with("arn:") && ArnMatchesTemplate(value, resource.type->arn_template)) {
        return std::string(value);
      }
    }
  }
  for (const ActionResource& resource : action.resources) {
    std::optional<std::string> arn =
        FillArnTemplate(resource.type->arn_template,
                        [&](std::string_view var) { return resolve(*resource.type, var); });
    if (arn) return arn;
  }
  return std::nullopt;
}

// The default planner (CloudTrail, Billing, Invoicing and every service without a planner of
// its own): one check of the operation's action on the resource the input names, else "*".
void PlanFromTable(std::string_view prefix, const model::Operation& op, const Json& input,
                   const CallerFacts& caller, AuthzPlan* plan) {
  AuthzCheck check;
  check.action = ActionNameOf(prefix, op.name);
  const OperationInfo* info = FindOperationInfo(prefix, op.name);
  if (info != nullptr && info->action != nullptr) {
    auto resolve = [&](const ResourceTypeInfo&, std::string_view var) {
      return DefaultVariable(prefix, input, caller, var);
    };
    check.resource = NamedResource(*info->action, input, resolve).value_or("*");
    AddInputConditionKeys(*info->action, input, plan);
  } else {
    // An operation newer than the catalog: its tags are still the request's.
    AddTagKeys(input, plan);
  }
  plan->checks.push_back(std::move(check));
}

// ---------------------------------------------------------------- IAM
//
// IAM names an existing entity by name; its ARN (${UserNameWithPath}, ...) carries the path the
// entity was created with, read from the store. Creation operations take the path from the
// input. An operation naming no user acts on the caller's own (self-service).

// Creation operations: the entity does not exist yet; its path comes from the input.
bool IamCreateOperation(std::string_view op) {
  return op == "CreateUser" || op == "CreateGroup" || op == "CreateRole" ||
         op == "CreateInstanceProfile" || op == "UploadServerCertificate" || op == "CreatePolicy" ||
         op == "CreateVirtualMFADevice";
}

std::string IamArn(std::string_view account, std::string_view kind, std::string_view path,
                   std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":" + std::string(kind) + std::string(path) +
         std::string(name);
}

// The resource types whose entities the store keeps with a path (and, users and roles, tags and
// a permissions boundary).
bool IamStoredKind(std::string_view type) {
  return type == "user" || type == "group" || type == "role" || type == "instance-profile" ||
         type == "server-certificate";
}

// AWS-COMPAT: for these IAM operations AWS's AccessDenied message names the resource as
// "<kind> <name>" (or "policy <ARN>") instead of the ARN it evaluated. Only the operations seen
// in real AWS error texts are listed; CreateRole, CreateUser and TagRole keep the ARN.
enum class IamMessageForm { kArn, kRoleName, kUserName, kPolicyArn, kPolicyName };

IamMessageForm IamMessageFormOf(std::string_view op) {
  static constexpr std::array<std::string_view, 8> kRoleOps = {
      "GetRole",
      "DeleteRole",
      "UpdateRole",
      "AttachRolePolicy",
      "PutRolePolicy",
      "DeleteRolePolicy",
      "ListAttachedRolePolicies",
      "UpdateAssumeRolePolicy",
  };
  for (std::string_view s : kRoleOps) {
    if (s == op) return IamMessageForm::kRoleName;
  }
  if (op == "GetUser" || op == "GetLoginProfile") return IamMessageForm::kUserName;
  if (op == "ListPolicyVersions") return IamMessageForm::kPolicyArn;
  if (op == "CreatePolicy") return IamMessageForm::kPolicyName;
  return IamMessageForm::kArn;
}

// The name at the end of an IAM ARN ("arn:aws:iam::1:user/a/b/alice" -> "alice").
std::string_view IamArnName(std::string_view arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : arn.substr(slash + 1);
}

std::string IamMessageResource(std::string_view op, const Json& input, std::string_view arn) {
  switch (IamMessageFormOf(op)) {
    case IamMessageForm::kArn:
      return "";
    case IamMessageForm::kRoleName:
      return "role " + std::string(IamArnName(arn));
    case IamMessageForm::kUserName: {
      // Only an IAM user resource has a user name (GetUser by a role session is authorized on
      // the session's ARN and printed as such).
      if (arn.find(":user/") == std::string_view::npos) return "";
      return "user " + std::string(IamArnName(arn));
    }
    case IamMessageForm::kPolicyArn:
      return "policy " + std::string(arn);
    case IamMessageForm::kPolicyName:
      return "policy " + Str(input, "PolicyName");
  }
  return "";
}

// aws:ResourceTag/<key> and iam:ResourceTag/<key>: the tags of the IAM user or role a request
// acts on (IAM supports both keys for users and roles; the key's case is the tag's own, and the
// policy engine matches tag-key suffixes case-insensitively).
void AddResourceTags(const ResourceFacts::IamEntity& entity, AuthzPlan* plan) {
  for (const auto& [key, value] : entity.tags) {
    plan->context.emplace_back("aws:ResourceTag/" + key, value);
    plan->context.emplace_back("iam:ResourceTag/" + key, value);
  }
}

void PlanIam(const model::Operation& op, const Json& input, const CallerFacts& caller,
             ResourceFacts& facts, AuthzPlan* plan) {
  AuthzCheck check;
  check.action = ActionNameOf("iam", op.name);
  const std::string& account = caller.account;
  const OperationInfo* info = FindOperationInfo("iam", op.name);
  const ActionInfo* action = info != nullptr ? info->action : nullptr;
  // The stored entity the resource names, when it is one.
  ResourceFacts::IamEntity entity;
  if (op.name == "ListUsers" || op.name == "ListRoles" || op.name == "ListGroups" ||
      op.name == "ListInstanceProfiles" || op.name == "ListServerCertificates") {
    // AWS-COMPAT: the catalog gives the listing calls no resource type, but AWS authorizes them
    // on the path prefix, e.g. "ListRoles on resource: arn:aws:iam::123456789012:role/"
    // (OperationActionsTest.AttachAndGroupOperations).
    std::string_view kind = op.name == "ListUsers"              ? "user"
                            : op.name == "ListRoles"            ? "role"
                            : op.name == "ListGroups"           ? "group"
                            : op.name == "ListInstanceProfiles" ? "instance-profile"
                                                                : "server-certificate";
    check.resource = IamArn(account, kind, NormalizePath(Str(input, "PathPrefix")), "");
  } else if (op.name == "CreateServiceLinkedRole") {
    // AWS-COMPAT: authorized on the ARN of the role AWS creates for the service
    // (role/aws-service-role/<service>/AWSServiceRoleFor<Service>[_<suffix>]).
    check.resource = services::iam::ServiceLinkedRoleArn(account, Str(input, "AWSServiceName"),
                                                         Str(input, "CustomSuffix"));
  } else if (op.name == "GetServiceLinkedRoleDeletionStatus") {
    // The deletion task ID names the role: "task/aws-service-role/<service>/<role>/<uuid>".
    std::string task = Str(input, "DeletionTaskId");
    size_t last = task.rfind('/');
    if (task.starts_with("task/aws-service-role/") && last != std::string::npos) {
      check.resource = IamArn(account, "role", "", task.substr(4, last - 4));
    }
  } else if (action != nullptr && !action->resources.empty()) {
    auto resolve = [&](const ResourceTypeInfo& type,
                       std::string_view var) -> std::optional<std::string> {
      if (var == "OidcProviderName") {
        std::string url = Str(input, "Url");
        if (url.starts_with("https://")) url = url.substr(8);
        if (url.empty()) return std::nullopt;
        return url;
      }
      constexpr std::string_view kWithPath = "WithPath";
      if (var.size() <= kWithPath.size() ||
          var.substr(var.size() - kWithPath.size()) != kWithPath) {
        return DefaultVariable("iam", input, caller, var);
      }
      // ${UserNameWithPath} and the like: the path without its leading "/" (the template has
      // it), then the name of the input member.
      std::string name =
          Str(input, MemberOfVariable("iam", var.substr(0, var.size() - kWithPath.size())));
      if (name.empty()) return std::nullopt;
      std::string path = "/";
      if (IamCreateOperation(op.name)) {
        path = NormalizePath(Str(input, "Path"));
      } else if (IamStoredKind(type.name)) {
        entity = facts.FindIamEntity(type.name, account, name);
        path = entity.path;
      }
      return path.substr(path.empty() || path[0] != '/' ? 0 : 1) + name;
    };
    std::optional<std::string> named = NamedResource(*action, input, resolve);
    const bool names_user =
        std::any_of(action->resources.begin(), action->resources.end(),
                    [](const ActionResource& r) { return r.type->name == "user"; });
    if (named) {
      check.resource = *named;
    } else if (names_user) {
      // Self-service: without UserName a user operation acts on the caller's own user
      // (GetUser, CreateAccessKey, ChangePassword, EnableMFADevice, ...). GetAccessKeyLastUsed
      // has no UserName at all; its resource is the user owning the key.
      std::string owner = Has(input, "AccessKeyId") && op.input != nullptr &&
                                  op.input->FindMember("UserName") == nullptr
                              ? facts.AccessKeyUser(Str(input, "AccessKeyId"))
                              : std::string();
      if (owner.empty()) {
        check.resource = caller.arn;
      } else {
        ResourceFacts::IamEntity user = facts.FindIamEntity("user", account, owner);
        check.resource = IamArn(account, "user", user.path, owner);
      }
    }
  }
  AddResourceTags(entity, plan);

  // Condition keys: those the input carries, then the boundary the user or role already has
  // where the catalog lists iam:PermissionsBoundary and the input sets none.
  if (action != nullptr) {
    AddInputConditionKeys(*action, input, plan);
    const bool boundary_key =
        std::find(action->condition_keys.begin(), action->condition_keys.end(),
                  "iam:PermissionsBoundary") != action->condition_keys.end();
    if (boundary_key && !entity.boundary_arn.empty()) {
      SetContext(plan, "iam:PermissionsBoundary", entity.boundary_arn);
    }
  } else {
    AddTagKeys(input, plan);
  }
  if (check.resource != "*")
    check.message_resource = IamMessageResource(op.name, input, check.resource);
  plan->checks.push_back(check);

  // AWS-COMPAT: renaming or moving a user/group needs the permission on the target name too.
  if ((op.name == "UpdateUser" && (Has(input, "NewUserName") || Has(input, "NewPath"))) ||
      (op.name == "UpdateGroup" && (Has(input, "NewGroupName") || Has(input, "NewPath")))) {
    bool user = op.name == "UpdateUser";
    std::string name = Str(input, user ? "UserName" : "GroupName");
    ResourceFacts::IamEntity renamed = facts.FindIamEntity(user ? "user" : "group", account, name);
    std::string new_name = Str(input, user ? "NewUserName" : "NewGroupName");
    std::string new_path = Str(input, "NewPath");
    AuthzCheck target = check;
    target.resource =
        IamArn(account, user ? "user" : "group", new_path.empty() ? renamed.path : new_path,
               new_name.empty() ? name : new_name);
    if (target.resource != check.resource) plan->checks.push_back(std::move(target));
  }
}

// ---------------------------------------------------------------- STS

void PlanSts(const model::Operation& op, const Json& input, const CallerFacts& caller,
             ResourceFacts& facts, AuthzPlan* plan) {
  // AWS-COMPAT: GetCallerIdentity needs no permission and works even under an explicit deny;
  // GetSessionToken likewise needs none (IAM user guide, "Permissions for GetSessionToken").
  if (op.name == "GetCallerIdentity" || op.name == "GetSessionToken") {
    plan->exempt = true;
    return;
  }
  AuthzCheck check;
  check.action = ActionNameOf("sts", op.name);
  const OperationInfo* info = FindOperationInfo("sts", op.name);
  if (info != nullptr && info->action != nullptr) {
    // The role (AssumeRole*: RoleArn) or federated user (GetFederationToken: Name).
    auto resolve = [&](const ResourceTypeInfo&, std::string_view var) {
      return DefaultVariable("sts", input, caller, var);
    };
    check.resource = NamedResource(*info->action, input, resolve).value_or("*");
    // sts:RoleSessionName, sts:ExternalId, sts:SourceIdentity, sts:TransitiveTagKeys, tags.
    AddInputConditionKeys(*info->action, input, plan);
  }
  if (op.name == "AssumeRoot") {
    // AWS-COMPAT: the resource is the target member account's root user
    // (arn:aws:iam::<target>:root), not the caller's, whether TargetPrincipal is an account ID
    // or that ARN; the caller's identity policy alone decides (no resource-based policy), and
    // sts:TaskPolicyArn is the ARN inside the TaskPolicyArn structure.
    std::string target = Str(input, "TargetPrincipal");
    if (target.starts_with("arn:")) target = ArnAccount(target);
    if (!target.empty()) check.resource = "arn:aws:iam::" + target + ":root";
    if (auto task = input.find("TaskPolicyArn"); task != input.end() && task->value().is_object()) {
      std::string arn = Str(task->value().get_object(), "arn");
      if (!arn.empty()) SetContext(plan, "sts:TaskPolicyArn", std::move(arn));
    }
    plan->checks.push_back(check);
    return;
  }
  if (!op.name.starts_with("AssumeRole")) {
    plan->checks.push_back(check);
    return;
  }
  const std::string role_arn = Str(input, "RoleArn");
  check.resource_account = ArnAccount(role_arn);
  check.trust = true;
  // The role's tags: what an identity policy's aws:ResourceTag condition on sts:AssumeRole
  // sees (attribute-based access to roles).
  if (size_t slash = role_arn.rfind('/');
      slash != std::string::npos && role_arn.find(":role/") != std::string::npos) {
    AddResourceTags(facts.FindIamEntity("role", check.resource_account, role_arn.substr(slash + 1)),
                    plan);
  }
  // AWS-COMPAT: an MFA code passed to AssumeRole is what the trust policy's
  // aws:MultiFactorAuthPresent sees; the handler rejects a wrong code afterwards.
  if (Has(input, "SerialNumber") && Has(input, "TokenCode")) {
    plan->context.emplace_back("aws:MultiFactorAuthPresent", "true");
    plan->context.emplace_back("aws:MultiFactorAuthAge", "0");
  }
  plan->checks.push_back(check);
  // AWS-COMPAT: passing session tags needs sts:TagSession and a source identity needs
  // sts:SetSourceIdentity, both granted by the trust policy (and identity, cross-account).
  auto tags = input.find("Tags");
  if (tags != input.end() && tags->value().is_array() && !tags->value().get_array().empty()) {
    AuthzCheck tag = check;
    tag.action = "sts:TagSession";
    plan->checks.push_back(std::move(tag));
  }
  if (Has(input, "SourceIdentity")) {
    AuthzCheck source = check;
    source.action = "sts:SetSourceIdentity";
    plan->checks.push_back(std::move(source));
  }
}

// ---------------------------------------------------------------- Organizations

struct OrgContext {
  ResourceFacts::OrgInfo org;
  std::string Arn(std::string_view kind, std::string_view rest) const {
    return "arn:aws:organizations::" + org.management_account + ":" + std::string(kind) + "/" +
           org.org_id + "/" + std::string(rest);
  }
};

// The ARN of an Organizations ID: r-..., ou-..., p-..., h-..., or a 12-digit account.
std::string OrgIdArn(const OrgContext& ctx, std::string_view id, ResourceFacts& facts) {
  if (ctx.org.org_id.empty() || id.empty()) return "*";
  if (id.starts_with("r-")) return ctx.Arn("root", id);
  if (id.starts_with("ou-")) return ctx.Arn("ou", id);
  if (id.starts_with("p-")) {
    std::string type = AsciiLowerCopy(facts.OrgPolicyType(id));
    if (type.empty()) type = "service_control_policy";
    // AWS managed policies (p-FullAWSAccess, ...) are owned by "aws", not the organization.
    if (id.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos) {
      return "arn:aws:organizations::aws:policy/" + type + "/" + std::string(id);
    }
    return ctx.Arn("policy", type + "/" + std::string(id));
  }
  if (id.starts_with("h-")) {
    std::string action;
    ResourceFacts::OrgInfo org = facts.OrgOfHandshake(id, &action);
    if (org.org_id.empty()) return "*";
    OrgContext hctx{org};
    return hctx.Arn("handshake",
                    AsciiLowerCopy(action.empty() ? "INVITE" : action) + "/" + std::string(id));
  }
  if (id.starts_with("rp-")) return ctx.Arn("resourcepolicy", id);
  return ctx.Arn("account", id);
}

// AWS-COMPAT: accepting an invitation to an all-features organization, or a request to enable
// all features, makes Organizations create AWSServiceRoleForOrganizations in the caller's
// account; the caller then also needs iam:CreateServiceLinkedRole (AcceptHandshake
// documentation), and lacking it is AccessDeniedForDependencyException. An account that has the
// role already needs nothing more.
void AddOrganizationsRoleDependency(const std::string& handshake_id, const CallerFacts& caller,
                                    ResourceFacts& facts, AuthzPlan* plan) {
  std::string action;
  ResourceFacts::OrgInfo org = facts.OrgOfHandshake(handshake_id, &action);
  const bool creates_role =
      (action == "INVITE" && org.feature_set == "ALL") || action == "ENABLE_ALL_FEATURES";
  if (!creates_role) return;
  const services::iam::ServiceLinkedRoleSpec spec =
      services::iam::ServiceLinkedRoleFor(services::iam::kOrganizationsServicePrincipal);
  if (facts.FindIamEntity("role", caller.account, spec.name).exists) return;
  AuthzCheck check;
  check.action = "iam:CreateServiceLinkedRole";
  check.resource = IamArn(caller.account, "role", spec.path, spec.name);
  check.dependency = true;
  plan->checks.push_back(std::move(check));
  plan->context.emplace_back("iam:AWSServiceName", spec.service);
}

bool IsOrgPolicyType(std::string_view value) {
  return value.size() > 7 &&
         value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == std::string_view::npos;
}

void PlanOrganizations(const model::Operation& op, const Json& input, const CallerFacts& caller,
                       ResourceFacts& facts, AuthzPlan* plan) {
  OrgContext ctx{facts.OrgOfAccount(caller.account)};
  const std::string action = ActionNameOf("organizations", op.name);
  auto add = [&](std::string resource) {
    AuthzCheck check;
    check.action = action;
    check.resource = std::move(resource);
    plan->checks.push_back(std::move(check));
  };

  // The one Organizations resource whose tags are the request's aws:ResourceTag/* ("" when the
  // request names none, or two: AttachPolicy's policy and target each carry their own).
  std::string tagged;
  // Handshake operations may come from an account outside the organization (the invitee).
  if (Has(input, "HandshakeId")) {
    tagged = Str(input, "HandshakeId");
    add(OrgIdArn(ctx, tagged, facts));
    if (op.name == "AcceptHandshake") {
      AddOrganizationsRoleDependency(Str(input, "HandshakeId"), caller, facts, plan);
    }
  } else if (op.name == "MoveAccount") {
    tagged = Str(input, "AccountId");
    add(OrgIdArn(ctx, Str(input, "AccountId"), facts));
    add(OrgIdArn(ctx, Str(input, "SourceParentId"), facts));
    add(OrgIdArn(ctx, Str(input, "DestinationParentId"), facts));
  } else if (op.name == "AttachPolicy" || op.name == "DetachPolicy") {
    add(OrgIdArn(ctx, Str(input, "PolicyId"), facts));
    add(OrgIdArn(ctx, Str(input, "TargetId"), facts));
  } else if (Str(input, "Id").starts_with("rt-") && !op.name.starts_with("List")) {
    // Describe/Terminate/UpdateResponsibilityTransfer: the transfer as the caller's organization
    // holds it, inbound or outbound (the same rt- ID has an ARN on each side). The two lists
    // name no resource, even when filtered by Id.
    const std::string id = Str(input, "Id");
    tagged = id;
    const std::string direction = facts.TransferDirection(id, caller.account);
    add(direction.empty() || ctx.org.org_id.empty()
            ? "*"
            : ctx.Arn("transfer", "billing/" + direction + "/" + id));
  } else if (op.name == "InviteAccountToOrganization") {
    auto target = input.find("Target");
    std::string resource = "*";
    if (target != input.end() && target->value().is_object() &&
        Str(target->value().get_object(), "Type") == "ACCOUNT") {
      resource = OrgIdArn(ctx, Str(target->value().get_object(), "Id"), facts);
    }
    add(resource);
  } else {
    // The first ID member present names the resource.
    static constexpr std::array<std::string_view, 8> kIdMembers = {
        "AccountId", "OrganizationalUnitId",
        "PolicyId",  "RootId",
        "TargetId",  "ParentId",
        "ChildId",   "ResourceId"};
    std::string resource = "*";
    for (std::string_view member : kIdMembers) {
      std::string id = Str(input, member);
      if (id.empty()) continue;
      resource = OrgIdArn(ctx, id, facts);
      tagged = id;
      break;
    }
    add(resource);
  }
  if (!tagged.empty()) {
    for (const auto& [key, value] : facts.OrgResourceTags(tagged)) {
      plan->context.emplace_back("aws:ResourceTag/" + key, value);
    }
  }

  // organizations:PolicyType: the type named by the input, else the type of the policy.
  std::string type;
  for (std::string_view member : {"Type", "PolicyType", "Filter"}) {
    std::string value = Str(input, member);
    if (IsOrgPolicyType(value)) {
      type = value;
      break;
    }
  }
  if (type.empty() && Has(input, "PolicyId")) type = facts.OrgPolicyType(Str(input, "PolicyId"));
  if (!type.empty()) plan->context.emplace_back("organizations:PolicyType", type);
  if (const OperationInfo* info = FindOperationInfo("organizations", op.name);
      info != nullptr && info->action != nullptr) {
    // organizations:ServicePrincipal, tags and tag keys.
    AddInputConditionKeys(*info->action, input, plan);
  }
}

// ---------------------------------------------------------------- Account

void PlanAccount(const model::Operation& op, const Json& input, const CallerFacts& caller,
                 ResourceFacts& facts, AuthzPlan* plan) {
  AuthzCheck check;
  check.action = ActionNameOf("account", op.name);
  std::string target = Str(input, "AccountId");
  if (target.empty()) {
    check.resource = "arn:aws:account::" + caller.account + ":account";
  } else {
    // AWS-COMPAT: an operation on a member account from the management account (or a delegated
    // administrator) is authorized on the accountInOrganization ARN.
    ResourceFacts::OrgInfo org = facts.OrgOfAccount(target);
    if (org.org_id.empty()) {
      check.resource = "arn:aws:account::" + target + ":account";
      check.resource_account = target;
    } else {
      check.resource =
          "arn:aws:account::" + org.management_account + ":account/" + org.org_id + "/" + target;
    }
  }
  if (Has(input, "AlternateContactType")) {
    plan->multi_context.emplace_back("account:AlternateContactTypes",
                                     std::vector<std::string>{Str(input, "AlternateContactType")});
  }
  if (Has(input, "RegionName")) {
    plan->context.emplace_back("account:TargetRegion", Str(input, "RegionName"));
  }
  if (Has(input, "PrimaryEmail")) {
    std::string email = Str(input, "PrimaryEmail");
    size_t at = email.rfind('@');
    if (at != std::string::npos) {
      plan->context.emplace_back("account:EmailTargetDomain", email.substr(at + 1));
    }
  }
  plan->checks.push_back(std::move(check));
}

// ---------------------------------------------------------------- CloudTrail

void PlanCloudTrail(const model::Operation& op, const Json& input, const CallerFacts& caller,
                    AuthzPlan* plan) {
  PlanFromTable("cloudtrail", op, input, caller, plan);
  // AWS-COMPAT: ListInsightsMetricData is authorized as cloudtrail:LookupEvents (the table's
  // action override), and with a TrailName also as cloudtrail:ListInsightsData on the trail
  // (CloudTrail API reference, ListInsightsMetricData).
  if (op.name == "ListInsightsMetricData" && Has(input, "TrailName")) {
    const std::string trail = Str(input, "TrailName");
    AuthzCheck check;
    check.action = "cloudtrail:ListInsightsData";
    check.resource = trail.starts_with("arn:") ? trail
                                               : "arn:aws:cloudtrail:" + caller.region + ":" +
                                                     caller.account + ":trail/" + trail;
    plan->checks.push_back(std::move(check));
  }
}

// ---------------------------------------------------------------- SNS

// SNS acts on topics named by ARN, possibly of another account: the check carries the topic's
// account, so that the topic's policy (the authorizer loads it) must allow a cross-account
// caller. A subscription ARN ("<topic ARN>:<id>") is authorized on its topic.
void PlanSns(const model::Operation& op, const Json& input, const CallerFacts& caller,
             AuthzPlan* plan) {
  Json adjusted = input;
  const std::string subscription = Str(input, "SubscriptionArn");
  if (!subscription.empty()) {
    adjusted.erase("SubscriptionArn");
    const size_t colon = subscription.rfind(':');
    if (colon != std::string::npos && !Has(adjusted, "TopicArn")) {
      adjusted["TopicArn"] = subscription.substr(0, colon);
    }
  }
  PlanFromTable("sns", op, adjusted, caller, plan);
  for (AuthzCheck& check : plan->checks) {
    if (!check.resource.starts_with("arn:aws:sns:")) continue;
    std::string account = ArnAccount(check.resource);
    if (account != caller.account) check.resource_account = std::move(account);
  }
}

}  // namespace

std::string ActionPrefix(const model::ServiceModel& service) { return service.signing_name; }

AuthzPlan PlanAuthorization(const model::ServiceModel& service, const model::Operation& operation,
                            const boost::json::object& input, const CallerFacts& caller,
                            ResourceFacts& facts) {
  AuthzPlan plan;
  const std::string prefix = ActionPrefix(service);
  if (prefix == "iam") {
    PlanIam(operation, input, caller, facts, &plan);
  } else if (prefix == "sts") {
    PlanSts(operation, input, caller, facts, &plan);
  } else if (prefix == "organizations") {
    PlanOrganizations(operation, input, caller, facts, &plan);
  } else if (prefix == "account") {
    PlanAccount(operation, input, caller, facts, &plan);
  } else if (prefix == "cloudtrail") {
    PlanCloudTrail(operation, input, caller, &plan);
  } else if (prefix == "sns") {
    PlanSns(operation, input, caller, &plan);
  } else {
    // billing, invoicing and anything new: the table's rule.
    PlanFromTable(prefix, operation, input, caller, &plan);
  }
  return plan;
}

bool IsReadOnlyOperation(std::string_view service, std::string_view operation) {
  const OperationInfo* info = FindOperationInfo(service, operation);
  return info != nullptr && info->read_only;
}

bool OnlyAddsResources(std::string_view service, std::string_view operation) {
  const OperationInfo* info = FindOperationInfo(service, operation);
  return info != nullptr && info->only_adds;
}

bool OperationMayWrite(std::string_view service, std::string_view operation) {
  const OperationInfo* info = FindOperationInfo(service, operation);
  return info == nullptr || info->may_write;
}

}  // namespace orgtwin::gateway
