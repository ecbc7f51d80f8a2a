#include "gateway/operation_actions.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "services/iam/service_linked_roles.h"

namespace orgtwin::gateway {
namespace {

using Json = boost::json::object;

std::string Str(const Json& input, std::string_view member) {
  auto it = input.find(member);
  if (it == input.end() || !it->value().is_string()) return "";
  return std::string(it->value().get_string());
}

bool Has(const Json& input, std::string_view member) { return !Str(input, member).empty(); }

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The account field of an ARN ("arn:aws:iam::123456789012:role/x" -> "123456789012").
std::string ArnAccount(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return "";
  return std::string(arn.substr(pos, end - pos));
}

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

// ---------------------------------------------------------------- IAM
//
// The resource of an IAM operation is the entity its input names. Most operations name exactly
// one entity, so the rule is "the first of these members that is present, in this order"
// (AddUserToGroup names a group and a user; its resource is the group, so GroupName comes before
// UserName). kIamStarOperations lists the operations whose resource is "*" whatever their input.

enum class IamKind {
  kUser,
  kGroup,
  kRole,
  kInstanceProfile,
  kServerCertificate,
  kArn,          // the member is already an ARN
  kMfa,          // a virtual MFA device by name (+ Path)
  kSaml,         // SAML provider by Name
  kOidc,         // OIDC provider by Url
  kAccessKey,    // the user that owns the key
  kAccessReport  // EntityPath
};

struct IamResourceMember {
  std::string_view member;
  IamKind kind;
};

constexpr std::array<IamResourceMember, 13> kIamResourceMembers = {{
    {"InstanceProfileName", IamKind::kInstanceProfile},
    {"GroupName", IamKind::kGroup},
    {"RoleName", IamKind::kRole},
    {"UserName", IamKind::kUser},
    {"SerialNumber", IamKind::kArn},
    {"PolicyArn", IamKind::kArn},
    {"OpenIDConnectProviderArn", IamKind::kArn},
    {"SAMLProviderArn", IamKind::kArn},
    {"ServerCertificateName", IamKind::kServerCertificate},
    {"PolicySourceArn", IamKind::kArn},
    {"Arn", IamKind::kArn},
    {"AccessKeyId", IamKind::kAccessKey},
    {"EntityPath", IamKind::kAccessReport},
}};

// Operations whose Service Authorization Reference entry has no resource type.
bool IamStarOperation(std::string_view op) {
  static constexpr std::array<std::string_view, 26> kOps = {
      "CreateAccountAlias",
      "DeleteAccountAlias",
      "DeleteAccountPasswordPolicy",
      "GenerateCredentialReport",
      "GetAccountAuthorizationDetails",
      "GetAccountPasswordPolicy",
      "GetAccountSummary",
      "GetContextKeysForCustomPolicy",
      "GetCredentialReport",
      "GetOrganizationsAccessReport",
      "GetServiceLastAccessedDetails",
      "GetServiceLastAccessedDetailsWithEntities",
      "ListAccountAliases",
      "ListGroups",
      "ListInstanceProfiles",
      "ListOpenIDConnectProviders",
      "ListPolicies",
      "ListRoles",
      "ListSAMLProviders",
      "ListServerCertificates",
      "ListUsers",
      "ListVirtualMFADevices",
      "SetSecurityTokenServicePreferences",
      "SimulateCustomPolicy",
      "UpdateAccountPasswordPolicy",
      "ListDelegationRequests",
  };
  for (std::string_view s : kOps) {
    if (s == op) return true;
  }
  return false;
}

// Creation operations: the entity does not exist yet; its path comes from the input.
bool IamCreateOperation(std::string_view op) {
  return op == "CreateUser" || op == "CreateGroup" || op == "CreateRole" ||
         op == "CreateInstanceProfile" || op == "UploadServerCertificate" || op == "CreatePolicy" ||
         op == "CreateVirtualMFADevice";
}

// Operations whose catalog entry lists iam:PermissionsBoundary: the key carries the boundary
// being set (input) or, for the others, the boundary the user or role already has.
bool IamBoundaryKeyOperation(std::string_view op) {
  static constexpr std::array<std::string_view, 19> kOps = {
      "AttachRolePolicy",
      "AttachUserPolicy",
      "CreateRole",
      "CreateUser",
      "DeleteRole",
      "DeleteRolePermissionsBoundary",
      "DeleteRolePolicy",
      "DeleteUserPermissionsBoundary",
      "DeleteUserPolicy",
      "DetachRolePolicy",
      "DetachUserPolicy",
      "GetRole",
      "PutRolePermissionsBoundary",
      "PutRolePolicy",
      "PutUserPermissionsBoundary",
      "PutUserPolicy",
      "UpdateAssumeRolePolicy",
      "UpdateRole",
      "UpdateRoleDescription",
  };
  for (std::string_view s : kOps) {
    if (s == op) return true;
  }
  return false;
}

std::string IamArn(std::string_view account, std::string_view kind, std::string_view path,
                   std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":" + std::string(kind) + std::string(path) +
         std::string(name);
}

std::string_view IamKindName(IamKind kind) {
  switch (kind) {
    case IamKind::kUser:
      return "user";
    case IamKind::kGroup:
      return "group";
    case IamKind::kRole:
      return "role";
    case IamKind::kInstanceProfile:
      return "instance-profile";
    case IamKind::kServerCertificate:
      return "server-certificate";
    default:
      return "";
  }
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
  check.action = "iam:" + op.name;
  const std::string& account = caller.account;
  std::string existing_boundary;
  if (op.name == "CreatePolicy") {
    check.resource =
        IamArn(account, "policy", NormalizePath(Str(input, "Path")), Str(input, "PolicyName"));
  } else if (op.name == "ListUsers" || op.name == "ListRoles" || op.name == "ListGroups" ||
             op.name == "ListInstanceProfiles" || op.name == "ListServerCertificates") {
    // AWS-COMPAT: the listing calls are authorized on the path prefix, e.g. "ListRoles on
    // resource: arn:aws:iam::123456789012:role/".
    std::string_view kind = op.name == "ListUsers"              ? "user"
                            : op.name == "ListRoles"            ? "role"
                            : op.name == "ListGroups"           ? "group"
                            : op.name == "ListInstanceProfiles" ? "instance-profile"
                                                                : "server-certificate";
    check.resource = IamArn(account, kind, NormalizePath(Str(input, "PathPrefix")), "");
  } else if (op.name == "CreateServiceLinkedRole") {
    // AWS-COMPAT: authorized on the ARN of the role AWS creates for the service
    // (role/aws-service-role/<service>/AWSServiceRoleFor<Service>[_<suffix>]).
    std::string service = Str(input, "AWSServiceName");
    check.resource =
        services::iam::ServiceLinkedRoleArn(account, service, Str(input, "CustomSuffix"));
    plan->context.emplace_back("iam:AWSServiceName", service);
  } else if (op.name == "GetServiceLinkedRoleDeletionStatus") {
    // The deletion task ID names the role: "task/aws-service-role/<service>/<role>/<uuid>".
    std::string task = Str(input, "DeletionTaskId");
    size_t last = task.rfind('/');
    if (StartsWith(task, "task/aws-service-role/") && last != std::string::npos) {
      check.resource = IamArn(account, "role", "", task.substr(4, last - 4));
    }
  } else if (op.name == "CreateSAMLProvider") {
    check.resource = IamArn(account, "saml-provider/", "", Str(input, "Name"));
  } else if (op.name == "CreateOpenIDConnectProvider") {
    std::string url = Str(input, "Url");
    if (StartsWith(url, "https://")) url = url.substr(8);
    check.resource = IamArn(account, "oidc-provider/", "", url);
  } else if (op.name == "CreateVirtualMFADevice") {
    check.resource = IamArn(account, "mfa", NormalizePath(Str(input, "Path")),
                            Str(input, "VirtualMFADeviceName"));
  } else if (!IamStarOperation(op.name) && op.input != nullptr &&
             op.input->FindMember("UserName") != nullptr && !Has(input, "GroupName") &&
             !Has(input, "InstanceProfileName")) {
    // A user operation. Without UserName it is self-service (GetUser, CreateAccessKey,
    // EnableMFADevice, ... act on the caller's own user).
    std::string name = Str(input, "UserName");
    if (name.empty()) {
      check.resource = caller.arn;
    } else if (IamCreateOperation(op.name)) {
      check.resource = IamArn(account, "user", NormalizePath(Str(input, "Path")), name);
    } else {
      ResourceFacts::IamEntity user = facts.FindIamEntity("user", account, name);
      existing_boundary = user.boundary_arn;
      check.resource = IamArn(account, "user", user.path, name);
      AddResourceTags(user, plan);
    }
  } else if (!IamStarOperation(op.name)) {
    for (const IamResourceMember& rm : kIamResourceMembers) {
      std::string value = Str(input, rm.member);
      if (value.empty()) continue;
      switch (rm.kind) {
        case IamKind::kArn:
          check.resource = value;
          break;
        case IamKind::kAccessKey: {
          std::string owner = facts.AccessKeyUser(value);
          if (owner.empty()) {
            check.resource = caller.arn;
          } else {
            ResourceFacts::IamEntity user = facts.FindIamEntity("user", account, owner);
            check.resource = IamArn(account, "user", user.path, owner);
          }
          break;
        }
        case IamKind::kAccessReport:
          check.resource = IamArn(account, "access-report/", "", value);
          break;
        default: {
          std::string_view kind = IamKindName(rm.kind);
          std::string path = "/";
          if (IamCreateOperation(op.name)) {
            path = NormalizePath(Str(input, "Path"));
          } else {
            ResourceFacts::IamEntity entity = facts.FindIamEntity(kind, account, value);
            path = entity.path;
            existing_boundary = entity.boundary_arn;
            AddResourceTags(entity, plan);
          }
          check.resource = IamArn(account, kind, path, value);
          break;
        }
      }
      break;
    }
  }
  if (op.name == "ChangePassword") check.resource = caller.arn;

  // Condition keys.
  if (StartsWith(op.name, "Attach") || StartsWith(op.name, "Detach")) {
    std::string policy_arn = Str(input, "PolicyArn");
    if (!policy_arn.empty()) plan->context.emplace_back("iam:PolicyARN", policy_arn);
  }
  if (IamBoundaryKeyOperation(op.name)) {
    std::string boundary = Str(input, "PermissionsBoundary");
    if (boundary.empty()) boundary = existing_boundary;
    if (!boundary.empty()) plan->context.emplace_back("iam:PermissionsBoundary", boundary);
  }
  if (op.name == "GenerateOrganizationsAccessReport" && Has(input, "OrganizationsPolicyId")) {
    plan->context.emplace_back("iam:OrganizationsPolicyId", Str(input, "OrganizationsPolicyId"));
  }
  AddTagKeys(input, plan);
  if (check.resource != "*")
    check.message_resource = IamMessageResource(op.name, input, check.resource);
  plan->checks.push_back(check);

  // AWS-COMPAT: renaming or moving a user/group needs the permission on the target name too.
  if ((op.name == "UpdateUser" && (Has(input, "NewUserName") || Has(input, "NewPath"))) ||
      (op.name == "UpdateGroup" && (Has(input, "NewGroupName") || Has(input, "NewPath")))) {
    bool user = op.name == "UpdateUser";
    std::string name = Str(input, user ? "UserName" : "GroupName");
    ResourceFacts::IamEntity entity = facts.FindIamEntity(user ? "user" : "group", account, name);
    std::string new_name = Str(input, user ? "NewUserName" : "NewGroupName");
    std::string new_path = Str(input, "NewPath");
    AuthzCheck target = check;
    target.resource =
        IamArn(account, user ? "user" : "group", new_path.empty() ? entity.path : new_path,
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
  check.action = "sts:" + op.name;
  if (StartsWith(op.name, "AssumeRole")) {
    std::string role_arn = Str(input, "RoleArn");
    check.resource = role_arn.empty() ? "*" : role_arn;
    check.resource_account = ArnAccount(role_arn);
    check.trust = true;
    // The role's tags: what an identity policy's aws:ResourceTag condition on sts:AssumeRole
    // sees (attribute-based access to roles).
    if (size_t slash = role_arn.rfind('/');
        slash != std::string::npos && role_arn.find(":role/") != std::string::npos) {
      AddResourceTags(
          facts.FindIamEntity("role", check.resource_account, role_arn.substr(slash + 1)), plan);
    }
    if (Has(input, "RoleSessionName")) {
      plan->context.emplace_back("sts:RoleSessionName", Str(input, "RoleSessionName"));
    }
    // AWS-COMPAT: an MFA code passed to AssumeRole is what the trust policy's
    // aws:MultiFactorAuthPresent sees; the handler rejects a wrong code afterwards.
    if (Has(input, "SerialNumber") && Has(input, "TokenCode")) {
      plan->context.emplace_back("aws:MultiFactorAuthPresent", "true");
      plan->context.emplace_back("aws:MultiFactorAuthAge", "0");
    }
    if (Has(input, "ExternalId")) {
      plan->context.emplace_back("sts:ExternalId", Str(input, "ExternalId"));
    }
    if (Has(input, "SourceIdentity")) {
      plan->context.emplace_back("sts:SourceIdentity", Str(input, "SourceIdentity"));
    }
    if (auto it = input.find("TransitiveTagKeys"); it != input.end() && it->value().is_array()) {
      std::vector<std::string> keys;
      for (const auto& k : it->value().get_array()) {
        if (k.is_string()) keys.emplace_back(k.get_string());
      }
      plan->multi_context.emplace_back("sts:TransitiveTagKeys", std::move(keys));
    }
    AddTagKeys(input, plan);
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
    return;
  }
  if (op.name == "GetFederationToken") {
    check.resource = "arn:aws:sts::" + caller.account + ":federated-user/" + Str(input, "Name");
    AddTagKeys(input, plan);
  }
  plan->checks.push_back(check);
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
  if (StartsWith(id, "r-")) return ctx.Arn("root", id);
  if (StartsWith(id, "ou-")) return ctx.Arn("ou", id);
  if (StartsWith(id, "p-")) {
    std::string type = LowerAscii(facts.OrgPolicyType(id));
    if (type.empty()) type = "service_control_policy";
    // AWS managed policies (p-FullAWSAccess, ...) are owned by "aws", not the organization.
    if (id.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos) {
      return "arn:aws:organizations::aws:policy/" + type + "/" + std::string(id);
    }
    return ctx.Arn("policy", type + "/" + std::string(id));
  }
  if (StartsWith(id, "h-")) {
    std::string action;
    ResourceFacts::OrgInfo org = facts.OrgOfHandshake(id, &action);
    if (org.org_id.empty()) return "*";
    OrgContext hctx{org};
    return hctx.Arn("handshake",
                    LowerAscii(action.empty() ? "INVITE" : action) + "/" + std::string(id));
  }
  if (StartsWith(id, "rp-")) return ctx.Arn("resourcepolicy", id);
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
  const std::string action = "organizations:" + op.name;
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
  } else if (StartsWith(Str(input, "Id"), "rt-") && !StartsWith(op.name, "List")) {
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
  if (Has(input, "ServicePrincipal")) {
    plan->context.emplace_back("organizations:ServicePrincipal", Str(input, "ServicePrincipal"));
  }
  AddTagKeys(input, plan);
}

// ---------------------------------------------------------------- Account

void PlanAccount(const model::Operation& op, const Json& input, const CallerFacts& caller,
                 ResourceFacts& facts, AuthzPlan* plan) {
  AuthzCheck check;
  check.action = "account:" + op.name;
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
  AuthzCheck check;
  check.action = "cloudtrail:" + op.name;
  // Trail operations name the trail by Name or TrailName (a name or a trail ARN).
  std::string name = Str(input, "Name");
  if (name.empty()) name = Str(input, "TrailName");
  if (!name.empty() && op.name != "DescribeTrails" && op.name != "ListTrails") {
    check.resource = StartsWith(name, "arn:") ? name
                                              : "arn:aws:cloudtrail:" + caller.region + ":" +
                                                    caller.account + ":trail/" + name;
  }
  AddTagKeys(input, plan);
  plan->checks.push_back(std::move(check));
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
  } else {
    // billing, invoicing and anything new: the default rule.
    AuthzCheck check;
    check.action = prefix + ":" + operation.name;
    std::string arn = Str(input, "Arn");
    if (arn.empty()) arn = Str(input, "ResourceArn");
    if (StartsWith(arn, "arn:")) check.resource = arn;
    AddTagKeys(input, &plan);
    plan.checks.push_back(std::move(check));
  }
  return plan;
}

bool IsReadOnlyOperation(std::string_view service, std::string_view operation) {
  // AssumeRole*, GetSessionToken and GetFederationToken create sessions: new principals whose
  // policies are loaded on their first request, so no cached decision goes stale.
  if (service == "sts") return true;
  // GenerateCredentialReport / GenerateServiceLastAccessedDetails write reports, not policies.
  if (StartsWith(operation, "Generate")) return true;
  return !OperationMayWrite(service, operation);
}

bool OnlyAddsResources(std::string_view service, std::string_view operation) {
  // Each creates a new entity (with its own tags, path, boundary or trust policy) and attaches
  // nothing to an existing one. CreatePolicyVersion is not here: it may become the default
  // version of an attached policy. CreateOrganization is not: it changes the caller's account.
  static constexpr std::string_view kIam[] = {
      "CreateAccessKey",         "CreateGroup",  "CreateInstanceProfile",
      "CreateLoginProfile",      "CreatePolicy", "CreateRole",
      "CreateServiceLinkedRole", "CreateUser",   "CreateVirtualMFADevice"};
  static constexpr std::string_view kOrganizations[] = {"CreateAccount", "CreateOrganizationalUnit",
                                                        "CreatePolicy"};
  auto listed = [&](const auto& names) {
    return std::find(std::begin(names), std::end(names), operation) != std::end(names);
  };
  if (service == "iam") return listed(kIam);
  if (service == "organizations") return listed(kOrganizations);
  return false;
}

bool OperationMayWrite(std::string_view service, std::string_view operation) {
  if (service == "sts") {
    // Credential-issuing calls store the new session; the others only read.
    return StartsWith(operation, "AssumeRole") || operation == "GetSessionToken" ||
           operation == "GetFederationToken";
  }
  for (std::string_view prefix : {"Get", "List", "Describe", "Simulate"}) {
    if (StartsWith(operation, prefix)) return false;
  }
  return true;
}

}  // namespace orgtwin::gateway
