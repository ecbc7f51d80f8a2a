// The tree: the root, organizational units, ListChildren / ListParents.
#include <string>
#include <vector>

#include "services/organizations/org_store.h"
#include "services/organizations/organizations_core.h"

namespace orgtwin::services::organizations {
namespace {

Status OuNotFound() {
  return OrgError("OrganizationalUnitNotFoundException",
                  "We can't find an OU with the OrganizationalUnitId that you specified.");
}

Status ParentNotFound() {
  return OrgError("ParentNotFoundException",
                  "We can't find a root or OU with the ParentId that you specified.");
}

Status DuplicateOu() {
  return OrgError("DuplicateOrganizationalUnitException",
                  "An OU with the same name already exists.");
}

// The OU with its Path: o-.../r-.../ou-.../ down to it.
Result<Json> OuWithPath(store::Transaction& tx, const OrgRow& org, const OuRow& ou) {
  Json out = OuObject(org, ou);
  OT_ASSIGN_OR_RETURN(std::vector<std::string> chain, ParentChain(tx, org.org_id, ou.ou_id));
  std::string path = org.org_id + "/";
  for (const std::string& id : chain) path += id + "/";
  out["Path"] = path;
  return out;
}

Result<bool> SiblingNamed(store::Transaction& tx, const std::string& parent_id,
                          const std::string& name, const std::string& except_id) {
  OT_ASSIGN_OR_RETURN(int64_t n, Count(tx,
                                       "SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND "
                                       "name = ? AND ou_id <> ?",
                                       {parent_id, name, except_id}));
  return n > 0;
}

Result<OuRow> RequireOu(store::Transaction& tx, const OrgRow& org, const std::string& ou_id) {
  OT_ASSIGN_OR_RETURN(auto ou, FindOu(tx, org.org_id, ou_id));
  if (!ou.has_value()) return OuNotFound();
  return *std::move(ou);
}

}  // namespace

Result<Json> CreateOrganizationalUnit(gateway::RequestContext& ctx, const Json& input) {
  std::string parent_id = Str(input, "ParentId");
  std::string name = Str(input, "Name");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(bool parent_exists, ParentExists(tx, org.org_id, parent_id));
  if (!parent_exists) return ParentNotFound();
  // The chain of the parent counts the root; a new OU sits at depth chain.size().
  OT_ASSIGN_OR_RETURN(std::vector<std::string> chain, ParentChain(tx, org.org_id, parent_id));
  if (static_cast<int64_t>(chain.size()) > kMaxOuDepth) {
    return ConstraintViolation("OU_DEPTH_LIMIT_EXCEEDED",
                               "You attempted to create an OU tree that is too many levels "
                               "deep.");
  }
  OT_ASSIGN_OR_RETURN(int64_t count,
                      Count(tx, "SELECT COUNT(*) FROM org_units WHERE org_id = ?", {org.org_id}));
  if (count >= kMaxOusPerOrg) {
    return ConstraintViolation("OU_NUMBER_LIMIT_EXCEEDED",
                               "You have reached the maximum number of OUs in your "
                               "organization.");
  }
  OT_ASSIGN_OR_RETURN(bool duplicate, SiblingNamed(tx, parent_id, name, ""));
  if (duplicate) return DuplicateOu();
  OuRow ou{NewOuId(ctx.twin.ids, chain.front()), org.org_id, parent_id, name, NowSeconds(ctx)};
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO org_units (ou_id, org_id, parent_id, name, created_at, "
           "created_seq) VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(created_seq), "
           "0) + 1 FROM org_units WHERE parent_id = ?))",
           {ou.ou_id, ou.org_id, ou.parent_id, ou.name, ou.created_at, ou.parent_id}));
  OT_RETURN_IF_ERROR(AttachDefaultPolicies(tx, org.org_id, ou.ou_id));
  OT_RETURN_IF_ERROR(ApplyTags(tx, ou.ou_id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(Json object, OuWithPath(tx, org, ou));
  return Json{{"OrganizationalUnit", std::move(object)}};
}

Result<Json> UpdateOrganizationalUnit(gateway::RequestContext& ctx, const Json& input) {
  std::string ou_id = Str(input, "OrganizationalUnitId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(OuRow ou, RequireOu(tx, org, ou_id));
  if (input.contains("Name")) {
    std::string name = Str(input, "Name");
    OT_ASSIGN_OR_RETURN(bool duplicate, SiblingNamed(tx, ou.parent_id, name, ou.ou_id));
    if (duplicate) return DuplicateOu();
    OT_RETURN_IF_ERROR(Exec(tx, "UPDATE org_units SET name = ? WHERE ou_id = ?", {name, ou.ou_id}));
    ou.name = name;
  }
  OT_ASSIGN_OR_RETURN(Json object, OuWithPath(tx, org, ou));
  return Json{{"OrganizationalUnit", std::move(object)}};
}

Result<Json> DeleteOrganizationalUnit(gateway::RequestContext& ctx, const Json& input) {
  std::string ou_id = Str(input, "OrganizationalUnitId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(OuRow ou, RequireOu(tx, org, ou_id));
  OT_ASSIGN_OR_RETURN(int64_t children,
                      Count(tx,
                            "SELECT (SELECT COUNT(*) FROM org_units WHERE parent_id = ?) + "
                            "(SELECT COUNT(*) FROM org_accounts WHERE parent_id = ?)",
                            {ou.ou_id, ou.ou_id}));
  if (children > 0) {
    return OrgError("OrganizationalUnitNotEmptyException",
                    "The specified OU is not empty. Move all accounts to another root or to "
                    "other OUs, remove all child OUs, and try the operation again.");
  }
  OT_RETURN_IF_ERROR(ForgetTarget(tx, org.org_id, ou.ou_id));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM org_units WHERE ou_id = ?", {ou.ou_id}));
  return Json();
}

Result<Json> DescribeOrganizationalUnit(gateway::RequestContext& ctx, const Json& input) {
  std::string ou_id = Str(input, "OrganizationalUnitId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(OuRow ou, RequireOu(tx, org, ou_id));
  OT_ASSIGN_OR_RETURN(Json object, OuWithPath(tx, org, ou));
  return Json{{"OrganizationalUnit", std::move(object)}};
}

Result<Json> ListOrganizationalUnitsForParent(gateway::RequestContext& ctx, const Json& input) {
  std::string parent_id = Str(input, "ParentId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListOrganizationalUnitsForParent|" + parent_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(bool exists, ParentExists(tx, org.org_id, parent_id));
  if (!exists) return ParentNotFound();
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT ou_id, org_id, parent_id, name, created_at, "
                                          "created_seq FROM org_units WHERE org_id = ? AND "
                                          "parent_id = ?",
                                          {org.org_id, parent_id}));
  OT_ASSIGN_OR_RETURN(std::vector<std::string> chain, ParentChain(tx, org.org_id, parent_id));
  std::string prefix = org.org_id + "/";
  for (const std::string& id : chain) prefix += id + "/";
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    OuRow ou{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)};
    Json object = OuObject(org, ou);
    object["Path"] = prefix + ou.ou_id + "/";
    items.emplace_back(SequenceKey(r.Int(5)), std::move(object));
  }
  Json out;
  EmitPage(std::move(items), page, "OrganizationalUnits", out);
  return out;
}

Result<Json> ListChildren(gateway::RequestContext& ctx, const Json& input) {
  std::string parent_id = Str(input, "ParentId");
  std::string type = Str(input, "ChildType");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListChildren|" + parent_id + "|" + type));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(bool exists, ParentExists(tx, org.org_id, parent_id));
  if (!exists) return ParentNotFound();
  std::string sql = type == "ACCOUNT" ? "SELECT account_id, joined_seq FROM org_accounts WHERE "
                                        "org_id = ? AND parent_id = ?"
                                      : "SELECT ou_id, created_seq FROM org_units WHERE org_id = "
                                        "? AND parent_id = ?";
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {org.org_id, parent_id}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    items.emplace_back(SequenceKey(r.Int(1)), Json{{"Id", r.Text(0)}, {"Type", type}});
  }
  Json out;
  EmitPage(std::move(items), page, "Children", out);
  return out;
}

Result<Json> ListParents(gateway::RequestContext& ctx, const Json& input) {
  std::string child_id = Str(input, "ChildId");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListParents|" + child_id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  std::optional<std::string> parent;
  if (KindOfId(child_id) == TargetKind::kAccount) {
    OT_ASSIGN_OR_RETURN(auto member, FindMember(tx, org.org_id, child_id));
    if (member.has_value()) parent = member->parent_id;
  } else {
    OT_ASSIGN_OR_RETURN(auto ou, FindOu(tx, org.org_id, child_id));
    if (ou.has_value()) parent = ou->parent_id;
  }
  if (!parent.has_value()) {
    return OrgError("ChildNotFoundException",
                    "We can't find an organizational unit (OU) or AWS account with the ChildId "
                    "that you specified.");
  }
  std::string type = KindOfId(*parent) == TargetKind::kRoot ? "ROOT" : "ORGANIZATIONAL_UNIT";
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.emplace_back(*parent, Json{{"Id", *parent}, {"Type", type}});
  Json out;
  EmitPage(std::move(items), page, "Parents", out);
  return out;
}

Result<Json> ListRoots(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, "ListRoots"));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementOrDelegatedAdmin(tx, ctx.caller.account_id));
  OT_ASSIGN_OR_RETURN(RootRow root, GetRoot(tx, org.org_id));
  OT_ASSIGN_OR_RETURN(auto types, RootPolicyTypes(tx, root.root_id));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.emplace_back(root.root_id, RootObject(org, root, types));
  Json out;
  EmitPage(std::move(items), page, "Roots", out);
  return out;
}

}  // namespace orgtwin::services::organizations
