#include "services/organizations/service_principals.h"

#include <set>
#include <string>

#include <boost/json.hpp>

// Embedded by the assembler file generated in src/services/organizations/CMakeLists.txt.
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
extern const char ot_org_service_principals[];
extern const char ot_org_service_principals_end[];
}
// NOLINTEND(readability-identifier-naming)

namespace orgtwin::services::organizations {
namespace {

std::set<std::string, std::less<>> LoadPrincipals() {
  std::set<std::string, std::less<>> principals;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(
      std::string_view(
          ot_org_service_principals,
          static_cast<size_t>(ot_org_service_principals_end - ot_org_service_principals)),
      ec);
  // INVARIANT: the embedded file is committed data and parses; organizations_core_test checks it.
  if (ec || !root.is_object()) return principals;
  const boost::json::value* services = root.get_object().if_contains("services");
  if (services == nullptr || !services->is_array()) return principals;
  for (const boost::json::value& service : services->get_array()) {
    const boost::json::value* names =
        service.is_object() ? service.get_object().if_contains("principals") : nullptr;
    if (names == nullptr || !names->is_array()) continue;
    for (const boost::json::value& name : names->get_array()) {
      if (name.is_string()) principals.emplace(name.get_string());
    }
  }
  return principals;
}

}  // namespace

bool IsRecognizedServicePrincipal(std::string_view principal) {
  static const std::set<std::string, std::less<>> kPrincipals = LoadPrincipals();
  return kPrincipals.find(principal) != kPrincipals.end();
}

}  // namespace orgtwin::services::organizations
