#include "services/root/root_common.h"

#include <algorithm>

#include "repo/recovery_repository.h"
#include "services/trail/event_record.h"

namespace orgtwin::services::root {

Status AuthenticationFailed(std::string message) {
  return UnauthenticatedError(std::move(message)).WithAwsCode("AuthenticationFailed");
}
Status AccessDenied(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("AccessDeniedException");
}
Status Validation(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("ValidationException");
}
Status InvalidToken(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("InvalidToken");
}
Status NotFound(std::string message) {
  return NotFoundError(std::move(message)).WithAwsCode("ResourceNotFoundException");
}

std::vector<std::string> PartiesOf(const Json& input) {
  std::vector<std::string> parties;
  const boost::json::value* v = input.if_contains("Parties");
  if (v == nullptr || !v->is_array()) return parties;
  for (const boost::json::value& p : v->as_array()) {
    if (p.is_string()) parties.emplace_back(p.as_string());
  }
  return parties;
}

Status CheckHeld(store::Transaction& tx, const std::vector<std::string>& parties,
                 std::string_view kind, std::string_view ref, std::string_view what) {
  if (parties.empty()) return Status::Ok();
  OT_ASSIGN_OR_RETURN(std::vector<std::string> holders, repo::HoldersOf(tx, kind, ref));
  for (const std::string& party : parties) {
    if (std::find(holders.begin(), holders.end(), party) != holders.end()) return Status::Ok();
  }
  std::string named;
  for (const std::string& party : parties) named.append(named.empty() ? "" : ", ").append(party);
  return AccessDenied("None of the acting parties (" + named + ") holds " + std::string(what) +
                      ".");
}

Status CheckPossession(store::Transaction& tx, std::string_view kind, std::string_view ref,
                       std::string_view party, std::string_view what) {
  OT_ASSIGN_OR_RETURN(std::vector<std::string> holders, repo::HoldersOf(tx, kind, ref));
  if (holders.empty()) return Status::Ok();
  if (std::find(holders.begin(), holders.end(), party) != holders.end()) return Status::Ok();
  return AccessDenied(party.empty() ? std::string(what) + " is held by a party: name it as Party."
                                    : "Party " + std::string(party) + " does not hold " +
                                          std::string(what) + ".");
}

std::string RandomSecret(gateway::RequestContext& ctx, size_t length, std::string_view alphabet) {
  return ctx.twin.ids.RandomString(length, alphabet);
}

Json ConsoleLoginEvent(const gateway::RequestContext& ctx, const SignInAttempt& attempt) {
  const std::string event_id = ctx.twin.ids.SortableUuid();
  Json identity{{"type", auth::PrincipalTypeName(attempt.type)},
                {"principalId", attempt.principal_id},
                {"arn", attempt.arn},
                {"accountId", attempt.account_id}};
  if (!attempt.user_name.empty()) identity["userName"] = attempt.user_name;
  const std::string* agent = ctx.http.Header("user-agent");
  std::string user_agent = agent != nullptr ? *agent : std::string();
  Json record{
      {"eventVersion", trail::kEventVersion},
      {"userIdentity", std::move(identity)},
      {"eventTime", FormatIso8601Seconds(ctx.now)},
      {"eventSource", "signin.amazonaws.com"},
      {"eventName", "ConsoleLogin"},
      // Sign-in events are global; CloudTrail delivers them in us-east-1.
      {"awsRegion", "us-east-1"},
      {"sourceIPAddress", ctx.http.remote_address},
      {"userAgent", user_agent},
      {"requestParameters", nullptr},
      {"responseElements", Json{{"ConsoleLogin", attempt.success ? "Success" : "Failure"}}},
      {"additionalEventData", Json{{"LoginTo", "https://console.aws.amazon.com/console/home"},
                                   {"MobileVersion", "No"},
                                   {"MFAUsed", attempt.mfa_used ? "Yes" : "No"}}},
      {"eventID", event_id},
      {"readOnly", false},
      {"eventType", "AwsConsoleSignIn"},
      {"managementEvent", true},
      {"recipientAccountId", attempt.account_id},
      {"eventCategory", "Management"}};
  if (!attempt.success) record["errorMessage"] = kFailedAuthentication;
  return record;
}

}  // namespace orgtwin::services::root
