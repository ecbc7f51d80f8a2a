// File: common/base64.h
//
// Base64 (RFC 4648), the one copy: Query-protocol blobs and the MFA seed/QR code (encode),
// policy Binary conditions (decode), stored password hashes (both), and JWT payloads in
// AssumeRoleWithWebIdentity (decode, URL alphabet).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin {

// Standard alphabet, with '=' padding (OpenSSL's EVP_EncodeBlock).
std::string Base64Encode(std::string_view bytes);

enum class Base64Alphabet {
  kStandard,  // A-Z a-z 0-9 + /
  kUrl,       // A-Z a-z 0-9 - _ (RFC 4648 section 5; '+' and '/' are accepted too)
};

// Decodes `text` into *out. Padding is optional; false (and *out unspecified) for a character
// outside the alphabet, data after padding, or more than two '='.
bool Base64Decode(std::string_view text, std::string* out,
                  Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace orgtwin
