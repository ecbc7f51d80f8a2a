// File: services/iam/key_material.h
//
// The checks IAM runs on uploaded key material, over OpenSSL: X.509 certificates in PEM (server
// and signing certificates, the SAML metadata's signing certificates in DER), private keys and
// whether they belong to a certificate, certificate chains, SSH public keys (ssh-rsa or PEM) with
// their MD5 fingerprint, and SAML metadata documents (libxml2). The functions say what they
// found; the handlers turn it into AWS's error codes and messages.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgtwin::services::iam {

// A parsed X.509 certificate: its DER bytes and validity window (epoch seconds).
struct CertificateFacts {
  std::string der;
  double not_before = 0;
  double not_after = 0;
};

// The first certificate of a PEM text ("-----BEGIN CERTIFICATE-----"), nullopt when the text
// holds none or it does not parse.
std::optional<CertificateFacts> ParseCertificatePem(std::string_view pem);
// A DER certificate (the base64 content of a SAML X509Certificate element, decoded).
std::optional<CertificateFacts> ParseCertificateDer(std::string_view der);

enum class KeyMatch { kMatches, kMismatch, kMalformedKey };
// Whether the PEM private key `key_pem` (PKCS#1, SEC1 or PKCS#8, unencrypted) is the key of the
// PEM certificate `cert_pem` (which the caller parsed already).
KeyMatch PrivateKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem);
// Whether `key_pem` is an unencrypted PEM private key at all.
bool IsPrivateKeyPem(std::string_view key_pem);

// Checks the PEM chain of `cert_pem`: the chain's first certificate issued (signed) the
// certificate, each next one issued the previous one. nullopt when it holds; otherwise the
// index of the first certificate that breaks it (-1 when the chain holds no certificate at all,
// or text that is not one).
std::optional<int> BrokenChainIndex(std::string_view cert_pem, std::string_view chain_pem);

// ---- SSH public keys ----
enum class SshKeyProblem {
  kNone,
  kUnrecognizedEncoding,  // neither "ssh-rsa <base64>" nor a PEM public key
  kInvalid,               // the encoding is right but the key is broken or not RSA
  kTooShort,              // an RSA key of fewer than 2048 bits
};
struct SshPublicKeyFacts {
  SshKeyProblem problem = SshKeyProblem::kNone;
  std::string ssh;          // "ssh-rsa AAAA..." (no comment)
  std::string pem;          // "-----BEGIN PUBLIC KEY-----..." (SubjectPublicKeyInfo)
  std::string fingerprint;  // MD5 of the DER SubjectPublicKeyInfo, "xx:xx:..." lowercase
};
SshPublicKeyFacts ParseSshPublicKey(std::string_view body);

// ---- SAML 2.0 metadata ----
struct SamlMetadataFacts {
  bool valid = false;
  std::string entity_id;
  std::optional<double> valid_until;              // the validUntil attribute, epoch seconds
  std::vector<std::string> signing_certificates;  // DER, from KeyDescriptor use="signing"
};
// Parses an IdP's metadata document: an md:EntityDescriptor (or an md:EntitiesDescriptor holding
// one) with an md:IDPSSODescriptor whose signing certificates all parse. `valid` is false for
// anything else. No network access and no external entities.
SamlMetadataFacts ParseSamlMetadata(std::string_view xml);

}  // namespace orgtwin::services::iam
