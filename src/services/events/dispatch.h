// File: services/events/dispatch.h
//
// The default event bus's delivery: an event (EventBridge envelope) is matched against the
// enabled rules of the account's default bus in a region, and each matched rule's targets are
// invoked inside the caller's transaction -- so a delivery commits with the write that caused it
// or not at all. Other services register the invoker of their own targets (SNS topics); the
// gateway's audit trail dispatches CloudTrail management events; PutEvents dispatches its entries.
//
// Rule patterns are compiled once and cached by their text (bounded, thread-safe).
//
// Thread-safety: RegisterTargetInvoker before serving only (not synchronized); DispatchEvent
// from any thread, each call with its own transaction.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "services/events/event_pattern.h"
#include "store/store.h"

namespace orgtwin::services::events {

enum class EventOrigin { kPutEvents, kCloudTrailWrite, kCloudTrailReadOnly };

struct TargetInvocation {
  std::string account_id, region, rule_arn, target_id, target_arn;
  std::string payload;  // the event JSON, or the target's Input / InputPath / InputTransformer
                        // result
};

using TargetInvoker = std::function<Status(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                                           const TargetInvocation&)>;

// Registers the invoker of targets whose ARN's service field is `arn_service` ("sns").
// Before serving; not synchronized.
void RegisterTargetInvoker(std::string arn_service, TargetInvoker invoker);

// Matches `event` (an EventBridge envelope) against the rules of the account's default bus in
// `region` and invokes each matched rule's targets inside `tx`. Which rules see it: ENABLED and
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules see kPutEvents and kCloudTrailWrite; only
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules see kCloudTrailReadOnly (AWS's read-only
// management events). A target's failure (no invoker for its service, invoker error) is
// logged and skipped, never returned; an invoker writes nothing when it fails. Returns an error
// only for a store failure. Cost: ONE indexed query when the account has no enabled rule in the
// region.
//
// `reaches_bus`, when given, says whether the event reaches the bus at all; it is asked once, and
// only when a rule's pattern matched (CloudTrail's events reach EventBridge only while a logging
// trail covers the account: the audit trail passes that check, which costs queries the common
// case -- no rule -- should not pay).
// Whether any rule of the account's default bus in `region` sees events of `origin` (enabled in a
// state that takes them): one indexed query. Lets a sender skip building an event no rule sees.
// Answers "no" from memory once a query found no such rule, until RulesChanged.
Result<bool> AnyRuleSees(store::Transaction& tx, std::string_view account_id,
                         std::string_view region, EventOrigin origin);
// A rule was put or enabled: AnyRuleSees asks the store again. Called by the handler before its
// transaction commits and again after (tx.AfterCommit), so no answer from before the change
// survives it.
void RulesChanged();

Status DispatchEvent(store::Transaction& tx, TimePoint now, IdGenerator& ids,
                     std::string_view account_id, std::string_view region,
                     const boost::json::object& event, EventOrigin origin,
                     const std::function<Result<bool>()>& reaches_bus = nullptr);

// The compiled pattern of `pattern_json`, from the cache or compiled now (and cached when it
// compiles). Errors as EventPattern::Parse.
Result<std::shared_ptr<const EventPattern>> CompiledPattern(std::string_view pattern_json);

// What target `target` (a Target structure as PutTargets stores it) receives for `event`: the
// event's JSON, the Input text, the InputPath's selection or the InputTransformer's rendering.
// `rule_arn` feeds the transformer's predefined <aws.events.rule-arn> / <aws.events.rule-name>.
std::string TargetPayload(const boost::json::object& target, const boost::json::object& event,
                          std::string_view rule_arn);

// The service field of an ARN ("sns" in arn:aws:sns:...), "" when `arn` is not an ARN.
std::string_view ArnService(std::string_view arn);

}  // namespace orgtwin::services::events
