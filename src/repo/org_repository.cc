#include "repo/org_repository.h"

#include <algorithm>

namespace orgtwin::repo {
namespace {

constexpr std::string_view kLowerDigits = "0123456789abcdefghijklmnopqrstuvwxyz";

bool AllOf(std::string_view text, std::string_view alphabet) {
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

Result<int64_t> Count(store::Transaction& tx, std::string_view sql,
                      const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return rows.empty() ? 0 : rows.front().Int(0);
}

constexpr char kOrgCols[] =
    "SELECT o.org_id, o.management_account_id, a.email, o.feature_set, o.created_at, "
    "o.member_count "
    "FROM organizations o JOIN accounts a ON a.account_id = o.management_account_id ";

OrgRow ToOrg(const store::Row& row) {
  return OrgRow{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Double(4), row.Int(5)};
}

constexpr char kMemberCols[] =
    "SELECT m.account_id, m.org_id, m.parent_id, m.joined_method, m.joined_at, a.email, a.name, "
    "a.state, a.created_at, a.has_payment_method, a.has_contact_info, m.joined_seq "
    "FROM org_accounts m JOIN accounts a ON a.account_id = m.account_id ";

MemberRow ToMember(const store::Row& row) {
  MemberRow m;
  m.account_id = row.Text(0);
  m.org_id = row.Text(1);
  m.parent_id = row.Text(2);
  m.joined_method = row.Text(3);
  m.joined_at = row.Double(4);
  m.email = row.Text(5);
  m.name = row.Text(6);
  m.state = row.Text(7);
  m.created_at = row.Double(8);
  m.has_payment_method = row.Int(9) != 0;
  m.has_contact_info = row.Int(10) != 0;
  m.joined_seq = row.Int(11);
  return m;
}

// A transfer with its two management accounts' emails (what TransferObject shows), in one read.
constexpr char kTransferCols[] =
    "SELECT t.transfer_id, t.transfer_type, t.name, t.status, t.handshake_id, t.target_org_id, "
    "t.target_account_id, t.source_org_id, t.source_account_id, t.start_at, t.expires_at, "
    "COALESCE(t.end_at, 0), t.requested_at, t.updated_at, COALESCE(ta.email, ''), "
    "COALESCE(sa.email, '') FROM org_responsibility_transfers t "
    "LEFT JOIN accounts ta ON ta.account_id = t.target_account_id "
    "LEFT JOIN accounts sa ON sa.account_id = t.source_account_id ";

TransferRow ToTransfer(const store::Row& r) {
  TransferRow t;
  t.id = r.Text(0);
  t.type = r.Text(1);
  t.name = r.Text(2);
  t.status = r.Text(3);
  t.handshake_id = r.Text(4);
  t.target_org_id = r.Text(5);
  t.target_account_id = r.Text(6);
  t.source_org_id = r.Text(7);
  t.source_account_id = r.Text(8);
  t.start_at = r.Double(9);
  t.expires_at = r.Double(10);
  t.end_at = r.Double(11);
  t.requested_at = r.Double(12);
  t.updated_at = r.Double(13);
  t.target_email = r.Text(14);
  t.source_email = r.Text(15);
  return t;
}

}  // namespace

TargetKind KindOfId(std::string_view id) {
  if (id.size() == 12 && AllOf(id, "0123456789")) return TargetKind::kAccount;
  if (id.rfind("r-", 0) == 0) {
    std::string_view rest = id.substr(2);
    return rest.size() >= 4 && rest.size() <= 32 && AllOf(rest, kLowerDigits)
               ? TargetKind::kRoot
               : TargetKind::kInvalid;
  }
  if (id.rfind("ou-", 0) == 0) {
    std::string_view rest = id.substr(3);
    size_t dash = rest.find('-');
    if (dash == std::string_view::npos) return TargetKind::kInvalid;
    std::string_view a = rest.substr(0, dash);
    std::string_view b = rest.substr(dash + 1);
    bool ok = a.size() >= 4 && a.size() <= 32 && AllOf(a, kLowerDigits) && b.size() >= 8 &&
              b.size() <= 32 && AllOf(b, kLowerDigits);
    return ok ? TargetKind::kOu : TargetKind::kInvalid;
  }
  if (id.rfind("p-", 0) == 0) {
    std::string_view rest = id.substr(2);
    bool ok = rest.size() >= 8 && rest.size() <= 128 &&
              AllOf(rest, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");
    return ok ? TargetKind::kPolicy : TargetKind::kInvalid;
  }
  return TargetKind::kInvalid;
}

Result<std::optional<OrgRow>> FindOrganization(store::Transaction& tx, std::string_view org_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kOrgCols) + "WHERE o.org_id = ?", {std::string(org_id)}));
  if (rows.empty()) return std::optional<OrgRow>();
  return std::optional<OrgRow>(ToOrg(rows.front()));
}

Result<std::optional<OrgRow>> FindOrganizationForAccount(store::Transaction& tx,
                                                         std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kOrgCols) +
                   "WHERE o.org_id = (SELECT org_id FROM org_accounts WHERE account_id = ?)",
               {std::string(account_id)}));
  if (rows.empty()) return std::optional<OrgRow>();
  return std::optional<OrgRow>(ToOrg(rows.front()));
}

Result<RootRow> GetRoot(store::Transaction& tx, std::string_view org_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT root_id, org_id, name FROM org_roots "
                                          "WHERE org_id = ?",
                                          {std::string(org_id)}));
  if (rows.empty()) return InternalError("organization " + std::string(org_id) + " has no root");
  return RootRow{rows.front().Text(0), rows.front().Text(1), rows.front().Text(2)};
}

Result<std::optional<OuRow>> FindOu(store::Transaction& tx, std::string_view org_id,
                                    std::string_view ou_id) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT ou_id, org_id, parent_id, name, created_at FROM org_units "
                               "WHERE ou_id = ? AND org_id = ?",
                               {std::string(ou_id), std::string(org_id)}));
  if (rows.empty()) return std::optional<OuRow>();
  const store::Row& r = rows.front();
  return std::optional<OuRow>(OuRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)});
}

Result<std::optional<MemberRow>> FindMember(store::Transaction& tx, std::string_view org_id,
                                            std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(std::string(kMemberCols) + "WHERE m.account_id = ? AND m.org_id = ?",
                               {std::string(account_id), std::string(org_id)}));
  if (rows.empty()) return std::optional<MemberRow>();
  return std::optional<MemberRow>(ToMember(rows.front()));
}

Result<std::optional<MemberRow>> FindMembership(store::Transaction& tx,
                                                std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kMemberCols) + "WHERE m.account_id = ?",
                                          {std::string(account_id)}));
  if (rows.empty()) return std::optional<MemberRow>();
  return std::optional<MemberRow>(ToMember(rows.front()));
}

Result<bool> ParentExists(store::Transaction& tx, std::string_view org_id, std::string_view id) {
  switch (KindOfId(id)) {
    case TargetKind::kRoot: {
      OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                           "SELECT COUNT(*) FROM org_roots WHERE root_id = ? AND "
                                           "org_id = ?",
                                           {std::string(id), std::string(org_id)}));
      return n > 0;
    }
    case TargetKind::kOu: {
      OT_ASSIGN_OR_RETURN(auto ou, FindOu(tx, org_id, id));
      return ou.has_value();
    }
    default:
      return false;
  }
}

Result<bool> TargetExists(store::Transaction& tx, std::string_view org_id, std::string_view id) {
  if (KindOfId(id) == TargetKind::kAccount) {
    OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org_id, id));
    return member.has_value();
  }
  return ParentExists(tx, org_id, id);
}

Result<std::vector<std::string>> ParentChain(store::Transaction& tx, std::string_view org_id,
                                             std::string_view target_id) {
  std::vector<std::string> chain;
  std::string current(target_id);
  // Depth is bounded by kMaxOuDepth; the guard stops a corrupt cycle.
  for (int guard = 0; guard < 64; ++guard) {
    chain.push_back(current);
    TargetKind kind = KindOfId(current);
    if (kind == TargetKind::kRoot) {
      OT_ASSIGN_OR_RETURN(bool exists, ParentExists(tx, org_id, current));
      if (!exists) break;
      std::reverse(chain.begin(), chain.end());
      return chain;
    }
    std::optional<std::string> parent;
    if (kind == TargetKind::kAccount) {
      OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org_id, current));
      if (member.has_value()) parent = member->parent_id;
    } else if (kind == TargetKind::kOu) {
      OT_ASSIGN_OR_RETURN(auto ou, FindOu(tx, org_id, current));
      if (ou.has_value()) parent = ou->parent_id;
    }
    if (!parent.has_value()) break;
    current = *parent;
  }
  return NotFoundError(std::string(target_id) + " is not in organization " + std::string(org_id));
}

Result<std::vector<std::pair<std::string, std::string>>> RootPolicyTypes(store::Transaction& tx,
                                                                         std::string_view root_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_type, status FROM org_root_policy_types "
                                          "WHERE root_id = ? ORDER BY policy_type",
                                          {std::string(root_id)}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Result<bool> PolicyTypeEnabled(store::Transaction& tx, std::string_view org_id,
                               std::string_view policy_type) {
  OT_ASSIGN_OR_RETURN(int64_t n,
                      Count(tx,
                            "SELECT COUNT(*) FROM org_root_policy_types t JOIN org_roots r ON "
                            "r.root_id = t.root_id WHERE r.org_id = ? AND t.policy_type = ? AND "
                            "t.status = 'ENABLED'",
                            {std::string(org_id), std::string(policy_type)}));
  return n > 0;
}

Result<std::vector<AttachedPolicyRow>> AttachedPolicies(store::Transaction& tx,
                                                        std::string_view org_id,
                                                        std::string_view target_id,
                                                        std::string_view policy_type) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT p.policy_id, p.name, p.policy_type, p.content "
                          "FROM org_policy_attachments a "
                          "JOIN org_policies p ON p.policy_id = a.policy_id "
                          "WHERE a.org_id = ? AND a.target_id = ? "
                          "AND p.policy_type = ? ORDER BY p.policy_id",
                          {std::string(org_id), std::string(target_id), std::string(policy_type)}));
  std::vector<AttachedPolicyRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(AttachedPolicyRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3)});
  }
  return out;
}

Result<std::string> PolicyTypeOf(store::Transaction& tx, std::string_view policy_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT policy_type FROM org_policies "
                                          "WHERE policy_id = ?",
                                          {std::string(policy_id)}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

Result<std::vector<std::pair<std::string, std::string>>> ResourceTags(
    store::Transaction& tx, std::string_view resource_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT tag_key, tag_value FROM org_tags "
                                          "WHERE resource_id = ? ORDER BY tag_key",
                                          {std::string(resource_id)}));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Result<std::optional<HandshakeOrgRow>> FindHandshakeOrg(store::Transaction& tx,
                                                        std::string_view handshake_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT org_id, action FROM org_handshakes "
                                          "WHERE handshake_id = ?",
                                          {std::string(handshake_id)}));
  if (rows.empty()) return std::optional<HandshakeOrgRow>();
  std::string action = rows.front().Text(1);
  OT_ASSIGN_OR_RETURN(std::optional<OrgRow> org, FindOrganization(tx, rows.front().Text(0)));
  if (!org.has_value()) return std::optional<HandshakeOrgRow>();
  return std::optional<HandshakeOrgRow>(HandshakeOrgRow{*std::move(org), std::move(action)});
}

Result<std::optional<TransferPartiesRow>> FindTransferParties(store::Transaction& tx,
                                                              std::string_view transfer_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT source_account_id, target_account_id FROM "
                                          "org_responsibility_transfers WHERE transfer_id = ?",
                                          {std::string(transfer_id)}));
  if (rows.empty()) return std::optional<TransferPartiesRow>();
  return std::optional<TransferPartiesRow>(
      TransferPartiesRow{rows.front().Text(0), rows.front().Text(1)});
}

Result<std::vector<MemberRow>> MembersOf(store::Transaction& tx, std::string_view org_id,
                                         std::string_view parent_id, int64_t start_seq,
                                         int64_t limit) {
  // Keyset paging straight from SQL, so listing stays linear in the number of accounts however
  // many pages a client walks.
  std::string sql = std::string(kMemberCols) + "WHERE m.org_id = ? AND m.joined_seq >= ?";
  std::vector<store::Value> params{std::string(org_id), start_seq};
  if (!parent_id.empty()) {
    sql += " AND m.parent_id = ?";
    params.emplace_back(std::string(parent_id));
  }
  sql += " ORDER BY m.joined_seq LIMIT ?";
  params.emplace_back(limit);
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<MemberRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToMember(r));
  return out;
}

Result<int64_t> CountMembersClosedSince(store::Transaction& tx, std::string_view org_id,
                                        double since) {
  return Count(tx,
               "SELECT COUNT(*) FROM org_accounts m JOIN accounts a ON a.account_id = "
               "m.account_id WHERE m.org_id = ? AND a.closed_at IS NOT NULL AND a.closed_at > ?",
               {std::string(org_id), since});
}

Result<bool> IsDelegatedAdministrator(store::Transaction& tx, std::string_view org_id,
                                      std::string_view account_id,
                                      std::string_view service_principal) {
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_delegated_admins WHERE org_id = ? "
                                       "AND account_id = ? AND service_principal = ?",
                                       {std::string(org_id), std::string(account_id),
                                        std::string(service_principal)}));
  return n > 0;
}

Result<bool> ServiceAccessEnabled(store::Transaction& tx, std::string_view org_id,
                                  std::string_view service_principal) {
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_trusted_services WHERE org_id = ? "
                                       "AND service_principal = ?",
                                       {std::string(org_id), std::string(service_principal)}));
  return n > 0;
}

Result<std::vector<std::string>> RootFeatures(store::Transaction& tx, std::string_view org_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT feature FROM org_root_features WHERE org_id = ? "
                                          "ORDER BY feature",
                                          {std::string(org_id)}));
  std::vector<std::string> features;
  features.reserve(rows.size());
  for (const store::Row& row : rows) features.push_back(row.Text(0));
  return features;
}

Status SetRootFeature(store::Transaction& tx, std::string_view org_id, std::string_view feature,
                      bool enabled, double now) {
  if (!enabled) {
    return tx
        .Execute("DELETE FROM org_root_features WHERE org_id = ? AND feature = ?",
                 {std::string(org_id), std::string(feature)})
        .status();
  }
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_root_features WHERE org_id = ? "
                                       "AND feature = ?",
                                       {std::string(org_id), std::string(feature)}));
  if (n > 0) return Status::Ok();
  return tx
      .Execute("INSERT INTO org_root_features (org_id, feature, enabled_at) VALUES (?, ?, ?)",
               {std::string(org_id), std::string(feature), now})
      .status();
}

Result<std::optional<TransferRow>> FindTransfer(store::Transaction& tx,
                                                std::string_view transfer_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kTransferCols) + "WHERE t.transfer_id = ?",
                                          {std::string(transfer_id)}));
  if (rows.empty()) return std::optional<TransferRow>();
  return std::optional<TransferRow>(ToTransfer(rows.front()));
}

Result<std::vector<TransferRow>> TransfersOf(store::Transaction& tx, TransferSide side,
                                             std::string_view account_id, std::string_view org_id,
                                             std::string_view transfer_id) {
  std::string sql = std::string(kTransferCols) + (side == TransferSide::kTarget
                                                      ? "WHERE t.target_account_id = ? AND "
                                                        "t.target_org_id = ?"
                                                      : "WHERE t.source_account_id = ? AND "
                                                        "t.source_org_id = ?");
  std::vector<store::Value> params{std::string(account_id), std::string(org_id)};
  if (!transfer_id.empty()) {
    sql += " AND t.transfer_id = ?";
    params.emplace_back(std::string(transfer_id));
  }
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<TransferRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(ToTransfer(r));
  return out;
}

}  // namespace orgtwin::repo
