// File: services/sts/saml_response.h
//
// The SAML 2.0 Response an AssumeRoleWithSAML call carries: decoded from base64, its XML
// signature verified (xmlsec: enveloped signature on the Response or on its one Assertion,
// exclusive or inclusive c14n, RSA-SHA256 or RSA-SHA1) against the SAML provider's signing
// certificates, and the claims AWS reads taken from the signed part only. CheckSamlConditions then
// applies AWS's rules on the endpoint (Destination/Recipient), the audience and the validity
// window. Errors carry AWS's codes (InvalidIdentityToken, ExpiredTokenException).
//
// Thread-safety: pure functions; xmlsec is initialized once per process on first use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace orgtwin::services::sts {

// The AWS attribute names an IdP sends in the assertion.
inline constexpr std::string_view kSamlRoleAttribute =
    "https://aws.amazon.com/SAML/Attributes/Role";
inline constexpr std::string_view kSamlRoleSessionNameAttribute =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
inline constexpr std::string_view kSamlSessionDurationAttribute =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";
inline constexpr std::string_view kSamlSourceIdentityAttribute =
    "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
// Session tags: one attribute per tag, the key after the colon.
inline constexpr std::string_view kSamlPrincipalTagPrefix =
    "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
inline constexpr std::string_view kSamlTransitiveTagKeysAttribute =
    "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";

struct SamlAssertion {
  std::string issuer;
  std::string name_id;
  std::string name_id_format;  // the NameID's Format URI ("" when absent)
  std::string destination;     // the Response's Destination ("" when absent)
  std::string recipient;       // SubjectConfirmationData's Recipient ("" when absent)
  std::vector<std::string> audiences;
  std::optional<TimePoint> not_before;                    // Conditions
  std::optional<TimePoint> not_on_or_after;               // Conditions
  std::optional<TimePoint> confirmation_not_on_or_after;  // SubjectConfirmationData
  std::optional<TimePoint> session_not_on_or_after;       // AuthnStatement
  // Attribute Name -> its AttributeValue texts, in document order.
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;

  // The values of attribute `name`; null when the assertion has no such attribute.
  const std::vector<std::string>* Attribute(std::string_view name) const;
};

// Sets up libxml2 and xmlsec (OpenSSL) once per process; false when xmlsec cannot start.
// VerifySamlResponse calls it; code that signs with xmlsec (tests) calls it first.
bool InitializeXmlSecurity();

// Decodes `saml_base64` and verifies its signature with one of `certificates` (base64 DER, as
// the provider's metadata gave them). InvalidIdentityToken "Response signature invalid" when no
// certificate verifies a signature covering the Response or its Assertion; InvalidIdentityToken
// for a document that is not a SAML Response with exactly one (unencrypted) Assertion.
Result<SamlAssertion> VerifySamlResponse(std::string_view saml_base64,
                                         const std::vector<std::string>& certificates);

// Whether `url` is AWS's SAML sign-in endpoint: https://signin.aws.amazon.com/saml or a
// regional https://<region>.signin.aws.amazon.com/saml.
bool IsAwsSamlEndpoint(std::string_view url);

// AWS's checks on a verified assertion at `now`: the Recipient (or Destination) is AWS's
// endpoint, an Audience is AWS's, and the assertion is inside its validity window
// (ExpiredTokenException outside it).
Status CheckSamlConditions(const SamlAssertion& assertion, TimePoint now);

}  // namespace orgtwin::services::sts
