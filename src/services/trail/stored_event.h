// File: services/trail/stored_event.h
//
// How a CloudTrail event is stored (trail_events and trail_callers, migration 0024), and how it
// is read back, field for field.
//
// Why not the record as CloudTrail writes it: every API call writes an event inside its own
// transaction, and the bytes of that row are most of what the audit trail costs a write (each
// one is copied into a page, the WAL and the checkpoint). About half of a typical record is the
// same for every call of a client -- userIdentity, awsRegion, sourceIPAddress and userAgent --
// or is in the row's columns already (eventID, eventTime, eventSource, eventName,
// recipientAccountId), or is a constant (eventVersion, eventType, managementEvent,
// eventCategory). So a row keeps:
//   - `caller_key`: the SHA-256 (hex, 128 bits) of the caller part -- those four fields as one
//     JSON object, in that order -- which is stored once in trail_callers;
//   - `record`: the rest of the object, without what the columns and constants give back. A
//     field the row keeps wins over the column or constant it would otherwise be restored from.
// Reading puts the fields back in CloudTrail's order (kFieldOrder in the .cc); fields orgtwin
// does not order keep their stored order after the known ones.
//
// The rest is stored packed: compressed with zstd and a dictionary trained on orgtwin's own
// events (data/trail/events-1.zstd-dict), as "z1:" and the base64 of the frame. A write's
// event is about a quarter of its JSON text then (CreateRole's 840 bytes become 235); the
// issued session token in AssumeRole's is random and does not shrink. Rows written before keep
// their JSON text and read as they were; a new dictionary would get the next number, and the
// old one stays to read the rows it packed.
//
// A record that lacks a field the reader would restore (so the reader could not tell "absent"
// from "the usual value") is stored whole, with no caller_key, as rows before migration 0024 are.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "repo/trail_repository.h"

namespace orgtwin::services::trail {

// The row of `record`, an event recorded at `time` (eventID, eventTime, eventSource, eventName
// and recipientAccountId set).
repo::TrailEventRow StoredRowOf(TimePoint time, const boost::json::object& record);

// The event a row stores, as it was recorded.
Result<boost::json::object> RecordOfRow(const repo::TrailEventRow& row);

// The eventTime the reader restores from a row's event_time column ("2026-12-05T03:09:44Z").
std::string EventTimeOfColumn(double event_time);

// `text` packed with dictionary 1 ("z1:" + base64), or `text` itself should zstd fail.
std::string PackedRecord(std::string_view text);
// The JSON text of a stored `record` column, packed or not.
Result<std::string> UnpackedRecord(std::string_view stored);

// The key of a caller part's JSON text: its SHA-256, hex, the first 128 bits.
std::string CallerKeyOf(std::string_view caller_text);

// The event's JSON text, given `record` = RecordOfRow(row): a whole record's text as stored,
// else `record` serialized.
std::string RecordText(const repo::TrailEventRow& row, const boost::json::object& record);

}  // namespace orgtwin::services::trail
