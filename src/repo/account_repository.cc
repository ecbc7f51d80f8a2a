#include "repo/account_repository.h"

#include <vector>

#include "repo/statement.h"

namespace orgtwin::repo {
namespace {

using internal::Exec;

constexpr char kAccountCols[] =
    "SELECT account_id, email, name, state, created_at, has_payment_method, has_contact_info, "
    "iam_user_access_to_billing, closed_at, membership_changed_at, aws_partition FROM accounts ";

AccountRow ToAccount(const store::Row& r) {
  AccountRow a;
  a.account_id = r.Text(0);
  a.email = r.Text(1);
  a.name = r.Text(2);
  a.state = r.Text(3);
  a.created_at = r.Double(4);
  a.has_payment_method = r.Int(5) != 0;
  a.has_contact_info = r.Int(6) != 0;
  a.iam_user_access_to_billing = r.Int(7) != 0;
  if (!r.IsNull(8)) a.closed_at = r.Double(8);
  if (!r.IsNull(9)) a.membership_changed_at = r.Double(9);
  a.aws_partition = r.Text(10);
  return a;
}

Result<std::optional<AccountRow>> FindWhere(store::Transaction& tx, std::string_view where,
                                            std::string_view value) {
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kAccountCols) + std::string(where), {std::string(value)}));
  if (rows.empty()) return std::optional<AccountRow>();
  return std::optional<AccountRow>(ToAccount(rows.front()));
}

Result<int64_t> Insert(store::Transaction& tx, const AccountRow& a, std::string_view on_conflict) {
  auto optional_time = [](const std::optional<double>& t) -> store::Value {
    if (t.has_value()) return *t;
    return std::monostate();
  };
  return tx.Execute(
      std::string(
          "INSERT INTO accounts (account_id, email, name, state, created_at, "
          "has_payment_method, has_contact_info, iam_user_access_to_billing, closed_at, "
          "membership_changed_at, aws_partition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") +
          std::string(on_conflict),
      {a.account_id, a.email, a.name, a.state, a.created_at, int64_t{a.has_payment_method ? 1 : 0},
       int64_t{a.has_contact_info ? 1 : 0}, int64_t{a.iam_user_access_to_billing ? 1 : 0},
       optional_time(a.closed_at), optional_time(a.membership_changed_at), a.aws_partition});
}

}  // namespace

Result<std::optional<AccountRow>> FindAccount(store::Transaction& tx, std::string_view account_id) {
  return FindWhere(tx, "WHERE account_id = ?", account_id);
}

Result<std::optional<AccountRow>> FindAccountByEmail(store::Transaction& tx,
                                                     std::string_view email) {
  return FindWhere(tx, "WHERE email = ?", email);
}

Result<std::optional<AccountRow>> FindAccountByEmailIgnoringCase(store::Transaction& tx,
                                                                 std::string_view email) {
  return FindWhere(tx, "WHERE LOWER(email) = LOWER(?)", email);
}

Status InsertAccount(store::Transaction& tx, const AccountRow& account) {
  Result<int64_t> inserted = Insert(tx, account, "");
  return inserted.ok() ? Status::Ok() : inserted.status();
}

Result<bool> InsertAccountIfIdFree(store::Transaction& tx, const AccountRow& account) {
  OT_ASSIGN_OR_RETURN(int64_t inserted,
                      Insert(tx, account, " ON CONFLICT (account_id) DO NOTHING"));
  return inserted == 1;
}

Status SetHasContactInfo(store::Transaction& tx, std::string_view account_id) {
  return Exec(tx, "UPDATE accounts SET has_contact_info = 1 WHERE account_id = ?",
              {std::string(account_id)});
}

Status SetAccountName(store::Transaction& tx, std::string_view account_id, std::string_view name) {
  return Exec(tx, "UPDATE accounts SET name = ? WHERE account_id = ?",
              {std::string(name), std::string(account_id)});
}

Status SetAccountEmail(store::Transaction& tx, std::string_view account_id,
                       std::string_view email) {
  return Exec(tx, "UPDATE accounts SET email = ? WHERE account_id = ?",
              {std::string(email), std::string(account_id)});
}

Status SetHasPaymentMethod(store::Transaction& tx, std::string_view account_id) {
  return Exec(tx, "UPDATE accounts SET has_payment_method = 1 WHERE account_id = ?",
              {std::string(account_id)});
}

Status SuspendAccount(store::Transaction& tx, std::string_view account_id, double closed_at) {
  return Exec(tx, "UPDATE accounts SET state = 'SUSPENDED', closed_at = ? WHERE account_id = ?",
              {closed_at, std::string(account_id)});
}

Status SetMembershipChangedAt(store::Transaction& tx, std::string_view account_id, double at) {
  return Exec(tx, "UPDATE accounts SET membership_changed_at = ? WHERE account_id = ?",
              {at, std::string(account_id)});
}

Status SetIamUserAccessToBilling(store::Transaction& tx, std::string_view account_id,
                                 bool enabled) {
  return Exec(tx, "UPDATE accounts SET iam_user_access_to_billing = ? WHERE account_id = ?",
              {int64_t{enabled ? 1 : 0}, std::string(account_id)});
}

Result<std::string> PrimaryContactPhone(store::Transaction& tx, std::string_view account_id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT phone_number FROM account_contact_information "
                                          "WHERE account_id = ?",
                                          {std::string(account_id)}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

}  // namespace orgtwin::repo
