#include "services/trail/lookup_events.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include "repo/trail_repository.h"
#include "services/trail/event_record.h"
#include "services/trail/stored_event.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

constexpr int64_t kMaxResults = 50;

Status Invalid(std::string_view code, std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode(std::string(code));
}

std::string Field(const boost::json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// What LookupEvents shows as Username: the IAM user's name, the role session's name, "root".
std::string UsernameOf(const boost::json::object& record) {
  const boost::json::value* identity = record.if_contains("userIdentity");
  if (identity == nullptr || !identity->is_object()) return "";
  const boost::json::object& id = identity->as_object();
  std::string type = Field(id.if_contains("type"));
  if (type == "Root") return "root";
  std::string name = Field(id.if_contains("userName"));
  if (!name.empty()) return name;
  std::string arn = Field(id.if_contains("arn"));
  size_t slash = arn.rfind('/');
  return slash == std::string::npos ? std::string() : arn.substr(slash + 1);
}

// A resource the event names (the record's `resources`: type and ARN), with its name (the ARN's
// last segment) as LookupEvents lists it.
struct Resource {
  std::string type;
  std::string arn;
  std::string name;
};

// The event's resources: those it lists (`resources`: type and ARN, named by the ARN's last
// segment) and the IAM entities its requestParameters name (userName, roleName, groupName), as
// CloudTrail's event history derives them.
std::vector<Resource> ResourcesOf(const boost::json::object& record) {
  std::vector<Resource> out;
  const boost::json::value* list = record.if_contains("resources");
  if (list != nullptr && list->is_array()) {
    for (const boost::json::value& item : list->as_array()) {
      if (!item.is_object()) continue;
      Resource resource{Field(item.as_object().if_contains("type")),
                        Field(item.as_object().if_contains("ARN")), ""};
      size_t cut = resource.arn.find_last_of("/:");
      resource.name = cut == std::string::npos ? resource.arn : resource.arn.substr(cut + 1);
      out.push_back(std::move(resource));
    }
  }
  const boost::json::value* parameters = record.if_contains("requestParameters");
  if (parameters != nullptr && parameters->is_object()) {
    static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
        {"userName", "AWS::IAM::User"},
        {"roleName", "AWS::IAM::Role"},
        {"groupName", "AWS::IAM::Group"}};
    for (const auto& [member, type] : kNamed) {
      std::string name = Field(parameters->as_object().if_contains(member));
      if (!name.empty()) out.push_back(Resource{std::string(type), "", std::move(name)});
    }
  }
  return out;
}

boost::json::array ResourceList(const boost::json::object& record) {
  boost::json::array out;
  for (const Resource& resource : ResourcesOf(record)) {
    out.push_back(Json{{"ResourceType", resource.type}, {"ResourceName", resource.name}});
  }
  return out;
}

struct Lookup {
  std::string key;  // "" = no attribute
  std::string value;
};

Result<Lookup> ParseLookup(const Json& input) {
  Lookup lookup;
  const boost::json::value* list = input.if_contains("LookupAttributes");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) return lookup;
  if (list->as_array().size() > 1) {
    return Invalid("InvalidLookupAttributesException",
                   "You cannot specify more than one lookup attribute.");
  }
  const boost::json::value& attribute = list->as_array().front();
  if (!attribute.is_object()) {
    return Invalid("InvalidLookupAttributesException", "A lookup attribute is malformed.");
  }
  lookup.key = Field(attribute.as_object().if_contains("AttributeKey"));
  lookup.value = Field(attribute.as_object().if_contains("AttributeValue"));
  return lookup;
}

bool Matches(const Lookup& lookup, const repo::TrailEventRow& row,
             const boost::json::object& record) {
  if (lookup.key.empty()) return true;
  if (lookup.key == "EventId") return row.event_id == lookup.value;
  if (lookup.key == "EventName") return row.event_name == lookup.value;
  if (lookup.key == "EventSource") return row.event_source == lookup.value;
  if (lookup.key == "Username") return UsernameOf(record) == lookup.value;
  if (lookup.key == "ReadOnly") {
    const boost::json::value* read_only = record.if_contains("readOnly");
    bool value = read_only != nullptr && read_only->is_bool() && read_only->as_bool();
    return (value ? "true" : "false") == lookup.value;
  }
  if (lookup.key == "AccessKeyId") {
    const boost::json::value* identity = record.if_contains("userIdentity");
    return identity != nullptr && identity->is_object() &&
           Field(identity->as_object().if_contains("accessKeyId")) == lookup.value;
  }
  if (lookup.key == "ResourceType" || lookup.key == "ResourceName") {
    for (const Resource& resource : ResourcesOf(record)) {
      if (lookup.key == "ResourceType"
              ? resource.type == lookup.value
              : resource.name == lookup.value || resource.arn == lookup.value) {
        return true;
      }
    }
  }
  return false;
}

Json EventOf(const repo::TrailEventRow& row, const boost::json::object& record) {
  const boost::json::value* read_only = record.if_contains("readOnly");
  Json event{
      {"EventId", row.event_id},
      {"EventName", row.event_name},
      {"ReadOnly",
       read_only != nullptr && read_only->is_bool() && read_only->as_bool() ? "true" : "false"},
      {"EventTime", row.event_time},
      {"EventSource", row.event_source},
      {"Username", UsernameOf(record)},
      {"Resources", ResourceList(record)},
      {"CloudTrailEvent", RecordText(row, record)}};
  const boost::json::value* identity = record.if_contains("userIdentity");
  if (identity != nullptr && identity->is_object()) {
    std::string key = Field(identity->as_object().if_contains("accessKeyId"));
    if (!key.empty()) event["AccessKeyId"] = key;
  }
  return event;
}

std::string TokenOf(const repo::TrailEventCursor& cursor) {
  char time[32];
  std::snprintf(time, sizeof(time), "%.17g", cursor.event_time);  // round-trips exactly
  return std::string(time) + "/" + cursor.event_id;
}

std::optional<repo::TrailEventCursor> ParseToken(std::string_view token) {
  size_t slash = token.find('/');
  if (slash == std::string_view::npos || slash + 1 == token.size()) return std::nullopt;
  double time = 0;
  auto [end_ptr, ec] = std::from_chars(token.data(), token.data() + slash, time);
  if (ec != std::errc() || end_ptr != token.data() + slash) return std::nullopt;
  return repo::TrailEventCursor{time, std::string(token.substr(slash + 1))};
}

Result<Json> LookupEvents(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Lookup lookup, ParseLookup(input));
  const double now = ToEpochSeconds(ctx.now);
  double start = now - kEventHistorySeconds;
  double end = now;
  if (const auto* v = input.if_contains("StartTime"); v != nullptr && v->is_number()) {
    start = std::max(start, v->to_number<double>());
  }
  if (const auto* v = input.if_contains("EndTime"); v != nullptr && v->is_number()) {
    end = v->to_number<double>();
  }
  if (start > end) {
    return Invalid("InvalidTimeRangeException",
                   "Start time must be earlier than or equal to end time.");
  }
  int64_t max_results = kMaxResults;
  if (const auto* v = input.if_contains("MaxResults"); v != nullptr && v->is_number()) {
    max_results = v->to_number<int64_t>();
    if (max_results < 1 || max_results > kMaxResults) {
      return Invalid("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
    }
  }
  // AWS-COMPAT: the token is opaque on AWS; here it is the position after the last event
  // returned, "<event time>/<event ID>" (newer events arriving between pages do not shift it).
  std::optional<repo::TrailEventCursor> after;
  if (const auto* v = input.if_contains("NextToken"); v != nullptr && v->is_string()) {
    after = ParseToken(v->as_string());
    if (!after.has_value()) return Invalid("InvalidNextTokenException", "Invalid NextToken.");
  }
  boost::json::array events;
  std::optional<repo::TrailEventCursor> last;  // of the last event returned
  bool more = false;
  // Newest first, a chunk at a time, until a page and one more match are found: the attributes
  // other than EventName are read from the record, so a chunk may match fewer than it holds.
  constexpr size_t kChunk = 256;
  while (!more) {
    OT_ASSIGN_OR_RETURN(auto rows, repo::TrailEventsNewestFirst(
                                       ctx.tx, ctx.caller.account_id, start, end, after,
                                       lookup.key == "EventName" ? lookup.value : "", kChunk));
    for (const repo::TrailEventRow& row : rows) {
      after = repo::TrailEventCursor{row.event_time, row.event_id};
      Result<boost::json::object> parsed = RecordOfRow(row);
      if (!parsed.ok()) continue;
      const boost::json::object& record = *parsed;
      if (!Matches(lookup, row, record)) continue;
      if (static_cast<int64_t>(events.size()) == max_results) {
        more = true;
        break;
      }
      events.emplace_back(EventOf(row, record));
      last = repo::TrailEventCursor{row.event_time, row.event_id};
    }
    if (rows.size() < kChunk) break;
  }
  Json out{{"Events", events}};
  if (more && last.has_value()) out["NextToken"] = TokenOf(*last);
  return out;
}

constexpr gateway::HandlerEntry kLookupHandlers[] = {
    {"LookupEvents", LookupEvents},
};

}  // namespace

Status RegisterTrailHandlers(gateway::Gateway& gateway) {
  return gateway.RegisterAll("cloudtrail", kLookupHandlers);
}

}  // namespace orgtwin::services::trail
