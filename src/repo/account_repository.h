// File: repo/account_repository.h
//
// The account registry's repository (the `accounts` table of migration 0001 and the columns
// 0003, 0008 and 0012 add): every AWS account the twin knows, standalone or in an organization.
// No one service owns the registry -- the twin's default account and reset, sign-up,
// Organizations (CreateAccount, membership, closure, invitations), the Account Management API
// (contact information, account name, primary email) and IAM (the root user's creation date) all
// read or write it -- so its SQL lives here and nowhere else; Organizations' joins of members with
// their accounts are repo/org_repository.h's.
//
// A repository knows SQL and rows, nothing of the wire: no AWS errors, no JSON. Every function
// takes the caller's open Transaction; none commits. The SQL is the portable subset SQLite and
// PostgreSQL share.
//
// Thread-safety: free functions over the caller's Transaction; no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace orgtwin::repo {

// A row of `accounts`. The defaults are the columns' defaults.
struct AccountRow {
  std::string account_id;
  std::string email;  // the root user's sign-in email, unique
  std::string name;
  std::string state = "ACTIVE";  // AccountState of the organizations model
  double created_at = 0;
  bool has_payment_method = true;
  bool has_contact_info = true;
  bool iam_user_access_to_billing = true;
  std::optional<double> closed_at;
  std::optional<double> membership_changed_at;  // last join or leave of an organization
  std::string aws_partition = "aws";            // common/partition.h; migration 0028
};

// ---- Lookups (std::nullopt when absent) ----
Result<std::optional<AccountRow>> FindAccount(store::Transaction& tx, std::string_view account_id);
// By email as stored (the unique index compares it exactly).
Result<std::optional<AccountRow>> FindAccountByEmail(store::Transaction& tx,
                                                     std::string_view email);
// By email without regard to ASCII case (how Organizations matches an invitation's address).
Result<std::optional<AccountRow>> FindAccountByEmailIgnoringCase(store::Transaction& tx,
                                                                 std::string_view email);

// ---- Writes ----
// Inserts `account`; a taken account ID or email fails with kAlreadyExists.
Status InsertAccount(store::Transaction& tx, const AccountRow& account);
// As InsertAccount, but a taken account ID inserts nothing and answers false (the caller draws
// another ID); a taken email still fails.
Result<bool> InsertAccountIfIdFree(store::Transaction& tx, const AccountRow& account);
Status SetHasContactInfo(store::Transaction& tx, std::string_view account_id);
Status SetAccountName(store::Transaction& tx, std::string_view account_id, std::string_view name);
// The root user's sign-in email; an address another account holds fails with kAlreadyExists.
Status SetAccountEmail(store::Transaction& tx, std::string_view account_id, std::string_view email);
Status SetHasPaymentMethod(store::Transaction& tx, std::string_view account_id);
// The root-only setting "IAM user and role access to Billing information".
Status SetIamUserAccessToBilling(store::Transaction& tx, std::string_view account_id, bool enabled);
// The primary contact's phone (account_contact_information, 0010), "" when none is set: the
// phone MFA recovery calls.
Result<std::string> PrimaryContactPhone(store::Transaction& tx, std::string_view account_id);
// State SUSPENDED, closed at `closed_at`.
Status SuspendAccount(store::Transaction& tx, std::string_view account_id, double closed_at);
Status SetMembershipChangedAt(store::Transaction& tx, std::string_view account_id, double at);

}  // namespace orgtwin::repo
