// Differential test: a seeded generator of random-but-valid evaluation cases in the corpus format
// (tests/conformance/policy/FORMAT.md) feeds each case to the reference evaluator and to the
// production engine (policy::EvaluateCorpusCase); both must reach the same decision and name the
// same deciding layer. On a mismatch the case is printed as JSON, ready to be added to the corpus.
// Set OT_DIFFERENTIAL_DUMP=<file> to also write every mismatching case (with the reference's
// outcome as its expectation) to that file.
//
// The generator stays inside the rules both evaluators are specified for: multivalued keys only
// under ForAllValues/ForAnyValue, NotPrincipal lists that name a principal completely or not at
// all, no identity policies on root or anonymous callers, session policies only for sessions.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "policy/corpus_adapter.h"
#include "reference_evaluator.h"

namespace orgtwin::reference {
namespace {

namespace json = boost::json;

constexpr const char* kA = "111111111111";
constexpr const char* kB = "222222222222";

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  json::object Case(int index) {
    json::object c;
    c["name"] = "differential-" + std::to_string(index);
    c["rule"] = "differential: reference vs engine";
    PickPrincipal();
    json::object req;
    req["principal"] = principal_;
    req["action"] = Pick(kActions);
    req["resource"] = Pick(kResources);
    const bool cross = type_ != "Anonymous" && Chance(0.3);
    const std::string resource_account =
        type_ == "Anonymous" ? kA : (cross ? Other(account_) : account_);
    req["resource_account"] = resource_account;
    req["context"] = Context();
    c["request"] = req;

    json::object pols;
    const bool has_identity = type_ != "Root" && type_ != "Anonymous";
    if (has_identity) {
      json::array identity;
      int n = Int(0, 3);
      for (int i = 0; i < n; ++i) identity.push_back(Policy("id" + std::to_string(i), kIdentity));
      pols["identity"] = identity;
      if ((type_ == "User" || type_ == "AssumedRole") && Chance(0.2)) {
        pols["boundary"] = Policy("boundary", kIdentity);
      }
      if ((type_ == "AssumedRole" || type_ == "FederatedUser") && Chance(0.4)) {
        json::array session;
        int ns = Int(0, 2);
        for (int i = 0; i < ns; ++i)
          session.push_back(Policy("sess" + std::to_string(i), kIdentity));
        pols["session"] = session;
      }
    }
    if (Chance(0.5)) pols["resource"] = Policy("rbp", kResourceBased);
    if (type_ != "Anonymous" && Chance(0.4)) pols["scp"] = Levels("scp", kScp);
    if (Chance(0.25)) pols["rcp"] = Levels("rcp", kRcp);
    c["policies"] = pols;
    return c;
  }

 private:
  enum Flavour { kIdentity, kResourceBased, kScp, kRcp };

  static inline const std::vector<std::string> kActions = {
      "s3:GetObject", "s3:PutObject",     "s3:ListBucket",         "iam:CreateUser",
      "iam:GetUser",  "ec2:RunInstances", "ec2:DescribeInstances", "organizations:ListAccounts"};
  static inline const std::vector<std::string> kActionPatterns = {
      "s3:GetObject",   "s3:PutObject",    "s3:*",
      "s3:Get*",        "S3:getobject",    "*",
      "iam:*",          "ec2:Describe*",   "s3:?utObject",
      "iam:Get*",       "organizations:*", "ec2:*Instances",
      "iam:CreateUser", "s3:List*"};
  static inline const std::vector<std::string> kResources = {
      "arn:aws:s3:::bucket/key",
      "arn:aws:s3:::bucket/home/alice/x",
      "arn:aws:s3:::other/key",
      "arn:aws:iam::111111111111:user/alice",
      "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
      "arn:aws:s3:::bucket/blue"};
  static inline const std::vector<std::string> kResourcePatterns = {
      "*",
      "arn:aws:s3:::bucket/*",
      "arn:aws:s3:::*",
      "arn:aws:s3:::bucket/key",
      "arn:aws:s3:::BUCKET/*",
      "arn:aws:iam::*:user/*",
      "arn:aws:ec2:*:*:instance/*",
      "arn:aws:s3:::b?cket/*",
      "arn:aws:s3:::bucket/home/${aws:username}/*",
      "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'key'}",
      "arn:aws:s3:::bucket/${aws:PrincipalTag/team}",
      "arn:aws:ec2:us-*:111111111111:instance/i-?"};

  struct KeySpec {
    const char* key;
    std::vector<std::string> ops;
    std::vector<std::string> values;  // policy and request values come from the same pool
    bool multivalued;
  };
  static inline const std::vector<KeySpec> kKeys = {
      {"aws:RequestedRegion",
       {"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase"},
       {"us-east-1", "eu-west-1", "US-EAST-1", "us-*"},
       false},
      {"aws:PrincipalTag/team",
       {"StringEquals", "StringNotEquals", "StringLike"},
       {"blue", "red", "key", "b*"},
       false},
      {"aws:MultiFactorAuthAge",
       {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals"},
       {"60", "3600", "7200", "3600.0"},
       false},
      {"aws:CurrentTime",
       {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals"},
       {"2024-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "1704067200", "2024-01-01"},
       false},
      {"aws:SecureTransport", {"Bool"}, {"true", "false"}, false},
      {"aws:MultiFactorAuthPresent", {"Bool"}, {"true", "false"}, false},
      {"aws:SourceIp",
       {"IpAddress", "NotIpAddress"},
       {"203.0.113.0/24", "203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "2001:db8::1"},
       false},
      {"aws:PrincipalArn",
       {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"},
       {"arn:aws:iam::111111111111:user/alice", "arn:aws:iam::*:user/*",
        "arn:aws:iam::111111111111:role/R", "arn:aws:iam::111111111111:root"},
       false},
      {"s3:x-amz-binary", {"BinaryEquals"}, {"AAEC", "QmluYXJ5"}, false},
      {"aws:TagKeys",
       {"ForAllValues:StringEquals", "ForAnyValue:StringEquals", "ForAllValues:StringLike",
        "ForAnyValue:StringNotEquals", "ForAllValues:StringNotEquals", "ForAnyValue:StringLike"},
       {"env", "team", "owner", "t*"},
       true},
  };

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  static std::string Other(const std::string& account) { return account == kA ? kB : kA; }

  void PickPrincipal() {
    static const std::vector<std::string> kTypes = {
        "User",          "User", "AssumedRole",       "AssumedRole",
        "FederatedUser", "Root", "ServiceLinkedRole", "Anonymous"};
    type_ = Pick(kTypes);
    account_ = Chance(0.8) ? kA : kB;
    principal_ = json::object();
    principal_["type"] = type_;
    principal_["account"] = type_ == "Anonymous" ? "" : account_;
    std::string acct = account_;
    if (type_ == "User") {
      arn_ = "arn:aws:iam::" + acct + ":user/" + (Chance(0.7) ? "alice" : "bob");
      role_arn_.clear();
    } else if (type_ == "AssumedRole") {
      role_arn_ = "arn:aws:iam::" + acct + ":role/R";
      arn_ = "arn:aws:sts::" + acct + ":assumed-role/R/s1";
    } else if (type_ == "ServiceLinkedRole") {
      role_arn_ =
          "arn:aws:iam::" + acct +
          ":role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations";
      arn_ = "arn:aws:sts::" + acct + ":assumed-role/AWSServiceRoleForOrganizations/organizations";
    } else if (type_ == "FederatedUser") {
      arn_ = "arn:aws:sts::" + acct + ":federated-user/fred";
      role_arn_.clear();
    } else if (type_ == "Root") {
      arn_ = "arn:aws:iam::" + acct + ":root";
      role_arn_.clear();
    } else {
      arn_.clear();
      role_arn_.clear();
    }
    principal_["arn"] = arn_;
    if (!role_arn_.empty()) principal_["role_arn"] = role_arn_;
  }

  json::object Context() {
    json::object ctx;
    // Keys every signed request carries (AWS-FACTS 1.7, 1.8) are always supplied, so neither
    // evaluator has to derive them: aws:username for IAM users, aws:PrincipalArn (the role ARN
    // for a role session) for everyone but anonymous callers.
    if (type_ == "User") ctx["aws:username"] = arn_.substr(arn_.rfind('/') + 1);
    if (type_ != "Anonymous") ctx["aws:PrincipalArn"] = role_arn_.empty() ? arn_ : role_arn_;
    for (const KeySpec& k : kKeys) {
      if (std::string(k.key) == "aws:PrincipalArn") continue;
      if (!Chance(0.5)) continue;
      std::string key = k.key;
      if (Chance(0.1)) {
        for (char& ch : key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      if (k.multivalued) {
        json::array vals;
        int n = Int(0, 3);
        for (int i = 0; i < n; ++i) vals.push_back(json::string(Pick(k.values)));
        ctx[key] = vals;
      } else if (std::string(k.key) == "aws:SourceIp") {
        static const std::vector<std::string> kIps = {"203.0.113.7", "10.1.2.3", "198.51.100.1",
                                                      "2001:db8::1", "2001:db9::1"};
        ctx[key] = Pick(kIps);
      } else {
        std::string v = Pick(k.values);
        if (v.find('*') != std::string::npos) v = "blue";  // request values carry no wildcards
        ctx[key] = v;
      }
    }
    return ctx;
  }

  json::value Condition() {
    json::object cond;
    int n = Int(1, 2);
    for (int i = 0; i < n; ++i) {
      const KeySpec& k = kKeys[static_cast<size_t>(Int(0, static_cast<int>(kKeys.size()) - 1))];
      std::string op = Pick(k.ops);
      if (!k.multivalued && Chance(0.15)) {
        op = "Null";
      } else if (!k.multivalued && Chance(0.2)) {
        op += "IfExists";
      }
      json::value values;
      if (op == "Null") {
        values = Chance(0.5) ? "true" : "false";
      } else if (Chance(0.5)) {
        values = json::string(Pick(k.values));
      } else {
        json::array arr;
        int m = Int(1, 3);
        for (int j = 0; j < m; ++j) arr.push_back(json::string(Pick(k.values)));
        values = arr;
      }
      if (std::string(k.key) == "aws:PrincipalTag/team" && Chance(0.2)) {
        values = "${aws:username}";  // a variable in a condition value
      }
      json::object& block = cond[op].is_object() ? cond[op].as_object() : cond[op].emplace_object();
      block[k.key] = values;
    }
    return cond;
  }

  json::value StringOrList(const std::vector<std::string>& pool) {
    if (Chance(0.6)) return json::string(Pick(pool));
    json::array arr;
    int n = Int(1, 3);
    for (int i = 0; i < n; ++i) arr.push_back(json::string(Pick(pool)));
    return arr;
  }

  // A Principal element value naming one of the principal forms (or someone else).
  json::value PrincipalElement() {
    if (Chance(0.15)) return json::string("*");
    std::vector<std::string> forms = {kA,
                                      kB,
                                      std::string("arn:aws:iam::") + kA + ":root",
                                      std::string("arn:aws:iam::") + kB + ":root",
                                      "*",
                                      "arn:aws:iam::111111111111:user/alice",
                                      "arn:aws:iam::111111111111:role/R",
                                      "arn:aws:sts::111111111111:assumed-role/R/s1",
                                      "arn:aws:sts::111111111111:federated-user/fred",
                                      "arn:aws:iam::222222222222:role/R"};
    if (!arn_.empty()) forms.push_back(arn_);
    if (!role_arn_.empty()) forms.push_back(role_arn_);
    json::object p;
    p["AWS"] = StringOrList(forms);
    return p;
  }

  // NotPrincipal names the caller completely (arn, role, account) or a different account only.
  json::value NotPrincipalElement() {
    json::array list;
    if (type_ != "Anonymous" && Chance(0.5)) {
      if (!arn_.empty() && type_ != "Root") list.push_back(json::string(arn_));
      if (!role_arn_.empty()) list.push_back(json::string(role_arn_));
      list.push_back(json::string("arn:aws:iam::" + account_ + ":root"));
    } else {
      list.push_back(json::string("arn:aws:iam::333333333333:root"));
    }
    json::object p;
    p["AWS"] = list;
    return p;
  }

  json::object Statement(Flavour flavour) {
    json::object s;
    const bool deny = flavour == kScp || flavour == kRcp ? Chance(0.5) : Chance(0.25);
    s["Effect"] = deny ? "Deny" : "Allow";
    if (Chance(0.15)) {
      s["NotAction"] = StringOrList(kActionPatterns);
    } else {
      s["Action"] = StringOrList(kActionPatterns);
    }
    if (flavour == kResourceBased) {
      if (deny && Chance(0.2)) {
        s["NotPrincipal"] = NotPrincipalElement();
      } else {
        s["Principal"] = PrincipalElement();
      }
    } else if (flavour == kRcp) {
      s["Principal"] = "*";
    }
    if (Chance(0.1)) {
      s["NotResource"] = StringOrList(kResourcePatterns);
    } else {
      s["Resource"] = StringOrList(kResourcePatterns);
    }
    if (Chance(0.4)) s["Condition"] = Condition();
    return s;
  }

  json::object Policy(const std::string& id, Flavour flavour) {
    json::object doc;
    if (flavour == kScp || flavour == kRcp || Chance(0.9)) {
      doc["Version"] = "2012-10-17";
    } else if (Chance(0.5)) {
      doc["Version"] = "2008-10-17";
    }
    json::array statements;
    int n = Int(1, 3);
    for (int i = 0; i < n; ++i) statements.push_back(Statement(flavour));
    if (n == 1 && Chance(0.3)) {
      doc["Statement"] = statements[0];
    } else {
      doc["Statement"] = statements;
    }
    json::object p;
    p["id"] = id;
    p["document"] = doc;
    return p;
  }

  json::array Levels(const std::string& prefix, Flavour flavour) {
    json::array levels;
    int n = Int(1, 3);
    for (int l = 0; l < n; ++l) {
      json::array level;
      if (Chance(0.8)) {
        json::object full;
        full["id"] = prefix + std::to_string(l) + "-full";
        json::object st{{"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}};
        if (flavour == kRcp) st["Principal"] = "*";
        full["document"] = json::object{{"Version", "2012-10-17"}, {"Statement", json::array{st}}};
        level.push_back(full);
      }
      if (Chance(0.4)) level.push_back(Policy(prefix + std::to_string(l) + "-p", flavour));
      levels.push_back(level);
    }
    return levels;
  }

  std::mt19937_64 rng_;
  json::object principal_;
  std::string type_;
  std::string account_;
  std::string arn_;
  std::string role_arn_;
};

struct Stats {
  int cases = 0;
  int decision_mismatches = 0;
  int decided_by_mismatches = 0;
  int engine_errors = 0;
  int allow = 0, explicit_deny = 0, implicit_deny = 0;
};

void RunSeed(uint64_t seed, int count, Stats* stats, json::array* found) {
  Generator gen(seed);
  int printed = 0;
  for (int i = 0; i < count; ++i) {
    json::object c = gen.Case(i);
    c["name"] = "differential-seed" + std::to_string(seed) + "-" + std::to_string(i);
    Result<Outcome> ref = EvaluateCase(c);
    ASSERT_TRUE(ref.ok()) << "the generator made a malformed case: " << ref.status().ToString()
                          << "\n"
                          << json::serialize(c);
    ++stats->cases;
    if (ref->decision == "Allow") ++stats->allow;
    if (ref->decision == "ExplicitDeny") ++stats->explicit_deny;
    if (ref->decision == "ImplicitDeny") ++stats->implicit_deny;
    Result<policy::CorpusOutcome> eng = policy::EvaluateCorpusCase(c);
    std::string problem;
    if (!eng.ok()) {
      ++stats->engine_errors;
      problem = "engine error: " + eng.status().ToString();
    } else if (eng->decision != ref->decision) {
      ++stats->decision_mismatches;
      problem = "decision: reference " + ref->decision + "/" + ref->decided_by + ", engine " +
                eng->decision + "/" + eng->decided_by;
    } else if (eng->decided_by != ref->decided_by) {
      ++stats->decided_by_mismatches;
      problem = "decided_by: reference " + ref->decided_by + ", engine " + eng->decided_by;
    }
    if (problem.empty()) continue;
    if (printed++ < 5) {
      ADD_FAILURE() << "seed " << seed << " case " << i << ": " << problem << "\n"
                    << json::serialize(c);
    }
    json::object expect{{"decision", ref->decision}, {"decided_by", ref->decided_by}};
    c["expect"] = expect;
    c["rule"] = "differential (" + problem + "); expectation from the reference evaluator";
    found->push_back(c);
  }
}

TEST(PolicyDifferentialTest, ReferenceAndEngineAgree) {
  Stats stats;
  json::array found;
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    RunSeed(seed, 1000, &stats, &found);
  }
  std::cout << "differential: " << stats.cases << " cases (Allow " << stats.allow
            << ", ExplicitDeny " << stats.explicit_deny << ", ImplicitDeny " << stats.implicit_deny
            << "); decision mismatches " << stats.decision_mismatches << ", decided_by mismatches "
            << stats.decided_by_mismatches << ", engine errors " << stats.engine_errors << "\n";
  if (const char* dump = std::getenv("OT_DIFFERENTIAL_DUMP"); dump != nullptr && !found.empty()) {
    std::ofstream(dump) << json::serialize(found) << "\n";
  }
  EXPECT_EQ(stats.decision_mismatches, 0);
  EXPECT_EQ(stats.decided_by_mismatches, 0);
  EXPECT_EQ(stats.engine_errors, 0);
  // The generator must exercise every outcome, or the comparison proves little.
  EXPECT_GT(stats.allow, stats.cases / 20);
  EXPECT_GT(stats.explicit_deny, stats.cases / 20);
  EXPECT_GT(stats.implicit_deny, stats.cases / 20);
}

}  // namespace
}  // namespace orgtwin::reference
