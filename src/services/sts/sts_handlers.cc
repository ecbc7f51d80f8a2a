#include "services/sts/sts_handlers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "auth/totp.h"
#include "common/ascii.h"
#include "common/base64.h"
#include "policy/document.h"
#include "repo/iam_repository.h"
#include "repo/session_repository.h"
#include "services/iam/handler_util.h"
#include "services/iam/iam_entities.h"
#include "services/iam/mfa.h"
#include "services/iam/organizations_features.h"
#include "services/identity/credential_store.h"
#include "services/identity/session_issuer.h"

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

  SessionGrant row;
  row.account_id = role->account_id;
  row.kind = "AssumedRole";
  row.principal_name = role->name + "/" + session_name;
  row.role_id = role->role_id;
  row.role_name = role->name;
  row.session_name = session_name;
  row.chained = chained;
  OT_ASSIGN_OR_RETURN(TemporaryCredentials issued, Issue(ctx, row, session, duration));
  OT_RETURN_IF_ERROR(
      repo::RecordRoleUse(tx, role->role_id, std::floor(ToEpochSeconds(ctx.now)), ctx.region));

  Json out{{"Credentials", CredentialsObject(issued)},
           {"AssumedRoleUser", Json{{"AssumedRoleId", role->role_id + ":" + session_name},
                                    {"Arn", "arn:aws:sts::" + role->account_id + ":assumed-role/" +
                                                role->name + "/" + session_name}}}};
  if (packed.has_value()) out["PackedPolicySize"] = *packed;
  if (!session.source_identity.empty()) out["SourceIdentity"] = session.source_identity;
  return out;
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

Result<Json> AssumeRoleWithWebIdentity(gateway::RequestContext& /*ctx*/, const Json& input) {
  // No OpenID Connect providers exist in the twin: answer what AWS answers for a token whose
  // issuer has no provider in the account (or for something that is not a JWT at all).
  std::string token = Str(input, "WebIdentityToken");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    return InvalidInputError(
               "The ID Token provided is not a valid JWT. (You may see this error "
               "if you sent an Access Token)")
        .WithAwsCode("InvalidIdentityToken");
  }
  std::string payload;
  if (!Base64Decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1), &payload,
                    Base64Alphabet::kUrl)) {
    payload.clear();
  }
  boost::system::error_code ec;
  boost::json::value claims = boost::json::parse(payload, ec);
  if (ec || !claims.is_object() || !claims.as_object().contains("iss") ||
      !claims.as_object().at("iss").is_string()) {
    return InvalidInputError(
               "The ID Token provided is not a valid JWT. (You may see this error "
               "if you sent an Access Token)")
        .WithAwsCode("InvalidIdentityToken");
  }
  std::string issuer(claims.as_object().at("iss").as_string());
  if (issuer.find("://") == std::string::npos) issuer = "https://" + issuer;
  return InvalidInputError("No OpenIDConnect provider found in your account for " + issuer)
      .WithAwsCode("InvalidIdentityToken");
}

Result<Json> AssumeRoleWithSAML(gateway::RequestContext& /*ctx*/, const Json& /*input*/) {
  // No SAML providers exist in the twin.
  return InvalidInputError("Specified provider doesn't exist.").WithAwsCode("InvalidIdentityToken");
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
