// File: playbook/twin_assist.h
//
// TwinAssist: the steps AWS does not offer through an API, done on a twin through its extension
// API (models/orgtwin/), so a rehearsal runs unattended where a real transfer has a person at a
// console: signing up an account, adding a payment method, and giving a party the credentials
// the structure file says it acts with (an IAM user's access key and virtual MFA device, and a
// role profile that assumes a role with them).
//
// Credentials it makes are written where the AWS CLI reads them: the shared credentials file and
// the config file of the rehearsal's data directory (role profiles: role_arn, source_profile,
// mfa_serial). A virtual MFA device's seed is kept in `mfa-devices` beside them (serial, Base32
// seed, last TOTP step used), so the rehearsal -- and a resumed one -- can compute the codes a
// person would read off the device; a code is never used twice, as AWS refuses a replayed one.
//
// Ownership: the assist keeps the paths and a Client options template; it calls the twin with
// the Session it is given. Thread-safety: none.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "client/client.h"
#include "client/transport.h"
#include "common/status.h"
#include "structure/session.h"
#include "structure/structure.h"

namespace orgtwin::playbook {

struct ProfileFiles {
  std::string credentials;  // the shared credentials file
  std::string config;       // the config file
  std::string mfa_devices;  // serial, seed and last step of each virtual MFA device made
};

// An account SignUp reached: signed up now, or recovered (signed up by an earlier run).
struct SignedUp {
  std::string account_id;
  bool recovered = false;
};

class TwinAssist {
 public:
  // `endpoint_url` and `transport` reach the twin (its extension API is unauthenticated for
  // sign-up, as AWS's sign-up page is).
  TwinAssist(ProfileFiles files, std::string endpoint_url,
             std::shared_ptr<client::Transport> transport);

  const ProfileFiles& files() const { return files_; }

  // True when `profile` is in the credentials or config file.
  bool HasProfile(const std::string& profile) const;

  // Signs up `account` (its email, name, and its ID when the file gives one) and writes its root
  // user's access key as `profile`. An account already signed up with
  // that email (by a run killed before it saved the keys) is recovered as its owner would on
  // AWS: a password reset mailed to the root email, a root sign-in, and a new root access key in
  // place of the unsaved one.
  Result<SignedUp> SignUp(const structure::Account& account, const std::string& profile);

  // Adds a payment method to the account whose root keys are `profile` (the console's billing
  // page on AWS).
  Status AddPaymentMethod(const std::string& profile);

  // Activates IAM user and role access to billing in the account whose root keys are `profile`
  // (the root user's Account settings page on AWS; off in a signed-up account).
  Status ActivateBillingAccess(const std::string& profile);

  // Gives `user` in `user_account` (acting as `party`, the owner) an access key and, when
  // `with_mfa`, an enabled virtual MFA device; writes the key as profile `profile`-source and
  // `profile` as a role profile that assumes `role_arn` from it.
  Status ProvisionRoleProfile(structure::Session& session, const std::string& party,
                              const std::string& user_account, const std::string& user,
                              const std::string& role_arn, bool with_mfa,
                              const std::string& profile);

  // The token of the newest subscription confirmation SNS mailed to `address` for `topic_arn`,
  // read from the twin's mailbox as `party` (the person who follows the link); "" when none has
  // arrived.
  Result<std::string> SubscriptionToken(const std::string& address, const std::string& party,
                                        const std::string& topic_arn);

  // The next unused TOTP code of the virtual MFA device `serial` (one this assist made).
  Result<std::string> MfaCode(std::string_view serial);

  // Terminate's T.7 on a twin: the root user of the account whose root keys are `profile` passes
  // to `holder`. Its email becomes `new_email` (the verification code read from that mailbox as
  // `holder`; skipped when `email_moved`), `holder` sets a password through the reset link mailed
  // there (a password the assist does not keep), and every root access key is deleted, those of
  // `profile` last: the old holder keeps nothing of the root user.
  Status HandOverRoot(const std::string& profile, const std::string& new_email,
                      const std::string& holder, bool email_moved);

  // The name AWS's console gives the root user's virtual MFA device (its serial is
  // arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device).
  static constexpr std::string_view kRootMfaDeviceName = "root-account-mfa-device";

  // Assigns a new virtual MFA device to the root user of `account`, acting as `party` with the
  // root user's keys (the console's Security credentials page on AWS), and keeps its seed in
  // `mfa-devices` for the device's holder. Returns the device's serial.
  Result<std::string> EnableRootMfa(structure::Session& session, const std::string& party,
                                    const std::string& account);

 private:
  // A client of the twin acting with `credentials`.
  client::Client ClientWith(client::Credentials credentials) const;
  // A client for the twin's unauthenticated pages (sign-up, sign-in, recovery, mailboxes).
  client::Client Anonymous() const;
  Status WriteRootProfile(const std::string& profile, const boost::json::object& key);
  Result<std::string> RecoverRootKeys(const structure::Account& account,
                                      const std::string& profile);
  Result<client::Credentials> RootCredentials(const std::string& profile) const;
  // Calls the extension API's `operation` with the root keys of `profile`; `doing` names the
  // task in the error.
  Status CallAsRoot(const std::string& profile, const std::string& operation,
                    const boost::json::object& input, std::string_view doing);

  // The token of the newest message to `address` whose `field` ("Subject", "Body") contains
  // `part`, read as `party`; "" when none has arrived.
  Result<std::string> LatestMailToken(const std::string& address, const std::string& party,
                                      std::string_view field, std::string_view part);
  // Creates virtual MFA device `device_name` in `account` as `party`, calls `enable` with its
  // serial and two consecutive codes (SerialNumber, AuthenticationCode1/2), then keeps its seed.
  Result<std::string> EnrollVirtualMfa(
      structure::Session& session, const std::string& party, const std::string& account,
      const std::string& device_name,
      const std::function<Status(const boost::json::object& codes)>& enable);

  ProfileFiles files_;
  std::string endpoint_url_;
  std::shared_ptr<client::Transport> transport_;
};

}  // namespace orgtwin::playbook
