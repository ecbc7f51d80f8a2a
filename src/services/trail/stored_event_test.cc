// The stored form of CloudTrail events (stored_event.h): records restored field for field and in
// CloudTrail's order, the cases stored whole, and the rows an API call writes through the
// gateway (compact, one caller row per distinct caller).
#include "services/trail/stored_event.h"

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "testing/test_twin.h"

namespace orgtwin::services::trail {
namespace {

namespace json = boost::json;

TimePoint At(int64_t seconds, int64_t micros = 0) {
  return TimePoint(std::chrono::seconds(seconds) + std::chrono::microseconds(micros));
}

// An API call's record as CloudTrail writes it, at 2026-12-05T03:09:44Z (+ 0.25 s).
json::object ApiCall() {
  return json::object{{"eventVersion", "1.09"},
                      {"userIdentity",
                       {{"type", "Root"},
                        {"principalId", "123456789012"},
                        {"arn", "arn:aws:iam::123456789012:root"}}},
                      {"eventTime", "2026-12-05T03:09:44Z"},
                      {"eventSource", "iam.amazonaws.com"},
                      {"eventName", "TagRole"},
                      {"awsRegion", "us-east-1"},
                      {"sourceIPAddress", "127.0.0.1"},
                      {"userAgent", "aws-cli/2.9.19"},
                      {"requestParameters", {{"roleName", "r1"}}},
                      {"responseElements", nullptr},
                      {"requestID", "86fbf44b-278c-4227-805b-1b111e51a12f"},
                      {"eventID", "00676c75-0ea1-4a76-a759-5b07953471aa"},
                      {"readOnly", false},
                      {"eventType", "AwsApiCall"},
                      {"managementEvent", true},
                      {"recipientAccountId", "123456789012"},
                      {"eventCategory", "Management"}};
}
constexpr int64_t kEventSecond = 1796440184;  // 2026-12-05T03:09:44Z

std::vector<std::string> Keys(const json::object& record) {
  std::vector<std::string> keys;
  for (const auto& field : record) keys.emplace_back(field.key());
  return keys;
}

TEST(StoredEventTest, KeepsOnlyWhatTheColumnsCallerAndConstantsDoNotGiveBack) {
  const json::object record = ApiCall();
  repo::TrailEventRow row = StoredRowOf(At(kEventSecond, 250000), record);
  EXPECT_EQ(row.event_id, "00676c75-0ea1-4a76-a759-5b07953471aa");
  EXPECT_EQ(row.account_id, "123456789012");
  EXPECT_EQ(row.caller_key.size(), 32u);
  Result<std::string> rest = UnpackedRecord(row.record);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(json::parse(*rest),
            json::parse(R"({"requestParameters":{"roleName":"r1"},"responseElements":null,)"
                        R"("requestID":"86fbf44b-278c-4227-805b-1b111e51a12f","readOnly":false})"));
  EXPECT_EQ(json::parse(row.caller).as_object().size(), 4u);

  Result<json::object> restored = RecordOfRow(row);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, record);
  EXPECT_EQ(Keys(*restored), Keys(record));  // CloudTrail's order, too
  EXPECT_EQ(RecordText(row, *restored), json::serialize(record));
}

TEST(StoredEventTest, SameCallerSameKeyOtherCallerOtherKey) {
  json::object other = ApiCall();
  other["userAgent"] = "Boto3/1.26.27";
  EXPECT_EQ(StoredRowOf(At(kEventSecond), ApiCall()).caller_key,
            StoredRowOf(At(kEventSecond + 60), ApiCall()).caller_key);
  EXPECT_NE(StoredRowOf(At(kEventSecond), ApiCall()).caller_key,
            StoredRowOf(At(kEventSecond), other).caller_key);
}

TEST(StoredEventTest, ValuesOtherThanTheUsualOnesAreKept) {
  // A console sign-in: another eventType, an errorMessage, additionalEventData; an eventTime the
  // column does not give back; a field orgtwin does not order.
  json::object record = ApiCall();
  record["eventType"] = "AwsConsoleSignIn";
  record["eventTime"] = "2026-12-05T03:09:40Z";
  record["additionalEventData"] = json::object{{"MFAUsed", "Yes"}};
  record["errorMessage"] = "Failed authentication";
  record["tlsDetails"] = json::object{{"tlsVersion", "TLSv1.3"}};
  repo::TrailEventRow row = StoredRowOf(At(kEventSecond), record);
  json::object rest = json::parse(*UnpackedRecord(row.record)).as_object();
  EXPECT_EQ(rest.at("eventType"), "AwsConsoleSignIn");
  EXPECT_EQ(rest.at("eventTime"), "2026-12-05T03:09:40Z");
  Result<json::object> restored = RecordOfRow(row);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, record);
  // errorMessage where CloudTrail writes it (after userAgent); unordered fields last.
  std::vector<std::string> keys = Keys(*restored);
  EXPECT_EQ(keys[8], "errorMessage");
  EXPECT_EQ(keys.back(), "tlsDetails");
}

TEST(StoredEventTest, RecordsWithoutAUsualFieldAreStoredWhole) {
  json::object record = ApiCall();
  record.erase("managementEvent");
  repo::TrailEventRow row = StoredRowOf(At(kEventSecond), record);
  EXPECT_TRUE(row.caller_key.empty());
  EXPECT_EQ(row.record, json::serialize(record));
  Result<json::object> restored = RecordOfRow(row);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, record);
  EXPECT_FALSE(restored->contains("managementEvent"));
}

// The rest is packed with dictionary 1; rows written before packing (plain JSON) read as they
// were.
TEST(StoredEventTest, TheRestIsPackedAndPlainRowsStillRead) {
  repo::TrailEventRow row = StoredRowOf(At(kEventSecond), ApiCall());
  ASSERT_TRUE(row.record.starts_with("l1:")) << row.record;
  Result<std::string> rest = UnpackedRecord(row.record);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_LT(row.record.size(), rest->size());
  EXPECT_EQ(*UnpackedRecord(*rest), *rest);  // plain text passes through

  repo::TrailEventRow plain = row;
  plain.record = *rest;
  Result<json::object> restored = RecordOfRow(plain);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, ApiCall());

  // Every thread packs alike (one compression context per thread).
  std::string packed_elsewhere;
  std::thread([&] { packed_elsewhere = PackedRecord(*rest); }).join();
  EXPECT_EQ(packed_elsewhere, row.record);
}

// Rows packed with zstd and dictionary 1 (the format before LZ4, "z1:") still read. This one was
// written by that code: `zstd -1 -D data/trail/events-1.zstd-dict --no-check --no-dictID`.
TEST(StoredEventTest, RowsPackedWithZstdStillRead) {
  Result<std::string> text =
      UnpackedRecord("z1:KLUv/SCFbQEAg4IGP3rZJ6e76mfzxQ/fbJ+umz4+u/TxQ89VLR0F/OOnABxBceEd9Hj+idt5");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, R"({"requestParameters":{"userName":"alice"},"responseElements":null,)"
                   R"("requestID":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","readOnly":true})");
}

TEST(StoredEventTest, DamagedPackedRecordsAreErrors) {
  EXPECT_FALSE(UnpackedRecord("z1:not base64!").ok());
  EXPECT_FALSE(UnpackedRecord("z1:aGVsbG8gd29ybGQ=").ok());  // base64 of no zstd frame
  EXPECT_FALSE(UnpackedRecord("l1:not base64!").ok());
  EXPECT_FALSE(UnpackedRecord("l1:").ok());          // no size
  EXPECT_FALSE(UnpackedRecord("l1://///w==").ok());  // a size that never ends
  EXPECT_FALSE(UnpackedRecord("l1:gICAEA==").ok());  // a size beyond any record
  EXPECT_FALSE(UnpackedRecord("l1:BWhlbGxv").ok());  // 5 bytes, no LZ4 block
  std::string packed = PackedRecord(R"({"requestParameters":null,"readOnly":true})");
  packed.resize(packed.size() - 4);
  EXPECT_FALSE(UnpackedRecord(packed).ok());
}

TEST(StoredEventTest, UnreadableRowsAreErrors) {
  repo::TrailEventRow row = StoredRowOf(At(kEventSecond), ApiCall());
  row.caller.clear();  // a caller row that is missing
  EXPECT_FALSE(RecordOfRow(row).ok());
  row.record = "{";
  EXPECT_FALSE(RecordOfRow(row).ok());
}

// Through the gateway: an IAM write's rows are compact, restore to the event CloudTrail writes,
// and share one caller row.
TEST(StoredEventTest, ApiCallsWriteCompactRowsAndOneCallerRow) {
  auto created = test::TestTwin::Create({.dir_prefix = "orgtwin-stored-event"});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<test::TestTwin> twin = std::move(created).value();
  for (const char* name : {"alice", "bob"}) {
    HttpResponse response =
        twin->CallQuery("iam", "CreateUser", {{"UserName", name}}, twin->root_keys());
    ASSERT_EQ(response.status, 200) << response.body;
  }
  auto tx = twin->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  const std::string account = twin->account().account_id;
  auto rows = repo::TrailEventsNewestFirst(**tx, account, 0, 1e12, std::nullopt, "CreateUser", 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].caller_key, (*rows)[1].caller_key);
  for (const repo::TrailEventRow& row : *rows) {
    ASSERT_FALSE(row.caller_key.empty());
    EXPECT_TRUE(row.record.starts_with("l1:"));
    EXPECT_EQ(UnpackedRecord(row.record)->find("userIdentity"), std::string::npos);
    Result<json::object> record = RecordOfRow(row);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    EXPECT_EQ(record->at("eventVersion"), "1.09");
    EXPECT_EQ(record->at("eventName"), "CreateUser");
    EXPECT_EQ(record->at("eventID").as_string(), row.event_id);
    EXPECT_EQ(record->at("recipientAccountId").as_string(), account);
    EXPECT_EQ(record->at("userIdentity").at("type"), "Root");
    EXPECT_EQ(record->at("eventType"), "AwsApiCall");
    EXPECT_EQ(record->at("readOnly"), false);
    EXPECT_TRUE(record->at("responseElements").at("user").is_object());
  }
  auto callers = (*tx)->Query("SELECT COUNT(*) FROM trail_callers", {});
  ASSERT_TRUE(callers.ok());
  EXPECT_EQ((*callers)[0].Int(0), 1);
}

// Timestamps in an event's responseElements are in Java's medium date format, as CloudTrail
// writes IAM's ("Nov 27, 2026 11:07:44 PM", UTC): a 12-hour clock, minutes and seconds in two
// digits, the hour and day in as many as they take.
TEST(StoredEventTest, ResponseTimestampsAreInCloudTrailsForm) {
  auto created = test::TestTwin::Create({.dir_prefix = "orgtwin-stored-event"});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<test::TestTwin> twin = std::move(created).value();
  const std::vector<std::pair<std::string, TimePoint>> users = {
      {"at-2307", test::kTestEpoch},                               // 23:07:44
      {"at-0005", test::kTestEpoch + std::chrono::seconds(3445)},  // 00:05:09 the next day
      {"at-1200", test::kTestEpoch + std::chrono::seconds(46336)}  // 12:00:00
  };
  for (const auto& [name, at] : users) {
    twin->fake_clock().Set(at);
    HttpResponse response =
        twin->CallQuery("iam", "CreateUser", {{"UserName", name}}, twin->root_keys());
    ASSERT_EQ(response.status, 200) << response.body;
  }
  auto tx = twin->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto rows = repo::TrailEventsNewestFirst(**tx, twin->account().account_id, 0, 1e12, std::nullopt,
                                           "CreateUser", 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, std::string> created_at;
  for (const repo::TrailEventRow& row : *rows) {
    Result<json::object> record = RecordOfRow(row);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    const json::object& user = record->at("responseElements").at("user").as_object();
    created_at[std::string(user.at("userName").as_string())] = user.at("createDate").as_string();
  }
  EXPECT_EQ(created_at["at-2307"], "Nov 27, 2026 11:07:44 PM");
  EXPECT_EQ(created_at["at-0005"], "Nov 28, 2026 12:05:09 AM");
  EXPECT_EQ(created_at["at-1200"], "Nov 28, 2026 12:00:00 PM");
}

}  // namespace
}  // namespace orgtwin::services::trail
