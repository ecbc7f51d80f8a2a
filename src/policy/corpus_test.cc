// Runs every case of tests/conformance/policy/*.json (FORMAT.md) through the production engine
// via EvaluateCorpusCase, one parameterized test per case.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "policy/corpus_adapter.h"

namespace orgtwin::policy {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct CorpusCase {
  std::string file;
  std::string name;
  json::object body;
};

fs::path CorpusDir() {
  // ctest runs from the repo root; fall back to the configured source dir otherwise.
  fs::path local = "tests/conformance/policy";
  if (fs::is_directory(local)) return local;
  return fs::path(OT_REPO_ROOT) / "tests/conformance/policy";
}

std::vector<CorpusCase> LoadCorpus() {
  std::vector<CorpusCase> cases;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(CorpusDir())) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value v = json::parse(ss.str(), ec);
    if (ec || !v.is_array()) {
      cases.push_back({f.filename().string(), "unparsable_file", {}});
      continue;
    }
    int i = 0;
    for (const auto& c : v.get_array()) {
      CorpusCase cc;
      cc.file = f.filename().string();
      cc.body = c.is_object() ? c.get_object() : json::object();
      auto* n = cc.body.if_contains("name");
      cc.name = (n != nullptr && n->is_string()) ? std::string(n->get_string())
                                                 : "case" + std::to_string(i);
      ++i;
      cases.push_back(std::move(cc));
    }
  }
  return cases;
}

// Keeps gtest from dumping the raw bytes of a case in failure messages.
void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file << "/" << c.name; }

class PolicyCorpus : public testing::TestWithParam<CorpusCase> {};

std::string Str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

TEST_P(PolicyCorpus, MatchesExpectation) {
  const CorpusCase& c = GetParam();
  ASSERT_FALSE(c.body.empty()) << c.file << ": not a JSON array of case objects";
  auto* ex = c.body.if_contains("expect");
  ASSERT_TRUE(ex != nullptr && ex->is_object()) << c.file << "/" << c.name << ": no expect";
  const auto& expect = ex->get_object();
  auto result = EvaluateCorpusCase(c.body);
  ASSERT_TRUE(result.ok()) << c.file << "/" << c.name << ": " << result.status().ToString();
  const CorpusOutcome& out = *result;
  const std::string where = c.file + "/" + c.name;
  if (c.body.contains("validate")) {
    auto* valid = expect.if_contains("valid");
    ASSERT_TRUE(valid != nullptr && valid->is_bool()) << where;
    EXPECT_EQ(out.valid, valid->get_bool()) << where << ": " << out.error << " " << out.message;
    if (expect.contains("error")) {
      EXPECT_EQ(out.error, Str(expect, "error")) << where;
    }
    if (expect.contains("message")) {
      EXPECT_EQ(out.message, Str(expect, "message")) << where;
    }
    return;
  }
  EXPECT_EQ(out.decision, Str(expect, "decision")) << where;
  if (expect.contains("decided_by")) {
    EXPECT_EQ(out.decided_by, Str(expect, "decided_by")) << where;
  }
  if (auto* m = expect.if_contains("matched"); m != nullptr && m->is_array()) {
    std::vector<std::pair<std::string, int>> want, got;
    for (const auto& e : m->get_array()) {
      if (!e.is_object()) continue;
      auto* st = e.get_object().if_contains("statement");
      want.emplace_back(Str(e.get_object(), "policy"),
                        st != nullptr && st->is_int64() ? static_cast<int>(st->get_int64()) : 0);
    }
    for (const auto& g : out.matched) got.emplace_back(g.policy, g.statement);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    got.erase(std::unique(got.begin(), got.end()), got.end());
    EXPECT_EQ(got, want) << where;
  }
}

std::string CaseName(const testing::TestParamInfo<CorpusCase>& info) {
  std::string n = info.param.file + "_" + info.param.name + "_" + std::to_string(info.index);
  for (auto& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, PolicyCorpus, testing::ValuesIn(LoadCorpus()), CaseName);

}  // namespace
}  // namespace orgtwin::policy
