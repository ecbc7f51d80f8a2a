#include "services/trail/event_record.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "common/arn.h"
#include "common/clock.h"
#include "gateway/operation_actions.h"
#include "protocol/protocol.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// Members CloudTrail never writes: credentials and one-time codes. The issued temporary
// credentials keep their access key ID, session token and expiry, as AWS records them.
constexpr std::array<std::string_view, 14> kSecretMembers = {"Password",
                                                             "OldPassword",
                                                             "NewPassword",
                                                             "SecretAccessKey",
                                                             "PrivateKey",
                                                             "AuthenticationCode1",
                                                             "AuthenticationCode2",
                                                             "TokenCode",
                                                             "SAMLAssertion",
                                                             "WebIdentityToken",
                                                             "ServicePassword",
                                                             "Base32StringSeed",
                                                             "QRCodePNG",
                                                             "Otp"};

bool IsSecret(std::string_view member) {
  return std::find(kSecretMembers.begin(), kSecretMembers.end(), member) != kSecretMembers.end();
}

std::string LowerFirst(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// CloudTrail's resource type of an ARN ("AWS::IAM::Role"); "" when orgtwin does not name it.
std::string_view ResourceTypeOf(const ArnParts& arn) {
  struct Kind {
    std::string_view service, prefix, type;
  };
  static constexpr std::array<Kind, 11> kKinds = {{
      {"iam", "role/", "AWS::IAM::Role"},
      {"iam", "user/", "AWS::IAM::User"},
      {"iam", "group/", "AWS::IAM::Group"},
      {"iam", "policy/", "AWS::IAM::Policy"},
      {"iam", "instance-profile/", "AWS::IAM::InstanceProfile"},
      {"cloudtrail", "trail/", "AWS::CloudTrail::Trail"},
      {"events", "rule/", "AWS::Events::Rule"},
      {"organizations", "account/", "AWS::Organizations::Account"},
      {"organizations", "policy/", "AWS::Organizations::Policy"},
      {"organizations", "ou/", "AWS::Organizations::OrganizationalUnit"},
      {"sns", "", "AWS::SNS::Topic"},
  }};
  for (const Kind& kind : kKinds) {
    if (arn.service == kind.service && arn.resource.substr(0, kind.prefix.size()) == kind.prefix) {
      return kind.type;
    }
  }
  return "";
}

// The resources a call names by ARN (RoleArn, TopicArn, PolicyArn, ...), as CloudTrail lists
// them in the event. Resources named by name (UserName, ...) are not written: LookupEvents
// derives them from requestParameters (lookup_events.cc), as CloudTrail's event history does.
boost::json::array ResourcesOf(const Json& input, const boost::json::storage_ptr& sp) {
  boost::json::array resources(sp);
  for (const auto& member : input) {
    if (!EndsWith(member.key(), "Arn") || !member.value().is_string()) continue;
    std::string_view arn = member.value().as_string();
    std::optional<ArnParts> parts = SplitArn(arn);
    if (!parts.has_value() || parts->account.empty()) continue;
    std::string_view type = ResourceTypeOf(*parts);
    if (type.empty()) continue;
    resources.push_back(Json({{"accountId", parts->account}, {"type", type}, {"ARN", arn}}, sp));
  }
  return resources;
}

Json SessionContextOf(const auth::Principal& caller, const boost::json::storage_ptr& sp) {
  Json attributes({{"creationDate", FormatIso8601Seconds(caller.token_issue_time)},
                   {"mfaAuthenticated", caller.mfa_authenticated ? "true" : "false"}},
                  sp);
  Json context(sp);
  if (caller.type == auth::PrincipalType::kAssumedRole && caller.session != nullptr) {
    const std::string& role_arn = caller.session->role_arn;
    context["sessionIssuer"] = Json({{"type", "Role"},
                                     {"principalId", caller.session->role_id},
                                     {"arn", role_arn},
                                     {"accountId", caller.account_id},
                                     {"userName", caller.name}},
                                    sp);
  }
  if (caller.session != nullptr && !caller.session->source_identity.empty()) {
    context["sourceIdentity"] = caller.session->source_identity;
  }
  context["attributes"] = std::move(attributes);
  return context;
}

}  // namespace

std::string EventSourceOf(const model::ServiceModel& service) {
  return service.endpoint_prefix + ".amazonaws.com";
}

bool IsReadOnlyEvent(const model::ServiceModel& service, const model::Operation& operation) {
  if (service.signing_name == "sts") return true;
  return !gateway::OperationMayWrite(service.signing_name, operation.name);
}

std::string EventRegionOf(const model::ServiceModel& service, std::string_view scope_region) {
  if (service.signing_name == "iam" || service.signing_name == "organizations") {
    return "us-east-1";
  }
  return std::string(scope_region.empty() ? "us-east-1" : scope_region);
}

Json UserIdentityOf(const auth::Principal& caller, const boost::json::storage_ptr& sp) {
  Json identity({{"type", auth::PrincipalTypeName(caller.type)},
                 {"principalId", caller.user_id},
                 {"arn", caller.arn},
                 {"accountId", caller.account_id}},
                sp);
  if (!caller.access_key_id.empty()) identity["accessKeyId"] = caller.access_key_id;
  if (caller.type == auth::PrincipalType::kUser) identity["userName"] = caller.name;
  if (caller.temporary) identity["sessionContext"] = SessionContextOf(caller, sp);
  return identity;
}

std::string EventTimestamp(double epoch_seconds) {
  // AWS-COMPAT: CloudTrail writes the timestamps of IAM, STS and Organizations responses in
  // Java's medium date format ("Dec 5, 2026 1:02:42 AM", UTC); the other services' are not
  // established, and get the same.
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto seconds = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const int hour12 = utc.tm_hour % 12 == 0 ? 12 : utc.tm_hour % 12;
  char out[48];
  std::snprintf(out, sizeof(out), "%s %d, %d %d:%02d:%02d %s",
                std::string(kMonths[static_cast<size_t>(utc.tm_mon) % 12]).c_str(), utc.tm_mday,
                utc.tm_year + 1900, hour12, utc.tm_min, utc.tm_sec, utc.tm_hour < 12 ? "AM" : "PM");
  return out;
}

boost::json::value ToEventFields(const boost::json::value& value, const model::Shape* shape,
                                 const boost::json::storage_ptr& sp) {
  if (shape != nullptr && shape->type == model::ShapeType::kTimestamp && value.is_number()) {
    return boost::json::value(EventTimestamp(value.to_number<double>()), sp);
  }
  if (value.is_object()) {
    const bool map = shape != nullptr && shape->type == model::ShapeType::kMap;
    Json out(sp);
    out.reserve(value.as_object().size());
    for (const auto& member : value.as_object()) {
      if (map) {  // a map's keys are data, not member names
        out.emplace(member.key(), ToEventFields(member.value(), shape->value.shape, sp));
        continue;
      }
      const model::Member* modeled = shape != nullptr && shape->type == model::ShapeType::kStructure
                                         ? shape->FindMember(member.key())
                                         : nullptr;
      const model::Shape* member_shape = modeled != nullptr ? modeled->shape : nullptr;
      // Sensitive shapes (passwords, secret keys) and codes CloudTrail leaves out.
      if (IsSecret(member.key()) || (member_shape != nullptr && member_shape->sensitive)) continue;
      out.emplace(LowerFirst(member.key()), ToEventFields(member.value(), member_shape, sp));
    }
    return out;
  }
  if (value.is_array()) {
    const model::Shape* item_shape =
        shape != nullptr && shape->type == model::ShapeType::kList ? shape->member.shape : nullptr;
    boost::json::array out(sp);
    out.reserve(value.as_array().size());
    for (const boost::json::value& item : value.as_array()) {
      out.push_back(ToEventFields(item, item_shape, sp));
    }
    return out;
  }
  return boost::json::value(value, sp);
}

std::vector<std::string> OtherAccountsNamed(const Json& input, std::string_view caller_account) {
  std::vector<std::string> accounts;
  for (const auto& member : input) {
    if (!EndsWith(member.key(), "Arn") || !member.value().is_string()) continue;
    std::optional<ArnParts> parts = SplitArn(member.value().as_string());
    if (!parts.has_value() || parts->account.empty()) continue;
    if (parts->account != caller_account && parts->account != "aws") {
      accounts.emplace_back(parts->account);
    }
  }
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

Json ApiCallRecord(const gateway::CallRecord& call, std::string_view event_id,
                   std::string_view recipient_account, const boost::json::storage_ptr& sp) {
  const bool read_only = IsReadOnlyEvent(call.service, call.operation);
  const std::string* agent = call.http.Header("user-agent");
  Json record({{"eventVersion", kEventVersion},
               {"userIdentity", UserIdentityOf(call.caller, sp)},
               {"eventTime", FormatIso8601Seconds(call.time)},
               {"eventSource", EventSourceOf(call.service)},
               {"eventName", call.operation.name},
               {"awsRegion", EventRegionOf(call.service, call.region)},
               {"sourceIPAddress", call.http.remote_address},
               {"userAgent", agent != nullptr ? std::string_view(*agent) : std::string_view()}},
              sp);
  if (!call.outcome.ok()) {
    protocol::AwsError error = protocol::ErrorFromStatus(&call.service, call.outcome.status());
    record["errorCode"] = error.code;
    record["errorMessage"] = error.message;
  }
  boost::json::value parameters = ToEventFields(call.input, call.operation.input, sp);
  record["requestParameters"] =
      parameters.as_object().empty() ? boost::json::value(nullptr) : std::move(parameters);
  // CloudTrail writes no response for reads (STS's are recorded: the credentials it issued) nor
  // for failed calls.
  boost::json::value response = nullptr;
  if (call.outcome.ok() && !call.outcome->empty() &&
      (!read_only || call.service.signing_name == "sts")) {
    response = ToEventFields(*call.outcome, call.operation.output, sp);
  }
  record["responseElements"] = std::move(response);
  record["requestID"] = call.request_id;
  record["eventID"] = event_id;
  record["readOnly"] = read_only;
  boost::json::array resources = ResourcesOf(call.input, sp);
  if (!resources.empty()) record["resources"] = std::move(resources);
  record["eventType"] = "AwsApiCall";
  record["managementEvent"] = true;
  record["recipientAccountId"] = recipient_account;
  record["eventCategory"] = "Management";
  return record;
}

}  // namespace orgtwin::services::trail
