// File: services/trail/trails.h
//
// CloudTrail trails: CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails,
// ListTrails, GetTrailStatus, StartLogging, StopLogging, Put/GetEventSelectors, AddTags,
// RemoveTags and ListTags over cloudtrail_trails (repo/trails_repository.h), wire-exact from the
// botocore model; and what the audit trail, EventBridge and the log-file delivery
// (log_delivery.h) ask of trails: which trails record an account's events, and which events.
//
// A trail belongs to the account that created it, in its home Region (the caller's SigV4
// Region); a multi-Region trail also shows in the account's other Regions (a "shadow trail"). An
// organization trail is created by an organization's management account (all features) and
// covers every account of the organization: the members see it (GetTrail, DescribeTrails,
// ListTrails, GetTrailStatus) and cannot change it.
//
// Thread-safety: handlers and functions keep no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/status.h"
#include "gateway/gateway.h"
#include "repo/trails_repository.h"
#include "store/store.h"

namespace orgtwin::services::trail {

Status RegisterTrailsHandlers(gateway::Gateway& gateway);

// Whether a trail that is logging records management events of `account_id` in `region`: a
// trail of the account (multi-region, or home region == region) or an organization trail of
// the account's organization (its management account's trail with IsOrganizationTrail; the
// organization has all features and trusted access for CloudTrail).
Result<bool> LoggingTrailCovers(store::Transaction& tx, std::string_view account_id,
                                std::string_view region);

// The accounts whose events `trail` records: its own account, or, for an organization trail of
// a management account whose organization has all features and trusted access for CloudTrail,
// every account of the organization (the management account included), ascending. `org_id` receives
// the organization's ID for an organization trail that covers one ("" otherwise).
Result<std::vector<std::string>> AccountsCoveredBy(store::Transaction& tx,
                                                   const repo::TrailRow& trail,
                                                   std::string* org_id);

// Whether `trail` records the event `record` (a CloudTrail event's JSON) of a covered account:
// its Region (awsRegion: the home Region unless multi-Region; global services' events only with
// IncludeGlobalServiceEvents), and its event selectors (management events, ReadWriteType,
// ExcludeManagementEventSources; advanced selectors on eventCategory, readOnly and
// eventSource).
bool TrailSelectsEvent(const repo::TrailRow& trail, const boost::json::object& record);

}  // namespace orgtwin::services::trail
