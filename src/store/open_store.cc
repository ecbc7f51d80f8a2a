#include "store/open_store.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <libpq-fe.h>

namespace orgtwin::store {
namespace {

constexpr char kSqliteForms[] = "`sqlite:///absolute/path.db` or `sqlite:relative/path.db`";

Status UrlError(std::string_view url, const std::string& why) {
  return InvalidInputError("store URL `" + std::string(url) + "` " + why);
}

// The scheme as RFC 3986 spells it (a letter, then letters, digits, `+`, `-`, `.`), lowercased
// (schemes are case-insensitive); "" when `url` does not start with one. Read before parsing so
// that a URL of another backend is never echoed: a PostgreSQL URL may carry a password.
std::string SchemeOf(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    bool ok = std::isalpha(c) || (i > 0 && (std::isdigit(c) || c == '+' || c == '-' || c == '.'));
    if (!ok) return "";
    scheme.push_back(static_cast<char>(std::tolower(c)));
  }
  return scheme;
}

constexpr char kMillisecondsAre[] = "it is a whole number of milliseconds, 0 or more";

// `busy_timeout_ms`'s value; std::nullopt unless it is a whole number from 0 to INT_MAX.
std::optional<int> ParseMilliseconds(std::string_view value) {
  int ms = -1;
  const char* end = value.data() + value.size();
  auto [rest, ec] = std::from_chars(value.data(), end, ms);
  if (ec != std::errc() || rest != end || ms < 0) return std::nullopt;
  return ms;
}

Status ParseSqliteOption(std::string_view url, const boost::urls::param& option,
                         SqliteOptions& options) {
  if (!option.has_value || option.value.empty()) {
    return UrlError(url, "gives option `" + option.key + "` no value (`" + option.key + "=...`)");
  }
  if (option.key == "sync") {
    if (option.value == "normal") {
      options.sync = SqliteSync::kNormal;
    } else if (option.value == "full") {
      options.sync = SqliteSync::kFull;
    } else {
      return UrlError(url, "has sync `" + option.value + "`; sync is `normal` or `full`");
    }
    return Status::Ok();
  }
  if (option.key == "busy_timeout_ms") {
    std::optional<int> ms = ParseMilliseconds(option.value);
    if (!ms)
      return UrlError(url, "has busy_timeout_ms `" + option.value + "`; " + kMillisecondsAre);
    options.busy_timeout_ms = *ms;
    return Status::Ok();
  }
  return UrlError(url, "has unknown option `" + option.key +
                           "`; a SQLite store takes `sync` (normal or full) and `busy_timeout_ms`");
}

Result<SqliteOptions> ParseSqliteUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()));
  if (!parsed) {
    // Boost's reason ("leftover", "invalid") would not help; what usually breaks a path is this.
    return UrlError(url, "is not a valid URL; write a space in a path as %20 and `%` as %25");
  }
  const boost::urls::url_view& u = *parsed;
  if (u.has_authority() && !u.encoded_authority().empty()) {
    // A host would suggest a database reached over the network; SQLite's is a local file.
    return UrlError(url, "names host `" + std::string(u.encoded_host_and_port()) +
                             "`; a SQLite store is a local file: " + kSqliteForms);
  }
  if (u.has_fragment()) {
    return UrlError(url, "has a fragment (`#" + std::string(u.encoded_fragment()) +
                             "`); write `#` in a path as %23");
  }
  SqliteOptions options;
  options.path = u.path();
  if (options.path.empty()) {
    return UrlError(url, std::string("names no database file; use ") + kSqliteForms);
  }
  // %00 decodes to a NUL, which would cut the path short where SQLite reads it as a C string.
  if (options.path.find('\0') != std::string::npos) {
    return UrlError(url, "has a NUL byte (%00) in its path");
  }
  std::set<std::string> seen;
  // Without space_as_plus, so a `+` reaches the value, and its error, as the user wrote it.
  for (const boost::urls::param& option : u.params(boost::urls::encoding_opts())) {
    if (option.key.empty() && !option.has_value) continue;  // `path.db?` or `?a=1&&b=2`
    if (!seen.insert(option.key).second) {
      return UrlError(url, "gives option `" + option.key + "` twice");
    }
    OT_RETURN_IF_ERROR(ParseSqliteOption(url, option, options));
  }
  return options;
}

// A PostgreSQL URL is libpq's to read (hosts, TLS, passwords, service files): orgtwin takes out
// only its own option, `busy_timeout_ms`, and lets libpq check the rest before anything connects.
// Messages never quote the URL, which may carry a password.
Result<PostgresOptions> ParsePostgresUrl(std::string_view url) {
  PostgresOptions options;
  size_t question = url.find('?');
  std::string conninfo(url.substr(0, question));
  bool timeout_seen = false;
  if (question != std::string_view::npos) {
    std::string_view query = url.substr(question + 1);
    std::string kept;
    while (true) {
      size_t amp = query.find('&');
      std::string_view part = query.substr(0, amp);
      if (part == "busy_timeout_ms" || part.starts_with("busy_timeout_ms=")) {
        if (timeout_seen) {
          return InvalidInputError("store URL: gives option `busy_timeout_ms` twice");
        }
        timeout_seen = true;
        std::string_view value = part.substr(std::min(part.size(), sizeof("busy_timeout_ms")));
        std::optional<int> ms = ParseMilliseconds(value);
        if (!ms) {
          return InvalidInputError("store URL: busy_timeout_ms `" + std::string(value) + "`; " +
                                   kMillisecondsAre);
        }
        options.lock_timeout_ms = *ms;
      } else if (!part.empty()) {
        kept.append(kept.empty() ? "" : "&").append(part);
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
    if (!kept.empty()) conninfo += "?" + kept;
  }
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (parsed == nullptr) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return InvalidInputError("store URL: libpq refuses the PostgreSQL URL: " + why);
  }
  PQconninfoFree(parsed);
  options.conninfo = std::move(conninfo);
  return options;
}

}  // namespace

Result<StoreConfig> ParseStoreUrl(std::string_view url) {
  std::string scheme = SchemeOf(url);
  if (scheme == "sqlite") {
    OT_ASSIGN_OR_RETURN(SqliteOptions options, ParseSqliteUrl(url));
    return StoreConfig(std::move(options));
  }
  if (scheme == "postgres" || scheme == "postgresql") {
    OT_ASSIGN_OR_RETURN(PostgresOptions options, ParsePostgresUrl(url));
    return StoreConfig(std::move(options));
  }
  if (scheme.empty()) {
    return UrlError(url, std::string("has no scheme; a SQLite store is ") + kSqliteForms);
  }
  return InvalidInputError("store URL: unknown scheme `" + scheme +
                           "`; orgtwin stores in SQLite (" + kSqliteForms +
                           ") or PostgreSQL (`postgres://user@host:port/database`)");
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  OT_ASSIGN_OR_RETURN(StoreConfig config, ParseStoreUrl(url));
  if (const auto* postgres = std::get_if<PostgresOptions>(&config)) {
    return OpenPostgresStore(*postgres);
  }
  return OpenSqliteStore(std::get<SqliteOptions>(config));
}

std::string SqliteUrl(std::string_view path) {
  // Everything but a path's own characters (pchar and `/`) is escaped: a space, `%`, `?`, `#`.
  std::string encoded = boost::urls::encode(boost::urls::string_view(path.data(), path.size()),
                                            boost::urls::pchars + '/');
  // An absolute path follows an empty authority (`sqlite:///abs`), which keeps a path that starts
  // with `//` from reading as a host.
  return (path.starts_with('/') ? "sqlite://" : "sqlite:") + encoded;
}

}  // namespace orgtwin::store
