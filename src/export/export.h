// File: export/export.h
//
// `orgtwin export`: what a team applies to real AWS, made from a structure file alone (no
// account is read or changed), in three formats (docs/export.md):
//   - kIamJson: one JSON file per policy document (trust and inline policies, the generated
//     may_assume permission, the organization's policies), by account key, with index.json;
//   - kCloudFormation: one template per account (IAM roles, groups and users; in the
//     organization's management account also its OUs and policies);
//   - kCli: one bash script of AWS CLI v2 commands that builds the structure in order, each step
//     run with the profile of the party that owns it.
// Documents the file implies (a short-form trust, may_assume) are made by structure/documents.h,
// as apply makes them. An account whose ID is not known is never given a made-up one: each format
// writes a placeholder of its own (AccountPlaceholder) and says which ones remain.
//
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "structure/structure.h"

namespace orgtwin::exporter {

enum class ExportFormat { kIamJson, kCloudFormation, kCli };

// "iam-json", "cloudformation", "cli" (the command line's spelling).
std::string_view ExportFormatName(ExportFormat format);
std::optional<ExportFormat> ExportFormatFromName(std::string_view name);
// "iam-json, cloudformation, cli", for messages.
std::string ExportFormatNames();

// Account key -> 12-digit ID, for the accounts whose ID is known.
using AccountIds = std::map<std::string, std::string>;

// The IDs known without asking AWS: each account's `id` in the file, then `recorded` (a
// journal's, `--account KEY=ID`) for the others. kInvalidInput when `recorded` names an account
// the file does not have or gives something that is not a 12-digit ID, or contradicts the file.
Result<AccountIds> KnownAccountIds(const structure::Structure& structure,
                                   const std::map<std::string, std::string>& recorded);

// One file of an export: its path under the output directory ('/'-separated) and its text.
struct ExportedFile {
  std::string path;
  std::string content;
  bool executable = false;
};

struct Export {
  std::vector<ExportedFile> files;
  // The accounts (keys) whose ID was not known, so that a placeholder stands for it.
  std::vector<std::string> unknown_accounts;
};

Export ExportIamJson(const structure::Structure& structure, const AccountIds& ids);
Export ExportCloudFormation(const structure::Structure& structure, const AccountIds& ids);
Export ExportCliScript(const structure::Structure& structure, const AccountIds& ids);
Export ExportAs(ExportFormat format, const structure::Structure& structure, const AccountIds& ids);

// Writes every file under `directory` (created as needed; files of the same name replaced).
// kInvalidInput naming the path when one cannot be written.
Status WriteExport(const Export& exported, const std::string& directory);

}  // namespace orgtwin::exporter
