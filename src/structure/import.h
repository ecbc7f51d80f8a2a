// File: structure/import.h
//
// orgtwin import: an organization that exists (on AWS or a twin) read into a structure file, so
// a team starts from what it really has instead of writing it down by hand. Read-only, through
// the public API like the rest of the engine (structure/session.h), with one profile: the one
// that acts in the organization's management account.
//
// What it reads: every account (ListAccounts), the feature set, the OU tree, each account's
// place in it, the policies of every enabled policy type that AWS does not manage, with their
// content, description and targets, and the IAM of the management account (roles but the
// service-linked ones, users, groups, their managed and inline policies), and each member's IAM
// with the member's own profile where one resolves (checked to act in that member). What it
// leaves out, and says so at the top of the file: the IAM of members without a usable profile,
// alternate contacts, and every secret (passwords, access keys, MFA devices).
//
// The file has one party, `owner`, that owns every account and acts with the profile given; for
// each member account it names a profile `PROFILE-ACCOUNT_KEY` (on AWS, a role profile that
// assumes a role in that member), which a rehearsal of the file gives the member's root keys.
// Account keys come from the accounts' names (lower case, other characters as `-`, unique).
//
// Thread-safety: none; runs on the caller's thread with the caller's Client.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "client/client.h"
#include "common/status.h"

namespace orgtwin::structure {

struct ImportOptions {
  // The profile the client acts with: written as the party's `profile`, and as the prefix of
  // the members' profiles.
  std::string profile;
  // The structure's `name`; "" = the organization's ID.
  std::string name;
  // A client for a member's profile (`PROFILE-ACCOUNT_KEY`), or null when it does not resolve:
  // that member's IAM is then left out (and the file says so). Null function: no member's IAM.
  std::function<client::Client*(const std::string& profile)> member_client;
};

// Reads the organization the client's principal is in -- which must be its management account
// -- and returns a structure file (YAML) that LoadStructureFile accepts. Fails with the call
// that failed (AccessDenied names what the principal may not read), or when the principal's
// account is not a management account.
Result<std::string> ImportStructure(client::Client& client, const ImportOptions& options);

// The structure-file key for an account named `name`: lower case, each run of characters other
// than letters and digits as one `-`, at most 64 characters, never `root` (the organization's
// root); "account" when nothing is left. Unique among `taken` (a `-2`, `-3`, ... suffix).
std::string AccountKeyFromName(const std::string& name, const std::set<std::string>& taken);

}  // namespace orgtwin::structure
