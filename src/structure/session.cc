#include "structure/session.h"

#include <algorithm>
#include <utility>

namespace orgtwin::structure {
namespace {

client::Error CredentialsUnavailable(const std::string& message) {
  client::Error error;
  error.code = "CredentialsUnavailable";
  error.message = message;
  return error;
}

// "party `p` cannot act in account `a` with profile `x`: why", the one wording of a missing or
// wrong profile.
std::string CannotAct(std::string_view party, std::string_view account, const std::string& profile,
                      const Status& why) {
  return "party `" + std::string(party) + "` cannot act in account `" + std::string(account) +
         "` with profile `" + profile + "`: " + why.message();
}

}  // namespace

std::string CallFailure::ToString() const {
  return "party `" + party + "` in account `" + account + "`: " + operation + ": " +
         error.ToString();
}

Session::Session(const Structure& structure, SessionOptions options)
    : structure_(structure), options_(std::move(options)) {}

std::optional<std::string> Session::AccountId(std::string_view account) const {
  if (const Account* found = structure_.FindAccount(account);
      found != nullptr && found->existing_id) {
    return found->existing_id;
  }
  auto created = created_ids_.find(std::string(account));
  if (created == created_ids_.end()) return std::nullopt;
  return created->second;
}

void Session::SetAccountId(const std::string& account, const std::string& id) {
  created_ids_[account] = id;
}

Result<client::Client*> Session::ClientForProfile(const std::string& profile) {
  if (auto cached = clients_.find(profile); cached != clients_.end()) return cached->second.get();
  if (!options_.resolve_profile) return UnavailableError("no way to resolve profiles");
  OT_ASSIGN_OR_RETURN(client::Credentials credentials, options_.resolve_profile(profile));
  client::ClientOptions client_options;
  client_options.region = options_.region;
  client_options.endpoint_url = options_.endpoint_url;
  client_options.credentials = std::move(credentials);
  client_options.retry = options_.retry;
  auto made = std::make_unique<client::Client>(std::move(client_options), options_.transport);
  client::Client* client = made.get();
  clients_.emplace(profile, std::move(made));
  return client;
}

Result<boost::json::object> Session::CallerIdentityOf(const std::string& profile) {
  OT_ASSIGN_OR_RETURN(client::Client * client, ClientForProfile(profile));
  auto who = client->Call("sts", "GetCallerIdentity");
  ++calls_;
  if (!who.ok()) return InvalidInputError("profile `" + profile + "`: " + who.error().ToString());
  return *std::move(who);
}

Result<client::Client*> Session::ClientFor(std::string_view party, std::string_view account,
                                           std::string* profile_out) {
  const Party* found = structure_.FindParty(party);
  if (found == nullptr) return InvalidInputError("unknown party `" + std::string(party) + "`");
  const std::string& profile = structure_.ProfileFor(*found, account);
  *profile_out = profile;
  OT_ASSIGN_OR_RETURN(client::Client * client, ClientForProfile(profile));
  // A profile that acts in another account than the one it is given for would make every change
  // there instead: checked once per profile and account, before its first call.
  std::optional<std::string> expected = AccountId(account);
  if (expected && verified_.count({profile, *expected}) == 0) {
    auto who = client->Call("sts", "GetCallerIdentity");
    ++calls_;
    if (!who.ok()) return InvalidInputError(who.error().ToString());
    const boost::json::value* actual = who->if_contains("Account");
    const std::string actual_id =
        actual != nullptr && actual->is_string() ? std::string(actual->as_string()) : "";
    if (actual_id != *expected) {
      return InvalidInputError("it acts in account " + actual_id + ", not in " + *expected);
    }
    verified_.emplace(profile, *expected);
  }
  return client;
}

void Session::Used(std::string_view party, std::string_view account, std::string_view service,
                   std::string_view operation) {
  // sts:GetCallerIdentity needs no permission, and the twin's extension API is not AWS's.
  if (service == "orgtwin" || (service == "sts" && operation == "GetCallerIdentity")) return;
  actions_used_[{std::string(party), std::string(account)}].insert(std::string(service) + ":" +
                                                                   std::string(operation));
}

Status Session::CheckCanAct(std::string_view party, std::string_view account) {
  std::string profile;
  auto client = ClientFor(party, account, &profile);
  if (client.ok()) return Status::Ok();
  const Party* found = structure_.FindParty(party);
  SourceLocation where = found != nullptr ? found->location : SourceLocation{};
  if (found != nullptr) {
    if (auto entry = found->account_profiles.find(std::string(account));
        entry != found->account_profiles.end()) {
      where = entry->second.location;
    }
  }
  return InvalidInputError(where.ToString() + ": " +
                           CannotAct(party, account, profile, client.status()));
}

client::Outcome<boost::json::object> Session::Call(std::string_view party, std::string_view account,
                                                   std::string_view service,
                                                   std::string_view operation,
                                                   const boost::json::object& input) {
  std::string profile;
  auto client = ClientFor(party, account, &profile);
  if (!client.ok()) {
    return CredentialsUnavailable(CannotAct(party, account, profile, client.status()));
  }
  auto outcome = (*client)->Call(service, operation, input);
  calls_ += outcome.ok() ? 1 : std::max(1, outcome.error().attempts);
  if (outcome.ok()) Used(party, account, service, operation);
  return outcome;
}

client::Outcome<std::vector<boost::json::object>> Session::AllPages(std::string_view party,
                                                                    std::string_view account,
                                                                    std::string_view service,
                                                                    std::string_view operation,
                                                                    boost::json::object input) {
  std::string profile;
  auto client = ClientFor(party, account, &profile);
  if (!client.ok()) {
    return CredentialsUnavailable(CannotAct(party, account, profile, client.status()));
  }
  auto pages = (*client)->AllPages(service, operation, std::move(input));
  calls_ += pages.ok() ? static_cast<int64_t>(pages->size()) : 1;
  if (pages.ok()) Used(party, account, service, operation);
  return pages;
}

Result<boost::json::object> Session::Require(std::string_view party, std::string_view account,
                                             std::string_view service, std::string_view operation,
                                             const boost::json::object& input) {
  auto outcome = Call(party, account, service, operation, input);
  if (outcome.ok()) return std::move(outcome).value();
  CallFailure failure{std::string(party), std::string(account),
                      std::string(service) + " " + std::string(operation), outcome.error()};
  const client::Error& error = outcome.error();
  if (error.IsTransportError()) return UnavailableError(failure.ToString());
  if (error.code.find("AccessDenied") != std::string::npos) {
    return AccessDeniedError(failure.ToString());
  }
  return InvalidInputError(failure.ToString());
}

}  // namespace orgtwin::structure
