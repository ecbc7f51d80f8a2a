// File: services/trail/event_record.h
//
// The CloudTrail record of one API call, as CloudTrail writes it (an `AwsApiCall` management
// event): who called (userIdentity, by principal type, with the session's context for temporary
// credentials), what (eventSource, eventName, requestParameters, responseElements), where from
// (sourceIPAddress, userAgent, awsRegion), the outcome (errorCode, errorMessage), and the
// bookkeeping fields (eventID, requestID, readOnly, eventType, managementEvent,
// recipientAccountId, eventCategory, resources, sharedEventID).
//
// Parameters and responses are the call's input and output with CloudTrail's member names (the
// API's member names with a lower-case first letter) and without what CloudTrail never writes:
// passwords, secret access keys, private keys, MFA codes and identity tokens are left out.
// Reads carry no responseElements (CloudTrail writes null for Get/List/Describe calls); STS
// answers carry theirs (the issued credentials without the secret), as AWS records them.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "gateway/call_observer.h"
#include "repo/trail_repository.h"

namespace orgtwin::services::trail {

// The record format of the events orgtwin writes.
inline constexpr std::string_view kEventVersion = "1.09";
// How long the event history keeps events (LookupEvents; older rows are pruned): 90 days.
inline constexpr double kEventHistorySeconds = 90.0 * 86400.0;

// "iam.amazonaws.com", "sts.amazonaws.com", ...: the service's endpoint prefix.
std::string EventSourceOf(const model::ServiceModel& service);

// Whether CloudTrail marks calls of `operation` read-only: every STS call (AssumeRole,
// GetSessionToken, ... change nothing in the account) and, elsewhere, the calls that cannot
// write (Get*, List*, Describe*, ...).
bool IsReadOnlyEvent(const model::ServiceModel& service, const model::Operation& operation);

// The region CloudTrail records a call in: IAM and Organizations are global services whose
// events are in us-east-1; the others are in the SigV4 scope's region.
std::string EventRegionOf(const model::ServiceModel& service, std::string_view scope_region);

// The rows of `call`'s event, in the stored form (stored_event.h), written straight from the
// call without building the record as a tree: the event in the caller's account, then a copy for
// each other account that owns a resource the call names by ARN (a top-level input member ending
// in "Arn": RoleArn, TopicArn, ...), tied to the first by sharedEventID, as CloudTrail records
// cross-account calls. `time` is the row's time (the call's).
std::vector<repo::TrailEventRow> ApiCallRows(const gateway::CallRecord& call, IdGenerator& ids);

}  // namespace orgtwin::services::trail
