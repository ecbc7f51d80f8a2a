// File: structure/parse.h
//
// Reads a structure file (YAML; the format is docs/structure-file.md, the JSON Schema
// schemas/structure.schema.json) into a structure::Structure, checking it whole: shape (known
// keys, types, required fields), values (account IDs, emails, names, ARNs, policy types) and
// every reference between its parts (parties, accounts, OUs, groups, roles). Policy documents
// are parsed with the IAM policy engine (policy/document.h) as the flavour they will be used as.
//
// Errors are never partial: either the whole Structure, or a kInvalidInput Status whose message
// lists every problem found, one per line, each as `FILE:LINE:COLUMN: what is wrong` (1-based),
// sorted by place. Nothing is read from the network; `file:` contents are read from disk.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "structure/structure.h"

namespace orgtwin::structure {

// Reads and parses the file at `path`. Relative `file:` references resolve against the file's
// directory; errors name the file as `path` was given. kInvalidInput if the file cannot be read.
Result<Structure> LoadStructureFile(const std::string& path);

// Parses `text`. `file_name` is what errors and SourceLocations call the file; `base_dir` is
// the directory relative `file:` references resolve against.
Result<Structure> ParseStructure(std::string_view text, std::string_view file_name,
                                 const std::string& base_dir);

}  // namespace orgtwin::structure
