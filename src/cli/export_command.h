// File: cli/export_command.h
//
// `orgtwin export FILE --format iam-json|cloudformation|cli -o DIR`: writes what a team applies
// to real AWS, made from the structure file alone (export/export.h, docs/export.md). Account IDs
// come from the file, then the run's journal (FILE.state.json or --journal, as plan and apply
// read it; never written here), then --account KEY=ID; an account still without one gets a
// placeholder, which the command lists.
//
// Exit codes: 0 written, 1 a file could not be written, 2 bad input (an unknown format, a file
// that does not load, a bad --account or journal).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace orgtwin::cli {

struct ExportOptions {
  std::string file;
  std::string format;
  std::string output_dir;
  std::string journal;                   // "" = FILE.state.json beside the file
  std::vector<std::string> account_ids;  // KEY=ID
};

// Adds `export` to `app`; `options` must outlive app.parse().
CLI::App* AddExportCommand(CLI::App& app, ExportOptions& options);

// Runs it; returns the process exit code.
int RunExport(const ExportOptions& options);

}  // namespace orgtwin::cli
