#include "repo/recovery_repository.h"

#include <cmath>
#include <cstdlib>

#include "common/ascii.h"
#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

using internal::Exec;

TokenRow ToToken(const store::Row& r) {
  TokenRow t;
  t.token = r.Text(0);
  t.purpose = r.Text(1);
  t.account_id = r.Text(2);
  t.subject = r.Text(3);
  t.created_at = r.Double(4);
  t.expires_at = r.Double(5);
  if (!r.IsNull(6)) t.used_at = r.Double(6);
  return t;
}

}  // namespace

std::string MailboxKey(std::string_view address) { return AsciiLowerCopy(address); }

std::string PhoneKey(std::string_view phone_number) {
  std::string key = "+";
  for (char c : phone_number) {
    if (c >= '0' && c <= '9') key.push_back(c);
  }
  return key;
}

Status InsertMail(store::Transaction& tx, const MailRow& mail) {
  store::Value token = std::monostate();
  if (!mail.token.empty()) token = mail.token;
  return Exec(
      tx,
      "INSERT INTO mailbox_messages (message_id, address, sent_at, subject, body, token) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {mail.message_id, MailboxKey(mail.address), mail.sent_at, mail.subject, mail.body, token});
}

Result<std::vector<MailRow>> MailTo(store::Transaction& tx, std::string_view address) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT message_id, address, sent_at, subject, body, "
                                          "token FROM mailbox_messages WHERE address = ? "
                                          "ORDER BY sent_at, message_id",
                                          {MailboxKey(address)}));
  std::vector<MailRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(MailRow{r.Text(0), r.Text(1), r.Double(2), r.Text(3), r.Text(4), r.Text(5), 0});
  }
  return out;
}

Result<std::optional<double>> FindMailRelaySince(store::Transaction& tx) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT value FROM server_settings WHERE name = "
                                          "'mail_relay_since'",
                                          {}));
  if (rows.empty()) return std::optional<double>();
  return std::optional<double>(std::strtod(rows.front().Text(0).c_str(), nullptr));
}

Status SetMailRelaySince(store::Transaction& tx, double since) {
  return Exec(tx,
              "INSERT INTO server_settings (name, value) VALUES ('mail_relay_since', ?) "
              "ON CONFLICT (name) DO NOTHING",
              {std::to_string(static_cast<int64_t>(std::floor(since)))});
}

Result<std::vector<MailRow>> MailToRelay(store::Transaction& tx, double since, double now,
                                         int64_t limit) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT message_id, address, sent_at, subject, body, "
                                          "token, relay_attempts FROM mailbox_messages WHERE "
                                          "relayed_at IS NULL "
                                          "AND sent_at >= ? AND relay_next_at <= ? "
                                          "ORDER BY sent_at, message_id LIMIT ?",
                                          {since, now, limit}));
  std::vector<MailRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(
        MailRow{r.Text(0), r.Text(1), r.Double(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6)});
  }
  return out;
}

Status MarkMailRelayed(store::Transaction& tx, std::string_view message_id, double at) {
  return Exec(tx,
              "UPDATE mailbox_messages SET relayed_at = ?, relay_error = NULL WHERE "
              "message_id = ?",
              {at, std::string(message_id)});
}

Status MarkMailRelayFailed(store::Transaction& tx, std::string_view message_id,
                           std::string_view error, double next_at) {
  return Exec(tx,
              "UPDATE mailbox_messages SET relay_attempts = relay_attempts + 1, relay_error = ?, "
              "relay_next_at = ? WHERE message_id = ?",
              {std::string(error), next_at, std::string(message_id)});
}

Status InsertCall(store::Transaction& tx, const CallRow& call) {
  return Exec(tx,
              "INSERT INTO phone_calls (call_id, phone_number, placed_at, purpose, code) "
              "VALUES (?, ?, ?, ?, ?)",
              {call.call_id, PhoneKey(call.phone_number), call.placed_at, call.purpose, call.code});
}

Result<std::vector<CallRow>> CallsTo(store::Transaction& tx, std::string_view phone_number) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT call_id, phone_number, placed_at, purpose, code FROM "
                               "phone_calls WHERE phone_number = ? ORDER BY placed_at, call_id",
                               {PhoneKey(phone_number)}));
  std::vector<CallRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(CallRow{r.Text(0), r.Text(1), r.Double(2), r.Text(3), r.Text(4)});
  }
  return out;
}

Status InsertToken(store::Transaction& tx, const TokenRow& token) {
  return Exec(tx,
              "INSERT INTO one_time_tokens (token, purpose, account_id, subject, created_at, "
              "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
              {token.token, token.purpose, token.account_id, token.subject, token.created_at,
               token.expires_at});
}

Result<std::optional<TokenRow>> FindToken(store::Transaction& tx, std::string_view token) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT token, purpose, account_id, subject, "
                                          "created_at, expires_at, used_at FROM one_time_tokens "
                                          "WHERE token = ?",
                                          {std::string(token)}));
  if (rows.empty()) return std::optional<TokenRow>();
  return std::optional<TokenRow>(ToToken(rows.front()));
}

Result<bool> UseToken(store::Transaction& tx, std::string_view token, double at) {
  OT_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE one_time_tokens SET used_at = ? WHERE token = ? AND "
                                 "used_at IS NULL",
                                 {at, std::string(token)}));
  return changed == 1;
}

Status RetireTokens(store::Transaction& tx, std::string_view account_id, std::string_view purpose,
                    double at) {
  return Exec(tx,
              "UPDATE one_time_tokens SET used_at = ? WHERE account_id = ? AND purpose = ? AND "
              "used_at IS NULL",
              {at, std::string(account_id), std::string(purpose)});
}

Status UpsertParty(store::Transaction& tx, const PartyRow& party) {
  return Exec(tx,
              "INSERT INTO parties (name, description, created_at) VALUES (?, ?, ?) "
              "ON CONFLICT (name) DO UPDATE SET description = excluded.description",
              {party.name, party.description, party.created_at});
}

Result<std::optional<PartyRow>> FindParty(store::Transaction& tx, std::string_view name) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT name, description, created_at FROM parties WHERE name = ?",
                               {std::string(name)}));
  if (rows.empty()) return std::optional<PartyRow>();
  const store::Row& r = rows.front();
  return std::optional<PartyRow>(PartyRow{r.Text(0), r.Text(1), r.Double(2)});
}

Result<std::vector<PartyRow>> ListParties(store::Transaction& tx) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT name, description, created_at FROM parties ORDER BY name", {}));
  std::vector<PartyRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(PartyRow{r.Text(0), r.Text(1), r.Double(2)});
  return out;
}

Result<bool> DeleteParty(store::Transaction& tx, std::string_view name) {
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM party_factors WHERE party = ?", {std::string(name)}));
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM parties WHERE name = ?", {std::string(name)}));
  return removed == 1;
}

Status AddFactor(store::Transaction& tx, const FactorRow& factor) {
  return Exec(tx,
              "INSERT INTO party_factors (party, kind, ref) VALUES (?, ?, ?) "
              "ON CONFLICT (party, kind, ref) DO NOTHING",
              {factor.party, factor.kind, factor.ref});
}

Result<bool> RemoveFactor(store::Transaction& tx, const FactorRow& factor) {
  OT_ASSIGN_OR_RETURN(int64_t removed,
                      tx.Execute("DELETE FROM party_factors WHERE party = ? AND kind = ? AND "
                                 "ref = ?",
                                 {factor.party, factor.kind, factor.ref}));
  return removed == 1;
}

Result<std::vector<FactorRow>> FactorsOf(store::Transaction& tx, std::string_view party) {
  std::string sql = "SELECT party, kind, ref FROM party_factors ";
  std::vector<store::Value> params;
  if (!party.empty()) {
    sql += "WHERE party = ? ";
    params.emplace_back(std::string(party));
  }
  sql += "ORDER BY party, kind, ref";
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<FactorRow> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(FactorRow{r.Text(0), r.Text(1), r.Text(2)});
  return out;
}

Result<std::vector<std::string>> HoldersOf(store::Transaction& tx, std::string_view kind,
                                           std::string_view ref) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT party FROM party_factors WHERE kind = ? AND "
                                          "ref = ? ORDER BY party",
                                          {std::string(kind), std::string(ref)}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(r.Text(0));
  return out;
}

}  // namespace orgtwin::repo
