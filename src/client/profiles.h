// File: client/profiles.h
//
// AWS CLI v2 named profiles resolved to Credentials as the CLI (botocore's credential chain)
// resolves them, for the cases orgtwin's users have: environment keys, static keys from either
// file, and role profiles (role_arn + source_profile, chained, with mfa_serial, external_id,
// role_session_name, duration_seconds), assumed with STS AssumeRole through a Client built from
// the source profile's credentials.
//
//   AwsConfigFiles: the config file ($AWS_CONFIG_FILE, else ~/.aws/config; `[default]` and
//     `[profile NAME]`) and the credentials file ($AWS_SHARED_CREDENTIALS_FILE, else
//     ~/.aws/credentials; `[NAME]`), read with credentials_file.h's INI reader and merged as
//     botocore merges them (a profile's keys in the credentials file override the config file's).
//   ProfileResolver: Resolve(name) -> credentials, plus the profile's `region` and `endpoint_url`.
//
// Errors name the profile and the cause: kNotFound for a profile that does not exist or has no
// credentials; kInvalidInput for a configuration the CLI refuses (a missing source_profile, a
// source_profile cycle, partial keys, an mfa_serial with no MFA callback) or one it supports and
// orgtwin does not (credential_source, credential_process, web_identity_token_file, sso_*); a
// failed AssumeRole is the AWS error code (Status::aws_code) and message, kAccessDenied for a
// 403, kUnavailable for a transport failure or a 5xx, kInvalidInput otherwise.
//
// Assumed-role credentials are cached in memory per resolver and, when given a cache directory,
// in the AWS CLI's file cache (~/.aws/cli/cache: botocore's key, a SHA-1 of the AssumeRole
// arguments; its JSON entry), shared with `aws` itself.
//
// Ownership: the resolver owns its copy of the files' contents; Client objects are built per
// AssumeRole by the factory and dropped after it.
// Thread-safety: AwsConfigFiles is an immutable value. ProfileResolver::Resolve may be called
// from any thread; calls are serialized (a role is assumed once however many threads ask, and two
// MFA prompts never interleave).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "client/client.h"
#include "client/credentials_file.h"
#include "common/clock.h"
#include "common/status.h"

namespace orgtwin::client {

// An environment variable's value, "" when unset (the CLI treats an empty variable as unset).
using Environment = std::function<std::string(std::string_view name)>;
// std::getenv.
Environment ProcessEnvironment();

// A profile's keys (lower-cased) -> values.
using ProfileValues = std::map<std::string, std::string>;

class AwsConfigFiles {
 public:
  AwsConfigFiles() = default;

  // Both files' paths from `env` (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else under
  // $HOME/.aws; a leading `~/` is $HOME). A missing file is empty, as in the CLI.
  static Result<AwsConfigFiles> Load(const Environment& env = ProcessEnvironment());
  // The two files at these paths.
  static Result<AwsConfigFiles> Load(const std::string& config_path,
                                     const std::string& credentials_path);
  // The two files' text (tests, embedded configurations).
  static Result<AwsConfigFiles> Parse(std::string_view config_text,
                                      std::string_view credentials_text);

  // The profile's keys from both files, the credentials file's over the config file's (botocore's
  // full_config); null when neither file has the profile.
  const ProfileValues* Profile(std::string_view name) const;
  // The profile's keys in one file only; null when that file does not have it.
  const ProfileValues* ConfigProfile(std::string_view name) const;
  const ProfileValues* CredentialsProfile(std::string_view name) const;
  // Every profile name in either file, sorted.
  std::vector<std::string> ProfileNames() const;

 private:
  AwsConfigFiles(const IniFile& config, const IniFile& credentials);

  std::map<std::string, ProfileValues, std::less<>> config_;
  std::map<std::string, ProfileValues, std::less<>> credentials_;
  std::map<std::string, ProfileValues, std::less<>> merged_;
};

// What Resolve answers.
struct ResolvedProfile {
  std::string profile;  // the profile resolved (the default one when no name was given)
  Credentials credentials;
  // Where the credentials came from, botocore's method names: "env", "shared-credentials-file",
  // "config-file", "assume-role".
  std::string method;
  std::optional<TimePoint> expiration;  // temporary credentials from AssumeRole
  std::string region;                   // the profile's `region` key; "" when absent
  std::string endpoint_url;             // the profile's `endpoint_url` key; "" when absent
};

// `base` with the profile's credentials, and its region and endpoint_url where it has them.
ClientOptions ApplyProfile(ClientOptions base, const ResolvedProfile& profile);

// Builds the Client that calls sts:AssumeRole with `source` credentials.
using ClientFactory = std::function<Client(const Credentials& source)>;
// The usual factory: `base` (region, endpoint, retry, clock) with the source credentials, over
// `transport` (HttpTransport to AWS or a twin, InProcessTransport).
ClientFactory MakeClientFactory(ClientOptions base, std::shared_ptr<Transport> transport);

// Supplies the current code of the MFA device `mfa_serial` (the CLI prompts "Enter MFA code for
// <serial>: " on the terminal). An error stops the resolution with that error.
using MfaCodeProvider = std::function<Result<std::string>(std::string_view mfa_serial)>;

struct ProfileResolverOptions {
  ClientFactory make_client = nullptr;  // required for role profiles
  MfaCodeProvider mfa_code = nullptr;   // required for profiles with mfa_serial
  Environment env = nullptr;            // null = ProcessEnvironment()
  // The default session name's epoch (`botocore-session-<epoch>`) and the cache's expiry; null =
  // the system clock.
  const Clock* clock = nullptr;
  // The AWS CLI's assumed-role cache directory ($HOME/.aws/cli/cache for the CLI): role
  // credentials are read from and written to it with the CLI's file names, so runs (and `aws`)
  // share them until 15 minutes before they expire. "" = in memory only.
  std::string cache_dir{};
};

// The AWS CLI's name for the cache file of an AssumeRole (`args`: the call's arguments without
// TokenCode, and without RoleSessionName when the profile does not set one): botocore's key, the
// SHA-1 (hex) of json.dumps(args, sort_keys=True).
std::string AssumeRoleCacheKey(const boost::json::object& args);

class ProfileResolver {
 public:
  ProfileResolver(AwsConfigFiles files, ProfileResolverOptions options);
  ProfileResolver(const ProfileResolver&) = delete;
  ProfileResolver& operator=(const ProfileResolver&) = delete;

  // The credentials of `profile`. With no name, as the CLI without --profile: AWS_ACCESS_KEY_ID +
  // AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) from the environment win, else the profile
  // $AWS_PROFILE, else "default" (whose region and endpoint_url are reported either way). A
  // named profile ignores the environment's keys, as `--profile` does.
  // A role profile's credentials (and each role profile's in its source_profile chain) are
  // assumed once and reused until 10 minutes before they expire (botocore's mandatory refresh).
  Result<ResolvedProfile> Resolve(std::string_view profile = {});

  const AwsConfigFiles& files() const { return files_; }

 private:
  struct Cached {
    Credentials credentials;
    TimePoint expiration;
  };
  Result<ResolvedProfile> ResolveNamed(const std::string& name);
  // botocore's ProfileProviderBuilder chain without the role step: static keys from the
  // credentials file, else from the config file.
  Result<ResolvedProfile> ProfileCredentials(const std::string& name);
  // botocore's AssumeRoleProvider; `visited` holds the profiles of the chain so far.
  Result<ResolvedProfile> AssumeRoleProfile(const std::string& name,
                                            std::vector<std::string>& visited);
  TimePoint Now() const;

  const AwsConfigFiles files_;
  const ProfileResolverOptions options_;
  std::mutex mutex_;                     // serializes Resolve
  std::map<std::string, Cached> cache_;  // GUARDED_BY(mutex_): role profile -> credentials
};

}  // namespace orgtwin::client
