#include "structure/reconcile.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <boost/json.hpp>

#include "common/json_fields.h"
#include "structure/documents.h"
#include "structure/principal_ops.h"

namespace orgtwin::structure {
namespace {

namespace json = boost::json;
using json_fields::Arr;
using json_fields::Obj;
using json_fields::Str;

constexpr char kUnknownId[] = "(known after apply)";

// Two policy documents say the same thing when they parse to equal JSON (key order and white
// space aside); a text that is not JSON equals only itself.
bool SameDocument(std::string_view a, std::string_view b) {
  boost::system::error_code ea;
  boost::system::error_code eb;
  json::value va = json::parse(DecodeDocument(a), ea);
  json::value vb = json::parse(DecodeDocument(b), eb);
  if (ea || eb) return a == b;
  return va == vb;
}

class Reconciler {
 public:
  Reconciler(Session& session, Mode mode, const Scope& scope)
      : session_(session), structure_(session.structure()), mode_(mode), scope_(scope) {}

  ReconcileResult Run() {
    // Before apply changes anything, every party it will act as must have its credentials: a
    // missing profile is reported with its place in the file, and nothing is applied.
    if (mode_ == Mode::kApply) {
      std::vector<std::string> missing;
      for (const auto& [party, account] : Actors()) {
        Status can_act = session_.CheckCanAct(party, account);
        if (!can_act.ok()) missing.push_back(can_act.message());
      }
      if (!missing.empty()) {
        std::string message = "nothing applied:";
        for (const std::string& line : missing) message.append("\n").append(line);
        result_.status = InvalidInputError(message);
        return Finish();
      }
    }
    // IAM first: the organization's administrator may act through a role it creates.
    if (scope_.Has(Scope::kIam)) {
      for (const auto& [account, iam] : structure_.iam) {
        if (!InScope(account)) continue;
        if (!Step(ReconcileIam(iam))) return Finish();
      }
    }
    if (structure_.organization &&
        (scope_.parts & (Scope::kCreateOrganization | Scope::kUnits | Scope::kPolicyTypes |
                         Scope::kPolicies | Scope::kPlacements)) != 0) {
      if (!Step(ReconcileOrganization(*structure_.organization))) return Finish();
    }
    if (scope_.Has(Scope::kContacts)) {
      for (const auto& [account, contacts] : structure_.alternate_contacts) {
        if (!InScope(account)) continue;
        if (!Step(ReconcileContacts(contacts))) return Finish();
      }
    }
    return Finish();
  }

 private:
  // ---- bookkeeping ------------------------------------------------------------------------

  // The (party, account) pairs this scope acts as, in accounts that exist.
  std::set<std::pair<std::string, std::string>> Actors() const {
    std::set<std::pair<std::string, std::string>> actors;
    auto add = [&](const std::string& party, const std::string& account) {
      if (session_.AccountId(account)) actors.emplace(party, account);
    };
    if (scope_.Has(Scope::kIam)) {
      for (const auto& [account, iam] : structure_.iam) {
        if (InScope(account)) add(structure_.FindAccount(account)->owner.value, account);
      }
    }
    if (scope_.Has(Scope::kContacts)) {
      for (const auto& [account, contacts] : structure_.alternate_contacts) {
        if (InScope(account)) add(structure_.FindAccount(account)->owner.value, account);
      }
    }
    const unsigned org_parts = Scope::kCreateOrganization | Scope::kUnits | Scope::kPolicyTypes |
                               Scope::kPolicies | Scope::kPlacements;
    if (structure_.organization && (scope_.parts & org_parts) != 0) {
      const Organization& organization = *structure_.organization;
      add(organization.administered_by.value, organization.management_account);
    }
    return actors;
  }

  bool InScope(const std::string& account) const {
    return scope_.accounts.empty() || scope_.accounts.count(account) != 0;
  }

  // A section's outcome: in plan mode a read failure becomes a note and the walk goes on.
  bool Step(const Status& status) {
    if (status.ok()) return true;
    if (mode_ == Mode::kPlan) {
      result_.unread.push_back(status.message());
      return true;
    }
    if (result_.status.ok()) result_.status = status;
    return false;
  }

  ReconcileResult Finish() { return std::move(result_); }

  // Records a change and, when applying, makes it.
  Status Do(const std::string& account, const std::string& party, ChangeAction action,
            std::string object, std::string detail, const std::function<Status()>& make) {
    result_.changes.push_back({account, party, action, std::move(object), std::move(detail)});
    if (mode_ == Mode::kPlan) return Status::Ok();
    Status made = make();
    if (!made.ok()) result_.changes.back().failed = true;
    return made;
  }

  Result<json::object> Call(const std::string& party, const std::string& account,
                            std::string_view service, std::string_view operation,
                            const json::object& input = {}) {
    return session_.Require(party, account, service, operation, input);
  }

  // The object, or nullopt when the call fails with `not_found_code`.
  Result<std::optional<json::object>> Find(const std::string& party, const std::string& account,
                                           std::string_view service, std::string_view operation,
                                           const json::object& input,
                                           std::string_view not_found_code) {
    auto outcome = session_.Call(party, account, service, operation, input);
    if (outcome.ok()) return std::optional<json::object>(std::move(outcome).value());
    if (outcome.error().code == not_found_code) return std::optional<json::object>();
    return session_.Require(party, account, service, operation, input).status();
  }

  Result<std::vector<json::object>> Pages(const std::string& party, const std::string& account,
                                          std::string_view service, std::string_view operation,
                                          json::object input = {}) {
    auto pages = session_.AllPages(party, account, service, operation, std::move(input));
    if (pages.ok()) return std::move(pages).value();
    CallFailure failure{party, account, std::string(service) + " " + std::string(operation),
                        pages.error()};
    if (pages.error().code.find("AccessDenied") != std::string::npos) {
      return AccessDeniedError(failure.ToString());
    }
    return InvalidInputError(failure.ToString());
  }

  std::string IdOrPlaceholder(const std::string& account) const {
    auto id = session_.AccountId(account);
    return id ? *id : std::string(kUnknownId);
  }

  // ---- IAM ----------------------------------------------------------------------------------

  Status ReconcileIam(const AccountIam& iam) {
    const std::string& account = iam.account;
    const std::string& party = structure_.FindAccount(account)->owner.value;
    if (!session_.AccountId(account)) {
      result_.notes.push_back("account `" + account +
                              "` does not exist yet: its IAM is applied once it is created");
      return Status::Ok();
    }
    const bool roles_only = !scope_.roles.empty();
    if (!roles_only) {
      for (const Group& group : iam.groups)
        OT_RETURN_IF_ERROR(ReconcileGroup(account, party, group));
    }
    for (const Role& role : iam.roles) {
      if (roles_only && scope_.roles.count(role.name) == 0) continue;
      OT_RETURN_IF_ERROR(ReconcileRole(account, party, role));
    }
    if (!roles_only) {
      for (const User& user : iam.users) OT_RETURN_IF_ERROR(ReconcileUser(account, party, user));
    }
    return Status::Ok();
  }

  Status ReconcileRole(const std::string& account, const std::string& party, const Role& role) {
    const std::string object = "role " + role.name;
    const std::string trust = TrustPolicyDocument(session_, role);
    if (mode_ == Mode::kApply && trust.find(kUnknownId) != std::string::npos) {
      result_.notes.push_back("role " + role.name + " in `" + account +
                              "` trusts an account that does not exist yet: left for later");
      return Status::Ok();
    }
    OT_ASSIGN_OR_RETURN(auto found, Find(party, account, "iam", "GetRole",
                                         {{"RoleName", role.name}}, "NoSuchEntity"));
    if (!found) {
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kCreate, object, "trust: " + TrustSummary(role), [&] {
            json::object input{{"RoleName", role.name},
                               {"Path", role.path},
                               {"AssumeRolePolicyDocument", trust},
                               {"MaxSessionDuration", role.max_session_duration_seconds}};
            if (!role.description.empty()) input["Description"] = role.description;
            if (role.permissions_boundary_arn) {
              input["PermissionsBoundary"] = role.permissions_boundary_arn->value;
            }
            return Call(party, account, "iam", "CreateRole", input).status();
          }));
      return ReconcilePolicies(account, party, kRoleOps, role.name, object,
                               role.managed_policy_arns, role.inline_policies, true);
    }
    const json::object& current = Obj(*found, "Role");
    if (!SameDocument(Str(current, "AssumeRolePolicyDocument"), trust)) {
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kUpdate, object, "trust: " + TrustSummary(role), [&] {
            return Call(party, account, "iam", "UpdateAssumeRolePolicy",
                        {{"RoleName", role.name}, {"PolicyDocument", trust}})
                .status();
          }));
    }
    const json::value* duration = current.if_contains("MaxSessionDuration");
    const int64_t current_duration = duration != nullptr && duration->is_number()
                                         ? duration->to_number<int64_t>()
                                         : int64_t{3600};
    if (Str(current, "Description") != role.description ||
        current_duration != role.max_session_duration_seconds) {
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kUpdate, object,
             "description and maximum session duration", [&] {
               return Call(party, account, "iam", "UpdateRole",
                           {{"RoleName", role.name},
                            {"Description", role.description},
                            {"MaxSessionDuration", role.max_session_duration_seconds}})
                   .status();
             }));
    }
    const std::string boundary = Str(Obj(current, "PermissionsBoundary"), "PermissionsBoundaryArn");
    const std::string wanted =
        role.permissions_boundary_arn ? role.permissions_boundary_arn->value : std::string();
    if (boundary != wanted) {
      OT_RETURN_IF_ERROR(Do(
          account, party, wanted.empty() ? ChangeAction::kDelete : ChangeAction::kUpdate, object,
          wanted.empty() ? "remove permissions boundary" : "permissions boundary " + wanted, [&] {
            if (wanted.empty()) {
              return Call(party, account, "iam", "DeleteRolePermissionsBoundary",
                          {{"RoleName", role.name}})
                  .status();
            }
            return Call(party, account, "iam", "PutRolePermissionsBoundary",
                        {{"RoleName", role.name}, {"PermissionsBoundary", wanted}})
                .status();
          }));
    }
    return ReconcilePolicies(account, party, kRoleOps, role.name, object, role.managed_policy_arns,
                             role.inline_policies, false);
  }

  Status ReconcileGroup(const std::string& account, const std::string& party, const Group& group) {
    const std::string object = "group " + group.name;
    OT_ASSIGN_OR_RETURN(auto found, Find(party, account, "iam", "GetGroup",
                                         {{"GroupName", group.name}}, "NoSuchEntity"));
    if (!found) {
      OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kCreate, object, "", [&] {
        return Call(party, account, "iam", "CreateGroup",
                    {{"GroupName", group.name}, {"Path", group.path}})
            .status();
      }));
    }
    return ReconcilePolicies(account, party, kGroupOps, group.name, object,
                             group.managed_policy_arns, group.inline_policies, !found);
  }

  Status ReconcileUser(const std::string& account, const std::string& party, const User& user) {
    const std::string object = "user " + user.name;
    OT_ASSIGN_OR_RETURN(auto found, Find(party, account, "iam", "GetUser",
                                         {{"UserName", user.name}}, "NoSuchEntity"));
    if (!found) {
      OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kCreate, object, "", [&] {
        return Call(party, account, "iam", "CreateUser",
                    {{"UserName", user.name}, {"Path", user.path}})
            .status();
      }));
    }
    // Groups.
    std::set<std::string> current_groups;
    if (found) {
      OT_ASSIGN_OR_RETURN(
          auto pages, Pages(party, account, "iam", "ListGroupsForUser", {{"UserName", user.name}}));
      for (const json::object& page : pages) {
        for (const json::value& group : Arr(page, "Groups")) {
          current_groups.insert(Str(group.as_object(), "GroupName"));
        }
      }
    }
    for (const LocatedString& group : user.groups) {
      if (current_groups.erase(group.value) != 0) continue;
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kUpdate, object, "join group " + group.value, [&] {
            return Call(party, account, "iam", "AddUserToGroup",
                        {{"UserName", user.name}, {"GroupName", group.value}})
                .status();
          }));
    }
    for (const std::string& group : current_groups) {
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kDelete, object, "leave group " + group, [&] {
            return Call(party, account, "iam", "RemoveUserFromGroup",
                        {{"UserName", user.name}, {"GroupName", group}})
                .status();
          }));
    }
    std::vector<InlinePolicy> inline_policies = user.inline_policies;
    bool keep_may_assume = false;
    if (!user.may_assume.empty()) {
      std::string document = MayAssumePolicyDocument(session_, user);
      if (mode_ == Mode::kApply && document.find(kUnknownId) != std::string::npos) {
        // Written once the role's account exists; an existing copy is left as it is.
        result_.notes.push_back("user " + user.name + " in `" + account +
                                "` may assume a role in an account that does not exist yet: "
                                "its permission is written later");
        keep_may_assume = true;
      } else {
        inline_policies.push_back({kMayAssumePolicyName, std::move(document), user.location});
      }
    }
    return ReconcilePolicies(account, party, kUserOps, user.name, object, user.managed_policy_arns,
                             inline_policies, !found, keep_may_assume ? kMayAssumePolicyName : "");
  }

  // Managed attachments and inline policies of one principal, the same for the three kinds.
  // `is_new`: the principal is being created, so it has none yet (and cannot be read in a plan).
  Status ReconcilePolicies(const std::string& account, const std::string& party,
                           const PrincipalOps& ops, const std::string& name,
                           const std::string& object, const std::vector<LocatedString>& managed,
                           const std::vector<InlinePolicy>& inline_policies, bool is_new,
                           std::string_view keep_inline = "") {
    const json::object who{{ops.name_member, name}};
    std::set<std::string> attached;
    std::set<std::string> inline_names;
    if (!is_new) {
      OT_ASSIGN_OR_RETURN(auto pages, Pages(party, account, "iam", ops.list_attached, who));
      for (const json::object& page : pages) {
        for (const json::value& policy : Arr(page, "AttachedPolicies")) {
          attached.insert(Str(policy.as_object(), "PolicyArn"));
        }
      }
      OT_ASSIGN_OR_RETURN(auto names, Pages(party, account, "iam", ops.list_inline, who));
      for (const json::object& page : names) {
        for (const json::value& policy : Arr(page, "PolicyNames")) {
          inline_names.insert(std::string(policy.as_string()));
        }
      }
    }
    for (const LocatedString& arn : managed) {
      if (attached.erase(arn.value) != 0) continue;
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kUpdate, object, "attach " + arn.value, [&] {
            json::object input = who;
            input["PolicyArn"] = arn.value;
            return Call(party, account, "iam", ops.attach, input).status();
          }));
    }
    for (const std::string& arn : attached) {
      OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kDelete, object, "detach " + arn, [&] {
        json::object input = who;
        input["PolicyArn"] = arn;
        return Call(party, account, "iam", ops.detach, input).status();
      }));
    }
    for (const InlinePolicy& policy : inline_policies) {
      const bool exists = inline_names.erase(policy.name) != 0;
      if (exists) {
        json::object input = who;
        input["PolicyName"] = policy.name;
        OT_ASSIGN_OR_RETURN(json::object current,
                            Call(party, account, "iam", ops.get_inline, input));
        if (SameDocument(Str(current, "PolicyDocument"), policy.document)) continue;
      }
      OT_RETURN_IF_ERROR(Do(account, party, exists ? ChangeAction::kUpdate : ChangeAction::kCreate,
                            object, "inline policy " + policy.name, [&] {
                              json::object input = who;
                              input["PolicyName"] = policy.name;
                              input["PolicyDocument"] = policy.document;
                              return Call(party, account, "iam", ops.put_inline, input).status();
                            }));
    }
    for (const std::string& stale : inline_names) {
      if (stale == keep_inline) continue;
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kDelete, object, "inline policy " + stale, [&] {
            json::object input = who;
            input["PolicyName"] = stale;
            return Call(party, account, "iam", ops.delete_inline, input).status();
          }));
    }
    return Status::Ok();
  }

  std::string TrustSummary(const Role& role) const {
    if (role.trust.IsDocument()) return "policy document";
    std::string text;
    for (const LocatedString& account : role.trust.accounts) {
      text += (text.empty() ? "" : ", ") + account.value;
    }
    if (role.trust.require_mfa) text += " with MFA";
    if (!role.trust.external_id.empty()) text += " with external ID";
    return text;
  }

  // ---- Organizations --------------------------------------------------------------------------

  struct OrgState {
    std::string root_id;  // "" when the organization is yet to be created (plan)
    std::map<std::string, std::string> unit_ids;  // OU path -> ID; "" when yet to be created
  };

  Status ReconcileOrganization(const Organization& organization) {
    const std::string& account = organization.management_account;
    const std::string& party = organization.administered_by.value;
    const std::string object = "organization";
    if (!session_.AccountId(account)) {
      result_.notes.push_back("the management account `" + account +
                              "` does not exist yet: the organization is created once it does");
      return Status::Ok();
    }
    OrgState state;
    OT_ASSIGN_OR_RETURN(auto described,
                        Find(party, account, "organizations", "DescribeOrganization", {},
                             "AWSOrganizationsNotInUseException"));
    if (described) {
      const std::string master = Str(Obj(*described, "Organization"), "MasterAccountId");
      if (master != *session_.AccountId(account)) {
        return InvalidInputError("account `" + account + "` is a member of organization " +
                                 Str(Obj(*described, "Organization"), "Id") + ", managed by " +
                                 master + ", not its management account");
      }
    } else {
      if (!scope_.Has(Scope::kCreateOrganization)) {
        result_.notes.push_back("the organization does not exist yet");
        return Status::Ok();
      }
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kCreate, object,
             "feature set " + std::string(FeatureSetName(organization.feature_set)), [&] {
               return Call(party, account, "organizations", "CreateOrganization",
                           {{"FeatureSet", FeatureSetName(organization.feature_set)}})
                   .status();
             }));
    }
    std::set<std::string> enabled_types;
    if (described || mode_ == Mode::kApply) {
      OT_ASSIGN_OR_RETURN(json::object roots, Call(party, account, "organizations", "ListRoots"));
      const json::array& list = Arr(roots, "Roots");
      if (list.empty()) return InternalError("ListRoots returned no root");
      const json::object& root = list.front().as_object();
      state.root_id = Str(root, "Id");
      for (const json::value& type : Arr(root, "PolicyTypes")) {
        if (Str(type.as_object(), "Status") == "ENABLED") {
          enabled_types.insert(Str(type.as_object(), "Type"));
        }
      }
    }
    if (scope_.Has(Scope::kPolicyTypes)) {
      std::set<std::string> needed;
      for (const OrganizationPolicy& policy : organization.policies) {
        needed.insert(std::string(PolicyTypeName(policy.type)));
      }
      for (const std::string& type : needed) {
        if (enabled_types.count(type) != 0) continue;
        OT_RETURN_IF_ERROR(
            Do(account, party, ChangeAction::kUpdate, object, "enable policy type " + type, [&] {
              return Call(party, account, "organizations", "EnablePolicyType",
                          {{"RootId", state.root_id}, {"PolicyType", type}})
                  .status();
            }));
      }
    }
    const bool need_units =
        (scope_.parts & (Scope::kUnits | Scope::kPolicies | Scope::kPlacements)) != 0;
    if (need_units) {
      OT_RETURN_IF_ERROR(ReconcileUnits(account, party, organization.units, state.root_id,
                                        scope_.Has(Scope::kUnits), state));
    }
    std::map<std::string, std::string> member_ids;  // account key -> ID, members only
    if (scope_.Has(Scope::kPlacements) || scope_.Has(Scope::kPolicies)) {
      OT_ASSIGN_OR_RETURN(member_ids, Members(account, party, organization, state));
    }
    if (scope_.Has(Scope::kPolicies) || scope_.Has(Scope::kPlacements)) {
      for (const OrganizationPolicy& policy : organization.policies) {
        OT_RETURN_IF_ERROR(ReconcilePolicy(account, party, policy, state, member_ids));
      }
    }
    if (scope_.Has(Scope::kPlacements)) {
      for (const Placement& placement : organization.placements) {
        auto member = member_ids.find(placement.account);
        if (member == member_ids.end()) continue;
        OT_RETURN_IF_ERROR(ReconcilePlacement(account, party, placement, member->second, state));
      }
    }
    return Status::Ok();
  }

  // Creates the OUs the file names under `parent_id` ("" = not created yet), depth first.
  Status ReconcileUnits(const std::string& account, const std::string& party,
                        const std::vector<OrganizationalUnit>& units, const std::string& parent_id,
                        bool may_create, OrgState& state) {
    std::map<std::string, std::string> existing;  // name -> ID
    if (!parent_id.empty()) {
      OT_ASSIGN_OR_RETURN(auto pages,
                          Pages(party, account, "organizations", "ListOrganizationalUnitsForParent",
                                {{"ParentId", parent_id}}));
      for (const json::object& page : pages) {
        for (const json::value& unit : Arr(page, "OrganizationalUnits")) {
          existing[Str(unit.as_object(), "Name")] = Str(unit.as_object(), "Id");
        }
      }
    }
    for (const OrganizationalUnit& unit : units) {
      std::string id;
      if (auto found = existing.find(unit.name); found != existing.end()) {
        id = found->second;
      } else if (may_create) {
        OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kCreate, "OU " + unit.path, "", [&] {
          OT_ASSIGN_OR_RETURN(json::object created,
                              Call(party, account, "organizations", "CreateOrganizationalUnit",
                                   {{"ParentId", parent_id}, {"Name", unit.name}}));
          id = Str(Obj(created, "OrganizationalUnit"), "Id");
          return Status::Ok();
        }));
      } else {
        result_.notes.push_back("OU " + unit.path + " does not exist yet");
      }
      state.unit_ids[unit.path] = id;
      OT_RETURN_IF_ERROR(ReconcileUnits(account, party, unit.children, id, may_create, state));
    }
    return Status::Ok();
  }

  // The placed accounts that are members of the organization now (key -> ID).
  Result<std::map<std::string, std::string>> Members(const std::string& account,
                                                     const std::string& party,
                                                     const Organization& organization,
                                                     const OrgState& state) {
    std::map<std::string, std::string> members;
    if (state.root_id.empty()) return members;
    std::set<std::string> ids;
    OT_ASSIGN_OR_RETURN(auto pages, Pages(party, account, "organizations", "ListAccounts"));
    for (const json::object& page : pages) {
      for (const json::value& listed : Arr(page, "Accounts"))
        ids.insert(Str(listed.as_object(), "Id"));
    }
    for (const Placement& placement : organization.placements) {
      auto id = session_.AccountId(placement.account);
      if (id && ids.count(*id) != 0) {
        members[placement.account] = *id;
      } else {
        result_.notes.push_back("account `" + placement.account +
                                "` is not a member of the organization yet: it joins through "
                                "the transfer playbook");
      }
    }
    return members;
  }

  Result<std::string> PolicyContent(const OrganizationPolicy& policy) {
    if (!policy.copy_from) return policy.content;
    // The seed's Part III step 5: the content comes from the customer's own organization, read
    // with the credentials of the party that owns it; the file's copy is the fallback.
    const std::string& source = policy.copy_from->value;
    const std::string& owner = structure_.FindAccount(source)->owner.value;
    auto pages = session_.AllPages(owner, source, "organizations", "ListPolicies",
                                   {{"Filter", PolicyTypeName(policy.type)}});
    if (pages.ok()) {
      for (const json::object& page : *pages) {
        for (const json::value& summary : Arr(page, "Policies")) {
          if (Str(summary.as_object(), "Name") != policy.name) continue;
          OT_ASSIGN_OR_RETURN(json::object described,
                              Call(owner, source, "organizations", "DescribePolicy",
                                   {{"PolicyId", Str(summary.as_object(), "Id")}}));
          return Str(Obj(described, "Policy"), "Content");
        }
      }
    }
    result_.notes.push_back(std::string(PolicyTypeName(policy.type)) + " " + policy.name +
                            ": not found in the organization of `" + source +
                            "`; the structure file's copy is used");
    return policy.content;
  }

  Status ReconcilePolicy(const std::string& account, const std::string& party,
                         const OrganizationPolicy& policy, const OrgState& state,
                         const std::map<std::string, std::string>& member_ids) {
    const std::string object = std::string(PolicyTypeName(policy.type)) + " " + policy.name;
    std::string policy_id;
    if (!state.root_id.empty()) {
      OT_ASSIGN_OR_RETURN(auto pages, Pages(party, account, "organizations", "ListPolicies",
                                            {{"Filter", PolicyTypeName(policy.type)}}));
      for (const json::object& page : pages) {
        for (const json::value& summary : Arr(page, "Policies")) {
          if (Str(summary.as_object(), "Name") == policy.name) {
            policy_id = Str(summary.as_object(), "Id");
          }
        }
      }
    }
    if (scope_.Has(Scope::kPolicies)) {
      OT_ASSIGN_OR_RETURN(std::string content, PolicyContent(policy));
      const std::string from = policy.copy_from ? "copied from " + policy.copy_from->value : "";
      if (policy_id.empty()) {
        OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kCreate, object, from, [&] {
          OT_ASSIGN_OR_RETURN(json::object created,
                              Call(party, account, "organizations", "CreatePolicy",
                                   {{"Name", policy.name},
                                    {"Description", policy.description},
                                    {"Type", PolicyTypeName(policy.type)},
                                    {"Content", content}}));
          policy_id = Str(Obj(Obj(created, "Policy"), "PolicySummary"), "Id");
          return Status::Ok();
        }));
      } else {
        OT_ASSIGN_OR_RETURN(
            json::object described,
            Call(party, account, "organizations", "DescribePolicy", {{"PolicyId", policy_id}}));
        const json::object& current = Obj(described, "Policy");
        if (!SameDocument(Str(current, "Content"), content) ||
            Str(Obj(current, "PolicySummary"), "Description") != policy.description) {
          OT_RETURN_IF_ERROR(Do(account, party, ChangeAction::kUpdate, object,
                                "content" + (from.empty() ? "" : " " + from), [&] {
                                  return Call(party, account, "organizations", "UpdatePolicy",
                                              {{"PolicyId", policy_id},
                                               {"Description", policy.description},
                                               {"Content", content}})
                                      .status();
                                }));
        }
      }
    }
    // Attachments: the root and OUs with kPolicies, member accounts with kPlacements.
    std::set<std::string> current_targets;
    if (!policy_id.empty()) {
      OT_ASSIGN_OR_RETURN(auto pages, Pages(party, account, "organizations", "ListTargetsForPolicy",
                                            {{"PolicyId", policy_id}}));
      for (const json::object& page : pages) {
        for (const json::value& target : Arr(page, "Targets")) {
          current_targets.insert(Str(target.as_object(), "TargetId"));
        }
      }
    }
    std::set<std::string> managed_kinds;  // the targets this scope may attach and detach
    for (const PolicyTarget& target : policy.attachments) {
      const bool account_target = target.kind == PolicyTarget::Kind::kAccount;
      if (account_target ? !scope_.Has(Scope::kPlacements) : !scope_.Has(Scope::kPolicies)) {
        continue;
      }
      std::string target_id;
      std::string label;
      switch (target.kind) {
        case PolicyTarget::Kind::kRoot:
          target_id = state.root_id;
          label = "root";
          break;
        case PolicyTarget::Kind::kOrganizationalUnit: {
          auto found = state.unit_ids.find(target.name);
          target_id = found == state.unit_ids.end() ? "" : found->second;
          label = "OU " + target.name;
          break;
        }
        case PolicyTarget::Kind::kAccount: {
          auto member = member_ids.find(target.name);
          if (member == member_ids.end()) continue;  // noted by Members()
          target_id = member->second;
          label = "account " + target.name;
          break;
        }
      }
      if (!target_id.empty() && current_targets.erase(target_id) != 0) continue;
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kUpdate, object, "attach to " + label, [&] {
            return Call(party, account, "organizations", "AttachPolicy",
                        {{"PolicyId", policy_id}, {"TargetId", target_id}})
                .status();
          }));
    }
    // A target the file does not name is detached, within what this scope manages: root and
    // OUs with kPolicies, accounts with kPlacements.
    for (const std::string& stale : current_targets) {
      const bool is_account = stale.find_first_not_of("0123456789") == std::string::npos;
      if (is_account ? !scope_.Has(Scope::kPlacements) : !scope_.Has(Scope::kPolicies)) continue;
      OT_RETURN_IF_ERROR(
          Do(account, party, ChangeAction::kDelete, object, "detach from " + stale, [&] {
            return Call(party, account, "organizations", "DetachPolicy",
                        {{"PolicyId", policy_id}, {"TargetId", stale}})
                .status();
          }));
    }
    return Status::Ok();
  }

  Status ReconcilePlacement(const std::string& account, const std::string& party,
                            const Placement& placement, const std::string& member_id,
                            const OrgState& state) {
    std::string wanted = state.root_id;
    if (!placement.ou_path.empty()) {
      auto found = state.unit_ids.find(placement.ou_path);
      wanted = found == state.unit_ids.end() ? "" : found->second;
    }
    OT_ASSIGN_OR_RETURN(json::object parents, Call(party, account, "organizations", "ListParents",
                                                   {{"ChildId", member_id}}));
    const json::array& list = Arr(parents, "Parents");
    const std::string current = list.empty() ? "" : Str(list.front().as_object(), "Id");
    if (!wanted.empty() && current == wanted) return Status::Ok();
    const std::string where = placement.ou_path.empty() ? "the root" : "OU " + placement.ou_path;
    return Do(account, party, ChangeAction::kUpdate, "account " + placement.account,
              "move to " + where, [&] {
                return Call(party, account, "organizations", "MoveAccount",
                            {{"AccountId", member_id},
                             {"SourceParentId", current},
                             {"DestinationParentId", wanted}})
                    .status();
              });
  }

  // ---- Account API: alternate contacts ----------------------------------------------------------

  Status ReconcileContacts(const AlternateContacts& contacts) {
    const std::string& account = contacts.account;
    const std::string& party = structure_.FindAccount(account)->owner.value;
    if (!session_.AccountId(account)) {
      result_.notes.push_back("account `" + account +
                              "` does not exist yet: its contacts are set once it is created");
      return Status::Ok();
    }
    for (const auto& [type, contact_party] : contacts.party) {
      const Contact& wanted = structure_.FindParty(contact_party.value)->contacts.at(type);
      const std::string type_name = type == ContactType::kBilling      ? "BILLING"
                                    : type == ContactType::kOperations ? "OPERATIONS"
                                                                       : "SECURITY";
      OT_ASSIGN_OR_RETURN(auto found,
                          Find(party, account, "account", "GetAlternateContact",
                               {{"AlternateContactType", type_name}}, "ResourceNotFoundException"));
      if (found) {
        const json::object& current = Obj(*found, "AlternateContact");
        if (Str(current, "Name") == wanted.name && Str(current, "Title") == wanted.title &&
            Str(current, "EmailAddress") == wanted.email &&
            Str(current, "PhoneNumber") == wanted.phone) {
          continue;
        }
      }
      OT_RETURN_IF_ERROR(Do(account, party, found ? ChangeAction::kUpdate : ChangeAction::kCreate,
                            std::string(ContactTypeName(type)) + " contact",
                            contact_party.value + "'s " + wanted.email, [&] {
                              return Call(party, account, "account", "PutAlternateContact",
                                          {{"AlternateContactType", type_name},
                                           {"Name", wanted.name},
                                           {"Title", wanted.title},
                                           {"EmailAddress", wanted.email},
                                           {"PhoneNumber", wanted.phone}})
                                  .status();
                            }));
    }
    return Status::Ok();
  }

  Session& session_;
  const Structure& structure_;
  const Mode mode_;
  const Scope& scope_;
  ReconcileResult result_;
};

}  // namespace

ReconcileResult Reconcile(Session& session, Mode mode, const Scope& scope) {
  return Reconciler(session, mode, scope).Run();
}

std::string TrustPolicyDocument(const Session& session, const Role& role) {
  return TrustPolicyDocument(role, [&session](const std::string& account) {
    auto id = session.AccountId(account);
    return id ? *id : std::string(kUnknownId);
  });
}

std::string MayAssumePolicyDocument(const Session& session, const User& user) {
  return MayAssumePolicyDocument(session.structure(), user, [&session](const std::string& account) {
    auto id = session.AccountId(account);
    return id ? *id : std::string(kUnknownId);
  });
}

std::string FormatChanges(const ReconcileResult& result, Mode mode) {
  std::ostringstream out;
  std::string group;
  for (const Change& change : result.changes) {
    std::string heading = "account " + change.account + ", as " + change.party + ":";
    if (heading != group) {
      out << (group.empty() ? "" : "\n") << heading << "\n";
      group = heading;
    }
    const char mark = change.action == ChangeAction::kCreate   ? '+'
                      : change.action == ChangeAction::kUpdate ? '~'
                                                               : '-';
    out << "  " << mark << " " << change.object;
    if (!change.detail.empty()) out << ": " << change.detail;
    if (change.failed) out << "  (FAILED)";
    out << "\n";
  }
  size_t created = 0;
  size_t updated = 0;
  size_t deleted = 0;
  for (const Change& change : result.changes) {
    if (change.failed) continue;
    (change.action == ChangeAction::kCreate   ? created
     : change.action == ChangeAction::kUpdate ? updated
                                              : deleted)++;
  }
  if (result.changes.empty() && result.unread.empty()) {
    out << "No changes. The accounts match the structure file.\n";
  } else if (result.changes.empty()) {
    out << "No changes found in what could be read.\n";
  } else {
    out << "\n";
    if (mode == Mode::kPlan) {
      out << "Plan: " << created << " to create, " << updated << " to change, " << deleted
          << " to remove.\n";
    } else {
      out << "Applied: " << created << " created, " << updated << " changed, " << deleted
          << " removed.\n";
    }
  }
  for (const std::string& note : result.notes) out << "note: " << note << "\n";
  for (const std::string& error : result.unread) out << "could not read: " << error << "\n";
  return out.str();
}

}  // namespace orgtwin::structure
