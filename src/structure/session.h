// File: structure/session.h
//
// Who acts where: the engine's view of the parties' credentials and of the accounts' IDs. Every
// change the engine makes runs as the party that owns it, in the account it touches, with the
// profile the structure file names for that pair (Structure::ProfileFor), so ownership is
// enforced by IAM and never by the tool: a party without the permission gets AWS's AccessDenied,
// reported with the party's name.
//
// The engine is a client of the public API like any SDK (DESIGN.md section 2): a Session holds
// one client::Client per profile over one Transport (HTTP to AWS or to a twin, or in process to
// an embedded twin). How a profile becomes credentials (static keys, a role profile that assumes
// a role, an MFA code) is the caller's ProfileResolver; the session caches the result per
// profile.
//
// Before a profile's first call in an account, the session checks with sts:GetCallerIdentity that
// the profile acts in that very account: a profile pointed at the wrong account fails there and
// then, not after changing the wrong account.
//
// Account IDs: an account that exists already has its ID in the file; one created by the
// playbook has it in the run's journal (structure/journal.h). AccountId() answers both.
//
// Ownership: the Structure and the Transport must outlive the Session. Thread-safety: none; one
// engine run uses its session from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "client/client.h"
#include "client/transport.h"
#include "common/status.h"
#include "structure/structure.h"

namespace orgtwin::structure {

// Turns a profile name into credentials (the AWS CLI's resolution: client/profiles.h).
using ProfileResolver = std::function<Result<client::Credentials>(const std::string& profile)>;

struct SessionOptions {
  std::string endpoint_url;  // "" = AWS's own endpoints
  std::string region = "us-east-1";
  std::shared_ptr<client::Transport> transport;
  ProfileResolver resolve_profile;
  client::RetryPolicy retry;  // each client's (the SDKs' standard mode by default)
};

// A failed call, in words that name who tried what where: "party `partner` (profile partner)
// in account payer (111122223333): organizations CreateOrganization: AccessDeniedException ...".
struct CallFailure {
  std::string party;
  std::string account;  // account key
  std::string operation;
  client::Error error;

  std::string ToString() const;
};

class Session {
 public:
  Session(const Structure& structure, SessionOptions options);

  const Structure& structure() const { return structure_; }

  // The account's ID: from the file, else one recorded by SetAccountId (a created account).
  std::optional<std::string> AccountId(std::string_view account) const;
  void SetAccountId(const std::string& account, const std::string& id);
  const std::map<std::string, std::string>& created_account_ids() const { return created_ids_; }

  // Calls `operation` of `service` as `party` in `account` (keys). A party that cannot get
  // credentials there fails with code "CredentialsUnavailable" and the resolver's reason.
  client::Outcome<boost::json::object> Call(std::string_view party, std::string_view account,
                                            std::string_view service, std::string_view operation,
                                            const boost::json::object& input = {});
  // Every page of a paginated operation, as Call.
  client::Outcome<std::vector<boost::json::object>> AllPages(std::string_view party,
                                                             std::string_view account,
                                                             std::string_view service,
                                                             std::string_view operation,
                                                             boost::json::object input = {});
  // As Call, but a failure becomes a Status whose message is CallFailure::ToString().
  Result<boost::json::object> Require(std::string_view party, std::string_view account,
                                      std::string_view service, std::string_view operation,
                                      const boost::json::object& input = {});

  // sts:GetCallerIdentity with `profile`'s credentials, wherever they act (no account check):
  // verify's question "whose credentials are these".
  Result<boost::json::object> CallerIdentityOf(const std::string& profile);

  // Whether `party` can get credentials in `account` (its profile there resolves), without
  // calling the account: the error names the profile and where the file gives it.
  Status CheckCanAct(std::string_view party, std::string_view account);

  // Forgets the cached client of every profile (after the caller rewrote the profile files).
  void ForgetCredentials() {
    clients_.clear();
    verified_.clear();
  }

  // Requests sent so far (each page and each retry counted), for the run's summary.
  int64_t calls() const { return calls_; }

  // The IAM actions each party used in each account ("iam:CreateRole"), successful calls only:
  // the permissions a real run needs (docs/engine.md lists the rehearsal's).
  using ActionsUsed = std::map<std::pair<std::string, std::string>, std::set<std::string>>;
  const ActionsUsed& actions_used() const { return actions_used_; }
  void ClearActionsUsed() { actions_used_.clear(); }

 private:
  void Used(std::string_view party, std::string_view account, std::string_view service,
            std::string_view operation);
  Result<client::Client*> ClientForProfile(const std::string& profile);
  Result<client::Client*> ClientFor(std::string_view party, std::string_view account,
                                    std::string* profile_out);

  const Structure& structure_;
  SessionOptions options_;
  std::map<std::string, std::string> created_ids_;
  std::map<std::string, std::unique_ptr<client::Client>> clients_;  // by profile
  std::set<std::pair<std::string, std::string>> verified_;          // (profile, account ID)
  int64_t calls_ = 0;
  ActionsUsed actions_used_;  // (party, account key) -> actions
};

}  // namespace orgtwin::structure
