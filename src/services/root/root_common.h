// File: services/root/root_common.h
//
// What the root user's console flows share (services/root/): their errors, the custody check
// (a party completes a step only with factors it holds), one-time secrets, and the ConsoleLogin
// event each sign-in attempt leaves in the trail. Internal to services/root/.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "auth/principal.h"
#include "common/json_fields.h"
#include "common/status.h"
#include "gateway/gateway.h"
#include "gateway/request_context.h"
#include "store/store.h"

namespace orgtwin::services::root {

using Json = boost::json::object;

// Factor kinds of party_factors (migration 0016).
inline constexpr std::string_view kRootPassword = "root-password";
inline constexpr std::string_view kIamPassword = "iam-password";
inline constexpr std::string_view kMfaDevice = "mfa-device";
inline constexpr std::string_view kMailbox = "mailbox";
inline constexpr std::string_view kPhone = "phone";
inline constexpr std::string_view kPaymentCard = "payment-card";
inline constexpr std::string_view kAccessKey = "access-key";

// The message AWS's sign-in page gives for any wrong email, user, password or code.
inline constexpr std::string_view kFailedAuthentication = "Failed authentication";

Status AuthenticationFailed(std::string message);
Status AccessDenied(std::string message);
Status Validation(std::string message);
Status InvalidToken(std::string message);
Status NotFound(std::string message);

using json_fields::Str;
// The `Parties` list of a request (empty: no custody check).
std::vector<std::string> PartiesOf(const Json& input);

// Ok when `parties` is empty (no custody is claimed) or one of them holds factor (kind, ref);
// AccessDenied naming `what` otherwise.
Status CheckHeld(store::Transaction& tx, const std::vector<std::string>& parties,
                 std::string_view kind, std::string_view ref, std::string_view what);
// For a mailbox or phone: Ok when nobody is recorded as its holder, or `party` is one;
// AccessDenied otherwise (reading mail or answering a call needs the mailbox or the phone).
Status CheckPossession(store::Transaction& tx, std::string_view kind, std::string_view ref,
                       std::string_view party, std::string_view what);

// `length` random characters of `alphabet` from the twin's generator (links, codes).
std::string RandomSecret(gateway::RequestContext& ctx, size_t length, std::string_view alphabet);

// One ConsoleLogin attempt as CloudTrail records it (AWS-FACTS 6).
struct SignInAttempt {
  auth::PrincipalType type = auth::PrincipalType::kRoot;
  std::string account_id;
  std::string principal_id;  // the account ID for root, AIDA... for a user
  std::string arn;
  std::string user_name;  // IAM users
  bool success = false;
  bool mfa_used = false;
};
// The attempt's CloudTrail event (recorded with trail::RecordEvent: in the request's transaction
// on success, through writes_on_failure on failure).
boost::json::object ConsoleLoginEvent(const gateway::RequestContext& ctx,
                                      const SignInAttempt& attempt);

}  // namespace orgtwin::services::root
