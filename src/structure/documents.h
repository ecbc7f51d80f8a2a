// File: structure/documents.h
//
// Policy documents as IAM returns them. IAM sends every document (a role's trust policy, an
// inline policy, a managed policy version) URL-encoded (RFC 3986), as AWS does, and the SDKs
// decode them before a caller sees them; the engine's client does not, so plan/apply (comparing
// documents) and import (writing them into a structure file) decode them here, one way.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace orgtwin::structure {

// The document's JSON text: `text` decoded when it is URL-encoded, as it is when it does not
// start with `{`; returned as given when it is JSON already or is not valid percent-encoding.
std::string DecodeDocument(std::string_view text);

}  // namespace orgtwin::structure
