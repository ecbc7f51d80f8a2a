// File: services/twin/default_account.h
//
// The account every fresh twin starts with (ID 123456789012 unless configured), its root user and
// one root access key, and the reset that returns the twin to exactly that state. The default
// account's root key survives resets, so the credentials file written at first start keeps
// working for test suites that reset between tests (moto_server's /moto-api/reset habit).
//
// Thread-safety: safe to call concurrently with request traffic (a reset is one write
// transaction).
#pragma once

#include <string>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "services/identity/credential_store.h"
#include "store/store.h"

namespace orgtwin::services {

inline constexpr char kDefaultAccountId[] = "123456789012";

struct DefaultAccount {
  std::string account_id;
  std::string email;
  Credential root_key;
  bool created_now = false;  // true on the first start of a data directory
};

// Creates the default account, its root user and root access key on first start; on later starts
// returns the stored ones. kInvalidInput if the data directory was initialized with another
// default account ID than `account_id`.
Result<DefaultAccount> EnsureDefaultAccount(store::Store& store, CredentialStore& credentials,
                                            IdGenerator& ids, const Clock& clock,
                                            const std::string& account_id);

// Deletes every account, key and resource, then recreates `account` with the same root key,
// through `tx` (the orgtwin extension's ResetTwin runs it in the call's transaction). Clears the
// credential cache once `tx` commits.
Status ResetTwin(store::Transaction& tx, CredentialStore& credentials, const Clock& clock,
                 const DefaultAccount& account);
// The same in a write transaction of its own (tests, tools).
Status ResetTwin(store::Store& store, CredentialStore& credentials, const Clock& clock,
                 const DefaultAccount& account);

// The tables a reset wipes, children before parents. Every migration that adds a table adds it
// here or to TwinKeptTables; default_account_test checks the lists against the live schema.
const std::vector<std::string>& TwinStateTables();

// The tables a reset keeps: content-addressed rows no API shows on their own, which in-memory
// state may know to exist, and the nodes' shared bookkeeping (store_revision, twin_clock).
// trail_callers (0024): the audit trail remembers which caller rows are committed and writes events
// that point at them without writing them again.
const std::vector<std::string>& TwinKeptTables();

}  // namespace orgtwin::services
