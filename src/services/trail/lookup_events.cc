#include "services/trail/lookup_events.h"

#include <algorithm>
#include <charconv>

#include "repo/trail_repository.h"

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// CloudTrail keeps 90 days of management events in the event history.
constexpr double kHistorySeconds = 90.0 * 86400.0;
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
  return false;  // ResourceType / ResourceName: no recorded event names resources yet
}

Result<Json> LookupEvents(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Lookup lookup, ParseLookup(input));
  const double now = ToEpochSeconds(ctx.now);
  double start = now - kHistorySeconds;
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
  // AWS-COMPAT: the token is opaque on AWS; here it is the offset into the same query.
  size_t offset = 0;
  if (const auto* v = input.if_contains("NextToken"); v != nullptr && v->is_string()) {
    std::string_view token = v->as_string();
    auto [end_ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), offset);
    if (ec != std::errc() || end_ptr != token.data() + token.size()) {
      return Invalid("InvalidNextTokenException", "Invalid NextToken.");
    }
  }
  OT_ASSIGN_OR_RETURN(auto rows,
                      repo::TrailEventsOf(ctx.tx, ctx.caller.account_id, start,
                                          lookup.key == "EventName" ? lookup.value : ""));
  std::reverse(rows.begin(), rows.end());  // newest first
  boost::json::array events;
  size_t matched = 0;
  bool more = false;
  for (const repo::TrailEventRow& row : rows) {
    if (row.event_time > end) continue;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(row.record, ec);
    if (ec || !parsed.is_object()) continue;
    const boost::json::object& record = parsed.as_object();
    if (!Matches(lookup, row, record)) continue;
    if (matched++ < offset) continue;
    if (static_cast<int64_t>(events.size()) == max_results) {
      more = true;
      break;
    }
    const boost::json::value* read_only = record.if_contains("readOnly");
    Json event{
        {"EventId", row.event_id},
        {"EventName", row.event_name},
        {"ReadOnly",
         read_only != nullptr && read_only->is_bool() && read_only->as_bool() ? "true" : "false"},
        {"EventTime", row.event_time},
        {"EventSource", row.event_source},
        {"Username", UsernameOf(record)},
        {"Resources", boost::json::array()},
        {"CloudTrailEvent", row.record}};
    const boost::json::value* identity = record.if_contains("userIdentity");
    if (identity != nullptr && identity->is_object()) {
      std::string key = Field(identity->as_object().if_contains("accessKeyId"));
      if (!key.empty()) event["AccessKeyId"] = key;
    }
    events.emplace_back(std::move(event));
  }
  Json out{{"Events", events}};
  if (more) out["NextToken"] = std::to_string(offset + events.size());
  return out;
}

constexpr gateway::HandlerEntry kHandlers[] = {
    {"LookupEvents", LookupEvents},
};

}  // namespace

Status RegisterTrailHandlers(gateway::Gateway& gateway) {
  return gateway.RegisterAll("cloudtrail", kHandlers);
}

}  // namespace orgtwin::services::trail
