// File: repo/recovery_repository.h
//
// What lies outside an account but decides who can recover its root user (migration 0016): the
// mail the twin sent to each address (mailbox_messages), the calls it placed to each phone
// (phone_calls), the one-time tokens those messages carry (one_time_tokens), and the parties
// who hold each factor (parties, party_factors). The root sign-in and recovery flows, the
// Account API's primary-email update, centralized root access and the custody analysis read and
// write these rows; their SQL lives here and nowhere else.
//
// A repository knows SQL and rows, nothing of the wire. Every function takes the caller's open
// Transaction; none commits. Addresses are matched lower-cased, phones as '+' and digits.
//
// Thread-safety: free functions over the caller's Transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// An email address as mailboxes are keyed: ASCII lower case.
std::string MailboxKey(std::string_view address);
// A phone number as phones are keyed: '+' then its digits ("+1 (206) 555-0100" -> "+12065550100").
std::string PhoneKey(std::string_view phone_number);

// ---- mailbox_messages ----
struct MailRow {
  std::string message_id;
  std::string address;  // MailboxKey
  double sent_at = 0;
  std::string subject;
  std::string body;
  std::string token;           // the link's token or the code ("" when none)
  int64_t relay_attempts = 0;  // failed SMTP relay attempts (MailToRelay only)
};
Status InsertMail(store::Transaction& tx, const MailRow& mail);
// The mail sent to `address`, oldest first.
Result<std::vector<MailRow>> MailTo(store::Transaction& tx, std::string_view address);

// Since when the SMTP relay sends the twin's mail: the time it was first configured, kept in
// server_settings so that mail committed just before a crash is still sent after the restart
// (nullopt before the first use, and after a reset).
Result<std::optional<double>> FindMailRelaySince(store::Transaction& tx);
Status SetMailRelaySince(store::Transaction& tx, double since);
// The SMTP relay's outbox (0019): messages sent at or after `since` not yet relayed whose next
// attempt is due at `now`, oldest first, at most `limit`.
Result<std::vector<MailRow>> MailToRelay(store::Transaction& tx, double since, double now,
                                         int64_t limit);
Status MarkMailRelayed(store::Transaction& tx, std::string_view message_id, double at);
// A failed attempt: counted, its error kept, the next one due at `next_at`.
Status MarkMailRelayFailed(store::Transaction& tx, std::string_view message_id,
                           std::string_view error, double next_at);

// ---- phone_calls ----
struct CallRow {
  std::string call_id;
  std::string phone_number;  // PhoneKey
  double placed_at = 0;
  std::string purpose;
  std::string code;
};
Status InsertCall(store::Transaction& tx, const CallRow& call);
// The calls placed to `phone_number`, oldest first.
Result<std::vector<CallRow>> CallsTo(store::Transaction& tx, std::string_view phone_number);

// ---- one_time_tokens ----
struct TokenRow {
  std::string token;
  std::string purpose;
  std::string account_id;
  std::string subject;
  double created_at = 0;
  double expires_at = 0;
  std::optional<double> used_at;
};
Status InsertToken(store::Transaction& tx, const TokenRow& token);
Result<std::optional<TokenRow>> FindToken(store::Transaction& tx, std::string_view token);
// Marks `token` used at `at`; false when it was already used (or does not exist).
Result<bool> UseToken(store::Transaction& tx, std::string_view token, double at);
// Marks every unused token of `account_id` for `purpose` used at `at` (a new one supersedes).
Status RetireTokens(store::Transaction& tx, std::string_view account_id, std::string_view purpose,
                    double at);

// ---- parties, party_factors ----
struct PartyRow {
  std::string name;
  std::string description;
  double created_at = 0;
};
struct FactorRow {
  std::string party;
  std::string kind;  // root-password | iam-password | mfa-device | mailbox | phone | ...
  std::string ref;
};
// Inserts or updates the party's description.
Status UpsertParty(store::Transaction& tx, const PartyRow& party);
Result<std::optional<PartyRow>> FindParty(store::Transaction& tx, std::string_view name);
Result<std::vector<PartyRow>> ListParties(store::Transaction& tx);
// Deletes the party and its factors; false when there was none.
Result<bool> DeleteParty(store::Transaction& tx, std::string_view name);
// Adds a factor (a factor already held is left as is).
Status AddFactor(store::Transaction& tx, const FactorRow& factor);
// Removes one factor; false when the party did not hold it.
Result<bool> RemoveFactor(store::Transaction& tx, const FactorRow& factor);
// Every factor of `party` ("" = of every party), by party, kind, ref.
Result<std::vector<FactorRow>> FactorsOf(store::Transaction& tx, std::string_view party);
// The parties holding factor (`kind`, `ref`), by name.
Result<std::vector<std::string>> HoldersOf(store::Transaction& tx, std::string_view kind,
                                           std::string_view ref);

}  // namespace orgtwin::repo
