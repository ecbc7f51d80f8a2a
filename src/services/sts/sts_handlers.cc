#include "services/sts/sts_handlers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "auth/totp.h"
#include "common/arn.h"
#include "common/ascii.h"
#include "common/base64.h"
#include "policy/compiled_policy.h"
#include "policy/document.h"
#include "policy/evaluator.h"
#include "repo/iam_repository.h"
#include "repo/session_repository.h"
#include "services/iam/handler_util.h"
#include "services/iam/iam_entities.h"
#include "services/iam/mfa.h"
#include "services/iam/organizations_features.h"
#include "services/identity/credential_store.h"
#include "services/identity/session_issuer.h"
#include "services/sts/saml_response.h"
#include "services/sts/web_identity_token.h"

namespace orgtwin::services::sts {
namespace {

using Json = boost::json::object;
using iam::Array;
using iam::Has;
using iam::Int;
using iam::Str;

// ---- Limits (AWS-FACTS 4.1/4.2) ----
constexpr int64_t kDefaultRoleDuration = 3600;
constexpr int64_t kChainedMaxDuration = 3600;
constexpr int64_t kRootMaxDuration = 3600;
constexpr int64_t kUserDefaultDuration = 43200;
constexpr int64_t kRootTaskMaxDuration = 900;  // AssumeRoot: default and maximum
// The AWS managed task policies an AssumeRoot session may be scoped to (their path).
constexpr std::string_view kRootTaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/";
constexpr size_t kMaxPolicyArns = 10;
// AWS packs session policies, policy ARNs and tags into a binary form with its own limit and
// reports the share used as PackedPolicySize. The packing is not public; the twin counts the
// characters of the minified inline policy, the ARNs and the tag keys and values against 2,048
// (the plaintext session-policy quota), so small inputs report a small share and the sizes AWS
// rejects (e.g. 50 long session tags) are rejected here too.
constexpr size_t kPackedUnits = 2048;

Status ValidationError(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("ValidationError");
}

Status AccessDenied(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("AccessDenied");
}

std::string NotAuthorized(const auth::Principal& caller, std::string_view action,
                          std::string_view resource) {
  return "User: " + caller.arn + " is not authorized to perform: " + std::string(action) +
         " on resource: " + std::string(resource);
}

// What a caller may pass on to the session it creates, and what the request adds.
struct SessionRequest {
  std::vector<std::string> policies;  // documents
  bool policies_passed = false;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_keys;
  bool tags_passed = false;
  size_t packed_units = 0;
  std::string source_identity;
  std::optional<TimePoint> mfa_at;
};

// Session policies: the inline Policy and up to 10 managed PolicyArns of `account_id`.
Status ResolveSessionPolicies(store::Transaction& tx, const Json& input,
                              const std::string& account_id, SessionRequest& out) {
  if (Has(input, "Policy")) {
    std::string policy = Str(input, "Policy");
    policy::ParseOptions options;
    options.size_rule = policy::SizeRule::kNone;  // the model caps Policy at 2,048 characters
    Result<policy::PolicyDocument> parsed =
        policy::ParsePolicy(policy, policy::Flavour::kSession, options);
    if (!parsed.ok()) {
      return InvalidInputError(parsed.status().message()).WithAwsCode("MalformedPolicyDocument");
    }
    out.packed_units += policy::PolicySize(policy, false);
    out.policies.push_back(std::move(policy));
    out.policies_passed = true;
  }
  const boost::json::array& arns = Array(input, "PolicyArns");
  if (arns.size() > kMaxPolicyArns) {
    return ValidationError(
        "1 validation error detected: Value '[...]' at 'policyArns' failed to satisfy "
        "constraint: Member must have length less than or equal to 10");
  }
  for (const boost::json::value& item : arns) {
    if (!item.is_object()) continue;
    std::string arn = Str(item.as_object(), "arn");
    OT_ASSIGN_OR_RETURN(auto resolved, iam::ResolvePolicyArn(tx, account_id, arn));
    if (!resolved.has_value()) {
      return InvalidInputError("Policy " + arn + " does not exist or is not attachable.")
          .WithAwsCode("InvalidParameterValue");
    }
    OT_ASSIGN_OR_RETURN(auto versions, iam::PolicyVersions(tx, *resolved));
    for (const iam::PolicyVersionRow& version : versions) {
      if (version.version_id == resolved->default_version_id || resolved->aws_managed) {
        out.policies.push_back(version.document);
        break;
      }
    }
    out.packed_units += arn.size();
    out.policies_passed = true;
  }
  return Status::Ok();
}

// Session tags: the caller's transitive tags carry over; the request adds its own.
Status ResolveSessionTags(const auth::Principal& caller, const Json& input, SessionRequest& out) {
  std::set<std::string> inherited_keys;  // lower case
  if (caller.session != nullptr) {
    std::set<std::string> transitive;
    for (const std::string& key : caller.session->transitive_tag_keys) {
      transitive.insert(AsciiLowerCopy(key));
    }
    for (const auto& [key, value] : caller.session->tags) {
      if (transitive.count(AsciiLowerCopy(key)) == 0) continue;
      out.tags.emplace_back(key, value);
      out.transitive_keys.push_back(key);
      inherited_keys.insert(AsciiLowerCopy(key));
    }
  }
  std::set<std::string> request_keys;
  for (const boost::json::value& item : Array(input, "Tags")) {
    if (!item.is_object()) continue;
    std::string key = Str(item.as_object(), "Key");
    std::string value = Str(item.as_object(), "Value");
    std::string lower = AsciiLowerCopy(key);
    if (!request_keys.insert(lower).second) {
      return ValidationError(
          "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
    if (inherited_keys.count(lower) != 0) {
      // AWS-COMPAT: a transitive tag cannot be overridden further down the chain.
      return InvalidInputError(
                 "One or more of the specified transitive tag keys can't be set "
                 "because they conflict with a tag inherited from the session.")
          .WithAwsCode("InvalidParameterValue");
    }
    out.packed_units += key.size() + value.size();
    out.tags.emplace_back(std::move(key), std::move(value));
    out.tags_passed = true;
  }
  for (const boost::json::value& item : Array(input, "TransitiveTagKeys")) {
    if (!item.is_string()) continue;
    std::string key(item.as_string());
    if (request_keys.count(AsciiLowerCopy(key)) == 0) {
      return InvalidInputError(
                 "The specified transitive tag key must be included in the "
                 "requested tags.")
          .WithAwsCode("InvalidParameterValue");
    }
    out.transitive_keys.push_back(std::move(key));
  }
  return Status::Ok();
}

// Verifies SerialNumber + TokenCode against the caller's enabled virtual MFA device and records
// the accepted step so the same code cannot be used twice.
Status VerifyMfa(store::Transaction& tx, const auth::Principal& caller, const Json& input,
                 TimePoint now) {
  std::string serial = Str(input, "SerialNumber");
  std::string code = Str(input, "TokenCode");
  if (serial.empty() != code.empty()) {
    return ValidationError(serial.empty() ? "SerialNumber is required when TokenCode is provided."
                                          : "TokenCode is required when SerialNumber is provided.");
  }
  // AWS-COMPAT: both messages as AWS words them (the first has two spaces after "code.").
  const std::string unable =
      "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
      "serial number is valid and associated with this user.";
  std::string owner;  // the user_id the device must be enabled for
  if (caller.type == auth::PrincipalType::kRoot) {
    owner = "";
  } else if (caller.type == auth::PrincipalType::kUser) {
    owner = caller.user_id;
  } else {
    return AccessDenied(unable);
  }
  OT_ASSIGN_OR_RETURN(std::optional<repo::MfaDeviceRow> device, repo::FindMfaDevice(tx, serial));
  // The device must be enabled for the caller (an unassigned device has no user_id).
  if (!device.has_value() || device->account_id != caller.account_id || device->user_id != owner) {
    return AccessDenied(unable);
  }
  Result<std::string> seed = auth::Base32Decode(device->seed_base32);
  if (!seed.ok()) return AccessDenied(unable);
  std::optional<int64_t> step = auth::MatchTotpStep(*seed, code, now, iam::kMfaWindowSteps);
  if (!step.has_value() || *step <= device->last_used_step) {
    return AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ");
  }
  return repo::SetMfaLastUsedStep(tx, serial, *step);
}

// MFA for the new session: a code in this request, else whatever the caller's session had.
Status ResolveMfa(store::Transaction& tx, const auth::Principal& caller, const Json& input,
                  TimePoint now, SessionRequest& out) {
  if (Has(input, "SerialNumber") || Has(input, "TokenCode")) {
    OT_RETURN_IF_ERROR(VerifyMfa(tx, caller, input, now));
    out.mfa_at = now;
  } else if (caller.mfa_authenticated && caller.session != nullptr) {
    out.mfa_at = caller.session->mfa_authenticated_at;
  }
  return Status::Ok();
}

Result<std::optional<int>> PackedPercent(const SessionRequest& session) {
  if (!session.policies_passed && !session.tags_passed) return std::optional<int>();
  int percent = static_cast<int>((session.packed_units * 100 + kPackedUnits - 1) / kPackedUnits);
  if (percent > 100) {
    return InvalidInputError("Packed policy consumes " + std::to_string(percent) +
                             "% of allotted space, please use smaller policy.")
        .WithAwsCode("PackedPolicyTooLarge");
  }
  return std::optional<int>(percent);
}

// The session a request asked for, as the issuer writes it.
Result<TemporaryCredentials> Issue(gateway::RequestContext& ctx, SessionGrant grant,
                                   const SessionRequest& session, int64_t duration) {
  grant.session_policies = session.policies;
  grant.tags = session.tags;
  grant.transitive_tag_keys = session.transitive_keys;
  grant.source_identity = session.source_identity;
  grant.mfa_at = session.mfa_at;
  return IssueTemporaryCredentials(ctx.tx, ctx.twin.ids, ctx.now, grant, duration);
}

// A session of `role` (AssumeRole and the federated AssumeRoleWith* calls): the credentials, the
// role's last use, and the response members the three calls share.
Result<Json> IssueRoleSession(gateway::RequestContext& ctx, const repo::RoleRow& role,
                              const std::string& session_name, const SessionRequest& session,
                              std::optional<int> packed, int64_t duration, bool chained) {
  SessionGrant row;
  row.account_id = role.account_id;
  row.kind = "AssumedRole";
  row.principal_name = role.name + "/" + session_name;
  row.role_id = role.role_id;
  row.role_name = role.name;
  row.session_name = session_name;
  row.chained = chained;
  OT_ASSIGN_OR_RETURN(TemporaryCredentials issued, Issue(ctx, row, session, duration));
  OT_RETURN_IF_ERROR(
      repo::RecordRoleUse(ctx.tx, role.role_id, std::floor(ToEpochSeconds(ctx.now)), ctx.region));
  Json out{{"Credentials", CredentialsObject(issued)},
           {"AssumedRoleUser", Json{{"AssumedRoleId", role.role_id + ":" + session_name},
                                    {"Arn", "arn:aws:sts::" + role.account_id + ":assumed-role/" +
                                                role.name + "/" + session_name}}}};
  if (packed.has_value()) out["PackedPolicySize"] = *packed;
  if (!session.source_identity.empty()) out["SourceIdentity"] = session.source_identity;
  return out;
}

bool StartsWithAws(std::string_view value) { return AsciiLowerCopy(value.substr(0, 4)) == "aws:"; }

}  // namespace

Result<Json> GetCallerIdentity(gateway::RequestContext& ctx, const Json& /*input*/) {
  const auth::Principal& caller = ctx.caller;
  return Json{{"UserId", caller.user_id}, {"Account", caller.account_id}, {"Arn", caller.arn}};
}

Result<Json> AssumeRole(gateway::RequestContext& ctx, const Json& input) {
  const auth::Principal& caller = ctx.caller;
  OT_RETURN_IF_ERROR(CheckTemporaryCredentialScope(caller, "sts", "AssumeRole"));
  const std::string role_arn = Str(input, "RoleArn");
  const std::string session_name = Str(input, "RoleSessionName");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto role, iam::FindRoleByArn(tx, role_arn));
  // AWS-COMPAT: a role that does not exist is indistinguishable from one that does not trust
  // the caller.
  if (!role.has_value()) return AccessDenied(NotAuthorized(caller, "sts:AssumeRole", role_arn));

  const bool chained = caller.type == auth::PrincipalType::kAssumedRole;
  int64_t duration = Int(input, "DurationSeconds").value_or(kDefaultRoleDuration);
  if (chained && duration > kChainedMaxDuration) {
    return ValidationError(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.");
  }
  if (duration > role->max_session_duration) {
    return ValidationError(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }

  SessionRequest session;
  std::string inherited_source =
      caller.session != nullptr ? caller.session->source_identity : std::string();
  if (Has(input, "SourceIdentity")) {
    std::string requested = Str(input, "SourceIdentity");
    if (StartsWithAws(requested)) {
      return ValidationError("SourceIdentity cannot start with the reserved prefix 'aws:'.");
    }
    // AWS-COMPAT: once set in a chain the source identity cannot change.
    if (!inherited_source.empty() && requested != inherited_source) {
      return AccessDenied(NotAuthorized(caller, "sts:SetSourceIdentity", role_arn));
    }
    session.source_identity = std::move(requested);
  } else {
    session.source_identity = inherited_source;
  }
  OT_RETURN_IF_ERROR(ResolveMfa(tx, caller, input, ctx.now, session));
  OT_RETURN_IF_ERROR(ResolveSessionPolicies(tx, input, role->account_id, session));
  OT_RETURN_IF_ERROR(ResolveSessionTags(caller, input, session));
  OT_ASSIGN_OR_RETURN(std::optional<int> packed, PackedPercent(session));

  return IssueRoleSession(ctx, *role, session_name, session, packed, duration, chained);
}

Result<Json> AssumeRoot(gateway::RequestContext& ctx, const Json& input) {
  const auth::Principal& caller = ctx.caller;
  OT_RETURN_IF_ERROR(CheckTemporaryCredentialScope(caller, "sts", "AssumeRoot"));
  // TargetPrincipal is the member account's ID or its root ARN.
  std::string target = Str(input, "TargetPrincipal");
  if (target.size() == 30 && target.rfind("arn:aws:iam::", 0) == 0 &&
      target.compare(25, 5, ":root") == 0) {
    target = target.substr(13, 12);
  }
  const bool digits = target.size() == 12 && std::all_of(target.begin(), target.end(), [](char c) {
                        return c >= '0' && c <= '9';
                      });
  if (!digits) {
    return ValidationError("TargetPrincipal must be a member account ID or its root user ARN.");
  }
  const std::string target_root = auth::RootArn(target);
  const Status denied = AccessDenied(NotAuthorized(caller, "sts:AssumeRoot", target_root));
  // AWS-COMPAT: root user credentials (and root sessions) cannot call AssumeRoot (STS API
  // reference); the policy check let root through as it allows root everything in its account.
  if (caller.type == auth::PrincipalType::kRoot) return denied;
  int64_t duration = Int(input, "DurationSeconds").value_or(kRootTaskMaxDuration);
  if (duration > kRootTaskMaxDuration) {
    // The model caps DurationSeconds at 900 before a handler runs; kept for direct callers.
    return ValidationError(
        "1 validation error detected: Value '" + std::to_string(duration) +
        "' at 'durationSeconds' failed to satisfy constraint: Member must have value less than "
        "or equal to 900");
  }
  std::string task_arn;
  if (auto task = input.find("TaskPolicyArn"); task != input.end() && task->value().is_object()) {
    task_arn = Str(task->value().as_object(), "arn");
  }
  // AWS-COMPAT: only the AWS managed root-task policies scope a root session; any other ARN is
  // refused as a bad parameter (AWS's exact text for this case was not found).
  if (task_arn.rfind(kRootTaskPolicyPrefix, 0) != 0) {
    return InvalidInputError("The TaskPolicyArn " + task_arn +
                             " is not an AWS managed root task policy (" +
                             std::string(kRootTaskPolicyPrefix) + "...).")
        .WithAwsCode("InvalidParameterValue");
  }
  store::Transaction& tx = ctx.tx;
  // AWS-COMPAT: the organization rules (management account or IAM's delegated administrator,
  // all features, trusted access for IAM, RootSessions on, a member account as target) are not
  // errors of the STS model; the twin answers each with AccessDenied.
  Result<repo::OrgRow> org = iam::RootAccessOrganization(
      tx, caller.account_id, iam::RootAccessCaller::kManagementOrDelegatedAdmin);
  if (!org.ok()) {
    // The organization rules answer InvalidInput; anything else is the store failing.
    return org.status().code() == ErrorCode::kInvalidInput ? denied : org.status();
  }
  OT_ASSIGN_OR_RETURN(std::vector<std::string> features, repo::RootFeatures(tx, org->org_id));
  if (std::find(features.begin(), features.end(), repo::kRootSessions) == features.end()) {
    return denied;
  }
  OT_ASSIGN_OR_RETURN(std::optional<repo::MemberRow> member,
                      repo::FindMember(tx, org->org_id, target));
  if (!member.has_value() || target == org->management_account_id) return denied;

  OT_ASSIGN_OR_RETURN(auto policy, iam::ResolvePolicyArn(tx, target, task_arn));
  std::string document;
  if (policy.has_value() && policy->aws_managed) {
    OT_ASSIGN_OR_RETURN(auto versions, iam::PolicyVersions(tx, *policy));
    for (const iam::PolicyVersionRow& version : versions) {
      // The catalog holds an AWS managed policy's default version only.
      if (document.empty() || version.version_id == policy->default_version_id) {
        document = version.document;
      }
    }
  }
  if (document.empty()) {
    return InvalidInputError("Policy " + task_arn + " does not exist or is not attachable.")
        .WithAwsCode("InvalidParameterValue");
  }

  SessionRequest session;
  // A source identity set earlier in the caller's chain stays with the root session.
  if (caller.session != nullptr) session.source_identity = caller.session->source_identity;
  session.policies.push_back(std::move(document));
  SessionGrant row;
  row.account_id = target;
  row.kind = "RootSession";
  row.principal_name = "";
  OT_ASSIGN_OR_RETURN(TemporaryCredentials issued, Issue(ctx, row, session, duration));
  Json out{{"Credentials", CredentialsObject(issued)}};
  if (!session.source_identity.empty()) out["SourceIdentity"] = session.source_identity;
  return out;
}

Result<Json> GetSessionToken(gateway::RequestContext& ctx, const Json& input) {
  const auth::Principal& caller = ctx.caller;
  OT_RETURN_IF_ERROR(CheckTemporaryCredentialScope(caller, "sts", "GetSessionToken"));
  const bool root = caller.type == auth::PrincipalType::kRoot;
  int64_t duration = Int(input, "DurationSeconds").value_or(root ? 3600 : kUserDefaultDuration);
  // AWS-COMPAT: a root session longer than an hour is quietly cut to one hour.
  if (root) duration = std::min(duration, kRootMaxDuration);
  store::Transaction& tx = ctx.tx;
  SessionRequest session;
  if (Has(input, "SerialNumber") || Has(input, "TokenCode")) {
    OT_RETURN_IF_ERROR(VerifyMfa(tx, caller, input, ctx.now));
    session.mfa_at = ctx.now;
  }
  SessionGrant row;
  row.account_id = caller.account_id;
  row.kind = "SessionToken";
  row.principal_name = root ? "" : caller.name;
  row.user_name = root ? "" : caller.name;
  OT_ASSIGN_OR_RETURN(TemporaryCredentials issued, Issue(ctx, row, session, duration));
  return Json{{"Credentials", CredentialsObject(issued)}};
}

Result<Json> GetFederationToken(gateway::RequestContext& ctx, const Json& input) {
  const auth::Principal& caller = ctx.caller;
  OT_RETURN_IF_ERROR(CheckTemporaryCredentialScope(caller, "sts", "GetFederationToken"));
  const bool root = caller.type == auth::PrincipalType::kRoot;
  const std::string name = Str(input, "Name");
  int64_t duration = Int(input, "DurationSeconds").value_or(root ? 3600 : kUserDefaultDuration);
  if (root) duration = std::min(duration, kRootMaxDuration);
  store::Transaction& tx = ctx.tx;
  SessionRequest session;
  OT_RETURN_IF_ERROR(ResolveSessionPolicies(tx, input, caller.account_id, session));
  auth::Principal no_inheritance;  // federated sessions start a chain of their own
  OT_RETURN_IF_ERROR(ResolveSessionTags(no_inheritance, input, session));
  OT_ASSIGN_OR_RETURN(std::optional<int> packed, PackedPercent(session));
  SessionGrant row;
  row.account_id = caller.account_id;
  row.kind = "FederatedUser";
  row.principal_name = name;
  row.session_name = name;
  row.user_name = root ? "" : caller.name;
  OT_ASSIGN_OR_RETURN(TemporaryCredentials issued, Issue(ctx, row, session, duration));
  Json out{{"Credentials", CredentialsObject(issued)},
           {"FederatedUser",
            Json{{"FederatedUserId", caller.account_id + ":" + name},
                 {"Arn", "arn:aws:sts::" + caller.account_id + ":federated-user/" + name}}}};
  if (packed.has_value()) out["PackedPolicySize"] = *packed;
  return out;
}

std::string AccountFromAccessKeyId(std::string_view access_key_id) {
  // AWS-COMPAT: the 10 bytes that the 16 base32 characters after the prefix decode to hold the
  // account ID in bits 1..40 of the first six bytes (public analyses of the key format).
  if (access_key_id.size() < 20) return "";
  std::string_view body = access_key_id.substr(4, 16);
  uint64_t first48 = 0;
  int bits = 0;
  uint64_t buffer = 0;
  int taken = 0;
  for (char c : body) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return "";
    }
    buffer = (buffer << 5) | static_cast<uint64_t>(v);
    bits += 5;
    while (bits >= 8 && taken < 6) {
      bits -= 8;
      first48 = (first48 << 8) | ((buffer >> bits) & 0xFF);
      ++taken;
    }
    if (taken == 6) break;
  }
  uint64_t account = (first48 & 0x7fffffffff80ULL) >> 7;
  char text[16];
  std::snprintf(text, sizeof(text), "%012llu", static_cast<unsigned long long>(account));
  return text;
}

Result<Json> GetAccessKeyInfo(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckTemporaryCredentialScope(ctx.caller, "sts", "GetAccessKeyInfo"));
  std::string key = Str(input, "AccessKeyId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto stored, repo::FindAccessKey(tx, key));
  std::string account = stored.has_value() ? stored->account_id : AccountFromAccessKeyId(key);
  if (account.empty()) {
    return ValidationError("The access key ID provided is not valid.");
  }
  return Json{{"Account", account}};
}

Result<Json> DecodeAuthorizationMessage(gateway::RequestContext& ctx, const Json& /*input*/) {
  OT_RETURN_IF_ERROR(
      CheckTemporaryCredentialScope(ctx.caller, "sts", "DecodeAuthorizationMessage"));
  // The twin's AccessDenied answers carry no encoded message, so no message decodes.
  return InvalidInputError("The message provided is not a valid encoded authorization message.")
      .WithAwsCode("InvalidAuthorizationMessageException");
}

// ---------------------------------------------------------------- Federation

namespace {

// The role a federated caller asks for, with the DurationSeconds rule AssumeRole has.
// AWS-COMPAT: a missing role answers like a trust policy that does not allow the caller, so
// role names cannot be probed (IAM user guide, "Troubleshoot SAML federation").
Result<repo::RoleRow> FederatedRole(gateway::RequestContext& ctx, const Json& input,
                                    std::string_view action, int64_t* duration) {
  OT_ASSIGN_OR_RETURN(auto role, iam::FindRoleByArn(ctx.tx, Str(input, "RoleArn")));
  if (!role.has_value()) return AccessDenied("Not authorized to perform " + std::string(action));
  *duration = Int(input, "DurationSeconds").value_or(kDefaultRoleDuration);
  if (*duration > role->max_session_duration) {
    return ValidationError(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  return *std::move(role);
}

// The role's trust policy decides alone: a federated caller has no identity policies, so only
// a trust-policy statement naming `principal` (the provider's ARN, or accounts.google.com /
// cognito-identity.amazonaws.com) in its Federated element allows it, and any matching Deny
// wins. Each of `actions` (the call's own, then sts:TagSession / sts:SetSourceIdentity when the
// token asks for them) must be allowed.
// AWS-COMPAT: RCPs of the role's account are not applied to federated calls (the gateway's
// authorizer applies them to signed calls only); AWS applies RCPs to STS.
Status AuthorizeFederated(gateway::RequestContext& ctx, const repo::RoleRow& role,
                          const std::string& principal, const std::vector<std::string>& actions,
                          const policy::Context& context) {
  const std::string denied = "Not authorized to perform " + actions.front();
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kNone;  // stored trust policies were checked on write
  Result<policy::PolicyPtr> trust =
      policy::CompileText(role.trust_policy, policy::Flavour::kTrust, role.Arn(), options);
  if (!trust.ok()) return AccessDenied(denied);
  policy::PolicySet policies;
  policies.resource = *std::move(trust);
  for (const std::string& action : actions) {
    policy::Request request;
    request.principal.type = policy::PrincipalType::kFederatedUser;
    request.principal.arn = principal;
    request.principal.account = role.account_id;
    request.action = action;
    request.resource = role.Arn();
    request.resource_account = role.account_id;
    request.context = context;
    if (!ctx.http.remote_address.empty()) {
      request.context.Set("aws:SourceIp", ctx.http.remote_address);
    }
    request.epoch_seconds = static_cast<int64_t>(ToEpochSeconds(ctx.now));
    request.DeriveGlobalKeys();
    if (!policy::Evaluate(request, policies).allowed()) return AccessDenied(denied);
  }
  return Status::Ok();
}

// Session tags an IdP passes (SAML PrincipalTag:* attributes, the OIDC token's
// https://aws.amazon.com/tags claim): at most 50, keys 1-128 and values up to 256 characters,
// keys unique regardless of case, transitive keys among them; counted against the packed size.
// AWS-COMPAT: AWS's texts for an IdP's malformed tags are not documented; the answer is
// InvalidIdentityToken, as for any other claim AWS rejects.
constexpr size_t kMaxSessionTags = 50;
Status AddFederatedTags(std::vector<std::pair<std::string, std::string>> tags,
                        std::vector<std::string> transitive_keys, SessionRequest& out) {
  if (tags.empty()) return Status::Ok();
  if (tags.size() > kMaxSessionTags) {
    return InvalidInputError("The identity provider passed more than 50 session tags.")
        .WithAwsCode("InvalidIdentityToken");
  }
  std::set<std::string> keys;  // lower case
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128 || value.size() > 256 ||
        !keys.insert(AsciiLowerCopy(key)).second) {
      return InvalidInputError("The identity provider passed an invalid session tag `" + key + "`.")
          .WithAwsCode("InvalidIdentityToken");
    }
    out.packed_units += key.size() + value.size();
  }
  for (const std::string& key : transitive_keys) {
    if (keys.count(AsciiLowerCopy(key)) == 0) {
      return InvalidInputError(
                 "The specified transitive tag key must be included in the requested tags.")
          .WithAwsCode("InvalidIdentityToken");
    }
  }
  out.tags = std::move(tags);
  out.transitive_keys = std::move(transitive_keys);
  out.tags_passed = true;
  return Status::Ok();
}

// [a-zA-Z_0-9+=,.@-]{2,64}: what RoleSessionName and SourceIdentity may hold.
bool ValidSessionText(std::string_view value) {
  if (value.size() < 2 || value.size() > 64) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_+=,.@-").find(c) != std::string_view::npos;
  });
}

Status InvalidIdentityToken(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("InvalidIdentityToken");
}

// The saml: condition keys AWS fills from standard attributes (IAM user guide, "Available keys
// for SAML-based federation"), by the attribute's OID name. eduPerson* keys are multivalued.
struct SamlAttributeKey {
  std::string_view oid;
  std::string_view key;
  bool multi;
};
constexpr SamlAttributeKey kSamlAttributeKeys[] = {
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "saml:eduorgidentityauthnpolicyuri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri", true},
    {"urn:oid:2.5.4.3", "saml:cn", true},
    {"urn:oid:2.5.4.42", "saml:givenName", false},
    {"urn:oid:0.9.2342.19200300.100.1.3", "saml:mail", false},
    {"urn:oid:0.9.2342.19200300.100.1.1", "saml:uid", false},
    {"urn:oid:2.5.4.45", "saml:x500UniqueIdentifier", false},
    {"urn:oid:2.16.840.1.113730.3.1.241", "saml:name", false},
    {"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid",
     "saml:primaryGroupSID", false},
};

// saml:sub_type: "persistent" and "transient" for those two formats, the Format URI otherwise.
std::string SamlSubjectType(const std::string& format) {
  if (format == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent") return "persistent";
  if (format == "urn:oasis:names:tc:SAML:2.0:nameid-format:transient") return "transient";
  return format;
}

// saml:namequalifier (and the response's NameQualifier): base64(SHA-1(Issuer + account ID +
// "/" + provider name)), as the IAM user guide defines it.
std::string SamlNameQualifier(const std::string& issuer, const std::string& account,
                              const std::string& provider_name) {
  const std::string text = issuer + account + "/" + provider_name;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1) return "";
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

// Whether the Role attribute holds the pair "role-arn,provider-arn" (in either order, as AWS
// accepts them) for this request.
bool SamlRolePairListed(const std::vector<std::string>* values, const std::string& role_arn,
                        const std::string& provider_arn) {
  if (values == nullptr) return false;
  for (const std::string& value : *values) {
    size_t comma = value.find(',');
    if (comma == std::string::npos) continue;
    std::string first = value.substr(0, comma);
    std::string second = value.substr(comma + 1);
    auto trim = [](std::string& text) {
      size_t begin = text.find_first_not_of(" \t");
      size_t end = text.find_last_not_of(" \t");
      text = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
    };
    trim(first);
    trim(second);
    if ((first == role_arn && second == provider_arn) ||
        (first == provider_arn && second == role_arn)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<Json> AssumeRoleWithSAML(gateway::RequestContext& ctx, const Json& input) {
  const std::string role_arn = Str(input, "RoleArn");
  const std::string provider_arn = Str(input, "PrincipalArn");
  constexpr std::string_view kAction = "sts:AssumeRoleWithSAML";
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto provider, repo::FindSamlProvider(tx, provider_arn));
  if (!provider.has_value()) return InvalidIdentityToken("Specified provider doesn't exist.");
  OT_ASSIGN_OR_RETURN(SamlAssertion assertion, VerifySamlResponse(Str(input, "SAMLAssertion"),
                                                                  provider->signing_certificates));
  // AWS-COMPAT: the console reports an issuer that is not the provider's entity ID as "Issuer not
  // present in specified provider" (IAM user guide, "Troubleshoot SAML federation"); the API is
  // answered with the same text as InvalidIdentityToken.
  if (assertion.issuer != provider->entity_id) {
    return InvalidIdentityToken("Issuer not present in specified provider");
  }
  OT_RETURN_IF_ERROR(CheckSamlConditions(assertion, ctx.now));
  // AWS-COMPAT: a role the assertion does not list for this provider is refused like a trust
  // policy that does not allow it.
  if (!SamlRolePairListed(assertion.Attribute(kSamlRoleAttribute), role_arn, provider_arn)) {
    return AccessDenied("Not authorized to perform " + std::string(kAction));
  }
  const std::vector<std::string>* session_names =
      assertion.Attribute(kSamlRoleSessionNameAttribute);
  if (session_names == nullptr || session_names->empty()) {
    return InvalidIdentityToken("RoleSessionName is required in AuthnResponse");
  }
  const std::string session_name = session_names->front();
  if (!ValidSessionText(session_name)) {
    return InvalidIdentityToken(
        "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
  }
  SessionRequest session;
  if (const auto* source = assertion.Attribute(kSamlSourceIdentityAttribute);
      source != nullptr && !source->empty()) {
    session.source_identity = source->front();
    if (!ValidSessionText(session.source_identity) || StartsWithAws(session.source_identity)) {
      return InvalidIdentityToken(
          "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"");
    }
  }
  std::vector<std::pair<std::string, std::string>> saml_tags;
  std::vector<std::string> saml_transitive;
  for (const auto& [name, values] : assertion.attributes) {
    if (name.starts_with(kSamlPrincipalTagPrefix) && !values.empty()) {
      saml_tags.emplace_back(name.substr(kSamlPrincipalTagPrefix.size()), values.front());
    } else if (name == kSamlTransitiveTagKeysAttribute) {
      saml_transitive.insert(saml_transitive.end(), values.begin(), values.end());
    }
  }
  OT_RETURN_IF_ERROR(AddFederatedTags(std::move(saml_tags), std::move(saml_transitive), session));
  // The SessionDuration attribute bounds console sessions (IAM user guide, "Configure SAML
  // assertions for the authentication response"); an API session lasts DurationSeconds, cut at
  // the assertion's SessionNotOnOrAfter.
  int64_t duration = 0;
  OT_ASSIGN_OR_RETURN(repo::RoleRow role, FederatedRole(ctx, input, kAction, &duration));
  if (assertion.session_not_on_or_after.has_value()) {
    const int64_t left = static_cast<int64_t>(
        std::floor(ToEpochSeconds(*assertion.session_not_on_or_after) - ToEpochSeconds(ctx.now)));
    duration = std::min(duration, std::max<int64_t>(left, 1));
  }

  const std::string doc = provider->account_id + "/" + provider->name;
  const std::string name_qualifier =
      SamlNameQualifier(assertion.issuer, provider->account_id, provider->name);
  const std::string audience =
      assertion.recipient.empty() ? assertion.destination : assertion.recipient;
  const std::string sub_type = SamlSubjectType(assertion.name_id_format);
  policy::Context context;
  context.Set("saml:aud", audience);
  context.Set("saml:iss", assertion.issuer);
  context.Set("saml:sub", assertion.name_id);
  context.Set("saml:sub_type", sub_type);
  context.Set("saml:namequalifier", name_qualifier);
  context.Set("saml:doc", doc);
  for (const SamlAttributeKey& key : kSamlAttributeKeys) {
    const std::vector<std::string>* values = assertion.Attribute(key.oid);
    if (values == nullptr || values->empty()) continue;
    if (key.multi) {
      context.SetMulti(key.key, *values);
    } else {
      context.Set(key.key, values->front());
    }
  }
  std::vector<std::string> actions{std::string(kAction)};
  if (session.tags_passed) actions.emplace_back("sts:TagSession");
  if (!session.source_identity.empty()) actions.emplace_back("sts:SetSourceIdentity");
  OT_RETURN_IF_ERROR(AuthorizeFederated(ctx, role, provider_arn, actions, context));

  OT_RETURN_IF_ERROR(ResolveSessionPolicies(tx, input, role.account_id, session));
  OT_ASSIGN_OR_RETURN(std::optional<int> packed, PackedPercent(session));
  OT_ASSIGN_OR_RETURN(Json out, IssueRoleSession(ctx, role, session_name, session, packed, duration,
                                                 /*chained=*/false));
  out["Subject"] = assertion.name_id;
  out["SubjectType"] = sub_type;
  out["Issuer"] = assertion.issuer;
  out["Audience"] = audience;
  out["NameQualifier"] = name_qualifier;
  return out;
}

Result<Json> AssumeRoleWithWebIdentity(gateway::RequestContext& ctx, const Json& input) {
  constexpr std::string_view kAction = "sts:AssumeRoleWithWebIdentity";
  // AWS-COMPAT: OAuth 2.0 access tokens of Login with Amazon and Facebook (ProviderId) are checked
  // by calling the provider, which the twin cannot reach: the provider is reported unreachable.
  if (Has(input, "ProviderId")) {
    return InvalidInputError("The twin cannot reach " + Str(input, "ProviderId") +
                             " to validate an OAuth 2.0 access token.")
        .WithAwsCode("IDPCommunicationError");
  }
  OT_ASSIGN_OR_RETURN(WebIdentityToken token,
                      ParseWebIdentityToken(Str(input, "WebIdentityToken")));
  std::string issuer = token.StringClaim("iss");
  if (issuer.find("://") == std::string::npos) issuer = "https://" + issuer;
  // The provider is named by the issuer's host and path; Google and Cognito identity pools are
  // trusted by name, without an IAM provider (trust policies say Federated: accounts.google.com).
  std::string host_and_path = issuer.substr(issuer.find("://") + 3);
  while (host_and_path.size() > 1 && host_and_path.back() == '/') host_and_path.pop_back();
  const bool well_known =
      host_and_path == "accounts.google.com" || host_and_path == "cognito-identity.amazonaws.com";
  const std::string role_account = ArnAccount(Str(input, "RoleArn"));
  std::string principal = host_and_path;
  std::vector<std::string> client_ids;
  if (!well_known) {
    OT_ASSIGN_OR_RETURN(auto provider,
                        repo::FindOidcProvider(ctx.tx, "arn:aws:iam::" + role_account +
                                                           ":oidc-provider/" + host_and_path));
    if (!provider.has_value()) {
      return InvalidIdentityToken("No OpenIDConnect provider found in your account for " + issuer);
    }
    principal = provider->arn;
    client_ids = provider->client_ids;
    // AWS-COMPAT: AWS checks the thumbprints only for an IdP whose JWKS endpoint's certificate no
    // trusted root CA signs; the twin reads the keys from a configured file (docs/federation.md),
    // fetches nothing over TLS, and so never compares thumbprints.
  }
  // AWS-COMPAT: AWS fetches the keys from the issuer's jwks_uri; the twin has no internet and
  // reads the file `serve --oidc-jwks` configured for the issuer. None configured is an IdP AWS
  // could not reach.
  std::optional<std::string> jwks = JwksForIssuer(issuer);
  if (!jwks.has_value()) {
    return InvalidInputError(
               "Couldn't retrieve verification key from your identity provider,  please "
               "reference AssumeRoleWithWebIdentity documentation for requirements")
        .WithAwsCode("IDPCommunicationError");
  }
  OT_RETURN_IF_ERROR(VerifyWebIdentitySignature(token, *jwks));
  OT_RETURN_IF_ERROR(CheckWebIdentityTimes(token, ctx.now));
  const std::vector<std::string> audiences = token.Audiences();
  std::string audience = audiences.empty() ? "" : audiences.front();
  if (!well_known) {
    auto listed = std::find_if(audiences.begin(), audiences.end(), [&](const std::string& aud) {
      return std::find(client_ids.begin(), client_ids.end(), aud) != client_ids.end();
    });
    if (listed == audiences.end()) return InvalidIdentityToken("Incorrect token audience");
    audience = *listed;
  }
  const std::string subject = token.StringClaim("sub");

  SessionRequest session;
  // The source identity an IdP passes in the token's https://aws.amazon.com/source_identity claim.
  if (std::string source = token.StringClaim("https://aws.amazon.com/source_identity");
      !source.empty()) {
    if (!ValidSessionText(source) || StartsWithAws(source)) {
      return InvalidIdentityToken(
          "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"");
    }
    session.source_identity = std::move(source);
  }
  // Session tags in the https://aws.amazon.com/tags claim: {"principal_tags": {"key":
  // ["value"]}, "transitive_tag_keys": ["key"]} (IAM user guide, "Pass session tags using
  // AssumeRoleWithWebIdentity").
  if (auto claim = token.claims.find("https://aws.amazon.com/tags");
      claim != token.claims.end() && claim->value().is_object()) {
    const boost::json::object& tags_claim = claim->value().get_object();
    std::vector<std::pair<std::string, std::string>> tags;
    std::vector<std::string> transitive;
    if (auto principal_tags = tags_claim.find("principal_tags");
        principal_tags != tags_claim.end() && principal_tags->value().is_object()) {
      for (const auto& [key, values] : principal_tags->value().get_object()) {
        if (values.is_array() && !values.get_array().empty() &&
            values.get_array().front().is_string()) {
          tags.emplace_back(std::string(key), std::string(values.get_array().front().get_string()));
        } else if (values.is_string()) {
          tags.emplace_back(std::string(key), std::string(values.get_string()));
        }
      }
    }
    for (const boost::json::value& key : Array(tags_claim, "transitive_tag_keys")) {
      if (key.is_string()) transitive.emplace_back(key.get_string());
    }
    OT_RETURN_IF_ERROR(AddFederatedTags(std::move(tags), std::move(transitive), session));
  }
  int64_t duration = 0;
  OT_ASSIGN_OR_RETURN(repo::RoleRow role, FederatedRole(ctx, input, kAction, &duration));

  // The keys are named by the provider's host and path (IAM user guide, "Available keys for
  // OIDC federation"). For Google, aud is the authorized party (azp) when the token has one and
  // oaud the audience it was issued to.
  policy::Context context;
  std::string aud_key_value = audience;
  if (host_and_path == "accounts.google.com") {
    if (std::string azp = token.StringClaim("azp"); !azp.empty()) {
      aud_key_value = azp;
      context.Set("accounts.google.com:oaud", audience);
    }
  }
  context.Set(host_and_path + ":aud", aud_key_value);
  context.Set(host_and_path + ":sub", subject);
  if (auto amr = token.claims.find("amr"); amr != token.claims.end()) {
    std::vector<std::string> values;
    if (amr->value().is_string()) values.emplace_back(amr->value().get_string());
    if (amr->value().is_array()) {
      for (const auto& item : amr->value().get_array()) {
        if (item.is_string()) values.emplace_back(item.get_string());
      }
    }
    if (!values.empty()) context.SetMulti(host_and_path + ":amr", std::move(values));
  }
  std::vector<std::string> actions{std::string(kAction)};
  if (session.tags_passed) actions.emplace_back("sts:TagSession");
  if (!session.source_identity.empty()) actions.emplace_back("sts:SetSourceIdentity");
  OT_RETURN_IF_ERROR(AuthorizeFederated(ctx, role, principal, actions, context));

  OT_RETURN_IF_ERROR(ResolveSessionPolicies(ctx.tx, input, role.account_id, session));
  OT_ASSIGN_OR_RETURN(std::optional<int> packed, PackedPercent(session));
  OT_ASSIGN_OR_RETURN(Json out, IssueRoleSession(ctx, role, Str(input, "RoleSessionName"), session,
                                                 packed, duration, /*chained=*/false));
  out["SubjectFromWebIdentityToken"] = subject;
  out["Provider"] = token.StringClaim("iss");
  out["Audience"] = audience;
  return out;
}

Status RegisterStsHandlers(gateway::Gateway& gateway) {
  OT_RETURN_IF_ERROR(gateway.Register("sts", "GetCallerIdentity", GetCallerIdentity));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "AssumeRole", AssumeRole));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "AssumeRoot", AssumeRoot));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "GetSessionToken", GetSessionToken));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "GetFederationToken", GetFederationToken));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "GetAccessKeyInfo", GetAccessKeyInfo));
  OT_RETURN_IF_ERROR(
      gateway.Register("sts", "DecodeAuthorizationMessage", DecodeAuthorizationMessage));
  OT_RETURN_IF_ERROR(
      gateway.Register("sts", "AssumeRoleWithWebIdentity", AssumeRoleWithWebIdentity));
  OT_RETURN_IF_ERROR(gateway.Register("sts", "AssumeRoleWithSAML", AssumeRoleWithSAML));
  return Status::Ok();
}

}  // namespace orgtwin::services::sts
