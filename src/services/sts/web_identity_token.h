// File: services/sts/web_identity_token.h
//
// The OpenID Connect ID token (a JWS-signed JWT) an AssumeRoleWithWebIdentity call carries:
// split and decoded, its signature verified with OpenSSL against a JSON Web Key Set (RS256,
// RS384, RS512 and ES256), and its time claims checked against the twin's clock. Errors carry
// AWS's codes (InvalidIdentityToken, ExpiredTokenException).
//
// The twin has no internet, so the key sets are configured locally (`orgtwin serve --oidc-jwks
// ISSUER=FILE`, docs/federation.md): ConfigureOidcKeys records the files, JwksForIssuer reads
// the issuer's file when a token arrives (so a rotated file takes effect without a restart).
//
// Thread-safety: ConfigureOidcKeys is called once at startup, before requests; the rest are pure
// functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/status.h"

namespace orgtwin::services::sts {

struct WebIdentityToken {
  boost::json::object header;
  boost::json::object claims;
  std::string signing_input;  // "<header>.<payload>" as sent
  std::string signature;      // raw bytes

  // A string claim ("" when absent or not a string).
  std::string StringClaim(std::string_view name) const;
  // The `aud` claim: a string or a list of strings.
  std::vector<std::string> Audiences() const;
};

// Splits and decodes a compact JWS whose claims carry an `iss` string. InvalidIdentityToken "The
// ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)" for
// anything else.
Result<WebIdentityToken> ParseWebIdentityToken(std::string_view token);

// Verifies the token's signature with the key of `jwks` (a JWK Set document) its header names
// (`kid`; any key of the right type when the header names none). InvalidIdentityToken when no
// key fits or the signature does not verify.
Status VerifyWebIdentitySignature(const WebIdentityToken& token, std::string_view jwks);

// exp, nbf and iat against `now`: ExpiredTokenException "Token expired: current date/time N
// must be before the expiration date/timeM" after exp; InvalidIdentityToken for a token not
// yet valid or without exp.
Status CheckWebIdentityTimes(const WebIdentityToken& token, TimePoint now);

// Issuer URL ("https://host/path", as the token's iss says it) -> JWKS file.
using OidcKeyFiles = std::map<std::string, std::string>;
// Records the configured key files (`serve --oidc-jwks`); replaces any earlier configuration.
void ConfigureOidcKeys(const OidcKeyFiles& files);
// The JWKS document configured for `issuer` (compared without a trailing slash); nullopt when
// none is configured or its file cannot be read.
std::optional<std::string> JwksForIssuer(std::string_view issuer);

}  // namespace orgtwin::services::sts
