// File: policy/document.h
//
// Step 1 of the engine (parse -> validate -> compile -> evaluate): a policy document as text is
// parsed with Boost.JSON (depth-bounded, so hostile input cannot blow the stack) into a plain
// syntax tree, then validated against the grammar of its flavour (identity, resource, trust,
// boundary, session, SCP, RCP) and its size limit. Failures are Status values carrying AWS's
// error code (`aws_code`) and message text, e.g. MalformedPolicyDocument / "Syntax errors in
// policy.", LimitExceeded / "Cannot exceed quota for PolicySize: 6144".
//
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace orgtwin::policy {

enum class Flavour { kIdentity, kResource, kTrust, kBoundary, kSession, kScp, kRcp };

// "identity" -> kIdentity, ...; kInvalidInput for an unknown name.
Result<Flavour> FlavourFromName(std::string_view name);
std::string_view FlavourName(Flavour flavour);

enum class Effect { kAllow, kDeny };

// Which size rule applies (AWS-FACTS 1.9). kDefault picks the flavour's usual one: identity and
// boundary -> managed policy, trust -> trust, session -> session, scp/rcp -> organizations,
// resource -> none.
enum class SizeRule {
  kDefault,
  kNone,
  kManaged,
  kUserInline,
  kGroupInline,
  kRoleInline,
  kTrust,
  kSession,
  kOrganizations
};

struct ParseOptions {
  SizeRule size_rule = SizeRule::kDefault;
  std::string entity_name;  // user/group/role name for the inline-policy LimitExceeded message
  // Managed policies (CreatePolicy, CreatePolicyVersion) must say Version "2012-10-17"; a missing
  // or "2008-10-17" Version is "Policy document must be version 2012-10-17 or greater.". Inline
  // and trust policies still accept the old version and no Version at all.
  bool require_current_version = false;
};

// Where an element started in the source text (1-based line and column of its statement), for
// diagnostics. Reserved: the Boost.JSON DOM parser keeps no positions, so this is zero for now.
struct SourcePos {
  int line = 0;
  int column = 0;
};

struct PrincipalEntry {
  std::string type;   // "AWS" | "Service" | "Federated" | "CanonicalUser" | "*"
  std::string value;  // an ARN, account ID, service name, or "*"
};

struct PrincipalSpec {
  bool present = false;
  bool negated = false;  // NotPrincipal
  std::vector<PrincipalEntry> entries;
};

struct ConditionSpec {
  std::string op;   // as written, e.g. "ForAnyValue:StringLikeIfExists"
  std::string key;  // as written
  std::vector<std::string> values;
};

struct StatementDoc {
  bool has_sid = false;
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;
  bool has_action = false;
  std::vector<std::string> actions;
  bool not_resource = false;
  bool has_resource = false;
  std::vector<std::string> resources;
  PrincipalSpec principal;
  std::vector<ConditionSpec> conditions;
  SourcePos pos;
};

struct PolicyDocument {
  bool has_version = false;
  std::string version;  // "2012-10-17", "2008-10-17" or "" when absent
  std::string id;
  std::vector<StatementDoc> statements;
  // Policy variables are expanded only under Version 2012-10-17; otherwise `${...}` is literal.
  bool VariablesEnabled() const { return version == "2012-10-17"; }
};

// Parses and validates `text` as a policy of `flavour`. Errors carry the AWS code in aws_code():
// IAM flavours: MalformedPolicyDocument (kInvalidInput) or LimitExceeded (kLimitExceeded);
// scp/rcp: MalformedPolicyDocumentException, or ConstraintViolationException with field
// Reason=POLICY_CONTENT_LIMIT_EXCEEDED. Characters outside [\t\n\r\x20-\xFF] (or bad UTF-8) are
// malformed.
Result<PolicyDocument> ParsePolicy(std::string_view text, Flavour flavour,
                                   const ParseOptions& options = {});

// The size AWS counts for `rule`: characters (code points) excluding whitespace for IAM, all
// characters for Organizations.
size_t PolicySize(std::string_view text, bool count_whitespace);

// Maximum nesting depth accepted by the parser; deeper input is "Syntax errors in policy.".
inline constexpr int kMaxPolicyDepth = 32;

}  // namespace orgtwin::policy
