#include "services/iam/iam_entities.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace orgtwin::services::iam {
namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Markers carry a version tag so a marker from elsewhere is rejected, not misread.
constexpr std::string_view kMarkerTag = "ot1:";

// AWS managed policies carry no creation date in the catalog; this is the date AWS shows for
// the oldest managed policies (AdministratorAccess and friends).
constexpr double kAwsManagedCreateDate = 1423247986;  // 2015-02-06T18:39:46Z

std::string Base64Url(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 0x3F]);
  return out;
}

bool FromBase64Url(std::string_view in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kB64.find(c);
    if (v == std::string_view::npos) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

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

Status Void(const Result<int64_t>& r) { return r.ok() ? Status::Ok() : r.status(); }

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
constexpr char kUserCols[] =
    "SELECT user_id, account_id, user_name, path, permissions_boundary_arn, created_at "
    "FROM iam_users ";

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

}  // namespace

Status NoSuchEntity(std::string message) {
  return NotFoundError(std::move(message)).WithAwsCode("NoSuchEntity");
}
Status EntityAlreadyExists(std::string message) {
  return AlreadyExistsError(std::move(message)).WithAwsCode("EntityAlreadyExists");
}
Status DeleteConflict(std::string message) {
  return ConflictError(std::move(message)).WithAwsCode("DeleteConflict");
}
Status LimitExceeded(std::string message) {
  return LimitExceededError(std::move(message)).WithAwsCode("LimitExceeded");
}
Status InvalidInput(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("InvalidInput");
}
Status MalformedPolicyDocument(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("MalformedPolicyDocument");
}

Status UnmodifiableEntity(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("UnmodifiableEntity");
}
Status InvalidAuthenticationCode(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("InvalidAuthenticationCode");
}
Status PasswordPolicyViolation(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("PasswordPolicyViolation");
}

Status ProtectedRole(std::string_view role_name) {
  return UnmodifiableEntity("Cannot perform the operation on the protected role '" +
                            std::string(role_name) + "' - this role is only modifiable by AWS");
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string NewUniqueId(IdGenerator& ids, std::string_view prefix) {
  // Sortable (IdGenerator::SortableString): iam_roles, iam_users, ... are keyed by these IDs.
  return std::string(prefix) + ids.SortableString(17, 6, IdGenerator::kBase32UpperSorted);
}

std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn.append(account_id).append(":").append(kind).append(path).append(name);
  return arn;
}

std::string UrlEncodeDocument(std::string_view document) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(document.size() * 2);
  for (unsigned char c : document) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string EncodeMarker(std::string_view key) {
  std::string raw(kMarkerTag);
  raw.append(key);
  return Base64Url(raw);
}

Result<std::string> DecodeMarker(std::string_view marker) {
  std::string raw;
  if (!FromBase64Url(marker, &raw) || raw.compare(0, kMarkerTag.size(), kMarkerTag) != 0) {
    return InvalidInput("Invalid Marker.");
  }
  return raw.substr(kMarkerTag.size());
}

Result<std::optional<UserRow>> FindUser(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kUserCols) + "WHERE account_id = ? AND user_name_lower = ?",
                          {std::string(account_id), Lower(name)}));
  if (rows.empty()) return std::optional<UserRow>();
  return std::optional<UserRow>(UserFromRow(rows.front()));
}

Result<std::optional<GroupRow>> FindGroup(store::Transaction& tx, std::string_view account_id,
                                          std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_id, account_id, group_name, path, "
                                          "created_at FROM iam_groups "
                                          "WHERE account_id = ? AND group_name_lower = ?",
                                          {std::string(account_id), Lower(name)}));
  if (rows.empty()) return std::optional<GroupRow>();
  const store::Row& r = rows.front();
  return std::optional<GroupRow>(GroupRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)});
}

Result<std::optional<RoleRow>> FindRole(store::Transaction& tx, std::string_view account_id,
                                        std::string_view name) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRoleCols) + "WHERE account_id = ? AND role_name_lower = ?",
                          {std::string(account_id), Lower(name)}));
  if (rows.empty()) return std::optional<RoleRow>();
  return std::optional<RoleRow>(RoleFromRow(rows.front()));
}

Result<std::optional<RoleRow>> FindRoleByArn(store::Transaction& tx, std::string_view arn) {
  // arn:aws:iam::<account>:role<path><name>
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return std::optional<RoleRow>();
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::optional<RoleRow>();
  std::string_view account = rest.substr(0, colon);
  std::string_view resource = rest.substr(colon + 1);
  if (resource.substr(0, 5) != "role/") return std::optional<RoleRow>();
  size_t slash = resource.rfind('/');
  std::string_view name = resource.substr(slash + 1);
  std::string_view path = resource.substr(4, slash - 4 + 1);
  OT_ASSIGN_OR_RETURN(auto role, FindRole(tx, account, name));
  if (!role.has_value() || role->path != path) return std::optional<RoleRow>();
  return role;
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

Result<UserRow> RequireUser(store::Transaction& tx, std::string_view account_id,
                            std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto user, FindUser(tx, account_id, name));
  if (!user.has_value()) {
    return NoSuchEntity("The user with name " + std::string(name) + " cannot be found.");
  }
  return *std::move(user);
}

Result<GroupRow> RequireGroup(store::Transaction& tx, std::string_view account_id,
                              std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto group, FindGroup(tx, account_id, name));
  if (!group.has_value()) {
    return NoSuchEntity("The group with name " + std::string(name) + " cannot be found.");
  }
  return *std::move(group);
}

Result<RoleRow> RequireRole(store::Transaction& tx, std::string_view account_id,
                            std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto role, FindRole(tx, account_id, name));
  if (!role.has_value()) {
    return NoSuchEntity("The role with name " + std::string(name) + " cannot be found.");
  }
  return *std::move(role);
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
  for (const store::Row& r : rows) {
    out.push_back(
        PolicyVersionRow{"v" + std::to_string(r.Int(0)), r.Int(0), r.Text(1), r.Double(2)});
  }
  return out;
}

boost::json::object BoundaryObject(const std::string& arn) {
  return boost::json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                             {"PermissionsBoundaryArn", arn}};
}

boost::json::object UserObject(const UserRow& user) {
  return boost::json::object{{"Path", user.path},
                             {"UserName", user.name},
                             {"UserId", user.user_id},
                             {"Arn", user.Arn()},
                             {"CreateDate", user.created_at}};
}

boost::json::object GroupObject(const GroupRow& group) {
  return boost::json::object{{"Path", group.path},
                             {"GroupName", group.name},
                             {"GroupId", group.group_id},
                             {"Arn", group.Arn()},
                             {"CreateDate", group.created_at}};
}

boost::json::object RoleObject(const RoleRow& role, bool full) {
  boost::json::object out{{"Path", role.path},
                          {"RoleName", role.name},
                          {"RoleId", role.role_id},
                          {"Arn", role.Arn()},
                          {"CreateDate", role.created_at},
                          {"AssumeRolePolicyDocument", UrlEncodeDocument(role.trust_policy)},
                          {"MaxSessionDuration", role.max_session_duration}};
  if (role.description.has_value()) out["Description"] = *role.description;
  if (full) {
    if (!role.boundary_arn.empty()) out["PermissionsBoundary"] = BoundaryObject(role.boundary_arn);
    boost::json::object last_used;
    if (role.last_used_at.has_value()) {
      last_used["LastUsedDate"] = *role.last_used_at;
      last_used["Region"] = role.last_used_region;
    }
    out["RoleLastUsed"] = std::move(last_used);
  }
  return out;
}

Result<boost::json::array> ReadTags(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM iam_tags "
                                          "WHERE entity_type = ? AND entity_id = ? "
                                          "ORDER BY position",
                                          {std::string(entity_type), std::string(entity_id)}));
  boost::json::array tags;
  for (const store::Row& r : rows) {
    tags.push_back(boost::json::object{{"Key", r.Text(0)}, {"Value", r.Text(1)}});
  }
  return tags;
}

Status ApplyTags(store::Transaction& tx, std::string_view entity_type, std::string_view entity_id,
                 const boost::json::array& tags) {
  std::set<std::string> seen;
  for (const auto& tag : tags) {
    const auto& key = tag.as_object().at("Key").as_string();
    if (!seen.insert(Lower(std::string_view(key.data(), key.size()))).second) {
      // AWS-COMPAT: IAM's wording for a request that repeats a key in any casing.
      return InvalidInput(
          "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
  }
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key_lower, position FROM iam_tags "
                                          "WHERE entity_type = ? AND entity_id = ?",
                                          {std::string(entity_type), std::string(entity_id)}));
  std::set<std::string> existing;
  int64_t next_position = 0;
  for (const store::Row& r : rows) {
    existing.insert(r.Text(0));
    next_position = std::max(next_position, r.Int(1) + 1);
  }
  size_t added = 0;
  for (const std::string& key : seen) added += existing.count(key) == 0 ? 1 : 0;
  if (existing.size() + added > static_cast<size_t>(kTagsPerEntity)) {
    return LimitExceeded("The number of tags has reached the maximum limit.");
  }
  for (const auto& tag : tags) {
    const auto& obj = tag.as_object();
    std::string key(obj.at("Key").as_string());
    std::string value(obj.at("Value").as_string());
    std::string lower = Lower(key);
    if (existing.count(lower) != 0) {
      OT_RETURN_IF_ERROR(
          Void(tx.Execute("UPDATE iam_tags SET tag_key = ?, tag_value = ? "
                          "WHERE entity_type = ? AND entity_id = ? AND tag_key_lower = ?",
                          {key, value, std::string(entity_type), std::string(entity_id), lower})));
    } else {
      OT_RETURN_IF_ERROR(Void(tx.Execute(
          "INSERT INTO iam_tags (entity_type, entity_id, tag_key, tag_key_lower, tag_value, "
          "position) VALUES (?, ?, ?, ?, ?, ?)",
          {std::string(entity_type), std::string(entity_id), key, lower, value, next_position++})));
    }
  }
  return Status::Ok();
}

Status RemoveTags(store::Transaction& tx, std::string_view entity_type, std::string_view entity_id,
                  const boost::json::array& keys) {
  for (const auto& key : keys) {
    const auto& k = key.as_string();
    OT_RETURN_IF_ERROR(Void(tx.Execute(
        "DELETE FROM iam_tags WHERE entity_type = ? AND entity_id = ? AND tag_key_lower = ?",
        {std::string(entity_type), std::string(entity_id),
         Lower(std::string_view(k.data(), k.size()))})));
  }
  return Status::Ok();
}

Status DeleteAllTags(store::Transaction& tx, std::string_view entity_type,
                     std::string_view entity_id) {
  return Void(tx.Execute("DELETE FROM iam_tags WHERE entity_type = ? AND entity_id = ?",
                         {std::string(entity_type), std::string(entity_id)}));
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

Result<int64_t> CountInlinePolicies(store::Transaction& tx, std::string_view entity_type,
                                    std::string_view entity_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM iam_inline_policies "
                                          "WHERE entity_type = ? AND entity_id = ?",
                                          {std::string(entity_type), std::string(entity_id)}));
  return rows.front().Int(0);
}

Result<int64_t> AttachmentCount(store::Transaction& tx, std::string_view account_id,
                                std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM iam_attachments "
                                          "WHERE account_id = ? AND policy_arn = ?",
                                          {std::string(account_id), std::string(arn)}));
  return rows.front().Int(0);
}

Result<int64_t> BoundaryUsageCount(store::Transaction& tx, std::string_view account_id,
                                   std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto users, tx.Query("SELECT COUNT(*) FROM iam_users WHERE account_id = ? "
                                           "AND permissions_boundary_arn = ?",
                                           {std::string(account_id), std::string(arn)}));
  OT_ASSIGN_OR_RETURN(auto roles, tx.Query("SELECT COUNT(*) FROM iam_roles WHERE account_id = ? "
                                           "AND permissions_boundary_arn = ?",
                                           {std::string(account_id), std::string(arn)}));
  return users.front().Int(0) + roles.front().Int(0);
}

}  // namespace orgtwin::services::iam
