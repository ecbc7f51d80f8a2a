// File: structure/structure.h
//
// The shared account structure as data: what a partner and a customer write down once in a
// structure file (docs/structure-file.md, examples/shared-payer.yaml) -- parties, accounts, the
// payer's organization, IAM per account, alternate contacts, root custody, billing visibility,
// alerts and expectations. Plain values; structure/parse.h builds them from YAML and guarantees
// that every cross-reference (party, account, OU, group, role) resolves, so later stages (plan,
// apply, playbook, verify) can look references up without checking them again.
//
// Every node keeps the place it was written (SourceLocation) so a later stage can name it in
// an error. Account and party keys are the file's own names; AWS IDs appear only for accounts
// that exist already.
//
// Thread-safety: values; safe to copy and to read from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgtwin::structure {

// Where a node was written: 1-based line and column, as editors count them.
struct SourceLocation {
  std::string file;
  int line = 0;  // 0: unknown (a node built in code, not read from a file)
  int column = 0;

  // "file:line:column", the prefix of every structure-file error.
  std::string ToString() const;
};

// A string from the file with its place: references to parties, accounts, groups, roles, and
// ARNs, so a later stage that finds one wanting can point at it.
struct LocatedString {
  std::string value;
  SourceLocation location;
};

// The three alternate contacts AWS keeps per account (Account API AlternateContactType).
enum class ContactType { kBilling, kOperations, kSecurity };
// "billing", "operations", "security" (the file's spelling).
std::string_view ContactTypeName(ContactType type);

struct Contact {
  std::string name;
  std::string title;
  std::string email;
  std::string phone;
  SourceLocation location;
};

// A party to the arrangement (the partner, the customer, ...): who it is, how AWS reaches it,
// and the credentials it acts with, so each change runs as the party that owns it.
struct Party {
  std::string key;
  std::string display_name;
  std::map<ContactType, Contact> contacts;
  // The profile (as the AWS CLI's --profile: the shared credentials file, or a role profile of
  // the config file) the party acts with in its own accounts.
  std::string profile;
  // Account key -> the profile the party acts with in that account, where it differs from
  // `profile`: the root keys of a new payer, or a role profile that assumes a role there.
  std::map<std::string, LocatedString> account_profiles;
  // Where the party's alerts go (root logins and the like).
  std::vector<LocatedString> alert_emails;
  SourceLocation location;
};

struct Account {
  std::string key;
  LocatedString owner;  // party key
  std::string email;
  std::string name;
  // The 12-digit ID of an account that exists already; nullopt for one to be created.
  std::optional<std::string> existing_id;
  // The management account (key) of the organization the account is a member of before the
  // transfer (the customer's own organization); nullopt for a standalone or new account.
  std::optional<LocatedString> starts_in;
  SourceLocation location;

  bool ToBeCreated() const { return !existing_id.has_value(); }
};

enum class FeatureSet { kAll, kConsolidatedBilling };
// "ALL", "CONSOLIDATED_BILLING" (Organizations' spelling).
std::string_view FeatureSetName(FeatureSet feature_set);

struct OrganizationalUnit {
  std::string name;
  std::string path;  // "Workloads/Prod": names from the root down, joined by '/'
  std::vector<OrganizationalUnit> children;
  SourceLocation location;
};

// Organizations policy types, named as the API names them.
enum class PolicyType { kServiceControl, kResourceControl, kTag, kBackup, kAiServicesOptOut };
// "SERVICE_CONTROL_POLICY", ...
std::string_view PolicyTypeName(PolicyType type);
std::optional<PolicyType> PolicyTypeFromName(std::string_view name);

// Where an Organizations policy is attached.
struct PolicyTarget {
  enum class Kind { kRoot, kOrganizationalUnit, kAccount };
  Kind kind = Kind::kRoot;
  std::string name;  // OU path or account key; "" for the root
  SourceLocation location;
};

struct OrganizationPolicy {
  std::string name;
  PolicyType type = PolicyType::kServiceControl;
  std::string description;
  // The document as JSON text: verbatim when written as a string or read from a file, serialized
  // when written as a YAML mapping. Checked to parse as a policy of its type.
  std::string content;
  // The `file:` the content came from, as written (relative to the structure file); "" if inline.
  std::string content_file;
  // The account whose organization this policy is copied from (the seed's Part III step 5:
  // the customer's SCPs carried over into the payer's organization); nullopt if authored here.
  std::optional<LocatedString> copy_from;
  std::vector<PolicyTarget> attachments;
  SourceLocation location;
};

// A member account and the OU it belongs in.
struct Placement {
  std::string account;  // account key
  std::string ou_path;  // "" for the root
  SourceLocation location;
};

struct Organization {
  std::string management_account;  // account key
  // The party that runs the organization (creates it, its OUs and policies, invites and moves
  // accounts): in the seed the customer, through a role in the partner's payer. Defaults to the
  // owner of the management account.
  LocatedString administered_by;
  FeatureSet feature_set = FeatureSet::kAll;
  std::vector<OrganizationalUnit> units;  // the root's children
  // The accounts that are members, in file order. An account not placed is not a member.
  std::vector<Placement> placements;
  std::vector<OrganizationPolicy> policies;
  SourceLocation location;

  // The OU at `path` ("Workloads/Prod"), or nullptr.
  const OrganizationalUnit* FindUnit(std::string_view path) const;
};

struct InlinePolicy {
  std::string name;
  std::string document;  // JSON text, checked to parse as an identity policy
  SourceLocation location;
};

// Who may assume a role: a full trust policy, or the short form that names account keys (their
// IDs are known only once the accounts exist, so the document is made at apply time).
struct RoleTrust {
  std::string document;  // JSON text when written as a document; "" for the short form
  std::vector<LocatedString> accounts;  // account keys (short form)
  bool require_mfa = false;             // short form: aws:MultiFactorAuthPresent must be true
  std::string external_id;              // short form: sts:ExternalId must equal this, if set
  SourceLocation location;

  bool IsDocument() const { return !document.empty(); }
};

struct Role {
  std::string name;
  std::string path = "/";
  std::string description;
  RoleTrust trust;
  std::vector<LocatedString> managed_policy_arns;
  std::vector<InlinePolicy> inline_policies;
  std::optional<LocatedString> permissions_boundary_arn;
  int max_session_duration_seconds = 3600;  // AWS's default
  SourceLocation location;
};

// A role a user may assume, in any account of the structure: made into an sts:AssumeRole
// permission on the role's ARN once the account's ID is known.
struct RoleReference {
  std::string account;  // account key
  std::string role;     // role name in that account's `iam`
  SourceLocation location;
};

struct User {
  std::string name;
  std::string path = "/";
  std::vector<LocatedString> groups;  // group names in the same account
  std::vector<LocatedString> managed_policy_arns;
  std::vector<InlinePolicy> inline_policies;
  std::vector<RoleReference> may_assume;
  SourceLocation location;
};

struct Group {
  std::string name;
  std::string path = "/";
  std::vector<LocatedString> managed_policy_arns;
  std::vector<InlinePolicy> inline_policies;
  SourceLocation location;
};

struct AccountIam {
  std::string account;  // account key
  std::vector<Role> roles;
  std::vector<User> users;
  std::vector<Group> groups;
  SourceLocation location;

  const Role* FindRole(std::string_view name) const;
};

// The account's alternate contacts, each given by the party whose contact of that type is used.
struct AlternateContacts {
  std::string account;                         // account key
  std::map<ContactType, LocatedString> party;  // contact type -> party key
  SourceLocation location;
};

// The factors of an account's root user and who holds each: the seed splits them so neither
// party alone can sign in as root or take the account over.
enum class RootFactor { kRootPassword, kRootMfa, kRootEmailMailbox, kPhone, kSecurityQuestions };
// "root_password", "root_mfa", "root_email_mailbox", "phone", "security_questions".
std::string_view RootFactorName(RootFactor factor);

struct Custody {
  std::string account;                       // account key
  std::map<RootFactor, LocatedString> held;  // factor -> party key
  SourceLocation location;
};

enum class AlertEvent { kRootLogin };
// "root_login".
std::string_view AlertEventName(AlertEvent event);

// Who is told when something happens in an account (to the alert emails of each party).
struct AlertRule {
  AlertEvent event = AlertEvent::kRootLogin;
  LocatedString account;              // account key
  std::vector<LocatedString> notify;  // party keys
  SourceLocation location;
};

// A statement that must hold ("partner cannot administer IAM in any account"); kept verbatim
// here, evaluated by verify.
struct Expectation {
  std::string text;
  SourceLocation location;
};

struct Structure {
  std::string name;
  std::string file;  // the structure file as given to the loader
  std::map<std::string, Party> parties;
  std::map<std::string, Account> accounts;
  std::optional<Organization> organization;                     // the payer's organization
  std::map<std::string, AccountIam> iam;                        // by account key
  std::map<std::string, AlternateContacts> alternate_contacts;  // by account key
  std::map<std::string, Custody> custody;                       // by account key
  std::vector<LocatedString> billing_visibility;                // party keys
  std::vector<AlertRule> alerts;
  std::vector<Expectation> expectations;
  SourceLocation location;

  const Party* FindParty(std::string_view key) const;
  // The profile `party` acts with in `account` (both keys): its `profiles` entry, else `profile`.
  const std::string& ProfileFor(const Party& party, std::string_view account) const;
  const Account* FindAccount(std::string_view key) const;
};

}  // namespace orgtwin::structure
