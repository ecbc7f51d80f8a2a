#include "services/organizations/org_store.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/ascii.h"
#include "gateway/gateway.h"
#include "policy/catalog.h"
#include "repo/account_repository.h"
#include "repo/billing_repository.h"
#include "services/iam/iam_entities.h"

namespace orgtwin::services::organizations {
namespace {

constexpr std::string_view kTokenTag = "otorg1|";

constexpr std::string_view kLowerDigits = "0123456789abcdefghijklmnopqrstuvwxyz";

std::string HexEncode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool HexDecode(std::string_view hex, std::string* raw) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  raw->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

// ---- Errors ----

Status OrgError(std::string_view aws_code, std::string message) {
  ErrorCode code = ErrorCode::kInvalidInput;
  if (aws_code.find("NotFound") != std::string_view::npos ||
      aws_code == "AWSOrganizationsNotInUseException") {
    code = ErrorCode::kNotFound;
  } else if (aws_code.rfind("Duplicate", 0) == 0 ||
             aws_code.find("Already") != std::string_view::npos) {
    code = ErrorCode::kAlreadyExists;
  } else if (aws_code == "AccessDeniedException") {
    code = ErrorCode::kAccessDenied;
  } else if (aws_code == "ConstraintViolationException") {
    code = ErrorCode::kLimitExceeded;
  } else if (aws_code.find("NotEmpty") != std::string_view::npos ||
             aws_code == "ConcurrentModificationException" || aws_code == "ConflictException") {
    code = ErrorCode::kConflict;
  }
  return Status(code, std::move(message)).WithAwsCode(std::string(aws_code));
}

Status ConstraintViolation(std::string_view reason, std::string message) {
  return OrgError("ConstraintViolationException", std::move(message))
      .WithField("Reason", std::string(reason));
}

Status InvalidInput(std::string_view reason, std::string message) {
  return OrgError("InvalidInputException", std::move(message))
      .WithField("Reason", std::string(reason));
}

Status HandshakeConstraintViolation(std::string_view reason, std::string message) {
  return OrgError("HandshakeConstraintViolationException", std::move(message))
      .WithField("Reason", std::string(reason));
}

Status NotInUse() {
  return OrgError("AWSOrganizationsNotInUseException",
                  "Your account is not a member of an organization.");
}

Status AccessDenied() {
  return OrgError("AccessDeniedException", "You don't have permissions to access this resource.");
}

// ---- IDs and ARNs ----

std::string NewOrgId(IdGenerator& ids) { return "o-" + ids.RandomString(10, kLowerDigits); }
std::string NewRootId(IdGenerator& ids) { return "r-" + ids.RandomString(4, kLowerDigits); }
std::string NewOuId(IdGenerator& ids, std::string_view root_id) {
  std::string_view suffix = root_id.size() > 2 ? root_id.substr(2) : root_id;
  return "ou-" + std::string(suffix) + "-" + ids.RandomString(8, kLowerDigits);
}
std::string NewPolicyId(IdGenerator& ids) { return "p-" + ids.RandomString(8, kLowerDigits); }
std::string NewHandshakeId(IdGenerator& ids) { return "h-" + ids.RandomString(10, kLowerDigits); }
std::string NewTransferId(IdGenerator& ids) { return "rt-" + ids.RandomString(12, kLowerDigits); }
std::string NewCreateAccountRequestId(IdGenerator& ids) {
  // Sortable (IdGenerator::SortableString): org_create_account_status is keyed by it.
  return "car-" + ids.SortableString(10, 4, kLowerDigits);
}

namespace {
std::string ArnPrefix(const OrgRow& org) {
  return "arn:aws:organizations::" + org.management_account_id + ":";
}
}  // namespace

std::string OrganizationArn(const OrgRow& org) {
  return ArnPrefix(org) + "organization/" + org.org_id;
}
std::string RootArn(const OrgRow& org, std::string_view root_id) {
  return ArnPrefix(org) + "root/" + org.org_id + "/" + std::string(root_id);
}
std::string OuArn(const OrgRow& org, std::string_view ou_id) {
  return ArnPrefix(org) + "ou/" + org.org_id + "/" + std::string(ou_id);
}
std::string AccountArn(const OrgRow& org, std::string_view account_id) {
  return ArnPrefix(org) + "account/" + org.org_id + "/" + std::string(account_id);
}
std::string PolicyArn(const OrgRow& org, std::string_view policy_type, std::string_view policy_id,
                      bool aws_managed) {
  std::string type = AsciiLowerCopy(policy_type);
  if (aws_managed) {
    return "arn:aws:organizations::aws:policy/" + type + "/" + std::string(policy_id);
  }
  return ArnPrefix(org) + "policy/" + org.org_id + "/" + type + "/" + std::string(policy_id);
}
std::string HandshakeArn(const OrgRow& org, std::string_view action,
                         std::string_view handshake_id) {
  return ArnPrefix(org) + "handshake/" + org.org_id + "/" + AsciiLowerCopy(action) + "/" +
         std::string(handshake_id);
}

// ---- Lookups ----

Result<OrgRow> RequireOrganization(store::Transaction& tx, std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto org, FindOrganizationForAccount(tx, account_id));
  if (!org.has_value()) return NotInUse();
  return *std::move(org);
}

Result<OrgRow> RequireManagementAccount(store::Transaction& tx, std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, account_id));
  if (org.management_account_id != account_id) return AccessDenied();
  return org;
}

Result<OrgRow> RequireManagementOrDelegatedAdmin(store::Transaction& tx,
                                                 std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireOrganization(tx, account_id));
  if (org.management_account_id == account_id) return org;
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_delegated_admins WHERE org_id = ? "
                                       "AND account_id = ?",
                                       {org.org_id, std::string(account_id)}));
  if (n == 0) return AccessDenied();
  return org;
}

// ---- Shared writes ----

Status EnsureAwsManagedPolicies(store::Transaction& tx, double now) {
  for (const char* id : {kFullAwsAccessPolicyId, kRcpFullAwsAccessPolicyId}) {
    const policy::OrganizationsManagedPolicy* managed =
        policy::ManagedPolicies().FindOrganizations(id);
    if (managed == nullptr) return InternalError(std::string("catalog lacks ") + id);
    OT_ASSIGN_OR_RETURN(
        int64_t n,
        Count(tx, "SELECT COUNT(*) FROM org_policies WHERE policy_id = ?", {managed->id}));
    if (n > 0) continue;
    OT_RETURN_IF_ERROR(Exec(
        tx,
        "INSERT INTO org_policies (policy_id, org_id, policy_type, name, "
        "description, content, aws_managed, created_at) "
        "VALUES (?, NULL, ?, ?, ?, ?, 1, ?)",
        {managed->id, managed->type, managed->name, managed->description, managed->content, now}));
  }
  return Status::Ok();
}

Status AttachDefaultPolicies(store::Transaction& tx, std::string_view org_id,
                             std::string_view target_id) {
  // One statement for both types, and no existence check: ON CONFLICT keeps an attachment that
  // is already there (this runs for every created and every joining account).
  return Exec(tx,
              "INSERT INTO org_policy_attachments (org_id, policy_id, target_id) "
              "SELECT r.org_id, CASE t.policy_type WHEN ? THEN ? ELSE ? END, ? "
              "FROM org_root_policy_types t JOIN org_roots r ON r.root_id = t.root_id "
              "WHERE r.org_id = ? AND t.status = 'ENABLED' AND t.policy_type IN (?, ?) "
              "ON CONFLICT (org_id, policy_id, target_id) DO NOTHING",
              {std::string(kScpType), std::string(kFullAwsAccessPolicyId),
               std::string(kRcpFullAwsAccessPolicyId), std::string(target_id), std::string(org_id),
               std::string(kScpType), std::string(kRcpType)});
}

Status EnsureOrganizationsRole(gateway::RequestContext& ctx, store::Transaction& tx,
                               const std::string& account_id, double now) {
  return iam::EnsureServiceLinkedRole(tx, ctx.twin.ids, account_id,
                                      iam::kOrganizationsServicePrincipal, now);
}

Status AddMembership(store::Transaction& tx, std::string_view account_id, std::string_view org_id,
                     std::string_view parent_id, std::string_view joined_method, double joined_at) {
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO org_accounts (account_id, org_id, parent_id, "
                          "joined_method, joined_at, joined_seq) VALUES (?, ?, ?, ?, ?, "
                          "(SELECT COALESCE(MAX(joined_seq), 0) + 1 FROM org_accounts "
                          "WHERE org_id = ?))",
                          {std::string(account_id), std::string(org_id), std::string(parent_id),
                           std::string(joined_method), joined_at, std::string(org_id)}));
  OT_RETURN_IF_ERROR(repo::SetMembershipChangedAt(tx, account_id, joined_at));
  // From now on the organization's management account pays for the account (consolidated
  // billing, services/billing/).
  OT_ASSIGN_OR_RETURN(auto payer, tx.Query("SELECT management_account_id FROM organizations "
                                           "WHERE org_id = ?",
                                           {std::string(org_id)}));
  if (payer.empty()) return InternalError("no organization " + std::string(org_id));
  OT_RETURN_IF_ERROR(
      repo::OpenPayerPeriod(tx, account_id, org_id, payer.front().Text(0), joined_at));
  return Exec(tx, "UPDATE organizations SET member_count = member_count + 1 WHERE org_id = ?",
              {std::string(org_id)});
}

Status RemoveMembership(store::Transaction& tx, std::string_view account_id,
                        std::string_view org_id, double now) {
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_accounts WHERE account_id = ? AND org_id = ?",
                          {std::string(account_id), std::string(org_id)}));
  OT_RETURN_IF_ERROR(repo::SetMembershipChangedAt(tx, account_id, now));
  OT_RETURN_IF_ERROR(repo::ClosePayerPeriod(tx, account_id, org_id, now));
  return Exec(tx, "UPDATE organizations SET member_count = member_count - 1 WHERE org_id = ?",
              {std::string(org_id)});
}

Status ForgetTarget(store::Transaction& tx, std::string_view org_id, std::string_view target_id) {
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM org_policy_attachments WHERE org_id = ? AND target_id = ?",
                          {std::string(org_id), std::string(target_id)}));
  return Exec(tx, "DELETE FROM org_tags WHERE resource_id = ?", {std::string(target_id)});
}

// ---- Shapes ----

Json OrganizationObject(const OrgRow& org) {
  Json out;
  out["Id"] = org.org_id;
  out["Arn"] = OrganizationArn(org);
  out["FeatureSet"] = org.feature_set;
  out["MasterAccountArn"] = AccountArn(org, org.management_account_id);
  out["MasterAccountId"] = org.management_account_id;
  out["MasterAccountEmail"] = org.management_email;
  // AvailablePolicyTypes is deprecated and no longer tracks the root: an organization with all
  // features shows SCP as ENABLED whether or not the root has it (AWS-FACTS 2.2); ListRoots tells
  // the truth.
  boost::json::array types;
  if (org.feature_set == "ALL") {
    types.push_back(Json{{"Type", std::string(kScpType)}, {"Status", "ENABLED"}});
  }
  out["AvailablePolicyTypes"] = std::move(types);
  return out;
}

Json RootObject(const OrgRow& org, const RootRow& root,
                const std::vector<std::pair<std::string, std::string>>& policy_types) {
  boost::json::array types;
  for (const auto& [type, status] : policy_types) {
    types.push_back(Json{{"Type", type}, {"Status", status}});
  }
  return Json{{"Id", root.root_id},
              {"Arn", RootArn(org, root.root_id)},
              {"Name", root.name},
              {"PolicyTypes", std::move(types)}};
}

Json OuObject(const OrgRow& org, const OuRow& ou) {
  return Json{{"Id", ou.ou_id}, {"Arn", OuArn(org, ou.ou_id)}, {"Name", ou.name}};
}

Json AccountObject(const OrgRow& org, const MemberRow& member) {
  // The legacy Status has no CLOSED / PENDING_ACTIVATION.
  std::string status = member.state;
  if (status != "ACTIVE" && status != "SUSPENDED" && status != "PENDING_CLOSURE") {
    status = status == "CLOSED" ? "SUSPENDED" : "ACTIVE";
  }
  return Json{{"Id", member.account_id},
              {"Arn", AccountArn(org, member.account_id)},
              {"Email", member.email},
              {"Name", member.name},
              {"Status", status},
              {"State", member.state},
              {"JoinedMethod", member.joined_method},
              {"JoinedTimestamp", member.joined_at}};
}

// ---- Tags ----

Result<boost::json::array> ReadTags(store::Transaction& tx, std::string_view resource_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM org_tags "
                                          "WHERE resource_id = ? ORDER BY tag_key",
                                          {std::string(resource_id)}));
  boost::json::array out;
  for (const store::Row& r : rows) out.push_back(Json{{"Key", r.Text(0)}, {"Value", r.Text(1)}});
  return out;
}

Status ApplyTags(store::Transaction& tx, std::string_view resource_id,
                 const boost::json::array& tags) {
  std::set<std::string> keys;
  for (const boost::json::value& tag : tags) {
    if (!tag.is_object()) continue;
    std::string key = Str(tag.as_object(), "Key");
    if (key.rfind("aws:", 0) == 0) {
      return InvalidInput("INVALID_SYSTEM_TAGS_PARAMETER",
                          "You provided a value that does not match the required pattern.");
    }
    if (!keys.insert(key).second) {
      return InvalidInput("DUPLICATE_TAG_KEY", "Duplicate tag keys are not allowed.");
    }
  }
  for (const boost::json::value& tag : tags) {
    if (!tag.is_object()) continue;
    std::string key = Str(tag.as_object(), "Key");
    OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_tags WHERE resource_id = ? AND tag_key = ?",
                            {std::string(resource_id), key}));
    OT_RETURN_IF_ERROR(
        Exec(tx, "INSERT INTO org_tags (resource_id, tag_key, tag_value) VALUES (?, ?, ?)",
             {std::string(resource_id), key, Str(tag.as_object(), "Value")}));
  }
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx, "SELECT COUNT(*) FROM org_tags WHERE resource_id = ?",
                                       {std::string(resource_id)}));
  if (n > kMaxTagsPerResource) {
    return ConstraintViolation("MAX_TAG_LIMIT_EXCEEDED",
                               "You have exceeded the maximum number of tags allowed on this "
                               "resource.");
  }
  return Status::Ok();
}

Status CheckTagCount(const boost::json::array& tags) {
  if (static_cast<int64_t>(tags.size()) > kMaxTagsPerResource) {
    return ConstraintViolation("MAX_TAG_LIMIT_EXCEEDED",
                               "You have exceeded the number of tags allowed on this resource.");
  }
  return Status::Ok();
}

Status RemoveTags(store::Transaction& tx, std::string_view resource_id,
                  const boost::json::array& keys) {
  for (const boost::json::value& key : keys) {
    if (!key.is_string()) continue;
    OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_tags WHERE resource_id = ? AND tag_key = ?",
                            {std::string(resource_id), std::string(key.as_string())}));
  }
  return Status::Ok();
}

// ---- Input accessors and transactions ----

double NowSeconds(const gateway::RequestContext& ctx) {
  // Organizations timestamps carry milliseconds.
  return std::floor(ToEpochSeconds(ctx.now) * 1000.0) / 1000.0;
}

Status Exec(store::Transaction& tx, std::string_view sql, const std::vector<store::Value>& params) {
  Result<int64_t> changed = tx.Execute(sql, params);
  return changed.ok() ? Status::Ok() : changed.status();
}

Result<int64_t> Count(store::Transaction& tx, std::string_view sql,
                      const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return rows.empty() ? 0 : rows.front().Int(0);
}

// ---- Pagination ----

Result<Page> ParsePage(const Json& input, std::string binding) {
  Page page;
  page.binding = std::move(binding);
  if (std::optional<int64_t> max = Int(input, "MaxResults"); max.has_value()) {
    page.max_results = static_cast<size_t>(std::clamp<int64_t>(*max, 1, kMaxResultsLimit));
  }
  std::string token = Str(input, "NextToken");
  if (!token.empty()) {
    std::string raw;
    // Token: tag | binding \0 start key, hex-encoded.
    bool ok = HexDecode(token, &raw) && raw.compare(0, kTokenTag.size(), kTokenTag) == 0;
    size_t sep = ok ? raw.find('\0', kTokenTag.size()) : std::string::npos;
    if (!ok || sep == std::string::npos ||
        raw.substr(kTokenTag.size(), sep - kTokenTag.size()) != page.binding) {
      return InvalidInput("INVALID_NEXT_TOKEN", "The NextToken value is not valid.");
    }
    page.start_key = raw.substr(sep + 1);
  }
  return page;
}

std::string TimeOrderedKey(double t, std::string_view id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020.6f", t);
  return std::string(buf) + "|" + std::string(id);
}

std::string SequenceKey(int64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(seq));
  return buf;
}

Result<int64_t> StartSequence(const Page& page) {
  if (page.start_key.empty()) return int64_t{0};
  int64_t seq = 0;
  const char* end = page.start_key.data() + page.start_key.size();
  auto [next, error] = std::from_chars(page.start_key.data(), end, seq);
  if (error != std::errc() || next != end || seq < 0) {
    return InvalidInput("INVALID_NEXT_TOKEN", "The NextToken value is not valid.");
  }
  return seq;
}

void EmitPage(std::vector<std::pair<std::string, boost::json::value>> items, const Page& page,
              std::string_view list, Json& output) {
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  boost::json::array out;
  size_t i = 0;
  while (i < items.size() && items[i].first < page.start_key) ++i;
  for (; i < items.size() && out.size() < page.max_results; ++i) {
    out.push_back(std::move(items[i].second));
  }
  output[list] = std::move(out);
  if (i < items.size()) {
    std::string raw(kTokenTag);
    raw += page.binding;
    raw.push_back('\0');
    raw += items[i].first;
    output["NextToken"] = HexEncode(raw);
  }
}

}  // namespace orgtwin::services::organizations
