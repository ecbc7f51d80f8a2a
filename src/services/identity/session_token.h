// File: services/identity/session_token.h
//
// The twin's session tokens. AWS's are opaque blobs of a few hundred characters; the twin's are
// 288 bytes in base64 (384 characters) of which only the first 18 bytes are random: the other
// 270 are expanded from them. So the first 24 characters, the token's seed, are as secret as the
// whole token and give it back, and what stores a token (the session's access_keys row, the
// AssumeRole event in the audit trail) stores the seed: 24 characters instead of 384, which
// are random and do not compress.
//
// Why not random throughout: every AssumeRole writes its token twice (the key's row and the
// event), and those bytes were most of what its event cost to store (issue 13).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"

namespace orgtwin::services {

inline constexpr size_t kSessionTokenSeedChars = 24;

// A new session token (its seed from `ids`).
std::string NewSessionToken(IdGenerator& ids);

// The token of a seed (kSessionTokenSeedChars characters of base64).
std::string SessionTokenOfSeed(std::string_view seed);

// The seed of `token` when the twin expanded it from one; nullopt for any other text (a token
// of before the seeds, or not a token).
std::optional<std::string_view> SeedOfSessionToken(std::string_view token);

// The token a stored session_token column holds: its seed's token, or (rows from before the
// seeds) the whole token as it is.
std::string SessionTokenOfStored(std::string_view stored);

}  // namespace orgtwin::services
