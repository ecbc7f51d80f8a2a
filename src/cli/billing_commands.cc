#include "cli/billing_commands.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include <unistd.h>

#include "cli/exit_codes.h"
#include "cli/twin_http.h"
#include "client/client.h"
#include "client/http_transport.h"
#include "client/profiles.h"
#include "playbook/invoice_archive.h"

namespace orgtwin::cli {
namespace {

namespace json = boost::json;

constexpr size_t kRecordsPerCall = 1000;

// ---- Credentials and client ----

Result<client::Client> ClientFor(const BillingOptions& options, const std::string& profile) {
  OT_ASSIGN_OR_RETURN(client::AwsConfigFiles files, client::AwsConfigFiles::Load());
  client::ClientOptions base;
  base.endpoint_url = options.endpoint;
  auto transport = std::make_shared<client::HttpTransport>();
  client::ProfileResolverOptions resolver_options;
  resolver_options.make_client = client::MakeClientFactory(base, transport);
  client::ProfileResolver resolver(std::move(files), std::move(resolver_options));
  OT_ASSIGN_OR_RETURN(client::ResolvedProfile resolved, resolver.Resolve(profile));
  base.credentials = resolved.credentials;
  return client::Client(base, transport);
}

// ---- generate ----

// FNV-1a: the same on every machine and standard library (std::hash promises neither), so a
// seed gives the same history everywhere.
uint64_t Fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

struct UsageShape {
  double instances;        // m5.large running all day
  double storage_gb;       // S3 at the start of the history
  double storage_growth;   // GB added each month
  double volume_gb;        // EBS gp3
  double lambda_requests;  // a weekday's
  double metrics;          // CloudWatch custom metrics
};

// A number in [0, 1) from the generator's next 53 bits (mt19937_64 is the same everywhere;
// std::uniform_real_distribution is not).
double Unit(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

// The account's own shape, drawn from the seed and the account ID.
UsageShape ShapeOf(std::mt19937_64& random) {
  UsageShape shape{};
  shape.instances = 1 + std::floor(Unit(random) * 4);
  shape.storage_gb = 2000 + Unit(random) * 8000;
  shape.storage_growth = 100 + Unit(random) * 900;
  shape.volume_gb = 200 + Unit(random) * 800;
  shape.lambda_requests = 200000 + Unit(random) * 4000000;
  shape.metrics = 10 + std::floor(Unit(random) * 90);
  return shape;
}

json::object Record(const std::string& account, const char* service, const char* usage_type,
                    double quantity, double time) {
  return json::object{{"AccountId", account},
                      {"Service", service},
                      {"UsageType", usage_type},
                      {"Region", "us-east-1"},
                      {"UsageQuantity", std::round(quantity * 1e6) / 1e6},
                      {"Time", time}};
}

// One account's records for the day starting at `day_start` (epoch seconds), day `index` of the
// history.
void DayOf(const std::string& account, const UsageShape& shape, std::mt19937_64& random,
           double day_start, int index, std::vector<json::object>& out) {
  auto noise = [&random] { return 0.85 + 0.3 * Unit(random); };
  const double noon = day_start + 12 * 3600;
  const int weekday = static_cast<int>(std::floor(day_start / 86400 + 4)) % 7;  // 0 = Sunday
  const bool weekend = weekday == 0 || weekday == 6;
  const double month = index / 30.0;
  // Compute steps up by one instance every four months.
  const double instances = shape.instances + std::floor(month / 4);
  out.push_back(Record(account, "Amazon Elastic Compute Cloud - Compute", "BoxUsage:m5.large",
                       24 * instances, noon));
  out.push_back(Record(account, "EC2 - Other", "EBS:VolumeUsage.gp3", shape.volume_gb / 30, noon));
  out.push_back(Record(account, "Amazon Simple Storage Service", "TimedStorage-ByteHrs",
                       (shape.storage_gb + shape.storage_growth * month) / 30, noon));
  out.push_back(Record(account, "Amazon Simple Storage Service", "Requests-Tier1",
                       std::round(shape.lambda_requests * 0.05 * noise()), noon));
  out.push_back(Record(account, "AWS Lambda", "Request",
                       std::round(shape.lambda_requests * (weekend ? 0.4 : 1.0) * noise()), noon));
  out.push_back(
      Record(account, "AmazonCloudWatch", "CW:MetricMonitorUsage", shape.metrics / 30, noon));
  out.push_back(
      Record(account, "AWS CloudTrail", "PaidEventsRecorded", std::round(50000 * noise()), noon));
}

int RunGenerate(const BillingOptions& options) {
  if (options.accounts.empty()) return Fail("billing generate", "name at least one --account");
  if (options.months < 1 || options.months > 36) {
    return Fail("billing generate", "--months must be 1 to 36");
  }
  auto client = ClientFor(options, options.profile.empty() ? "orgtwin" : options.profile);
  if (!client.ok()) return Fail("billing generate", client.status().message());
  // Whole days up to yesterday (UTC): the history ends where today's own usage begins.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const int days = options.months * 30;
  size_t recorded = 0;
  for (const std::string& account : options.accounts) {
    std::mt19937_64 random(options.seed * 0x9E3779B97F4A7C15ULL ^ Fnv1a(account));
    const UsageShape shape = ShapeOf(random);
    std::vector<json::object> records;
    for (int i = 0; i < days; ++i) {
      const auto day = today - std::chrono::days(days - i);
      const double start = static_cast<double>(
          std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count());
      DayOf(account, shape, random, start, i, records);
    }
    for (size_t at = 0; at < records.size(); at += kRecordsPerCall) {
      json::array batch;
      for (size_t i = at; i < records.size() && i < at + kRecordsPerCall; ++i) {
        batch.push_back(records[i]);
      }
      auto answer = client->Call("orgtwin", "RecordUsage", json::object{{"Records", batch}});
      if (!answer.ok()) {
        return Fail("billing generate", "account " + account + ": " + answer.error().ToString());
      }
      recorded += batch.size();
    }
  }
  std::printf("recorded %zu usage records: %d days for %zu account(s), seed %u\n", recorded, days,
              options.accounts.size(), options.seed);
  return 0;
}

// ---- archive ----

void Progress(size_t done, size_t total, size_t kept) {
  if (isatty(STDERR_FILENO) == 0) return;
  constexpr size_t kWidth = 30;
  const size_t filled = total == 0 ? kWidth : done * kWidth / total;
  std::fprintf(stderr, "\r[%s%s] %zu/%zu invoices (%zu already archived)",
               std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(), done,
               total, kept);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

int RunArchive(const BillingOptions& options) {
  if (options.account.empty() || options.to.empty()) {
    return Fail("billing archive", "name the --account and the folder (--to)");
  }
  auto client = ClientFor(options, options.profile);
  if (!client.ok()) return Fail("billing archive", client.status().message());
  auto call = [&](std::string_view operation, const json::object& input) {
    return client->Call("invoicing", operation, input);
  };
  auto report = playbook::ArchiveInvoices(call, options.account, options.to, Progress);
  if (!report.ok()) return Fail("billing archive", report.status().message());
  std::printf("archived %zu invoice(s) of account %s in %s (%zu already there)\n", report->invoices,
              options.account.c_str(), options.to.c_str(), report->already);
  return 0;
}

}  // namespace

bool BillingCommands::AnyParsed() const {
  return (generate != nullptr && generate->parsed()) || (archive != nullptr && archive->parsed());
}

BillingCommands AddBillingCommands(CLI::App& app, BillingOptions& options) {
  CLI::App* billing = app.add_subcommand("billing", "consolidated billing: usage and invoices");
  billing->require_subcommand(1);
  BillingCommands commands;
  commands.generate = billing->add_subcommand(
      "generate", "record a seeded usage history of the last months for demos (twin only)");
  commands.generate->add_option("--account", options.accounts, "an account (repeatable)")
      ->required();
  commands.generate->add_option("--months", options.months, "how many months back (1-36)")
      ->capture_default_str();
  commands.generate->add_option("--seed", options.seed, "the same seed, the same history")
      ->capture_default_str();
  commands.generate->add_option("--profile", options.profile,
                                "the twin administrator's profile (default: orgtwin)");
  commands.archive = billing->add_subcommand(
      "archive", "download every invoice of an account as PDF and CSV, with a manifest");
  commands.archive->add_option("--account", options.account, "the account receiving them")
      ->required();
  commands.archive->add_option("--to", options.to, "the folder")->required();
  commands.archive->add_option("--profile", options.profile,
                               "the profile to sign as (default: the AWS CLI's default chain)");
  for (CLI::App* command : {commands.generate, commands.archive}) {
    command->add_option("--endpoint", options.endpoint, "orgtwin URL, http(s)://host:port")
        ->capture_default_str();
  }
  return commands;
}

int RunBillingCommand(const BillingCommands& commands, const BillingOptions& options) {
  if (commands.generate->parsed()) return RunGenerate(options);
  if (commands.archive->parsed()) return RunArchive(options);
  return kExitBadInput;
}

}  // namespace orgtwin::cli
