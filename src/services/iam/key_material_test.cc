// Unit tests of key_material.h: certificates, private keys and chains, SSH public keys and
// their fingerprints, SAML metadata. The vectors were made with the openssl and ssh-keygen
// command-line tools (not with the code under test); the fingerprint is
// `openssl pkey -pubin -outform DER | openssl md5 -c` of the key.
#include "services/iam/key_material.h"

#include <string>

#include <gtest/gtest.h>

#include "testing/test_certificate.h"

namespace orgtwin::services::iam {
namespace {

// A CA (EC P-256), a leaf it signed, the leaf's key, and an unrelated self-signed certificate.
constexpr char kCaPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBfDCCASGgAwIBAgIUDxIcLxeTpmFFyy6uX0g3jQK0JrQwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHVGVzdCBDQTAgFw0yNjEyMDUxMzQ2MDNaGA8yMTI2MTExMTEz
NDYwM1owEjEQMA4GA1UEAwwHVGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABLGJgvO1RTZxv3bULmHCDnhzRH/IFLZnVuIQFHcFZctvMq6QjSEfQru8qd+I
YQb9FIENP1qoURaVpw93vQpz/WijUzBRMB0GA1UdDgQWBBQBgax3BlYi/bGDNlmU
a6Se/V6wiTAfBgNVHSMEGDAWgBQBgax3BlYi/bGDNlmUa6Se/V6wiTAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCirAQy3f3KqRaWrrEAtQJgsJz9
OK3Ns7LeXy7tDZKVXgIhANHMGSq+/xh5w3rylk1Ffo8VanAK8CkkhK6a5dcPUScc
-----END CERTIFICATE-----
)";
constexpr char kLeafPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBJDCBzAIUMGzNlpuRmGwSiL6YP1lOT2WViVowCgYIKoZIzj0EAwIwEjEQMA4G
A1UEAwwHVGVzdCBDQTAgFw0yNjEyMDUxMzQ2MDNaGA8yMTI2MTExMTEzNDYwM1ow
FzEVMBMGA1UEAwwMbGVhZi5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAErVGiYf2rmAiOSQxtCs+drJarIjmnyBgj0RMpG1yYEICR6c8vvFshRWFU9wgy
8BVaPBYX4NKNoFHgG5LiH4//4TAKBggqhkjOPQQDAgNHADBEAiATNe42VwntqsZt
AnYXgO3y2H4+jXaSVbsFHWp4rkezogIgQMF5P5WK0/0ZnAIvU39d/Th9OD5Yp6NS
Vz8xvDJqX0c=
-----END CERTIFICATE-----
)";
constexpr char kLeafKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgF4XQaO5WNm47MJA2
dd3075OlePTnPHSCAXZZjq9Lg9qhRANCAAStUaJh/auYCI5JDG0Kz52slqsiOafI
GCPREykbXJgQgJHpzy+8WyFFYVT3CDLwFVo8Fhfg0o2gUeAbkuIfj//h
-----END PRIVATE KEY-----
)";
constexpr char kOtherPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBdjCCAR2gAwIBAgIUIfUq7XxuX/X6CNRj2tnEem6Gbi0wCgYIKoZIzj0EAwIw
EDEOMAwGA1UEAwwFT3RoZXIwIBcNMjYxMjA1MTM0NjAzWhgPMjEyNjExMTExMzQ2
MDNaMBAxDjAMBgNVBAMMBU90aGVyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
09l8KRyQXDF3dnzmBYenuhSrwidV6n4EcLcdrx3bgxVDjoB/gf6lWsBhjS5iHTbg
jjnA5L5Hyq1G2pxlZiQEmKNTMFEwHQYDVR0OBBYEFFJFP6cEo0Dghv6eS4m4S4nG
oT5zMB8GA1UdIwQYMBaAFFJFP6cEo0Dghv6eS4m4S4nGoT5zMA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgBE5wWGdWURp106dQmGNkeB29cx/i0Vxi
7cSOCIkGOxECIE7mfohAK2LbwtEd9+maIfI04BuzW77ZZm7NEr4NDLdM
-----END CERTIFICATE-----
)";
// The leaf's notAfter (2126-11-11T13:46:03Z), as epoch seconds.
constexpr double kLeafNotAfter = 4950078363;

// A 2048-bit RSA key: OpenSSH form, SubjectPublicKeyInfo PEM, PKCS#1 PEM, its MD5 fingerprint.
constexpr char kSshRsa[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQCXabkIOioQvm21DXpWR08jniZe87dI8W9omqrnP5ytIQpakkZubkah7p7E+"
    "2AYsvLTmkN4/48a9UNRsEOniQMX//z8p1iBwHZEcfkiJjbPP6C/h+YHfooKAy9M+0bhYM3c/"
    "rlWp+cSRAxWhg1xIMqESxRP9+rdvS2gk21ISIPwx/PToZliDUCiq7CYZO2Eifn9RawSrJKMVa0WT1O7iJJZ5M8/"
    "wcrtS7C9Bpq4RFM9sDDcY0chWbXa4L5qM37gMdz84ZbCRVsppSLjEYyS9qOP3TrbFRPGWk/"
    "GRu7k8H4T1XmhTbHTtf4MJCxNwzrT1pz/vyVwtxEZRdVLQCgk87lJ test@example";
constexpr char kSpkiPem[] = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAl2m5CDoqEL5ttQ16VkdP
I54mXvO3SPFvaJqq5z+crSEKWpJGbm5Goe6exPtgGLLy05pDeP+PGvVDUbBDp4kD
F//8/KdYgcB2RHH5IiY2zz+gv4fmB36KCgMvTPtG4WDN3P65VqfnEkQMVoYNcSDK
hEsUT/fq3b0toJNtSEiD8Mfz06GZYg1AoquwmGTthIn5/UWsEqySjFWtFk9Tu4iS
WeTPP8HK7UuwvQaauERTPbAw3GNHIVm12uC+ajN+4DHc/OGWwkVbKaUi4xGMkvaj
j9062xUTxlpPxkbu5PB+E9V5oU2x07X+DCQsTcM609ac/78lcLcRGUXVS0AoJPO5
SQIDAQAB
-----END PUBLIC KEY-----
)";
constexpr char kPkcs1Pem[] = R"(-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAl2m5CDoqEL5ttQ16VkdPI54mXvO3SPFvaJqq5z+crSEKWpJGbm5G
oe6exPtgGLLy05pDeP+PGvVDUbBDp4kDF//8/KdYgcB2RHH5IiY2zz+gv4fmB36K
CgMvTPtG4WDN3P65VqfnEkQMVoYNcSDKhEsUT/fq3b0toJNtSEiD8Mfz06GZYg1A
oquwmGTthIn5/UWsEqySjFWtFk9Tu4iSWeTPP8HK7UuwvQaauERTPbAw3GNHIVm1
2uC+ajN+4DHc/OGWwkVbKaUi4xGMkvajj9062xUTxlpPxkbu5PB+E9V5oU2x07X+
DCQsTcM609ac/78lcLcRGUXVS0AoJPO5SQIDAQAB
-----END RSA PUBLIC KEY-----
)";
constexpr char kFingerprint[] = "ea:6c:d9:0c:19:15:5d:14:71:77:95:17:3d:ec:4e:7e";
constexpr char kShortRsa[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQCipD1GmTyrkXQIaHt+WrMYirAuak+Eq88a7CZ3gE29/So2G/"
    "83S2DOvhVuuHKs5v/VUMX2G5ZxJv17EQa/EWbIpFvR7YkCJl++kUvFO1B3STRY5vW3BotebeHoO/"
    "dFbJjbDHDGqsCV2DxFmkNJOos5kWDm1ETBn8pCn3pmK1mS6w== root@vm";
constexpr char kEd25519[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtLYE/XQMCXFVdlPljq+jKvf8stnU4i2NrS01xsfvE0 root@vm";

TEST(CertificateTest, ParsesPemAndReadsTheValidity) {
  auto leaf = ParseCertificatePem(kLeafPem);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_EQ(leaf->not_after, kLeafNotAfter);
  EXPECT_LT(leaf->not_before, leaf->not_after);
  auto again = ParseCertificateDer(leaf->der);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->der, leaf->der);
  EXPECT_FALSE(ParseCertificatePem("not a certificate").has_value());
  EXPECT_FALSE(ParseCertificatePem(kLeafKey).has_value());
  EXPECT_FALSE(ParseCertificateDer("\x30\x03\x02\x01\x01").has_value());
}

TEST(CertificateTest, MatchesThePrivateKey) {
  EXPECT_EQ(PrivateKeyMatchesCertificate(kLeafPem, kLeafKey), KeyMatch::kMatches);
  EXPECT_EQ(PrivateKeyMatchesCertificate(kOtherPem, kLeafKey), KeyMatch::kMismatch);
  EXPECT_EQ(PrivateKeyMatchesCertificate(kLeafPem,
                                         "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                         "-----END PRIVATE KEY-----\n"),
            KeyMatch::kMalformedKey);
  test::TestCertificate generated = test::MakeCertificate();
  EXPECT_EQ(PrivateKeyMatchesCertificate(generated.cert_pem, generated.key_pem),
            KeyMatch::kMatches);
  EXPECT_TRUE(IsPrivateKeyPem(kLeafKey));
  EXPECT_FALSE(IsPrivateKeyPem(kLeafPem));
}

TEST(CertificateTest, ChecksTheChainOrder) {
  EXPECT_EQ(BrokenChainIndex(kLeafPem, kCaPem), std::nullopt);
  // The CA is self-signed: it may close the chain again.
  EXPECT_EQ(BrokenChainIndex(kLeafPem, std::string(kCaPem) + kCaPem), std::nullopt);
  EXPECT_EQ(BrokenChainIndex(kLeafPem, kOtherPem), 0);
  EXPECT_EQ(BrokenChainIndex(kLeafPem, std::string(kCaPem) + kOtherPem), 1);
  EXPECT_EQ(BrokenChainIndex(kLeafPem, "garbage"), -1);
}

TEST(SshPublicKeyTest, ReadsOpenSshAndPemFormsAlike) {
  for (const char* body : {kSshRsa, kSpkiPem, kPkcs1Pem}) {
    SshPublicKeyFacts key = ParseSshPublicKey(body);
    ASSERT_EQ(key.problem, SshKeyProblem::kNone) << body;
    EXPECT_EQ(key.fingerprint, kFingerprint);
    // The OpenSSH form without its comment, and the SubjectPublicKeyInfo PEM.
    EXPECT_EQ(key.ssh + " test@example", kSshRsa);
    EXPECT_EQ(key.pem, kSpkiPem);
  }
}

TEST(SshPublicKeyTest, RefusesOtherKeys) {
  EXPECT_EQ(ParseSshPublicKey(kShortRsa).problem, SshKeyProblem::kTooShort);
  EXPECT_EQ(ParseSshPublicKey(kEd25519).problem, SshKeyProblem::kUnrecognizedEncoding);
  EXPECT_EQ(ParseSshPublicKey("hello").problem, SshKeyProblem::kUnrecognizedEncoding);
  EXPECT_EQ(ParseSshPublicKey("ssh-rsa !!!!").problem, SshKeyProblem::kInvalid);
  EXPECT_EQ(ParseSshPublicKey("ssh-rsa AAAAB3NzaC1yc2E=").problem, SshKeyProblem::kInvalid);
  // An EC key in PEM is a PEM public key, but not RSA.
  EXPECT_EQ(ParseSshPublicKey(kLeafPem).problem, SshKeyProblem::kInvalid);
}

std::string Metadata(const std::string& attributes, const std::string& key_descriptors) {
  return R"(<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml" )" +
         attributes + R"(>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">)" +
         key_descriptors + R"(
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>)";
}

std::string KeyDescriptor(const std::string& use, const std::string& base64) {
  return "<md:KeyDescriptor" + use + "><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + base64 +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
}

constexpr char kLeafBase64[] = R"(MIIBJDCBzAIUMGzNlpuRmGwSiL6YP1lOT2WViVowCgYIKoZIzj0EAwIwEjEQMA4G
A1UEAwwHVGVzdCBDQTAgFw0yNjEyMDUxMzQ2MDNaGA8yMTI2MTExMTEzNDYwM1ow
FzEVMBMGA1UEAwwMbGVhZi5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAErVGiYf2rmAiOSQxtCs+drJarIjmnyBgj0RMpG1yYEICR6c8vvFshRWFU9wgy
8BVaPBYX4NKNoFHgG5LiH4//4TAKBggqhkjOPQQDAgNHADBEAiATNe42VwntqsZt
AnYXgO3y2H4+jXaSVbsFHWp4rkezogIgQMF5P5WK0/0ZnAIvU39d/Th9OD5Yp6NS
Vz8xvDJqX0c=)";

TEST(SamlMetadataTest, KeepsTheSigningCertificates) {
  SamlMetadataFacts facts = ParseSamlMetadata(Metadata(
      R"(validUntil="2030-01-02T03:04:05Z")",
      KeyDescriptor(R"( use="signing")", kLeafBase64) +
          KeyDescriptor(R"( use="encryption")", kLeafBase64) + KeyDescriptor("", kLeafBase64)));
  ASSERT_TRUE(facts.valid);
  EXPECT_EQ(facts.entity_id, "https://idp.example.com/saml");
  ASSERT_TRUE(facts.valid_until.has_value());
  EXPECT_EQ(*facts.valid_until, 1893553445.0);
  ASSERT_EQ(facts.signing_certificates.size(), 2u);
  EXPECT_EQ(facts.signing_certificates[0], ParseCertificatePem(kLeafPem)->der);
}

TEST(SamlMetadataTest, RefusesWhatIsNotIdpMetadata) {
  const std::string signing = KeyDescriptor(R"( use="signing")", kLeafBase64);
  EXPECT_TRUE(ParseSamlMetadata(Metadata("", signing)).valid);
  EXPECT_FALSE(ParseSamlMetadata(Metadata("", signing).substr(0, 200)).valid);  // cut short
  EXPECT_FALSE(ParseSamlMetadata("<html><body>login</body></html>").valid);
  EXPECT_FALSE(ParseSamlMetadata(Metadata("", "")).valid);  // no signing certificate
  EXPECT_FALSE(ParseSamlMetadata(Metadata("", KeyDescriptor("", "bm90IGEgY2VydA=="))).valid);
  EXPECT_FALSE(ParseSamlMetadata(Metadata(R"(validUntil="soon")", signing)).valid);
  // No external entity is read.
  EXPECT_FALSE(ParseSamlMetadata(R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM
      "file:///etc/passwd">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
      entityID="&e;"/>)")
                   .valid);
}

}  // namespace
}  // namespace orgtwin::services::iam
