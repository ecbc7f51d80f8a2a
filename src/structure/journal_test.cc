// The journal beside a structure file: what it keeps, that it survives a reopen, and that a file
// that is not a journal is refused rather than overwritten.
#include "structure/journal.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace orgtwin::structure {
namespace {

TEST(JournalTest, DefaultPathSitsBesideTheStructureFile) {
  EXPECT_EQ(Journal::DefaultPath("examples/shared-payer.yaml"), "examples/shared-payer.state.json");
  EXPECT_EQ(Journal::DefaultPath("/a/b.yml"), "/a/b.state.json");
}

TEST(JournalTest, KeepsAccountIdsAndTaskStatesAcrossReopening) {
  test::TempDir dir("orgtwin-journal");
  const std::string path = dir.File("run.state.json");
  {
    auto journal = Journal::Open(path);
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    EXPECT_TRUE(journal->account_ids().empty());
    EXPECT_EQ(journal->Task("transfer", "I.1").status, TaskStatus::kPending);
    ASSERT_TRUE(journal->SetAccountId("payer", "146980530117").ok());
    ASSERT_TRUE(journal->SetTask("transfer", "I.1", TaskStatus::kDone, "signed up").ok());
    ASSERT_TRUE(journal->SetTask("transfer", "I.2", TaskStatus::kRunning).ok());
    ASSERT_TRUE(journal->SetTask("transfer", "I.3", TaskStatus::kWaiting, "issue 12").ok());
  }
  auto reopened = Journal::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(reopened->account_ids().at("payer"), "146980530117");
  EXPECT_EQ(reopened->Task("transfer", "I.1").status, TaskStatus::kDone);
  EXPECT_EQ(reopened->Task("transfer", "I.1").note, "signed up");
  EXPECT_EQ(reopened->Task("transfer", "I.2").status, TaskStatus::kRunning);
  EXPECT_EQ(reopened->Task("transfer", "I.3").status, TaskStatus::kWaiting);
  EXPECT_EQ(reopened->Task("terminate", "I.1").status, TaskStatus::kPending);
  // No temporary file is left behind by the atomic replacement.
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  ASSERT_TRUE(reopened->ResetPlaybook("transfer").ok());
  auto reset = Journal::Open(path);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->Task("transfer", "I.1").status, TaskStatus::kPending);
  EXPECT_EQ(reset->account_ids().at("payer"), "146980530117");
}

TEST(JournalTest, AFileThatIsNotAJournalIsRefusedAndKept) {
  test::TempDir dir("orgtwin-journal");
  const std::string path = dir.File("notes.state.json");
  for (const char* text : {"not json", "[1,2]", R"({"playbooks":{"transfer":{"I.1":{}}}})",
                           R"({"playbooks":{"transfer":{"I.1":{"status":"finished"}}}})",
                           R"({"accounts":{"payer":146980530117}})"}) {
    std::ofstream(path) << text;
    auto journal = Journal::Open(path);
    ASSERT_FALSE(journal.ok()) << text;
    EXPECT_EQ(journal.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(journal.status().message().find("is not an orgtwin journal"), std::string::npos);
    std::ifstream in(path);
    std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, text);
  }
}

}  // namespace
}  // namespace orgtwin::structure
