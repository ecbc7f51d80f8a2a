// Store URLs (`orgtwin serve --store URL`): the forms and options that parse, and the exact
// messages a mistyped URL gets, since the user reads them on the command line.
#include "store/open_store.h"

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace orgtwin::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kForms[] = "`sqlite:///absolute/path.db` or `sqlite:relative/path.db`";

// The SqliteOptions `url` parses to; fails the test if it does not parse.
SqliteOptions Sqlite(const std::string& url) {
  Result<StoreConfig> config = ParseStoreUrl(url);
  EXPECT_TRUE(config.ok()) << url << ": " << config.status().ToString();
  if (!config.ok()) return {};
  const auto* sqlite = std::get_if<SqliteOptions>(&*config);
  EXPECT_NE(sqlite, nullptr) << url;
  return sqlite ? *sqlite : SqliteOptions{};
}

TEST(OpenStoreTest, ParsesSqlitePaths) {
  SqliteOptions absolute = Sqlite("sqlite:///var/lib/orgtwin/orgtwin.db");
  EXPECT_EQ(absolute.path, "/var/lib/orgtwin/orgtwin.db");
  EXPECT_EQ(absolute.sync, SqliteSync::kNormal);
  EXPECT_EQ(absolute.busy_timeout_ms, SqliteOptions{}.busy_timeout_ms);
  EXPECT_FALSE(absolute.migrations.has_value());

  EXPECT_EQ(Sqlite("sqlite:data/orgtwin.db").path, "data/orgtwin.db");
  EXPECT_EQ(Sqlite("sqlite:orgtwin.db").path, "orgtwin.db");
  // What Store::Describe prints for a SQLite store, so it can be pasted back.
  EXPECT_EQ(Sqlite("sqlite:/srv/orgtwin.db").path, "/srv/orgtwin.db");
  // Schemes are case-insensitive (RFC 3986).
  EXPECT_EQ(Sqlite("SQLite:///srv/orgtwin.db").path, "/srv/orgtwin.db");
  EXPECT_EQ(Sqlite("sqlite:///tmp/my%20data/x%23y%25.db").path, "/tmp/my data/x#y%.db");
  EXPECT_EQ(Sqlite("sqlite:///srv/orgtwin.db?").path, "/srv/orgtwin.db");
}

TEST(OpenStoreTest, ParsesSqliteOptions) {
  SqliteOptions full = Sqlite("sqlite:///srv/orgtwin.db?sync=full&busy_timeout_ms=250");
  EXPECT_EQ(full.path, "/srv/orgtwin.db");
  EXPECT_EQ(full.sync, SqliteSync::kFull);
  EXPECT_EQ(full.busy_timeout_ms, 250);

  SqliteOptions normal = Sqlite("sqlite:x.db?busy_timeout_ms=0&sync=normal");
  EXPECT_EQ(normal.sync, SqliteSync::kNormal);
  EXPECT_EQ(normal.busy_timeout_ms, 0);
}

TEST(OpenStoreTest, SqliteUrlRoundTrips) {
  EXPECT_EQ(SqliteUrl("/var/lib/orgtwin/orgtwin.db"), "sqlite:///var/lib/orgtwin/orgtwin.db");
  EXPECT_EQ(SqliteUrl("data/orgtwin.db"), "sqlite:data/orgtwin.db");
  for (const std::string path :
       {"/tmp/my data/orgtwin.db", "/tmp/100%/a?b#c&d=e.db", "//twice/orgtwin.db", "a:b.db",
        "rel/../x.db", "/tmp/caf\xC3\xA9.db"}) {
    std::string url = SqliteUrl(path);
    EXPECT_EQ(Sqlite(url).path, path) << url;
  }
}

struct BadUrl {
  std::string url;
  std::string message;
};

TEST(OpenStoreTest, RejectsBadUrlsWithClearMessages) {
  const std::string forms = kForms;
  const std::vector<BadUrl> cases = {
      {"mysql://db/orgtwin", "store URL: unknown scheme `mysql`; orgtwin stores in SQLite (" +
                                 forms + ") or PostgreSQL (`postgres://user@host:port/database`)"},
      {"postgres://orgtwin:secret@db/x?busy_timeout_ms=-1",
       "store URL: busy_timeout_ms `-1`; it is a whole number of milliseconds, 0 or more"},
      {"postgres://orgtwin:secret@db/x?busy_timeout_ms=1&busy_timeout_ms=2",
       "store URL: gives option `busy_timeout_ms` twice"},
      {"postgres://orgtwin:secret@db/x?no_such_option=1",
       "store URL: libpq refuses the PostgreSQL URL: invalid URI query parameter: "
       "\"no_such_option\""},
      {"/var/lib/orgtwin.db",
       "store URL `/var/lib/orgtwin.db` has no scheme; a SQLite store is " + forms},
      {"", "store URL `` has no scheme; a SQLite store is " + forms},
      {"sqlite://db.internal:5432/x.db",
       "store URL `sqlite://db.internal:5432/x.db` names host `db.internal:5432`; a SQLite store "
       "is a local file: " +
           forms},
      {"sqlite:", "store URL `sqlite:` names no database file; use " + forms},
      {"sqlite://", "store URL `sqlite://` names no database file; use " + forms},
      {"sqlite:x.db#1",
       "store URL `sqlite:x.db#1` has a fragment (`#1`); write `#` in a path as %23"},
      {"sqlite:///tmp/my data/x.db",
       "store URL `sqlite:///tmp/my data/x.db` is not a valid URL; write a space in a path as %20 "
       "and `%` as %25"},
      {"sqlite:100%.db",
       "store URL `sqlite:100%.db` is not a valid URL; write a space in a path as %20 and `%` as "
       "%25"},
      {"sqlite:x%00.db", "store URL `sqlite:x%00.db` has a NUL byte (%00) in its path"},
      {"sqlite:x.db?sync=fast",
       "store URL `sqlite:x.db?sync=fast` has sync `fast`; sync is `normal` or `full`"},
      {"sqlite:x.db?sync",
       "store URL `sqlite:x.db?sync` gives option `sync` no value (`sync=...`)"},
      {"sqlite:x.db?sync=",
       "store URL `sqlite:x.db?sync=` gives option `sync` no value (`sync=...`)"},
      {"sqlite:x.db?sync=full&sync=normal",
       "store URL `sqlite:x.db?sync=full&sync=normal` gives option `sync` twice"},
      {"sqlite:x.db?cache_size=100",
       "store URL `sqlite:x.db?cache_size=100` has unknown option `cache_size`; a SQLite store "
       "takes `sync` (normal or full) and `busy_timeout_ms`"},
  };
  for (const BadUrl& c : cases) {
    Result<StoreConfig> config = ParseStoreUrl(c.url);
    ASSERT_FALSE(config.ok()) << c.url;
    EXPECT_EQ(config.status().code(), ErrorCode::kInvalidInput) << c.url;
    EXPECT_EQ(config.status().message(), c.message);
  }
  // Another backend's URL is never echoed: it may carry a password.
  EXPECT_THAT(ParseStoreUrl("postgres://orgtwin:secret@db/x?bad=1").status().message(),
              Not(HasSubstr("secret")));
  EXPECT_THAT(ParseStoreUrl("mysql://orgtwin:secret@db/x").status().message(),
              Not(HasSubstr("secret")));
}

TEST(OpenStoreTest, RejectsBadTimeouts) {
  for (const std::string value : {"-1", "abc", "10ms", "+5", "99999999999", "1.5"}) {
    std::string url = "sqlite:x.db?busy_timeout_ms=" + value;
    Result<StoreConfig> config = ParseStoreUrl(url);
    ASSERT_FALSE(config.ok()) << url;
    std::string expected = "store URL `";
    expected.append(url).append("` has busy_timeout_ms `").append(value);
    expected.append("`; it is a whole number of milliseconds, 0 or more");
    EXPECT_EQ(config.status().message(), expected);
  }
}

TEST(OpenStoreTest, PostgresUrlsGoToLibpqWithoutOurOption) {
  for (const std::string scheme : {"postgres", "postgresql"}) {
    Result<StoreConfig> config =
        ParseStoreUrl(scheme + "://u:pw@db:5433/twin?sslmode=require&busy_timeout_ms=250");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    const auto* postgres = std::get_if<PostgresOptions>(&*config);
    ASSERT_NE(postgres, nullptr);
    EXPECT_EQ(postgres->conninfo, scheme + "://u:pw@db:5433/twin?sslmode=require");
    EXPECT_EQ(postgres->lock_timeout_ms, 250);
  }
  Result<StoreConfig> plain = ParseStoreUrl("postgresql:///twin?host=/run/postgresql");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::get<PostgresOptions>(*plain).conninfo, "postgresql:///twin?host=/run/postgresql");
  EXPECT_EQ(std::get<PostgresOptions>(*plain).lock_timeout_ms, 5000);
}

TEST(OpenStoreTest, UnreachablePostgresIsUnavailableWithoutThePassword) {
  // Port 1 on the loopback refuses at once: nothing listens there.
  Result<std::unique_ptr<Store>> store = OpenStore("postgres://orgtwin:secret@127.0.0.1:1/x");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr("postgres: cannot connect"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("secret")));
}

TEST(OpenStoreTest, OpensTheSqliteStoreTheUrlNames) {
  test::TempDir dir("orgtwin-open-store");
  const std::string path = dir.File("sub dir/orgtwin.db");
  Result<std::unique_ptr<Store>> store = OpenStore(SqliteUrl(path) + "?sync=full");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Describe(), "sqlite:" + path);
  EXPECT_EQ((*store)->SchemaVersion(), EmbeddedMigrations().back().version);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenStoreTest, ReportsTheBackendsOwnErrors) {
  Result<std::unique_ptr<Store>> bad_url = OpenStore("mysql://db/x");
  EXPECT_EQ(bad_url.status().code(), ErrorCode::kInvalidInput);
  // Parsed, then refused by SQLite's Open: a twin's store must be a file.
  Result<std::unique_ptr<Store>> memory = OpenStore("sqlite::memory:");
  ASSERT_FALSE(memory.ok());
  EXPECT_EQ(memory.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(memory.status().message(), "store: sqlite path must name a file");
}

}  // namespace
}  // namespace orgtwin::store
