#include "services/sns/message_signing.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "common/base64.h"
#include "repo/sns_repository.h"

namespace orgtwin::services::sns {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Result<SigningKey> MakeSigningKey() {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_RSA_gen(2048));
  if (key == nullptr) return InternalError("sns: cannot generate the signing key");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (cert == nullptr) return InternalError("sns: cannot allocate the signing certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  // AWS-COMPAT: AWS's certificate names sns.amazonaws.com and is issued by a public CA; the
  // twin's is self-signed under the same common name (receivers verify with the served copy).
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sns.amazonaws.com"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return InternalError("sns: cannot sign the signing certificate");
  }
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new(BIO_s_mem()));
  if (key_bio == nullptr || cert_bio == nullptr ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return InternalError("sns: cannot encode the signing key");
  }
  return SigningKey{BioText(key_bio.get()), BioText(cert_bio.get())};
}

Result<SigningKey> EnsureSigningKey(store::Store& store) {
  {
    OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(auto stored, repo::FindSnsSigningKey(*tx));
    if (stored.has_value()) return SigningKey{stored->first, stored->second};
  }
  OT_ASSIGN_OR_RETURN(SigningKey made, MakeSigningKey());
  OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kWrite));
  OT_RETURN_IF_ERROR(repo::PutSnsSigningKey(*tx, made.key_pem, made.cert_pem));
  // Another writer may have stored its key first: the stored one is the key.
  OT_ASSIGN_OR_RETURN(auto stored, repo::FindSnsSigningKey(*tx));
  OT_RETURN_IF_ERROR(tx->Commit());
  if (!stored.has_value()) return InternalError("sns: the signing key was not stored");
  return SigningKey{stored->first, stored->second};
}

std::string StringToSign(const Envelope& e) {
  // AWS-COMPAT: the fields and their order SNS documents for verifying a message signature.
  std::vector<std::pair<std::string_view, const std::string*>> fields;
  if (e.type == "Notification") {
    fields = {{"Message", &e.message},     {"MessageId", &e.message_id}, {"Subject", &e.subject},
              {"Timestamp", &e.timestamp}, {"TopicArn", &e.topic_arn},   {"Type", &e.type}};
  } else {
    fields = {{"Message", &e.message},
              {"MessageId", &e.message_id},
              {"SubscribeURL", &e.subscribe_url},
              {"Timestamp", &e.timestamp},
              {"Token", &e.token},
              {"TopicArn", &e.topic_arn},
              {"Type", &e.type}};
  }
  std::string out;
  for (const auto& [name, value] : fields) {
    // A notification without a subject leaves Subject out of the string.
    if (name == "Subject" && value->empty()) continue;
    out.append(name).append("\n").append(*value).append("\n");
  }
  return out;
}

Result<std::string> Sign(const SigningKey& key, std::string_view text,
                         std::string_view signature_version) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(key.key_pem.data(), static_cast<int>(key.key_pem.size())));
  if (bio == nullptr) return InternalError("sns: cannot read the signing key");
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) return InternalError("sns: the stored signing key does not parse");
  const EVP_MD* md = signature_version == "2" ? EVP_sha256() : EVP_sha1();
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t size = 0;
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1) {
    return InternalError("sns: cannot sign");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
    return InternalError("sns: cannot sign");
  }
  signature.resize(size);
  return Base64Encode(signature);
}

boost::json::object EnvelopeJson(const Envelope& e, std::string_view signature) {
  boost::json::object out;
  out["Type"] = e.type;
  out["MessageId"] = e.message_id;
  if (e.type != "Notification") out["Token"] = e.token;
  out["TopicArn"] = e.topic_arn;
  if (e.type == "Notification" && !e.subject.empty()) out["Subject"] = e.subject;
  out["Message"] = e.message;
  if (e.type != "Notification") out["SubscribeURL"] = e.subscribe_url;
  out["Timestamp"] = e.timestamp;
  out["SignatureVersion"] = e.signature_version;
  out["Signature"] = signature;
  out["SigningCertURL"] = e.signing_cert_url;
  if (e.type == "Notification") out["UnsubscribeURL"] = e.unsubscribe_url;
  return out;
}

}  // namespace orgtwin::services::sns
