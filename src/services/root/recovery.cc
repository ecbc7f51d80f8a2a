// Root recovery as AWS does it today (AWS-FACTS 6), and the mailboxes and phones it goes
// through:
//   forgotten password: StartRootPasswordReset mails a link to the root email; whoever reads
//     that mailbox sets a new password with CompleteRootPasswordReset;
//   lost MFA device: StartRootMfaRecovery (email and password first) mails a verification link
//     to the root email; VerifyRootMfaRecoveryEmail follows it and the twin calls the primary
//     contact phone; AnswerPhoneCall on that phone with the code shown on screen removes the
//     root user's MFA devices. Security questions are no longer part of it (discontinued by AWS
//     in 2024-2025).
//   ListMailboxMessages and ListPhoneCalls read a mailbox or a phone's call log; one with a
//     recorded holder (party_factors) answers only to that party.
#include "common/ids.h"
#include "repo/account_repository.h"
#include "repo/recovery_repository.h"
#include "services/iam/console_passwords.h"
#include "services/iam/mfa.h"
#include "services/root/console_sign_in.h"
#include "services/root/root_handlers.h"

namespace orgtwin::services::root {
namespace {

constexpr std::string_view kPasswordReset = "root-password-reset";
constexpr std::string_view kMfaRecoveryEmail = "mfa-recovery-email";
constexpr std::string_view kMfaRecoveryPhone = "mfa-recovery-phone";

// AWS-COMPAT: AWS does not publish how long its links live; the twin keeps a reset or
// verification link one hour and a phone verification ten minutes.
constexpr double kLinkSeconds = 3600;
constexpr double kCallSeconds = 600;
constexpr size_t kTokenLength = 32;

// A fresh token of `purpose` for `account_id` (superseding its unused ones), mailed to `address`.
Result<std::string> MailToken(gateway::RequestContext& ctx, std::string_view purpose,
                              const std::string& account_id, const std::string& subject_ref,
                              const std::string& address, const std::string& subject,
                              const std::string& body) {
  const double now = ToEpochSeconds(ctx.now);
  OT_RETURN_IF_ERROR(repo::RetireTokens(ctx.tx, account_id, purpose, now));
  std::string token = RandomSecret(ctx, kTokenLength, IdGenerator::kLowerAlnum);
  OT_RETURN_IF_ERROR(
      repo::InsertToken(ctx.tx, repo::TokenRow{token, std::string(purpose), account_id, subject_ref,
                                               now, now + kLinkSeconds, std::nullopt}));
  OT_RETURN_IF_ERROR(repo::InsertMail(
      ctx.tx, repo::MailRow{ctx.twin.ids.Uuid(), address, now, subject, body + token, token, 0}));
  return token;
}

// The unused, unexpired token `token` of `purpose`, or InvalidToken.
Result<repo::TokenRow> LiveToken(gateway::RequestContext& ctx, const std::string& token,
                                 std::string_view purpose, std::string_view what) {
  OT_ASSIGN_OR_RETURN(auto row, repo::FindToken(ctx.tx, token));
  if (!row.has_value() || row->purpose != purpose) {
    return InvalidToken("The " + std::string(what) + " is not valid.");
  }
  if (row->used_at.has_value()) {
    return InvalidToken("The " + std::string(what) + " was already used.");
  }
  if (row->expires_at <= ToEpochSeconds(ctx.now)) {
    return InvalidToken("The " + std::string(what) + " has expired.");
  }
  return *row;
}

std::string Masked(const std::string& phone) {
  std::string key = repo::PhoneKey(phone);
  if (key.size() <= 3) return key;
  return std::string(key.size() - 2, '*') + key.substr(key.size() - 2);
}

}  // namespace

Result<Json> StartRootPasswordReset(gateway::RequestContext& ctx, const Json& input) {
  const std::string email = Str(input, "Email");
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccountByEmailIgnoringCase(ctx.tx, email));
  if (account.has_value()) {
    OT_RETURN_IF_ERROR(MailToken(ctx, kPasswordReset, account->account_id, "", account->email,
                                 "Amazon Web Services password assistance",
                                 "Someone asked to reset the password of the AWS account " +
                                     account->account_id +
                                     " root user. To choose a new password, use this link "
                                     "(CompleteRootPasswordReset) within an hour. Token: ")
                           .status());
  }
  // The same answer either way, so the endpoint does not tell which emails have accounts.
  return Json{
      {"Message", "If an AWS account uses that email, a password reset link was sent to it."}};
}

Result<Json> CompleteRootPasswordReset(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TokenRow token,
                      LiveToken(ctx, Str(input, "Token"), kPasswordReset, "password reset link"));
  const double now = ToEpochSeconds(ctx.now);
  Status set =
      iam::SetConsolePassword(ctx.tx, token.account_id, "", Str(input, "NewPassword"), now);
  if (set.code() == ErrorCode::kInvalidInput) return Validation(set.message());
  OT_RETURN_IF_ERROR(set);
  OT_RETURN_IF_ERROR(repo::UseToken(ctx.tx, token.token, now).status());
  return Json{
      {"Message", "The root user's password of account " + token.account_id + " was changed."}};
}

Result<Json> StartRootMfaRecovery(gateway::RequestContext& ctx, const Json& input) {
  const std::vector<std::string> parties = PartiesOf(input);
  OT_ASSIGN_OR_RETURN(PasswordStep step, CheckPasswordStep(ctx, input, parties));
  const std::string& account = step.attempt.account_id;
  OT_ASSIGN_OR_RETURN(int64_t devices, iam::CountMfaDevices(ctx.tx, account, ""));
  if (devices == 0)
    return Validation("The root user of account " + account + " has no MFA device.");
  OT_ASSIGN_OR_RETURN(auto row, repo::FindAccount(ctx.tx, account));
  const std::string recovery_id = ctx.twin.ids.Uuid();
  OT_RETURN_IF_ERROR(MailToken(ctx, kMfaRecoveryEmail, account, recovery_id, row->email,
                               "Verify your email address to sign in without MFA",
                               "Someone is signing in to the AWS account " + account +
                                   " as its root user without the MFA device. To verify this "
                                   "email address, use this link (VerifyRootMfaRecoveryEmail) "
                                   "within an hour. Token: ")
                         .status());
  return Json{{"RecoveryId", recovery_id},
              {"Message", "A verification link was sent to the root user's email address."}};
}

Result<Json> VerifyRootMfaRecoveryEmail(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(repo::TokenRow token,
                      LiveToken(ctx, Str(input, "Token"), kMfaRecoveryEmail, "verification link"));
  const double now = ToEpochSeconds(ctx.now);
  OT_ASSIGN_OR_RETURN(std::string phone, repo::PrimaryContactPhone(ctx.tx, token.account_id));
  if (phone.empty()) {
    return NotFound("Account " + token.account_id +
                    " has no primary contact phone number to verify; only AWS Support can help.");
  }
  OT_RETURN_IF_ERROR(repo::UseToken(ctx.tx, token.token, now).status());
  OT_RETURN_IF_ERROR(repo::RetireTokens(ctx.tx, token.account_id, kMfaRecoveryPhone, now));
  const std::string call_id = ctx.twin.ids.Uuid();
  const std::string code = RandomSecret(ctx, 6, IdGenerator::kDigits);
  OT_RETURN_IF_ERROR(
      repo::InsertCall(ctx.tx, repo::CallRow{call_id, phone, now, "mfa-recovery", code}));
  OT_RETURN_IF_ERROR(repo::InsertToken(
      ctx.tx, repo::TokenRow{call_id, std::string(kMfaRecoveryPhone), token.account_id,
                             token.subject, now, now + kCallSeconds, std::nullopt}));
  return Json{{"RecoveryId", token.subject},
              {"PhoneNumber", Masked(phone)},
              {"CallId", call_id},
              {"ScreenCode", code}};
}

Result<Json> AnswerPhoneCall(gateway::RequestContext& ctx, const Json& input) {
  const std::string phone = repo::PhoneKey(Str(input, "PhoneNumber"));
  OT_RETURN_IF_ERROR(CheckPossession(ctx.tx, kPhone, phone, Str(input, "Party"), "phone " + phone));
  OT_ASSIGN_OR_RETURN(auto calls, repo::CallsTo(ctx.tx, phone));
  const std::string call_id = Str(input, "CallId");
  const repo::CallRow* call = nullptr;
  for (const repo::CallRow& c : calls) {
    if (c.call_id == call_id) call = &c;
  }
  if (call == nullptr) return InvalidToken("No call " + call_id + " was placed to " + phone + ".");
  OT_ASSIGN_OR_RETURN(repo::TokenRow token,
                      LiveToken(ctx, call_id, kMfaRecoveryPhone, "phone verification"));
  if (Str(input, "Digits") != call->code) {
    return InvalidToken("The digits keyed in are not the code shown on the screen.");
  }
  OT_RETURN_IF_ERROR(repo::UseToken(ctx.tx, token.token, ToEpochSeconds(ctx.now)).status());
  OT_ASSIGN_OR_RETURN(int64_t removed, iam::DeactivateAllMfaDevices(ctx.tx, token.account_id, ""));
  return Json{{"Purpose", call->purpose},
              {"Message", "Email and phone verified: " + std::to_string(removed) +
                              " MFA device(s) of the root user of account " + token.account_id +
                              " removed. Sign in with the email and password."}};
}

Result<Json> ListMailboxMessages(gateway::RequestContext& ctx, const Json& input) {
  const std::string address = repo::MailboxKey(Str(input, "Address"));
  OT_RETURN_IF_ERROR(
      CheckPossession(ctx.tx, kMailbox, address, Str(input, "Party"), "mailbox " + address));
  OT_ASSIGN_OR_RETURN(auto holders, repo::HoldersOf(ctx.tx, kMailbox, address));
  OT_ASSIGN_OR_RETURN(auto mail, repo::MailTo(ctx.tx, address));
  boost::json::array messages;
  for (const repo::MailRow& m : mail) {
    Json message{{"MessageId", m.message_id},
                 {"SentAt", m.sent_at},
                 {"Subject", m.subject},
                 {"Body", m.body}};
    if (!m.token.empty()) message["Token"] = m.token;
    messages.emplace_back(std::move(message));
  }
  boost::json::array holder_list(holders.begin(), holders.end());
  return Json{{"Address", address}, {"Holders", holder_list}, {"Messages", messages}};
}

Result<Json> ListPhoneCalls(gateway::RequestContext& ctx, const Json& input) {
  const std::string phone = repo::PhoneKey(Str(input, "PhoneNumber"));
  OT_RETURN_IF_ERROR(CheckPossession(ctx.tx, kPhone, phone, Str(input, "Party"), "phone " + phone));
  OT_ASSIGN_OR_RETURN(auto holders, repo::HoldersOf(ctx.tx, kPhone, phone));
  OT_ASSIGN_OR_RETURN(auto calls, repo::CallsTo(ctx.tx, phone));
  boost::json::array out;
  // The code is not listed: the caller hears a request to key in what the screen shows.
  for (const repo::CallRow& c : calls) {
    out.emplace_back(
        Json{{"CallId", c.call_id}, {"PlacedAt", c.placed_at}, {"Purpose", c.purpose}});
  }
  boost::json::array holder_list(holders.begin(), holders.end());
  return Json{{"PhoneNumber", phone}, {"Holders", holder_list}, {"Calls", out}};
}

}  // namespace orgtwin::services::root
