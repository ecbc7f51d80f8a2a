// File: repo/events_repository.h
//
// EventBridge's rows (migration 0020): the rules of each account's default event bus per region,
// their targets and the rules' tags. Typed rows only; services/events/ owns the wire shapes and
// AWS's errors.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

struct EventsRuleRow {
  std::string account_id;
  std::string region;
  std::string name;
  std::string arn;
  std::optional<std::string> event_pattern;
  std::optional<std::string> schedule_expression;
  std::string state;  // ENABLED | DISABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
  std::optional<std::string> description;
  std::optional<std::string> role_arn;
  double created_at = 0;
};

struct EventsTargetRow {
  std::string account_id;
  std::string region;
  std::string rule_name;
  std::string target_id;
  std::string arn;
  std::string target;  // the Target structure's JSON
  double added_at = 0;
};

// Inserts `rule`, or replaces every column but created_at of the rule of the same key.
Status UpsertEventsRule(store::Transaction& tx, const EventsRuleRow& rule);
Result<std::optional<EventsRuleRow>> FindEventsRule(store::Transaction& tx,
                                                    std::string_view account_id,
                                                    std::string_view region, std::string_view name);
// Rules whose name starts with `name_prefix` and sorts after `after` ("" = from the start), by
// name, at most `limit`.
Result<std::vector<EventsRuleRow>> ListEventsRules(store::Transaction& tx,
                                                   std::string_view account_id,
                                                   std::string_view region,
                                                   std::string_view name_prefix,
                                                   std::string_view after, size_t limit);
// The rules of the account and region whose state is one of `states` (one indexed query).
Result<std::vector<EventsRuleRow>> EventsRulesInStates(store::Transaction& tx,
                                                       std::string_view account_id,
                                                       std::string_view region,
                                                       const std::vector<std::string>& states);
// Returns whether a rule changed.
Result<bool> SetEventsRuleState(store::Transaction& tx, std::string_view account_id,
                                std::string_view region, std::string_view name,
                                std::string_view state);
// Deletes the rule, its targets and its tags.
Status DeleteEventsRule(store::Transaction& tx, std::string_view account_id,
                        std::string_view region, std::string_view name, std::string_view arn);

// Inserts `target`, or replaces the target of the same rule and ID (keeping added_at).
Status UpsertEventsTarget(store::Transaction& tx, const EventsTargetRow& target);
// Returns whether a target was removed.
Result<bool> DeleteEventsTarget(store::Transaction& tx, std::string_view account_id,
                                std::string_view region, std::string_view rule_name,
                                std::string_view target_id);
// A rule's targets, in the order they were added (then by ID).
Result<std::vector<EventsTargetRow>> EventsTargetsOf(store::Transaction& tx,
                                                     std::string_view account_id,
                                                     std::string_view region,
                                                     std::string_view rule_name);
// Names of the rules with a target of ARN `arn`, sorted, after `after`, at most `limit`.
Result<std::vector<std::string>> EventsRuleNamesByTarget(store::Transaction& tx,
                                                         std::string_view account_id,
                                                         std::string_view region,
                                                         std::string_view arn,
                                                         std::string_view after, size_t limit);

// Tags of an EventBridge resource, sorted by key.
Result<std::vector<std::pair<std::string, std::string>>> EventsTagsOf(store::Transaction& tx,
                                                                      std::string_view arn);
Status PutEventsTag(store::Transaction& tx, std::string_view arn, std::string_view key,
                    std::string_view value);
Status DeleteEventsTag(store::Transaction& tx, std::string_view arn, std::string_view key);

}  // namespace orgtwin::repo
