#include "repo/iam_repository.h"

#include <cctype>

#include <boost/json.hpp>

#include "common/ascii.h"
#include "common/ids.h"
#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

// AWS managed policies carry no creation date in the catalog; this is the date AWS shows for
// the oldest managed policies (AdministratorAccess and friends).
constexpr double kAwsManagedCreateDate = 1423247986;  // 2015-02-06T18:39:46Z

constexpr std::string_view kIamArnPrefix = "arn:aws:iam::";

// A stable ANPA... ID for an AWS managed policy the catalog has no ID for (FNV-1a of the ARN).
std::string DerivedPolicyId(std::string_view arn) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : arn) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string id = "ANPA";
  for (int i = 0; i < 17; ++i) {
    id.push_back(IdGenerator::kBase32Upper[h % 32]);
    h = (h / 32) ^ (h * 0x9E3779B97F4A7C15ull);
  }
  return id;
}

constexpr char kUserCols[] =
    "SELECT user_id, account_id, user_name, path, permissions_boundary_arn, created_at "
    "FROM iam_users ";
UserRow UserFromRow(const store::Row& r) {
  UserRow u;
  u.user_id = r.Text(0);
  u.account_id = r.Text(1);
  u.name = r.Text(2);
  u.path = r.Text(3);
  u.boundary_arn = r.Text(4);
  u.created_at = r.Double(5);
  return u;
}

constexpr char kGroupCols[] = "SELECT group_id, account_id, group_name, path, created_at ";
GroupRow GroupFromRow(const store::Row& r) {
  return GroupRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)};
}

constexpr char kRoleCols[] =
    "SELECT role_id, account_id, role_name, path, assume_role_policy, description, "
    "max_session_duration, permissions_boundary_arn, last_used_at, last_used_region, created_at "
    "FROM iam_roles ";
RoleRow RoleFromRow(const store::Row& r) {
  RoleRow role;
  role.role_id = r.Text(0);
  role.account_id = r.Text(1);
  role.name = r.Text(2);
  role.path = r.Text(3);
  role.trust_policy = r.Text(4);
  if (!r.IsNull(5)) role.description = r.Text(5);
  role.max_session_duration = r.Int(6);
  role.boundary_arn = r.Text(7);
  if (!r.IsNull(8)) role.last_used_at = r.Double(8);
  role.last_used_region = r.Text(9);
  role.created_at = r.Double(10);
  return role;
}

// The account of an IAM ARN ("arn:aws:iam::<account>:..."), "" when it is none.
std::string_view ArnAccount(std::string_view arn) {
  if (arn.substr(0, kIamArnPrefix.size()) != kIamArnPrefix) return {};
  std::string_view rest = arn.substr(kIamArnPrefix.size());
  size_t colon = rest.find(':');
  return colon == std::string_view::npos ? std::string_view() : rest.substr(0, colon);
}

Result<int64_t> CountOf(store::Transaction& tx, std::string_view sql,
                        const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return rows.front().Int(0);
}

constexpr char kMfaDeviceCols[] =
    "SELECT serial_number, account_id, device_name, path, seed_base32, user_id, enabled_at, "
    "last_used_step, created_at FROM iam_mfa_devices ";
MfaDeviceRow MfaDeviceFromRow(const store::Row& r) {
  MfaDeviceRow d;
  d.serial_number = r.Text(0);
  d.account_id = r.Text(1);
  d.device_name = r.Text(2);
  d.path = r.Text(3);
  d.seed_base32 = r.Text(4);
  if (!r.IsNull(5)) d.user_id = r.Text(5);
  if (!r.IsNull(6)) d.enabled_at = r.Double(6);
  d.last_used_step = r.Int(7);
  d.created_at = r.Double(8);
  return d;
}

Result<std::vector<MfaDeviceRow>> MfaDevicesWhere(store::Transaction& tx, std::string_view where,
                                                  const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kMfaDeviceCols) + std::string(where) +
                                              "ORDER BY serial_number LIMIT ?",
                                          params));
  std::vector<MfaDeviceRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(MfaDeviceFromRow(r));
  return out;
}

// A NULL for an empty text, as the nullable columns store "none".
store::Value TextOrNull(const std::string& text) {
  if (text.empty()) return std::monostate();
  return text;
}

}  // namespace

std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name) {
  std::string arn(kIamArnPrefix);
  arn.append(account_id).append(":").append(kind).append(path).append(name);
  return arn;
}

Result<std::optional<UserRow>> FindUser(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kUserCols) + "WHERE account_id = ? AND user_name_lower = ?",
                          {std::string(account_id), AsciiLowerCopy(name)}));
  if (rows.empty()) return std::optional<UserRow>();
  return std::optional<UserRow>(UserFromRow(rows.front()));
}

Result<std::optional<GroupRow>> FindGroup(store::Transaction& tx, std::string_view account_id,
                                          std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(std::string(kGroupCols) +
                                   "FROM iam_groups WHERE account_id = ? AND group_name_lower = ?",
                               {std::string(account_id), AsciiLowerCopy(name)}));
  if (rows.empty()) return std::optional<GroupRow>();
  return std::optional<GroupRow>(GroupFromRow(rows.front()));
}

Result<std::optional<RoleRow>> FindRole(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRoleCols) + "WHERE account_id = ? AND role_name_lower = ?",
                          {std::string(account_id), AsciiLowerCopy(name)}));
  if (rows.empty()) return std::optional<RoleRow>();
  return std::optional<RoleRow>(RoleFromRow(rows.front()));
}

Result<std::optional<RoleRow>> FindRoleById(store::Transaction& tx, std::string_view role_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRoleCols) + "WHERE role_id = ?", {std::string(role_id)}));
  if (rows.empty()) return std::optional<RoleRow>();
  return std::optional<RoleRow>(RoleFromRow(rows.front()));
}

Result<std::vector<RoleRow>> ListRoles(store::Transaction& tx, std::string_view account_id,
                                       std::string_view from_name_lower,
                                       std::string_view path_prefix, int64_t limit) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kRoleCols) + "WHERE account_id = ? AND role_name_lower >= ? AND "
                                        "substr(path, 1, ?) = ? ORDER BY role_name_lower LIMIT ?",
               {std::string(account_id), std::string(from_name_lower),
                static_cast<int64_t>(path_prefix.size()), std::string(path_prefix), limit}));
  std::vector<RoleRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(RoleFromRow(r));
  return out;
}

Result<std::optional<RoleRow>> FindRoleByArn(store::Transaction& tx, std::string_view arn) {
  // arn:aws:iam::<account>:role<path><name>
  std::string_view account = ArnAccount(arn);
  if (account.empty()) return std::optional<RoleRow>();
  std::string_view resource = arn.substr(kIamArnPrefix.size() + account.size() + 1);
  if (resource.substr(0, 5) != "role/") return std::optional<RoleRow>();
  size_t slash = resource.rfind('/');
  std::string_view name = resource.substr(slash + 1);
  std::string_view path = resource.substr(4, slash - 4 + 1);
  OT_ASSIGN_OR_RETURN(auto role, FindRole(tx, account, name));
  if (!role.has_value() || role->path != path) return std::optional<RoleRow>();
  return role;
}

Result<std::optional<std::string>> FindInstanceProfilePath(store::Transaction& tx,
                                                           std::string_view account_id,
                                                           std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT path FROM iam_instance_profiles "
                                          "WHERE account_id = ? AND profile_name_lower = ?",
                                          {std::string(account_id), AsciiLowerCopy(name)}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().Text(0));
}

Result<std::optional<std::string>> FindServerCertificatePath(store::Transaction& tx,
                                                             std::string_view account_id,
                                                             std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT path FROM iam_server_certificates "
                                          "WHERE account_id = ? AND certificate_name_lower = ?",
                                          {std::string(account_id), AsciiLowerCopy(name)}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().Text(0));
}

Result<std::optional<PolicyRow>> ResolvePolicyArn(store::Transaction& tx,
                                                  std::string_view account_id,
                                                  std::string_view arn) {
  if (arn.substr(0, 20) == "arn:aws:iam::aws:pol") {
    const policy::ManagedPolicy* managed = policy::ManagedPolicies().FindByArn(arn);
    if (managed == nullptr) return std::optional<PolicyRow>();
    PolicyRow p;
    p.aws_managed = true;
    p.policy_id = managed->policy_id.empty() ? DerivedPolicyId(managed->arn) : managed->policy_id;
    p.account_id = "aws";
    p.name = managed->name;
    p.path = managed->path.empty() ? "/" : managed->path;
    p.arn = managed->arn;
    p.default_version_id = managed->default_version_id.empty() ? "v1" : managed->default_version_id;
    p.is_attachable = managed->is_attachable;
    p.created_at = kAwsManagedCreateDate;
    p.updated_at = kAwsManagedCreateDate;
    p.catalog = managed;
    return std::optional<PolicyRow>(std::move(p));
  }
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT policy_id, account_id, policy_name, path, arn, description, "
                               "default_version_id, next_version, created_at, updated_at "
                               "FROM iam_policies WHERE arn = ? AND account_id = ?",
                               {std::string(arn), std::string(account_id)}));
  if (rows.empty()) return std::optional<PolicyRow>();
  const store::Row& r = rows.front();
  PolicyRow p;
  p.policy_id = r.Text(0);
  p.account_id = r.Text(1);
  p.name = r.Text(2);
  p.path = r.Text(3);
  p.arn = r.Text(4);
  if (!r.IsNull(5)) p.description = r.Text(5);
  p.default_version_id = r.Text(6);
  p.next_version = r.Int(7);
  p.created_at = r.Double(8);
  p.updated_at = r.Double(9);
  return std::optional<PolicyRow>(std::move(p));
}

Result<std::vector<PolicyVersionRow>> PolicyVersions(store::Transaction& tx,
                                                     const PolicyRow& policy) {
  std::vector<PolicyVersionRow> out;
  if (policy.aws_managed) {
    out.push_back(PolicyVersionRow{policy.default_version_id, 0, policy.catalog->document,
                                   policy.updated_at});
    return out;
  }
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT version_number, document, created_at FROM "
                                          "iam_policy_versions WHERE policy_id = ? "
                                          "ORDER BY version_number",
                                          {policy.policy_id}));
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(
        PolicyVersionRow{"v" + std::to_string(r.Int(0)), r.Int(0), r.Text(1), r.Double(2)});
  }
  return out;
}

Result<std::optional<std::pair<PolicyRow, std::string>>> DefaultPolicyDocument(
    store::Transaction& tx, std::string_view arn) {
  using Found = std::optional<std::pair<PolicyRow, std::string>>;
  std::string_view account = ArnAccount(arn);
  if (account.empty()) return Found();
  OT_ASSIGN_OR_RETURN(std::optional<PolicyRow> policy, ResolvePolicyArn(tx, account, arn));
  if (!policy.has_value()) return Found();
  if (policy->aws_managed) {
    std::string document = policy->catalog->document;
    return Found(std::in_place, *std::move(policy), std::move(document));
  }
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT document FROM iam_policy_versions "
               "WHERE policy_id = ? AND version_number = ?",
               {policy->policy_id,
                static_cast<int64_t>(std::stoll(policy->default_version_id.substr(1)))}));
  if (rows.empty()) return Found();
  std::string document = rows.front().Text(0);
  return Found(std::in_place, *std::move(policy), std::move(document));
}

Result<TagList> EntityTags(store::Transaction& tx, std::string_view entity_type,
                           std::string_view entity_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM iam_tags "
                                          "WHERE entity_type = ? AND entity_id = ? "
                                          "ORDER BY position",
                                          {std::string(entity_type), std::string(entity_id)}));
  TagList tags;
  tags.reserve(rows.size());
  for (const store::Row& r : rows) tags.emplace_back(r.Text(0), r.Text(1));
  return tags;
}

Result<std::vector<std::string>> AttachedPolicyArns(store::Transaction& tx,
                                                    std::string_view entity_type,
                                                    std::string_view entity_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_arn FROM iam_attachments "
                                          "WHERE entity_type = ? AND entity_id = ? "
                                          "ORDER BY attached_at, policy_arn",
                                          {std::string(entity_type), std::string(entity_id)}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(r.Text(0));
  return out;
}

Result<std::vector<InlinePolicyRow>> InlinePolicies(store::Transaction& tx,
                                                    std::string_view entity_type,
                                                    std::string_view entity_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_name, document FROM iam_inline_policies "
                                          "WHERE entity_type = ? AND entity_id = ? "
                                          "ORDER BY policy_name",
                                          {std::string(entity_type), std::string(entity_id)}));
  std::vector<InlinePolicyRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(InlinePolicyRow{r.Text(0), r.Text(1)});
  return out;
}

Result<int64_t> CountInlinePolicies(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id) {
  return CountOf(tx,
                 "SELECT COUNT(*) FROM iam_inline_policies WHERE entity_type = ? AND entity_id = ?",
                 {std::string(entity_type), std::string(entity_id)});
}

Result<std::vector<GroupRow>> GroupsOfUser(store::Transaction& tx, std::string_view user_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kGroupCols) + "FROM iam_group_members m JOIN iam_groups g "
                                                    "USING (group_id) WHERE m.user_id = ? "
                                                    "ORDER BY group_id",
                          {std::string(user_id)}));
  std::vector<GroupRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(GroupFromRow(r));
  return out;
}

Result<int64_t> AttachmentCount(store::Transaction& tx, std::string_view account_id,
                                std::string_view arn) {
  return CountOf(tx, "SELECT COUNT(*) FROM iam_attachments WHERE account_id = ? AND policy_arn = ?",
                 {std::string(account_id), std::string(arn)});
}

Result<int64_t> BoundaryUsageCount(store::Transaction& tx, std::string_view account_id,
                                   std::string_view arn) {
  const std::vector<store::Value> params{std::string(account_id), std::string(arn)};
  OT_ASSIGN_OR_RETURN(int64_t users, CountOf(tx,
                                             "SELECT COUNT(*) FROM iam_users WHERE account_id = ? "
                                             "AND permissions_boundary_arn = ?",
                                             params));
  OT_ASSIGN_OR_RETURN(int64_t roles, CountOf(tx,
                                             "SELECT COUNT(*) FROM iam_roles WHERE account_id = ? "
                                             "AND permissions_boundary_arn = ?",
                                             params));
  return users + roles;
}

namespace {

// The accounts column that counts `kind` (migration 0031), and the UPDATE that moves it by one.
std::string_view CountColumn(CountedEntity kind) {
  return kind == CountedEntity::kUser ? "iam_user_count" : "iam_role_count";
}

Status MoveCount(store::Transaction& tx, CountedEntity kind, const std::string& account_id,
                 int64_t by) {
  const std::string column(CountColumn(kind));
  return internal::Exec(
      tx, "UPDATE accounts SET " + column + " = " + column + " + ? WHERE account_id = ?",
      {by, account_id});
}

}  // namespace

Result<int64_t> EntityCount(store::Transaction& tx, CountedEntity kind,
                            std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(CountColumn(kind)) +
                                              " FROM accounts WHERE account_id = ?",
                                          {std::string(account_id)}));
  return rows.empty() ? 0 : rows.front().Int(0);  // no account row: it can hold no entity
}

Status InsertUser(store::Transaction& tx, const UserRow& user) {
  OT_RETURN_IF_ERROR(internal::Exec(
      tx,
      "INSERT INTO iam_users (user_id, account_id, user_name, user_name_lower, path, "
      "permissions_boundary_arn, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {user.user_id, user.account_id, user.name, AsciiLowerCopy(user.name), user.path,
       TextOrNull(user.boundary_arn), user.created_at}));
  return MoveCount(tx, CountedEntity::kUser, user.account_id, 1);
}

Status DeleteUser(store::Transaction& tx, const UserRow& user) {
  OT_RETURN_IF_ERROR(internal::Exec(tx, "DELETE FROM iam_users WHERE user_id = ?", {user.user_id}));
  return MoveCount(tx, CountedEntity::kUser, user.account_id, -1);
}

Status InsertRole(store::Transaction& tx, const RoleRow& role) {
  store::Value description = std::monostate();
  if (role.description.has_value()) description = *role.description;
  OT_RETURN_IF_ERROR(internal::Exec(
      tx,
      "INSERT INTO iam_roles (role_id, account_id, role_name, role_name_lower, path, "
      "assume_role_policy, description, max_session_duration, permissions_boundary_arn, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {role.role_id, role.account_id, role.name, AsciiLowerCopy(role.name), role.path,
       role.trust_policy, description, role.max_session_duration, TextOrNull(role.boundary_arn),
       role.created_at}));
  return MoveCount(tx, CountedEntity::kRole, role.account_id, 1);
}

Status DeleteRole(store::Transaction& tx, const RoleRow& role) {
  OT_RETURN_IF_ERROR(internal::Exec(tx, "DELETE FROM iam_roles WHERE role_id = ?", {role.role_id}));
  return MoveCount(tx, CountedEntity::kRole, role.account_id, -1);
}

Status InsertAttachment(store::Transaction& tx, std::string_view account_id,
                        std::string_view entity_type, std::string_view entity_id,
                        std::string_view arn, double attached_at) {
  return internal::Exec(tx,
                        "INSERT INTO iam_attachments (account_id, entity_type, entity_id, "
                        "policy_arn, attached_at) VALUES (?, ?, ?, ?, ?)",
                        {std::string(account_id), std::string(entity_type), std::string(entity_id),
                         std::string(arn), attached_at});
}

Status RecordRoleUse(store::Transaction& tx, std::string_view role_id, double at,
                     std::string_view region) {
  return internal::Exec(
      tx, "UPDATE iam_roles SET last_used_at = ?, last_used_region = ? WHERE role_id = ?",
      {at, std::string(region), std::string(role_id)});
}

Result<std::optional<MfaDeviceRow>> FindMfaDevice(store::Transaction& tx,
                                                  std::string_view serial_number) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kMfaDeviceCols) + "WHERE serial_number = ?",
                                          {std::string(serial_number)}));
  if (rows.empty()) return std::optional<MfaDeviceRow>();
  return std::optional<MfaDeviceRow>(MfaDeviceFromRow(rows.front()));
}

Result<std::vector<MfaDeviceRow>> MfaDevicesOfUser(store::Transaction& tx,
                                                   std::string_view account_id,
                                                   std::string_view user_id,
                                                   std::string_view start_serial, int64_t limit) {
  return MfaDevicesWhere(
      tx, "WHERE account_id = ? AND user_id = ? AND serial_number >= ? ",
      {std::string(account_id), std::string(user_id), std::string(start_serial), limit});
}

Result<std::vector<MfaDeviceRow>> MfaDevicesOfAccount(store::Transaction& tx,
                                                      std::string_view account_id,
                                                      MfaAssignment assignment,
                                                      std::string_view start_serial,
                                                      int64_t limit) {
  std::string where = "WHERE account_id = ? AND serial_number >= ? ";
  if (assignment == MfaAssignment::kAssigned) where += "AND user_id IS NOT NULL ";
  if (assignment == MfaAssignment::kUnassigned) where += "AND user_id IS NULL ";
  return MfaDevicesWhere(tx, where, {std::string(account_id), std::string(start_serial), limit});
}

Status SetMfaLastUsedStep(store::Transaction& tx, std::string_view serial_number, int64_t step) {
  return internal::Exec(tx, "UPDATE iam_mfa_devices SET last_used_step = ? WHERE serial_number = ?",
                        {step, std::string(serial_number)});
}

namespace {
// The lists of an OIDC provider are JSON arrays of strings (identity_providers.cc writes them).
std::vector<std::string> StringList(const std::string& json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& item : value.get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}
}  // namespace

Result<std::optional<OidcProviderRow>> FindOidcProvider(store::Transaction& tx,
                                                        std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT arn, account_id, url, client_ids, thumbprints "
                                          "FROM iam_oidc_providers WHERE arn = ?",
                                          {std::string(arn)}));
  if (rows.empty()) return std::optional<OidcProviderRow>();
  const store::Row& r = rows.front();
  return std::optional<OidcProviderRow>(OidcProviderRow{
      r.Text(0), r.Text(1), r.Text(2), StringList(r.Text(3)), StringList(r.Text(4))});
}

Result<std::optional<SamlProviderRow>> FindSamlProvider(store::Transaction& tx,
                                                        std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT arn, account_id, provider_name, entity_id, "
                               "signing_certificates, valid_until FROM iam_saml_providers "
                               "WHERE arn = ?",
                               {std::string(arn)}));
  if (rows.empty()) return std::optional<SamlProviderRow>();
  const store::Row& r = rows.front();
  SamlProviderRow row{r.Text(0), r.Text(1), r.Text(2), r.Text(3), {}, r.Double(5)};
  // One base64 DER certificate per line.
  const std::string certificates = r.Text(4);
  size_t start = 0;
  while (start < certificates.size()) {
    size_t end = certificates.find('\n', start);
    if (end == std::string::npos) end = certificates.size();
    std::string line = certificates.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) row.signing_certificates.push_back(std::move(line));
    start = end + 1;
  }
  return std::optional<SamlProviderRow>(std::move(row));
}

}  // namespace orgtwin::repo
