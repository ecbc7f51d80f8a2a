#include "services/root/custody.h"

#include <algorithm>
#include <map>
#include <set>

#include "gateway/authorizer.h"
#include "repo/account_repository.h"
#include "repo/iam_repository.h"
#include "repo/org_repository.h"
#include "repo/recovery_repository.h"
#include "services/iam/console_passwords.h"
#include "services/identity/credential_store.h"

namespace orgtwin::services::root {
namespace {

// Past this many parties the 2^n sets of parties are not enumerated.
constexpr size_t kMaxParties = 10;

using Factor = std::pair<std::string, std::string>;  // kind, ref

// The root side of one account: what signing in as its root needs.
struct RootFacts {
  std::string account_id;
  std::string mailbox;  // MailboxKey of the root email
  bool has_password = false;
  std::vector<std::string> mfa_serials;
};

// What the analysis reads once, before it tries the sets of parties.
struct World {
  RootFacts target;
  std::string phone;  // PhoneKey of the primary contact phone ("" = none)
  std::string org_id;
  std::optional<RootFacts> management;  // the target's management account, when a member
  bool account_trusted_access = false;  // account.amazonaws.com trusted by the organization
  bool root_sessions = false;           // IAM's RootSessions feature: AssumeRoot works
  std::vector<repo::RoleRow> roles;     // of the target and its management account
  std::map<std::string, std::vector<Factor>> factors_of;  // party -> factors
  std::vector<std::string> parties;
};

// A principal a set of parties acts as, and how it got there.
struct Actor {
  auth::Principal principal;
  std::string how;
};

// What a set of parties reaches; `steps` in the order they were found.
struct Reach {
  std::set<Factor> held;
  std::vector<Actor> actors;
  std::set<std::string> actor_arns;
  std::map<std::string, std::vector<std::string>> goals;  // goal -> steps
  std::vector<std::string> steps;
  bool password = false, mailbox = false, phone = false, mfa_cleared = false;
  bool phone_changeable = false;  // an actor may set the primary contact phone
  bool root_console = false;
};

Result<RootFacts> ReadRoot(store::Transaction& tx, const std::string& account_id) {
  RootFacts facts;
  facts.account_id = account_id;
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(tx, account_id));
  if (!account.has_value()) return NotFound("Account " + account_id + " does not exist.");
  facts.mailbox = repo::MailboxKey(account->email);
  OT_ASSIGN_OR_RETURN(auto login, iam::FindConsoleLogin(tx, account_id, ""));
  facts.has_password = login.has_value();
  OT_ASSIGN_OR_RETURN(auto devices, repo::MfaDevicesOfUser(tx, account_id, "", "", 8));
  for (const repo::MfaDeviceRow& d : devices) facts.mfa_serials.push_back(d.serial_number);
  return facts;
}

Result<World> ReadWorld(store::Transaction& tx, const std::string& account_id) {
  World world;
  OT_ASSIGN_OR_RETURN(world.target, ReadRoot(tx, account_id));
  OT_ASSIGN_OR_RETURN(std::string phone, repo::PrimaryContactPhone(tx, account_id));
  if (!phone.empty()) world.phone = repo::PhoneKey(phone);
  OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(tx, account_id));
  std::vector<std::string> role_accounts{account_id};
  if (org.has_value()) {
    world.org_id = org->org_id;
    OT_ASSIGN_OR_RETURN(world.account_trusted_access,
                        repo::ServiceAccessEnabled(tx, org->org_id, "account.amazonaws.com"));
    OT_ASSIGN_OR_RETURN(auto features, repo::RootFeatures(tx, org->org_id));
    world.root_sessions =
        std::find(features.begin(), features.end(), repo::kRootSessions) != features.end();
    if (org->management_account_id != account_id) {
      OT_ASSIGN_OR_RETURN(RootFacts management, ReadRoot(tx, org->management_account_id));
      world.management = std::move(management);
      role_accounts.push_back(org->management_account_id);
    }
  }
  for (const std::string& account : role_accounts) {
    std::string from;
    while (true) {
      OT_ASSIGN_OR_RETURN(auto page, repo::ListRoles(tx, account, from, "/", 100));
      for (repo::RoleRow& role : page) {
        // Service-linked roles are assumed by their services, never by a party.
        if (role.path.rfind("/aws-service-role/", 0) != 0) world.roles.push_back(role);
      }
      if (page.size() < 100) break;
      from = AsciiLowerCopy(page.back().name) + '\x01';
    }
  }
  // The parties that hold a factor which can matter here: this account's or its management
  // account's root factors, its phone, and any IAM credential (it may assume roles across
  // accounts). The rest cannot change the answer and would only double the sets to try.
  auto root_factor = [](const RootFacts& root, const repo::FactorRow& f) {
    return (f.kind == kRootPassword && f.ref == root.account_id) ||
           (f.kind == kMailbox && f.ref == root.mailbox) ||
           (f.kind == kMfaDevice && std::find(root.mfa_serials.begin(), root.mfa_serials.end(),
                                              f.ref) != root.mfa_serials.end());
  };
  OT_ASSIGN_OR_RETURN(auto factors, repo::FactorsOf(tx, ""));
  // A user's MFA device matters with the user's password, which some party may hold.
  std::set<std::string> password_accounts;
  for (const repo::FactorRow& f : factors) {
    if (f.kind == kIamPassword) password_accounts.insert(f.ref.substr(0, f.ref.find('/')));
  }
  auto user_device = [&](const repo::FactorRow& f) {
    constexpr std::string_view kPrefix = "arn:aws:iam::";
    return f.kind == kMfaDevice && f.ref.rfind(kPrefix, 0) == 0 &&
           password_accounts.count(f.ref.substr(kPrefix.size(), 12)) > 0;
  };
  for (const repo::FactorRow& f : factors) {
    bool relevant = root_factor(world.target, f) ||
                    (world.management.has_value() && root_factor(*world.management, f)) ||
                    (f.kind == kPhone && f.ref == world.phone) || f.kind == kAccessKey ||
                    f.kind == kIamPassword || user_device(f);
    world.factors_of[f.party].emplace_back(f.kind, f.ref);
    if (relevant && (world.parties.empty() || world.parties.back() != f.party)) {
      world.parties.push_back(f.party);
    }
  }
  return world;
}

class Analysis {
 public:
  Analysis(gateway::Gateway& gateway, gateway::RequestContext& ctx, const World& world)
      : gateway_(gateway), ctx_(ctx), world_(world) {}

  // Everything `parties` reach together.
  Result<Reach> Close(const std::vector<std::string>& parties) {
    Reach reach;
    for (const std::string& party : parties) {
      auto it = world_.factors_of.find(party);
      if (it == world_.factors_of.end()) continue;
      reach.held.insert(it->second.begin(), it->second.end());
    }
    const RootFacts& root = world_.target;
    reach.mailbox = reach.held.count({std::string(kMailbox), root.mailbox}) > 0;
    if (reach.mailbox) reach.steps.push_back("read the root mailbox " + root.mailbox);
    reach.phone = !world_.phone.empty() && reach.held.count({std::string(kPhone), world_.phone});
    if (reach.phone) reach.steps.push_back("answer the primary contact phone " + world_.phone);
    reach.password =
        root.has_password && reach.held.count({std::string(kRootPassword), root.account_id}) > 0;
    if (reach.password) reach.steps.push_back("know the root password");
    for (bool changed = true; changed;) {
      changed = false;
      OT_ASSIGN_OR_RETURN(bool a, AddKeyAndPasswordActors(reach));
      OT_ASSIGN_OR_RETURN(bool b, AddRoles(reach));
      OT_ASSIGN_OR_RETURN(bool c, GainFactors(reach));
      changed = a || b || c;
    }
    return reach;
  }

 private:
  bool Holds(const Reach& reach, std::string_view kind, const std::string& ref) const {
    return reach.held.count({std::string(kind), ref}) > 0;
  }

  bool AddActor(Reach& reach, auth::Principal principal, std::string how) {
    if (!reach.actor_arns.insert(principal.arn).second) return false;
    reach.steps.push_back(how);
    reach.actors.push_back(Actor{std::move(principal), std::move(how)});
    return true;
  }

  static auth::Principal UserPrincipal(const repo::UserRow& user) {
    auth::Principal p;
    p.type = auth::PrincipalType::kUser;
    p.account_id = user.account_id;
    p.name = user.name;
    p.arn = user.Arn();
    p.user_id = user.user_id;
    return p;
  }

  static auth::Principal RootPrincipal(const std::string& account_id) {
    auth::Principal p;
    p.type = auth::PrincipalType::kRoot;
    p.account_id = account_id;
    p.arn = auth::RootArn(account_id);
    p.user_id = account_id;
    return p;
  }

  // Access keys and IAM passwords the parties hold, and the root console once it is theirs.
  Result<bool> AddKeyAndPasswordActors(Reach& reach) {
    bool changed = false;
    for (const Factor& factor : reach.held) {
      if (factor.first == kAccessKey) {
        OT_ASSIGN_OR_RETURN(auto credential, ctx_.twin.credentials.Lookup(factor.second));
        if (!credential.has_value() || !credential->active || credential->expires_at) continue;
        changed |= AddActor(reach, credential->principal,
                            "use access key " + factor.second + " of " + credential->principal.arn);
      } else if (factor.first == kIamPassword) {
        size_t slash = factor.second.find('/');
        if (slash == std::string::npos) continue;
        const std::string account = factor.second.substr(0, slash);
        OT_ASSIGN_OR_RETURN(auto user,
                            repo::FindUser(ctx_.tx, account, factor.second.substr(slash + 1)));
        if (!user.has_value()) continue;
        OT_ASSIGN_OR_RETURN(auto login, iam::FindConsoleLogin(ctx_.tx, account, user->user_id));
        if (!login.has_value()) continue;
        OT_ASSIGN_OR_RETURN(auto devices,
                            repo::MfaDevicesOfUser(ctx_.tx, account, user->user_id, "", 8));
        bool mfa_ok = devices.empty();
        for (const repo::MfaDeviceRow& d : devices) {
          mfa_ok = mfa_ok || Holds(reach, kMfaDevice, d.serial_number);
        }
        if (!mfa_ok) continue;
        changed |= AddActor(reach, UserPrincipal(*user),
                            "sign in to the console as " + user->Arn() +
                                (devices.empty() ? "" : " with its MFA device"));
      }
    }
    changed |= TryRootConsole(reach, world_.target, true);
    if (world_.management.has_value()) changed |= TryRootConsole(reach, *world_.management, false);
    return changed;
  }

  // Root of `root`'s account signs in when its password is known and its MFA held or cleared.
  bool TryRootConsole(Reach& reach, const RootFacts& root, bool is_target) {
    bool password = is_target ? reach.password
                              : root.has_password && Holds(reach, kRootPassword, root.account_id);
    if (!password) return false;
    bool mfa = root.mfa_serials.empty() || (is_target && reach.mfa_cleared);
    for (const std::string& serial : root.mfa_serials)
      mfa = mfa || Holds(reach, kMfaDevice, serial);
    if (!mfa) return false;
    if (is_target) reach.root_console = true;
    return AddActor(reach, RootPrincipal(root.account_id),
                    "sign in to the console as the root user of " + root.account_id);
  }

  Result<bool> Allowed(const auth::Principal& principal, std::string_view service,
                       std::string_view operation, const Json& input) {
    const model::ServiceModel* model = gateway_.models().BySigningName(service);
    const model::Operation* op = model != nullptr ? model->FindOperation(operation) : nullptr;
    if (op == nullptr) return false;
    OT_ASSIGN_OR_RETURN(gateway::Authorization decision,
                        gateway_.authorizer().Authorize(gateway::AuthorizationRequest{
                            *model, *op, input, principal, "us-east-1", "", ctx_.now}));
    return decision.allowed();
  }

  // Roles of the target and management accounts that an actor may assume.
  Result<bool> AddRoles(Reach& reach) {
    bool changed = false;
    for (const repo::RoleRow& role : world_.roles) {
      if (reach.actor_arns.count(RoleSessionArn(role)) > 0) continue;
      for (size_t i = 0; i < reach.actors.size(); ++i) {
        const Actor actor = reach.actors[i];  // a copy: AddActor grows the vector
        // AWS refuses sts:AssumeRole to the root user whatever the policies say.
        if (actor.principal.type == auth::PrincipalType::kRoot) continue;
        OT_ASSIGN_OR_RETURN(bool may,
                            Allowed(actor.principal, "sts", "AssumeRole",
                                    Json{{"RoleArn", role.Arn()}, {"RoleSessionName", "custody"}}));
        if (!may) continue;
        auth::Principal session;
        session.type = auth::PrincipalType::kAssumedRole;
        session.account_id = role.account_id;
        session.name = role.name;
        session.session_name = "custody";
        session.arn = RoleSessionArn(role);
        session.user_id = role.role_id + ":custody";
        changed |= AddActor(reach, session,
                            "as " + actor.principal.arn + ", assume role " + role.Arn() +
                                " (its trust policy and the caller's policies allow "
                                "sts:AssumeRole)");
        break;
      }
    }
    return changed;
  }

  static std::string RoleSessionArn(const repo::RoleRow& role) {
    return "arn:aws:sts::" + role.account_id + ":assumed-role/" + role.name + "/custody";
  }

  // Factors the actors can take over, and what the factors then give.
  Result<bool> GainFactors(Reach& reach) {
    bool changed = false;
    const RootFacts& root = world_.target;
    const std::string& target = root.account_id;
    const bool member = world_.management.has_value();
    for (size_t i = 0; i < reach.actors.size(); ++i) {
      const Actor actor = reach.actors[i];
      const auth::Principal& p = actor.principal;
      const bool own = p.account_id == target;
      const bool from_management =
          member && p.account_id == world_.management->account_id && world_.account_trusted_access;
      if (!reach.phone_changeable && (own || from_management)) {
        Json input{{"ContactInformation", Json{{"FullName", "x"},
                                               {"AddressLine1", "x"},
                                               {"City", "x"},
                                               {"PostalCode", "x"},
                                               {"CountryCode", "US"},
                                               {"PhoneNumber", "+1"}}}};
        if (from_management) input["AccountId"] = target;
        OT_ASSIGN_OR_RETURN(bool may, Allowed(p, "account", "PutContactInformation", input));
        if (may) {
          reach.phone_changeable = true;
          reach.phone = true;
          changed = true;
          reach.steps.push_back("as " + p.arn +
                                ", change the primary contact phone to one the parties answer "
                                "(account:PutContactInformation)");
          reach.goals.emplace("change-recovery-phone", reach.steps);
        }
      }
      if (!reach.mailbox && from_management) {
        OT_ASSIGN_OR_RETURN(
            bool may, Allowed(p, "account", "StartPrimaryEmailUpdate",
                              Json{{"AccountId", target}, {"PrimaryEmail", "new@example.com"}}));
        if (may) {
          reach.mailbox = true;
          changed = true;
          reach.steps.push_back("as " + p.arn +
                                ", change the root email to an address the parties read "
                                "(account:StartPrimaryEmailUpdate, AcceptPrimaryEmailUpdate)");
          reach.goals.emplace("change-root-email", reach.steps);
        }
      }
      // Centralized root access: a task session on the member deletes its root MFA.
      if (!reach.mfa_cleared && !root.mfa_serials.empty() && world_.root_sessions && member &&
          p.account_id == world_.management->account_id) {
        OT_ASSIGN_OR_RETURN(
            bool may, Allowed(p, "sts", "AssumeRoot",
                              Json{{"TargetPrincipal", target},
                                   {"TaskPolicyArn", Json{{"arn",
                                                           "arn:aws:iam::aws:policy/root-task/"
                                                           "IAMDeleteRootUserCredentials"}}}}));
        if (may) {
          reach.mfa_cleared = true;
          changed = true;
          reach.steps.push_back("as " + p.arn +
                                ", AssumeRoot into the member with IAMDeleteRootUserCredentials "
                                "and delete its root MFA devices");
        }
      }
      // Root acting through an access key removes its own MFA devices (DeactivateMFADevice).
      if (p.type == auth::PrincipalType::kRoot && own && !reach.mfa_cleared &&
          !root.mfa_serials.empty() && actor.how.rfind("use access key", 0) == 0) {
        reach.mfa_cleared = true;
        changed = true;
        reach.steps.push_back(
            "as the root user (access key), deactivate the root MFA devices "
            "(iam:DeactivateMFADevice)");
      }
    }
    if (!reach.password && reach.mailbox) {
      reach.password = true;
      changed = true;
      reach.steps.push_back("reset the root password with the link mailed to the root mailbox");
    }
    if (!reach.mfa_cleared && !root.mfa_serials.empty() && reach.password && reach.mailbox &&
        reach.phone) {
      reach.mfa_cleared = true;
      changed = true;
      reach.steps.push_back("recover without MFA: the email link, then the phone call");
    }
    if (reach.mailbox) reach.goals.emplace("reset-root-password", reach.steps);
    if (reach.mfa_cleared) reach.goals.emplace("remove-root-mfa", reach.steps);
    if (reach.root_console) {
      reach.goals.emplace("sign-in-as-root", reach.steps);
      if (!root.mfa_serials.empty()) reach.goals.emplace("remove-root-mfa", reach.steps);
      reach.goals.emplace("change-root-email", reach.steps);
    }
    return changed;
  }

  gateway::Gateway& gateway_;
  gateway::RequestContext& ctx_;
  const World& world_;
};

constexpr std::pair<std::string_view, std::string_view> kGoals[] = {
    {"sign-in-as-root", "sign in to the console as the root user"},
    {"reset-root-password", "set a new root password (forgotten-password link)"},
    {"remove-root-mfa", "remove the root user's MFA devices"},
    {"change-root-email", "change the root user's email (its sign-in name and recovery mailbox)"},
    {"change-recovery-phone",
     "change the primary contact phone, which the lost-MFA recovery calls"},
};

}  // namespace

Result<Json> GetRootCustody(gateway::Gateway& gateway, gateway::RequestContext& ctx,
                            const Json& input) {
  if (ctx.caller.type != auth::PrincipalType::kRoot ||
      ctx.caller.account_id != ctx.twin.default_account.account_id) {
    return AccessDenied("Only the root user of the default account reads custody.");
  }
  OT_ASSIGN_OR_RETURN(World world, ReadWorld(ctx.tx, Str(input, "AccountId")));
  if (world.parties.size() > kMaxParties) {
    return Validation("Custody is analysed for at most 10 parties; the twin records " +
                      std::to_string(world.parties.size()) + ".");
  }
  Analysis analysis(gateway, ctx, world);
  // Every set of parties, smallest first; a set is minimal when no smaller set reaching the
  // same goal is inside it.
  std::vector<uint32_t> masks;
  for (uint32_t mask = 1; mask < (1u << world.parties.size()); ++mask) masks.push_back(mask);
  std::stable_sort(masks.begin(), masks.end(), [](uint32_t a, uint32_t b) {
    return __builtin_popcount(a) < __builtin_popcount(b);
  });
  std::map<std::string, std::vector<std::pair<uint32_t, std::vector<std::string>>>> minimal;
  for (uint32_t mask : masks) {
    std::vector<std::string> members;
    for (size_t i = 0; i < world.parties.size(); ++i) {
      if (mask & (1u << i)) members.push_back(world.parties[i]);
    }
    OT_ASSIGN_OR_RETURN(Reach reach, analysis.Close(members));
    for (const auto& [goal, steps] : reach.goals) {
      auto& found = minimal[goal];
      bool covered = std::any_of(found.begin(), found.end(),
                                 [mask](const auto& f) { return (f.first & mask) == f.first; });
      if (!covered) found.emplace_back(mask, steps);
    }
  }
  boost::json::array goals;
  for (const auto& [goal, description] : kGoals) {
    boost::json::array coalitions;
    for (const auto& [mask, steps] : minimal[std::string(goal)]) {
      boost::json::array names;
      for (size_t i = 0; i < world.parties.size(); ++i) {
        if (mask & (1u << i)) names.emplace_back(world.parties[i]);
      }
      coalitions.emplace_back(
          Json{{"Parties", names}, {"Steps", boost::json::array(steps.begin(), steps.end())}});
    }
    goals.emplace_back(
        Json{{"Goal", goal}, {"Description", description}, {"Coalitions", coalitions}});
  }
  boost::json::array not_modeled{
      "Security questions: AWS discontinued them (no new ones from 2024-01-05, none at all from "
      "2025-01-06), so they protect nothing.",
      "Principals are judged without MFA context: a statement that requires "
      "aws:MultiFactorAuthPresent does not count for them.",
      "Escalation through other IAM principals (creating their keys or passwords, rewriting "
      "policies or trust policies) is verify's, not this report's.",
      "AWS Support, who can restore access after other checks, is not a party here."};
  Json out{{"AccountId", world.target.account_id},
           {"RootEmail", world.target.mailbox},
           {"RootHasPassword", world.target.has_password},
           {"RootMfaDevices",
            boost::json::array(world.target.mfa_serials.begin(), world.target.mfa_serials.end())},
           {"PrimaryContactPhone", world.phone},
           {"Parties", boost::json::array(world.parties.begin(), world.parties.end())},
           {"Goals", goals},
           {"NotModeled", not_modeled}};
  return out;
}

}  // namespace orgtwin::services::root
