// File: client/credentials_file.h
//
// The AWS shared credentials file (~/.aws/credentials), read as the AWS CLI reads it: INI
// sections `[profile-name]`, `key = value` lines, `#`/`;` comments, keys aws_access_key_id,
// aws_secret_access_key, aws_session_token (case-insensitive names; surrounding spaces trimmed).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "client/client.h"
#include "common/status.h"

namespace orgtwin::client {

// The credentials of `profile` in the file text `ini`. kNotFound when the profile is absent;
// kInvalidInput when it lacks aws_access_key_id or aws_secret_access_key.
Result<Credentials> ParseSharedCredentials(std::string_view ini, std::string_view profile);

// Reads `path` ("" = $AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials) and returns
// `profile` ("" = $AWS_PROFILE, else "default"). kNotFound when the file cannot be read.
Result<Credentials> LoadSharedCredentials(std::string path = {}, std::string profile = {});

}  // namespace orgtwin::client
