#include "client/credentials_file.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>

namespace orgtwin::client {

Result<Credentials> ParseSharedCredentials(std::string_view ini, std::string_view profile) {
  std::map<std::string, std::string> values;
  bool found = false;
  bool in_profile = false;
  std::istringstream lines{std::string(ini)};
  for (std::string line; std::getline(lines, line);) {
    boost::algorithm::trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      std::string name = line.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      boost::algorithm::trim(name);
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    boost::algorithm::trim(key);
    boost::algorithm::trim(value);
    boost::algorithm::to_lower(key);
    values[key] = value;  // the last occurrence wins, as in configparser
  }
  if (!found) return NotFoundError("profile `" + std::string(profile) + "` not found");
  Credentials credentials;
  credentials.access_key_id = values["aws_access_key_id"];
  credentials.secret_access_key = values["aws_secret_access_key"];
  credentials.session_token = values["aws_session_token"];
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

}  // namespace orgtwin::client
