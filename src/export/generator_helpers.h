// File: export/generator_helpers.h
//
// What the three export formats (export/export.h) share: JSON as people read it, the policy
// documents of the file as JSON values, the organization's OUs in creation order, and a record of
// the accounts that had to be named by a placeholder. Internal to export/.
//
// Thread-safety: AccountNamer is a value used by one generator at a time; the rest are pure.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "export/export.h"
#include "structure/documents.h"
#include "structure/structure.h"

namespace orgtwin::exporter {

// `value` as indented JSON (two spaces per level, members in their order), ending in a newline:
// the files are meant to be read and diffed, not only parsed.
std::string PrettyJson(const boost::json::value& value);

// A policy document of the file (JSON text, checked by the loader) as a JSON value; the text as a
// string value in the one case it does not parse, so nothing is dropped silently.
boost::json::value DocumentJson(std::string_view text);

// An OU with its full path ("Workloads/Prod") and its parent's ("" for the root).
struct UnitInOrder {
  const structure::OrganizationalUnit* unit;
  std::string parent_path;
};
// Every OU, each followed by its children (depth first, in file order): parents come before
// their children, the order they can be created in.
std::vector<UnitInOrder> UnitsInCreationOrder(const structure::Organization& organization);

// The policy types an organization's policies use, each once, in PolicyType order: the types to
// enable on the root before those policies can be attached.
std::vector<structure::PolicyType> PolicyTypesInUse(const structure::Organization& organization);

// Names accounts in generated documents: the ID where `ids` has it, else `placeholder(key)`,
// remembering which accounts needed one.
class AccountNamer {
 public:
  AccountNamer(const AccountIds& ids, std::function<std::string(const std::string&)> placeholder)
      : ids_(ids), placeholder_(std::move(placeholder)) {}

  std::string operator()(const std::string& account);
  // As structure/documents.h wants it. The namer must outlive the returned function.
  structure::AccountIdText AsFunction() {
    return [this](const std::string& account) { return (*this)(account); };
  }
  const std::set<std::string>& unknown() const { return unknown_; }

 private:
  const AccountIds& ids_;
  std::function<std::string(const std::string&)> placeholder_;
  std::set<std::string> unknown_;
};

}  // namespace orgtwin::exporter
