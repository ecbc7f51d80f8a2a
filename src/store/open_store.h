// File: store/open_store.h
//
// Opens the store a URL names, so callers (`orgtwin serve --store URL`) need not know any
// backend's options:
//
//   sqlite:///var/lib/orgtwin/orgtwin.db             an absolute path
//   sqlite:data/orgtwin.db                           relative to the working directory
//   sqlite:///srv/orgtwin.db?sync=full&busy_timeout_ms=10000
//
// SQLite options (SqliteOptions): `sync` is `normal` (default) or `full`; `busy_timeout_ms` is how
// long to wait for a lock, in milliseconds (default 5000). Percent-escapes in the path are
// decoded (`%20` is a space).
//
//   postgres://orgtwin@db.internal:5432/orgtwin?sslmode=verify-full
//   postgresql:///orgtwin?host=/run/postgresql&busy_timeout_ms=10000
//
// A PostgreSQL URL goes to libpq as it is (PostgresOptions::conninfo: TLS, passwords, ~/.pgpass and
// the PG* environment variables as libpq documents them), except `busy_timeout_ms`, which orgtwin
// takes out and uses as PostgresOptions::lock_timeout_ms (default 5000), as for SQLite.
//
// Thread-safety: plain functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "store/postgres_store.h"
#include "store/store.h"

namespace orgtwin::store {

// What a store URL names: a backend and its options.
using StoreConfig = std::variant<SqliteOptions, PostgresOptions>;

// Parses `url` without touching any database. kInvalidInput, with a message for the user of the
// command line, for anything that is not a store URL orgtwin can open.
Result<StoreConfig> ParseStoreUrl(std::string_view url);

// Parses `url` and opens that store (errors of ParseStoreUrl, then of the backend's Open).
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

// The URL of the SQLite database at `path` with default options, its characters escaped as a URL
// needs: ParseStoreUrl(SqliteUrl(p)) names the file p.
std::string SqliteUrl(std::string_view path);

}  // namespace orgtwin::store
