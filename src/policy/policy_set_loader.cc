#include "policy/policy_set_loader.h"

#include "common/ascii.h"
#include "common/log.h"
#include "policy/catalog.h"

namespace orgtwin::policy {
namespace {

constexpr std::string_view kAwsManagedPrefix = "arn:aws:iam::aws:policy/";
constexpr std::string_view kScp = "SERVICE_CONTROL_POLICY";
constexpr std::string_view kRcp = "RESOURCE_CONTROL_POLICY";

}  // namespace

std::vector<PolicyPtr> CompiledOf(const std::vector<SourcedPolicyPtr>& policies) {
  std::vector<PolicyPtr> out;
  out.reserve(policies.size());
  for (const SourcedPolicyPtr& p : policies) out.push_back(p->compiled);
  return out;
}

std::vector<std::vector<PolicyPtr>> CompiledLevels(
    const std::vector<std::vector<SourcedPolicyPtr>>& levels) {
  std::vector<std::vector<PolicyPtr>> out;
  out.reserve(levels.size());
  for (const auto& level : levels) out.push_back(CompiledOf(level));
  return out;
}

SourcedPolicyPtr PolicySetLoader::Make(std::string source_id, std::string source_type,
                                       const std::string& cache_id, std::string text,
                                       Flavour flavour) {
  // Stored documents passed their size rule when written (inline limits differ per entity).
  ParseOptions options;
  options.size_rule = SizeRule::kNone;
  Result<PolicyPtr> compiled = cache_.Get(cache_id, "", text, flavour, options);
  if (!compiled.ok()) {
    Log(LogLevel::kWarn, "policy loader: stored policy " + cache_id +
                             " does not compile: " + compiled.status().ToString());
    return nullptr;
  }
  return std::make_shared<const SourcedPolicy>(SourcedPolicy{
      std::move(source_id), std::move(source_type), std::move(text), *std::move(compiled)});
}

Result<SourcedPolicyPtr> PolicySetLoader::ManagedPolicy(const std::string& arn, Flavour flavour) {
  if (arn.compare(0, kAwsManagedPrefix.size(), kAwsManagedPrefix) == 0) {
    const policy::ManagedPolicy* managed = ManagedPolicies().FindByArn(arn);
    if (managed == nullptr) return SourcedPolicyPtr();
    return Make(managed->name, "aws-managed", arn, managed->document, flavour);
  }
  OT_ASSIGN_OR_RETURN(auto stored, source_.CustomerManagedPolicy(arn));
  if (!stored.has_value()) return SourcedPolicyPtr();
  return Make(std::move(stored->name), "user-managed", arn, std::move(stored->text), flavour);
}

Status PolicySetLoader::AddEntityPolicies(std::string_view kind, const PolicySource::Entity& entity,
                                          std::vector<SourcedPolicyPtr>* out) {
  // SourcePolicyType of an inline policy: the entity kind, as the simulator names it.
  const std::string type = AsciiLowerCopy(kind);
  OT_ASSIGN_OR_RETURN(auto inline_policies, source_.InlinePolicies(kind, entity));
  for (PolicySource::InlineDocument& doc : inline_policies) {
    const std::string cache_id = type + "/" + entity.id + "/" + doc.name;
    SourcedPolicyPtr p =
        Make(std::move(doc.name), type, cache_id, std::move(doc.text), Flavour::kIdentity);
    if (p != nullptr) out->push_back(std::move(p));
  }
  OT_ASSIGN_OR_RETURN(auto arns, source_.AttachedPolicyArns(kind, entity));
  for (const std::string& arn : arns) {
    OT_ASSIGN_OR_RETURN(SourcedPolicyPtr p, ManagedPolicy(arn, Flavour::kIdentity));
    if (p != nullptr) out->push_back(std::move(p));
  }
  return Status::Ok();
}

Result<EntityPolicies> PolicySetLoader::LoadEntity(std::string_view kind,
                                                   std::optional<PolicySource::Entity> entity,
                                                   bool with_boundary, bool with_groups) {
  EntityPolicies out;
  if (!entity.has_value()) return out;
  if (entity->path.empty()) entity->path = "/";
  OT_RETURN_IF_ERROR(AddEntityPolicies(kind, *entity, &out.identity));
  if (with_groups) {
    OT_ASSIGN_OR_RETURN(auto groups, source_.GroupsOfUser(*entity));
    for (const PolicySource::Entity& group : groups) {
      OT_RETURN_IF_ERROR(AddEntityPolicies("Group", group, &out.identity));
    }
  }
  if (with_boundary && !entity->boundary_arn.empty()) {
    OT_ASSIGN_OR_RETURN(out.boundary, ManagedPolicy(entity->boundary_arn, Flavour::kBoundary));
  }
  out.entity = std::move(entity);
  return out;
}

Result<EntityPolicies> PolicySetLoader::LoadUser(std::string_view account_id, std::string_view name,
                                                 bool with_boundary) {
  OT_ASSIGN_OR_RETURN(auto user, source_.FindUser(account_id, name));
  return LoadEntity("User", std::move(user), with_boundary, /*with_groups=*/true);
}

Result<EntityPolicies> PolicySetLoader::LoadGroup(std::string_view account_id,
                                                  std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto group, source_.FindGroup(account_id, name));
  return LoadEntity("Group", std::move(group), /*with_boundary=*/false, /*with_groups=*/false);
}

Result<EntityPolicies> PolicySetLoader::LoadRole(std::string_view account_id,
                                                 std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto role, source_.FindRole(account_id, name));
  return LoadEntity("Role", std::move(role), /*with_boundary=*/true, /*with_groups=*/false);
}

Result<EntityPolicies> PolicySetLoader::LoadRoleById(std::string_view role_id) {
  OT_ASSIGN_OR_RETURN(auto role, source_.FindRoleById(role_id));
  return LoadEntity("Role", std::move(role), /*with_boundary=*/true, /*with_groups=*/false);
}

Result<OrgPolicies> PolicySetLoader::LoadOrganization(std::string_view account_id) {
  OrgPolicies org;
  OT_ASSIGN_OR_RETURN(auto placement, source_.FindPlacement(account_id));
  if (!placement.has_value()) return org;
  org.org_id = placement->org_id;
  org.management_account_id = placement->management_account_id;
  org.feature_set = placement->feature_set;
  org.member = org.management_account_id != account_id;
  org.org_path = org.org_id + "/";
  for (const std::string& id : placement->parents) org.org_path += id + "/";
  // AWS-COMPAT: SCPs and RCPs never restrict the management account, and need all features.
  if (!org.member || org.feature_set != "ALL" || placement->parents.empty()) return org;

  std::vector<std::string> levels = placement->parents;
  levels.emplace_back(account_id);
  struct Kind {
    std::string_view type;
    Flavour flavour;
    std::string_view source_type;
    bool* has;
    std::vector<std::vector<SourcedPolicyPtr>>* out;
  };
  const Kind kinds[] = {
      {kScp, Flavour::kScp, "scp", &org.has_scp, &org.scp},
      {kRcp, Flavour::kRcp, "rcp", &org.has_rcp, &org.rcp},
  };
  for (const Kind& kind : kinds) {
    OT_ASSIGN_OR_RETURN(bool enabled, source_.PolicyTypeEnabled(org.org_id, kind.type));
    if (!enabled) continue;
    *kind.has = true;
    for (const std::string& target : levels) {
      OT_ASSIGN_OR_RETURN(auto attached,
                          source_.AttachedOrgPolicies(org.org_id, target, kind.type));
      std::vector<SourcedPolicyPtr> level;
      level.reserve(attached.size());
      for (PolicySource::OrgPolicy& policy : attached) {
        SourcedPolicyPtr p = Make(std::move(policy.name), std::string(kind.source_type), policy.id,
                                  std::move(policy.content), kind.flavour);
        if (p != nullptr) level.push_back(std::move(p));
      }
      kind.out->push_back(std::move(level));
    }
  }
  return org;
}

}  // namespace orgtwin::policy
