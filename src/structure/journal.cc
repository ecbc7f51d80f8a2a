#include "structure/journal.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace orgtwin::structure {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 6> kStatusNames = {"pending", "running", "done",
                                                          "manual",  "waiting", "failed"};

std::optional<TaskStatus> StatusFromName(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<TaskStatus>(i);
  }
  return std::nullopt;
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InternalError("cannot write " + path + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return InternalError("cannot open " + dir.string() + ": " + std::strerror(errno));
  int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return InternalError("cannot sync " + dir.string());
  return Status::Ok();
}

}  // namespace

std::string_view TaskStatusName(TaskStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

std::string Journal::DefaultPath(std::string_view structure_file) {
  std::filesystem::path path{std::string(structure_file)};
  path.replace_extension(".state.json");
  return path.string();
}

Result<Journal> Journal::Open(std::string path) {
  Journal journal(path);
  std::ifstream in(path);
  if (!in) return journal;  // a first run
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value root = json::parse(text.str(), ec);
  auto not_a_journal = [&](const std::string& why) {
    return InvalidInputError(path + " is not an orgtwin journal (" + why +
                             "); move it away to start afresh");
  };
  if (ec || !root.is_object()) return not_a_journal("not a JSON object");
  const json::object& object = root.as_object();
  if (const json::value* ids = object.if_contains("accounts"); ids != nullptr) {
    if (!ids->is_object()) return not_a_journal("`accounts` is not an object");
    for (const auto& [key, id] : ids->as_object()) {
      if (!id.is_string()) return not_a_journal("account IDs are strings");
      journal.account_ids_[std::string(key)] = std::string(id.as_string());
    }
  }
  if (const json::value* books = object.if_contains("playbooks"); books != nullptr) {
    if (!books->is_object()) return not_a_journal("`playbooks` is not an object");
    for (const auto& [name, tasks] : books->as_object()) {
      if (!tasks.is_object()) return not_a_journal("a playbook is an object of tasks");
      for (const auto& [task, record] : tasks.as_object()) {
        const json::object* fields = record.if_object();
        const json::value* status = fields ? fields->if_contains("status") : nullptr;
        auto parsed =
            status && status->is_string() ? StatusFromName(status->as_string()) : std::nullopt;
        if (!parsed) return not_a_journal("task " + std::string(task) + " has no valid status");
        TaskRecord entry{*parsed, ""};
        if (const json::value* note = fields->if_contains("note"); note && note->is_string()) {
          entry.note = std::string(note->as_string());
        }
        journal.playbooks_[std::string(name)][std::string(task)] = std::move(entry);
      }
    }
  }
  return journal;
}

Status Journal::SetAccountId(const std::string& account, const std::string& id) {
  account_ids_[account] = id;
  return Save();
}

TaskRecord Journal::Task(std::string_view playbook, std::string_view task) const {
  auto book = playbooks_.find(std::string(playbook));
  if (book == playbooks_.end()) return {};
  auto found = book->second.find(std::string(task));
  return found == book->second.end() ? TaskRecord{} : found->second;
}

Status Journal::SetTask(std::string_view playbook, std::string_view task, TaskStatus status,
                        std::string note) {
  playbooks_[std::string(playbook)][std::string(task)] = {status, std::move(note)};
  return Save();
}

Status Journal::ResetPlaybook(std::string_view playbook) {
  playbooks_.erase(std::string(playbook));
  return Save();
}

Status Journal::Save() const {
  json::object ids;
  for (const auto& [key, id] : account_ids_) ids[key] = id;
  json::object books;
  for (const auto& [name, tasks] : playbooks_) {
    json::object records;
    for (const auto& [task, record] : tasks) {
      json::object entry{{"status", TaskStatusName(record.status)}};
      if (!record.note.empty()) entry["note"] = record.note;
      records[task] = std::move(entry);
    }
    books[name] = std::move(records);
  }
  const std::string text =
      json::serialize(json::object{{"accounts", std::move(ids)}, {"playbooks", std::move(books)}}) +
      "\n";
  const std::filesystem::path target{path_};
  const std::string temporary = path_ + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError("cannot write " + temporary + ": " + std::strerror(errno));
  Status written = WriteAll(fd, text, temporary);
  if (written.ok() && ::fsync(fd) != 0) written = InternalError("cannot sync " + temporary);
  ::close(fd);
  OT_RETURN_IF_ERROR(written);
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    return InternalError("cannot replace " + path_ + ": " + std::strerror(errno));
  }
  return SyncDirectory(target.parent_path());
}

}  // namespace orgtwin::structure
