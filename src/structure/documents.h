// File: structure/documents.h
//
// Policy documents the engine reads and writes, one way for every caller:
// - IAM sends every document (a role's trust policy, an inline policy, a managed policy version)
//   URL-encoded (RFC 3986), as AWS does, and the SDKs decode them before a caller sees them; the
//   engine's client does not, so plan/apply (comparing documents) and import (writing them into
//   a structure file) decode them here.
// - The documents the structure file implies but does not spell out (a role's trust from its
//   short form, a user's permission to assume the roles it `may_assume`) are made here, for
//   apply (structure/reconcile.h) and for export (export/export.h) alike, so what export writes
//   is what apply would have written. How an account appears in them is the caller's: apply
//   knows its ID or writes "(known after apply)", export writes a placeholder of its format.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "structure/structure.h"

namespace orgtwin::structure {

// The document's JSON text: `text` decoded when it is URL-encoded, as it is when it does not
// start with `{`; returned as given when it is JSON already or is not valid percent-encoding.
std::string DecodeDocument(std::string_view text);

// What stands for an account (by key) in a generated document's ARNs: its 12-digit ID, or the
// caller's placeholder when the ID is not known.
using AccountIdText = std::function<std::string(const std::string& account)>;

// The trust policy of `role`: the document as written, or, for the short form, one statement
// allowing sts:AssumeRole to the named accounts' root principals (one principal as a string,
// several as a list, as IAM writes them back), with aws:MultiFactorAuthPresent and sts:ExternalId
// conditions where the file asks for them.
std::string TrustPolicyDocument(const Role& role, const AccountIdText& account_id);

// The identity policy that lets `user` assume the roles it `may_assume` (their ARNs, with each
// role's path from `structure`). Meaningful only when user.may_assume is not empty.
std::string MayAssumePolicyDocument(const Structure& structure, const User& user,
                                    const AccountIdText& account_id);

// The name of the inline policy that carries a user's `may_assume`.
inline constexpr char kMayAssumePolicyName[] = "MayAssumeStructureRoles";

}  // namespace orgtwin::structure
