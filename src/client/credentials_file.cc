#include "client/credentials_file.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace orgtwin::client {
namespace {

Status ParseError(size_t line_number, std::string_view why) {
  return InvalidInputError("line " + std::to_string(line_number) + ": " + std::string(why));
}

// A section while it is read: each key's lines, joined once the file is done (configparser
// collects a multi-line value the same way).
struct PendingSection {
  std::string name;
  std::map<std::string, std::vector<std::string>> lines;
};

std::map<std::string, std::string> Join(const PendingSection& section) {
  std::map<std::string, std::string> values;
  for (const auto& [key, lines] : section.lines) {
    std::string value;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) value += '\n';
      value += lines[i];
    }
    boost::algorithm::trim_right(value);  // trailing blank continuation lines
    values.emplace(key, std::move(value));
  }
  return values;
}

}  // namespace

const IniSection* IniFile::Find(std::string_view name) const {
  for (const IniSection& section : sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

// configparser's _read, restricted to RawConfigParser's defaults: strict, delimiters `=` and
// `:`, full-line comments only, empty lines allowed inside a multi-line value.
Result<IniFile> ParseIni(std::string_view text) {
  PendingSection defaults{"DEFAULT", {}};
  std::vector<PendingSection> sections;
  std::set<std::string> seen;
  PendingSection* current = nullptr;
  std::string key;  // the key whose value an indented line continues ("" = none)
  size_t indent_level = 0;
  size_t line_number = 0;
  std::istringstream input{std::string(text)};
  for (std::string line; std::getline(input, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // universal newlines
    const std::string stripped = boost::algorithm::trim_copy(line);
    const bool comment = !stripped.empty() && (stripped[0] == '#' || stripped[0] == ';');
    if (stripped.empty() || comment) {
      // A blank line may be part of a multi-line value; a comment line never is.
      if (!comment && current != nullptr && !key.empty()) current->lines[key].emplace_back();
      continue;
    }
    const size_t indent = line.find_first_not_of(" \t\f\v");
    if (current != nullptr && !key.empty() && indent > indent_level) {
      current->lines[key].push_back(stripped);
      continue;
    }
    indent_level = indent;
    const size_t close = stripped.rfind(']');
    if (stripped[0] == '[' && close != std::string::npos && close >= 2) {
      std::string name = stripped.substr(1, close - 1);  // not trimmed: configparser keeps it
      key.clear();
      if (name == "DEFAULT") {
        current = &defaults;
        continue;
      }
      if (!seen.insert(name).second) return ParseError(line_number, "duplicate section " + name);
      sections.push_back({std::move(name), {}});
      current = &sections.back();
      continue;
    }
    if (current == nullptr) return ParseError(line_number, "a key before any [section]");
    const size_t delimiter = stripped.find_first_of("=:");
    if (delimiter == std::string::npos) return ParseError(line_number, "not `key = value`");
    std::string name = boost::algorithm::trim_copy(stripped.substr(0, delimiter));
    if (name.empty()) return ParseError(line_number, "a value without a key");
    boost::algorithm::to_lower(name);
    if (current->lines.count(name) > 0) {
      return ParseError(line_number, "duplicate key " + name + " in section " + current->name);
    }
    current->lines[name] = {boost::algorithm::trim_copy(stripped.substr(delimiter + 1))};
    key = std::move(name);
  }
  IniFile file;
  const std::map<std::string, std::string> inherited = Join(defaults);
  for (const PendingSection& pending : sections) {
    IniSection section{pending.name, Join(pending)};
    section.values.insert(inherited.begin(), inherited.end());  // the section's own keys win
    file.sections.push_back(std::move(section));
  }
  return file;
}

Result<IniFile> ReadIniFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return IniFile();
  std::stringstream text;
  text << in.rdbuf();
  Result<IniFile> parsed = ParseIni(text.str());
  if (!parsed.ok()) {
    return InvalidInputError("Unable to parse config file: " + path + ": " +
                             parsed.status().message());
  }
  return parsed;
}

Result<Credentials> ParseSharedCredentials(std::string_view ini, std::string_view profile) {
  OT_ASSIGN_OR_RETURN(IniFile file, ParseIni(ini));
  const IniSection* section = file.Find(profile);
  if (section == nullptr) return NotFoundError("profile `" + std::string(profile) + "` not found");
  auto get = [&](const char* key) {
    auto it = section->values.find(key);
    return it == section->values.end() ? std::string() : it->second;
  };
  Credentials credentials;
  credentials.access_key_id = get("aws_access_key_id");
  credentials.secret_access_key = get("aws_secret_access_key");
  credentials.session_token = get("aws_session_token");
  if (credentials.session_token.empty()) credentials.session_token = get("aws_security_token");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return InvalidInputError("profile `" + std::string(profile) +
                             "` has no aws_access_key_id / aws_secret_access_key");
  }
  return credentials;
}

Result<Credentials> LoadSharedCredentials(std::string path, std::string profile) {
  if (path.empty()) {
    if (const char* env = std::getenv("AWS_SHARED_CREDENTIALS_FILE"); env != nullptr && *env) {
      path = env;
    } else if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
      path = std::string(home) + "/.aws/credentials";
    } else {
      return NotFoundError("no credentials file: HOME is not set");
    }
  }
  if (profile.empty()) {
    const char* env = std::getenv("AWS_PROFILE");
    profile = env != nullptr && *env ? env : "default";
  }
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read `" + path + "`");
  std::stringstream text;
  text << in.rdbuf();
  return ParseSharedCredentials(text.str(), profile);
}

namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Status WriteIniSection(const std::string& path, const std::string& section,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  std::istringstream lines(ReadWholeFile(path));
  std::string kept;
  bool skipping = false;
  for (std::string line; std::getline(lines, line);) {
    std::string trimmed = boost::algorithm::trim_copy(line);
    if (!trimmed.empty() && trimmed.front() == '[') skipping = trimmed == "[" + section + "]";
    if (!skipping) kept += line + "\n";
  }
  if (!kept.empty() && kept.back() != '\n') kept += "\n";
  kept += "[" + section + "]\n";
  for (const auto& [key, value] : values) kept.append(key).append(" = ").append(value) += '\n';
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("cannot write " + temporary);
  bool ok = ::write(fd, kept.data(), kept.size()) == static_cast<ssize_t>(kept.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return InternalError("cannot write " + path);
  }
  return Status::Ok();
}

}  // namespace orgtwin::client
