#include "playbook/playbook.h"

#include <sstream>

namespace orgtwin::playbook {
namespace {

using structure::TaskStatus;

const char* Colour(TaskStatus status) {
  switch (status) {
    case TaskStatus::kDone:
      return "\033[32m";
    case TaskStatus::kManual:
    case TaskStatus::kWaiting:
      return "\033[33m";
    case TaskStatus::kFailed:
      return "\033[31m";
    default:
      return "\033[0m";
  }
}

void PrintLine(const RunOptions& options, const Task& task, TaskStatus status,
               const std::string& note) {
  // On a terminal the line replaces the task's "running" line.
  if (options.color) std::fputs("\r\033[K", options.out);
  std::fprintf(options.out, "[%-6s] %-9s %-58s %s%s%s\n", task.id.c_str(), task.owner.c_str(),
               task.title.c_str(), options.color ? Colour(status) : "",
               std::string(structure::TaskStatusName(status)).c_str(),
               options.color ? "\033[0m" : "");
  if (!note.empty()) {
    std::istringstream lines(note);
    for (std::string line; std::getline(lines, line);) {
      std::fprintf(options.out, "           %s\n", line.c_str());
    }
  }
  std::fflush(options.out);
}

std::string WaitingNote(const Task& task) {
  std::string note = "waits for " + task.waits_for + "; not done";
  if (!task.cooperates.empty()) note = "with " + task.cooperates + "\n" + note;
  return note;
}

}  // namespace

RunSummary RunPlaybook(const Playbook& playbook, TaskContext& context, const RunOptions& options) {
  RunSummary summary;
  auto fail = [&](const Task& task, const Status& status) {
    (void)context.journal.SetTask(playbook.name, task.id, TaskStatus::kFailed, status.message());
    PrintLine(options, task, TaskStatus::kFailed, status.message());
    summary.status = Status(status.code(),
                            "task " + task.id + " (owner " + task.owner + "): " + status.message());
    return summary;
  };
  for (const Task& task : playbook.tasks) {
    structure::TaskRecord record = context.journal.Task(playbook.name, task.id);
    if (record.status == TaskStatus::kDone && !options.restart) {
      ++summary.skipped;
      PrintLine(options, task, TaskStatus::kDone, "(done in an earlier run)");
      continue;
    }
    if (!task.waits_for.empty() && !task.action) {
      ++summary.waiting;
      const std::string note = WaitingNote(task);
      Status saved = context.journal.SetTask(playbook.name, task.id, TaskStatus::kWaiting, note);
      if (!saved.ok()) return fail(task, saved);
      PrintLine(options, task, TaskStatus::kWaiting, note);
      continue;
    }
    Status saved = context.journal.SetTask(playbook.name, task.id, TaskStatus::kRunning);
    if (!saved.ok()) return fail(task, saved);
    if (options.color) {
      std::fprintf(options.out, "[%-6s] %-9s %-58s \033[36mrunning\033[0m", task.id.c_str(),
                   task.owner.c_str(), task.title.c_str());
      std::fflush(options.out);
    }
    if (task.precondition) {
      Status ready = task.precondition(context);
      if (!ready.ok()) return fail(task, Status(ready.code(), "precondition: " + ready.message()));
    }
    Result<TaskOutcome> outcome = task.action(context);
    if (!outcome.ok()) return fail(task, outcome.status());
    saved = context.journal.SetTask(playbook.name, task.id, outcome->status, outcome->note);
    if (!saved.ok()) return fail(task, saved);
    switch (outcome->status) {
      case TaskStatus::kDone:
        ++summary.done;
        break;
      case TaskStatus::kManual:
        ++summary.manual;
        break;
      case TaskStatus::kWaiting:
        ++summary.waiting;
        break;
      default:
        break;
    }
    PrintLine(
        options, task, outcome->status,
        task.cooperates.empty() ? outcome->note : "with " + task.cooperates + "\n" + outcome->note);
  }
  return summary;
}

std::string ListPlaybook(const Playbook& playbook, const structure::Journal& journal) {
  std::ostringstream out;
  for (const Task& task : playbook.tasks) {
    structure::TaskRecord record = journal.Task(playbook.name, task.id);
    char line[256];
    std::snprintf(line, sizeof(line), "%-6s %-9s %-58s %s", task.id.c_str(), task.owner.c_str(),
                  task.title.c_str(), std::string(TaskStatusName(record.status)).c_str());
    out << line;
    if (!task.cooperates.empty()) out << " (with " << task.cooperates << ")";
    if (!task.waits_for.empty()) out << " (waits for " << task.waits_for << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace orgtwin::playbook
