// File: protocol/query/query_test_util.h
//
// Test-only helpers for the Query protocol tests: the embedded IAM/STS models, the synthetic
// query model of tests/conformance/protocol/query/ (flattened lists/maps, locationNames,
// timestamps), and a JSON comparison that treats numbers by value (1 == 1.0) with a 1e-6
// tolerance for fractional timestamps.
#pragma once

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "model/service_model.h"

namespace orgtwin::protocol::query::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string ConformancePath(const std::string& file) {
  return std::string(OT_QUERY_CONFORMANCE_DIR) + "/" + file;
}

inline const model::ServiceModel& Iam() {
  const model::ServiceModel* service = model::Registry::Embedded().BySigningName("iam");
  EXPECT_NE(service, nullptr);
  return *service;
}

inline const model::ServiceModel& Sts() {
  const model::ServiceModel* service = model::Registry::Embedded().BySigningName("sts");
  EXPECT_NE(service, nullptr);
  return *service;
}

// The synthetic model, loaded once through the real loader.
inline const model::ServiceModel& QueryTest() {
  static const std::string* text =
      new std::string(ReadFile(ConformancePath("querytest-model.json")));
  static const model::Registry* registry = [] {
    auto loaded = model::Registry::Load({{*text, ""}});
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? std::move(loaded).value().release() : nullptr;
  }();
  const model::ServiceModel* service =
      registry == nullptr ? nullptr : registry->ByEndpointPrefix("querytest");
  EXPECT_NE(service, nullptr);
  return *service;
}

inline const model::ServiceModel& ServiceNamed(const std::string& name) {
  if (name == "iam") return Iam();
  if (name == "sts") return Sts();
  return QueryTest();
}

// "" when equal, else the path of the first difference.
inline std::string JsonDiff(const boost::json::value& actual, const boost::json::value& expected,
                            const std::string& path = "$") {
  if (actual.is_number() && expected.is_number()) {
    const double a = actual.to_number<double>();
    const double e = expected.to_number<double>();
    if (actual.is_double() || expected.is_double()) {
      return std::fabs(a - e) <= 1e-6 ? ""
                                      : path + ": " + boost::json::serialize(actual) +
                                            " != " + boost::json::serialize(expected);
    }
    return actual == expected ? ""
                              : path + ": " + boost::json::serialize(actual) +
                                    " != " + boost::json::serialize(expected);
  }
  if (actual.kind() != expected.kind()) {
    return path + ": " + boost::json::serialize(actual) + " != " + boost::json::serialize(expected);
  }
  if (expected.is_object()) {
    const auto& a = actual.get_object();
    const auto& e = expected.get_object();
    for (const auto& kv : e) {
      const auto* got = a.if_contains(kv.key());
      if (got == nullptr) return path + "." + std::string(kv.key()) + ": missing";
      std::string diff = JsonDiff(*got, kv.value(), path + "." + std::string(kv.key()));
      if (!diff.empty()) return diff;
    }
    for (const auto& kv : a) {
      if (!e.contains(kv.key())) return path + "." + std::string(kv.key()) + ": unexpected";
    }
    return "";
  }
  if (expected.is_array()) {
    const auto& a = actual.get_array();
    const auto& e = expected.get_array();
    if (a.size() != e.size()) return path + ": array sizes differ";
    for (size_t i = 0; i < e.size(); ++i) {
      std::string diff = JsonDiff(a[i], e[i], path + "[" + std::to_string(i) + "]");
      if (!diff.empty()) return diff;
    }
    return "";
  }
  return actual == expected ? ""
                            : path + ": " + boost::json::serialize(actual) +
                                  " != " + boost::json::serialize(expected);
}

}  // namespace orgtwin::protocol::query::testing
