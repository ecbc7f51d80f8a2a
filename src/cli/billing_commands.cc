#include "cli/billing_commands.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <unistd.h>

#include "auth/sigv4.h"
#include "cli/exit_codes.h"
#include "cli/twin_http.h"
#include "client/client.h"
#include "client/http_transport.h"
#include "client/profiles.h"

namespace orgtwin::cli {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

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

std::string Sha256File(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return auth::Sha256Hex(bytes.str());
}

// Writes `bytes` to `path` whole or not at all (a temporary file renamed over it).
Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return InternalError("cannot write " + partial.string());
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) return InternalError("cannot rename " + partial.string() + ": " + ec.message());
  return Status::Ok();
}

// GETs a presigned URL (no signature of ours: the URL carries its own).
Result<std::string> Download(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t path_at =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  OT_ASSIGN_OR_RETURN(client::Endpoint endpoint, client::ParseEndpoint(url.substr(0, path_at)));
  HttpRequest request;
  request.method = "GET";
  request.target = path_at == std::string::npos ? "/" : url.substr(path_at);
  request.headers.emplace_back("Host", endpoint.HostHeader());
  client::HttpTransport transport;
  OT_ASSIGN_OR_RETURN(HttpResponse response, transport.Send(endpoint, request));
  if (response.status != 200) {
    return UnavailableError("GET " + request.target.substr(0, request.target.find('?')) +
                            " answered " + std::to_string(response.status) + ": " +
                            response.body.substr(0, 200));
  }
  return response.body;
}

std::string Text(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// What a refusal means for the archive: the error, then what the caller needs.
std::string Refusal(const client::Error& error, std::string_view action) {
  std::string out = error.code + ": " + error.message;
  if (error.code == "AccessDeniedException" || error.code == "AccessDenied") {
    out += "\n  the caller needs " + std::string(action) +
           " (with invoicing:ListInvoiceSummaries and invoicing:GetInvoicePDF) and, as an IAM "
           "user or role, IAM user and role access to Billing information activated by the "
           "account's root user";
  }
  return out;
}

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

json::object LoadManifest(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value parsed = json::parse(text.str(), ec);
  return !ec && parsed.is_object() ? parsed.as_object() : json::object{};
}

// The entry of `id` in a manifest, when both its files are present and match their checksums.
bool AlreadyArchived(const json::object& manifest, const std::string& id, const fs::path& dir) {
  const json::value* invoices = manifest.if_contains("Invoices");
  if (invoices == nullptr || !invoices->is_array()) return false;
  for (const json::value& entry : invoices->get_array()) {
    if (!entry.is_object() || Text(entry.get_object(), "InvoiceId") != id) continue;
    const json::value* files = entry.get_object().if_contains("Files");
    if (files == nullptr || !files->is_array() || files->get_array().empty()) return false;
    for (const json::value& file : files->get_array()) {
      if (!file.is_object()) return false;
      const fs::path path = dir / Text(file.get_object(), "Name");
      if (!fs::exists(path) || Sha256File(path) != Text(file.get_object(), "Sha256")) return false;
    }
    return true;
  }
  return false;
}

json::object EntryOf(const json::object& summary, const fs::path& dir,
                     const std::vector<std::string>& names) {
  json::array files;
  for (const std::string& name : names) {
    files.push_back(json::object{{"Name", name}, {"Sha256", Sha256File(dir / name)}});
  }
  const json::value* amount = summary.if_contains("BaseCurrencyAmount");
  const json::object empty;
  const json::object& money =
      amount != nullptr && amount->is_object() ? amount->get_object() : empty;
  const json::value* period = summary.if_contains("BillingPeriod");
  return json::object{{"InvoiceId", Text(summary, "InvoiceId")},
                      {"BillingPeriod", period != nullptr ? *period : json::value()},
                      {"TotalAmount", Text(money, "TotalAmount")},
                      {"CurrencyCode", Text(money, "CurrencyCode")},
                      {"Files", std::move(files)}};
}

int RunArchive(const BillingOptions& options) {
  if (options.account.empty() || options.to.empty()) {
    return Fail("billing archive", "name the --account and the folder (--to)");
  }
  auto client = ClientFor(options, options.profile);
  if (!client.ok()) return Fail("billing archive", client.status().message());
  std::vector<json::object> summaries;
  auto pages = client->Paginate(
      "invoicing", "ListInvoiceSummaries",
      json::object{
          {"Selector", json::object{{"ResourceType", "ACCOUNT_ID"}, {"Value", options.account}}}},
      [&](const json::object& page) {
        const json::value* list = page.if_contains("InvoiceSummaries");
        if (list != nullptr && list->is_array()) {
          for (const json::value& item : list->get_array()) {
            if (item.is_object()) summaries.push_back(item.get_object());
          }
        }
        return true;
      });
  if (!pages.ok()) {
    return Fail("billing archive",
                Refusal(pages.error(), "invoicing:ListInvoiceSummaries on the account"));
  }
  const fs::path dir(options.to);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail("billing archive", "cannot create " + dir.string() + ": " + ec.message());
  const fs::path manifest_path = dir / "manifest.json";
  const json::object previous = LoadManifest(manifest_path);
  json::array entries;
  size_t kept = 0;
  size_t done = 0;
  Progress(done, summaries.size(), kept);
  for (const json::object& summary : summaries) {
    const std::string id = Text(summary, "InvoiceId");
    const std::vector<std::string> names = {id + ".pdf", id + ".csv"};
    if (AlreadyArchived(previous, id, dir)) {
      ++kept;
    } else {
      auto pdf = client->Call("invoicing", "GetInvoicePDF", json::object{{"InvoiceId", id}});
      if (!pdf.ok()) {
        return Fail("billing archive", Refusal(pdf.error(), "invoicing:GetInvoicePDF"));
      }
      const json::value* document = pdf->if_contains("InvoicePDF");
      const json::object& fields =
          document != nullptr && document->is_object() ? document->get_object() : json::object();
      std::vector<std::string> urls = {Text(fields, "DocumentUrl")};
      if (const json::value* extra = fields.if_contains("SupplementalDocuments");
          extra != nullptr && extra->is_array() && !extra->get_array().empty() &&
          extra->get_array().front().is_object()) {
        urls.push_back(Text(extra->get_array().front().get_object(), "DocumentUrl"));
      }
      if (urls.size() != names.size()) {
        return Fail("billing archive", "invoice " + id + " has no line items document");
      }
      for (size_t i = 0; i < names.size(); ++i) {
        auto bytes = Download(urls[i]);
        if (!bytes.ok()) return Fail("billing archive", bytes.status().message());
        Status written = WriteAtomically(dir / names[i], *bytes);
        if (!written.ok()) return Fail("billing archive", written.message());
      }
    }
    entries.push_back(EntryOf(summary, dir, names));
    // The manifest after every invoice: an interrupted run resumes from it.
    Status saved = WriteAtomically(
        manifest_path,
        json::serialize(json::object{{"AccountId", options.account}, {"Invoices", entries}}));
    if (!saved.ok()) return Fail("billing archive", saved.message());
    Progress(++done, summaries.size(), kept);
  }
  std::printf("archived %zu invoice(s) of account %s in %s (%zu already there)\n", summaries.size(),
              options.account.c_str(), dir.string().c_str(), kept);
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
