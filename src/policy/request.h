// File: policy/request.h
//
// What an authorization decision is asked about: the calling principal, the action, the
// resource ARN and its owning account, and the request context (condition keys, single- or
// multi-valued). Context keys are stored lowercased (key names are case-insensitive in AWS,
// tag-key suffixes included). DeriveGlobalKeys() fills the global keys of AWS-FACTS 1.8 that can
// be computed from the principal when the caller did not supply them (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username, aws:RequestedRegion
// defaulting to us-east-1, aws:CurrentTime/aws:EpochTime, ...).
//
// Thread-safety: a value type; a finished Request may be read from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orgtwin::policy {

enum class PrincipalType {
  kRoot,
  kUser,
  kAssumedRole,
  kFederatedUser,
  kServiceLinkedRole,  // a session of a service-linked role: exempt from SCPs and RCPs
  kAnonymous,
  kService,  // an AWS service principal, e.g. "cloudtrail.amazonaws.com" in `arn`
};

// "Root" | "User" | "AssumedRole" | "FederatedUser" | "ServiceLinkedRole" | "Anonymous" |
// "Service"; false for anything else.
bool PrincipalTypeFromName(std::string_view name, PrincipalType* out);

struct Principal {
  PrincipalType type = PrincipalType::kUser;
  std::string arn;       // user / root / sts session ARN (service name for kService)
  std::string account;   // 12-digit account ID ("" for anonymous)
  std::string role_arn;  // sessions: the role behind the session; derived from `arn` when empty
  std::string user_id;   // unique ID (AIDA..., AROA...:session), when known
};

class Context {
 public:
  struct Entry {
    std::string key;  // lowercase
    std::vector<std::string> values;
    bool multi = false;  // supplied as a list
  };

  // Sets a single-valued key (replacing any previous value).
  void Set(std::string_view key, std::string value);
  // Sets a multivalued key.
  void SetMulti(std::string_view key, std::vector<std::string> values);
  // Sets only when absent.
  void SetDefault(std::string_view key, std::string value);
  // `lower_key` must be lowercase. nullptr when absent.
  const Entry* Find(std::string_view lower_key) const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  static constexpr size_t kTypicalEntries = 24;
  // Adds a single-valued entry for a key known to be absent.
  void Append(std::string lower_key, std::vector<std::string> values);

  std::vector<Entry> entries_;
};

struct Request {
  Principal principal;
  std::string action;            // "service:Action" as the caller wrote it
  std::string resource = "*";    // ARN or "*"
  std::string resource_account;  // "" = the principal's account
  Context context;
  // The time of the request (aws:CurrentTime / aws:EpochTime); negative = the wall clock at
  // DeriveGlobalKeys().
  int64_t epoch_seconds = -1;
  // Whether DeriveGlobalKeys() also fills the environment keys a real request always carries
  // (aws:RequestedRegion=us-east-1, aws:SecureTransport=true, aws:ViaAWSService=false,
  // aws:CurrentTime, aws:EpochTime). The conformance corpus turns this off: its contexts are
  // complete as written.
  bool environment_defaults = true;

  // Fills the derivable global condition keys that the caller did not set. Idempotent.
  void DeriveGlobalKeys();
  bool derived() const { return derived_; }
  const std::string& EffectiveResourceAccount() const {
    return resource_account.empty() ? principal.account : resource_account;
  }

 private:
  bool derived_ = false;
};

// The IAM role ARN behind "arn:aws:sts::A:assumed-role/R/S" (path unknown: /), or "".
std::string RoleArnFromSessionArn(std::string_view session_arn);

}  // namespace orgtwin::policy
