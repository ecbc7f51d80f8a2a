#include "structure/documents.h"

#include <utility>

#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>

namespace orgtwin::structure {

std::string DecodeDocument(std::string_view text) {
  if (text.empty() || text.front() == '{') return std::string(text);
  auto pct = boost::urls::make_pct_string_view(text);
  if (!pct) return std::string(text);
  return pct->decode();
}

std::string TrustPolicyDocument(const Role& role, const AccountIdText& account_id) {
  namespace json = boost::json;
  if (role.trust.IsDocument()) return role.trust.document;
  json::array principals;
  for (const LocatedString& account : role.trust.accounts) {
    principals.emplace_back("arn:aws:iam::" + account_id(account.value) + ":root");
  }
  json::object statement{{"Effect", "Allow"}, {"Action", "sts:AssumeRole"}};
  // One principal as a string, several as a list: as IAM writes them back.
  statement["Principal"] =
      json::object{{"AWS", principals.size() == 1 ? principals.front() : json::value(principals)}};
  json::object condition;
  if (role.trust.require_mfa) {
    condition["Bool"] = json::object{{"aws:MultiFactorAuthPresent", "true"}};
  }
  if (!role.trust.external_id.empty()) {
    condition["StringEquals"] = json::object{{"sts:ExternalId", role.trust.external_id}};
  }
  if (!condition.empty()) statement["Condition"] = std::move(condition);
  return json::serialize(
      json::object{{"Version", "2012-10-17"}, {"Statement", json::array{std::move(statement)}}});
}

std::string MayAssumePolicyDocument(const Structure& structure, const User& user,
                                    const AccountIdText& account_id) {
  namespace json = boost::json;
  json::array resources;
  for (const RoleReference& target : user.may_assume) {
    const Role* role = nullptr;
    if (auto iam = structure.iam.find(target.account); iam != structure.iam.end()) {
      role = iam->second.FindRole(target.role);
    }
    const std::string path = role != nullptr ? role->path : "/";
    resources.emplace_back("arn:aws:iam::" + account_id(target.account) + ":role" + path +
                           target.role);
  }
  json::object statement{{"Effect", "Allow"}, {"Action", "sts:AssumeRole"}};
  statement["Resource"] = resources.size() == 1 ? resources.front() : json::value(resources);
  return json::serialize(
      json::object{{"Version", "2012-10-17"}, {"Statement", json::array{std::move(statement)}}});
}

}  // namespace orgtwin::structure
