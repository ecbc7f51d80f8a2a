#include "services/events/dispatch.h"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/json_fields.h"
#include "common/log.h"
#include "repo/events_repository.h"

namespace orgtwin::services::events {
namespace {

constexpr std::string_view kEnabled = "ENABLED";
constexpr std::string_view kEnabledWithManagementEvents =
    "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

std::map<std::string, TargetInvoker, std::less<>>& Invokers() {
  static auto* invokers = new std::map<std::string, TargetInvoker, std::less<>>();
  return *invokers;
}

// The compiled patterns by their text. Bounded: when full it starts over (the rules of a twin
// number in the hundreds at most; a full cache only costs recompiles).
class PatternCache {
 public:
  static constexpr size_t kMaxEntries = 1024;

  Result<std::shared_ptr<const EventPattern>> Get(std::string_view text) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = patterns_.find(std::string(text));
      if (it != patterns_.end()) return it->second;
    }
    OT_ASSIGN_OR_RETURN(EventPattern compiled, EventPattern::Parse(text));
    auto shared = std::make_shared<const EventPattern>(std::move(compiled));
    std::lock_guard<std::mutex> lock(mutex_);
    if (patterns_.size() >= kMaxEntries) patterns_.clear();
    patterns_.emplace(std::string(text), shared);
    return std::shared_ptr<const EventPattern>(shared);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const EventPattern>>
      patterns_;  // GUARDED_BY(mutex_)
};

PatternCache& Cache() {
  static auto* cache = new PatternCache();
  return *cache;
}

using json_fields::Str;

// A JSONPath of the forms EventBridge's InputPath and InputPathsMap use: `$`, `$.a.b`,
// `$.a[0]`, `$['a']`. Null when the path does not resolve (or is not of those forms).
const boost::json::value* Select(const boost::json::value& root, std::string_view path) {
  if (path.empty() || path[0] != '$') return nullptr;
  const boost::json::value* at = &root;
  size_t i = 1;
  while (i < path.size() && at != nullptr) {
    if (path[i] == '.') {
      size_t end = path.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = path.size();
      std::string_view key = path.substr(i + 1, end - i - 1);
      at = at->is_object() ? at->get_object().if_contains(key) : nullptr;
      i = end;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
          inner.back() == inner.front()) {
        std::string_view key = inner.substr(1, inner.size() - 2);
        at = at->is_object() ? at->get_object().if_contains(key) : nullptr;
      } else {
        size_t index = 0;
        if (inner.empty()) return nullptr;
        for (char c : inner) {
          if (c < '0' || c > '9' || index > 1'000'000) return nullptr;
          index = index * 10 + static_cast<size_t>(c - '0');
        }
        at = at->is_array() && index < at->get_array().size() ? &at->get_array()[index] : nullptr;
      }
      i = close + 1;
    } else {
      return nullptr;
    }
  }
  return at;
}

// JSON-escapes `s` without the surrounding quotes.
std::string EscapeInner(std::string_view s) {
  std::string quoted = boost::json::serialize(boost::json::value(boost::json::string(s)));
  return quoted.substr(1, quoted.size() - 2);
}

// InputTransformer: each <name> of InputTemplate replaced by its InputPathsMap value or one of
// the predefined variables. A placeholder inside a JSON string of the template takes the value's
// text (escaped); outside, a JSON template takes the value as JSON and a text template its text.
// AWS-COMPAT: AWS's treatment of a path that resolves to nothing is not documented; the twin
// writes an empty string inside quotes and `null` elsewhere.
std::string Transform(const boost::json::object& transformer, const boost::json::object& event,
                      std::string_view rule_arn) {
  std::string tmpl = Str(transformer, "InputTemplate");
  const boost::json::value event_value(event);
  // Declared names: the InputPathsMap keys (null: the path selected nothing) and the predefined.
  std::map<std::string, std::optional<boost::json::value>, std::less<>> values;
  if (const auto* map = transformer.if_contains("InputPathsMap"); map && map->is_object()) {
    for (const auto& [name, path] : map->get_object()) {
      const boost::json::value* v =
          path.is_string() ? Select(event_value, path.get_string()) : nullptr;
      values.emplace(std::string(name), v != nullptr ? std::optional(*v) : std::nullopt);
    }
  }
  std::string rule_name(rule_arn.substr(rule_arn.rfind('/') + 1));
  values.emplace("aws.events.rule-arn", boost::json::string(rule_arn));
  values.emplace("aws.events.rule-name", boost::json::string(rule_name));
  values.emplace("aws.events.event", event_value);
  values.emplace("aws.events.event.json", event_value);
  values.emplace("aws.events.event.ingestion-time", boost::json::string(Str(event, "time")));

  size_t first = tmpl.find_first_not_of(" \t\r\n");
  bool json_template = first != std::string::npos && (tmpl[first] == '{' || tmpl[first] == '[');
  std::string out;
  out.reserve(tmpl.size());
  bool in_string = false;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '\\' && in_string && i + 1 < tmpl.size()) {
      out.push_back(c);
      out.push_back(tmpl[++i]);
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<') {
      size_t close = tmpl.find('>', i + 1);
      if (close != std::string::npos) {
        std::string_view name(tmpl.data() + i + 1, close - i - 1);
        if (auto it = values.find(name); it != values.end()) {
          const std::optional<boost::json::value>& v = it->second;
          if (!v) {
            out += in_string || !json_template ? "" : "null";
          } else if (v->is_string()) {
            out += in_string ? EscapeInner(v->get_string())
                             : (json_template ? boost::json::serialize(*v)
                                              : std::string(v->get_string()));
          } else {
            std::string text = boost::json::serialize(*v);
            out += in_string ? EscapeInner(text) : text;
          }
          i = close;
          continue;
        }
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void RegisterTargetInvoker(std::string arn_service, TargetInvoker invoker) {
  Invokers()[std::move(arn_service)] = std::move(invoker);
}

Result<std::shared_ptr<const EventPattern>> CompiledPattern(std::string_view pattern_json) {
  return Cache().Get(pattern_json);
}

std::string_view ArnService(std::string_view arn) {
  if (!arn.starts_with("arn:")) return {};
  size_t partition_end = arn.find(':', 4);
  if (partition_end == std::string_view::npos) return {};
  size_t service_end = arn.find(':', partition_end + 1);
  if (service_end == std::string_view::npos) return {};
  return arn.substr(partition_end + 1, service_end - partition_end - 1);
}

std::string TargetPayload(const boost::json::object& target, const boost::json::object& event,
                          std::string_view rule_arn) {
  if (const auto* input = target.if_contains("Input"); input && input->is_string()) {
    return std::string(input->get_string());
  }
  if (const auto* path = target.if_contains("InputPath"); path && path->is_string()) {
    const boost::json::value event_value(event);
    const boost::json::value* selected = Select(event_value, path->get_string());
    // AWS-COMPAT: a path that selects nothing: the twin sends JSON null.
    return selected != nullptr ? boost::json::serialize(*selected) : "null";
  }
  if (const auto* t = target.if_contains("InputTransformer"); t && t->is_object()) {
    return Transform(t->get_object(), event, rule_arn);
  }
  return boost::json::serialize(event);
}

namespace {

// The (account, region, origin) keys known to have no rule that sees their events. Every API
// call asks AnyRuleSees (the audit trail, on the writer thread), and almost always the answer is
// no: the cache answers that without a query. A rule that is put or enabled clears it; deleting
// or disabling rules only makes "no rule" truer, and so does ResetTwin. AWS-COMPAT / multi-node:
// the cache is per process; several orgtwin nodes on one PostgreSQL store (issue 17) need a
// shared revision of events_rules instead.
struct NoRuleCache {
  std::mutex mutex;
  uint64_t generation = 0;            // GUARDED_BY(mutex)
  std::set<std::string> known_empty;  // GUARDED_BY(mutex)
  static constexpr size_t kMaxKeys = 100000;
};

NoRuleCache& NoRules() {
  static NoRuleCache cache;
  return cache;
}

std::string NoRuleKey(std::string_view account_id, std::string_view region, EventOrigin origin) {
  std::string key;
  key.reserve(account_id.size() + region.size() + 3);
  key.append(account_id).push_back('/');
  key.append(region).push_back('/');
  key.push_back(origin == EventOrigin::kCloudTrailReadOnly ? 'r' : 'w');
  return key;
}

std::vector<std::string> StatesSeeing(EventOrigin origin) {
  std::vector<std::string> states;
  if (origin != EventOrigin::kCloudTrailReadOnly) states.emplace_back(kEnabled);
  states.emplace_back(kEnabledWithManagementEvents);
  return states;
}

}  // namespace

void RulesChanged() {
  NoRuleCache& cache = NoRules();
  std::lock_guard<std::mutex> lock(cache.mutex);
  ++cache.generation;
  cache.known_empty.clear();
}

Result<bool> AnyRuleSees(store::Transaction& tx, std::string_view account_id,
                         std::string_view region, EventOrigin origin) {
  NoRuleCache& cache = NoRules();
  std::string key = NoRuleKey(account_id, region, origin);
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.known_empty.count(key) != 0) return false;
    generation = cache.generation;
  }
  OT_ASSIGN_OR_RETURN(auto rules,
                      repo::EventsRulesInStates(tx, account_id, region, StatesSeeing(origin)));
  if (rules.empty()) {
    std::lock_guard<std::mutex> lock(cache.mutex);
    // Kept only if no rule changed while the query ran (its answer may predate the change).
    if (cache.generation == generation) {
      if (cache.known_empty.size() >= NoRuleCache::kMaxKeys) cache.known_empty.clear();
      cache.known_empty.insert(std::move(key));
    }
  }
  return !rules.empty();
}

Status DispatchEvent(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                     std::string_view account_id, std::string_view region,
                     const boost::json::object& event, EventOrigin origin,
                     const std::function<Result<bool>()>& reaches_bus) {
  OT_ASSIGN_OR_RETURN(auto rules,
                      repo::EventsRulesInStates(tx, account_id, region, StatesSeeing(origin)));
  if (rules.empty()) return Status::Ok();
  const boost::json::value event_value(event);
  bool gate_passed = !reaches_bus;  // asked once, at the first match: it holds for every rule
  for (const repo::EventsRuleRow& rule : rules) {
    // Schedule-only rules match no event.
    if (!rule.event_pattern) continue;
    auto pattern = CompiledPattern(*rule.event_pattern);
    if (!pattern.ok()) {
      Log(LogLevel::kWarn,
          "events: rule " + rule.arn + " has an invalid pattern: " + pattern.status().message());
      continue;
    }
    if (!(*pattern)->Matches(event_value)) continue;
    if (!gate_passed) {
      OT_ASSIGN_OR_RETURN(gate_passed, reaches_bus());
      if (!gate_passed) return Status::Ok();
    }
    OT_ASSIGN_OR_RETURN(auto targets, repo::EventsTargetsOf(tx, account_id, region, rule.name));
    for (const repo::EventsTargetRow& target : targets) {
      boost::system::error_code ec;
      boost::json::value spec = boost::json::parse(target.target, ec);
      if (ec || !spec.is_object()) {
        Log(LogLevel::kWarn, "events: target " + target.target_id + " of " + rule.arn +
                                 " is not stored as a JSON object; skipped");
        continue;
      }
      std::string_view service = ArnService(target.arn);
      auto invoker = Invokers().find(service);
      if (invoker == Invokers().end()) {
        Log(LogLevel::kInfo,
            "events: no invoker for target " + target.arn + " of " + rule.arn + "; skipped");
        continue;
      }
      TargetInvocation invocation{std::string(account_id),
                                  std::string(region),
                                  rule.arn,
                                  target.target_id,
                                  target.arn,
                                  TargetPayload(spec.get_object(), event, rule.arn)};
      Status invoked = invoker->second(tx, now, ids, invocation);
      if (!invoked.ok()) {
        Log(LogLevel::kWarn,
            "events: target " + target.arn + " of " + rule.arn + ": " + invoked.ToString());
      }
    }
  }
  return Status::Ok();
}

}  // namespace orgtwin::services::events
