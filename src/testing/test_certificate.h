// File: testing/test_certificate.h
//
// A self-signed certificate made in the test (OpenSSL, an EC P-256 key, valid from a minute ago
// for a day), for TLS servers and clients on loopback: its own CA (basicConstraints CA:TRUE), so a
// client trusts it by loading the certificate itself as its CA file.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace orgtwin::test {

// The certificate and its private key, PEM.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// A certificate for `subject_alt_names` (OpenSSL's syntax: "DNS:localhost", "IP:127.0.0.1"),
// with the first name's value as its common name. Aborts the test binary if OpenSSL fails.
TestCertificate MakeCertificate(const std::vector<std::string>& subject_alt_names = {
                                    "DNS:localhost"});

}  // namespace orgtwin::test
