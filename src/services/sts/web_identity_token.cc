#include "services/sts/web_identity_token.h"

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/base64.h"

namespace orgtwin::services::sts {
namespace {

Status InvalidToken(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("InvalidIdentityToken");
}

Status NotAJwt() {
  return InvalidToken(
      "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access "
      "Token)");
}

// AWS-COMPAT: AWS's text when the provider's keys cannot verify the token (a key the JWKS does
// not hold, as after a rotation): seen in SDK issue reports with InvalidIdentityToken.
Status NoVerificationKey() {
  return InvalidToken(
      "Couldn't retrieve verification key from your identity provider,  please reference "
      "AssumeRoleWithWebIdentity documentation for requirements");
}

// AWS-COMPAT: the text for a signature that does not verify with the provider's key is not
// documented; the code is the model's InvalidIdentityToken.
Status SignatureInvalid() { return InvalidToken("The signature of the ID Token is not valid."); }

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::optional<boost::json::object> DecodeJsonPart(std::string_view part) {
  std::string bytes;
  if (!Base64Decode(part, &bytes, Base64Alphabet::kUrl)) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(bytes, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value).as_object();
}

std::string JsonString(const boost::json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it != object.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                       : std::string();
}

std::optional<std::string> Base64UrlMember(const boost::json::object& jwk, std::string_view name) {
  std::string bytes;
  if (!Base64Decode(JsonString(jwk, name), &bytes, Base64Alphabet::kUrl) || bytes.empty()) {
    return std::nullopt;
  }
  return bytes;
}

// The public key a JWK describes (RSA n/e, or EC P-256 x/y); null for anything else.
PkeyPtr KeyFromJwk(const boost::json::object& jwk) {
  const std::string kty = JsonString(jwk, "kty");
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(),
                                                                          OSSL_PARAM_BLD_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> n(nullptr, BN_free), e(nullptr, BN_free);
  std::string point;
  const char* type = nullptr;
  if (builder == nullptr) return nullptr;
  if (kty == "RSA") {
    auto modulus = Base64UrlMember(jwk, "n");
    auto exponent = Base64UrlMember(jwk, "e");
    if (!modulus || !exponent) return nullptr;
    n.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus->data()),
                      static_cast<int>(modulus->size()), nullptr));
    e.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent->data()),
                      static_cast<int>(exponent->size()), nullptr));
    if (n == nullptr || e == nullptr ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
      return nullptr;
    }
    type = "RSA";
  } else if (kty == "EC" && JsonString(jwk, "crv") == "P-256") {
    auto x = Base64UrlMember(jwk, "x");
    auto y = Base64UrlMember(jwk, "y");
    if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
    point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
    if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      return nullptr;
    }
    type = "EC";
  } else {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(builder.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return PkeyPtr(key);
}

// ES256 signs r||s (32 bytes each); OpenSSL verifies a DER ECDSA-Sig-Value.
std::optional<std::string> EcdsaDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (sig == nullptr) return std::nullopt;
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool VerifySignature(EVP_PKEY* key, const EVP_MD* digest, std::string_view data,
                     std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

std::optional<int64_t> NumericClaim(const boost::json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  const boost::json::value& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<int64_t>(v.get_double());
  return std::nullopt;
}

std::mutex key_files_mutex;
OidcKeyFiles& KeyFiles() {
  static OidcKeyFiles files;
  return files;
}

std::string WithoutTrailingSlash(std::string_view url) {
  while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace

std::string WebIdentityToken::StringClaim(std::string_view name) const {
  return JsonString(claims, name);
}

std::vector<std::string> WebIdentityToken::Audiences() const {
  std::vector<std::string> out;
  auto it = claims.find("aud");
  if (it == claims.end()) return out;
  if (it->value().is_string()) {
    out.emplace_back(it->value().get_string());
  } else if (it->value().is_array()) {
    for (const auto& item : it->value().get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

Result<WebIdentityToken> ParseWebIdentityToken(std::string_view token) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return NotAJwt();
  }
  WebIdentityToken out;
  auto header = DecodeJsonPart(token.substr(0, dot1));
  auto claims = DecodeJsonPart(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !claims ||
      !Base64Decode(token.substr(dot2 + 1), &out.signature, Base64Alphabet::kUrl)) {
    return NotAJwt();
  }
  // AWS names the provider by iss: a token without one is answered as no JWT at all.
  if (JsonString(*claims, "iss").empty()) return NotAJwt();
  out.header = std::move(*header);
  out.claims = std::move(*claims);
  out.signing_input = std::string(token.substr(0, dot2));
  return out;
}

Status VerifyWebIdentitySignature(const WebIdentityToken& token, std::string_view jwks) {
  const std::string alg = JsonString(token.header, "alg");
  const EVP_MD* digest = nullptr;
  std::string key_type;
  if (alg == "RS256" || alg == "ES256") {
    digest = EVP_sha256();
  } else if (alg == "RS384") {
    digest = EVP_sha384();
  } else if (alg == "RS512") {
    digest = EVP_sha512();
  } else {
    // "none", HMAC and the rest: a provider's ID tokens are signed with its published keys.
    return SignatureInvalid();
  }
  key_type = alg[0] == 'E' ? "EC" : "RSA";
  boost::system::error_code ec;
  boost::json::value set = boost::json::parse(jwks, ec);
  if (ec || !set.is_object() || !set.as_object().contains("keys") ||
      !set.as_object().at("keys").is_array()) {
    return NoVerificationKey();
  }
  const std::string kid = JsonString(token.header, "kid");
  std::string signature = token.signature;
  if (key_type == "EC") {
    auto der = EcdsaDer(signature);
    if (!der) return SignatureInvalid();
    signature = std::move(*der);
  }
  bool key_found = false;
  for (const auto& item : set.as_object().at("keys").get_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& jwk = item.get_object();
    if (JsonString(jwk, "kty") != key_type) continue;
    if (!kid.empty() && JsonString(jwk, "kid") != kid) continue;
    const std::string use = JsonString(jwk, "use");
    if (!use.empty() && use != "sig") continue;
    PkeyPtr key = KeyFromJwk(jwk);
    if (key == nullptr) continue;
    key_found = true;
    if (VerifySignature(key.get(), digest, token.signing_input, signature)) return Status::Ok();
  }
  return key_found ? SignatureInvalid() : NoVerificationKey();
}

Status CheckWebIdentityTimes(const WebIdentityToken& token, TimePoint now) {
  const int64_t now_seconds = static_cast<int64_t>(ToEpochSeconds(now));
  std::optional<int64_t> exp = NumericClaim(token.claims, "exp");
  // AWS-COMPAT: OpenID Connect requires exp in an ID token; AWS's text for one without it is not
  // documented.
  if (!exp.has_value()) return InvalidToken("Missing exp claim in the ID Token.");
  if (now_seconds >= *exp) {
    // AWS's text, with no space before the second number (SDK issue reports).
    return InvalidInputError("Token expired: current date/time " + std::to_string(now_seconds) +
                             " must be before the expiration date/time" + std::to_string(*exp))
        .WithAwsCode("ExpiredTokenException");
  }
  // AWS-COMPAT: a token used before its nbf, or issued in the future (iat), is refused; AWS's
  // text for either is not documented. Five minutes of clock skew are allowed, as for SigV4.
  constexpr int64_t kSkewSeconds = 300;
  std::optional<int64_t> nbf = NumericClaim(token.claims, "nbf");
  if (nbf.has_value() && now_seconds + kSkewSeconds < *nbf) {
    return InvalidToken("The ID Token is not yet valid (nbf).");
  }
  std::optional<int64_t> iat = NumericClaim(token.claims, "iat");
  if (iat.has_value() && now_seconds + kSkewSeconds < *iat) {
    return InvalidToken("The ID Token was issued in the future (iat).");
  }
  return Status::Ok();
}

void ConfigureOidcKeys(const OidcKeyFiles& files) {
  OidcKeyFiles normalized;
  for (const auto& [issuer, path] : files) normalized[WithoutTrailingSlash(issuer)] = path;
  std::lock_guard<std::mutex> lock(key_files_mutex);
  KeyFiles() = std::move(normalized);
}

std::optional<std::string> JwksForIssuer(std::string_view issuer) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(key_files_mutex);
    auto it = KeyFiles().find(WithoutTrailingSlash(issuer));
    if (it == KeyFiles().end()) return std::nullopt;
    path = it->second;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace orgtwin::services::sts
