#include "services/trail/trails.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common/json_fields.h"
#include "repo/org_repository.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// AWS's quotas: five trails per Region per account (a multi-Region trail counts in every
// Region), 50 tags per trail, 5 event selectors, 20 resources per ListTags call.
constexpr size_t kMaxTrailsPerRegion = 5;
constexpr size_t kMaxTagsPerTrail = 50;
constexpr size_t kMaxEventSelectors = 5;
constexpr size_t kMaxListTagsResources = 20;
constexpr size_t kMaxS3PrefixLength = 200;
constexpr int64_t kMembersPage = 1000;

Status Error(std::string_view code, std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode(std::string(code));
}

using json_fields::Str;

bool Has(const Json& in, std::string_view key) {
  const boost::json::value* v = in.if_contains(key);
  return v != nullptr && !v->is_null();
}

std::optional<bool> Bool(const Json& in, std::string_view key) {
  const boost::json::value* v = in.if_contains(key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}

const boost::json::array* Array(const Json& in, std::string_view key) {
  const boost::json::value* v = in.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

std::string TrailArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:cloudtrail:" + std::string(region) + ":" + std::string(account) + ":trail/" +
         std::string(name);
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsSpecial(char c) { return c == '.' || c == '-' || c == '_'; }

// AWS's trail-name rules and their InvalidTrailNameException messages.
Status ValidateTrailName(std::string_view name) {
  if (name.size() < 3) {
    return Error("InvalidTrailNameException",
                 "Trail name too short. Minimum allowed length: 3 characters. Specified name "
                 "length: " +
                     std::to_string(name.size()) + " characters.");
  }
  if (name.size() > 128) {
    return Error("InvalidTrailNameException",
                 "Trail name too long. Maximum allowed length: 128 characters. Specified name "
                 "length: " +
                     std::to_string(name.size()) + " characters.");
  }
  if (!IsAlnum(name.front())) {
    return Error("InvalidTrailNameException", "Trail name must starts with a letter or number.");
  }
  if (!IsAlnum(name.back())) {
    return Error("InvalidTrailNameException", "Trail name must ends with a letter or number.");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsAlnum(name[i]) && !IsSpecial(name[i])) {
      return Error("InvalidTrailNameException",
                   "Trail name or ARN can only contain uppercase letters, lowercase letters, "
                   "numbers, periods (.), hyphens (-), and underscores (_).");
    }
    // AWS-COMPAT: AWS documents that adjacent periods, hyphens or underscores are invalid
    // ("my--trail", "my-_trail"); the exact message could not be established.
    if (i > 0 && IsSpecial(name[i]) && IsSpecial(name[i - 1])) {
      return Error("InvalidTrailNameException",
                   "Trail name cannot contain consecutive special characters.");
    }
  }
  return Status::Ok();
}

// S3 bucket naming rules (3-63 characters of lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit, no "..", not an IP address). AWS-COMPAT: there is
// no S3 in the twin: any valid name is accepted and the bucket is a folder of the data
// directory, which these rules keep inside it.
Status ValidateBucketName(std::string_view bucket) {
  auto invalid = [&] {
    return Error("InvalidS3BucketNameException",
                 "Bucket name is not valid: " + std::string(bucket) + ".");
  };
  if (bucket.size() < 3 || bucket.size() > 63) return invalid();
  bool all_digits_and_dots = true;
  for (size_t i = 0; i < bucket.size(); ++i) {
    char c = bucket[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return invalid();
    if (c != '.' && (c < '0' || c > '9')) all_digits_and_dots = false;
    if (i > 0 && c == '.' && bucket[i - 1] == '.') return invalid();
  }
  if (!IsAlnum(bucket.front()) || !IsAlnum(bucket.back()) || all_digits_and_dots) {
    return invalid();
  }
  return Status::Ok();
}

// AWS-COMPAT: S3 accepts almost any key prefix; the twin writes the prefix as folders, so an
// empty, "." or ".." segment (and a leading or trailing slash) is refused as invalid.
Status ValidateKeyPrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  auto invalid = [&] {
    return Error("InvalidS3PrefixException", "Prefix is not valid: " + std::string(prefix) + ".");
  };
  if (prefix.size() > kMaxS3PrefixLength) return invalid();
  size_t start = 0;
  while (start <= prefix.size()) {
    size_t slash = prefix.find('/', start);
    std::string_view segment = prefix.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return invalid();
    for (char c : segment) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return invalid();
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

// ---- What the caller can see ----

constexpr char kCloudTrailPrincipal[] = "cloudtrail.amazonaws.com";

// Whether `org`'s organization trails reach its members: all features and trusted access for
// CloudTrail. Without trusted access an organization trail records its own account only, as AWS
// turns it into a single-account trail when trusted access is disabled.
Result<bool> OrganizationTrailsApply(store::Transaction& tx, const repo::OrgRow& org) {
  if (org.feature_set != "ALL") return false;
  return repo::ServiceAccessEnabled(tx, org.org_id, kCloudTrailPrincipal);
}

// The organization trails the caller sees as a member (not its own): those of its
// organization's management account, when they apply (OrganizationTrailsApply).
Result<std::vector<repo::TrailRow>> MemberOrganizationTrails(store::Transaction& tx,
                                                             std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(tx, account_id));
  if (!org.has_value() || org->management_account_id == account_id) {
    return std::vector<repo::TrailRow>();
  }
  OT_ASSIGN_OR_RETURN(bool apply, OrganizationTrailsApply(tx, *org));
  if (!apply) return std::vector<repo::TrailRow>();
  return repo::OrganizationTrailsOf(tx, org->management_account_id);
}

// The caller's own trails, then its organization's (each by ARN).
Result<std::vector<repo::TrailRow>> VisibleTrails(store::Transaction& tx,
                                                  std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto own, repo::TrailsOf(tx, account_id));
  OT_ASSIGN_OR_RETURN(auto org, MemberOrganizationTrails(tx, account_id));
  own.insert(own.end(), std::make_move_iterator(org.begin()), std::make_move_iterator(org.end()));
  return own;
}

bool InRegion(const repo::TrailRow& trail, std::string_view region) {
  return trail.is_multi_region_trail || trail.home_region == region;
}

bool LooksLikeArn(std::string_view s) { return s.substr(0, 4) == "arn:"; }

constexpr std::string_view kPrefix = "arn:aws:cloudtrail:";

// arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME.
bool ValidTrailArn(std::string_view arn) {
  if (arn.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view account_and_name = rest.substr(colon + 1);
  size_t second = account_and_name.find(':');
  if (second != 12) return false;
  for (char c : account_and_name.substr(0, 12)) {
    if (c < '0' || c > '9') return false;
  }
  std::string_view resource = account_and_name.substr(13);
  return resource.substr(0, 6) == "trail/" && resource.size() > 6;
}

// AWS's text when an account other than the management account asks for an organization trail.
constexpr char kNotManagementMessage[] =
    "You cannot configure or manage trails for an organization because this action requires "
    "being signed in with the management account.";

// How an operation looks a trail up by name. kHomeOnly: GetTrailStatus and GetEventSelectors
// reach a shadow trail (a multi-Region trail outside its home Region) by its ARN only, and their
// TrailNotFoundException names the ARN the trail would have in the caller's Region ("Unknown
// trail: arn:aws:cloudtrail:us-east-2:ACCOUNT:trail/NAME for the user: ACCOUNT" for a
// multi-Region trail of us-east-1 asked for by name in us-east-2).
enum class NotFoundForm { kAsGiven, kHomeOnly };

Status TrailNotFound(gateway::RequestContext& ctx, std::string_view name_or_arn,
                     NotFoundForm form) {
  std::string shown(name_or_arn);
  if (form == NotFoundForm::kHomeOnly && !LooksLikeArn(name_or_arn)) {
    shown = TrailArn(ctx.region, ctx.caller.account_id, name_or_arn);
  }
  return Error("TrailNotFoundException",
               "Unknown trail: " + shown + " for the user: " + ctx.caller.account_id);
}

// The trail `name_or_arn` names for the caller: by ARN any trail it can see (its organization's
// too), by name one of its own trails in the caller's Region (home or multi-Region). A member
// names its organization's trail by ARN: by name AWS answers TrailNotFoundException, as it does
// to a delegated administrator starting an organization trail by name.
Result<repo::TrailRow> ResolveTrail(gateway::RequestContext& ctx, std::string_view name_or_arn,
                                    NotFoundForm form = NotFoundForm::kAsGiven) {
  const bool by_arn = LooksLikeArn(name_or_arn);
  if (by_arn) {
    if (!ValidTrailArn(name_or_arn)) {
      // AWS-COMPAT: the exact text of CloudTrailARNInvalidException could not be established.
      return Error("CloudTrailARNInvalidException",
                   "Invalid trail ARN: " + std::string(name_or_arn));
    }
  } else {
    OT_RETURN_IF_ERROR(ValidateTrailName(name_or_arn));
  }
  OT_ASSIGN_OR_RETURN(auto trails, VisibleTrails(ctx.tx, ctx.caller.account_id));
  for (repo::TrailRow& trail : trails) {
    if (by_arn ? trail.trail_arn == name_or_arn
               : (trail.name == name_or_arn && trail.account_id == ctx.caller.account_id &&
                  (form == NotFoundForm::kHomeOnly ? trail.home_region == ctx.region
                                                   : InRegion(trail, ctx.region)))) {
      return std::move(trail);
    }
  }
  return TrailNotFound(ctx, name_or_arn, form);
}

// A change to `trail` is its owner's, from its home Region.
Status EnsureCanChange(gateway::RequestContext& ctx, const repo::TrailRow& trail,
                       bool check_region = true) {
  if (trail.account_id != ctx.caller.account_id) {
    // AWS-COMPAT: a member account's change to its organization's trail is refused with
    // NotOrganizationMasterAccountException (the model lists it for every changing operation)
    // and the text AWS gives a member that asks for an organization trail.
    return Error("NotOrganizationMasterAccountException", kNotManagementMessage);
  }
  if (check_region && trail.home_region != ctx.region) {
    // AWS-COMPAT: the message's wording could not be established.
    return Error(
        "InvalidHomeRegionException",
        "This operation must be called from the trail's home region, " + trail.home_region + ".");
  }
  return Status::Ok();
}

// IsOrganizationTrail is the management account's, with all features.
Status EnsureOrganizationManagement(gateway::RequestContext& ctx) {
  OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(ctx.tx, ctx.caller.account_id));
  // AWS-COMPAT: the messages of OrganizationsNotInUseException and
  // OrganizationNotInAllFeaturesModeException could not be established. AWS also creates its
  // service-linked role (AWSServiceRoleForCloudTrail) in the management account; the twin
  // neither creates nor requires it.
  if (!org.has_value()) {
    return Error("OrganizationsNotInUseException",
                 "Account " + ctx.caller.account_id + " is not a member of an organization.");
  }
  if (org->management_account_id != ctx.caller.account_id) {
    return Error("NotOrganizationMasterAccountException", kNotManagementMessage);
  }
  if (org->feature_set != "ALL") {
    return Error("OrganizationNotInAllFeaturesModeException",
                 "Organization " + org->org_id + " does not have all features enabled.");
  }
  // Trusted access (organizations:EnableAWSServiceAccess for cloudtrail.amazonaws.com) first.
  OT_ASSIGN_OR_RETURN(bool trusted,
                      repo::ServiceAccessEnabled(ctx.tx, org->org_id, kCloudTrailPrincipal));
  if (!trusted) {
    return Error("CloudTrailAccessNotEnabledException",
                 "The request could not be processed because your organization hasn\u2019t "
                 "enabled CloudTrail service access. Enable service access for CloudTrail, and "
                 "then try again. You are signed in with the following AWS account ID: " +
                     ctx.caller.account_id);
  }
  return Status::Ok();
}

std::string SnsTopicArn(const repo::TrailRow& trail) {
  if (trail.sns_topic_name.empty() || LooksLikeArn(trail.sns_topic_name)) {
    return trail.sns_topic_name;
  }
  return "arn:aws:sns:" + trail.home_region + ":" + trail.account_id + ":" + trail.sns_topic_name;
}

// The trail's settings as CreateTrail/UpdateTrail answer them (and, `described`, as the Trail
// shape of GetTrail/DescribeTrails, with HomeRegion and the selector flags).
Json TrailJson(const repo::TrailRow& trail, bool described) {
  Json out{{"Name", trail.name}, {"S3BucketName", trail.s3_bucket_name}};
  if (!trail.s3_key_prefix.empty()) out["S3KeyPrefix"] = trail.s3_key_prefix;
  if (!trail.sns_topic_name.empty()) {
    out["SnsTopicName"] = trail.sns_topic_name;
    out["SnsTopicARN"] = SnsTopicArn(trail);
  }
  out["IncludeGlobalServiceEvents"] = trail.include_global_service_events;
  out["IsMultiRegionTrail"] = trail.is_multi_region_trail;
  if (described) out["HomeRegion"] = trail.home_region;
  out["TrailARN"] = trail.trail_arn;
  out["LogFileValidationEnabled"] = trail.log_file_validation_enabled;
  if (!trail.cloud_watch_logs_log_group_arn.empty()) {
    out["CloudWatchLogsLogGroupArn"] = trail.cloud_watch_logs_log_group_arn;
  }
  if (!trail.cloud_watch_logs_role_arn.empty()) {
    out["CloudWatchLogsRoleArn"] = trail.cloud_watch_logs_role_arn;
  }
  if (!trail.kms_key_id.empty()) out["KmsKeyId"] = trail.kms_key_id;
  if (described) {
    out["HasCustomEventSelectors"] =
        !trail.event_selectors.empty() || !trail.advanced_event_selectors.empty();
    out["HasInsightSelectors"] = false;
  }
  out["IsOrganizationTrail"] = trail.is_organization_trail;
  return out;
}

// ---- Tags ----

using TagList = std::vector<std::pair<std::string, std::string>>;

Result<TagList> ParseTags(const Json& input, std::string_view key) {
  TagList out;
  const boost::json::array* list = Array(input, key);
  if (list == nullptr) return out;
  for (const boost::json::value& v : *list) {
    if (!v.is_object()) continue;
    std::string tag_key = Str(v.as_object(), "Key");
    std::string value = Str(v.as_object(), "Value");
    // AWS-COMPAT: the exact texts of InvalidTagParameterException could not be established.
    if (tag_key.empty() || tag_key.size() > 128) {
      return Error("InvalidTagParameterException",
                   "Tag key must be between 1 and 128 characters: `" + tag_key + "`.");
    }
    if (value.size() > 256) {
      return Error("InvalidTagParameterException",
                   "Tag value must be at most 256 characters for key `" + tag_key + "`.");
    }
    out.emplace_back(std::move(tag_key), std::move(value));
  }
  return out;
}

Status ApplyTags(store::Transaction& tx, std::string_view arn, const TagList& tags) {
  OT_ASSIGN_OR_RETURN(TagList existing, repo::TrailTags(tx, arn));
  std::set<std::string> keys;
  for (const auto& [k, v] : existing) keys.insert(k);
  for (const auto& [k, v] : tags) keys.insert(k);
  if (keys.size() > kMaxTagsPerTrail) {
    // AWS-COMPAT: message wording.
    return Error("TagsLimitExceededException",
                 "The number of tags on the resource exceeds the limit of 50.");
  }
  for (const auto& [k, v] : tags) OT_RETURN_IF_ERROR(repo::PutTrailTag(tx, arn, k, v));
  return Status::Ok();
}

Json TagsJson(const TagList& tags) {
  boost::json::array list;
  for (const auto& [k, v] : tags) list.emplace_back(Json{{"Key", k}, {"Value", v}});
  return Json{{"TagsList", list}};
}

// ---- Settings shared by CreateTrail and UpdateTrail ----

Status ApplySettings(gateway::RequestContext& ctx, const Json& input, repo::TrailRow& trail,
                     bool creating) {
  if (Has(input, "S3BucketName")) trail.s3_bucket_name = Str(input, "S3BucketName");
  if (Has(input, "S3KeyPrefix")) trail.s3_key_prefix = Str(input, "S3KeyPrefix");
  if (Has(input, "SnsTopicName")) trail.sns_topic_name = Str(input, "SnsTopicName");
  if (auto v = Bool(input, "IncludeGlobalServiceEvents")) {
    trail.include_global_service_events = *v;
  }
  if (auto v = Bool(input, "IsMultiRegionTrail")) trail.is_multi_region_trail = *v;
  if (auto v = Bool(input, "EnableLogFileValidation")) trail.log_file_validation_enabled = *v;
  if (Has(input, "CloudWatchLogsLogGroupArn")) {
    trail.cloud_watch_logs_log_group_arn = Str(input, "CloudWatchLogsLogGroupArn");
  }
  if (Has(input, "CloudWatchLogsRoleArn")) {
    trail.cloud_watch_logs_role_arn = Str(input, "CloudWatchLogsRoleArn");
  }
  if (Has(input, "KmsKeyId")) trail.kms_key_id = Str(input, "KmsKeyId");
  bool to_organization = false;
  if (auto v = Bool(input, "IsOrganizationTrail")) {
    to_organization = *v && (creating || !trail.is_organization_trail);
    trail.is_organization_trail = *v;
  }
  OT_RETURN_IF_ERROR(ValidateBucketName(trail.s3_bucket_name));
  OT_RETURN_IF_ERROR(ValidateKeyPrefix(trail.s3_key_prefix));
  // AWS-COMPAT: the SNS topic, KMS key and CloudWatch Logs group are stored and echoed, not
  // checked against those services (the twin delivers neither notifications nor encrypted or
  // CloudWatch copies); a log group without a role (or a role without a group) is refused, with
  // a message whose AWS wording could not be established.
  if (trail.cloud_watch_logs_log_group_arn.empty() != trail.cloud_watch_logs_role_arn.empty()) {
    return Error("InvalidCloudWatchLogsLogGroupArnException",
                 "You must specify a log group and a role ARN together.");
  }
  if (trail.is_multi_region_trail && !trail.include_global_service_events) {
    return Error("InvalidParameterCombinationException",
                 "Multi-Region trail must include global service events.");
  }
  if (to_organization) OT_RETURN_IF_ERROR(EnsureOrganizationManagement(ctx));
  return Status::Ok();
}

// The name must be free: no trail of the account with that name in the Region, no
// multi-Region trail of that name anywhere, and, for a multi-Region trail, none in any Region.
// `updating`: the trail itself is among `own` and is not a clash.
Status EnsureNameFree(gateway::RequestContext& ctx, const repo::TrailRow& trail,
                      const std::vector<repo::TrailRow>& own, bool updating) {
  for (const repo::TrailRow& other : own) {
    if ((updating && other.trail_arn == trail.trail_arn) || other.name != trail.name) continue;
    if (other.home_region == trail.home_region || other.is_multi_region_trail ||
        trail.is_multi_region_trail) {
      return Error(
          "TrailAlreadyExistsException",
          "Trail " + trail.name + " already exists for customer: " + ctx.caller.account_id);
    }
  }
  return Status::Ok();
}

Result<Json> CreateTrail(gateway::RequestContext& ctx, const Json& input) {
  repo::TrailRow trail;
  trail.name = Str(input, "Name");
  OT_RETURN_IF_ERROR(ValidateTrailName(trail.name));
  trail.account_id = ctx.caller.account_id;
  trail.home_region = ctx.region;
  trail.trail_arn = TrailArn(ctx.region, trail.account_id, trail.name);
  trail.created_at = ToEpochSeconds(ctx.now);
  OT_RETURN_IF_ERROR(ApplySettings(ctx, input, trail, /*creating=*/true));
  OT_ASSIGN_OR_RETURN(auto own, repo::TrailsOf(ctx.tx, trail.account_id));
  OT_RETURN_IF_ERROR(EnsureNameFree(ctx, trail, own, /*updating=*/false));
  size_t in_region = 0;
  for (const repo::TrailRow& other : own) in_region += InRegion(other, ctx.region) ? 1 : 0;
  if (in_region >= kMaxTrailsPerRegion) {
    // AWS-COMPAT: message wording.
    return Error("MaximumNumberOfTrailsExceededException",
                 "User: " + trail.account_id + " already has 5 trails in " + ctx.region + ".");
  }
  OT_ASSIGN_OR_RETURN(TagList tags, ParseTags(input, "TagsList"));
  OT_RETURN_IF_ERROR(repo::InsertTrail(ctx.tx, trail));
  OT_RETURN_IF_ERROR(ApplyTags(ctx.tx, trail.trail_arn, tags));
  return TrailJson(trail, /*described=*/false);
}

Result<Json> UpdateTrail(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTrail(ctx, Str(input, "Name")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail));
  const bool was_multi_region = trail.is_multi_region_trail;
  OT_RETURN_IF_ERROR(ApplySettings(ctx, input, trail, /*creating=*/false));
  if (trail.is_multi_region_trail && !was_multi_region) {
    OT_ASSIGN_OR_RETURN(auto own, repo::TrailsOf(ctx.tx, trail.account_id));
    OT_RETURN_IF_ERROR(EnsureNameFree(ctx, trail, own, /*updating=*/true));
  }
  OT_RETURN_IF_ERROR(repo::UpdateTrailSettings(ctx.tx, trail));
  return TrailJson(trail, /*described=*/false);
}

Result<Json> DeleteTrail(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTrail(ctx, Str(input, "Name")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail));
  OT_RETURN_IF_ERROR(repo::DeleteTrail(ctx.tx, trail.trail_arn));
  return Json{};
}

Result<Json> GetTrail(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTrail(ctx, Str(input, "Name")));
  return Json{{"Trail", TrailJson(trail, /*described=*/true)}};
}

Result<Json> DescribeTrails(gateway::RequestContext& ctx, const Json& input) {
  // includeShadowTrails defaults to true on AWS.
  const bool shadows = Bool(input, "includeShadowTrails").value_or(true);
  OT_ASSIGN_OR_RETURN(auto trails, VisibleTrails(ctx.tx, ctx.caller.account_id));
  auto shown = [&](const repo::TrailRow& t) {
    return t.home_region == ctx.region || (shadows && t.is_multi_region_trail);
  };
  boost::json::array list;
  const boost::json::array* names = Array(input, "trailNameList");
  if (names == nullptr || names->empty()) {
    for (const repo::TrailRow& t : trails) {
      if (shown(t)) list.emplace_back(TrailJson(t, /*described=*/true));
    }
    return Json{{"trailList", list}};
  }
  std::set<std::string> listed;
  for (const boost::json::value& v : *names) {
    if (!v.is_string()) continue;
    std::string_view wanted = v.as_string();
    const bool by_arn = LooksLikeArn(wanted);
    if (by_arn && !ValidTrailArn(wanted)) {
      return Error("CloudTrailARNInvalidException", "Invalid trail ARN: " + std::string(wanted));
    }
    if (!by_arn) OT_RETURN_IF_ERROR(ValidateTrailName(wanted));
    // Names or ARNs that match no trail are left out, as AWS does. A name names a trail of the
    // caller's own in its Region; an ARN any trail the caller sees, in any Region.
    for (const repo::TrailRow& t : trails) {
      if (by_arn ? t.trail_arn != wanted
                 : (!shown(t) || t.name != wanted || t.account_id != ctx.caller.account_id)) {
        continue;
      }
      if (listed.insert(t.trail_arn).second) list.emplace_back(TrailJson(t, /*described=*/true));
    }
  }
  return Json{{"trailList", list}};
}

Result<Json> ListTrails(gateway::RequestContext& ctx, const Json& /*input*/) {
  // AWS-COMPAT: every trail fits one page (an account has at most five per Region), so no
  // NextToken is ever returned.
  OT_ASSIGN_OR_RETURN(auto trails, VisibleTrails(ctx.tx, ctx.caller.account_id));
  boost::json::array list;
  for (const repo::TrailRow& t : trails) {
    list.emplace_back(
        Json{{"TrailARN", t.trail_arn}, {"Name", t.name}, {"HomeRegion", t.home_region}});
  }
  return Json{{"Trails", list}};
}

std::string IsoSeconds(double epoch_seconds) {
  return FormatIso8601Seconds(TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double>(epoch_seconds))));
}

Result<Json> GetTrailStatus(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail,
                      ResolveTrail(ctx, Str(input, "Name"), NotFoundForm::kHomeOnly));
  Json out{{"IsLogging", trail.is_logging}};
  if (trail.latest_delivery_error.empty() == false) {
    out["LatestDeliveryError"] = trail.latest_delivery_error;
  }
  if (trail.latest_delivery_time) out["LatestDeliveryTime"] = *trail.latest_delivery_time;
  if (trail.start_logging_time) out["StartLoggingTime"] = *trail.start_logging_time;
  if (trail.stop_logging_time) out["StopLoggingTime"] = *trail.stop_logging_time;
  out["LatestDeliveryAttemptTime"] =
      trail.latest_delivery_attempt_time ? IsoSeconds(*trail.latest_delivery_attempt_time) : "";
  out["LatestNotificationAttemptTime"] = "";
  out["LatestNotificationAttemptSucceeded"] = "";
  out["LatestDeliveryAttemptSucceeded"] =
      trail.latest_delivery_time ? IsoSeconds(*trail.latest_delivery_time) : "";
  out["TimeLoggingStarted"] = trail.start_logging_time ? IsoSeconds(*trail.start_logging_time) : "";
  out["TimeLoggingStopped"] = trail.stop_logging_time ? IsoSeconds(*trail.stop_logging_time) : "";
  return out;
}

Result<Json> SetLogging(gateway::RequestContext& ctx, const Json& input, bool logging) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTrail(ctx, Str(input, "Name")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail));
  // Starting a trail that logs (or stopping one that does not) changes nothing.
  if (trail.is_logging != logging) {
    OT_RETURN_IF_ERROR(
        repo::SetTrailLogging(ctx.tx, trail.trail_arn, logging, ToEpochSeconds(ctx.now)));
  }
  return Json{};
}

Result<Json> StartLogging(gateway::RequestContext& ctx, const Json& input) {
  return SetLogging(ctx, input, true);
}

Result<Json> StopLogging(gateway::RequestContext& ctx, const Json& input) {
  return SetLogging(ctx, input, false);
}

// ---- Event selectors ----

constexpr std::string_view kExcludableSources[] = {"kms.amazonaws.com", "rdsdata.amazonaws.com"};

boost::json::array DefaultEventSelectors() {
  return boost::json::array{Json{{"ReadWriteType", "All"},
                                 {"IncludeManagementEvents", true},
                                 {"DataResources", boost::json::array()},
                                 {"ExcludeManagementEventSources", boost::json::array()}}};
}

Result<boost::json::array> NormalizeEventSelectors(const boost::json::array& selectors) {
  if (selectors.size() > kMaxEventSelectors) {
    return Error("InvalidEventSelectorsException",
                 "You can specify up to 5 event selectors for a trail.");
  }
  boost::json::array out;
  for (const boost::json::value& v : selectors) {
    if (!v.is_object()) continue;
    const Json& s = v.as_object();
    Json n;
    n["ReadWriteType"] = Has(s, "ReadWriteType") ? Str(s, "ReadWriteType") : "All";
    n["IncludeManagementEvents"] = Bool(s, "IncludeManagementEvents").value_or(true);
    const boost::json::array* data = Array(s, "DataResources");
    n["DataResources"] = data != nullptr ? *data : boost::json::array();
    boost::json::array excluded;
    if (const boost::json::array* list = Array(s, "ExcludeManagementEventSources")) {
      for (const boost::json::value& source : *list) {
        if (!source.is_string() ||
            std::find(std::begin(kExcludableSources), std::end(kExcludableSources),
                      std::string_view(source.as_string())) == std::end(kExcludableSources)) {
          // AWS-COMPAT: message wording; AWS accepts only these two sources here.
          return Error("InvalidEventSelectorsException",
                       "ExcludeManagementEventSources can only contain kms.amazonaws.com and "
                       "rdsdata.amazonaws.com.");
        }
        excluded.push_back(source);
      }
    }
    n["ExcludeManagementEventSources"] = excluded;
    out.emplace_back(std::move(n));
  }
  return out;
}

Json SelectorsJson(const repo::TrailRow& trail) {
  Json out{{"TrailARN", trail.trail_arn}};
  if (!trail.advanced_event_selectors.empty()) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(trail.advanced_event_selectors, ec);
    out["AdvancedEventSelectors"] =
        !ec && parsed.is_array() ? parsed.as_array() : boost::json::array();
    return out;
  }
  if (trail.event_selectors.empty()) {
    out["EventSelectors"] = DefaultEventSelectors();
    return out;
  }
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(trail.event_selectors, ec);
  out["EventSelectors"] = !ec && parsed.is_array() ? parsed.as_array() : DefaultEventSelectors();
  return out;
}

Result<Json> PutEventSelectors(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTrail(ctx, Str(input, "TrailName")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail));
  const boost::json::array* basic = Array(input, "EventSelectors");
  const boost::json::array* advanced = Array(input, "AdvancedEventSelectors");
  if ((basic == nullptr) == (advanced == nullptr)) {
    // AWS-COMPAT: message wording.
    return Error("InvalidEventSelectorsException",
                 "Specify either EventSelectors or AdvancedEventSelectors, but not both.");
  }
  if (basic != nullptr) {
    OT_ASSIGN_OR_RETURN(boost::json::array normalized, NormalizeEventSelectors(*basic));
    trail.event_selectors = boost::json::serialize(normalized);
    trail.advanced_event_selectors.clear();
  } else {
    // AWS-COMPAT: advanced selectors are stored as given; delivery applies their eventCategory,
    // readOnly and eventSource fields (TrailSelectsEvent), the rest select nothing more.
    trail.advanced_event_selectors = boost::json::serialize(*advanced);
    trail.event_selectors.clear();
  }
  OT_RETURN_IF_ERROR(repo::SetTrailEventSelectors(ctx.tx, trail.trail_arn, trail.event_selectors,
                                                  trail.advanced_event_selectors));
  return SelectorsJson(trail);
}

Result<Json> GetEventSelectors(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail,
                      ResolveTrail(ctx, Str(input, "TrailName"), NotFoundForm::kHomeOnly));
  return SelectorsJson(trail);
}

// ---- Tags' handlers: resources are trail ARNs ----

Result<repo::TrailRow> ResolveTagged(gateway::RequestContext& ctx, std::string_view arn) {
  if (!ValidTrailArn(arn)) {
    // AWS-COMPAT: message wording.
    return Error("CloudTrailARNInvalidException", "Invalid trail ARN: " + std::string(arn));
  }
  // Tags are a Region's: a trail of another Region (a shadow trail's ARN too) is refused.
  const std::string_view arn_region =
      arn.substr(kPrefix.size(), arn.find(':', kPrefix.size()) - kPrefix.size());
  if (arn_region != ctx.region) {
    return Error(
        "CloudTrailARNInvalidException",
        "Region in ARN is wrong, you can only access resources in region " + ctx.region + ".");
  }
  OT_ASSIGN_OR_RETURN(auto trails, VisibleTrails(ctx.tx, ctx.caller.account_id));
  for (repo::TrailRow& t : trails) {
    if (t.trail_arn == arn) return std::move(t);
  }
  // AWS-COMPAT: message wording.
  return Error("ResourceNotFoundException", "Resource not found for ARN " + std::string(arn) + ".");
}

Result<Json> AddTags(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTagged(ctx, Str(input, "ResourceId")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail, /*check_region=*/false));
  OT_ASSIGN_OR_RETURN(TagList tags, ParseTags(input, "TagsList"));
  OT_RETURN_IF_ERROR(ApplyTags(ctx.tx, trail.trail_arn, tags));
  return Json{};
}

Result<Json> RemoveTags(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTagged(ctx, Str(input, "ResourceId")));
  OT_RETURN_IF_ERROR(EnsureCanChange(ctx, trail, /*check_region=*/false));
  OT_ASSIGN_OR_RETURN(TagList tags, ParseTags(input, "TagsList"));
  for (const auto& [k, v] : tags)
    OT_RETURN_IF_ERROR(repo::DeleteTrailTag(ctx.tx, trail.trail_arn, k));
  return Json{};
}

Result<Json> ListTags(gateway::RequestContext& ctx, const Json& input) {
  const boost::json::array* ids = Array(input, "ResourceIdList");
  boost::json::array list;
  if (ids != nullptr && ids->size() > kMaxListTagsResources) {
    // AWS-COMPAT: message wording.
    return Error("InvalidParameterException",
                 "ResourceIdList can contain at most 20 resource IDs.");
  }
  if (ids != nullptr) {
    for (const boost::json::value& v : *ids) {
      if (!v.is_string()) continue;
      OT_ASSIGN_OR_RETURN(repo::TrailRow trail, ResolveTagged(ctx, v.as_string()));
      OT_ASSIGN_OR_RETURN(TagList tags, repo::TrailTags(ctx.tx, trail.trail_arn));
      Json entry = TagsJson(tags);
      entry["ResourceId"] = trail.trail_arn;
      list.emplace_back(std::move(entry));
    }
  }
  return Json{{"ResourceTagList", list}};
}

constexpr gateway::HandlerEntry kTrailHandlers[] = {
    {"CreateTrail", CreateTrail},
    {"UpdateTrail", UpdateTrail},
    {"DeleteTrail", DeleteTrail},
    {"GetTrail", GetTrail},
    {"DescribeTrails", DescribeTrails},
    {"ListTrails", ListTrails},
    {"GetTrailStatus", GetTrailStatus},
    {"StartLogging", StartLogging},
    {"StopLogging", StopLogging},
    {"PutEventSelectors", PutEventSelectors},
    {"GetEventSelectors", GetEventSelectors},
    {"AddTags", AddTags},
    {"RemoveTags", RemoveTags},
    {"ListTags", ListTags},
};

// ---- Event selection (TrailSelectsEvent) ----

// AWS-COMPAT: the services whose events CloudTrail records as global service events (in
// us-east-1) and leaves out of trails without IncludeGlobalServiceEvents. Console sign-ins are
// not among them here: the twin records them in us-east-1 like AWS and delivers them to every
// trail that covers the Region.
bool IsGlobalServiceEvent(const Json& record) {
  static const std::set<std::string, std::less<>> kGlobal = {
      "iam.amazonaws.com", "sts.amazonaws.com", "cloudfront.amazonaws.com",
      "route53.amazonaws.com"};
  return Str(record, "awsRegion") == "us-east-1" && kGlobal.count(Str(record, "eventSource"));
}

bool IsReadOnly(const Json& record) { return Bool(record, "readOnly").value_or(false); }

bool IsManagementEvent(const Json& record) {
  return Bool(record, "managementEvent").value_or(true);
}

bool BasicSelectorMatches(const Json& selector, const Json& record) {
  if (!Bool(selector, "IncludeManagementEvents").value_or(true)) return false;
  const std::string type = Has(selector, "ReadWriteType") ? Str(selector, "ReadWriteType") : "All";
  if (type == "ReadOnly" && !IsReadOnly(record)) return false;
  if (type == "WriteOnly" && IsReadOnly(record)) return false;
  if (const boost::json::array* excluded = Array(selector, "ExcludeManagementEventSources")) {
    const std::string source = Str(record, "eventSource");
    for (const boost::json::value& v : *excluded) {
      if (v.is_string() && v.as_string() == source) return false;
    }
  }
  return true;
}

bool ListHas(const Json& field, std::string_view key, std::string_view value) {
  const boost::json::array* list = Array(field, key);
  if (list == nullptr) return false;
  return std::any_of(list->begin(), list->end(), [&](const boost::json::value& v) {
    return v.is_string() && v.as_string() == value;
  });
}

// An advanced selector matches when every field selector it has on eventCategory, readOnly and
// eventSource (Equals / NotEquals) holds; it must name eventCategory Management.
bool AdvancedSelectorMatches(const Json& selector, const Json& record) {
  const boost::json::array* fields = Array(selector, "FieldSelectors");
  if (fields == nullptr) return false;
  bool management = false;
  for (const boost::json::value& v : *fields) {
    if (!v.is_object()) continue;
    const Json& f = v.as_object();
    const std::string name = Str(f, "Field");
    std::string actual;
    if (name == "eventCategory") {
      actual = "Management";
    } else if (name == "readOnly") {
      actual = IsReadOnly(record) ? "true" : "false";
    } else if (name == "eventSource") {
      actual = Str(record, "eventSource");
    } else {
      continue;
    }
    if (Has(f, "Equals") && !ListHas(f, "Equals", actual)) return false;
    if (Has(f, "NotEquals") && ListHas(f, "NotEquals", actual)) return false;
    if (name == "eventCategory" && ListHas(f, "Equals", "Management")) management = true;
  }
  return management;
}

bool AnySelectorMatches(const std::string& text, const Json& record, bool advanced) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_array()) return false;
  for (const boost::json::value& v : parsed.as_array()) {
    if (!v.is_object()) continue;
    if (advanced ? AdvancedSelectorMatches(v.as_object(), record)
                 : BasicSelectorMatches(v.as_object(), record)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status RegisterTrailsHandlers(gateway::Gateway& gateway) {
  return gateway.RegisterAll("cloudtrail", kTrailHandlers);
}

Result<bool> LoggingTrailCovers(store::Transaction& tx, std::string_view account_id,
                                std::string_view region) {
  // One query in the common case (the audit trail asks on every call): the logging trails are
  // few, and the organization is looked up only when one of them is an organization trail.
  OT_ASSIGN_OR_RETURN(auto logging, repo::LoggingTrails(tx));
  bool organization_trails = false;
  for (const repo::TrailRow& t : logging) {
    if (!InRegion(t, region)) continue;
    if (t.account_id == account_id) return true;
    organization_trails = organization_trails || t.is_organization_trail;
  }
  if (!organization_trails) return false;
  OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(tx, account_id));
  if (!org.has_value()) return false;
  OT_ASSIGN_OR_RETURN(bool apply, OrganizationTrailsApply(tx, *org));
  if (!apply) return false;
  for (const repo::TrailRow& t : logging) {
    if (InRegion(t, region) && t.is_organization_trail &&
        t.account_id == org->management_account_id) {
      return true;
    }
  }
  return false;
}

Result<std::vector<std::string>> AccountsCoveredBy(store::Transaction& tx,
                                                   const repo::TrailRow& trail,
                                                   std::string* org_id) {
  org_id->clear();
  std::vector<std::string> accounts;
  if (trail.is_organization_trail) {
    OT_ASSIGN_OR_RETURN(auto org, repo::FindOrganizationForAccount(tx, trail.account_id));
    bool apply = false;
    if (org.has_value() && org->management_account_id == trail.account_id) {
      OT_ASSIGN_OR_RETURN(apply, OrganizationTrailsApply(tx, *org));
    }
    if (apply) {
      *org_id = org->org_id;
      int64_t start = 0;
      while (true) {
        OT_ASSIGN_OR_RETURN(auto page, repo::MembersOf(tx, org->org_id, "", start, kMembersPage));
        for (const repo::MemberRow& m : page) accounts.push_back(m.account_id);
        if (static_cast<int64_t>(page.size()) < kMembersPage) break;
        // The next page starts after the last account of this one.
        start = page.back().joined_seq + 1;
      }
    }
  }
  if (std::find(accounts.begin(), accounts.end(), trail.account_id) == accounts.end()) {
    accounts.push_back(trail.account_id);
  }
  std::sort(accounts.begin(), accounts.end());
  return accounts;
}

bool TrailSelectsEvent(const repo::TrailRow& trail, const boost::json::object& record) {
  const std::string region = Str(record, "awsRegion");
  if (!trail.is_multi_region_trail && region != trail.home_region) return false;
  if (!trail.include_global_service_events && IsGlobalServiceEvent(record)) return false;
  if (!IsManagementEvent(record)) return false;
  if (!trail.advanced_event_selectors.empty()) {
    return AnySelectorMatches(trail.advanced_event_selectors, record, /*advanced=*/true);
  }
  if (trail.event_selectors.empty()) return true;  // the default: all management events
  return AnySelectorMatches(trail.event_selectors, record, /*advanced=*/false);
}

}  // namespace orgtwin::services::trail
