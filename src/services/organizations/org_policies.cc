#include "services/organizations/org_policies.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "policy/document.h"
#include "services/organizations/effective_policy.h"
#include "services/organizations/org_handshakes.h"

namespace orgtwin::services::organizations {
namespace {

namespace json = boost::json;
using store::Value;

// AWS-FACTS 1.9 (content size) and 2.3 (attachments, policies per organization).
constexpr PolicyTypeRules kRules[] = {
    {"SERVICE_CONTROL_POLICY", 5120, 5, 10000, true},
    {"RESOURCE_CONTROL_POLICY", 5120, 5, 1000, true},
    {"TAG_POLICY", 10000, 10, 1000, false},
    {"BACKUP_POLICY", 10000, 10, 1000, false},
    {"AISERVICES_OPT_OUT_POLICY", 2500, 5, 1000, false},
    {"CHATBOT_POLICY", 10000, 10, 1000, false},
    {"DECLARATIVE_POLICY_EC2", 10000, 10, 1000, false},
    {"SECURITYHUB_POLICY", 10000, 10, 1000, false},
    {"INSPECTOR_POLICY", 10000, 10, 1000, false},
    {"UPGRADE_ROLLOUT_POLICY", 10000, 10, 1000, false},
    {"BEDROCK_POLICY", 10000, 10, 1000, false},
    {"S3_POLICY", 10000, 10, 1000, false},
    {"NETWORK_SECURITY_DIRECTOR_POLICY", 10000, 10, 1000, false},
};

struct PolicyRow {
  std::string id;
  std::string type;
  std::string name;
  std::string description;
  std::string content;
  bool aws_managed = false;
  double created_at = 0;
  double updated_at = 0;
  int64_t created_seq = 0;  // its position in listings (migration 0027; 0 = AWS managed)
};

constexpr char kPolicyCols[] =
    "SELECT policy_id, policy_type, name, description, content, aws_managed, created_at, "
    "COALESCE(updated_at, created_at), created_seq FROM org_policies ";

PolicyRow ToPolicy(const store::Row& r) {
  return PolicyRow{r.Text(0),     r.Text(1),   r.Text(2),   r.Text(3), r.Text(4),
                   r.Int(5) != 0, r.Double(6), r.Double(7), r.Int(8)};
}

Status PolicyNotFound() {
  return OrgError("PolicyNotFoundException",
                  "We can't find a policy with the PolicyId that you specified.");
}
Status TargetNotFound() {
  return OrgError("TargetNotFoundException",
                  "We can't find a root, OU, account, or policy with the TargetId that you "
                  "specified.");
}
Status RootNotFound() {
  return OrgError("RootNotFoundException",
                  "We can't find a root with the RootId that you specified.");
}
Status TypeNotEnabled() {
  return OrgError("PolicyTypeNotEnabledException",
                  "This operation can be performed only for enabled policy types.");
}
Status TypeNotAvailable() {
  return OrgError("PolicyTypeNotAvailableForOrganizationException",
                  "You can't use the specified policy type with the feature set currently enabled "
                  "for this organization. Enable all features first.");
}
Status ImmutablePolicy() {
  return InvalidInput("IMMUTABLE_POLICY",
                      "You specified a policy that is managed by AWS and can't be modified.");
}

// Management account, or a delegated administrator of the organization (read-only calls).
Result<OrgRow> RequireReader(store::Transaction& tx, const std::string& account_id) {
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, account_id));
  if (org.management_account_id == account_id) return org;
  OT_ASSIGN_OR_RETURN(int64_t delegated,
                      Count(tx,
                            "SELECT COUNT(*) FROM org_delegated_admins WHERE org_id = ? AND "
                            "account_id = ?",
                            {org.org_id, account_id}));
  if (delegated == 0) return AccessDenied();
  return org;
}

// A customer policy of `org` or an AWS managed policy.
Result<std::optional<PolicyRow>> FindPolicy(store::Transaction& tx, const OrgRow& org,
                                            const std::string& policy_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kPolicyCols) + "WHERE policy_id = ? AND (org_id = ? OR org_id IS NULL)",
               {policy_id, org.org_id}));
  if (rows.empty()) return std::optional<PolicyRow>();
  return std::optional<PolicyRow>(ToPolicy(rows.front()));
}

Result<PolicyRow> RequirePolicy(store::Transaction& tx, const OrgRow& org,
                                const std::string& policy_id) {
  OT_ASSIGN_OR_RETURN(auto policy, FindPolicy(tx, org, policy_id));
  if (!policy.has_value()) return PolicyNotFound();
  return *std::move(policy);
}

Json SummaryObject(const OrgRow& org, const PolicyRow& p) {
  Json out;
  out["Id"] = p.id;
  out["Arn"] = PolicyArn(org, p.type, p.id, p.aws_managed);
  out["Name"] = p.name;
  out["Description"] = p.description;
  out["Type"] = p.type;
  out["AwsManaged"] = p.aws_managed;
  return out;
}

Json PolicyObject(const OrgRow& org, const PolicyRow& p) {
  Json policy;
  policy["PolicySummary"] = SummaryObject(org, p);
  policy["Content"] = p.content;
  Json out;
  out["Policy"] = std::move(policy);
  return out;
}

Status CheckDuplicateName(store::Transaction& tx, const OrgRow& org, const std::string& type,
                          const std::string& name, const std::string& except_id) {
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_policies WHERE org_id = ? AND "
                                       "policy_type = ? AND name = ? AND policy_id <> ?",
                                       {org.org_id, type, name, except_id}));
  if (n > 0) {
    return OrgError("DuplicatePolicyException", "A policy with the same name already exists.");
  }
  return Status::Ok();
}

// The display name and TargetType of a root, OU or member account of `org`.
Result<std::optional<std::pair<std::string, std::string>>> DescribeTarget(store::Transaction& tx,
                                                                          const OrgRow& org,
                                                                          const std::string& id) {
  using Out = std::optional<std::pair<std::string, std::string>>;
  switch (KindOfId(id)) {
    case TargetKind::kRoot: {
      OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT name FROM org_roots WHERE root_id = ? AND "
                                              "org_id = ?",
                                              {id, org.org_id}));
      if (rows.empty()) return Out();
      return Out(std::make_pair(rows.front().Text(0), std::string("ROOT")));
    }
    case TargetKind::kOu: {
      OT_ASSIGN_OR_RETURN(auto ou, FindOu(tx, org.org_id, id));
      if (!ou.has_value()) return Out();
      return Out(std::make_pair(ou->name, std::string("ORGANIZATIONAL_UNIT")));
    }
    case TargetKind::kAccount: {
      OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, id));
      if (!member.has_value()) return Out();
      return Out(std::make_pair(member->name, std::string("ACCOUNT")));
    }
    default:
      return Out();
  }
}

std::string TargetArn(const OrgRow& org, const std::string& id) {
  switch (KindOfId(id)) {
    case TargetKind::kRoot:
      return RootArn(org, id);
    case TargetKind::kOu:
      return OuArn(org, id);
    default:
      return AccountArn(org, id);
  }
}

Status RequireTarget(store::Transaction& tx, const OrgRow& org, const std::string& id) {
  OT_ASSIGN_OR_RETURN(bool exists, TargetExists(tx, org.org_id, id));
  if (!exists) return TargetNotFound();
  return Status::Ok();
}

Result<int64_t> AttachedOfType(store::Transaction& tx, const OrgRow& org,
                               const std::string& target_id, const std::string& type) {
  return Count(tx,
               "SELECT COUNT(*) FROM org_policy_attachments a JOIN org_policies p ON "
               "p.policy_id = a.policy_id WHERE a.org_id = ? AND a.target_id = ? AND "
               "p.policy_type = ?",
               {org.org_id, target_id, type});
}

// Every root, OU and member account of `org`.
Result<std::vector<std::string>> AllTargets(store::Transaction& tx, const OrgRow& org) {
  std::vector<std::string> out;
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT root_id FROM org_roots WHERE org_id = ? UNION ALL "
                               "SELECT ou_id FROM org_units WHERE org_id = ? UNION ALL "
                               "SELECT account_id FROM org_accounts WHERE org_id = ?",
                               {org.org_id, org.org_id, org.org_id}));
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(r.Text(0));
  return out;
}

Result<RootRow> RequireRootOfOrg(store::Transaction& tx, const OrgRow& org,
                                 const std::string& root_id) {
  OT_ASSIGN_OR_RETURN(RootRow root, GetRoot(tx, org.org_id));
  if (root.root_id != root_id) return RootNotFound();
  return root;
}

Result<Json> RootOutput(store::Transaction& tx, const OrgRow& org, const RootRow& root) {
  OT_ASSIGN_OR_RETURN(auto types, RootPolicyTypes(tx, root.root_id));
  Json out;
  out["Root"] = RootObject(org, root, types);
  return out;
}

// ---- Handlers ----

Result<Json> CreatePolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "Type");
  const std::string name = Str(input, "Name");
  const std::string content = Str(input, "Content");
  std::optional<PolicyTypeRules> rules = RulesForPolicyType(type);
  if (!rules.has_value()) return InvalidInput("INVALID_ENUM_POLICY_TYPE", "Unknown policy type.");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  if (org.feature_set != "ALL") return TypeNotAvailable();
  OT_RETURN_IF_ERROR(ValidatePolicyContent(type, content));
  OT_RETURN_IF_ERROR(CheckDuplicateName(tx, org, type, name, ""));
  OT_ASSIGN_OR_RETURN(int64_t count, Count(tx,
                                           "SELECT COUNT(*) FROM org_policies WHERE org_id = ? "
                                           "AND policy_type = ?",
                                           {org.org_id, type}));
  if (count >= rules->max_policies) {
    return ConstraintViolation("POLICY_NUMBER_LIMIT_EXCEEDED",
                               "You have reached the maximum number of policies of this type.");
  }
  PolicyRow row{"p-" + ctx.twin.ids.RandomString(10, IdGenerator::kLowerAlnum),
                type,
                name,
                Str(input, "Description"),
                content,
                false,
                NowSeconds(ctx),
                NowSeconds(ctx)};
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO org_policies (policy_id, org_id, policy_type, name, "
                          "description, content, aws_managed, created_at, updated_at, "
                          "created_seq) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, (SELECT "
                          "COALESCE(MAX(created_seq), 0) + 1 FROM org_policies WHERE org_id = ?))",
                          {row.id, org.org_id, row.type, row.name, row.description, row.content,
                           row.created_at, row.updated_at, org.org_id}));
  OT_RETURN_IF_ERROR(ApplyTags(tx, row.id, Array(input, "Tags")));
  return PolicyObject(org, row);
}

Result<Json> UpdatePolicy(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow row, RequirePolicy(tx, org, Str(input, "PolicyId")));
  if (row.aws_managed) return ImmutablePolicy();
  if (input.contains("Name")) {
    row.name = Str(input, "Name");
    OT_RETURN_IF_ERROR(CheckDuplicateName(tx, org, row.type, row.name, row.id));
  }
  if (input.contains("Description")) row.description = Str(input, "Description");
  if (input.contains("Content")) {
    row.content = Str(input, "Content");
    OT_RETURN_IF_ERROR(ValidatePolicyContent(row.type, row.content));
  }
  row.updated_at = NowSeconds(ctx);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE org_policies SET name = ?, description = ?, content = ?, "
                          "updated_at = ? WHERE policy_id = ?",
                          {row.name, row.description, row.content, row.updated_at, row.id}));
  return PolicyObject(org, row);
}

Result<Json> DeletePolicy(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow row, RequirePolicy(tx, org, Str(input, "PolicyId")));
  if (row.aws_managed) return ImmutablePolicy();
  OT_ASSIGN_OR_RETURN(int64_t attached, Count(tx,
                                              "SELECT COUNT(*) FROM org_policy_attachments "
                                              "WHERE org_id = ? AND policy_id = ?",
                                              {org.org_id, row.id}));
  if (attached > 0) {
    return OrgError("PolicyInUseException",
                    "The policy is attached to one or more entities. You must detach it from all "
                    "roots, OUs, and accounts before performing this operation.");
  }
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_policies WHERE policy_id = ?", {row.id}));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_tags WHERE resource_id = ?", {row.id}));
  return Json();
}

Result<Json> DescribePolicy(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow row, RequirePolicy(tx, org, Str(input, "PolicyId")));
  return PolicyObject(org, row);
}

// One page of PolicySummary objects ("Policies") from org_policies rows (ToPolicy's columns).
Json PolicySummaryPage(const OrgRow& org, const std::vector<store::Row>& rows, const Page& page) {
  std::vector<std::pair<std::string, json::value>> items;
  for (const store::Row& r : rows) {
    PolicyRow p = ToPolicy(r);
    // Creation order; the AWS managed policies (0) first, by ID between themselves.
    items.emplace_back(SequenceKey(p.created_seq) + p.id, SummaryObject(org, p));
  }
  Json out;
  EmitPage(std::move(items), page, "Policies", out);
  return out;
}

Result<Json> ListPolicies(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "Filter");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListPolicies|" + type));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kPolicyCols) +
                                              "WHERE policy_type = ? AND (org_id = ? OR org_id "
                                              "IS NULL)",
                                          {type, org.org_id}));
  return PolicySummaryPage(org, rows, page);
}

Result<Json> ListPoliciesForTarget(gateway::RequestContext& ctx, const Json& input) {
  const std::string target = Str(input, "TargetId");
  const std::string type = Str(input, "Filter");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListPoliciesForTarget|" + target + "|" + type));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  OT_RETURN_IF_ERROR(RequireTarget(tx, org, target));
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT p.policy_id, p.policy_type, p.name, p.description, "
                               "p.content, p.aws_managed, p.created_at, COALESCE(p.updated_at, "
                               "p.created_at), p.created_seq FROM org_policy_attachments a JOIN "
                               "org_policies p "
                               "ON p.policy_id = a.policy_id WHERE a.org_id = ? AND "
                               "a.target_id = ? AND p.policy_type = ?",
                               {org.org_id, target, type}));
  return PolicySummaryPage(org, rows, page);
}

Result<Json> ListTargetsForPolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string policy_id = Str(input, "PolicyId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListTargetsForPolicy|" + policy_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow policy, RequirePolicy(tx, org, policy_id));
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT target_id FROM org_policy_attachments WHERE "
                                          "org_id = ? AND policy_id = ?",
                                          {org.org_id, policy.id}));
  std::vector<std::pair<std::string, json::value>> items;
  for (const store::Row& r : rows) {
    const std::string& id = r.Text(0);
    OT_ASSIGN_OR_RETURN(auto described, DescribeTarget(tx, org, id));
    if (!described.has_value()) continue;  // a stale attachment of a removed target
    Json target;
    target["TargetId"] = id;
    target["Arn"] = TargetArn(org, id);
    target["Name"] = described->first;
    target["Type"] = described->second;
    items.emplace_back(id, std::move(target));
  }
  Json out;
  EmitPage(std::move(items), page, "Targets", out);
  return out;
}

Result<Json> AttachPolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string policy_id = Str(input, "PolicyId");
  const std::string target = Str(input, "TargetId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow policy, RequirePolicy(tx, org, policy_id));
  OT_RETURN_IF_ERROR(RequireTarget(tx, org, target));
  OT_ASSIGN_OR_RETURN(bool enabled, PolicyTypeEnabled(tx, org.org_id, policy.type));
  if (!enabled) return TypeNotEnabled();
  OT_ASSIGN_OR_RETURN(int64_t already, Count(tx,
                                             "SELECT COUNT(*) FROM org_policy_attachments WHERE "
                                             "org_id = ? AND policy_id = ? AND target_id = ?",
                                             {org.org_id, policy.id, target}));
  if (already > 0) {
    return OrgError("DuplicatePolicyAttachmentException",
                    "The selected policy is already attached to the specified target.");
  }
  std::optional<PolicyTypeRules> rules = RulesForPolicyType(policy.type);
  OT_ASSIGN_OR_RETURN(int64_t attached, AttachedOfType(tx, org, target, policy.type));
  if (rules.has_value() && attached >= rules->max_attachments) {
    return ConstraintViolation("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                               "You have attached the maximum number of policies of this type to "
                               "the specified target.");
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO org_policy_attachments (org_id, policy_id, target_id) "
                          "VALUES (?, ?, ?)",
                          {org.org_id, policy.id, target}));
  return Json();
}

Result<Json> DetachPolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string policy_id = Str(input, "PolicyId");
  const std::string target = Str(input, "TargetId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(PolicyRow policy, RequirePolicy(tx, org, policy_id));
  OT_RETURN_IF_ERROR(RequireTarget(tx, org, target));
  OT_ASSIGN_OR_RETURN(int64_t attached_here, Count(tx,
                                                   "SELECT COUNT(*) FROM org_policy_attachments "
                                                   "WHERE org_id = ? AND policy_id = ? AND "
                                                   "target_id = ?",
                                                   {org.org_id, policy.id, target}));
  if (attached_here == 0) {
    return OrgError("PolicyNotAttachedException",
                    "The policy isn't attached to the specified target in the specified root.");
  }
  if (policy.id == kRcpFullAwsAccessPolicyId) {
    // AWS-COMPAT: RCPFullAWSAccess stays attached while RCPs are enabled.
    return InvalidInput("NON_DETACHABLE_POLICY", "You can't detach this AWS managed policy.");
  }
  std::optional<PolicyTypeRules> rules = RulesForPolicyType(policy.type);
  if (rules.has_value() && rules->authorization) {
    OT_ASSIGN_OR_RETURN(int64_t attached, AttachedOfType(tx, org, target, policy.type));
    if (attached <= 1) {
      return ConstraintViolation("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                 "You can't detach the last policy of this type from the "
                                 "specified target.");
    }
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_policy_attachments WHERE org_id = ? AND policy_id = ? "
                          "AND target_id = ?",
                          {org.org_id, policy.id, target}));
  return Json();
}

Result<Json> EnablePolicyType(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "PolicyType");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(RootRow root, RequireRootOfOrg(tx, org, Str(input, "RootId")));
  if (org.feature_set != "ALL") return TypeNotAvailable();
  OT_ASSIGN_OR_RETURN(int64_t present, Count(tx,
                                             "SELECT COUNT(*) FROM org_root_policy_types WHERE "
                                             "root_id = ? AND policy_type = ?",
                                             {root.root_id, type}));
  if (present > 0) {
    return OrgError("PolicyTypeAlreadyEnabledException",
                    "The specified policy type is already enabled.");
  }
  // AWS-COMPAT: AWS passes through PENDING_ENABLE asynchronously; the twin completes at once, so
  // PolicyChangesInProgressException never arises.
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO org_root_policy_types (root_id, policy_type, status) "
                          "VALUES (?, ?, 'ENABLED')",
                          {root.root_id, type}));
  const char* default_policy = nullptr;
  if (type == kScpType) default_policy = kFullAwsAccessPolicyId;
  if (type == kRcpType) default_policy = kRcpFullAwsAccessPolicyId;
  if (default_policy != nullptr) {
    OT_RETURN_IF_ERROR(EnsureAwsManagedPolicies(tx, NowSeconds(ctx)));
    OT_ASSIGN_OR_RETURN(auto targets, AllTargets(tx, org));
    for (const std::string& target : targets) {
      OT_RETURN_IF_ERROR(AttachDefaultPolicies(tx, org.org_id, target));
    }
  }
  OT_ASSIGN_OR_RETURN(Json out, RootOutput(tx, org, root));
  return out;
}

Result<Json> DisablePolicyType(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "PolicyType");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(RootRow root, RequireRootOfOrg(tx, org, Str(input, "RootId")));
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("DELETE FROM org_root_policy_types WHERE root_id = ? AND "
                                 "policy_type = ?",
                                 {root.root_id, type}));
  if (changed == 0) return TypeNotEnabled();
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_policy_attachments WHERE org_id = ? AND policy_id IN "
                          "(SELECT policy_id FROM org_policies WHERE policy_type = ? AND "
                          "(org_id = ? OR org_id IS NULL))",
                          {org.org_id, type, org.org_id}));
  OT_ASSIGN_OR_RETURN(Json out, RootOutput(tx, org, root));
  return out;
}

// "o-.../r-.../ou-.../.../<account>/" (Account.Paths form).
std::string PathOf(const OrgRow& org, const std::vector<std::string>& chain) {
  std::string path = org.org_id + "/";
  for (const std::string& id : chain) path += id + "/";
  return path;
}

Result<Json> DescribeEffectivePolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "PolicyType");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, ctx.caller.account_id));
  std::string target = Str(input, "TargetId", ctx.caller.account_id);
  if (KindOfId(target) != TargetKind::kAccount) {
    return InvalidInput("TARGET_NOT_SUPPORTED",
                        "You can't specify a root or an OU as the target of this operation.");
  }
  if (target != ctx.caller.account_id && org.management_account_id != ctx.caller.account_id) {
    return AccessDenied();
  }
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, target));
  if (!member.has_value()) return TargetNotFound();
  OT_ASSIGN_OR_RETURN(std::vector<std::string> chain, ParentChain(tx, org.org_id, target));
  std::vector<json::object> policies;
  double last_updated = 0;
  for (const std::string& node : chain) {
    OT_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT p.content, COALESCE(p.updated_at, p.created_at) FROM "
                                 "org_policy_attachments a JOIN org_policies p ON p.policy_id = "
                                 "a.policy_id WHERE a.org_id = ? AND a.target_id = ? AND "
                                 "p.policy_type = ? ORDER BY p.created_at, p.policy_id",
                                 {org.org_id, node, type}));
    for (const store::Row& r : rows) {
      Result<json::object> parsed = ParseManagementPolicy(r.Text(0));
      if (!parsed.ok()) continue;  // validated on write; an unparsable row is skipped
      policies.push_back(*std::move(parsed));
      last_updated = std::max(last_updated, r.Double(1));
    }
  }
  if (policies.empty()) {
    return OrgError("EffectivePolicyNotFoundException",
                    "We can't find an effective policy of the specified type for the target.");
  }
  Json effective;
  effective["PolicyContent"] = json::serialize(MergeManagementPolicies(policies));
  effective["LastUpdatedTimestamp"] = last_updated;
  effective["TargetId"] = target;
  effective["PolicyType"] = type;
  Json out;
  out["EffectivePolicy"] = std::move(effective);
  return out;
}

Result<Json> ListAccountsWithInvalidEffectivePolicy(gateway::RequestContext& ctx,
                                                    const Json& input) {
  const std::string type = Str(input, "PolicyType");
  OT_ASSIGN_OR_RETURN(Page page,
                      ParsePage(input, "ListAccountsWithInvalidEffectivePolicy|" + type));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  // The merge ignores what it cannot apply, so no effective policy is ever invalid.
  Json out;
  EmitPage({}, page, "Accounts", out);
  out["PolicyType"] = type;
  return out;
}

Result<Json> ListEffectivePolicyValidationErrors(gateway::RequestContext& ctx, const Json& input) {
  const std::string type = Str(input, "PolicyType");
  const std::string account = Str(input, "AccountId");
  OT_ASSIGN_OR_RETURN(
      Page page, ParsePage(input, "ListEffectivePolicyValidationErrors|" + account + "|" + type));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireReader(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, account));
  if (!member.has_value()) {
    return OrgError("AccountNotFoundException", "You specified an account that doesn't exist.");
  }
  OT_ASSIGN_OR_RETURN(std::vector<std::string> chain, ParentChain(tx, org.org_id, account));
  Json out;
  EmitPage({}, page, "EffectivePolicyValidationErrors", out);
  out["AccountId"] = account;
  out["PolicyType"] = type;
  out["Path"] = PathOf(org, chain);
  out["EvaluationTimestamp"] = NowSeconds(ctx);
  return out;
}

}  // namespace

std::optional<PolicyTypeRules> RulesForPolicyType(std::string_view type) {
  for (const PolicyTypeRules& rules : kRules) {
    if (rules.type == type) return rules;
  }
  return std::nullopt;
}

Status ValidatePolicyContent(std::string_view type, std::string_view content) {
  if (type == kScpType || type == kRcpType) {
    policy::ParseOptions options;
    options.size_rule = policy::SizeRule::kOrganizations;
    Result<policy::PolicyDocument> parsed = policy::ParsePolicy(
        content, type == kScpType ? policy::Flavour::kScp : policy::Flavour::kRcp, options);
    return parsed.ok() ? Status::Ok() : parsed.status();
  }
  std::optional<PolicyTypeRules> rules = RulesForPolicyType(type);
  if (!rules.has_value()) return InvalidInput("INVALID_ENUM_POLICY_TYPE", "Unknown policy type.");
  if (policy::PolicySize(content, /*count_whitespace=*/true) > rules->max_content_chars) {
    return ConstraintViolation("POLICY_CONTENT_LIMIT_EXCEEDED",
                               "You have exceeded the maximum size of the policy content.");
  }
  Result<json::object> parsed = ParseManagementPolicy(content);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Status RegisterOrganizationsPolicyHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kHandlers[] = {
      {"CreatePolicy", CreatePolicy},
      {"UpdatePolicy", UpdatePolicy},
      {"DeletePolicy", DeletePolicy},
      {"DescribePolicy", DescribePolicy},
      {"ListPolicies", ListPolicies},
      {"ListPoliciesForTarget", ListPoliciesForTarget},
      {"ListTargetsForPolicy", ListTargetsForPolicy},
      {"AttachPolicy", AttachPolicy},
      {"DetachPolicy", DetachPolicy},
      {"EnablePolicyType", EnablePolicyType},
      {"DisablePolicyType", DisablePolicyType},
      {"DescribeEffectivePolicy", DescribeEffectivePolicy},
      {"ListAccountsWithInvalidEffectivePolicy", ListAccountsWithInvalidEffectivePolicy},
      {"ListEffectivePolicyValidationErrors", ListEffectivePolicyValidationErrors},
  };
  OT_RETURN_IF_ERROR(gateway.RegisterAll("organizations", kHandlers));
  return RegisterOrganizationsHandshakeHandlers(gateway);
}

}  // namespace orgtwin::services::organizations
