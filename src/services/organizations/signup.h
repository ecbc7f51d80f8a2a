// File: services/organizations/signup.h
//
// Sign-up of a standalone AWS account: AWS creates accounts outside an organization by a web
// sign-up, not by an API, so orgtwin offers it as the extension operation SignUp (POST
// /_orgtwin/signup, models/orgtwin/; services/twin/twin_register.cc) and the `orgtwin signup` CLI.
// The account gets its root user and one root access key. The flags record what the leave/accept
// preconditions of Organizations check (payment method, contact information with phone
// verification).
//
// Thread-safety: the Transaction overloads run in the caller's transaction; the Store ones in one
// write transaction of their own (tests, tools). Safe to call concurrently.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "services/identity/credential_store.h"
#include "store/store.h"

namespace orgtwin::services {

struct SignupRequest {
  std::string email;         // 6..64 chars, name@domain.tld
  std::string account_name;  // 1..50 printable ASCII (CreateAccount's rule)
  bool payment_method = true;
  bool contact_information = true;
  // The ID to give the account (a rehearsal of a real organization keeps its IDs); "" = random.
  std::string account_id;
  // The partition it lives in (common/partition.h); "" = aws.
  std::string partition;
};

struct SignupResult {
  std::string account_id;
  std::string access_key_id;
  std::string secret_access_key;
};

// kInvalidInput (the extension's InvalidInput) for a malformed email or name; kAlreadyExists
// (EmailAlreadyExists) when an account already uses the email (emails are unique across AWS), or
// (AccountAlreadyExists) when the requested account ID is taken.
Result<SignupResult> SignUpStandaloneAccount(store::Transaction& tx, CredentialStore& credentials,
                                             IdGenerator& ids, const Clock& clock,
                                             const SignupRequest& request);
Result<SignupResult> SignUpStandaloneAccount(store::Store& store, CredentialStore& credentials,
                                             IdGenerator& ids, const Clock& clock,
                                             const SignupRequest& request);

// Adds a payment method to `account_id` (the console's billing page; AWS has no API for it), the
// extension operation CreatePaymentMethod (POST /_orgtwin/accounts/payment-method).
// `caller_is_root`: the account's root user; anyone else (an IAM principal the gateway authorized
// for payments:CreatePaymentInstrument) is refused with kAccessDenied while the account denies IAM
// access to billing (CreateAccount's IamUserAccessToBilling DENY). kNotFound for an unknown
// account.
Status AddPaymentMethod(store::Transaction& tx, const std::string& account_id, bool caller_is_root);

}  // namespace orgtwin::services
