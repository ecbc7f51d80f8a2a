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

Status Void(const Result<int64_t>& r) { return r.ok() ? Status::Ok() : r.status(); }

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

std::string NewUniqueId(IdGenerator& ids, std::string_view prefix) {
  // Sortable (IdGenerator::SortableString): iam_roles, iam_users, ... are keyed by these IDs.
  return std::string(prefix) + ids.SortableString(17, 6, IdGenerator::kBase32UpperSorted);
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
  OT_ASSIGN_OR_RETURN(repo::TagList rows, repo::EntityTags(tx, entity_type, entity_id));
  boost::json::array tags;
  tags.reserve(rows.size());
  for (const auto& [key, value] : rows) {
    tags.push_back(boost::json::object{{"Key", key}, {"Value", value}});
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

}  // namespace orgtwin::services::iam
