// Profile resolution as the AWS CLI v2 does it: the two files merged, the environment's order,
// static keys, and role profiles assumed for real against the whole twin in process (TestTwin,
// InProcessTransport, its FakeClock driving SigV4, STS expiry and the TOTP steps), chained, with
// MFA, cached; and the configuration errors the CLI refuses.
#include "client/profiles.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "auth/totp.h"
#include "client/inprocess_transport.h"
#include "common/base64.h"
#include "testing/temp_dir.h"
#include "testing/test_twin.h"

namespace orgtwin::client {
namespace {

namespace json = boost::json;

// An environment made of a map (the test's own; the process's is left alone).
Environment EnvOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? std::string() : it->second;
  };
}

AwsConfigFiles Files(std::string_view config, std::string_view credentials) {
  auto files = AwsConfigFiles::Parse(config, credentials);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : AwsConfigFiles();
}

// ---- The files and the environment (no twin) ----

constexpr char kConfig[] = R"([default]
region = us-west-2
aws_access_key_id = AKIACONFIGDEFAULT
aws_secret_access_key = config-secret

[profile dev]
region = eu-central-1
endpoint_url = http://127.0.0.1:4566
aws_access_key_id = AKIACONFIGDEV
aws_secret_access_key = config-dev-secret

[profile "with space"]
aws_access_key_id = AKIASPACE
aws_secret_access_key = space-secret

[profile config-only]
aws_access_key_id = AKIACONFIGONLY
aws_secret_access_key = only-secret
aws_session_token = only-token

[sso-session corp]
sso_start_url = https://example.awsapps.com/start

[profile partial]
aws_access_key_id = AKIAPARTIAL

[profile nothing]
region = ap-south-1

[profile sso]
sso_session = corp
)";

constexpr char kCredentials[] = R"([default]
aws_access_key_id = AKIACREDDEFAULT
aws_secret_access_key = cred-secret

[dev]
aws_access_key_id = AKIACREDDEV
aws_secret_access_key = cred-dev-secret

[profile dev]
aws_access_key_id = AKIALITERALNAME
aws_secret_access_key = literal
)";

TEST(ProfilesTest, MergesBothFilesAsBotocore) {
  AwsConfigFiles files = Files(kConfig, kCredentials);
  // [profile NAME] in the config file, [NAME] in the credentials file (where "profile dev" is a
  // profile of that literal name); [sso-session ...] is not a profile.
  EXPECT_EQ(files.ProfileNames(),
            (std::vector<std::string>{"config-only", "default", "dev", "nothing", "partial",
                                      "profile dev", "sso", "with space"}));
  const ProfileValues* dev = files.Profile("dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->at("region"), "eu-central-1");
  EXPECT_EQ(dev->at("aws_access_key_id"), "AKIACREDDEV");  // the credentials file's wins
  EXPECT_EQ(files.ConfigProfile("dev")->at("aws_access_key_id"), "AKIACONFIGDEV");
  EXPECT_EQ(files.CredentialsProfile("config-only"), nullptr);

  // `[profile default]` after `[default]` replaces it, as in build_profile_map.
  AwsConfigFiles twice = Files("[default]\nregion = a\n[profile default]\noutput = json\n", "");
  EXPECT_EQ(twice.Profile("default")->count("region"), 0u);
  EXPECT_EQ(twice.Profile("default")->at("output"), "json");
  // A config file that does not parse names which file.
  auto bad = AwsConfigFiles::Parse("[profile a]\noops\n", "");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(bad.status().message().find("config file: line 2"), std::string::npos);
}

TEST(ProfilesTest, StaticKeysCredentialsFileFirst) {
  ProfileResolver resolver(Files(kConfig, kCredentials), {.env = EnvOf({})});
  auto dev = resolver.Resolve("dev");
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->profile, "dev");
  EXPECT_EQ(dev->method, "shared-credentials-file");
  EXPECT_EQ(dev->credentials.access_key_id, "AKIACREDDEV");
  EXPECT_EQ(dev->credentials.secret_access_key, "cred-dev-secret");
  EXPECT_EQ(dev->region, "eu-central-1");
  EXPECT_EQ(dev->endpoint_url, "http://127.0.0.1:4566");
  EXPECT_FALSE(dev->expiration.has_value());

  auto config_only = resolver.Resolve("config-only");
  ASSERT_TRUE(config_only.ok()) << config_only.status().ToString();
  EXPECT_EQ(config_only->method, "config-file");
  EXPECT_EQ(config_only->credentials.session_token, "only-token");
  auto spaced = resolver.Resolve("with space");
  ASSERT_TRUE(spaced.ok()) << spaced.status().ToString();
  EXPECT_EQ(spaced->credentials.access_key_id, "AKIASPACE");

  ClientOptions options = ApplyProfile(ClientOptions{}, *dev);
  EXPECT_EQ(options.region, "eu-central-1");
  EXPECT_EQ(options.endpoint_url, "http://127.0.0.1:4566");
  EXPECT_EQ(options.credentials.access_key_id, "AKIACREDDEV");
  EXPECT_EQ(ApplyProfile(ClientOptions{}, *config_only).region, "us-east-1");  // base kept
}

TEST(ProfilesTest, EnvironmentThenAwsProfileThenDefault) {
  AwsConfigFiles files = Files(kConfig, kCredentials);
  {  // No name: the environment's keys win; the region is still the default profile's.
    ProfileResolver resolver(files, {.env = EnvOf({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                                   {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                                   {"AWS_SESSION_TOKEN", "env-token"},
                                                   {"AWS_PROFILE", "dev"}})});
    auto resolved = resolver.Resolve();
    ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
    EXPECT_EQ(resolved->method, "env");
    EXPECT_EQ(resolved->credentials.access_key_id, "AKIAENV");
    EXPECT_EQ(resolved->credentials.session_token, "env-token");
    EXPECT_EQ(resolved->profile, "dev");
    EXPECT_EQ(resolved->region, "eu-central-1");
    // A named profile (--profile) ignores the environment's keys.
    auto named = resolver.Resolve("default");
    ASSERT_TRUE(named.ok()) << named.status().ToString();
    EXPECT_EQ(named->credentials.access_key_id, "AKIACREDDEFAULT");
  }
  {  // Then AWS_PROFILE.
    ProfileResolver resolver(files, {.env = EnvOf({{"AWS_PROFILE", "config-only"}})});
    auto resolved = resolver.Resolve();
    ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
    EXPECT_EQ(resolved->profile, "config-only");
    EXPECT_EQ(resolved->credentials.access_key_id, "AKIACONFIGONLY");
  }
  {  // Then default.
    ProfileResolver resolver(files, {.env = EnvOf({})});
    auto resolved = resolver.Resolve();
    ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
    EXPECT_EQ(resolved->profile, "default");
    EXPECT_EQ(resolved->credentials.access_key_id, "AKIACREDDEFAULT");
    EXPECT_EQ(resolved->region, "us-west-2");
  }
  {  // A secret without its key id is ignored; a key id without its secret is an error.
    ProfileResolver resolver(files, {.env = EnvOf({{"AWS_SECRET_ACCESS_KEY", "lonely"}})});
    EXPECT_EQ(resolver.Resolve()->credentials.access_key_id, "AKIACREDDEFAULT");
    ProfileResolver partial(files, {.env = EnvOf({{"AWS_ACCESS_KEY_ID", "AKIAENV"}})});
    auto resolved = partial.Resolve();
    EXPECT_EQ(resolved.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(resolved.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  }
  {  // AWS_PROFILE naming a profile that does not exist fails even with keys in the environment.
    ProfileResolver resolver(files, {.env = EnvOf({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                                   {"AWS_SECRET_ACCESS_KEY", "s"},
                                                   {"AWS_PROFILE", "ghost"}})});
    auto resolved = resolver.Resolve();
    EXPECT_EQ(resolved.status().code(), ErrorCode::kNotFound);
    EXPECT_NE(resolved.status().message().find("profile `ghost` not found"), std::string::npos);
  }
  {  // Environment keys and no files at all.
    ProfileResolver resolver(
        AwsConfigFiles(),
        {.env = EnvOf({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}})});
    auto resolved = resolver.Resolve();
    ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
    EXPECT_EQ(resolved->region, "");
    ProfileResolver none(AwsConfigFiles(), {.env = EnvOf({})});
    EXPECT_EQ(none.Resolve().status().code(), ErrorCode::kNotFound);
  }
}

TEST(ProfilesTest, ProfilesWithoutUsableCredentialsAreNamedErrors) {
  ProfileResolver resolver(Files(kConfig, kCredentials), {.env = EnvOf({})});
  auto missing = resolver.Resolve("ghost");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("`ghost`"), std::string::npos);
  auto partial = resolver.Resolve("partial");
  EXPECT_EQ(partial.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(partial.status().message(),
            "profile `partial`: partial credentials found in config-file, missing: "
            "aws_secret_access_key");
  auto nothing = resolver.Resolve("nothing");
  EXPECT_EQ(nothing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(nothing.status().message().find("profile `nothing` has no credentials"),
            std::string::npos);
  auto sso = resolver.Resolve("sso");
  EXPECT_EQ(sso.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(sso.status().message().find("orgtwin does not"), std::string::npos);
}

TEST(ProfilesTest, LoadsTheFilesTheEnvironmentNames) {
  test::TempDir dir("orgtwin-profiles");
  std::ofstream(dir.File("config")) << "[profile dev]\nregion = eu-west-3\n";
  std::ofstream(dir.File("creds")) << "[dev]\naws_access_key_id = AKIAFILE\n"
                                      "aws_secret_access_key = s\n";
  auto files = AwsConfigFiles::Load(EnvOf({{"HOME", dir.path()},
                                           {"AWS_CONFIG_FILE", "~/config"},
                                           {"AWS_SHARED_CREDENTIALS_FILE", dir.File("creds")}}));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ProfileResolver resolver(std::move(files).value(), {.env = EnvOf({})});
  auto dev = resolver.Resolve("dev");
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->region, "eu-west-3");
  EXPECT_EQ(dev->credentials.access_key_id, "AKIAFILE");
  // Under $HOME/.aws by default; missing files are empty.
  auto empty = AwsConfigFiles::Load(EnvOf({{"HOME", dir.path()}}));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->ProfileNames().empty());
  std::ofstream(dir.File("bad")) << "[profile x]\nnot a pair\n";
  auto bad = AwsConfigFiles::Load(dir.File("bad"), "");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(bad.status().message().find("Unable to parse config file: " + dir.File("bad")),
            std::string::npos);
}

// ---- Role profiles against the twin ----

constexpr char kAccount[] = "123456789012";

std::string Trust(std::string_view condition = "") {
  std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                      R"({"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole")";
  if (!condition.empty()) trust += R"(,"Condition":)" + std::string(condition);
  return trust + "}]}";
}

class ProfilesTwinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-profiles"});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    transport_ = std::make_shared<InProcessTransport>(twin_->gateway());
    const test::Keys root = twin_->root_keys();
    Client admin = ClientAs({root.id, root.secret, ""});
    // AWS-COMPAT: root may not assume roles, so the source profile is an IAM user's keys.
    Call(admin, "iam", "CreateUser", {{"UserName", "ops"}});
    Call(admin, "iam", "AttachUserPolicy",
         {{"UserName", "ops"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
    json::object key = Call(admin, "iam", "CreateAccessKey", {{"UserName", "ops"}});
    ops_ = {std::string(key["AccessKey"].at("AccessKeyId").as_string()),
            std::string(key["AccessKey"].at("SecretAccessKey").as_string()), ""};
    // Deployer may assume Auditor (role chaining): it needs the permission, not only the trust.
    for (const char* role : {"Deployer", "Auditor"}) {
      Call(admin, "iam", "CreateRole", {{"RoleName", role}, {"AssumeRolePolicyDocument", Trust()}});
    }
    Call(admin, "iam", "AttachRolePolicy",
         {{"RoleName", "Deployer"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  }

  ClientOptions Options() const {
    ClientOptions options;
    options.endpoint_url = "http://twin.local";
    options.clock = &twin_->clock();
    options.retry.sleep = [](std::chrono::milliseconds) {};
    return options;
  }
  Client ClientAs(const Credentials& credentials) const {
    ClientOptions options = Options();
    options.credentials = credentials;
    return Client(std::move(options), transport_);
  }
  json::object Call(Client& client, std::string_view service, std::string_view operation,
                    const json::object& input) {
    auto out = client.Call(service, operation, input);
    EXPECT_TRUE(out.ok()) << operation << ": " << out.error().ToString();
    return out.ok() ? std::move(out).value() : json::object();
  }
  std::string CallerArn(const Credentials& credentials) {
    Client client = ClientAs(credentials);
    return std::string(Call(client, "sts", "GetCallerIdentity", {}).at("Arn").as_string());
  }

  // The files: "base" holds ops's keys; the rest are role profiles.
  std::string CredentialsFile() const {
    return "[base]\naws_access_key_id = " + ops_.access_key_id +
           "\naws_secret_access_key = " + ops_.secret_access_key + "\n";
  }
  // A resolver over `config`, counting the STS clients it builds (one per AssumeRole).
  std::unique_ptr<ProfileResolver> Resolver(const std::string& config, MfaCodeProvider mfa = {},
                                            std::string cache_dir = {}) {
    ClientFactory factory = MakeClientFactory(Options(), transport_);
    ProfileResolverOptions options;
    options.make_client = [this, factory](const client::Credentials& source) {
      ++assume_calls_;
      return factory(source);
    };
    options.mfa_code = std::move(mfa);
    options.env = EnvOf({});
    options.clock = &twin_->clock();
    options.cache_dir = std::move(cache_dir);
    return std::make_unique<ProfileResolver>(Files(config, CredentialsFile()), std::move(options));
  }

  std::unique_ptr<test::TestTwin> twin_;
  std::shared_ptr<InProcessTransport> transport_;
  client::Credentials ops_;
  std::atomic<int> assume_calls_{0};
};

constexpr char kRoles[] = R"([profile deployer]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = base
role_session_name = ci
region = eu-west-1

[profile auditor]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = deployer
duration_seconds = 1800
external_id = not-required-but-sent
)";

TEST_F(ProfilesTwinTest, RoleProfileAssumesTheRole) {
  auto resolver = Resolver(kRoles);
  auto deployer = resolver->Resolve("deployer");
  ASSERT_TRUE(deployer.ok()) << deployer.status().ToString();
  EXPECT_EQ(deployer->method, "assume-role");
  EXPECT_EQ(deployer->region, "eu-west-1");
  EXPECT_EQ(deployer->credentials.access_key_id.substr(0, 4), "ASIA");
  EXPECT_FALSE(deployer->credentials.session_token.empty());
  ASSERT_TRUE(deployer->expiration.has_value());
  EXPECT_EQ(*deployer->expiration, twin_->clock().Now() + std::chrono::hours(1));
  EXPECT_EQ(CallerArn(deployer->credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/Deployer/ci");
  EXPECT_EQ(assume_calls_.load(), 1);
}

TEST(ProfilesTest, CacheKeyIsTheAwsClis) {
  // Expected digests computed with Python's json.dumps(args, sort_keys=True) and hashlib.sha1,
  // as botocore computes them: non-ASCII as \u escapes (a surrogate pair beyond the BMP).
  EXPECT_EQ(AssumeRoleCacheKey({{"RoleArn", "arn:aws:iam::123456789012:role/Deployer"},
                                {"RoleSessionName", "ci"}}),
            "08d6e596f8dae854353687074ccd2d901912157f");
  EXPECT_EQ(AssumeRoleCacheKey({{"RoleArn", "arn:aws:iam::123456789012:role/Admin"},
                                {"SerialNumber", "arn:aws:iam::123456789012:mfa/ops"},
                                {"DurationSeconds", 900},
                                {"ExternalId", "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80"}}),
            "49f0a703f833e869e1e69bb1e97ca58276237dfb");
}

TEST_F(ProfilesTwinTest, AssumedRolesAreSharedThroughTheClisFileCache) {
  test::TempDir dir("orgtwin-cli-cache");
  const std::string cache = dir.File("cli/cache");
  auto first = Resolver(kRoles, {}, cache)->Resolve("deployer");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(assume_calls_.load(), 1);
  const std::string entry = cache + "/08d6e596f8dae854353687074ccd2d901912157f.json";
  ASSERT_TRUE(std::filesystem::exists(entry));
  EXPECT_EQ(std::filesystem::status(entry).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // Another resolver (another run) takes the role from the file: no AssumeRole.
  auto second = Resolver(kRoles, {}, cache)->Resolve("deployer");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(assume_calls_.load(), 1);
  EXPECT_EQ(second->credentials.access_key_id, first->credentials.access_key_id);
  EXPECT_EQ(second->expiration, first->expiration);

  // Within 15 minutes of its expiry the entry is not used: the role is assumed again.
  twin_->fake_clock().Advance(std::chrono::minutes(46));
  auto third = Resolver(kRoles, {}, cache)->Resolve("deployer");
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(assume_calls_.load(), 2);
  EXPECT_NE(third->credentials.access_key_id, first->credentials.access_key_id);
}

TEST_F(ProfilesTwinTest, ChainAssumesEachRoleOnceAndRefreshesNearExpiry) {
  auto resolver = Resolver(kRoles);
  // Several threads at once: each role of the chain is still assumed once.
  std::vector<std::thread> threads;
  std::vector<std::string> keys(4);
  for (size_t i = 0; i < keys.size(); ++i) {
    threads.emplace_back([&, i] {
      auto auditor = resolver->Resolve("auditor");
      keys[i] = auditor.ok() ? auditor->credentials.access_key_id : auditor.status().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(assume_calls_.load(), 2);  // Deployer, then Auditor with Deployer's session
  for (const std::string& key : keys) EXPECT_EQ(key, keys[0]);

  auto auditor = resolver->Resolve("auditor");
  ASSERT_TRUE(auditor.ok()) << auditor.status().ToString();
  const auto epoch =
      std::chrono::duration_cast<std::chrono::seconds>(twin_->clock().Now().time_since_epoch())
          .count();
  EXPECT_EQ(CallerArn(auditor->credentials), std::string("arn:aws:sts::") + kAccount +
                                                 ":assumed-role/Auditor/botocore-session-" +
                                                 std::to_string(epoch));
  EXPECT_EQ(*auditor->expiration, twin_->clock().Now() + std::chrono::seconds(1800));
  EXPECT_EQ(resolver->Resolve("deployer")->credentials.access_key_id.empty(), false);
  EXPECT_EQ(assume_calls_.load(), 2);  // the chain's Deployer session was cached too

  // Within 10 minutes of its expiry Auditor's session is assumed again (Deployer's is not due).
  twin_->fake_clock().Advance(std::chrono::seconds(1800 - 599));
  auto refreshed = resolver->Resolve("auditor");
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_NE(refreshed->credentials.access_key_id, auditor->credentials.access_key_id);
  EXPECT_EQ(assume_calls_.load(), 3);
}

TEST_F(ProfilesTwinTest, AssumeRoleErrorsCarryAwsCodeAndProfile) {
  auto resolver = Resolver(R"([profile nope]
role_arn = arn:aws:iam::123456789012:role/DoesNotExist
source_profile = base
[profile via-nope]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = nope
)");
  auto nope = resolver->Resolve("nope");
  ASSERT_FALSE(nope.ok());
  EXPECT_EQ(nope.status().code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(nope.status().aws_code(), "AccessDenied");
  EXPECT_EQ(nope.status().message().rfind(
                "profile `nope`: AssumeRole of arn:aws:iam::123456789012:role/DoesNotExist "
                "failed: AccessDenied: ",
                0),
            0u)
      << nope.status().message();
  auto chained = resolver->Resolve("via-nope");
  EXPECT_EQ(chained.status().aws_code(), "AccessDenied");
  EXPECT_EQ(chained.status().message().rfind(
                "profile `via-nope`: its source_profile `nope`: AssumeRole of ", 0),
            0u)
      << chained.status().message();
}

TEST_F(ProfilesTwinTest, MfaCodeComesFromTheCallback) {
  const test::Keys root = twin_->root_keys();
  Client admin = ClientAs({root.id, root.secret, ""});
  json::object device =
      Call(admin, "iam", "CreateVirtualMFADevice", {{"VirtualMFADeviceName", "ops"}});
  const std::string serial(device["VirtualMFADevice"].at("SerialNumber").as_string());
  std::string base32;  // the blob holds the Base32 text, base64-encoded on the wire
  ASSERT_TRUE(Base64Decode(device["VirtualMFADevice"].at("Base32StringSeed").as_string(), &base32));
  auto seed = auth::Base32Decode(base32);
  ASSERT_TRUE(seed.ok()) << seed.status().ToString();
  const TimePoint now = twin_->clock().Now();
  Call(admin, "iam", "EnableMFADevice",
       {{"UserName", "ops"},
        {"SerialNumber", serial},
        {"AuthenticationCode1", auth::TotpCode(*seed, now - std::chrono::seconds(30))},
        {"AuthenticationCode2", auth::TotpCode(*seed, now)}});
  Call(admin, "iam", "CreateRole",
       {{"RoleName", "NeedsMfa"},
        {"AssumeRolePolicyDocument", Trust(R"({"Bool":{"aws:MultiFactorAuthPresent":"true"}})")}});
  twin_->fake_clock().Advance(std::chrono::seconds(30));  // EnableMFADevice used this step's code

  const std::string config =
      "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/NeedsMfa\n"
      "source_profile = base\nrole_session_name = with-mfa\nmfa_serial = " +
      serial +
      "\n[profile no-mfa]\nrole_arn = "
      "arn:aws:iam::123456789012:role/NeedsMfa\nsource_profile = base\n";
  std::vector<std::string> asked;
  auto resolver = Resolver(config, [&](std::string_view mfa_serial) -> Result<std::string> {
    asked.emplace_back(mfa_serial);
    return auth::TotpCode(*seed, twin_->clock().Now());
  });
  auto resolved = resolver->Resolve("mfa");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(asked, std::vector<std::string>{serial});
  EXPECT_EQ(CallerArn(resolved->credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/NeedsMfa/with-mfa");

  // The trust policy refuses the same role without MFA: AWS's own error, named by profile.
  auto without = resolver->Resolve("no-mfa");
  EXPECT_EQ(without.status().aws_code(), "AccessDenied");
  EXPECT_NE(without.status().message().find("profile `no-mfa`: AssumeRole of"), std::string::npos);

  // No callback: a clear error before anything is sent.
  auto no_callback = Resolver(config);
  const int before = assume_calls_;
  auto refused = no_callback->Resolve("mfa");
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(refused.status().message(), "profile `mfa` needs an MFA code for " + serial +
                                            " (mfa_serial), and no MFA code provider was given");
  EXPECT_EQ(assume_calls_.load(), before);
  // The callback's own failure stops the resolution with it.
  auto failing = Resolver(config, [](std::string_view) -> Result<std::string> {
    return UnavailableError("no terminal");
  });
  auto failed = failing->Resolve("mfa");
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(failed.status().message(),
            "profile `mfa`: no MFA code for " + serial + ": no terminal");
}

TEST_F(ProfilesTwinTest, SourceProfileCyclesAndMissingSourcesAreRefused) {
  auto resolver = Resolver(R"([profile a]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = b
[profile b]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = a
[profile self]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = self
[profile orphan]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = gone
[profile loose]
role_arn = arn:aws:iam::123456789012:role/Deployer
)");
  auto cycle = resolver->Resolve("a");
  EXPECT_EQ(cycle.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(cycle.status().message(),
            "profile `a`: its source_profile `b`: source_profile cycle detected: a -> b -> a");
  auto self = resolver->Resolve("self");
  EXPECT_EQ(self.status().message(), "profile `self`: source_profile cycle detected: self -> self");
  auto orphan = resolver->Resolve("orphan");
  EXPECT_EQ(orphan.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(orphan.status().message(),
            "profile `orphan`: its source_profile `gone` does not exist");
  auto loose = resolver->Resolve("loose");
  EXPECT_EQ(loose.status().message(),
            "profile `loose` has role_arn but neither source_profile nor credential_source");
  EXPECT_EQ(assume_calls_.load(), 0);
}

TEST_F(ProfilesTwinTest, ProfileMayBeItsOwnSourceWithStaticKeys) {
  // botocore allows it so one profile holds both the keys and the role; a source profile's own
  // static keys win over its role_arn.
  auto resolver = Resolver(R"([profile base]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = base
role_session_name = self-sourced
[profile above]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = base
role_session_name = above
)");
  auto self = resolver->Resolve("base");
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_EQ(CallerArn(self->credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/Deployer/self-sourced");
  auto above = resolver->Resolve("above");
  ASSERT_TRUE(above.ok()) << above.status().ToString();
  // Assumed with ops's keys, not with the Deployer session: ops's own permission lets it.
  EXPECT_EQ(CallerArn(above->credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/Auditor/above");
  EXPECT_EQ(assume_calls_.load(), 2);
}

}  // namespace
}  // namespace orgtwin::client
