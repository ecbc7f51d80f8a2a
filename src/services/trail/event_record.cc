#include "services/trail/event_record.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>
#include <unordered_map>

#include "common/arn.h"
#include "common/clock.h"
#include "gateway/operation_actions.h"
#include "protocol/protocol.h"
#include "services/identity/session_token.h"
#include "services/trail/stored_event.h"

namespace orgtwin::services::trail {
namespace {

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

// What `serializer` (just reset) writes, appended to `out`.
void Drain(boost::json::serializer& serializer, std::string& out) {
  char buffer[1024];
  while (!serializer.done()) {
    const boost::json::string_view chunk = serializer.read(buffer, sizeof(buffer));
    out.append(chunk.data(), chunk.size());
  }
}

// True when JSON writes `text` between quotes as it is (no quote, backslash or control byte).
bool NeedsNoEscape(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

// The serializer's text of `value`, appended to `out` (one serializer per thread: no tree, no
// temporaries).
void AppendSerialized(const boost::json::value& value, std::string& out) {
  thread_local boost::json::serializer serializer;
  serializer.reset(&value);
  Drain(serializer, out);
}

// Most strings of an event (names, ARNs, IDs) need no escape: those are copied between quotes,
// the rest go through Boost.JSON's serializer, so the text is always the serializer's.
void AppendJsonString(std::string_view text, std::string& out) {
  if (NeedsNoEscape(text)) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  thread_local boost::json::serializer serializer;
  serializer.reset(boost::json::string_view(text.data(), text.size()));
  Drain(serializer, out);
}

// JSON text of `value` appended to `out`: strings, integers, booleans and null directly, the
// rest (doubles, whose form is the serializer's) through the serializer.
void AppendJson(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::string:
      AppendJsonString(value.get_string(), out);
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::int64:
    case boost::json::kind::uint64: {
      char digits[24];
      const auto [end, ec] =
          value.is_int64() ? std::to_chars(digits, digits + sizeof(digits), value.get_int64())
                           : std::to_chars(digits, digits + sizeof(digits), value.get_uint64());
      out.append(digits, end);
      return;
    }
    default:
      AppendSerialized(value, out);
  }
}

// `"key":` with CloudTrail's member name (the API's with a lower-case first letter). Lowering
// the first character after the quote is enough: an escape starts with a backslash, which
// tolower leaves alone.
void AppendMemberName(std::string_view name, std::string& out, bool lower_first) {
  const size_t first = out.size() + 1;
  AppendJsonString(name, out);
  if (lower_first && !name.empty()) {
    out[first] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[first])));
  }
  out += ':';
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
  std::string out(kMonths[static_cast<size_t>(utc.tm_mon) % 12]);
  auto number = [&out](int value, bool two_digits) {
    if (two_digits && value < 10) out += '0';
    out += std::to_string(value);
  };
  out += ' ';
  number(utc.tm_mday, false);
  out += ", ";
  number(utc.tm_year + 1900, false);
  out += ' ';
  number(hour12, false);
  out += ':';
  number(utc.tm_min, true);
  out += ':';
  number(utc.tm_sec, true);
  out += utc.tm_hour < 12 ? " AM" : " PM";
  return out;
}

void AppendEventFields(const boost::json::value& value, const model::Shape* shape, std::string& out,
                       bool response);

// `object` of `shape` (may be null) as CloudTrail writes it (AppendEventFields). Takes the
// object itself: the call's input and output are objects, and a json::value made of one would
// be a copy. `response`: in responseElements, where an issued session token is stored as its
// seed (stored_event.h).
void AppendEventObject(const boost::json::object& object, const model::Shape* shape,
                       std::string& out, bool response) {
  const bool map = shape != nullptr && shape->type == model::ShapeType::kMap;
  out += '{';
  bool first = true;
  for (const auto& member : object) {
    const model::Shape* member_shape = nullptr;
    if (map) {  // a map's keys are data, not member names
      member_shape = shape->value.shape;
    } else {
      const model::Member* modeled = shape != nullptr && shape->type == model::ShapeType::kStructure
                                         ? shape->FindMember(member.key())
                                         : nullptr;
      member_shape = modeled != nullptr ? modeled->shape : nullptr;
      // Sensitive shapes (passwords, secret keys) and codes CloudTrail leaves out.
      if (IsSecret(member.key()) || (member_shape != nullptr && member_shape->sensitive)) {
        continue;
      }
    }
    if (!first) out += ',';
    first = false;
    AppendMemberName(member.key(), out, !map);
    if (response && !map && member.key() == "SessionToken" && member.value().is_string()) {
      if (std::optional<std::string_view> seed = SeedOfSessionToken(member.value().get_string())) {
        out += '"';
        out += kSessionTokenSeedMark;
        out += *seed;
        out += '"';
        continue;
      }
    }
    AppendEventFields(member.value(), member_shape, out, response);
  }
  out += '}';
}

// `value`, an input or output of `shape` (may be null), as CloudTrail writes it: member names
// with a lower-case first letter (recursively; map keys unchanged), timestamps in CloudTrail's
// form, and the secret members (sensitive shapes, one-time codes) left out.
void AppendEventFields(const boost::json::value& value, const model::Shape* shape, std::string& out,
                       bool response) {
  if (shape != nullptr && shape->type == model::ShapeType::kTimestamp && value.is_number()) {
    AppendJsonString(EventTimestamp(value.to_number<double>()), out);
    return;
  }
  if (value.is_object()) {
    AppendEventObject(value.get_object(), shape, out, response);
    return;
  }
  if (value.is_array()) {
    const model::Shape* item_shape =
        shape != nullptr && shape->type == model::ShapeType::kList ? shape->member.shape : nullptr;
    out += '[';
    bool first = true;
    for (const boost::json::value& item : value.get_array()) {
      if (!first) out += ',';
      first = false;
      AppendEventFields(item, item_shape, out, response);
    }
    out += ']';
    return;
  }
  AppendJson(value, out);
}

// The resources a call names by ARN (RoleArn, TopicArn, PolicyArn, ...), as CloudTrail lists
// them in the event ("" when none). Resources named by name (UserName, ...) are not written:
// LookupEvents derives them from requestParameters (lookup_events.cc), as CloudTrail's event
// history does.
std::string ResourcesJson(const boost::json::object& input) {
  std::string out;
  for (const auto& member : input) {
    if (!member.key().ends_with("Arn") || !member.value().is_string()) continue;
    std::string_view arn = member.value().as_string();
    std::optional<ArnParts> parts = SplitArn(arn);
    if (!parts.has_value() || parts->account.empty()) continue;
    std::string_view type = ResourceTypeOf(*parts);
    if (type.empty()) continue;
    out += out.empty() ? "[" : ",";
    out += "{\"accountId\":";
    AppendJsonString(parts->account, out);
    out += ",\"type\":";
    AppendJsonString(type, out);
    out += ",\"ARN\":";
    AppendJsonString(arn, out);
    out += '}';
  }
  if (!out.empty()) out += ']';
  return out;
}

boost::json::object SessionContextOf(const auth::Principal& caller) {
  boost::json::object attributes{{"creationDate", FormatIso8601Seconds(caller.token_issue_time)},
                                 {"mfaAuthenticated", caller.mfa_authenticated ? "true" : "false"}};
  boost::json::object context;
  if (caller.type == auth::PrincipalType::kAssumedRole && caller.session != nullptr) {
    context["sessionIssuer"] = boost::json::object{{"type", "Role"},
                                                   {"principalId", caller.session->role_id},
                                                   {"arn", caller.session->role_arn},
                                                   {"accountId", caller.account_id},
                                                   {"userName", caller.name}};
  }
  if (caller.session != nullptr && !caller.session->source_identity.empty()) {
    context["sourceIdentity"] = caller.session->source_identity;
  }
  context["attributes"] = std::move(attributes);
  return context;
}

// CloudTrail's userIdentity of `caller`.
boost::json::object UserIdentityOf(const auth::Principal& caller) {
  boost::json::object identity{{"type", auth::PrincipalTypeName(caller.type)},
                               {"principalId", caller.user_id},
                               {"arn", caller.arn},
                               {"accountId", caller.account_id}};
  if (!caller.access_key_id.empty()) identity["accessKeyId"] = caller.access_key_id;
  if (caller.type == auth::PrincipalType::kUser) identity["userName"] = caller.name;
  if (caller.temporary) identity["sessionContext"] = SessionContextOf(caller);
  return identity;
}

// AWS-COMPAT: the unsigned federated calls have no AWS caller; CloudTrail names the IdP's user
// (CloudTrail user guide, "userIdentity element": SAMLUser with principalId
// "<NameQualifier>:<Subject>", WebIdentityUser with "<provider>:<audience>:<subject>") and
// records the event in the role's account. The provider of an IAM OIDC provider's token is its
// ARN, as EKS's service-account events show it (not confirmed in AWS's reference). Built from the
// call's answer, so only for a call that succeeded; a failed one keeps the empty caller.
std::optional<boost::json::object> FederatedIdentityOf(const gateway::CallRecord& call) {
  if (call.service.signing_name != "sts" || !call.outcome.ok()) return std::nullopt;
  auto text = [&](std::string_view member) {
    auto it = call.outcome->find(member);
    return it != call.outcome->end() && it->value().is_string()
               ? std::string(it->value().get_string())
               : std::string();
  };
  if (call.operation.name == "AssumeRoleWithSAML") {
    const std::string qualifier = text("NameQualifier");
    return boost::json::object{{"type", "SAMLUser"},
                               {"principalId", qualifier + ":" + text("Subject")},
                               {"userName", text("Subject")},
                               {"identityProvider", qualifier}};
  }
  if (call.operation.name == "AssumeRoleWithWebIdentity") {
    // Google and Cognito are named by host; an IAM OIDC provider by its ARN in the role's account.
    std::string provider = text("Provider");
    if (const size_t scheme = provider.find("://"); scheme != std::string::npos) {
      provider.erase(0, scheme + 3);
    }
    auto role = call.input.find("RoleArn");
    if (provider != "accounts.google.com" && provider != "cognito-identity.amazonaws.com" &&
        role != call.input.end() && role->value().is_string()) {
      provider =
          "arn:aws:iam::" + ArnAccount(role->value().get_string()) + ":oidc-provider/" + provider;
    }
    const std::string subject = text("SubjectFromWebIdentityToken");
    return boost::json::object{{"type", "WebIdentityUser"},
                               {"principalId", provider + ":" + text("Audience") + ":" + subject},
                               {"userName", subject},
                               {"identityProvider", provider}};
  }
  return std::nullopt;
}

// The caller part of a call's event (stored_event.h: userIdentity, awsRegion, sourceIPAddress,
// userAgent, in that order) and its key. A client makes many calls with the same caller part, so
// each thread keeps the last ones it built, by the facts they are built from.
struct CallerPart {
  std::string text;
  std::string key;
};
const CallerPart& CallerPartOf(const gateway::CallRecord& call, std::string_view region,
                               std::string_view user_agent,
                               const std::optional<boost::json::object>& federated) {
  const auth::Principal& caller = call.caller;
  std::string facts;
  facts.reserve(512);
  if (federated.has_value()) facts = boost::json::serialize(*federated) + '\0';
  for (std::string_view part :
       {std::string_view(auth::PrincipalTypeName(caller.type)), std::string_view(caller.user_id),
        std::string_view(caller.arn), std::string_view(caller.account_id),
        std::string_view(caller.access_key_id), std::string_view(caller.name), region,
        std::string_view(call.http.remote_address), user_agent}) {
    facts.append(part);
    facts += '\0';
  }
  if (caller.temporary) {
    facts += caller.mfa_authenticated ? 'M' : 'm';
    facts += std::to_string(caller.token_issue_time.time_since_epoch().count());
    if (caller.session != nullptr) {
      for (const std::string* part : {&caller.session->role_id, &caller.session->role_arn,
                                      &caller.session->source_identity}) {
        facts += '\0';
        facts += *part;
      }
    }
  }
  thread_local std::unordered_map<std::string, CallerPart> built;
  auto found = built.find(facts);
  if (found != built.end()) return found->second;
  if (built.size() >= 4096) built.clear();  // bounded: a new client starts the set over
  const boost::json::value identity =
      federated.has_value() ? boost::json::value(*federated) : UserIdentityOf(caller);
  CallerPart part;
  part.text = "{\"userIdentity\":";
  AppendJson(identity, part.text);
  part.text += ",\"awsRegion\":";
  AppendJsonString(region, part.text);
  part.text += ",\"sourceIPAddress\":";
  AppendJsonString(call.http.remote_address, part.text);
  part.text += ",\"userAgent\":";
  AppendJsonString(user_agent, part.text);
  part.text += '}';
  part.key = CallerKeyOf(part.text);
  return built.emplace(std::move(facts), std::move(part)).first->second;
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

std::vector<repo::TrailEventRow> ApiCallRows(const gateway::CallRecord& call, IdGenerator& ids) {
  const bool read_only = IsReadOnlyEvent(call.service, call.operation);
  const std::string* agent = call.http.Header("user-agent");
  const std::string region = EventRegionOf(call.service, call.region);
  const std::optional<boost::json::object> federated = FederatedIdentityOf(call);
  const CallerPart& caller = CallerPartOf(call, region, agent != nullptr ? *agent : "", federated);
  // The account the event belongs to: the caller's, or for a federated call the role's.
  std::string event_account = call.caller.account_id;
  if (auto role = call.input.find("RoleArn");
      federated.has_value() && role != call.input.end() && role->value().is_string()) {
    event_account = ArnAccount(role->value().get_string());
  }
  const double time = ToEpochSeconds(call.time);

  // The fields the row keeps (stored_event.h), in CloudTrail's order. The eventVersion,
  // eventType, managementEvent and eventCategory of an API call are the reader's constants, and
  // eventTime, eventSource, eventName, eventID and recipientAccountId are the row's columns.
  std::string rest = "{";
  // The reader gives eventTime back from the column (EventTimeOfColumn: its whole seconds, as
  // FormatIso8601Seconds takes them); kept in the row only when those are not the call's.
  const std::time_t call_seconds = std::chrono::system_clock::to_time_t(call.time);
  if (static_cast<double>(call_seconds) != std::floor(time)) {
    rest += "\"eventTime\":";
    AppendJsonString(FormatIso8601Seconds(call.time), rest);
    rest += ',';
  }
  if (!call.outcome.ok()) {
    protocol::AwsError error = protocol::ErrorFromStatus(&call.service, call.outcome.status());
    rest += "\"errorCode\":";
    AppendJsonString(error.code, rest);
    rest += ",\"errorMessage\":";
    AppendJsonString(error.message, rest);
    rest += ',';
  }
  rest += "\"requestParameters\":";
  const size_t parameters_at = rest.size();
  AppendEventObject(call.input, call.operation.input, rest, /*response=*/false);
  if (rest.size() - parameters_at == 2) rest.replace(parameters_at, 2, "null");  // "{}"
  // CloudTrail writes no response for reads (STS's are recorded: the credentials it issued) nor
  // for failed calls.
  rest += ",\"responseElements\":";
  if (call.outcome.ok() && !call.outcome->empty() &&
      (!read_only || call.service.signing_name == "sts")) {
    AppendEventObject(*call.outcome, call.operation.output, rest, /*response=*/true);
  } else {
    rest += "null";
  }
  rest += ",\"requestID\":";
  AppendJsonString(call.request_id, rest);
  rest += read_only ? ",\"readOnly\":true" : ",\"readOnly\":false";
  const std::string resources = ResourcesJson(call.input);
  if (!resources.empty()) {
    rest += ",\"resources\":";
    rest += resources;
  }

  const std::string event_id = ids.SortableUuid();
  const std::string event_source = EventSourceOf(call.service);
  auto row_of = [&](const std::string& id, std::string_view account, std::string_view record) {
    return repo::TrailEventRow{id,
                               std::string(account),
                               time,
                               event_source,
                               std::string(call.operation.name),
                               PackedRecord(record),
                               caller.key,
                               caller.text};
  };
  // The resource owners' copies of a cross-account call, tied to the caller's by sharedEventID.
  std::vector<std::string> others;
  for (const auto& member : call.input) {
    if (!member.key().ends_with("Arn") || !member.value().is_string()) continue;
    std::optional<ArnParts> parts = SplitArn(member.value().as_string());
    if (!parts.has_value() || parts->account.empty()) continue;
    if (parts->account != event_account && parts->account != "aws") {
      others.emplace_back(parts->account);
    }
  }
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  std::vector<repo::TrailEventRow> rows;
  rows.reserve(1 + others.size());
  if (others.empty()) {
    rows.push_back(row_of(event_id, event_account, rest + "}"));
    return rows;
  }
  std::string shared = ",\"sharedEventID\":";
  AppendJsonString(event_id, shared);
  shared += '}';
  rows.push_back(row_of(event_id, event_account, rest + shared));
  for (const std::string& account : others) {
    rows.push_back(row_of(ids.SortableUuid(), account, rest + shared));
  }
  return rows;
}

}  // namespace orgtwin::services::trail
