// File: structure/journal.h
//
// The journal of an engine run: a JSON file beside the structure file (FILE.state.json, or one
// the caller names) that records what the run has learnt and done, so a run that stopped -- an
// error, Ctrl-C, a crash, `kill -9` -- resumes where it stopped:
//   - the IDs of accounts the run created (the payer: the structure file cannot know it);
//   - per playbook, each task's status (pending, running, done, manual, waiting, failed) and a
//     line saying why.
// Every change is written durably before the call that depends on it returns: the new text goes
// to a temporary file in the same directory, which is fsync'ed and renamed over the journal, and
// the directory is fsync'ed, so the journal is always either the old or the new version.
//
// Thread-safety: none; one run owns its journal.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orgtwin::structure {

enum class TaskStatus { kPending, kRunning, kDone, kManual, kWaiting, kFailed };
std::string_view TaskStatusName(TaskStatus status);  // "pending", "running", ...

struct TaskRecord {
  TaskStatus status = TaskStatus::kPending;
  std::string note;
};

class Journal {
 public:
  // The default journal of a structure file: "dir/name.yaml" -> "dir/name.state.json".
  static std::string DefaultPath(std::string_view structure_file);

  // Reads `path`, or starts an empty journal when it does not exist. kInvalidInput when the file
  // exists but is not a journal (never silently replaced).
  static Result<Journal> Open(std::string path);

  const std::string& path() const { return path_; }

  const std::map<std::string, std::string>& account_ids() const { return account_ids_; }
  Status SetAccountId(const std::string& account, const std::string& id);

  // The task's record, or a pending one.
  TaskRecord Task(std::string_view playbook, std::string_view task) const;
  Status SetTask(std::string_view playbook, std::string_view task, TaskStatus status,
                 std::string note = {});
  // Forgets a playbook's task records (a fresh run of it).
  Status ResetPlaybook(std::string_view playbook);

 private:
  explicit Journal(std::string path) : path_(std::move(path)) {}
  Status Save() const;

  std::string path_;
  std::map<std::string, std::string> account_ids_;
  std::map<std::string, std::map<std::string, TaskRecord>> playbooks_;
};

}  // namespace orgtwin::structure
