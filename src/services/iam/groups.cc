// IAM groups and membership: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, AddUserToGroup,
// RemoveUserFromGroup, ListGroups, ListGroupsForUser.
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

Status GroupExists(std::string_view name) {
  return EntityAlreadyExists("Group with name " + std::string(name) + " already exists.");
}

}  // namespace

Result<Json> CreateGroup(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  GroupRow group;
  group.account_id = account;
  group.name = Str(input, "GroupName");
  group.path = Str(input, "Path", "/");
  group.created_at = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindGroup(tx, account, group.name));
  if (existing.has_value()) return GroupExists(group.name);
  OT_ASSIGN_OR_RETURN(
      int64_t count,
      CountRows(tx, "SELECT COUNT(*) FROM iam_groups WHERE account_id = ?", {account}));
  if (count >= kGroupsPerAccount) {
    return LimitExceeded("Cannot exceed quota for GroupsPerAccount: " +
                         std::to_string(kGroupsPerAccount));
  }
  group.group_id = NewUniqueId(ctx.twin.ids, "AGPA");
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO iam_groups (group_id, account_id, group_name, "
           "group_name_lower, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
           {group.group_id, account, group.name, Lower(group.name), group.path, group.created_at}));
  return Json{{"Group", GroupObject(group)}};
}

Result<Json> GetGroup(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, AccountOf(ctx), Str(input, "GroupName")));
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT u.user_id, u.account_id, u.user_name, u.path, u.created_at, "
               "u.user_name_lower FROM iam_group_members m JOIN iam_users u ON u.user_id = "
               "m.user_id WHERE m.group_id = ? AND u.user_name_lower >= ? "
               "ORDER BY u.user_name_lower LIMIT ?",
               {group.group_id, page.start_key, static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    items.emplace_back(r.Text(5), UserObject(UserRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), "",
                                                     r.Double(4)}));
  }
  Json out{{"Group", GroupObject(group)}};
  EmitPage(std::move(items), page, "Users", out);
  return out;
}

Result<Json> UpdateGroup(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, account, Str(input, "GroupName")));
  std::string new_name = Str(input, "NewGroupName", group.name);
  std::string new_path = Str(input, "NewPath", group.path);
  if (Lower(new_name) != Lower(group.name)) {
    OT_ASSIGN_OR_RETURN(auto clash, FindGroup(tx, account, new_name));
    if (clash.has_value()) return GroupExists(new_name);
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_groups SET group_name = ?, group_name_lower = ?, path = ? "
                          "WHERE group_id = ?",
                          {new_name, Lower(new_name), new_path, group.group_id}));
  return Json();
}

Result<Json> DeleteGroup(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, AccountOf(ctx), Str(input, "GroupName")));
  OT_ASSIGN_OR_RETURN(
      int64_t members,
      CountRows(tx, "SELECT COUNT(*) FROM iam_group_members WHERE group_id = ?", {group.group_id}));
  if (members > 0) {
    return DeleteConflict("Cannot delete entity, must remove users from group first.");
  }
  OT_ASSIGN_OR_RETURN(auto attached, AttachedPolicyArns(tx, "Group", group.group_id));
  if (!attached.empty()) {
    return DeleteConflict("Cannot delete entity, must detach all policies first.");
  }
  OT_ASSIGN_OR_RETURN(int64_t inline_count, CountInlinePolicies(tx, "Group", group.group_id));
  if (inline_count > 0) return DeleteConflict("Cannot delete entity, must delete policies first.");
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM iam_groups WHERE group_id = ?", {group.group_id}));
  return Json();
}

Result<Json> AddUserToGroup(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, account, Str(input, "GroupName")));
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(int64_t already, CountRows(tx,
                                                 "SELECT COUNT(*) FROM iam_group_members "
                                                 "WHERE group_id = ? AND user_id = ?",
                                                 {group.group_id, user.user_id}));
  if (already > 0) return Json();  // AWS-COMPAT: adding a member again succeeds silently.
  OT_ASSIGN_OR_RETURN(
      int64_t groups,
      CountRows(tx, "SELECT COUNT(*) FROM iam_group_members WHERE user_id = ?", {user.user_id}));
  if (groups >= kGroupsPerUser) {
    return LimitExceeded("Cannot exceed quota for GroupsPerUser: " +
                         std::to_string(kGroupsPerUser));
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_group_members (group_id, user_id, added_at) "
                          "VALUES (?, ?, ?)",
                          {group.group_id, user.user_id, NowSeconds(ctx)}));
  return Json();
}

Result<Json> RemoveUserFromGroup(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(GroupRow group, RequireGroup(tx, account, Str(input, "GroupName")));
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(int64_t removed, tx.Execute("DELETE FROM iam_group_members "
                                                  "WHERE group_id = ? AND user_id = ?",
                                                  {group.group_id, user.user_id}));
  if (removed == 0) {
    return NoSuchEntity("The user with name " + user.name + " cannot be found.");
  }
  return Json();
}

Result<Json> ListGroups(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT group_id, account_id, group_name, path, created_at, group_name_lower "
               "FROM iam_groups WHERE account_id = ? AND group_name_lower >= ? AND "
               "substr(path, 1, ?) = ? ORDER BY group_name_lower LIMIT ?",
               {AccountOf(ctx), page.start_key, static_cast<int64_t>(prefix.size()), prefix,
                static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    items.emplace_back(
        r.Text(5), GroupObject(GroupRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)}));
  }
  Json out;
  EmitPage(std::move(items), page, "Groups", out);
  return out;
}

Result<Json> ListGroupsForUser(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT g.group_id, g.account_id, g.group_name, g.path, g.created_at, "
               "g.group_name_lower FROM iam_group_members m JOIN iam_groups g ON g.group_id = "
               "m.group_id WHERE m.user_id = ? AND g.group_name_lower >= ? "
               "ORDER BY g.group_name_lower LIMIT ?",
               {user.user_id, page.start_key, static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    items.emplace_back(
        r.Text(5), GroupObject(GroupRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Double(4)}));
  }
  Json out;
  EmitPage(std::move(items), page, "Groups", out);
  return out;
}

}  // namespace orgtwin::services::iam
