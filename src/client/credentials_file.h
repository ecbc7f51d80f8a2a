// File: client/credentials_file.h
//
// The one INI reader for the AWS CLI's two files (~/.aws/config and ~/.aws/credentials), read as
// botocore reads them (Python's configparser.RawConfigParser, strict): `[section]` headers, names
// kept exactly as written between the brackets (spaces included); `key = value` or `key: value`,
// split at the first `=` or `:`, keys lower-cased, both sides trimmed; whole-line `#`/`;`
// comments (no inline comments: `a = b # c` is the value "b # c"); a line indented deeper than
// its key continues that key's value (botocore's nested `s3 =` blocks), joined with '\n'; the
// keys of `[DEFAULT]` are inherited by every section. A duplicate section, a duplicate key in one
// section, a key before any section or a line that is none of these is a parse error, as the CLI
// refuses such a file ("Unable to parse config file").
//
// Plus the shared credentials file's static keys of one profile (profiles.h resolves profiles
// fully: both files, roles, the environment).
//
// Thread-safety: pure functions and values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "common/status.h"

namespace orgtwin::client {

struct IniSection {
  std::string name;
  std::map<std::string, std::string> values;  // lower-cased key -> value
};

struct IniFile {
  std::vector<IniSection> sections;  // in file order; [DEFAULT] is not one of them

  // The section named exactly `name`, or null.
  const IniSection* Find(std::string_view name) const;
};

// Parses INI text. kInvalidInput (naming the line) for what configparser rejects.
Result<IniFile> ParseIni(std::string_view text);

// Reads and parses `path`. A file that does not exist or cannot be opened is an empty IniFile,
// as botocore treats it (a profile lookup then fails by name); a malformed one is kInvalidInput
// naming the path.
Result<IniFile> ReadIniFile(const std::string& path);

// The static keys of `profile` (a section named exactly so) in credentials-file text `ini`:
// aws_access_key_id, aws_secret_access_key and aws_session_token (else the legacy
// aws_security_token). kNotFound when the profile is absent; kInvalidInput when it lacks
// aws_access_key_id or aws_secret_access_key, or the text does not parse.
Result<Credentials> ParseSharedCredentials(std::string_view ini, std::string_view profile);

// Sets `section` ("name" in the credentials file, "profile name" in the config file) of the INI
// file at `path` to `values` (key, value pairs), creating the file (mode 0600: it holds secrets)
// or the section as needed and keeping every other section as it is. The new file replaces the
// old atomically (a temporary file, fsync, rename).
Status WriteIniSection(const std::string& path, const std::string& section,
                       const std::vector<std::pair<std::string, std::string>>& values);

// Reads `path` ("" = $AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials) and returns
// `profile` ("" = $AWS_PROFILE, else "default"). kNotFound when the file cannot be read.
Result<Credentials> LoadSharedCredentials(std::string path = {}, std::string profile = {});

}  // namespace orgtwin::client
