#include "client/profiles.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>
#include <utility>

#include <boost/algorithm/string/trim.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orgtwin::client {
namespace {

namespace json = boost::json;

// botocore refreshes assumed-role credentials once fewer than this many remain
// (RefreshableCredentials._mandatory_refresh_timeout); the cache does the same.
constexpr std::chrono::minutes kRefreshBeforeExpiry{10};

// ---- the AWS CLI's assumed-role cache (~/.aws/cli/cache) ----------------------------------------

// botocore's CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS: a cached entry with less than
// this left is not used.
constexpr std::chrono::minutes kCacheExpiryWindow{15};

// `text` as Python's json.dumps writes a str (ensure_ascii): `"` and `\` escaped, control
// characters as \n-style or \u00XX escapes, every non-ASCII code point as \uXXXX (a surrogate
// pair beyond the BMP). Invalid UTF-8 bytes are written as U+FFFD, as Python would never see them.
std::string PythonJsonString(std::string_view text) {
  std::string out = "\"";
  char buffer[16];
  auto escape = [&](uint32_t unit) {
    std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(unit));
    out += buffer;
  };
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      switch (byte) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (byte < 0x20) {
            escape(byte);
          } else {
            out += static_cast<char>(byte);
          }
      }
      ++i;
      continue;
    }
    const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    uint32_t code = length == 4 ? byte & 0x07U : length == 3 ? byte & 0x0FU : byte & 0x1FU;
    bool valid = length > 1 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0U) == 0x80U;
      code = (code << 6U) | (next & 0x3FU);
    }
    if (!valid) code = 0xFFFD;
    if (code >= 0x10000) {
      code -= 0x10000;
      escape(0xD800 + (code >> 10U));
      escape(0xDC00 + (code & 0x3FFU));
    } else {
      escape(code);
    }
    i += valid ? length : 1;
  }
  out += '"';
  return out;
}

// botocore's AssumeRoleCredentialFetcher._create_cache_key: the AssumeRole arguments (without
// the MFA code, and without a session name botocore made up), as json.dumps(args,
// sort_keys=True) writes them, hashed with SHA-1; the hex digest names the file. The same key
// as the AWS CLI's, so the two share the cache.
std::string CacheKeyOf(const json::object& args) {
  std::vector<std::string> keys;
  for (const auto& member : args) keys.emplace_back(member.key());
  std::sort(keys.begin(), keys.end());
  std::string text = "{";
  for (const std::string& key : keys) {
    if (text.size() > 1) text += ", ";
    text += PythonJsonString(key) + ": ";
    const json::value& value = args.at(key);
    text += value.is_string() ? PythonJsonString(value.get_string())
                              : json::serialize(value);  // DurationSeconds: an integer
  }
  text += "}";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  std::string hex;
  char pair[3];
  for (unsigned int k = 0; k < length; ++k) {
    std::snprintf(pair, sizeof(pair), "%02x", digest[k]);
    hex += pair;
  }
  return hex;
}

// "2026-12-04T19:33:27Z", "2026-12-04T19:33:27+00:00", "2026-12-04T19:33:27.123456+00:00".
std::optional<TimePoint> ParseUtcTimestamp(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::string rest;
  std::getline(in, rest);
  if (!rest.empty() && rest.front() == '.') rest.erase(0, rest.find_first_not_of("0123456789", 1));
  if (rest != "Z" && rest != "+00:00" && !rest.empty()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The credentials of a cache entry that is still good at `now`.
std::optional<Credentials> ReadCacheEntry(const std::string& path, TimePoint now,
                                          TimePoint* expiration) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value entry = json::parse(text.str(), ec);
  const json::object* root = ec ? nullptr : entry.if_object();
  const json::value* found = root != nullptr ? root->if_contains("Credentials") : nullptr;
  const json::object* credentials = found != nullptr ? found->if_object() : nullptr;
  if (credentials == nullptr) return std::nullopt;
  auto text_of = [&](const char* key) {
    const json::value* value = credentials->if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
  };
  auto expires = ParseUtcTimestamp(text_of("Expiration"));
  if (!expires || *expires - now < kCacheExpiryWindow) return std::nullopt;
  Credentials out{text_of("AccessKeyId"), text_of("SecretAccessKey"), text_of("SessionToken")};
  if (out.access_key_id.empty() || out.secret_access_key.empty()) return std::nullopt;
  *expiration = *expires;
  return out;
}

// Writes the entry as botocore's JSONFileCache does (the AssumeRole response, Expiration in ISO
// 8601), readable by the owner only. A cache that cannot be written is no error: it only saves
// a later AssumeRole (and its MFA code).
void WriteCacheEntry(const std::string& dir, const std::string& path, const json::object& output,
                     TimePoint expiration) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return;
  json::object entry = output;
  if (json::value* credentials = entry.if_contains("Credentials");
      credentials != nullptr && credentials->is_object()) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(expiration);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char formatted[32];
    std::strftime(formatted, sizeof(formatted), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    credentials->as_object()["Expiration"] = formatted;
  }
  const std::string text = json::serialize(entry);
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(temporary, ec);
  }
}

bool Has(const ProfileValues& values, const char* key) { return values.count(key) > 0; }

std::string Get(const ProfileValues& values, const char* key) {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

// botocore's _has_static_credentials: either key present.
bool HasStaticKeys(const ProfileValues& values) {
  return Has(values, "aws_access_key_id") || Has(values, "aws_secret_access_key");
}

// botocore's _has_assume_role_config_vars.
bool IsRoleProfile(const ProfileValues& values) {
  return Has(values, "role_arn") && !Has(values, "web_identity_token_file");
}

std::string Quoted(std::string_view profile) { return "profile `" + std::string(profile) + "`"; }

Status Unsupported(std::string_view profile, std::string_view what) {
  return InvalidInputError(Quoted(profile) + " uses " + std::string(what) +
                           ", which the AWS CLI supports and orgtwin does not");
}

// Python's shlex.split (POSIX mode), which botocore applies to a config section name: words
// split at blanks, '...' literal, "..." with \" and \\ escapes, a backslash escaping the next
// character outside quotes. nullopt for an unbalanced quote (botocore then skips the section).
std::optional<std::vector<std::string>> ShlexSplit(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'' || c == '"') {
      in_word = true;
      const size_t close = [&] {
        for (size_t j = i + 1; j < text.size(); ++j) {
          if (c == '"' && text[j] == '\\' && j + 1 < text.size() &&
              (text[j + 1] == '"' || text[j + 1] == '\\')) {
            word += text[++j];
            continue;
          }
          if (text[j] == c) return j;
          word += text[j];
        }
        return std::string_view::npos;
      }();
      if (close == std::string_view::npos) return std::nullopt;
      i = close;
    } else if (c == '\\') {
      if (i + 1 == text.size()) return std::nullopt;  // "No escaped character"
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// A leading "~/" (or a lone "~") is $HOME, as os.path.expanduser makes it.
std::string ExpandHome(std::string path, const Environment& env) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const std::string home = env("HOME");
    if (!home.empty()) path = home + path.substr(1);
  }
  return path;
}

Result<ResolvedProfile> StaticKeys(std::string_view profile, const ProfileValues& values,
                                   std::string method) {
  ResolvedProfile resolved;
  resolved.method = std::move(method);
  resolved.credentials.access_key_id = Get(values, "aws_access_key_id");
  resolved.credentials.secret_access_key = Get(values, "aws_secret_access_key");
  resolved.credentials.session_token = Get(values, "aws_session_token");
  if (resolved.credentials.session_token.empty()) {
    resolved.credentials.session_token = Get(values, "aws_security_token");  // legacy name
  }
  for (const auto& [key, value] :
       {std::pair{"aws_access_key_id", &resolved.credentials.access_key_id},
        std::pair{"aws_secret_access_key", &resolved.credentials.secret_access_key}}) {
    if (value->empty()) {
      return InvalidInputError(Quoted(profile) + ": partial credentials found in " +
                               resolved.method + ", missing: " + key);
    }
  }
  return resolved;
}

// The AssumeRole failure as a Status that keeps AWS's code.
Status AssumeRoleFailed(std::string_view profile, std::string_view role_arn, const Error& error) {
  const std::string prefix = Quoted(profile) + ": AssumeRole of " + std::string(role_arn);
  if (error.IsTransportError())
    return UnavailableError(prefix + " did not reach STS: " + error.message);
  ErrorCode code = ErrorCode::kInvalidInput;
  if (error.http_status == 403) code = ErrorCode::kAccessDenied;
  if (error.http_status >= 500) code = ErrorCode::kUnavailable;
  return Status(code, prefix + " failed: " + error.code + ": " + error.message)
      .WithAwsCode(error.code);
}

}  // namespace

std::string AssumeRoleCacheKey(const json::object& args) { return CacheKeyOf(args); }

Environment ProcessEnvironment() {
  return [](std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr ? std::string() : std::string(value);
  };
}

AwsConfigFiles::AwsConfigFiles(const IniFile& config, const IniFile& credentials) {
  // botocore's build_profile_map: `[profile NAME]` (the name shlex-split) and `[default]` are
  // profiles, in file order, a later section replacing an earlier one of the same profile
  // (`[profile default]` after `[default]`); other sections (sso-session, services) are not.
  for (const IniSection& section : config.sections) {
    if (section.name == "default") {
      config_["default"] = section.values;
    } else if (section.name.rfind("profile", 0) == 0) {
      std::optional<std::vector<std::string>> words = ShlexSplit(section.name);
      if (words.has_value() && words->size() == 2) config_[(*words)[1]] = section.values;
    }
  }
  for (const IniSection& section : credentials.sections) {
    credentials_[section.name] = section.values;
  }
  merged_ = config_;
  for (const auto& [name, values] : credentials_) {
    ProfileValues& merged = merged_[name];
    for (const auto& [key, value] : values) merged[key] = value;
  }
}

Result<AwsConfigFiles> AwsConfigFiles::Load(const Environment& env) {
  const std::string home = env("HOME");
  std::string config = env("AWS_CONFIG_FILE");
  if (config.empty() && !home.empty()) config = home + "/.aws/config";
  std::string credentials = env("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials.empty() && !home.empty()) credentials = home + "/.aws/credentials";
  return Load(ExpandHome(config, env), ExpandHome(credentials, env));
}

Result<AwsConfigFiles> AwsConfigFiles::Load(const std::string& config_path,
                                            const std::string& credentials_path) {
  IniFile config;
  IniFile credentials;
  if (!config_path.empty()) {
    OT_ASSIGN_OR_RETURN(config, ReadIniFile(config_path));
  }
  if (!credentials_path.empty()) {
    OT_ASSIGN_OR_RETURN(credentials, ReadIniFile(credentials_path));
  }
  return AwsConfigFiles(config, credentials);
}

Result<AwsConfigFiles> AwsConfigFiles::Parse(std::string_view config_text,
                                             std::string_view credentials_text) {
  Result<IniFile> config = ParseIni(config_text);
  if (!config.ok()) return InvalidInputError("config file: " + config.status().message());
  Result<IniFile> credentials = ParseIni(credentials_text);
  if (!credentials.ok()) {
    return InvalidInputError("credentials file: " + credentials.status().message());
  }
  return AwsConfigFiles(*config, *credentials);
}

const ProfileValues* AwsConfigFiles::Profile(std::string_view name) const {
  auto it = merged_.find(name);
  return it == merged_.end() ? nullptr : &it->second;
}

const ProfileValues* AwsConfigFiles::ConfigProfile(std::string_view name) const {
  auto it = config_.find(name);
  return it == config_.end() ? nullptr : &it->second;
}

const ProfileValues* AwsConfigFiles::CredentialsProfile(std::string_view name) const {
  auto it = credentials_.find(name);
  return it == credentials_.end() ? nullptr : &it->second;
}

std::vector<std::string> AwsConfigFiles::ProfileNames() const {
  std::vector<std::string> names;
  names.reserve(merged_.size());
  for (const auto& entry : merged_) names.push_back(entry.first);
  return names;
}

ClientOptions ApplyProfile(ClientOptions base, const ResolvedProfile& profile) {
  base.credentials = profile.credentials;
  if (!profile.region.empty()) base.region = profile.region;
  if (!profile.endpoint_url.empty()) base.endpoint_url = profile.endpoint_url;
  return base;
}

ClientFactory MakeClientFactory(ClientOptions base, std::shared_ptr<Transport> transport) {
  return [base = std::move(base), transport = std::move(transport)](const Credentials& source) {
    ClientOptions options = base;
    options.credentials = source;
    return Client(std::move(options), transport);
  };
}

ProfileResolver::ProfileResolver(AwsConfigFiles files, ProfileResolverOptions options)
    : files_(std::move(files)), options_([&] {
        if (!options.env) options.env = ProcessEnvironment();
        return std::move(options);
      }()) {}

TimePoint ProfileResolver::Now() const {
  return options_.clock != nullptr ? options_.clock->Now() : std::chrono::system_clock::now();
}

Result<ResolvedProfile> ProfileResolver::Resolve(std::string_view requested) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Environment& env = options_.env;
  std::string name(requested);
  std::optional<ResolvedProfile> from_env;
  if (name.empty()) {
    // botocore's EnvProvider: only when no profile was named (--profile disables it), and only
    // AWS_ACCESS_KEY_ID decides whether it applies.
    if (std::string id = env("AWS_ACCESS_KEY_ID"); !id.empty()) {
      ResolvedProfile resolved;
      resolved.method = "env";
      resolved.credentials.access_key_id = std::move(id);
      resolved.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
      resolved.credentials.session_token = env("AWS_SESSION_TOKEN");
      if (resolved.credentials.session_token.empty()) {
        resolved.credentials.session_token = env("AWS_SECURITY_TOKEN");
      }
      if (resolved.credentials.secret_access_key.empty()) {
        return InvalidInputError(
            "partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID "
            "is set)");
      }
      from_env = std::move(resolved);
    }
    name = env("AWS_PROFILE");
    if (name.empty()) name = "default";
  }
  const ProfileValues* values = files_.Profile(name);
  // AWS-COMPAT: as the CLI, a missing profile other than "default" is an error even when the
  // environment holds keys (its region would come from that profile); "default" may be absent.
  if (values == nullptr && name != "default") {
    return NotFoundError(Quoted(name) + " not found: no [profile " + name +
                         "] in the config file and no [" + name + "] in the credentials file");
  }
  ResolvedProfile resolved;
  if (from_env.has_value()) {
    resolved = std::move(*from_env);
  } else if (values == nullptr) {
    return NotFoundError(
        "unable to locate credentials: no AWS_ACCESS_KEY_ID in the environment and no profile "
        "`default` in the config or credentials file");
  } else {
    Result<ResolvedProfile> named = ResolveNamed(name);
    if (!named.ok()) {
      const Status& status = named.status();
      // Errors name the profile where they happened; a chain's also names the one asked for.
      if (status.message().rfind(Quoted(name), 0) == 0) return status;
      return Status(status.code(), Quoted(name) + ": " + status.message())
          .WithAwsCode(status.aws_code());
    }
    resolved = std::move(named).value();
  }
  resolved.profile = name;
  if (values != nullptr) {
    resolved.region = Get(*values, "region");
    resolved.endpoint_url = Get(*values, "endpoint_url");
  }
  return resolved;
}

Result<ResolvedProfile> ProfileResolver::ResolveNamed(const std::string& name) {
  if (IsRoleProfile(*files_.Profile(name))) {
    std::vector<std::string> visited{name};
    return AssumeRoleProfile(name, visited);
  }
  return ProfileCredentials(name);
}

Result<ResolvedProfile> ProfileResolver::ProfileCredentials(const std::string& name) {
  const ProfileValues& values = *files_.Profile(name);
  // The order of botocore's ProfileProviderBuilder: web identity, SSO, the credentials file,
  // credential_process, the config file.
  if (Has(values, "web_identity_token_file")) {
    return Unsupported(name, "web_identity_token_file (AssumeRoleWithWebIdentity)");
  }
  if (Has(values, "sso_start_url") || Has(values, "sso_session")) {
    return Unsupported(name, "IAM Identity Center (sso_start_url / sso_session)");
  }
  if (const ProfileValues* file = files_.CredentialsProfile(name);
      file != nullptr && Has(*file, "aws_access_key_id")) {
    return StaticKeys(name, *file, "shared-credentials-file");
  }
  if (Has(values, "credential_process")) return Unsupported(name, "credential_process");
  if (const ProfileValues* file = files_.ConfigProfile(name);
      file != nullptr && Has(*file, "aws_access_key_id")) {
    return StaticKeys(name, *file, "config-file");
  }
  return NotFoundError(Quoted(name) +
                       " has no credentials (no aws_access_key_id in either file, no role_arn)");
}

Result<ResolvedProfile> ProfileResolver::AssumeRoleProfile(const std::string& name,
                                                           std::vector<std::string>& visited) {
  const ProfileValues& values = *files_.Profile(name);
  const std::string role_arn = Get(values, "role_arn");
  if (auto hit = cache_.find(name);
      hit != cache_.end() && Now() + kRefreshBeforeExpiry < hit->second.expiration) {
    ResolvedProfile resolved;
    resolved.method = "assume-role";
    resolved.credentials = hit->second.credentials;
    resolved.expiration = hit->second.expiration;
    return resolved;
  }

  // botocore's _validate_role_config and _validate_source_profile.
  const bool has_source = Has(values, "source_profile");
  const bool has_credential_source = Has(values, "credential_source");
  if (has_source && has_credential_source) {
    return InvalidInputError(Quoted(name) + " contains both source_profile and credential_source");
  }
  if (has_credential_source) return Unsupported(name, "credential_source");
  if (!has_source) {
    return InvalidInputError(Quoted(name) +
                             " has role_arn but neither source_profile nor credential_source");
  }
  const std::string source = Get(values, "source_profile");
  const ProfileValues* source_values = files_.Profile(source);
  if (source_values == nullptr) {
    return InvalidInputError(Quoted(name) + ": its source_profile `" + source + "` does not exist");
  }
  // A profile may name itself as its source to keep its static keys and its role together; any
  // other return to a visited profile is a loop.
  if (std::find(visited.begin(), visited.end(), source) != visited.end() &&
      (source != name || !HasStaticKeys(*source_values))) {
    std::string chain;
    for (const std::string& profile : visited) chain += profile + " -> ";
    return InvalidInputError(Quoted(name) + ": source_profile cycle detected: " + chain + source);
  }
  visited.push_back(source);
  // botocore's _resolve_credentials_from_profile: a source with static keys (or without a role)
  // gives its own credentials; a source that is a role profile is assumed first.
  Result<ResolvedProfile> source_credentials =
      HasStaticKeys(*source_values) || !IsRoleProfile(*source_values)
          ? ProfileCredentials(source)
          : AssumeRoleProfile(source, visited);
  if (!source_credentials.ok()) {
    // "profile `B` has no ..." reads on as "profile `A`: its source_profile `B` has no ...".
    const Status& status = source_credentials.status();
    std::string cause = status.message();
    if (cause.rfind(Quoted(source), 0) == 0) {
      cause.erase(0, Quoted(source).size());
    } else {
      cause.insert(0, ": ");
    }
    return Status(status.code(), Quoted(name) + ": its source_profile `" + source + "`" + cause)
        .WithAwsCode(status.aws_code());
  }

  json::object input;
  input["RoleArn"] = role_arn;
  std::string session_name = Get(values, "role_session_name");
  if (session_name.empty()) {
    session_name =
        "botocore-session-" +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count());
  }
  input["RoleSessionName"] = session_name;
  if (Has(values, "external_id")) input["ExternalId"] = Get(values, "external_id");
  if (Has(values, "duration_seconds")) {
    // AWS-COMPAT: botocore passes int(duration_seconds) and drops a value that is not an
    // integer without a word; so do we (STS then applies its default, one hour).
    const std::string text = boost::algorithm::trim_copy(Get(values, "duration_seconds"));
    int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      input["DurationSeconds"] = seconds;
    }
  }
  std::string serial;
  if (Has(values, "mfa_serial")) {
    serial = Get(values, "mfa_serial");
    input["SerialNumber"] = serial;
  }
  // The AWS CLI's file cache: a role assumed by an earlier run (of orgtwin or of `aws`) is used
  // while it has more than 15 minutes left, without a new AssumeRole or MFA code.
  std::string cache_file;
  if (!options_.cache_dir.empty()) {
    json::object args = input;
    if (!Has(values, "role_session_name")) args.erase("RoleSessionName");
    cache_file = options_.cache_dir + "/" + CacheKeyOf(args) + ".json";
    TimePoint expiration;
    if (auto cached = ReadCacheEntry(cache_file, Now(), &expiration)) {
      cache_[name] = {*cached, expiration};
      ResolvedProfile resolved;
      resolved.method = "assume-role";
      resolved.credentials = *cached;
      resolved.expiration = expiration;
      return resolved;
    }
  }
  if (!serial.empty()) {
    if (!options_.mfa_code) {
      return InvalidInputError(Quoted(name) + " needs an MFA code for " + serial +
                               " (mfa_serial), and no MFA code provider was given");
    }
    Result<std::string> code = options_.mfa_code(serial);
    if (!code.ok()) {
      return Status(code.status().code(),
                    Quoted(name) + ": no MFA code for " + serial + ": " + code.status().message());
    }
    input["TokenCode"] = *code;
  }
  if (!options_.make_client) {
    return InvalidInputError(Quoted(name) +
                             " is a role profile, and the resolver was given no client factory");
  }
  Client sts = options_.make_client(source_credentials->credentials);
  Outcome<json::object> output = sts.Call("sts", "AssumeRole", input);
  if (!output.ok()) return AssumeRoleFailed(name, role_arn, output.error());

  const json::object* credentials = nullptr;
  if (const json::value* value = output->if_contains("Credentials")) {
    credentials = value->if_object();
  }
  auto string_of = [&](const char* key) -> std::string {
    const json::value* value = credentials == nullptr ? nullptr : credentials->if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
  };
  ResolvedProfile resolved;
  resolved.method = "assume-role";
  resolved.credentials = {string_of("AccessKeyId"), string_of("SecretAccessKey"),
                          string_of("SessionToken")};
  if (resolved.credentials.access_key_id.empty() ||
      resolved.credentials.secret_access_key.empty()) {
    return InternalError(Quoted(name) + ": AssumeRole of " + role_arn +
                         " answered without credentials");
  }
  TimePoint expiration = TimePoint::max();  // no Expiration: never refreshed
  if (const json::value* value = credentials->if_contains("Expiration");
      value != nullptr && value->is_number()) {
    const auto seconds = static_cast<int64_t>(value->to_number<double>());
    TimePoint parsed;
    if (TimePointFromSeconds(seconds, &parsed)) {
      expiration = parsed;
      resolved.expiration = parsed;
    }
  }
  cache_[name] = {resolved.credentials, expiration};
  if (!cache_file.empty() && resolved.expiration) {
    WriteCacheEntry(options_.cache_dir, cache_file, *output, expiration);
  }
  return resolved;
}

}  // namespace orgtwin::client
