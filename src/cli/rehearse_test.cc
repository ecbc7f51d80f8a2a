// The rehearsal of examples/shared-payer.yaml in process (so the sanitizer build runs the whole
// engine: the session, plan/apply, the journal, both playbooks' steps, the twin assist), twice on
// one data directory: the second run finds every task done and nothing to apply.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <unistd.h>

#include "cli/engine_commands.h"
#include "testing/temp_dir.h"

namespace orgtwin::cli {
namespace {

std::string Captured(FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), file)) > 0;) text.append(buffer, n);
  return text;
}

// Runs a rehearsal with its standard output captured.
int Rehearse(const EngineOptions& options, std::string* output) {
  std::fflush(stdout);
  FILE* capture = std::tmpfile();
  const int saved = dup(fileno(stdout));
  dup2(fileno(capture), fileno(stdout));
  const int code = RunRehearse(options);
  std::fflush(stdout);
  dup2(saved, fileno(stdout));
  close(saved);
  *output = Captured(capture);
  std::fclose(capture);
  return code;
}

TEST(RehearseTest, TheExampleRehearsesAndASecondRunFindsEverythingDone) {
  test::TempDir dir("orgtwin-rehearse");
  EngineOptions options;
  options.file = std::string(OT_REPO_ROOT) + "/examples/shared-payer.yaml";
  options.data_dir = dir.File("data");
  std::string first;
  ASSERT_EQ(Rehearse(options, &first), 0) << first;
  EXPECT_NE(first.find("[III.12] customer"), std::string::npos) << first;
  EXPECT_NE(first.find("No changes. The accounts match the structure file."), std::string::npos);
  EXPECT_NE(first.find("20 tasks done (0 in an earlier run), 2 manual, 0 waiting"),
            std::string::npos)
      << first;

  std::string second;
  ASSERT_EQ(Rehearse(options, &second), 0) << second;
  EXPECT_NE(second.find("20 tasks done (20 in an earlier run)"), std::string::npos) << second;
  std::ifstream journal(options.data_dir + "/rehearsal.state.json");
  std::stringstream text;
  text << journal.rdbuf();
  EXPECT_NE(text.str().find(R"("payer":")"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace orgtwin::cli
