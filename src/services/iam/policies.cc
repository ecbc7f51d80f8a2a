// Managed policies and their versions: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies,
// Create/Get/List/Delete PolicyVersion, SetDefaultPolicyVersion, policy tags. AWS managed
// policies (arn:aws:iam::aws:policy/...) come from the embedded catalog and are read-only.
#include <map>

#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

Json PolicyObject(const PolicyRow& p, int64_t attachments, int64_t boundaries) {
  return Json{{"PolicyName", p.name},
              {"PolicyId", p.policy_id},
              {"Arn", p.arn},
              {"Path", p.path},
              {"DefaultVersionId", p.default_version_id},
              {"AttachmentCount", attachments},
              {"PermissionsBoundaryUsageCount", boundaries},
              {"IsAttachable", p.is_attachable},
              {"CreateDate", p.created_at},
              {"UpdateDate", p.updated_at}};
}

Status PolicyNotFound(std::string_view arn) {
  return NoSuchEntity("Policy " + std::string(arn) + " was not found.");
}

Result<PolicyRow> RequirePolicy(store::Transaction& tx, std::string_view account_id,
                                std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto policy, ResolvePolicyArn(tx, account_id, arn));
  if (!policy.has_value()) return PolicyNotFound(arn);
  return *std::move(policy);
}

// Customer managed only: AWS managed policies cannot be changed by an account.
Result<PolicyRow> RequireLocalPolicy(store::Transaction& tx, std::string_view account_id,
                                     std::string_view arn) {
  OT_ASSIGN_OR_RETURN(PolicyRow policy, RequirePolicy(tx, account_id, arn));
  if (policy.aws_managed) {
    return AccessDeniedError("Cannot modify an AWS managed policy: " + std::string(arn))
        .WithAwsCode("AccessDenied");
  }
  return policy;
}

// "v12" -> 12; 0 when malformed (the model's pattern already guards the form).
int64_t VersionNumber(std::string_view version_id) {
  if (version_id.size() < 2 || version_id[0] != 'v') return 0;
  int64_t n = 0;
  for (char c : version_id.substr(1)) {
    if (c < '0' || c > '9' || n > 1000000000) return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

Status VersionNotFound(std::string_view arn, std::string_view version_id) {
  return NoSuchEntity("Policy " + std::string(arn) + " version " + std::string(version_id) +
                      " does not exist or is not attachable.");
}

Result<std::string> PolicyIdOf(const std::string& account_id, store::Transaction& tx,
                               const Json& input) {
  OT_ASSIGN_OR_RETURN(PolicyRow policy,
                      RequireLocalPolicy(tx, account_id, Str(input, "PolicyArn")));
  return policy.policy_id;
}

Result<std::map<std::string, int64_t>> CountsByArn(store::Transaction& tx, std::string_view sql,
                                                   const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::map<std::string, int64_t> out;
  for (const store::Row& r : rows) out[r.Text(0)] += r.Int(1);
  return out;
}

}  // namespace

Result<Json> CreatePolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  PolicyRow p;
  p.account_id = account;
  p.name = Str(input, "PolicyName");
  p.path = Str(input, "Path", "/");
  p.arn = IamArn(account, "policy", p.path, p.name);
  if (Has(input, "Description")) p.description = Str(input, "Description");
  p.default_version_id = "v1";
  p.created_at = p.updated_at = NowSeconds(ctx);
  std::string document = Str(input, "PolicyDocument");
  OT_RETURN_IF_ERROR(ValidateManagedDocument(document));
  Status exists = EntityAlreadyExists("A policy called " + p.name +
                                      " already exists. Duplicate names are not allowed.");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(int64_t same_name, CountRows(tx,
                                                   "SELECT COUNT(*) FROM iam_policies WHERE "
                                                   "account_id = ? AND policy_name_lower = ?",
                                                   {account, Lower(p.name)}));
  if (same_name > 0) return exists;
  OT_ASSIGN_OR_RETURN(
      int64_t count,
      CountRows(tx, "SELECT COUNT(*) FROM iam_policies WHERE account_id = ?", {account}));
  if (count >= kPoliciesPerAccount) {
    return LimitExceeded("Cannot exceed quota for PoliciesPerAccount: " +
                         std::to_string(kPoliciesPerAccount));
  }
  p.policy_id = NewUniqueId(ctx.twin.ids, "ANPA");
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO iam_policies (policy_id, account_id, policy_name, "
           "policy_name_lower, path, arn, description, default_version_id, "
           "next_version, created_at, updated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?)",
           {p.policy_id, account, p.name, Lower(p.name), p.path, p.arn,
            p.description.has_value() ? store::Value(*p.description) : store::Value(), p.created_at,
            p.updated_at}));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_policy_versions (policy_id, version_number, document, "
                          "created_at) VALUES (?, 1, ?, ?)",
                          {p.policy_id, document, p.created_at}));
  OT_RETURN_IF_ERROR(ApplyTags(tx, "Policy", p.policy_id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "Policy", p.policy_id));
  Json out = PolicyObject(p, 0, 0);
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return Json{{"Policy", std::move(out)}};
}

Result<Json> GetPolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequirePolicy(tx, account, Str(input, "PolicyArn")));
  OT_ASSIGN_OR_RETURN(int64_t attachments, AttachmentCount(tx, account, p.arn));
  OT_ASSIGN_OR_RETURN(int64_t boundaries, BoundaryUsageCount(tx, account, p.arn));
  Json out = PolicyObject(p, attachments, boundaries);
  if (p.description.has_value()) out["Description"] = *p.description;
  // GetPolicy always answers Tags, an empty list when there are none, unlike CreatePolicy,
  // GetRole and GetUser (getmoto/moto tests/test_iam/test_iam_response_attributes.py, run
  // against AWS). AWS-COMPAT: an AWS managed policy answers the same empty list.
  boost::json::array tags;
  if (!p.aws_managed) {
    OT_ASSIGN_OR_RETURN(tags, ReadTags(tx, "Policy", p.policy_id));
  }
  out["Tags"] = std::move(tags);
  return Json{{"Policy", std::move(out)}};
}

Result<Json> DeletePolicy(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequireLocalPolicy(tx, account, Str(input, "PolicyArn")));
  OT_ASSIGN_OR_RETURN(int64_t attachments, AttachmentCount(tx, account, p.arn));
  OT_ASSIGN_OR_RETURN(int64_t boundaries, BoundaryUsageCount(tx, account, p.arn));
  if (attachments + boundaries > 0) {
    return DeleteConflict("Cannot delete a policy attached to entities.");
  }
  OT_ASSIGN_OR_RETURN(auto versions, PolicyVersions(tx, p));
  if (versions.size() > 1) {
    return DeleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the "
        "policy's versions. The default version is deleted with the policy.");
  }
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, "Policy", p.policy_id));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_policy_versions WHERE policy_id = ?", {p.policy_id}));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM iam_policies WHERE policy_id = ?", {p.policy_id}));
  return Json();
}

Result<Json> ListPolicies(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string scope = Str(input, "Scope", "All");
  std::string prefix = Str(input, "PathPrefix", "/");
  bool only_attached = Bool(input, "OnlyAttached", false);
  std::string usage = Str(input, "PolicyUsageFilter");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto attachments,
                      CountsByArn(tx,
                                  "SELECT policy_arn, COUNT(*) FROM iam_attachments "
                                  "WHERE account_id = ? GROUP BY policy_arn",
                                  {account}));
  OT_ASSIGN_OR_RETURN(auto user_boundaries,
                      CountsByArn(tx,
                                  "SELECT permissions_boundary_arn, COUNT(*) FROM iam_users WHERE "
                                  "account_id = ? AND permissions_boundary_arn IS NOT NULL "
                                  "GROUP BY permissions_boundary_arn",
                                  {account}));
  OT_ASSIGN_OR_RETURN(auto boundaries,
                      CountsByArn(tx,
                                  "SELECT permissions_boundary_arn, COUNT(*) FROM iam_roles WHERE "
                                  "account_id = ? AND permissions_boundary_arn IS NOT NULL "
                                  "GROUP BY permissions_boundary_arn",
                                  {account}));
  for (const auto& [arn, n] : user_boundaries) boundaries[arn] += n;
  auto count_of = [](const std::map<std::string, int64_t>& counts, const std::string& arn) {
    auto it = counts.find(arn);
    return it == counts.end() ? int64_t{0} : it->second;
  };

  std::vector<std::pair<std::string, boost::json::value>> items;
  auto consider = [&](const PolicyRow& p) {
    if (!PathMatches(p.path, prefix)) return;
    int64_t attached = count_of(attachments, p.arn);
    int64_t bounded = count_of(boundaries, p.arn);
    if (only_attached) {
      int64_t used = usage == "PermissionsPolicy"     ? attached
                     : usage == "PermissionsBoundary" ? bounded
                                                      : attached + bounded;
      if (used == 0) return;
    }
    std::string key = Lower(p.name) + '\x01' + p.arn;
    if (key < page.start_key) return;
    items.emplace_back(std::move(key), PolicyObject(p, attached, bounded));
  };
  if (scope != "Local") {
    for (const policy::ManagedPolicy& managed : policy::ManagedPolicies().policies()) {
      if (managed.arn.empty()) continue;
      OT_ASSIGN_OR_RETURN(auto p, ResolvePolicyArn(tx, account, managed.arn));
      if (p.has_value()) consider(*p);
    }
  }
  if (scope != "AWS") {
    OT_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT arn FROM iam_policies WHERE account_id = ?", {account}));
    for (const store::Row& r : rows) {
      OT_ASSIGN_OR_RETURN(auto p, ResolvePolicyArn(tx, account, r.Text(0)));
      if (p.has_value()) consider(*p);
    }
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "Policies", out);
  return out;
}

Result<Json> GetPolicyVersion(gateway::RequestContext& ctx, const Json& input) {
  std::string arn = Str(input, "PolicyArn");
  std::string version_id = Str(input, "VersionId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequirePolicy(tx, AccountOf(ctx), arn));
  OT_ASSIGN_OR_RETURN(auto versions, PolicyVersions(tx, p));
  for (const PolicyVersionRow& v : versions) {
    if (v.version_id != version_id) continue;
    return Json{{"PolicyVersion", Json{{"Document", UrlEncodeDocument(v.document)},
                                       {"VersionId", v.version_id},
                                       {"IsDefaultVersion", v.version_id == p.default_version_id},
                                       {"CreateDate", v.created_at}}}};
  }
  return VersionNotFound(arn, version_id);
}

Result<Json> CreatePolicyVersion(gateway::RequestContext& ctx, const Json& input) {
  std::string document = Str(input, "PolicyDocument");
  bool set_default = Bool(input, "SetAsDefault", false);
  OT_RETURN_IF_ERROR(ValidateManagedDocument(document));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequireLocalPolicy(tx, AccountOf(ctx), Str(input, "PolicyArn")));
  OT_ASSIGN_OR_RETURN(auto versions, PolicyVersions(tx, p));
  if (static_cast<int64_t>(versions.size()) >= kVersionsPerPolicy) {
    return LimitExceeded("A managed policy can have up to " + std::to_string(kVersionsPerPolicy) +
                         " versions. Before you create a new version, you must delete an "
                         "existing version.");
  }
  double now = NowSeconds(ctx);
  int64_t number = p.next_version;
  std::string version_id = "v" + std::to_string(number);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_policy_versions (policy_id, version_number, document, "
                          "created_at) VALUES (?, ?, ?, ?)",
                          {p.policy_id, number, document, now}));
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "UPDATE iam_policies SET next_version = ?, default_version_id = ?, "
           "updated_at = ? WHERE policy_id = ?",
           {number + 1, set_default ? version_id : p.default_version_id, now, p.policy_id}));
  return Json{
      {"PolicyVersion",
       Json{{"VersionId", version_id}, {"IsDefaultVersion", set_default}, {"CreateDate", now}}}};
}

Result<Json> SetDefaultPolicyVersion(gateway::RequestContext& ctx, const Json& input) {
  std::string arn = Str(input, "PolicyArn");
  std::string version_id = Str(input, "VersionId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequireLocalPolicy(tx, AccountOf(ctx), arn));
  OT_ASSIGN_OR_RETURN(int64_t found,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_id = ? "
                                "AND version_number = ?",
                                {p.policy_id, VersionNumber(version_id)}));
  if (found == 0 || "v" + std::to_string(VersionNumber(version_id)) != version_id) {
    return VersionNotFound(arn, version_id);
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_policies SET default_version_id = ?, updated_at = ? "
                          "WHERE policy_id = ?",
                          {version_id, NowSeconds(ctx), p.policy_id}));
  return Json();
}

Result<Json> DeletePolicyVersion(gateway::RequestContext& ctx, const Json& input) {
  std::string arn = Str(input, "PolicyArn");
  std::string version_id = Str(input, "VersionId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequireLocalPolicy(tx, AccountOf(ctx), arn));
  if (version_id == p.default_version_id) {
    return DeleteConflict("Cannot delete the default version of a policy.");
  }
  int64_t number = VersionNumber(version_id);
  if ("v" + std::to_string(number) != version_id) return VersionNotFound(arn, version_id);
  OT_ASSIGN_OR_RETURN(int64_t removed, tx.Execute("DELETE FROM iam_policy_versions "
                                                  "WHERE policy_id = ? AND version_number = ?",
                                                  {p.policy_id, number}));
  if (removed == 0) return VersionNotFound(arn, version_id);
  return Json();
}

Result<Json> ListPolicyVersions(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(PolicyRow p, RequirePolicy(tx, AccountOf(ctx), Str(input, "PolicyArn")));
  OT_ASSIGN_OR_RETURN(auto versions, PolicyVersions(tx, p));
  // AWS lists the newest version first; keys are list positions, zero-padded to sort.
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    std::string key = std::to_string(items.size());
    key.insert(0, 8 - std::min<size_t>(8, key.size()), '0');
    items.emplace_back(std::move(key),
                       Json{{"VersionId", it->version_id},
                            {"IsDefaultVersion", it->version_id == p.default_version_id},
                            {"CreateDate", it->created_at}});
  }
  Json out;
  EmitPage(std::move(items), page, "Versions", out);
  return out;
}

Result<Json> TagPolicy(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, "Policy", [&](store::Transaction& tx, const Json& in) {
    return PolicyIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> UntagPolicy(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, "Policy", [&](store::Transaction& tx, const Json& in) {
    return PolicyIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> ListPolicyTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, "Policy", [&](store::Transaction& tx, const Json& in) {
    return PolicyIdOf(AccountOf(ctx), tx, in);
  });
}

}  // namespace orgtwin::services::iam
