#include "services/events/events_handlers.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/json_fields.h"
#include "repo/events_repository.h"
#include "services/events/dispatch.h"

namespace orgtwin::services::events {
namespace {

using Json = boost::json::object;

constexpr std::string_view kDefaultBus = "default";
constexpr size_t kMaxTargetsPerRule = 5;
constexpr size_t kMaxPageSize = 100;

Status Error(std::string_view code, ErrorCode category, std::string message) {
  return Status(category, std::move(message)).WithAwsCode(std::string(code));
}
Status Validation(std::string message) {
  return Error("ValidationException", ErrorCode::kInvalidInput, std::move(message));
}
Status RuleNotFound(std::string_view name) {
  return Error("ResourceNotFoundException", ErrorCode::kNotFound,
               "Rule " + std::string(name) + " does not exist on EventBus default.");
}

using json_fields::Str;

std::optional<std::string> OptionalString(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::string BusArn(const gateway::RequestContext& ctx) {
  return "arn:aws:events:" + ctx.region + ":" + ctx.caller.account_id + ":event-bus/default";
}
std::string RuleArn(const gateway::RequestContext& ctx, std::string_view name) {
  return "arn:aws:events:" + ctx.region + ":" + ctx.caller.account_id + ":rule/" +
         std::string(name);
}

// The twin serves the default bus only: EventBusName, when given, must name it.
Status CheckBus(const gateway::RequestContext& ctx, const Json& input) {
  std::optional<std::string> bus = OptionalString(input, "EventBusName");
  if (!bus || *bus == kDefaultBus || *bus == BusArn(ctx)) return Status::Ok();
  std::string name = bus->substr(bus->rfind('/') == std::string::npos ? 0 : bus->rfind('/') + 1);
  return Error("ResourceNotFoundException", ErrorCode::kNotFound,
               "Event bus " + name + " does not exist.");
}

Result<repo::EventsRuleRow> RequireRule(gateway::RequestContext& ctx, std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rule,
                      repo::FindEventsRule(ctx.tx, ctx.caller.account_id, ctx.region, name));
  if (!rule) return RuleNotFound(name);
  return std::move(*rule);
}

// ---- schedules -------------------------------------------------------------------------------

bool ValidRate(std::string_view body) {
  size_t space = body.find(' ');
  if (space == std::string_view::npos || body.find(' ', space + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view number = body.substr(0, space);
  std::string_view unit = body.substr(space + 1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (ec != std::errc() || end != number.data() + number.size() || n <= 0) return false;
  bool singular = unit == "minute" || unit == "hour" || unit == "day";
  bool plural = unit == "minutes" || unit == "hours" || unit == "days";
  // AWS: a value of 1 takes the singular unit, any other the plural.
  return n == 1 ? singular : plural;
}

bool ValidCron(std::string_view body) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < body.size()) {
    size_t space = body.find(' ', at);
    if (space == std::string_view::npos) space = body.size();
    if (space > at) fields.push_back(body.substr(at, space - at));
    at = space + 1;
  }
  // Minutes, hours, day-of-month, month, day-of-week, year.
  if (fields.size() != 6) return false;
  for (std::string_view f : fields) {
    for (char c : f) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                c == ',' || c == '-' || c == '*' || c == '/' || c == '?' || c == '#';
      if (!ok) return false;
    }
  }
  // AWS: one of day-of-month and day-of-week must be `?`.
  return (fields[2] == "?") != (fields[4] == "?");
}

// AWS-COMPAT: schedules are validated and stored; the twin does not run them (no target of
// the twin acts on a timer).
bool ValidSchedule(std::string_view expression) {
  if (expression.ends_with(")")) {
    if (expression.starts_with("rate("))
      return ValidRate(expression.substr(5, expression.size() - 6));
    if (expression.starts_with("cron("))
      return ValidCron(expression.substr(5, expression.size() - 6));
  }
  return false;
}

// ---- rules -----------------------------------------------------------------------------------

Json RuleJson(const repo::EventsRuleRow& rule) {
  Json out{
      {"Name", rule.name}, {"Arn", rule.arn}, {"State", rule.state}, {"EventBusName", kDefaultBus}};
  if (rule.event_pattern) out["EventPattern"] = *rule.event_pattern;
  if (rule.schedule_expression) out["ScheduleExpression"] = *rule.schedule_expression;
  if (rule.description) out["Description"] = *rule.description;
  if (rule.role_arn) out["RoleArn"] = *rule.role_arn;
  return out;
}

Status PutTags(gateway::RequestContext& ctx, std::string_view arn, const Json& input) {
  const boost::json::value* tags = input.if_contains("Tags");
  if (tags == nullptr || !tags->is_array()) return Status::Ok();
  for (const boost::json::value& tag : tags->get_array()) {
    if (!tag.is_object()) continue;
    OT_RETURN_IF_ERROR(repo::PutEventsTag(ctx.tx, arn, Str(tag.get_object(), "Key"),
                                          Str(tag.get_object(), "Value")));
  }
  return Status::Ok();
}

Result<Json> PutRule(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Name");
  std::optional<std::string> pattern = OptionalString(input, "EventPattern");
  std::optional<std::string> schedule = OptionalString(input, "ScheduleExpression");
  if (!pattern && !schedule) {
    return Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  if (schedule && !ValidSchedule(*schedule)) {
    return Validation("Parameter ScheduleExpression is not valid.");
  }
  if (pattern) OT_RETURN_IF_ERROR(CompiledPattern(*pattern).status());
  OT_ASSIGN_OR_RETURN(auto existing,
                      repo::FindEventsRule(ctx.tx, ctx.caller.account_id, ctx.region, name));
  // AWS: PutRule replaces the rule with what this call specifies; omitted fields are not kept
  // (State defaults to ENABLED again).
  repo::EventsRuleRow rule{ctx.caller.account_id,
                           ctx.region,
                           name,
                           RuleArn(ctx, name),
                           pattern,
                           schedule,
                           OptionalString(input, "State").value_or("ENABLED"),
                           OptionalString(input, "Description"),
                           OptionalString(input, "RoleArn"),
                           existing ? existing->created_at : ToEpochSeconds(ctx.now)};
  OT_RETURN_IF_ERROR(repo::UpsertEventsRule(ctx.tx, rule));
  RulesChanged();
  ctx.tx.AfterCommit(RulesChanged);
  OT_RETURN_IF_ERROR(PutTags(ctx, rule.arn, input));
  return Json{{"RuleArn", rule.arn}};
}

Result<Json> DescribeRule(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  OT_ASSIGN_OR_RETURN(repo::EventsRuleRow rule, RequireRule(ctx, Str(input, "Name")));
  Json out = RuleJson(rule);
  out["CreatedBy"] = rule.account_id;
  return out;
}

Result<size_t> PageSize(const Json& input) {
  const boost::json::value* v = input.if_contains("Limit");
  if (v == nullptr || !v->is_number()) return kMaxPageSize;
  return static_cast<size_t>(std::clamp<int64_t>(v->to_number<int64_t>(), 1, kMaxPageSize));
}

// AWS-COMPAT: AWS's NextToken is opaque; the twin's is the last name of the page (listings are
// sorted by name), or the offset into a rule's targets.
Result<Json> ListRules(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  OT_ASSIGN_OR_RETURN(size_t limit, PageSize(input));
  OT_ASSIGN_OR_RETURN(auto rules, repo::ListEventsRules(ctx.tx, ctx.caller.account_id, ctx.region,
                                                        Str(input, "NamePrefix"),
                                                        Str(input, "NextToken"), limit + 1));
  boost::json::array out;
  for (size_t i = 0; i < rules.size() && i < limit; ++i) out.emplace_back(RuleJson(rules[i]));
  Json result{{"Rules", std::move(out)}};
  if (rules.size() > limit) result["NextToken"] = rules[limit - 1].name;
  return result;
}

Result<Json> DeleteRule(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Name");
  OT_ASSIGN_OR_RETURN(auto rule,
                      repo::FindEventsRule(ctx.tx, ctx.caller.account_id, ctx.region, name));
  // AWS: deleting a rule that does not exist succeeds.
  if (!rule) return Json{};
  OT_ASSIGN_OR_RETURN(auto targets,
                      repo::EventsTargetsOf(ctx.tx, ctx.caller.account_id, ctx.region, name));
  if (!targets.empty()) return Validation("Rule can't be deleted since it has targets.");
  OT_RETURN_IF_ERROR(
      repo::DeleteEventsRule(ctx.tx, ctx.caller.account_id, ctx.region, name, rule->arn));
  return Json{};
}

Result<Json> SetState(gateway::RequestContext& ctx, const Json& input, std::string_view state) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Name");
  OT_ASSIGN_OR_RETURN(bool changed, repo::SetEventsRuleState(ctx.tx, ctx.caller.account_id,
                                                             ctx.region, name, state));
  if (!changed) return RuleNotFound(name);
  RulesChanged();
  ctx.tx.AfterCommit(RulesChanged);
  return Json{};
}
Result<Json> EnableRule(gateway::RequestContext& ctx, const Json& input) {
  return SetState(ctx, input, "ENABLED");
}
Result<Json> DisableRule(gateway::RequestContext& ctx, const Json& input) {
  return SetState(ctx, input, "DISABLED");
}

// ---- targets ---------------------------------------------------------------------------------

bool LooksLikeArn(std::string_view arn) {
  // arn:partition:service:region:account:resource -- at least five colons, a service and a
  // resource.
  return !ArnService(arn).empty() && std::count(arn.begin(), arn.end(), ':') >= 5 &&
         arn.back() != ':';
}

Status CheckTarget(const Json& target) {
  std::string arn = Str(target, "Arn");
  if (!LooksLikeArn(arn)) {
    return Validation("Parameter " + arn +
                      " is not valid. Reason: Provided Arn is not in correct "
                      "format.");
  }
  int inputs = static_cast<int>(target.contains("Input")) +
               static_cast<int>(target.contains("InputPath")) +
               static_cast<int>(target.contains("InputTransformer"));
  // AWS-COMPAT: the wording of AWS's refusal of two input kinds on one target is not
  // established; this names the rule.
  if (inputs > 1) {
    return Validation("Only one of Input, InputPath, or InputTransformer must be provided.");
  }
  if (auto input = OptionalString(target, "Input")) {
    boost::system::error_code ec;
    boost::json::parse(*input, ec);
    if (ec) return Validation("Input is not valid JSON.");
  }
  return Status::Ok();
}

Result<Json> PutTargets(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Rule");
  OT_RETURN_IF_ERROR(RequireRule(ctx, name).status());
  OT_ASSIGN_OR_RETURN(auto existing,
                      repo::EventsTargetsOf(ctx.tx, ctx.caller.account_id, ctx.region, name));
  std::set<std::string> ids;
  for (const repo::EventsTargetRow& t : existing) ids.insert(t.target_id);
  const boost::json::array& targets = input.at("Targets").as_array();
  for (const boost::json::value& t : targets) {
    if (!t.is_object()) continue;
    OT_RETURN_IF_ERROR(CheckTarget(t.get_object()));
    ids.insert(Str(t.get_object(), "Id"));
  }
  if (ids.size() > kMaxTargetsPerRule) {
    return Error("LimitExceededException", ErrorCode::kLimitExceeded,
                 "The requested resource exceeds the maximum number allowed.");
  }
  const double now = ToEpochSeconds(ctx.now);
  for (const boost::json::value& t : targets) {
    if (!t.is_object()) continue;
    const Json& target = t.get_object();
    OT_RETURN_IF_ERROR(repo::UpsertEventsTarget(
        ctx.tx, repo::EventsTargetRow{ctx.caller.account_id, ctx.region, name, Str(target, "Id"),
                                      Str(target, "Arn"), boost::json::serialize(target), now}));
  }
  return Json{{"FailedEntryCount", 0}, {"FailedEntries", boost::json::array()}};
}

Result<Json> RemoveTargets(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Rule");
  OT_RETURN_IF_ERROR(RequireRule(ctx, name).status());
  // AWS: an ID the rule does not have is not a failure.
  for (const boost::json::value& id : input.at("Ids").as_array()) {
    if (!id.is_string()) continue;
    OT_RETURN_IF_ERROR(
        repo::DeleteEventsTarget(ctx.tx, ctx.caller.account_id, ctx.region, name, id.get_string())
            .status());
  }
  return Json{{"FailedEntryCount", 0}, {"FailedEntries", boost::json::array()}};
}

Result<size_t> OffsetToken(const Json& input) {
  std::string token = Str(input, "NextToken");
  if (token.empty()) return size_t{0};
  size_t offset = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), offset);
  if (ec != std::errc() || end != token.data() + token.size()) {
    return Validation("The nextToken provided is invalid.");
  }
  return offset;
}

Result<Json> ListTargetsByRule(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  std::string name = Str(input, "Rule");
  OT_RETURN_IF_ERROR(RequireRule(ctx, name).status());
  OT_ASSIGN_OR_RETURN(size_t limit, PageSize(input));
  OT_ASSIGN_OR_RETURN(size_t offset, OffsetToken(input));
  OT_ASSIGN_OR_RETURN(auto targets,
                      repo::EventsTargetsOf(ctx.tx, ctx.caller.account_id, ctx.region, name));
  boost::json::array out;
  for (size_t i = offset; i < targets.size() && out.size() < limit; ++i) {
    boost::system::error_code ec;
    boost::json::value target = boost::json::parse(targets[i].target, ec);
    if (!ec) out.push_back(std::move(target));
  }
  Json result{{"Targets", std::move(out)}};
  if (offset + limit < targets.size()) result["NextToken"] = std::to_string(offset + limit);
  return result;
}

Result<Json> ListRuleNamesByTarget(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(CheckBus(ctx, input));
  OT_ASSIGN_OR_RETURN(size_t limit, PageSize(input));
  OT_ASSIGN_OR_RETURN(auto names, repo::EventsRuleNamesByTarget(
                                      ctx.tx, ctx.caller.account_id, ctx.region,
                                      Str(input, "TargetArn"), Str(input, "NextToken"), limit + 1));
  boost::json::array out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out.emplace_back(names[i]);
  Json result{{"RuleNames", std::move(out)}};
  if (names.size() > limit) result["NextToken"] = names[limit - 1];
  return result;
}

// ---- events ----------------------------------------------------------------------------------

Result<Json> TestEventPattern(gateway::RequestContext& /*ctx*/, const Json& input) {
  OT_ASSIGN_OR_RETURN(auto pattern, CompiledPattern(Str(input, "EventPattern")));
  boost::system::error_code ec;
  boost::json::value event = boost::json::parse(Str(input, "Event"), ec);
  // AWS: the event must be JSON with the envelope's mandatory fields.
  if (ec || !event.is_object()) return Validation("Parameter Event is not valid.");
  for (std::string_view field : {"id", "account", "source", "time", "region", "detail-type"}) {
    if (!event.get_object().contains(field)) return Validation("Parameter Event is not valid.");
  }
  return Json{{"Result", pattern->Matches(event)}};
}

bool Fail(Json* error, std::string_view code, std::string_view message) {
  *error = Json{{"ErrorCode", code}, {"ErrorMessage", message}};
  return false;
}

// The envelope of one PutEvents entry, or (false) the entry's error in `*error`.
bool Envelope(gateway::RequestContext& ctx, const Json& entry, Json* envelope, Json* error) {
  auto missing = [&](std::string_view field) {
    return !entry.contains(field) || Str(entry, field).empty();
  };
  for (std::string_view field : {"Source", "DetailType", "Detail"}) {
    if (missing(field)) {
      return Fail(error, "InvalidArgument",
                  "Parameter " + std::string(field) +
                      " is not valid. Reason: " + std::string(field) + " is a required argument.");
    }
  }
  std::optional<std::string> bus = OptionalString(entry, "EventBusName");
  if (bus && *bus != kDefaultBus && *bus != BusArn(ctx)) {
    // AWS-COMPAT: the twin has the default bus only; an entry for another is refused as one
    // for a bus that does not exist.
    return Fail(error, "ResourceNotFoundException", "Event bus " + *bus + " does not exist.");
  }
  std::string source = Str(entry, "Source");
  // AWS: the aws.* sources belong to AWS services.
  if (source.starts_with("aws.")) {
    return Fail(error, "NotAuthorizedForSourceException", "Not authorized for the source.");
  }
  boost::system::error_code ec;
  boost::json::value detail = boost::json::parse(Str(entry, "Detail"), ec);
  if (ec || !detail.is_object()) return Fail(error, "MalformedDetail", "Detail is malformed.");
  TimePoint time = ctx.now;
  if (const auto* t = entry.if_contains("Time"); t != nullptr && t->is_number()) {
    TimePoint parsed;
    double seconds = t->to_number<double>();
    // Out-of-range times keep the time of the call.
    if (seconds > -1e12 && seconds < 1e12 &&
        TimePointFromSeconds(static_cast<int64_t>(seconds), &parsed)) {
      time = parsed;
    }
  }
  boost::json::array resources;
  if (const auto* r = entry.if_contains("Resources"); r != nullptr && r->is_array()) {
    resources = r->get_array();
  }
  *envelope = Json{{"version", "0"},
                   {"id", ctx.twin.ids.Uuid()},
                   {"detail-type", Str(entry, "DetailType")},
                   {"source", source},
                   {"account", ctx.caller.account_id},
                   {"time", FormatIso8601Seconds(time)},
                   {"region", ctx.region},
                   {"resources", std::move(resources)},
                   {"detail", std::move(detail)}};
  return true;
}

Result<Json> PutEvents(gateway::RequestContext& ctx, const Json& input) {
  boost::json::array results;
  int64_t failed = 0;
  for (const boost::json::value& e : input.at("Entries").as_array()) {
    if (!e.is_object()) continue;
    Json envelope;
    Json error;
    if (!Envelope(ctx, e.get_object(), &envelope, &error)) {
      ++failed;
      results.emplace_back(std::move(error));
      continue;
    }
    OT_RETURN_IF_ERROR(DispatchEvent(ctx.tx, ctx.now, ctx.twin.ids, ctx.caller.account_id,
                                     ctx.region, envelope, EventOrigin::kPutEvents));
    results.emplace_back(Json{{"EventId", envelope.at("id")}});
  }
  return Json{{"FailedEntryCount", failed}, {"Entries", std::move(results)}};
}

// ---- tags ------------------------------------------------------------------------------------

// The rule a tagged ARN names, in the caller's account and region.
Result<repo::EventsRuleRow> RuleOfArn(gateway::RequestContext& ctx, std::string_view arn) {
  std::string prefix = "arn:aws:events:" + ctx.region + ":" + ctx.caller.account_id + ":rule/";
  size_t slash = arn.rfind('/');
  std::string name(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
  // AWS-COMPAT: an ARN of another account, region or resource type is answered as a rule that
  // does not exist (the twin tags rules only).
  if (!arn.starts_with(prefix) || arn.substr(prefix.size()).find('/') != std::string_view::npos) {
    return RuleNotFound(name);
  }
  return RequireRule(ctx, name);
}

Result<Json> TagResource(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::EventsRuleRow rule, RuleOfArn(ctx, Str(input, "ResourceARN")));
  OT_RETURN_IF_ERROR(PutTags(ctx, rule.arn, input));
  return Json{};
}

Result<Json> UntagResource(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::EventsRuleRow rule, RuleOfArn(ctx, Str(input, "ResourceARN")));
  for (const boost::json::value& key : input.at("TagKeys").as_array()) {
    if (key.is_string())
      OT_RETURN_IF_ERROR(repo::DeleteEventsTag(ctx.tx, rule.arn, key.get_string()));
  }
  return Json{};
}

Result<Json> ListTagsForResource(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::EventsRuleRow rule, RuleOfArn(ctx, Str(input, "ResourceARN")));
  OT_ASSIGN_OR_RETURN(auto tags, repo::EventsTagsOf(ctx.tx, rule.arn));
  boost::json::array out;
  for (const auto& [key, value] : tags) out.emplace_back(Json{{"Key", key}, {"Value", value}});
  return Json{{"Tags", std::move(out)}};
}

constexpr gateway::HandlerEntry kHandlers[] = {
    {"PutRule", PutRule},
    {"DescribeRule", DescribeRule},
    {"ListRules", ListRules},
    {"DeleteRule", DeleteRule},
    {"EnableRule", EnableRule},
    {"DisableRule", DisableRule},
    {"PutTargets", PutTargets},
    {"RemoveTargets", RemoveTargets},
    {"ListTargetsByRule", ListTargetsByRule},
    {"ListRuleNamesByTarget", ListRuleNamesByTarget},
    {"TestEventPattern", TestEventPattern},
    {"PutEvents", PutEvents},
    {"TagResource", TagResource},
    {"UntagResource", UntagResource},
    {"ListTagsForResource", ListTagsForResource},
};

}  // namespace

Status RegisterEventsHandlers(gateway::Gateway& gateway) {
  // Another node may have put or enabled a rule: "no rule sees it" answers go stale.
  gateway.OnCommitsByOthers(RulesChanged);
  return gateway.RegisterAll("events", kHandlers);
}

}  // namespace orgtwin::services::events
