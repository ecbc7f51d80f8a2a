#include "structure/structure.h"

#include <array>
#include <utility>

namespace orgtwin::structure {

std::string SourceLocation::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string_view ContactTypeName(ContactType type) {
  switch (type) {
    case ContactType::kBilling:
      return "billing";
    case ContactType::kOperations:
      return "operations";
    case ContactType::kSecurity:
      return "security";
  }
  return "unknown";
}

std::string_view FeatureSetName(FeatureSet feature_set) {
  return feature_set == FeatureSet::kAll ? "ALL" : "CONSOLIDATED_BILLING";
}

namespace {
constexpr std::array<std::pair<PolicyType, std::string_view>, 5> kPolicyTypeNames = {{
    {PolicyType::kServiceControl, "SERVICE_CONTROL_POLICY"},
    {PolicyType::kResourceControl, "RESOURCE_CONTROL_POLICY"},
    {PolicyType::kTag, "TAG_POLICY"},
    {PolicyType::kBackup, "BACKUP_POLICY"},
    {PolicyType::kAiServicesOptOut, "AISERVICES_OPT_OUT_POLICY"},
}};
}  // namespace

std::string_view PolicyTypeName(PolicyType type) {
  for (const auto& [candidate, name] : kPolicyTypeNames) {
    if (candidate == type) return name;
  }
  return "unknown";
}

std::optional<PolicyType> PolicyTypeFromName(std::string_view name) {
  for (const auto& [type, candidate] : kPolicyTypeNames) {
    if (candidate == name) return type;
  }
  return std::nullopt;
}

std::string_view RootFactorName(RootFactor factor) {
  switch (factor) {
    case RootFactor::kRootPassword:
      return "root_password";
    case RootFactor::kRootMfa:
      return "root_mfa";
    case RootFactor::kRootEmailMailbox:
      return "root_email_mailbox";
    case RootFactor::kPhone:
      return "phone";
    case RootFactor::kSecurityQuestions:
      return "security_questions";
  }
  return "unknown";
}

std::string_view AlertEventName(AlertEvent event) {
  switch (event) {
    case AlertEvent::kRootLogin:
      return "root_login";
  }
  return "unknown";
}

namespace {
const OrganizationalUnit* FindUnitIn(const std::vector<OrganizationalUnit>& units,
                                     std::string_view path) {
  for (const OrganizationalUnit& unit : units) {
    if (unit.path == path) return &unit;
    // Paths are prefixes of their descendants' paths, so only one branch can hold `path`.
    if (path.size() > unit.path.size() && path.substr(0, unit.path.size()) == unit.path &&
        path[unit.path.size()] == '/') {
      return FindUnitIn(unit.children, path);
    }
  }
  return nullptr;
}
}  // namespace

const OrganizationalUnit* Organization::FindUnit(std::string_view path) const {
  return FindUnitIn(units, path);
}

const Role* AccountIam::FindRole(std::string_view name) const {
  for (const Role& role : roles) {
    if (role.name == name) return &role;
  }
  return nullptr;
}

const Party* Structure::FindParty(std::string_view key) const {
  auto it = parties.find(std::string(key));
  return it == parties.end() ? nullptr : &it->second;
}

const Account* Structure::FindAccount(std::string_view key) const {
  auto it = accounts.find(std::string(key));
  return it == accounts.end() ? nullptr : &it->second;
}

const std::string& Structure::ProfileFor(const Party& party, std::string_view account) const {
  auto found = party.account_profiles.find(std::string(account));
  return found == party.account_profiles.end() ? party.profile : found->second.value;
}

}  // namespace orgtwin::structure
