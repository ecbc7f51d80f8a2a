// File: services/sns/message_signing.h
//
// How SNS signs what it POSTs to http(s) endpoints and mails as email-json: the JSON envelope
// (Type, MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature,
// SigningCertURL, and UnsubscribeURL or Token + SubscribeURL), signed over SNS's canonical
// string -- "Name\nvalue\n" for the envelope's fields in AWS's order -- with RSA: SHA1withRSA for
// SignatureVersion 1, SHA256withRSA for 2. The key is an RSA key and a self-signed X.509
// certificate made with OpenSSL at first use and kept in server_settings, so receivers verify
// against the certificate the twin serves at SigningCertURL across restarts.
//
// Thread-safety: free functions; EnsureSigningKey may race another caller and keeps the first.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace orgtwin::services::sns {

struct SigningKey {
  std::string key_pem;   // PKCS#8 RSA private key
  std::string cert_pem;  // self-signed X.509 certificate of its public key
};

// The stored signing key, made and stored (in a write transaction of its own) at first use.
Result<SigningKey> EnsureSigningKey(store::Store& store);
// A fresh RSA-2048 key and its self-signed certificate (valid ten years).
Result<SigningKey> MakeSigningKey();

// One message as SNS sends it over HTTP(S) or as email-json.
struct Envelope {
  std::string type;  // "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation"
  std::string message_id;
  std::string topic_arn;
  std::string subject;  // notifications; "" = none
  std::string message;
  std::string timestamp;  // ISO 8601 with milliseconds
  std::string token;      // confirmations
  std::string subscribe_url;
  std::string unsubscribe_url;  // notifications
  std::string signature_version = "1";
  std::string signing_cert_url;
};

// SNS's string to sign for `envelope` (the fields of its type, sorted as AWS lists them).
std::string StringToSign(const Envelope& envelope);
// Base64 of the RSA signature of `text` (SHA1 for version "1", SHA256 for "2").
Result<std::string> Sign(const SigningKey& key, std::string_view text,
                         std::string_view signature_version);
// The JSON body: the envelope's fields with Signature set to `signature`.
boost::json::object EnvelopeJson(const Envelope& envelope, std::string_view signature);

}  // namespace orgtwin::services::sns
