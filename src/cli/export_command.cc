#include "cli/export_command.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/exit_codes.h"
#include "export/export.h"
#include "structure/journal.h"
#include "structure/parse.h"

namespace orgtwin::cli {
namespace {

int ExportFailedWith(int code, const std::string& message) {
  std::fprintf(stderr, "orgtwin export: %s\n", message.c_str());
  return code;
}

}  // namespace

CLI::App* AddExportCommand(CLI::App& app, ExportOptions& options) {
  CLI::App* command = app.add_subcommand(
      "export",
      "Write what to apply on AWS from a structure file: IAM JSON, CloudFormation or an "
      "AWS CLI script");
  command->add_option("FILE", options.file, "the structure file")->required();
  // Checked by RunExport rather than CLI11, so an unknown format is exit code 2 with the list.
  command->add_option("--format", options.format, "iam-json, cloudformation or cli")->required();
  command->add_option("-o,--output", options.output_dir, "the directory to write into")->required();
  command->add_option("--journal", options.journal,
                      "the run's journal with the IDs of created accounts (default: "
                      "FILE.state.json beside the file)");
  command->add_option("--account", options.account_ids,
                      "KEY=ID: the ID of an account the file and the journal do not know");
  return command;
}

int RunExport(const ExportOptions& options) {
  auto format = exporter::ExportFormatFromName(options.format);
  if (!format) {
    return ExportFailedWith(kExitBadInput, "unknown format `" + options.format + "` (formats: " +
                                               exporter::ExportFormatNames() + ")");
  }
  auto structure = structure::LoadStructureFile(options.file);
  if (!structure.ok()) return ExportFailedWith(kExitBadInput, structure.status().message());

  const std::string journal_path =
      options.journal.empty() ? structure::Journal::DefaultPath(options.file) : options.journal;
  // A journal named on the command line must be there; the default one is there only after a run.
  if (!options.journal.empty() && !std::filesystem::exists(journal_path)) {
    return ExportFailedWith(kExitBadInput, "no journal at `" + journal_path + "`");
  }
  auto journal = structure::Journal::Open(journal_path);
  if (!journal.ok()) return ExportFailedWith(kExitBadInput, journal.status().message());
  std::map<std::string, std::string> recorded = journal->account_ids();
  for (const std::string& assignment : options.account_ids) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      return ExportFailedWith(kExitBadInput, "--account wants KEY=ID, got `" + assignment + "`");
    }
    recorded[assignment.substr(0, eq)] = assignment.substr(eq + 1);
  }
  auto ids = exporter::KnownAccountIds(*structure, recorded);
  if (!ids.ok()) return ExportFailedWith(kExitBadInput, ids.status().message());

  exporter::Export exported = exporter::ExportAs(*format, *structure, *ids);
  Status written = exporter::WriteExport(exported, options.output_dir);
  if (!written.ok()) return ExportFailedWith(kExitFailed, written.message());
  for (const exporter::ExportedFile& file : exported.files) {
    std::printf("%s/%s\n", options.output_dir.c_str(), file.path.c_str());
  }
  if (!exported.unknown_accounts.empty()) {
    std::string accounts;
    for (const std::string& key : exported.unknown_accounts) {
      accounts += (accounts.empty() ? "" : ", ") + key;
    }
    std::fprintf(stderr,
                 "orgtwin export: no ID known for %s: a placeholder stands for it (give it with "
                 "--account KEY=ID, or --journal after the run that created it)\n",
                 accounts.c_str());
  }
  return 0;
}

}  // namespace orgtwin::cli
