// File: playbook/playbook.h
//
// A playbook: ordered tasks, each with an owner party, a precondition checked through the API
// before it runs, an action, and a check afterwards. The run is journaled (structure/journal.h):
// a task is marked running before it acts and done after its check, so a run stopped anywhere
// (`kill -9` included) resumes at the task it was in; every action reads before it writes, so
// repeating the interrupted one is safe.
//
// Tasks AWS has no API for (signing up an account, a payment method, handing over an MFA device)
// are guided manual steps: the run prints what the owner must do and, when it can, checks the
// result through the API. On a twin, a TwinAssist does them through the twin's extension API.
// A task that rests on a capability orgtwin does not have yet says which one it waits for and is
// never reported done.
//
// Thread-safety: none; one run on the caller's thread.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "playbook/twin_assist.h"
#include "structure/journal.h"
#include "structure/session.h"
#include "structure/structure.h"

namespace orgtwin::playbook {

// What a task sees.
struct TaskContext {
  structure::Session& session;
  structure::Journal& journal;
  TwinAssist* twin = nullptr;  // null against AWS
};

// How a task ended: done (checked), manual (the owner must act; printed), or waiting (a
// capability orgtwin lacks). Failures are a Status.
struct TaskOutcome {
  structure::TaskStatus status = structure::TaskStatus::kDone;
  std::string note;  // what was done, or what the owner must do
};

struct Task {
  std::string id;     // "I.1", as the seed numbers its steps
  std::string title;  // "Create the partner's master payer account"
  std::string owner;  // party key
  // The other parties whose cooperation the task needs ("partner: holds the root password").
  std::string cooperates;
  // The capability the task waits for ("the root user's MFA devices (issue 12)"); "" if none.
  std::string waits_for;
  // Checked before the action: an error says why the task cannot run yet.
  std::function<Status(TaskContext&)> precondition;
  std::function<Result<TaskOutcome>(TaskContext&)> action;
};

struct Playbook {
  std::string name;  // "transfer"
  std::vector<Task> tasks;
};

struct RunOptions {
  FILE* out = stdout;
  // A terminal: colours, and a live "running" line for the task in progress, replaced by its
  // outcome; otherwise plain lines, one per task, as logs want them.
  bool color = false;
  // Run again the tasks the journal has as done (a fresh run); otherwise they are skipped.
  bool restart = false;
};

struct RunSummary {
  int done = 0;
  int manual = 0;
  int waiting = 0;
  int skipped = 0;  // done in an earlier run
  Status status;    // the first failure; the run stops there
};

RunSummary RunPlaybook(const Playbook& playbook, TaskContext& context, const RunOptions& options);

// The tasks with their owners and journaled states, one per line.
std::string ListPlaybook(const Playbook& playbook, const structure::Journal& journal);

}  // namespace orgtwin::playbook
