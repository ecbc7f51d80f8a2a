// The event-pattern language against the examples of the EventBridge user guide ("Event
// patterns", "Content filtering"), Event Ruler's parse errors, and the dispatch of matched
// events to registered target invokers over a real store.
#include "services/events/event_pattern.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "repo/events_repository.h"
#include "services/events/dispatch.h"
#include "testing/test_store.h"

namespace orgtwin::services::events {
namespace {

// The user guide's EC2 state-change event.
constexpr const char* kEc2Event = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}})";

bool Match(const std::string& pattern, const std::string& event) {
  auto compiled = EventPattern::Parse(pattern);
  EXPECT_TRUE(compiled.ok()) << pattern << ": " << compiled.status().message();
  if (!compiled.ok()) return false;
  return compiled->Matches(boost::json::parse(event));
}

std::string ParseError(const std::string& pattern) {
  auto compiled = EventPattern::Parse(pattern);
  EXPECT_FALSE(compiled.ok()) << pattern;
  if (compiled.ok()) return "";
  EXPECT_EQ(compiled.status().aws_code(), "InvalidEventPatternException");
  return compiled.status().message();
}

TEST(EventPatternTest, ExactValuesAndArraysAreOr) {
  EXPECT_TRUE(Match(R"({"source": ["aws.ec2"]})", kEc2Event));
  EXPECT_TRUE(Match(R"({"source": ["aws.s3", "aws.ec2"], "detail": {"state": ["terminated"]}})",
                    kEc2Event));
  EXPECT_FALSE(Match(R"({"source": ["aws.ec2"], "detail": {"state": ["running"]}})", kEc2Event));
  EXPECT_FALSE(Match(R"({"detail": {"missing": ["x"]}})", kEc2Event));
  // A value in an array of the event: any element.
  EXPECT_TRUE(Match(
      R"({"resources": ["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                        "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]})",
      kEc2Event));
}

TEST(EventPatternTest, NumbersCompareAsNumbersAndLiteralsExactly) {
  EXPECT_TRUE(Match(R"({"detail": {"x": [300]}})", R"({"detail": {"x": 300.0}})"));
  EXPECT_TRUE(Match(R"({"detail": {"x": [3.0e2]}})", R"({"detail": {"x": 300}})"));
  EXPECT_FALSE(Match(R"({"detail": {"x": [300]}})", R"({"detail": {"x": "300"}})"));
  EXPECT_TRUE(Match(R"({"detail": {"x": [null]}})", R"({"detail": {"x": null}})"));
  EXPECT_FALSE(Match(R"({"detail": {"x": [null]}})", R"({"detail": {"x": ""}})"));
  EXPECT_TRUE(Match(R"({"detail": {"x": [""]}})", R"({"detail": {"x": ""}})"));
  EXPECT_TRUE(Match(R"({"detail": {"ok": [true]}})", R"({"detail": {"ok": true}})"));
  EXPECT_FALSE(Match(R"({"detail": {"ok": [true]}})", R"({"detail": {"ok": "true"}})"));
}

TEST(EventPatternTest, PrefixAndSuffix) {
  EXPECT_TRUE(Match(R"({"time": [{"prefix": "2017-12-22"}]})", kEc2Event));
  EXPECT_FALSE(Match(R"({"time": [{"prefix": "2017-10-02"}]})", kEc2Event));
  EXPECT_TRUE(
      Match(R"({"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}})", kEc2Event));
  EXPECT_TRUE(Match(R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "image.png"})"));
  EXPECT_FALSE(Match(R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "image.PNG"})"));
  EXPECT_TRUE(Match(R"({"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]})",
                    R"({"FileName": "image.PNG"})"));
}

TEST(EventPatternTest, AnythingBut) {
  EXPECT_TRUE(Match(R"({"detail": {"state": [{"anything-but": "initializing"}]}})", kEc2Event));
  EXPECT_FALSE(
      Match(R"({"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}})", kEc2Event));
  EXPECT_TRUE(Match(R"({"detail": {"x-limit": [{"anything-but": 123}]}})",
                    R"({"detail": {"x-limit": 456}})"));
  EXPECT_FALSE(Match(R"({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}})",
                     R"({"detail": {"x-limit": 300}})"));
  EXPECT_FALSE(
      Match(R"({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}})", kEc2Event));
  EXPECT_TRUE(Match(R"({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}})", kEc2Event));
  EXPECT_FALSE(Match(R"({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}})",
                     R"({"detail": {"FileName": "notes.txt"}})"));
  EXPECT_TRUE(Match(R"({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}})",
                    R"({"detail": {"FilePath": "/usr/bin/env"}})"));
  EXPECT_FALSE(Match(R"({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}})",
                     R"({"detail": {"FilePath": "/usr/lib/x.so"}})"));
  EXPECT_FALSE(Match(
      R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "TERMINATED"]}}]}})",
      kEc2Event));
  // anything-but needs the field to be there.
  EXPECT_FALSE(Match(R"({"detail": {"nope": [{"anything-but": "x"}]}})", kEc2Event));
}

TEST(EventPatternTest, Numeric) {
  const std::string pattern = R"({"detail": {
      "c-count": [{"numeric": [">", 0, "<=", 5]}],
      "d-count": [{"numeric": ["<", 10]}],
      "x-limit": [{"numeric": ["=", 3.018e2]}]}})";
  EXPECT_TRUE(Match(pattern, R"({"detail": {"c-count": 5, "d-count": 7, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 0, "d-count": 7, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 5, "d-count": 10, "x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": "5", "d-count": 7, "x-limit": 301.8}})"));
  EXPECT_TRUE(Match(R"({"n": [{"numeric": [">=", 1.5]}]})", R"({"n": 1.5})"));
}

TEST(EventPatternTest, ExistsSeesLeavesOnly) {
  EXPECT_TRUE(Match(R"({"detail": {"state": [{"exists": true}]}})", kEc2Event));
  EXPECT_FALSE(Match(R"({"detail": {"state": [{"exists": false}]}})", kEc2Event));
  EXPECT_TRUE(Match(R"({"detail": {"c-count": [{"exists": false}]}})", kEc2Event));
  // `detail` is an object, not a leaf.
  EXPECT_FALSE(Match(R"({"detail": [{"exists": true}]})", kEc2Event));
  EXPECT_TRUE(Match(R"({"a": [{"exists": false}]})", R"({"a": []})"));
}

TEST(EventPatternTest, EqualsIgnoreCaseWildcardAndCidr) {
  EXPECT_TRUE(Match(
      R"({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]})",
      kEc2Event));
  const std::string bus =
      R"({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]})";
  EXPECT_TRUE(
      Match(bus, R"({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/d"})"));
  EXPECT_FALSE(
      Match(bus, R"({"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/d"})"));
  EXPECT_TRUE(Match(R"({"f": [{"wildcard": "dir/*.png"}]})", R"({"f": "dir/a/b.png"})"));
  EXPECT_TRUE(Match(R"({"f": [{"wildcard": "a\\*b"}]})", R"({"f": "a*b"})"));
  EXPECT_FALSE(Match(R"({"f": [{"wildcard": "a\\*b"}]})", R"({"f": "axb"})"));
  EXPECT_TRUE(Match(R"({"f": [{"wildcard": "*"}]})", R"({"f": ""})"));
  const std::string cidr = R"({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}})";
  EXPECT_TRUE(Match(cidr, R"({"detail": {"sourceIPAddress": "10.0.0.255"}})"));
  EXPECT_FALSE(Match(cidr, R"({"detail": {"sourceIPAddress": "10.0.1.1"}})"));
  EXPECT_TRUE(Match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8::1"})"));
}

TEST(EventPatternTest, OrAndArrayConsistency) {
  const std::string pattern = R"({"detail": {"$or": [
      {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
      {"d-count": [{"numeric": ["<", 10]}]},
      {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}})";
  EXPECT_TRUE(Match(pattern, R"({"detail": {"d-count": 3}})"));
  EXPECT_TRUE(Match(pattern, R"({"detail": {"x-limit": 301.8}})"));
  EXPECT_FALSE(Match(pattern, R"({"detail": {"c-count": 6, "d-count": 11}})"));
  EXPECT_TRUE(Match(
      R"({"source": ["aws.ec2"], "$or": [{"detail-type": ["x"]}, {"account": ["111122223333"]}]})",
      kEc2Event));
  // Fields of one nested pattern match within the same element of an array of objects.
  const std::string nested = R"({"a": {"b": [1], "c": [4]}})";
  EXPECT_FALSE(Match(nested, R"({"a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]})"));
  EXPECT_TRUE(Match(nested, R"({"a": [{"b": 1, "c": 2}, {"b": 1, "c": 4}]})"));
}

TEST(EventPatternTest, ParseErrorsAsEventRuler) {
  EXPECT_EQ(ParseError(R"(["source"])"),
            "Event pattern is not valid. Reason: Filter is not an object");
  EXPECT_EQ(ParseError(R"({"source": "aws.ec2"})"),
            "Event pattern is not valid. Reason: \"source\" must be an object or an array");
  EXPECT_EQ(ParseError(R"({"source": ["aws.health"], "detail": {}})"),
            "Event pattern is not valid. Reason: Empty objects are not allowed");
  EXPECT_EQ(ParseError(R"({"source": []})"),
            "Event pattern is not valid. Reason: Empty arrays are not allowed");
  EXPECT_EQ(
      ParseError(R"({"name": [{"exists": "true"}]})"),
      "Event pattern is not valid. Reason: exists match pattern must be either true or false.");
  EXPECT_EQ(ParseError(R"({"age": [{"numeric": [">", "25"]}]})"),
            "Event pattern is not valid. Reason: Value of > must be numeric");
  EXPECT_EQ(ParseError(R"({"a": [{"regex": "x"}]})"),
            "Event pattern is not valid. Reason: Unrecognized match type regex");
  EXPECT_EQ(ParseError(R"({"a": [{"wildcard": "a**"}]})"),
            "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2");
  EXPECT_EQ(ParseError(R"({"a": [{"wildcard": "a\\b"}]})"),
            "Event pattern is not valid. Reason: Invalid escape character at pos 2");
  EXPECT_EQ(ParseError(R"({"a": [{"anything-but": ["x", 1]}]})"),
            "Event pattern is not valid. Reason: Inside anything but list, either all values are "
            "number or string, mixed type is not supported");
  EXPECT_EQ(ParseError(R"({"$or": [{"a": ["x"]}]})"),
            "Event pattern is not valid. Reason: There must have at least 2 Objects in $or "
            "relationship.");
  EXPECT_EQ(ParseError(R"({"$or": [{"prefix": ["x"]}, {"a": ["y"]}]})"),
            "Event pattern is not valid. Reason: prefix is Ruler reserved fieldName which cannot "
            "be used inside $or.");
  EXPECT_EQ(ParseError(R"({"a": [{"prefix": "x", "suffix": "y"}]})"),
            "Event pattern is not valid. Reason: Only one key allowed in match expression");
  EXPECT_EQ(
      ParseError(R"({"a": [{"numeric": [">", 6e9]}]})"),
      "Event pattern is not valid. Reason: Value must be between -5.0E9 and +5.0E9, inclusive");
  EXPECT_FALSE(ParseError(R"({"a": )").empty());
}

// ---- dispatch --------------------------------------------------------------------------------

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = test::OpenTestStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    RegisterTargetInvoker("sqs", [this](store::Transaction&, TimePoint, IdGenerator&,
                                        const TargetInvocation& invocation) {
      invoked_.push_back(invocation);
      return invocation.target_id == "failing" ? InternalError("target down") : Status::Ok();
    });
  }

  void AddRule(store::Transaction& tx, const std::string& name, const std::string& pattern,
               const std::string& state) {
    repo::EventsRuleRow rule{"111122223333", "us-east-1",
                             name,           "arn:aws:events:us-east-1:111122223333:rule/" + name,
                             pattern,        std::nullopt,
                             state,          std::nullopt,
                             std::nullopt,   0};
    ASSERT_TRUE(repo::UpsertEventsRule(tx, rule).ok());
  }
  void AddTarget(store::Transaction& tx, const std::string& rule, const std::string& id,
                 const std::string& arn, const std::string& extra = "") {
    std::string json = R"({"Id": ")" + id + R"(", "Arn": ")" + arn + "\"" + extra + "}";
    ASSERT_TRUE(repo::UpsertEventsTarget(
                    tx, repo::EventsTargetRow{"111122223333", "us-east-1", rule, id, arn, json, 0})
                    .ok());
  }
  Status Dispatch(store::Transaction& tx, const std::string& event, EventOrigin origin) {
    return DispatchEvent(tx, TimePoint(), ids_, "111122223333", "us-east-1",
                         boost::json::parse(event).as_object(), origin);
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  SeededIdGenerator ids_{1};
  std::vector<TargetInvocation> invoked_;
};

TEST_F(DispatchTest, MatchedRulesInvokeTheirTargetsByOriginAndState) {
  auto tx = store_->Begin(store::TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  // No rule: nothing happens.
  ASSERT_TRUE(Dispatch(**tx, kEc2Event, EventOrigin::kPutEvents).ok());
  EXPECT_TRUE(invoked_.empty());

  AddRule(**tx, "ec2", R"({"source": ["aws.ec2"]})", "ENABLED");
  AddRule(**tx, "all", R"({"account": ["111122223333"]})",
          "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
  AddRule(**tx, "off", R"({"source": ["aws.ec2"]})", "DISABLED");
  AddTarget(**tx, "ec2", "q1", "arn:aws:sqs:us-east-1:111122223333:q1");
  AddTarget(**tx, "ec2", "failing", "arn:aws:sqs:us-east-1:111122223333:q2");
  AddTarget(**tx, "ec2", "nobody", "arn:aws:lambda:us-east-1:111122223333:function:f");
  AddTarget(**tx, "all", "state", "arn:aws:sqs:us-east-1:111122223333:q3",
            R"(, "InputPath": "$.detail.state")");
  AddTarget(**tx, "off", "never", "arn:aws:sqs:us-east-1:111122223333:q4");

  // A failing target and one without an invoker are skipped, not returned.
  ASSERT_TRUE(Dispatch(**tx, kEc2Event, EventOrigin::kCloudTrailWrite).ok());
  std::vector<std::string> targets;
  for (const TargetInvocation& i : invoked_) targets.push_back(i.target_id);
  EXPECT_EQ(targets, (std::vector<std::string>{"state", "failing", "q1"}));
  EXPECT_EQ(invoked_[0].payload, "\"terminated\"");
  EXPECT_EQ(invoked_[0].rule_arn, "arn:aws:events:us-east-1:111122223333:rule/all");
  EXPECT_EQ(boost::json::parse(invoked_[2].payload), boost::json::parse(kEc2Event));

  // Read-only management events reach only the rules that ask for all management events.
  invoked_.clear();
  ASSERT_TRUE(Dispatch(**tx, kEc2Event, EventOrigin::kCloudTrailReadOnly).ok());
  ASSERT_EQ(invoked_.size(), 1u);
  EXPECT_EQ(invoked_[0].target_id, "state");
}

TEST(TargetPayloadTest, InputAndTransformer) {
  auto event = boost::json::parse(kEc2Event).as_object();
  const std::string rule = "arn:aws:events:us-west-1:111122223333:rule/r1";
  EXPECT_EQ(TargetPayload(boost::json::parse(R"({"Input": "{\"a\":1}"})").as_object(), event, rule),
            "{\"a\":1}");
  auto text = boost::json::parse(R"({"InputTransformer": {
      "InputPathsMap": {"instance": "$.detail.instance-id", "state": "$.detail.state"},
      "InputTemplate": "\"<instance> is in state <state> (<aws.events.rule-name>)\""}})");
  EXPECT_EQ(TargetPayload(text.as_object(), event, rule),
            "\"i-1234567890abcdef0 is in state terminated (r1)\"");
  auto json = boost::json::parse(R"({"InputTransformer": {
      "InputPathsMap": {"instance": "$.detail.instance-id", "res": "$.resources"},
      "InputTemplate": "{\"id\": <instance>, \"r\": <res>, \"first\": \"<instance>\"}"}})");
  EXPECT_EQ(boost::json::parse(TargetPayload(json.as_object(), event, rule)),
            boost::json::parse(R"({"id": "i-1234567890abcdef0",
              "r": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
              "first": "i-1234567890abcdef0"})"));
}

TEST(PatternCacheTest, CompilesOnceAndSharesTheResult) {
  auto a = CompiledPattern(R"({"source": ["x"]})");
  auto b = CompiledPattern(R"({"source": ["x"]})");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_FALSE(CompiledPattern("{}").ok());
}

}  // namespace
}  // namespace orgtwin::services::events
