#include "export/export.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "export/generator_helpers.h"

namespace orgtwin::exporter {
namespace {

namespace json = boost::json;

void AppendPretty(const json::value& value, int depth, std::string& out) {
  const std::string indent(static_cast<size_t>(depth + 1) * 2, ' ');
  const std::string closing_indent(static_cast<size_t>(depth) * 2, ' ');
  if (value.is_object()) {
    const json::object& object = value.as_object();
    if (object.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& member : object) {
      if (!first) out += ",\n";
      first = false;
      out += indent;
      out += json::serialize(json::string(member.key()));
      out += ": ";
      AppendPretty(member.value(), depth + 1, out);
    }
    out += "\n" + closing_indent + "}";
  } else if (value.is_array()) {
    const json::array& array = value.as_array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const json::value& element : array) {
      if (!first) out += ",\n";
      first = false;
      out += indent;
      AppendPretty(element, depth + 1, out);
    }
    out += "\n" + closing_indent + "]";
  } else {
    out += json::serialize(value);
  }
}

void CollectUnits(const std::vector<structure::OrganizationalUnit>& units,
                  const std::string& parent_path, std::vector<UnitInOrder>& out) {
  for (const structure::OrganizationalUnit& unit : units) {
    out.push_back({&unit, parent_path});
    CollectUnits(unit.children, unit.path, out);
  }
}

bool IsAccountId(std::string_view text) {
  if (text.size() != 12) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view ExportFormatName(ExportFormat format) {
  switch (format) {
    case ExportFormat::kIamJson:
      return "iam-json";
    case ExportFormat::kCloudFormation:
      return "cloudformation";
    case ExportFormat::kCli:
      return "cli";
  }
  return "";
}

std::optional<ExportFormat> ExportFormatFromName(std::string_view name) {
  for (ExportFormat format :
       {ExportFormat::kIamJson, ExportFormat::kCloudFormation, ExportFormat::kCli}) {
    if (ExportFormatName(format) == name) return format;
  }
  return std::nullopt;
}

std::string ExportFormatNames() { return "iam-json, cloudformation, cli"; }

Result<AccountIds> KnownAccountIds(const structure::Structure& structure,
                                   const std::map<std::string, std::string>& recorded) {
  AccountIds ids;
  for (const auto& [key, account] : structure.accounts) {
    if (account.existing_id) ids[key] = *account.existing_id;
  }
  for (const auto& [key, id] : recorded) {
    if (structure.FindAccount(key) == nullptr) {
      return InvalidInputError("account `" + key + "` is not an account of " + structure.file);
    }
    if (!IsAccountId(id)) {
      std::string message = "account `";
      message.append(key).append("`: `").append(id).append(
          "` is not an AWS account ID (12 digits)");
      return InvalidInputError(message);
    }
    auto known = ids.find(key);
    if (known != ids.end() && known->second != id) {
      std::string message = "account `";
      message.append(key).append("` has ID ").append(known->second).append(" in ");
      message.append(structure.file).append(", not ").append(id);
      return InvalidInputError(message);
    }
    ids[key] = id;
  }
  return ids;
}

Export ExportAs(ExportFormat format, const structure::Structure& structure, const AccountIds& ids) {
  switch (format) {
    case ExportFormat::kIamJson:
      return ExportIamJson(structure, ids);
    case ExportFormat::kCloudFormation:
      return ExportCloudFormation(structure, ids);
    case ExportFormat::kCli:
      return ExportCliScript(structure, ids);
  }
  return {};
}

Status WriteExport(const Export& exported, const std::string& directory) {
  namespace fs = std::filesystem;
  for (const ExportedFile& file : exported.files) {
    const fs::path path = fs::path(directory) / file.path;
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) {
      return InvalidInputError("cannot create `" + path.parent_path().string() +
                               "`: " + error.message());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    if (!out) return InvalidInputError("cannot write `" + path.string() + "`");
    if (file.executable) {
      fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add, error);
      if (error) {
        return InvalidInputError("cannot make `" + path.string() +
                                 "` executable: " + error.message());
      }
    }
  }
  return Status::Ok();
}

// ---- generator_helpers.h ----

std::string PrettyJson(const json::value& value) {
  std::string out;
  AppendPretty(value, 0, out);
  out += "\n";
  return out;
}

json::value DocumentJson(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(structure::DecodeDocument(text), error);
  if (error) return json::string(text);
  return value;
}

std::vector<UnitInOrder> UnitsInCreationOrder(const structure::Organization& organization) {
  std::vector<UnitInOrder> units;
  CollectUnits(organization.units, "", units);
  return units;
}

std::vector<structure::PolicyType> PolicyTypesInUse(const structure::Organization& organization) {
  std::set<structure::PolicyType> used;
  for (const structure::OrganizationPolicy& policy : organization.policies) {
    used.insert(policy.type);
  }
  return {used.begin(), used.end()};
}

std::string AccountNamer::operator()(const std::string& account) {
  auto known = ids_.find(account);
  if (known != ids_.end()) return known->second;
  unknown_.insert(account);
  return placeholder_(account);
}

}  // namespace orgtwin::exporter
