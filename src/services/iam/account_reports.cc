// Account-wide views: GetAccountSummary, GetAccountAuthorizationDetails (complete, paginated) and
// the credential report (GenerateCredentialReport / GetCredentialReport, CSV as AWS).
#include <algorithm>
#include <map>
#include <set>

#include "common/base64.h"
#include "repo/account_repository.h"
#include "repo/session_repository.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// AWS-COMPAT: a credential report is reused for 4 hours; after that GetCredentialReport says it
// has expired and GenerateCredentialReport starts a new one.
constexpr double kReportLifetimeSeconds = 4 * 3600;

Result<int64_t> Count(store::Transaction& tx, const std::string& sql, const std::string& account) {
  return CountRows(tx, sql, {account});
}

// ISO 8601 with an explicit +00:00 offset, as the credential report writes times.
std::string ReportTime(double epoch_seconds) {
  TimePoint t{std::chrono::seconds(static_cast<int64_t>(epoch_seconds))};
  std::string text = FormatIso8601Seconds(t);
  if (!text.empty() && text.back() == 'Z') text.replace(text.size() - 1, 1, "+00:00");
  return text;
}

// ---- GetAccountAuthorizationDetails ----

Result<boost::json::array> InlineList(store::Transaction& tx, std::string_view type,
                                      const std::string& id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_name, document FROM iam_inline_policies "
                                          "WHERE entity_type = ? AND entity_id = ? ORDER BY "
                                          "policy_name",
                                          {std::string(type), id}));
  boost::json::array out;
  for (const store::Row& r : rows) {
    out.push_back(
        Json{{"PolicyName", r.Text(0)}, {"PolicyDocument", UrlEncodeDocument(r.Text(1))}});
  }
  return out;
}

Result<boost::json::array> AttachedList(store::Transaction& tx, const std::string& account,
                                        std::string_view type, const std::string& id) {
  OT_ASSIGN_OR_RETURN(auto arns, AttachedPolicyArns(tx, type, id));
  boost::json::array out;
  for (const std::string& arn : arns) {
    OT_ASSIGN_OR_RETURN(auto p, ResolvePolicyArn(tx, account, arn));
    if (!p.has_value()) continue;
    out.push_back(Json{{"PolicyName", p->name}, {"PolicyArn", arn}});
  }
  return out;
}

Result<Json> UserDetail(store::Transaction& tx, const UserRow& user) {
  Json out = UserObject(user);
  OT_ASSIGN_OR_RETURN(auto inline_list, InlineList(tx, "User", user.user_id));
  out["UserPolicyList"] = std::move(inline_list);
  OT_ASSIGN_OR_RETURN(auto groups, tx.Query("SELECT g.group_name FROM iam_group_members m JOIN "
                                            "iam_groups g ON g.group_id = m.group_id WHERE "
                                            "m.user_id = ? ORDER BY g.group_name_lower",
                                            {user.user_id}));
  boost::json::array group_list;
  for (const store::Row& r : groups) group_list.push_back(boost::json::string(r.Text(0)));
  out["GroupList"] = std::move(group_list);
  OT_ASSIGN_OR_RETURN(auto attached, AttachedList(tx, user.account_id, "User", user.user_id));
  out["AttachedManagedPolicies"] = std::move(attached);
  if (!user.boundary_arn.empty()) out["PermissionsBoundary"] = BoundaryObject(user.boundary_arn);
  OT_ASSIGN_OR_RETURN(auto tags, ReadTags(tx, "User", user.user_id));
  out["Tags"] = std::move(tags);
  return out;
}

Result<Json> GroupDetail(store::Transaction& tx, const GroupRow& group) {
  Json out = GroupObject(group);
  OT_ASSIGN_OR_RETURN(auto inline_list, InlineList(tx, "Group", group.group_id));
  out["GroupPolicyList"] = std::move(inline_list);
  OT_ASSIGN_OR_RETURN(auto attached, AttachedList(tx, group.account_id, "Group", group.group_id));
  out["AttachedManagedPolicies"] = std::move(attached);
  return out;
}

Result<Json> RoleDetail(store::Transaction& tx, const RoleRow& role) {
  Json out = RoleObject(role, /*full=*/true);
  out.erase("MaxSessionDuration");  // not a member of RoleDetail
  out.erase("Description");
  OT_ASSIGN_OR_RETURN(auto profiles, InstanceProfilesForRole(tx, role.role_id));
  out["InstanceProfileList"] = std::move(profiles);
  OT_ASSIGN_OR_RETURN(auto inline_list, InlineList(tx, "Role", role.role_id));
  out["RolePolicyList"] = std::move(inline_list);
  OT_ASSIGN_OR_RETURN(auto attached, AttachedList(tx, role.account_id, "Role", role.role_id));
  out["AttachedManagedPolicies"] = std::move(attached);
  OT_ASSIGN_OR_RETURN(auto tags, ReadTags(tx, "Role", role.role_id));
  out["Tags"] = std::move(tags);
  return out;
}

Result<Json> PolicyDetail(store::Transaction& tx, const std::string& account, const PolicyRow& p) {
  OT_ASSIGN_OR_RETURN(int64_t attachments, AttachmentCount(tx, account, p.arn));
  OT_ASSIGN_OR_RETURN(int64_t boundaries, BoundaryUsageCount(tx, account, p.arn));
  Json out{{"PolicyName", p.name},
           {"PolicyId", p.policy_id},
           {"Arn", p.arn},
           {"Path", p.path},
           {"DefaultVersionId", p.default_version_id},
           {"AttachmentCount", attachments},
           {"PermissionsBoundaryUsageCount", boundaries},
           {"IsAttachable", p.is_attachable},
           {"CreateDate", p.created_at},
           {"UpdateDate", p.updated_at}};
  if (p.description.has_value()) out["Description"] = *p.description;
  OT_ASSIGN_OR_RETURN(auto versions, PolicyVersions(tx, p));
  boost::json::array list;
  // Newest first, as AWS lists them.
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    list.push_back(Json{{"Document", UrlEncodeDocument(it->document)},
                        {"VersionId", it->version_id},
                        {"IsDefaultVersion", it->version_id == p.default_version_id},
                        {"CreateDate", it->created_at}});
  }
  out["PolicyVersionList"] = std::move(list);
  return out;
}

// One entity of the combined listing: kind order '0' users, '1' groups, '2' roles, '3' local
// managed policies, '4' AWS managed policies; then the lowercase name (or ARN).
struct DetailRef {
  std::string key;
  char kind;
  std::string name;  // entity name, or policy ARN
};

}  // namespace

Result<Json> GetAccountSummary(gateway::RequestContext& ctx, const Json& /*input*/) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  std::map<std::string, int64_t> m;
  OT_ASSIGN_OR_RETURN(m["Users"], repo::EntityCount(tx, repo::CountedEntity::kUser, account));
  OT_ASSIGN_OR_RETURN(m["Groups"],
                      Count(tx, "SELECT COUNT(*) FROM iam_groups WHERE account_id = ?", account));
  OT_ASSIGN_OR_RETURN(m["Roles"], repo::EntityCount(tx, repo::CountedEntity::kRole, account));
  OT_ASSIGN_OR_RETURN(m["Policies"],
                      Count(tx, "SELECT COUNT(*) FROM iam_policies WHERE account_id = ?", account));
  OT_ASSIGN_OR_RETURN(
      m["InstanceProfiles"],
      Count(tx, "SELECT COUNT(*) FROM iam_instance_profiles WHERE account_id = ?", account));
  OT_ASSIGN_OR_RETURN(m["MFADevices"], Count(tx,
                                             "SELECT COUNT(*) FROM iam_mfa_devices WHERE "
                                             "account_id = ?",
                                             account));
  OT_ASSIGN_OR_RETURN(m["MFADevicesInUse"], Count(tx,
                                                  "SELECT COUNT(*) FROM iam_mfa_devices WHERE "
                                                  "account_id = ? AND user_id IS NOT NULL",
                                                  account));
  OT_ASSIGN_OR_RETURN(int64_t root_mfa, Count(tx,
                                              "SELECT COUNT(*) FROM iam_mfa_devices WHERE "
                                              "account_id = ? AND user_id = ''",
                                              account));
  m["AccountMFAEnabled"] = root_mfa > 0 ? 1 : 0;
  // Root keys are stored with the principal name "" (services/identity, CreateAccessKey).
  OT_ASSIGN_OR_RETURN(auto root_keys, repo::AccessKeysOf(tx, account, "Root", ""));
  const bool root_key_present =
      std::any_of(root_keys.begin(), root_keys.end(),
                  [](const repo::AccessKeyRow& k) { return !k.session_token.has_value(); });
  m["AccountAccessKeysPresent"] = root_key_present ? 1 : 0;
  OT_ASSIGN_OR_RETURN(int64_t root_password, Count(tx,
                                                   "SELECT COUNT(*) FROM iam_login_profiles "
                                                   "WHERE account_id = ? AND user_id = ''",
                                                   account));
  m["AccountPasswordPresent"] = root_password > 0 ? 1 : 0;
  OT_ASSIGN_OR_RETURN(
      m["PolicyVersionsInUse"],
      Count(tx, "SELECT COUNT(*) FROM iam_attachments WHERE account_id = ?", account));
  OT_ASSIGN_OR_RETURN(int64_t root_certificates,
                      Count(tx,
                            "SELECT COUNT(*) FROM iam_signing_certificates WHERE account_id = ? "
                            "AND user_id = ''",
                            account));
  m["AccountSigningCertificatesPresent"] = root_certificates > 0 ? 1 : 0;
  OT_ASSIGN_OR_RETURN(
      m["ServerCertificates"],
      Count(tx, "SELECT COUNT(*) FROM iam_server_certificates WHERE account_id = ?", account));
  // AWS-COMPAT: Providers counts the SAML and the OpenID Connect providers together (the model
  // says "identity providers" without naming the kinds).
  OT_ASSIGN_OR_RETURN(
      int64_t saml_providers,
      Count(tx, "SELECT COUNT(*) FROM iam_saml_providers WHERE account_id = ?", account));
  OT_ASSIGN_OR_RETURN(
      int64_t oidc_providers,
      Count(tx, "SELECT COUNT(*) FROM iam_oidc_providers WHERE account_id = ?", account));
  m["Providers"] = saml_providers + oidc_providers;
  m["UsersQuota"] = kUsersPerAccount;
  m["GroupsQuota"] = kGroupsPerAccount;
  m["RolesQuota"] = kRolesPerAccount;
  m["PoliciesQuota"] = kPoliciesPerAccount;
  m["InstanceProfilesQuota"] = kInstanceProfilesPerAccount;
  m["ServerCertificatesQuota"] = kServerCertificatesPerAccount;
  m["UserPolicySizeQuota"] = 2048;
  m["GroupPolicySizeQuota"] = 5120;
  m["RolePolicySizeQuota"] = 10240;
  m["PolicySizeQuota"] = 6144;
  m["AssumeRolePolicySizeQuota"] = 2048;
  m["GroupsPerUserQuota"] = kGroupsPerUser;
  m["SigningCertificatesPerUserQuota"] = kSigningCertificatesPerUser;
  m["AccessKeysPerUserQuota"] = kAccessKeysPerUser;
  m["AttachedPoliciesPerGroupQuota"] = kAttachedPoliciesPerEntity;
  m["AttachedPoliciesPerRoleQuota"] = kAttachedPoliciesPerEntity;
  m["AttachedPoliciesPerUserQuota"] = kAttachedPoliciesPerEntity;
  m["PolicyVersionsInUseQuota"] = 10000;
  m["VersionsPerPolicyQuota"] = kVersionsPerPolicy;
  m["GlobalEndpointTokenVersion"] = 1;
  Json summary;
  for (const auto& [key, value] : m) summary[key] = value;
  return Json{{"SummaryMap", std::move(summary)}};
}

Result<Json> GetAccountAuthorizationDetails(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::set<std::string> filter;
  for (const auto& v : Array(input, "Filter")) {
    if (v.is_string()) filter.insert(std::string(v.as_string()));
  }
  auto wanted = [&](const char* type) { return filter.empty() || filter.count(type) != 0; };
  store::Transaction& tx = ctx.tx;
  std::vector<DetailRef> refs;
  if (wanted("User")) {
    OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT user_name_lower, user_name FROM iam_users "
                                            "WHERE account_id = ?",
                                            {account}));
    for (const store::Row& r : rows) refs.push_back({"0" + r.Text(0), '0', r.Text(1)});
  }
  if (wanted("Group")) {
    OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_name_lower, group_name FROM iam_groups "
                                            "WHERE account_id = ?",
                                            {account}));
    for (const store::Row& r : rows) refs.push_back({"1" + r.Text(0), '1', r.Text(1)});
  }
  if (wanted("Role")) {
    OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT role_name_lower, role_name FROM iam_roles "
                                            "WHERE account_id = ?",
                                            {account}));
    for (const store::Row& r : rows) refs.push_back({"2" + r.Text(0), '2', r.Text(1)});
  }
  if (wanted("LocalManagedPolicy")) {
    OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_name_lower, arn FROM iam_policies "
                                            "WHERE account_id = ?",
                                            {account}));
    for (const store::Row& r : rows) refs.push_back({"3" + r.Text(0), '3', r.Text(1)});
  }
  if (wanted("AWSManagedPolicy")) {
    // AWS-COMPAT: of the AWS managed policies only those in use in the account are listed.
    OT_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT DISTINCT policy_arn FROM iam_attachments WHERE "
                                 "account_id = ? AND policy_arn LIKE 'arn:aws:iam::aws:%' "
                                 "UNION SELECT permissions_boundary_arn FROM iam_users WHERE "
                                 "account_id = ? AND permissions_boundary_arn LIKE "
                                 "'arn:aws:iam::aws:%' UNION SELECT permissions_boundary_arn "
                                 "FROM iam_roles WHERE account_id = ? AND "
                                 "permissions_boundary_arn LIKE 'arn:aws:iam::aws:%'",
                                 {account, account, account}));
    for (const store::Row& r : rows) refs.push_back({"4" + Lower(r.Text(0)), '4', r.Text(0)});
  }
  std::sort(refs.begin(), refs.end(),
            [](const DetailRef& a, const DetailRef& b) { return a.key < b.key; });
  Json out{{"UserDetailList", boost::json::array()},
           {"GroupDetailList", boost::json::array()},
           {"RoleDetailList", boost::json::array()},
           {"Policies", boost::json::array()}};
  size_t i = 0;
  while (i < refs.size() && refs[i].key < page.start_key) ++i;
  size_t emitted = 0;
  for (; i < refs.size() && emitted < page.max_items; ++i, ++emitted) {
    const DetailRef& ref = refs[i];
    switch (ref.kind) {
      case '0': {
        OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, ref.name));
        OT_ASSIGN_OR_RETURN(Json d, UserDetail(tx, user));
        out["UserDetailList"].as_array().push_back(std::move(d));
        break;
      }
      case '1': {
        OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, account, ref.name));
        OT_ASSIGN_OR_RETURN(Json d, GroupDetail(tx, group));
        out["GroupDetailList"].as_array().push_back(std::move(d));
        break;
      }
      case '2': {
        OT_ASSIGN_OR_RETURN(RoleRow role, RequireRole(tx, account, ref.name));
        OT_ASSIGN_OR_RETURN(Json d, RoleDetail(tx, role));
        out["RoleDetailList"].as_array().push_back(std::move(d));
        break;
      }
      default: {
        OT_ASSIGN_OR_RETURN(auto p, ResolvePolicyArn(tx, account, ref.name));
        if (!p.has_value()) break;
        OT_ASSIGN_OR_RETURN(Json d, PolicyDetail(tx, account, *p));
        out["Policies"].as_array().push_back(std::move(d));
        break;
      }
    }
  }
  bool truncated = i < refs.size();
  out["IsTruncated"] = truncated;
  if (truncated) out["Marker"] = EncodeMarker(refs[i].key);
  return out;
}

namespace {

void AppendKeyColumns(const std::vector<repo::AccessKeyRow>& keys, size_t index,
                      std::string* line) {
  if (index >= keys.size()) {
    line->append(",false,N/A,N/A,N/A,N/A");
    return;
  }
  const repo::AccessKeyRow& k = keys[index];
  line->append(k.status == "Active" ? ",true," : ",false,").append(ReportTime(k.created_at));
  if (k.last_used_at.has_value()) {
    line->append(",").append(ReportTime(*k.last_used_at));
    line->append(",").append(k.last_used_region.empty() ? "N/A" : k.last_used_region);
    line->append(",").append(k.last_used_service.empty() ? "N/A" : k.last_used_service);
  } else {
    line->append(",N/A,N/A,N/A");
  }
}

// The long-term keys of a principal, oldest first.
Result<std::vector<repo::AccessKeyRow>> KeysOf(store::Transaction& tx, const std::string& account,
                                               const std::string& type, const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto keys, repo::AccessKeysOf(tx, account, type, name));
  keys.erase(
      std::remove_if(keys.begin(), keys.end(),
                     [](const repo::AccessKeyRow& k) { return k.session_token.has_value(); }),
      keys.end());
  return keys;
}

// The CSV of the credential report: the root user first, then every IAM user by name.
Result<std::string> BuildCredentialReport(store::Transaction& tx, const std::string& account,
                                          double now) {
  std::string csv =
      "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
      "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
      "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
      "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
      "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
      "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n";
  OT_ASSIGN_OR_RETURN(auto policy_rows, tx.Query("SELECT policy FROM iam_password_policies WHERE "
                                                 "account_id = ?",
                                                 {account}));
  int64_t max_age_days = 0;
  if (!policy_rows.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(policy_rows.front().Text(0), ec);
    if (!ec && v.is_object()) max_age_days = Int(v.as_object(), "MaxPasswordAge").value_or(0);
  }
  auto mfa_active = [&](const std::string& user_id) -> Result<bool> {
    OT_ASSIGN_OR_RETURN(int64_t n, CountRows(tx,
                                             "SELECT COUNT(*) FROM iam_mfa_devices WHERE "
                                             "account_id = ? AND user_id = ?",
                                             {account, user_id}));
    return n > 0;
  };
  // cert_1_* and cert_2_*: the principal's signing certificates, oldest first ('' = root).
  auto cert_columns = [&](const std::string& user_id) -> Result<std::string> {
    OT_ASSIGN_OR_RETURN(auto certs, tx.Query("SELECT status, uploaded_at FROM "
                                             "iam_signing_certificates WHERE account_id = ? AND "
                                             "user_id = ? ORDER BY uploaded_at, certificate_id",
                                             {account, user_id}));
    std::string columns;
    for (size_t i = 0; i < 2; ++i) {
      if (i < certs.size()) {
        columns += certs[i].Text(0) == "Active" ? ",true," : ",false,";
        columns += ReportTime(certs[i].Double(1));
      } else {
        columns += ",false,N/A";
      }
    }
    return columns;
  };
  // Root.
  OT_ASSIGN_OR_RETURN(auto registered, repo::FindAccount(tx, account));
  double account_created = registered.has_value() ? registered->created_at : now;
  OT_ASSIGN_OR_RETURN(auto root_profile, tx.Query("SELECT password_last_used FROM "
                                                  "iam_login_profiles WHERE account_id = ? AND "
                                                  "user_id = ''",
                                                  {account}));
  std::string line = "<root_account>," + auth::RootArn(account) + "," + ReportTime(account_created);
  // AWS-COMPAT: the root row says not_supported for the password columns it cannot report.
  line += ",not_supported,";
  if (!root_profile.empty() && !root_profile.front().IsNull(0)) {
    line += ReportTime(root_profile.front().Double(0));
  } else {
    line += "no_information";
  }
  line += ",not_supported,not_supported";
  OT_ASSIGN_OR_RETURN(bool root_mfa, mfa_active(""));
  line += root_mfa ? ",true" : ",false";
  OT_ASSIGN_OR_RETURN(auto root_keys, KeysOf(tx, account, "Root", ""));
  AppendKeyColumns(root_keys, 0, &line);
  AppendKeyColumns(root_keys, 1, &line);
  OT_ASSIGN_OR_RETURN(std::string root_certs, cert_columns(""));
  line += root_certs + "\n";
  csv += line;
  // Users.
  OT_ASSIGN_OR_RETURN(auto users, tx.Query("SELECT user_id, user_name, path, created_at FROM "
                                           "iam_users WHERE account_id = ? ORDER BY "
                                           "user_name_lower",
                                           {account}));
  for (const store::Row& u : users) {
    std::string user_id = u.Text(0);
    line = u.Text(1) + "," + IamArn(account, "user", u.Text(2), u.Text(1)) + "," +
           ReportTime(u.Double(3));
    OT_ASSIGN_OR_RETURN(auto profile, tx.Query("SELECT password_last_used FROM "
                                               "iam_login_profiles WHERE account_id = ? AND "
                                               "user_id = ?",
                                               {account, user_id}));
    if (profile.empty()) {
      line += ",false,N/A,N/A,N/A";
    } else {
      line += ",true,";
      line += profile.front().IsNull(0) ? "no_information" : ReportTime(profile.front().Double(0));
      OT_ASSIGN_OR_RETURN(auto changed, tx.Query("SELECT MAX(changed_at) FROM "
                                                 "iam_password_history WHERE account_id = ? AND "
                                                 "user_id = ?",
                                                 {account, user_id}));
      if (changed.empty() || changed.front().IsNull(0)) {
        line += ",N/A,N/A";
      } else {
        double at = changed.front().Double(0);
        line += "," + ReportTime(at);
        line += max_age_days > 0 ? "," + ReportTime(at + static_cast<double>(max_age_days) * 86400)
                                 : std::string(",N/A");
      }
    }
    OT_ASSIGN_OR_RETURN(bool mfa, mfa_active(user_id));
    line += mfa ? ",true" : ",false";
    OT_ASSIGN_OR_RETURN(auto keys, KeysOf(tx, account, "User", u.Text(1)));
    AppendKeyColumns(keys, 0, &line);
    AppendKeyColumns(keys, 1, &line);
    OT_ASSIGN_OR_RETURN(std::string certs, cert_columns(user_id));
    line += certs + "\n";
    csv += line;
  }
  return csv;
}

}  // namespace

Result<Json> GenerateCredentialReport(gateway::RequestContext& ctx, const Json& /*input*/) {
  const std::string& account = AccountOf(ctx);
  double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT generated_at FROM iam_credential_reports "
                                          "WHERE account_id = ?",
                                          {account}));
  if (!rows.empty() && now - rows.front().Double(0) < kReportLifetimeSeconds) {
    return Json{{"State", "COMPLETE"}};
  }
  // The twin builds the report at once; the first call still answers STARTED, as AWS does when
  // it begins a new report.
  OT_ASSIGN_OR_RETURN(std::string csv, BuildCredentialReport(tx, account, now));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_credential_reports WHERE account_id = ?", {account}));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_credential_reports (account_id, generated_at, content) "
                          "VALUES (?, ?, ?)",
                          {account, now, csv}));
  return Json{{"State", "STARTED"},
              {"Description", "No report exists. Starting a new report generation task"}};
}

Result<Json> GetCredentialReport(gateway::RequestContext& ctx, const Json& /*input*/) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT generated_at, content FROM "
                                          "iam_credential_reports WHERE account_id = ?",
                                          {AccountOf(ctx)}));
  if (rows.empty()) {
    return NotFoundError(
               "The credential report does not exist. To generate a credential report, use "
               "GenerateCredentialReport.")
        .WithAwsCode("ReportNotPresent");
  }
  double generated = rows.front().Double(0);
  if (NowSeconds(ctx) - generated >= kReportLifetimeSeconds) {
    return NotFoundError(
               "The credential report has expired. To generate a new credential report, use "
               "GenerateCredentialReport.")
        .WithAwsCode("ReportExpired");
  }
  return Json{{"Content", Base64Encode(rows.front().Text(1))},
              {"ReportFormat", "text/csv"},
              {"GeneratedTime", generated}};
}

}  // namespace orgtwin::services::iam
