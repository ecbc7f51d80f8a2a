#include "cli/engine_commands.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>

#include <stdlib.h>
#include <unistd.h>

#include "cli/embedded_twin.h"
#include "cli/exit_codes.h"
#include "client/client.h"
#include "client/http_transport.h"
#include "client/profiles.h"
#include "common/log.h"
#include "playbook/playbook.h"
#include "playbook/transfer.h"
#include "playbook/twin_assist.h"
#include "store/open_store.h"
#include "structure/import.h"
#include "structure/journal.h"
#include "structure/parse.h"
#include "structure/reconcile.h"
#include "structure/session.h"
#include "verify/report_page.h"
#include "verify/verify.h"

namespace orgtwin::cli {
namespace {

int FailWith(int code, const std::string& message) {
  std::fprintf(stderr, "orgtwin: %s\n", message.c_str());
  return code;
}

// An MFA code typed on the terminal, as the AWS CLI asks for one.
Result<std::string> PromptMfaCode(std::string_view serial) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) {
    return InvalidInputError("a profile needs a code from MFA device " + std::string(serial) +
                             " and there is no terminal to ask on");
  }
  std::fprintf(tty, "Enter MFA code for %s: ", std::string(serial).c_str());
  std::fflush(tty);
  char line[64] = {};
  const bool read = std::fgets(line, sizeof(line), tty) != nullptr;
  std::fclose(tty);
  std::string code(line);
  while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
  if (!read || code.empty()) return InvalidInputError("no MFA code entered");
  return code;
}

// The profiles as the AWS CLI resolves them. Files are re-read when a profile is missing: the
// twin assist writes new ones during a run (a new payer's root keys, a role profile).
class Profiles {
 public:
  explicit Profiles(client::ProfileResolverOptions options) : options_(std::move(options)) {}

  Result<client::Credentials> Resolve(const std::string& profile) {
    std::lock_guard lock(mutex_);
    if (resolver_ == nullptr) OT_RETURN_IF_ERROR(Reload());
    auto resolved = resolver_->Resolve(profile);
    if (!resolved.ok() && resolved.status().code() == ErrorCode::kNotFound) {
      OT_RETURN_IF_ERROR(Reload());
      resolved = resolver_->Resolve(profile);
    }
    if (!resolved.ok()) return resolved.status();
    return resolved->credentials;
  }

 private:
  Status Reload() {
    OT_ASSIGN_OR_RETURN(client::AwsConfigFiles files, client::AwsConfigFiles::Load());
    resolver_ = std::make_unique<client::ProfileResolver>(std::move(files), options_);
    return Status::Ok();
  }

  std::mutex mutex_;
  client::ProfileResolverOptions options_;
  std::unique_ptr<client::ProfileResolver> resolver_;
};

// Everything one engine command runs on.
struct Runtime {
  std::unique_ptr<EmbeddedTwin> embedded;
  std::string endpoint_url;
  std::shared_ptr<client::Transport> transport;
  std::unique_ptr<playbook::TwinAssist> assist;
  std::shared_ptr<Profiles> profiles;
  std::unique_ptr<structure::Structure> structure;
  std::unique_ptr<structure::Journal> journal;
  std::unique_ptr<structure::Session> session;
};

std::shared_ptr<client::Transport> HttpTransportFromEnvironment() {
  client::HttpTransportOptions http;
  if (const char* bundle = std::getenv("AWS_CA_BUNDLE"); bundle != nullptr && *bundle) {
    http.ca_file = bundle;
  }
  return std::make_shared<client::HttpTransport>(http);
}

// The profiles as the engine resolves them: a role profile assumes its role through
// `transport`; an MFA code comes from the twin assist's device seeds, else from the terminal.
// The retry policy the AWS CLI would use: AWS_MAX_ATTEMPTS (1 = no retry), else the SDKs'
// standard mode's three attempts.
client::RetryPolicy RetryFromEnvironment() {
  client::RetryPolicy retry;
  if (const char* text = std::getenv("AWS_MAX_ATTEMPTS"); text != nullptr && *text != '\0') {
    char* end = nullptr;
    const long attempts = std::strtol(text, &end, 10);
    if (*end == '\0' && attempts >= 1) retry.max_attempts = static_cast<int>(attempts);
  }
  return retry;
}

std::shared_ptr<Profiles> MakeProfiles(const EngineOptions& options,
                                       const std::string& endpoint_url,
                                       std::shared_ptr<client::Transport> transport,
                                       playbook::TwinAssist* assist) {
  client::ClientOptions base;
  base.region = options.region;
  base.endpoint_url = endpoint_url;
  base.retry = RetryFromEnvironment();
  client::ProfileResolverOptions resolver;
  resolver.make_client = client::MakeClientFactory(base, std::move(transport));
  resolver.mfa_code = [assist](std::string_view serial) -> Result<std::string> {
    if (assist != nullptr) return assist->MfaCode(serial);
    return PromptMfaCode(serial);
  };
  // Assumed roles are cached where the AWS CLI caches them, for AWS itself; a twin's go beside
  // the twin's profiles (the CLI's key does not name the endpoint, so a twin's entry in the home
  // cache could be taken for AWS's); a twin without a profile directory caches in memory only.
  if (assist != nullptr) {
    resolver.cache_dir =
        std::filesystem::path(assist->files().credentials).parent_path().string() + "/cli/cache";
  } else if (const char* home = std::getenv("HOME");
             endpoint_url.empty() && home != nullptr && *home != '\0') {
    resolver.cache_dir = std::string(home) + "/.aws/cli/cache";
  }
  return std::make_shared<Profiles>(std::move(resolver));
}

// Loads the file and the journal and builds the session. `assist_dir`: where a twin assist
// keeps the profiles it makes ("" = none, as against AWS).
Result<Runtime> Prepare(const EngineOptions& options, const std::string& journal_path,
                        const std::string& assist_dir, std::unique_ptr<EmbeddedTwin> embedded) {
  Runtime runtime;
  OT_ASSIGN_OR_RETURN(structure::Structure loaded, structure::LoadStructureFile(options.file));
  runtime.structure = std::make_unique<structure::Structure>(std::move(loaded));
  if (!runtime.structure->organization) {
    return InvalidInputError(options.file + ": the file has no `organization`");
  }
  if (embedded != nullptr) {
    runtime.transport = embedded->transport();
    runtime.endpoint_url = EmbeddedTwin::kEndpointUrl;
    runtime.embedded = std::move(embedded);
  } else {
    runtime.transport = HttpTransportFromEnvironment();
    runtime.endpoint_url = options.endpoint;
  }
  if (!assist_dir.empty()) {
    const playbook::ProfileFiles files{assist_dir + "/credentials", assist_dir + "/config",
                                       assist_dir + "/mfa-devices"};
    // The engine, and any `aws` the user runs next, read the profiles the assist writes.
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", files.credentials.c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", files.config.c_str(), 1);
    runtime.assist =
        std::make_unique<playbook::TwinAssist>(files, runtime.endpoint_url, runtime.transport);
  }
  runtime.profiles =
      MakeProfiles(options, runtime.endpoint_url, runtime.transport, runtime.assist.get());
  OT_ASSIGN_OR_RETURN(structure::Journal journal, structure::Journal::Open(journal_path));
  runtime.journal = std::make_unique<structure::Journal>(std::move(journal));
  structure::SessionOptions session;
  session.endpoint_url = runtime.endpoint_url;
  session.region = options.region;
  session.transport = runtime.transport;
  session.retry = RetryFromEnvironment();
  std::shared_ptr<Profiles> profiles = runtime.profiles;
  session.resolve_profile = [profiles](const std::string& profile) {
    return profiles->Resolve(profile);
  };
  runtime.session = std::make_unique<structure::Session>(*runtime.structure, std::move(session));
  for (const auto& [account, id] : runtime.journal->account_ids()) {
    runtime.session->SetAccountId(account, id);
  }
  for (const std::string& assignment : options.account_ids) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos ||
        runtime.structure->FindAccount(assignment.substr(0, eq)) == nullptr) {
      return InvalidInputError("--account wants KEY=ID with KEY an account of the file, got `" +
                               assignment + "`");
    }
    OT_RETURN_IF_ERROR(
        runtime.journal->SetAccountId(assignment.substr(0, eq), assignment.substr(eq + 1)));
    runtime.session->SetAccountId(assignment.substr(0, eq), assignment.substr(eq + 1));
  }
  return runtime;
}

std::string JournalPath(const EngineOptions& options) {
  return options.journal.empty() ? structure::Journal::DefaultPath(options.file) : options.journal;
}

int RunPlanOrApply(const EngineOptions& options, structure::Mode mode) {
  auto runtime = Prepare(options, JournalPath(options), options.twin_data, nullptr);
  if (!runtime.ok()) return FailWith(kExitBadInput, runtime.status().message());
  structure::ReconcileResult result = structure::Reconcile(*runtime->session, mode);
  std::fputs(structure::FormatChanges(result, mode).c_str(), stdout);
  if (!result.status.ok()) return FailWith(kExitFailed, result.status.message());
  if (!result.unread.empty()) {
    return FailWith(kExitFailed, "the plan is incomplete: " + std::to_string(result.unread.size()) +
                                     " part(s) could not be read");
  }
  return 0;
}

playbook::RunOptions TerminalRunOptions() {
  playbook::RunOptions run;
  run.color = ::isatty(STDOUT_FILENO) == 1;
  return run;
}

// Writes `report` as JSON to `path` ("" = nowhere).
Status WriteReportJson(const verify::Report& report, const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::ofstream out(path);
  out << boost::json::serialize(verify::ToJson(report)) << "\n";
  out.close();
  if (!out) return InternalError("cannot write " + path);
  return Status::Ok();
}

// What the report page shows beside verify's findings: the file, the time, the transfer's tasks
// and their journaled state.
boost::json::object ReportContext(const structure::Structure& s, const structure::Journal& journal,
                                  const std::string& file) {
  boost::json::array tasks;
  for (const playbook::Task& task : playbook::TransferPlaybook(s).tasks) {
    const structure::TaskRecord record = journal.Task("transfer", task.id);
    tasks.push_back(boost::json::object{{"id", task.id},
                                        {"title", task.title},
                                        {"owner", task.owner},
                                        {"status", structure::TaskStatusName(record.status)},
                                        {"note", record.note}});
  }
  const std::time_t now = std::time(nullptr);
  char generated[32];
  std::strftime(generated, sizeof generated, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  return boost::json::object{
      {"name", s.name}, {"file", file}, {"generated", generated}, {"playbook", tasks}};
}

// Writes verify's report page for `report` to `path`.
Status WriteReportPage(const verify::Report& report, const boost::json::object& context,
                       const std::string& path) {
  std::ofstream out(path);
  out << verify::ReportPage(verify::ToJson(report), context);
  out.close();
  if (!out) return InternalError("cannot write " + path);
  return Status::Ok();
}

int RunReport(const EngineOptions& options) {
  auto runtime = Prepare(options, JournalPath(options), options.twin_data, nullptr);
  if (!runtime.ok()) return FailWith(kExitBadInput, runtime.status().message());
  auto report = verify::Verify(*runtime->session);
  if (!report.ok()) return FailWith(kExitFailed, report.status().message());
  Status written = WriteReportPage(
      *report, ReportContext(*runtime->structure, *runtime->journal, options.file), options.output);
  if (!written.ok()) return FailWith(kExitFailed, written.message());
  std::fprintf(stderr, "orgtwin: wrote %s\n", options.output.c_str());
  return 0;
}

int RunVerify(const EngineOptions& options) {
  auto runtime = Prepare(options, JournalPath(options), options.twin_data, nullptr);
  if (!runtime.ok()) return FailWith(kExitBadInput, runtime.status().message());
  auto report = verify::Verify(*runtime->session);
  if (!report.ok()) return FailWith(kExitFailed, report.status().message());
  std::fputs(verify::FormatText(*report).c_str(), stdout);
  Status written = WriteReportJson(*report, options.output);
  if (!written.ok()) return FailWith(kExitFailed, written.message());
  return report->AllHold() ? 0 : kExitFailed;
}

int RunPlaybookCommand(const EngineOptions& options, bool list) {
  if (options.playbook != "transfer" && options.playbook != "terminate") {
    return FailWith(kExitBadInput,
                    "unknown playbook `" + options.playbook + "` (playbooks: transfer, terminate)");
  }
  auto runtime = Prepare(options, JournalPath(options), options.twin_data, nullptr);
  if (!runtime.ok()) return FailWith(kExitBadInput, runtime.status().message());
  if (list) {
    std::printf(
        "transfer:\n%s\nterminate:\n%s",
        playbook::ListPlaybook(playbook::TransferPlaybook(*runtime->structure), *runtime->journal)
            .c_str(),
        playbook::ListPlaybook(playbook::TerminatePlaybook(*runtime->structure), *runtime->journal)
            .c_str());
    return 0;
  }
  playbook::Playbook book = options.playbook == "transfer"
                                ? playbook::TransferPlaybook(*runtime->structure)
                                : playbook::TerminatePlaybook(*runtime->structure);
  playbook::TaskContext context{*runtime->session, *runtime->journal, runtime->assist.get()};
  playbook::RunOptions run = TerminalRunOptions();
  run.restart = options.restart;
  playbook::RunSummary summary = playbook::RunPlaybook(book, context, run);
  std::printf("\n%d done, %d done earlier, %d manual, %d waiting; %lld API calls; journal %s\n",
              summary.done, summary.skipped, summary.manual, summary.waiting,
              static_cast<long long>(runtime->session->calls()), runtime->journal->path().c_str());
  if (!summary.status.ok()) return FailWith(kExitFailed, summary.status.message());
  return 0;
}

void Heading(const std::string& text) {
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::printf("\n%s== %s%s\n", tty ? "\033[1m" : "", text.c_str(), tty ? "\033[0m" : "");
}

}  // namespace

int RunRehearse(const EngineOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  // The embedded twin's request log would bury the rehearsal's own account of itself.
  SetLogLevel(LogLevel::kWarn);
  std::string data_dir = options.data_dir;
  bool temporary = false;
  if (data_dir.empty()) {
    char pattern[] = "/tmp/orgtwin-rehearsal-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return FailWith(kExitFailed, "cannot make a temporary dir");
    data_dir = pattern;
    temporary = true;
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  data_dir = std::filesystem::absolute(data_dir).lexically_normal().string();
  // The temporary directory goes when the rehearsal ends, however it ends.
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{temporary ? data_dir : std::string()};

  std::unique_ptr<EmbeddedTwin> embedded;
  if (options.endpoint.empty()) {
    const std::string store =
        options.store.empty() ? store::SqliteUrl(data_dir + "/orgtwin.db") : options.store;
    auto opened = EmbeddedTwin::Open(store);
    if (!opened.ok()) return FailWith(kExitFailed, opened.status().message());
    embedded = std::move(opened).value();
  }
  auto prepared =
      Prepare(options, data_dir + "/rehearsal.state.json", data_dir, std::move(embedded));
  if (!prepared.ok()) return FailWith(kExitBadInput, prepared.status().message());
  Runtime& runtime = *prepared;
  structure::Session& session = *runtime.session;
  std::printf("Rehearsing %s (\"%s\") on %s; data in %s\n", options.file.c_str(),
              runtime.structure->name.c_str(),
              options.endpoint.empty() ? "an embedded twin" : options.endpoint.c_str(),
              data_dir.c_str());

  Heading("1. The world before the transfer: the accounts that exist, the customer's organization");
  // A rehearsal stopped mid-way (or killed) resumes: its journal then records the transfer's
  // first task, and the starting world is complete already.
  const bool transfer_begun =
      runtime.journal->Task("transfer", "I.1").status != structure::TaskStatus::kPending;
  Status world = playbook::CreateStartingWorld(session, *runtime.assist, transfer_begun);
  if (!world.ok()) return FailWith(kExitFailed, "the starting world: " + world.message());
  for (const auto& [key, account] : runtime.structure->accounts) {
    if (account.existing_id) {
      std::printf("  %-14s %s  %-22s owner %s%s\n", key.c_str(), account.existing_id->c_str(),
                  account.name.c_str(), account.owner.value.c_str(),
                  account.starts_in
                      ? (", in the organization of " + account.starts_in->value).c_str()
                      : "");
    }
  }

  session.ClearActionsUsed();  // the summary lists the transfer's, not the starting world's

  Heading("2. The transfer playbook (the seed's Parts I-III), each task as its owner");
  playbook::Playbook book = playbook::TransferPlaybook(*runtime.structure);
  playbook::TaskContext context{session, *runtime.journal, runtime.assist.get()};
  playbook::RunSummary summary = playbook::RunPlaybook(book, context, TerminalRunOptions());
  if (!summary.status.ok()) return FailWith(kExitFailed, summary.status.message());

  Heading("3. apply: the whole structure file once more");
  structure::ReconcileResult applied = structure::Reconcile(session, structure::Mode::kApply);
  std::fputs(structure::FormatChanges(applied, structure::Mode::kApply).c_str(), stdout);
  if (!applied.status.ok()) return FailWith(kExitFailed, applied.status.message());

  Heading("4. Checks");
  structure::ReconcileResult plan = structure::Reconcile(session, structure::Mode::kPlan);
  const bool converged = plan.status.ok() && plan.changes.empty() && plan.unread.empty();
  std::printf("  plan after apply: %s\n",
              converged ? "no changes (a second apply would change nothing)"
                        : structure::FormatChanges(plan, structure::Mode::kPlan).c_str());

  // The summary lists the transfer's permissions, not verify's reads.
  const structure::Session::ActionsUsed transfer_actions = session.actions_used();

  Heading("5. verify: who can do what, from the state the transfer left");
  // The claims are reported, not enforced here: the rehearsal's own result is the transfer's.
  auto verified = verify::Verify(session);
  if (!verified.ok()) return FailWith(kExitFailed, "verify: " + verified.status().message());
  std::fputs(verify::FormatText(*verified).c_str(), stdout);
  Status written = WriteReportJson(*verified, data_dir + "/verify.json");
  if (written.ok()) {
    written = WriteReportPage(*verified,
                              ReportContext(*runtime.structure, *runtime.journal, options.file),
                              data_dir + "/report.html");
  }
  if (!written.ok()) return FailWith(kExitFailed, written.message());
  if (!temporary) std::printf("  the report page: %s/report.html\n", data_dir.c_str());

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  Heading("Summary");
  std::printf(
      "  %d tasks done (%d in an earlier run), %d manual, %d waiting for a capability\n"
      "  %lld API calls, %.2f s\n",
      summary.done + summary.skipped, summary.skipped, summary.manual, summary.waiting,
      static_cast<long long>(session.calls()), static_cast<double>(elapsed.count()) / 1000.0);
  std::printf(
      "\n  The permissions each party used in the transfer, by account (what it needs on AWS):\n");
  for (const auto& [who, actions] : transfer_actions) {
    std::string line;
    for (const std::string& action : actions) line.append(line.empty() ? "" : ", ").append(action);
    std::printf("  %s in %s: %s\n", who.first.c_str(), who.second.c_str(), line.c_str());
  }
  if (!temporary) {
    // A PostgreSQL URL may carry a password: named by option, not printed.
    std::printf(
        "  serve the result: orgtwin serve --data %s%s, then e.g.\n"
        "  AWS_SHARED_CREDENTIALS_FILE=%s/credentials AWS_CONFIG_FILE=%s/config aws --profile "
        "partner-payer --endpoint-url http://127.0.0.1:4566 organizations list-accounts\n",
        data_dir.c_str(), options.store.empty() ? "" : " --store <the same --store>",
        data_dir.c_str(), data_dir.c_str());
  }
  return converged ? 0 : kExitFailed;
}

namespace {

// Reads the organization `--profile` manages into a structure file: one client, with that
// profile's credentials, read-only.
int RunImport(const EngineOptions& options) {
  std::shared_ptr<client::Transport> transport = HttpTransportFromEnvironment();
  std::shared_ptr<Profiles> profiles =
      MakeProfiles(options, options.endpoint, transport, /*assist=*/nullptr);
  auto credentials = profiles->Resolve(options.profile);
  if (!credentials.ok()) {
    return FailWith(kExitBadInput,
                    "profile `" + options.profile + "`: " + credentials.status().message());
  }
  client::ClientOptions client_options;
  client_options.region = options.region;
  client_options.retry = RetryFromEnvironment();
  client_options.endpoint_url = options.endpoint;
  client_options.credentials = *credentials;
  client::Client client(client_options, transport);
  structure::ImportOptions import_options;
  import_options.profile = options.profile;
  import_options.name = options.import_name;
  // Each member's IAM is read with the member's own profile, when it has one.
  std::vector<std::unique_ptr<client::Client>> member_clients;
  import_options.member_client = [&](const std::string& profile) -> client::Client* {
    auto member = profiles->Resolve(profile);
    if (!member.ok()) return nullptr;
    client::ClientOptions member_options = client_options;
    member_options.credentials = *member;
    member_clients.push_back(std::make_unique<client::Client>(member_options, transport));
    return member_clients.back().get();
  };
  auto text = structure::ImportStructure(client, import_options);
  if (!text.ok()) return FailWith(kExitFailed, text.status().message());
  if (options.output.empty() || options.output == "-") {
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  // Written whole or not at all: a failed import leaves an earlier file as it was.
  const std::string temporary = options.output + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << *text;
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, ec);
      return FailWith(kExitFailed, "cannot write " + temporary);
    }
  }
  std::filesystem::rename(temporary, options.output, ec);
  if (ec) {
    const std::string reason = ec.message();
    std::filesystem::remove(temporary, ec);
    return FailWith(kExitFailed, "cannot write " + options.output + ": " + reason);
  }
  std::fprintf(stderr, "orgtwin: wrote %s\n", options.output.c_str());
  return 0;
}

void AddConnectionOptions(CLI::App* command, EngineOptions& options) {
  command->add_option("--endpoint", options.endpoint,
                      "one URL for every service (a twin: http://127.0.0.1:4566); default: AWS");
  command->add_option("--region", options.region, "the region STS is called in")
      ->capture_default_str();
}

}  // namespace

EngineCommands AddEngineCommands(CLI::App& app, EngineOptions& options) {
  EngineCommands commands;
  commands.plan = app.add_subcommand("plan", "Show what apply would change, by account and party");
  commands.apply =
      app.add_subcommand("apply", "Make the structure file true, each change as its owner");
  for (CLI::App* command : {commands.plan, commands.apply}) {
    command->add_option("FILE", options.file, "the structure file")->required();
    AddConnectionOptions(command, options);
    command->add_option("--journal", options.journal,
                        "the run's journal (default: FILE.state.json beside the file)");
    command->add_option("--twin-data", options.twin_data,
                        "on a twin: the profiles a rehearsal or playbook run made there (and "
                        "the seeds of its virtual MFA devices)");
  }
  commands.playbook = app.add_subcommand("playbook", "The transfer as tasks with owners");
  commands.playbook->require_subcommand(1);
  commands.playbook_run = commands.playbook->add_subcommand("run", "Run or resume a playbook");
  commands.playbook_run->add_option("PLAYBOOK", options.playbook, "transfer or terminate")
      ->required();
  commands.playbook_run->add_option("FILE", options.file, "the structure file")->required();
  commands.playbook_run->add_option("--account", options.account_ids,
                                    "KEY=ID: the ID of an account you created by hand");
  commands.playbook_run->add_option(
      "--twin-data", options.twin_data,
      "on a twin: do the console-only steps through its extension API and keep the profiles "
      "they make in this directory");
  commands.playbook_run->add_flag("--restart", options.restart,
                                  "run every task again, even those the journal has as done");
  commands.playbook_list =
      commands.playbook->add_subcommand("list", "Both playbooks' tasks, owners and state");
  commands.playbook_list->add_option("FILE", options.file, "the structure file")->required();
  for (CLI::App* command : {commands.playbook_run, commands.playbook_list}) {
    AddConnectionOptions(command, options);
    command->add_option("--journal", options.journal,
                        "the run's journal (default: FILE.state.json beside the file)");
  }
  commands.rehearse = app.add_subcommand(
      "rehearse", "Rehearse the whole transfer on a twin, from the world before it to the checks");
  commands.rehearse->add_option("FILE", options.file, "the structure file")->required();
  commands.rehearse->add_option(
      "--data", options.data_dir,
      "keep the twin and the profiles here (default: a temporary directory, removed after)");
  commands.rehearse->add_option("--endpoint", options.endpoint,
                                "rehearse on a running twin instead of an embedded one");
  commands.rehearse->add_option(
      "--store", options.store,
      "the embedded twin's database, as `serve --store` takes it (default: "
      "sqlite:DATA/orgtwin.db); "
      "`serve --data DATA --store URL` serves the rehearsed twin afterwards");
  commands.verify = app.add_subcommand(
      "verify", "Prove or refute who can do what, and the file's expect: claims, from the state");
  commands.verify->add_option("FILE", options.file, "the structure file")->required();
  AddConnectionOptions(commands.verify, options);
  commands.verify->add_option("--journal", options.journal,
                              "the run's journal, for the IDs of created accounts (default: "
                              "FILE.state.json beside the file)");
  commands.verify->add_option("--twin-data", options.twin_data,
                              "on a twin: the profiles a rehearsal or playbook run made there");
  commands.verify->add_option("--json", options.output, "also write the report as JSON here");
  commands.report = app.add_subcommand(
      "report", "verify's findings as one self-contained HTML page (tree, matrix, graph, ...)");
  commands.report->add_option("FILE", options.file, "the structure file")->required();
  AddConnectionOptions(commands.report, options);
  commands.report->add_option("--journal", options.journal,
                              "the run's journal (default: FILE.state.json beside the file)");
  commands.report->add_option("--twin-data", options.twin_data,
                              "on a twin: the profiles a rehearsal or playbook run made there");
  commands.report->add_option("-o,--output", options.output, "the page to write")->required();
  commands.import = app.add_subcommand(
      "import", "Read an organization and its management account's IAM into a structure file");
  commands.import
      ->add_option("--profile", options.profile,
                   "the profile that acts in the organization's management account")
      ->required();
  AddConnectionOptions(commands.import, options);
  commands.import->add_option("-o,--output", options.output,
                              "the structure file to write (default: standard output)");
  commands.import->add_option("--name", options.import_name,
                              "the structure's `name` (default: the organization's ID)");
  return commands;
}

int RunEngineCommand(const EngineCommands& commands, const EngineOptions& options) {
  if (commands.plan->parsed()) return RunPlanOrApply(options, structure::Mode::kPlan);
  if (commands.apply->parsed()) return RunPlanOrApply(options, structure::Mode::kApply);
  if (commands.playbook_run->parsed()) return RunPlaybookCommand(options, false);
  if (commands.playbook_list->parsed()) return RunPlaybookCommand(options, true);
  if (commands.rehearse->parsed()) return RunRehearse(options);
  if (commands.import->parsed()) return RunImport(options);
  if (commands.verify->parsed()) return RunVerify(options);
  if (commands.report->parsed()) return RunReport(options);
  return kExitBadInput;
}

}  // namespace orgtwin::cli
