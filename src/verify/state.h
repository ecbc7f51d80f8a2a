// File: verify/state.h
//
// What verify knows of the accounts, read through the public API as any SDK would (DESIGN.md
// section 2): each account's IAM (GetAccountAuthorizationDetails, every page, with the documents
// of the managed policies attached there), the root user's credentials (GetAccountSummary), the
// service and resource control policies at every level above each member account of the payer's
// organization, and the credentials each party holds: the profiles the structure file gives it,
// followed to the keys behind them (a role profile's source_profile, its mfa_serial and
// external_id), each identified with sts:GetCallerIdentity.
//
// Nothing here decides anything: analysis.h turns the state into who-can-do-what.
//
// Thread-safety: values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "structure/session.h"
#include "structure/structure.h"

namespace orgtwin::verify {

// A policy document and the name it is shown by: a managed policy's ARN, or
// "role/NAME inline POLICY".
struct Document {
  std::string id;
  std::string text;
};

enum class PrincipalKind { kRoot, kUser, kRole };

struct IamPrincipal {
  PrincipalKind kind = PrincipalKind::kUser;
  std::string account_id;
  std::string name;  // user or role name; "" for the root user
  std::string arn;
  std::vector<Document> identity;  // inline and attached, and for users their groups'
  std::optional<Document> boundary;
  std::string trust;                // roles: the trust policy
  std::vector<std::string> groups;  // users: group names
};

struct AccountView {
  std::string key;  // the structure file's key
  std::string id;
  bool management = false;  // the payer's organization's management account
  bool member = false;      // a member account of that organization (SCPs apply)
  // Root -> OU ... -> account, the policies attached at each level; empty when the type is not
  // enabled or the account is not a member.
  std::vector<std::vector<Document>> scp_levels;
  std::vector<std::vector<Document>> rcp_levels;
  std::vector<IamPrincipal> users;
  std::vector<IamPrincipal> roles;
  bool iam_read = false;
  bool summary_read = false;
  bool root_access_keys = false;     // AccountAccessKeysPresent
  bool root_mfa = false;             // AccountMFAEnabled
  bool root_password = false;        // AccountPasswordPresent
  std::string organization_root_id;  // management account: the organization's root ID
  std::string ou_path;  // members: the OU path from the root ("Workloads/Prod"; "" at the root)

  std::string RootArn() const { return "arn:aws:iam::" + id + ":root"; }
};

// Credentials a party holds, as its profiles lead to them.
struct Foothold {
  std::string party;
  std::string profile;  // the profile whose keys these are (a source profile for roles)
  std::string arn;      // GetCallerIdentity's Arn: a user, a root user or a session
  std::string account_id;
  bool mfa = false;                       // the party holds an MFA device of this identity
  std::vector<std::string> external_ids;  // external IDs its role profiles pass
  std::string reached_through;            // the profile that named these keys
};

// How a root login in an account reaches people: the trails that record it, the EventBridge
// rules that match a root console sign-in and their targets, and the SNS subscriptions of those
// targets.
struct AlertPathView {
  std::string account;              // account key (the file's `alerts:`)
  std::vector<std::string> trails;  // "NAME (organization trail, logging)"
  std::vector<std::string> rules;   // "NAME ENABLED -> TOPIC-ARN"
  struct Delivery {
    std::string topic_arn;
    std::string protocol;
    std::string endpoint;
    bool confirmed = false;
  };
  std::vector<Delivery> deliveries;
  bool logging = false;       // some trail that records the account's sign-ins is logging
  bool rule_enabled = false;  // some enabled rule matches a root console sign-in
};

struct State {
  std::vector<AccountView> accounts;
  std::string organization_id;     // the payer's organization ("o-..."); "" when not read
  std::vector<std::string> units;  // its OUs' paths ("Workloads", "Workloads/Prod"), sorted
  std::vector<Foothold> footholds;
  std::vector<AlertPathView> alert_paths;
  // What could not be read, and why: each is a gap in what verify can prove.
  std::vector<std::string> unread;
  int64_t calls = 0;

  const AccountView* FindById(const std::string& id) const;
  const AccountView* FindByKey(const std::string& key) const;
};

// Reads the state. Each account is read by the first party, owner first, whose profile there
// can; what no party can read is listed in `unread`, not fatal.
Result<State> ReadState(structure::Session& session);

}  // namespace orgtwin::verify
