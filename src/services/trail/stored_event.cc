#include "services/trail/stored_event.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

// LZ4_attach_dictionary is in LZ4's static-only API (services/trail/CMakeLists.txt links liblz4.a).
#define LZ4_STATIC_LINKING_ONLY
#include <lz4.h>
#include <zdict.h>
#include <zstd.h>

#include "auth/sigv4.h"
#include "common/base64.h"
#include "common/json_fields.h"
#include "services/identity/session_token.h"
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

// ---- Packing (LZ4 with dictionary 1; zstd rows from before still read) ----

// "l1:": LZ4 with dictionary 1's content. "z1:": zstd with dictionary 1, what rows were packed
// with before (zstd keeps a record a fifth to a third smaller, but costs the writer thread, which
// packs every write's event, four to five times the time: 2.45 us against 0.66 us for a 938-byte
// AssumeRole record, 1.54 against 0.30 for CreateRole's, on one core of the bench machine).
constexpr std::string_view kPackedPrefix = "l1:";
constexpr std::string_view kZstdPrefix = "z1:";
static_assert(kPackedPrefix.size() == kZstdPrefix.size());
// The largest record unpacked (a sanity bound for damaged rows; records are a few KB).
constexpr uint64_t kMaxRecordBytes = 1u << 24;

struct Dictionary {
  std::string_view content;  // what LZ4 matches against: the zstd dictionary without its header
  LZ4_stream_t* compress;    // LZ4's state with the content loaded, attached to each record's
  ZSTD_DDict* decompress;    // the zstd rows'
};

// Built once and never freed: all of it is read-only and shared by every thread.
const Dictionary& DictionaryOne() {
  static const Dictionary kDictionary = [] {
    const size_t size = static_cast<size_t>(ot_trail_dictionary_1_end - ot_trail_dictionary_1);
    const size_t header = ZDICT_getDictHeaderSize(ot_trail_dictionary_1, size);
    const std::string_view content =
        ZDICT_isError(header) != 0u
            ? std::string_view(ot_trail_dictionary_1, size)
            : std::string_view(ot_trail_dictionary_1 + header, size - header);
    LZ4_stream_t* stream = LZ4_createStream();
    LZ4_loadDict(stream, content.data(), static_cast<int>(content.size()));
    return Dictionary{content, stream, ZSTD_createDDict(ot_trail_dictionary_1, size)};
  }();
  return kDictionary;
}

// One LZ4 state per thread; each record starts it afresh with the loaded dictionary attached
// (LZ4_attach_dictionary: neither hashed again nor copied, so packing a small record touches
// little memory).
LZ4_stream_t* ThreadCompressor() {
  thread_local std::unique_ptr<LZ4_stream_t, int (*)(LZ4_stream_t*)> stream(LZ4_createStream(),
                                                                            LZ4_freeStream);
  return stream.get();
}

ZSTD_DCtx* ThreadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx);
  return context.get();
}

// LEB128: the text's size before the block, which LZ4's format does not carry.
void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

bool ReadVarint(std::string_view& in, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

Result<std::string> UnpackedZstd(std::string_view frame) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxRecordBytes) {
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

Result<std::string> UnpackedLz4(std::string_view packed) {
  uint64_t size = 0;
  if (!ReadVarint(packed, &size) || size > kMaxRecordBytes) {
    return InternalError("a packed trail record has no readable size");
  }
  const Dictionary& dictionary = DictionaryOne();
  std::string text(static_cast<size_t>(size), '\0');
  const int got = LZ4_decompress_safe_usingDict(
      packed.data(), text.data(), static_cast<int>(packed.size()), static_cast<int>(text.size()),
      dictionary.content.data(), static_cast<int>(dictionary.content.size()));
  if (got < 0 || static_cast<uint64_t>(got) != size) {
    return InternalError("a packed trail record does not decompress");
  }
  return text;
}

}  // namespace

std::string PackedRecord(std::string_view text) {
  if (text.size() > kMaxRecordBytes) return std::string(text);  // stored as it is; reads alike
  const int bound = LZ4_compressBound(static_cast<int>(text.size()));
  std::string packed;
  AppendVarint(text.size(), packed);
  const size_t block_at = packed.size();
  packed.resize(block_at + static_cast<size_t>(bound));
  LZ4_stream_t* stream = ThreadCompressor();
  LZ4_resetStream_fast(stream);
  LZ4_attach_dictionary(stream, DictionaryOne().compress);
  const int size = LZ4_compress_fast_continue(stream, text.data(), packed.data() + block_at,
                                              static_cast<int>(text.size()), bound, 1);
  if (size <= 0) return std::string(text);
  packed.resize(block_at + static_cast<size_t>(size));
  std::string stored(kPackedPrefix);
  stored += Base64Encode(packed);
  return stored;
}

Result<std::string> UnpackedRecord(std::string_view stored) {
  const bool lz4 = stored.starts_with(kPackedPrefix);
  if (!lz4 && !stored.starts_with(kZstdPrefix)) return std::string(stored);
  std::string packed;
  if (!Base64Decode(stored.substr(kPackedPrefix.size()), &packed)) {
    return InternalError("a packed trail record is not base64");
  }
  return lz4 ? UnpackedLz4(packed) : UnpackedZstd(packed);
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

namespace {

// responseElements.credentials.sessionToken back from its seed (stored_event.h).
void RestoreSessionToken(Json& record) {
  boost::json::object* response =
      record.contains("responseElements") ? record.at("responseElements").if_object() : nullptr;
  boost::json::value* credentials =
      response != nullptr ? response->if_contains("credentials") : nullptr;
  boost::json::value* token = credentials != nullptr && credentials->is_object()
                                  ? credentials->get_object().if_contains("sessionToken")
                                  : nullptr;
  if (token == nullptr || !token->is_string()) return;
  const std::string_view stored = token->get_string();
  if (!stored.starts_with(kSessionTokenSeedMark)) return;
  *token = SessionTokenOfSeed(stored.substr(kSessionTokenSeedMark.size()));
}

}  // namespace

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
  RestoreSessionToken(record);
  return record;
}

std::string RecordText(const repo::TrailEventRow& row, const Json& record) {
  return row.caller_key.empty() ? row.record : boost::json::serialize(record);
}

}  // namespace orgtwin::services::trail
