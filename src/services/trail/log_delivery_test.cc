// CloudTrail log-file delivery over a whole in-process twin (FakeClock): trails made through the
// API, events written through the trail_events repository as the sign-in and audit paths write
// them, and files read back with zlib.
#include "services/trail/log_delivery.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <zlib.h>

#include "repo/trail_repository.h"
#include "repo/trails_repository.h"
#include "testing/test_twin.h"

namespace orgtwin::services::trail {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string Gunzip(const std::string& bytes) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  char buffer[4096];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

class LogDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-delivery"});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    // The tests write the events they deliver themselves (Record below); the audit trail's
    // events of the tests' own CloudTrail calls would mix into the files.
    twin_->gateway().SetCallObserver(nullptr);
    root_ = twin_->root_keys();
    account_ = twin_->account().account_id;
    data_ = twin_->dir().path() + "/data";
    fs::create_directories(data_);
  }

  int Call(const std::string& op, const json::object& input) {
    HttpResponse response = twin_->CallJson("cloudtrail", op, input, root_);
    EXPECT_EQ(response.status, 200) << op << ": " << response.body;
    return response.status;
  }

  // An event of the account at the twin's current time, as the audit trail records it.
  std::string Record(const std::string& name, bool read_only) {
    std::string id = "ev-" + std::to_string(++events_);
    json::object record{{"eventVersion", "1.08"},
                        {"eventTime", FormatIso8601Seconds(twin_->clock().Now())},
                        {"eventSource", "iam.amazonaws.com"},
                        {"eventName", name},
                        {"awsRegion", "us-east-1"},
                        {"eventID", id},
                        {"readOnly", read_only},
                        {"eventType", "AwsApiCall"},
                        {"managementEvent", true},
                        {"recipientAccountId", account_}};
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    EXPECT_TRUE(tx.ok());
    EXPECT_TRUE(repo::InsertTrailEvent(**tx, {id,
                                              account_,
                                              ToEpochSeconds(twin_->clock().Now()),
                                              "iam.amazonaws.com",
                                              name,
                                              json::serialize(record),
                                              {},
                                              {}})
                    .ok());
    EXPECT_TRUE((*tx)->Commit().ok());
    return id;
  }

  void Advance(int seconds) { twin_->fake_clock().Advance(std::chrono::seconds(seconds)); }

  LogDeliveryOptions Options() const {
    LogDeliveryOptions options;
    options.data_dir = data_;
    return options;
  }

  int Deliver(int64_t max_events_per_pass = 5000) {
    LogDeliveryOptions options = Options();
    options.max_events_per_pass = max_events_per_pass;
    LogDelivery delivery(twin_->store(), twin_->clock(), twin_->ids(), options);
    Result<int> files = delivery.DeliverDue();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : -1;
  }

  std::vector<fs::path> Files() const {
    std::vector<fs::path> out;
    if (!fs::exists(data_)) return out;
    for (const auto& entry : fs::recursive_directory_iterator(data_)) {
      if (entry.is_regular_file()) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The eventIDs in every delivered file, in file order.
  std::vector<std::string> DeliveredIds() const {
    std::vector<std::string> ids;
    for (const fs::path& file : Files()) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      json::value doc = json::parse(Gunzip(bytes));
      for (const json::value& r : doc.at("Records").as_array()) {
        ids.emplace_back(r.at("eventID").as_string());
      }
    }
    return ids;
  }

  std::unique_ptr<test::TestTwin> twin_;
  test::Keys root_;
  std::string account_;
  std::string data_;
  int events_ = 0;
};

TEST_F(LogDeliveryTest, DeliversSettledEventsSinceStartLoggingOnceInAwsLayout) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}, {"S3KeyPrefix", "p"}});
  Record("Before", false);  // before StartLogging: not the trail's
  Advance(1);
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  const std::string first = Record("CreateUser", false);
  EXPECT_EQ(Deliver(), 0);  // not settled yet
  Advance(3);
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(Deliver(), 0);  // nothing twice
  EXPECT_EQ(DeliveredIds(), std::vector<std::string>{first});

  std::vector<fs::path> files = Files();
  ASSERT_EQ(files.size(), 1u);
  const std::string relative = fs::relative(files[0], data_).string();
  const std::string dir = "logs/p/AWSLogs/" + account_ + "/CloudTrail/us-east-1/";
  EXPECT_EQ(relative.substr(0, dir.size()), dir) << relative;
  const std::string name = files[0].filename().string();
  const std::string start = account_ + "_CloudTrail_us-east-1_";
  EXPECT_EQ(name.substr(0, start.size()), start) << name;
  // YYYYMMDDTHHmmZ_ + 16 alphanumerics + .json.gz
  EXPECT_EQ(name.size(), start.size() + 14 + 1 + 16 + 8) << name;

  // LatestDeliveryTime is set.
  HttpResponse status = twin_->CallJson("cloudtrail", "GetTrailStatus", {{"Name", "audit"}}, root_);
  EXPECT_NE(status.body.find("\"LatestDeliveryTime\""), std::string::npos) << status.body;
}

TEST_F(LogDeliveryTest, StopLoggingStopsDeliveryButNotForEventsFromBefore) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  const std::string before = Record("CreateUser", false);
  Advance(1);
  Call("StopLogging", {{"Name", "audit"}});
  Advance(1);
  Record("DeleteUser", false);
  Advance(5);
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(Deliver(), 0);
  EXPECT_EQ(DeliveredIds(), std::vector<std::string>{before});
  // The stopped trail is off the work list once its cursor reached the stop.
  auto tx = twin_->store().Begin(store::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto work = repo::TrailsToDeliver(**tx);
  ASSERT_TRUE(work.ok());
  EXPECT_TRUE(work->empty());
}

TEST_F(LogDeliveryTest, ARestartedTrailSkipsTheIntervalItWasNotLogging) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  const std::string before = Record("CreateUser", false);
  Advance(1);
  Call("StopLogging", {{"Name", "audit"}});
  Advance(1);
  Record("DeleteUser", false);  // while stopped
  Advance(1);
  Call("StartLogging", {{"Name", "audit"}});  // `before` is not delivered yet
  Advance(1);
  const std::string after = Record("CreateRole", false);
  Advance(3);
  // Passes: the backlog up to the stop, the cursor to the stop, the jump to the restart, the
  // events since.
  int files = 0;
  for (int pass = 0; pass < 6; ++pass) files += Deliver();
  EXPECT_EQ(files, 2);
  EXPECT_EQ(DeliveredIds(), (std::vector<std::string>{before, after}));
}

TEST_F(LogDeliveryTest, ABacklogIsDeliveredInBatchesInOrder) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  std::vector<std::string> ids;
  for (const char* name : {"A", "B", "C"}) {
    ids.push_back(Record(name, false));
    Advance(1);
  }
  Advance(3);
  EXPECT_EQ(Deliver(2), 1);
  EXPECT_EQ(DeliveredIds().size(), 2u);
  EXPECT_EQ(Deliver(2), 1);
  EXPECT_EQ(Deliver(2), 0);
  std::vector<std::string> all = DeliveredIds();
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, ids);
}

TEST_F(LogDeliveryTest, WriteOnlySelectorLeavesReadEventsOut) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("PutEventSelectors",
       {{"TrailName", "audit"},
        {"EventSelectors", json::array{json::object{{"ReadWriteType", "WriteOnly"}}}}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  Record("ListUsers", true);
  const std::string write = Record("CreateUser", false);
  Advance(3);
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(DeliveredIds(), std::vector<std::string>{write});
}

TEST_F(LogDeliveryTest, AnInterruptedDeliveryIsRedoneWithoutLossOrRepeat) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  const std::string a = Record("CreateUser", false);
  const std::string b = Record("CreateRole", false);
  Advance(3);
  // A delivery recorded as pending (up to `a`) whose files were never written: the process died
  // between the two steps.
  const std::string arn = "arn:aws:cloudtrail:us-east-1:" + account_ + ":trail/audit";
  {
    auto tx = twin_->store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    auto trail = repo::FindTrail(**tx, arn);
    ASSERT_TRUE(trail.ok() && trail->has_value());
    auto events = repo::TrailEventsAfter(**tx, {account_}, (*trail)->delivered_time,
                                         (*trail)->delivered_event_id, 1e12, "", 1);
    ASSERT_TRUE(events.ok() && events->size() == 1u);
    ASSERT_TRUE(repo::SetTrailPendingDelivery(**tx, arn, events->front().event_time,
                                              events->front().event_id, "nonce1",
                                              ToEpochSeconds(twin_->clock().Now()))
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  // The redo writes the pending delivery (the first event), the next pass the rest.
  EXPECT_EQ(Deliver(), 1);
  std::vector<std::string> first = DeliveredIds();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(Deliver(), 0);
  std::vector<std::string> all = DeliveredIds();
  std::sort(all.begin(), all.end());
  std::vector<std::string> expected{a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
}

// An organization's accounts are read in chunks; the first events overall come back whichever
// chunk their accounts are in.
TEST_F(LogDeliveryTest, EventsOfManyAccountsComeBackOldestFirstAcrossChunks) {
  std::vector<std::string> accounts;
  accounts.reserve(1200);
  for (int i = 0; i < 1200; ++i) accounts.push_back(std::to_string(100000000000 + i));
  auto tx = twin_->store().Begin(store::TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  // Newest in the first chunk, oldest in the last.
  ASSERT_TRUE(repo::InsertTrailEvent(**tx, {"e3", accounts[0], 30, "s", "n", "{}", {}, {}}).ok());
  ASSERT_TRUE(repo::InsertTrailEvent(**tx, {"e2", accounts[700], 20, "s", "n", "{}", {}, {}}).ok());
  ASSERT_TRUE(
      repo::InsertTrailEvent(**tx, {"e1", accounts[1199], 10, "s", "n", "{}", {}, {}}).ok());
  auto events = repo::TrailEventsAfter(**tx, accounts, 0, "", 100, "", 2);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(events->at(0).event_id, "e1");
  EXPECT_EQ(events->at(1).event_id, "e2");
}

TEST_F(LogDeliveryTest, ARestartNeitherLosesNorRepeatsEvents) {
  Call("CreateTrail", {{"Name", "audit"}, {"S3BucketName", "logs"}});
  Call("StartLogging", {{"Name", "audit"}});
  Advance(1);
  const std::string a = Record("CreateUser", false);
  Advance(3);
  EXPECT_EQ(Deliver(), 1);
  ASSERT_TRUE(twin_->Reopen().ok());
  root_ = twin_->root_keys();
  const std::string b = Record("CreateRole", false);
  EXPECT_EQ(Deliver(), 0);  // not settled: the cursor survived the restart, `a` is not redone
  Advance(3);
  EXPECT_EQ(Deliver(), 1);
  std::vector<std::string> all = DeliveredIds();
  std::sort(all.begin(), all.end());
  std::vector<std::string> expected{a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
}

}  // namespace
}  // namespace orgtwin::services::trail
