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
// The rest is stored packed: compressed with LZ4 against the content of a dictionary trained
// on orgtwin's own events (data/trail/events-1.zstd-dict), as "l1:" and the base64 of the
// record's length (LEB128) and the LZ4 block. CreateRole's 804 bytes become 247 characters,
// AssumeRole's 581 (with its token as a seed, below) 211, GetRole's 140 95. Rows packed before
// with zstd and the same dictionary ("z1:"; a fifth to a third smaller, but four to five times the
// writer thread's time) and plain JSON rows read as they were; a new dictionary would get the next
// number, and the old one stays to read the rows it packed.
//
// An issued session token in responseElements (credentials.sessionToken of AssumeRole and the
// other STS answers) is stored as kSessionTokenSeedMark and its seed, which gives the token back
// (services/identity/session_token.h): 27 characters instead of 384 random ones.
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

// How a stored record marks a session token kept as its seed (no token has a ':').
inline constexpr std::string_view kSessionTokenSeedMark = "seed:";

// The row of `record`, an event recorded at `time` (eventID, eventTime, eventSource, eventName
// and recipientAccountId set).
repo::TrailEventRow StoredRowOf(TimePoint time, const boost::json::object& record);

// The event a row stores, as it was recorded.
Result<boost::json::object> RecordOfRow(const repo::TrailEventRow& row);

// The eventTime the reader restores from a row's event_time column ("2026-12-05T03:09:44Z").
std::string EventTimeOfColumn(double event_time);

// `text` packed with dictionary 1 ("l1:" + base64), or `text` itself should LZ4 fail.
std::string PackedRecord(std::string_view text);
// The JSON text of a stored `record` column, packed or not.
Result<std::string> UnpackedRecord(std::string_view stored);

// The key of a caller part's JSON text: its SHA-256, hex, the first 128 bits.
std::string CallerKeyOf(std::string_view caller_text);

// The event's JSON text, given `record` = RecordOfRow(row): a whole record's text as stored,
// else `record` serialized.
std::string RecordText(const repo::TrailEventRow& row, const boost::json::object& record);

}  // namespace orgtwin::services::trail
