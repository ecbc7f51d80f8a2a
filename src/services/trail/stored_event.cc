#include "services/trail/stored_event.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include <zstd.h>

#include "auth/sigv4.h"
#include "common/base64.h"
#include "common/json_fields.h"
#include "services/trail/event_record.h"

// data/trail/events-1.zstd-dict, embedded by services/trail/CMakeLists.txt (the symbols' names
// are the assembler file's).
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
extern const char ot_trail_dictionary_1[];
extern const char ot_trail_dictionary_1_end[];
}
// NOLINTEND(readability-identifier-naming)

namespace orgtwin::services::trail {
namespace {

using Json = boost::json::object;

// The order CloudTrail writes an event's fields in (its documented record contents and the
// events it delivers); a restored record follows it.
constexpr std::array<std::string_view, 22> kFieldOrder = {
    "eventVersion",        "userIdentity", "eventTime",         "eventSource",
    "eventName",           "awsRegion",    "sourceIPAddress",   "userAgent",
    "errorCode",           "errorMessage", "requestParameters", "responseElements",
    "additionalEventData", "requestID",    "eventID",           "readOnly",
    "resources",           "eventType",    "managementEvent",   "recipientAccountId",
    "sharedEventID",       "eventCategory"};

// The caller part, stored once per distinct value in trail_callers.
constexpr std::array<std::string_view, 4> kCallerFields = {"userIdentity", "awsRegion",
                                                           "sourceIPAddress", "userAgent"};

// Fields whose usual value the reader restores when the row leaves them out.
struct Constant {
  std::string_view field;
  boost::json::value value;
};
const std::array<Constant, 4>& Constants() {
  static const std::array<Constant, 4> kConstants = {{
      {"eventVersion", boost::json::value(kEventVersion)},
      {"eventType", boost::json::value("AwsApiCall")},
      {"managementEvent", boost::json::value(true)},
      {"eventCategory", boost::json::value("Management")},
  }};
  return kConstants;
}

// The fields the columns give back, as the row holds them.
Json ColumnFields(const repo::TrailEventRow& row) {
  return Json{{"eventTime", EventTimeOfColumn(row.event_time)},
              {"eventSource", row.event_source},
              {"eventName", row.event_name},
              {"eventID", row.event_id},
              {"recipientAccountId", row.account_id}};
}

using json_fields::Str;

// ---- Packing (zstd with dictionary 1) ----

constexpr std::string_view kPackedPrefix = "z1:";
// Level 1: with the dictionary, higher levels shrink a record by a few bytes more and cost the
// writer thread, which inserts every write's event, more time.
constexpr int kPackLevel = 1;

struct Dictionary {
  ZSTD_CDict* compress;
  ZSTD_DDict* decompress;
};

// Built once and never freed: both are read-only and shared by every thread.
const Dictionary& DictionaryOne() {
  static const Dictionary kDictionary = [] {
    const size_t size = static_cast<size_t>(ot_trail_dictionary_1_end - ot_trail_dictionary_1);
    return Dictionary{ZSTD_createCDict(ot_trail_dictionary_1, size, kPackLevel),
                      ZSTD_createDDict(ot_trail_dictionary_1, size)};
  }();
  return kDictionary;
}

// One compression and one decompression context per thread (a context is not thread-safe, and
// making one per record would cost more than the compression).
ZSTD_CCtx* ThreadCompressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context = [] {
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> made(ZSTD_createCCtx(), ZSTD_freeCCtx);
    // The prefix names the dictionary and the column's length the size: no checksum or
    // dictionary ID in the frame.
    ZSTD_CCtx_setParameter(made.get(), ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(made.get(), ZSTD_c_dictIDFlag, 0);
    ZSTD_CCtx_refCDict(made.get(), DictionaryOne().compress);
    return made;
  }();
  return context.get();
}

ZSTD_DCtx* ThreadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx);
  return context.get();
}

}  // namespace

std::string PackedRecord(std::string_view text) {
  std::string frame(ZSTD_compressBound(text.size()), '\0');
  const size_t size =
      ZSTD_compress2(ThreadCompressor(), frame.data(), frame.size(), text.data(), text.size());
  if (ZSTD_isError(size)) return std::string(text);  // stored as it is; it reads back alike
  frame.resize(size);
  return std::string(kPackedPrefix) + Base64Encode(frame);
}

Result<std::string> UnpackedRecord(std::string_view stored) {
  if (!stored.starts_with(kPackedPrefix)) return std::string(stored);
  std::string frame;
  if (!Base64Decode(stored.substr(kPackedPrefix.size()), &frame)) {
    return InternalError("a packed trail record is not base64");
  }
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1u << 24)) {
    return InternalError("a packed trail record has no readable frame");
  }
  std::string text(static_cast<size_t>(size), '\0');
  const size_t got =
      ZSTD_decompress_usingDDict(ThreadDecompressor(), text.data(), text.size(), frame.data(),
                                 frame.size(), DictionaryOne().decompress);
  if (ZSTD_isError(got) || got != text.size()) {
    return InternalError(std::string("a packed trail record does not decompress: ") +
                         (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short"));
  }
  return text;
}

std::string EventTimeOfColumn(double event_time) {
  TimePoint t;
  if (!TimePointFromSeconds(static_cast<int64_t>(std::floor(event_time)), &t)) return "";
  return FormatIso8601Seconds(t);
}

std::string CallerKeyOf(std::string_view caller_text) {
  return auth::Sha256Hex(caller_text).substr(0, 32);
}

repo::TrailEventRow StoredRowOf(TimePoint time, const Json& record) {
  repo::TrailEventRow row{Str(record, "eventID"),
                          Str(record, "recipientAccountId"),
                          ToEpochSeconds(time),
                          Str(record, "eventSource"),
                          Str(record, "eventName"),
                          {},
                          {},
                          {}};
  // Stored whole unless every field the reader restores is there to be left out.
  const Json columns = ColumnFields(row);
  bool compact = true;
  for (const auto& field : columns) compact = compact && record.contains(field.key());
  for (const Constant& constant : Constants()) {
    compact = compact && record.contains(constant.field);
  }
  if (!compact) {
    row.record = boost::json::serialize(record);
    return row;
  }
  Json caller(record.storage());
  Json rest(record.storage());
  rest.reserve(record.size());
  for (const auto& field : record) {
    const std::string_view key = field.key();
    if (std::find(kCallerFields.begin(), kCallerFields.end(), key) != kCallerFields.end()) {
      caller.emplace(key, field.value());
      continue;
    }
    // Left out when the column or constant gives it back as it is.
    if (const boost::json::value* column = columns.if_contains(key)) {
      if (*column == field.value()) continue;
    }
    const auto constant = std::find_if(Constants().begin(), Constants().end(),
                                       [key](const Constant& c) { return c.field == key; });
    if (constant != Constants().end() && constant->value == field.value()) continue;
    rest.emplace(key, field.value());
  }
  row.caller = boost::json::serialize(caller);
  row.caller_key = CallerKeyOf(row.caller);
  row.record = PackedRecord(boost::json::serialize(rest));
  return row;
}

Result<Json> RecordOfRow(const repo::TrailEventRow& row) {
  OT_ASSIGN_OR_RETURN(std::string text, UnpackedRecord(row.record));
  boost::system::error_code ec;
  boost::json::value stored = boost::json::parse(text, ec);
  if (ec || !stored.is_object()) {
    return InternalError("unreadable trail event " + row.event_id);
  }
  if (row.caller_key.empty()) return std::move(stored.as_object());  // stored whole
  boost::json::value caller = boost::json::parse(row.caller, ec);
  if (ec || !caller.is_object()) {
    return InternalError("trail event " + row.event_id + " has no caller " + row.caller_key);
  }
  const Json& rest = stored.as_object();
  const Json columns = ColumnFields(row);
  Json record;
  record.reserve(rest.size() + columns.size() + caller.as_object().size() + Constants().size());
  for (std::string_view key : kFieldOrder) {
    if (const boost::json::value* v = rest.if_contains(key)) {
      record.emplace(key, *v);
    } else if (const boost::json::value* c = caller.as_object().if_contains(key)) {
      record.emplace(key, *c);
    } else if (const boost::json::value* col = columns.if_contains(key)) {
      record.emplace(key, *col);
    } else {
      for (const Constant& constant : Constants()) {
        if (constant.field == key) record.emplace(key, constant.value);
      }
    }
  }
  for (const auto& field : rest) {  // fields orgtwin does not order, in their stored order
    if (!record.contains(field.key())) record.emplace(field.key(), field.value());
  }
  return record;
}

std::string RecordText(const repo::TrailEventRow& row, const Json& record) {
  return row.caller_key.empty() ? row.record : boost::json::serialize(record);
}

}  // namespace orgtwin::services::trail
