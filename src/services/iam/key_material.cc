#include "services/iam/key_material.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <time.h>

#include "common/base64.h"
#include "common/clock.h"

namespace orgtwin::services::iam {
namespace {

// Owners of OpenSSL and libxml2 objects (each freed by its own function).
struct KmBioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KmX509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KmPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct KmBnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct KmXmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using KmBioPtr = std::unique_ptr<BIO, KmBioFree>;
using KmX509Ptr = std::unique_ptr<X509, KmX509Free>;
using KmPkeyPtr = std::unique_ptr<EVP_PKEY, KmPkeyFree>;
using KmBnPtr = std::unique_ptr<BIGNUM, KmBnFree>;
using KmXmlDocPtr = std::unique_ptr<xmlDoc, KmXmlDocFree>;

KmBioPtr KmMemoryBio(std::string_view text) {
  return KmBioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

double AsnTimeToEpoch(const ASN1_TIME* t) {
  struct tm parts {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &parts) != 1) return 0;
  return static_cast<double>(timegm(&parts));
}

std::optional<CertificateFacts> CertificateFactsOf(X509* cert) {
  if (cert == nullptr) return std::nullopt;
  CertificateFacts facts;
  int size = i2d_X509(cert, nullptr);
  if (size <= 0) return std::nullopt;
  facts.der.resize(static_cast<size_t>(size));
  auto* out = reinterpret_cast<unsigned char*>(facts.der.data());
  i2d_X509(cert, &out);
  facts.not_before = AsnTimeToEpoch(X509_get0_notBefore(cert));
  facts.not_after = AsnTimeToEpoch(X509_get0_notAfter(cert));
  return facts;
}

KmX509Ptr ReadCertificate(BIO* bio) {
  return KmX509Ptr(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
}

// Each certificate of a PEM text, in order; false when a PEM block is not a certificate or
// there is none.
bool ReadCertificates(std::string_view pem, std::vector<KmX509Ptr>* out) {
  KmBioPtr bio = KmMemoryBio(pem);
  if (!bio) return false;
  while (true) {
    KmX509Ptr cert = ReadCertificate(bio.get());
    if (!cert) break;
    out->push_back(std::move(cert));
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a broken block; only the
  // first is fine.
  unsigned long err = ERR_peek_last_error();
  bool clean_end = ERR_GET_REASON(err) == PEM_R_NO_START_LINE || err == 0;
  ERR_clear_error();
  return clean_end && !out->empty();
}

KmPkeyPtr ReadPrivateKey(std::string_view key_pem) {
  KmBioPtr bio = KmMemoryBio(key_pem);
  if (!bio) return nullptr;
  // No passphrase callback: an encrypted key is refused, as IAM refuses one.
  KmPkeyPtr key(PEM_read_bio_PrivateKey(
      bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  return key;
}

// ---- SSH wire format (RFC 4253 section 6.6) ----

bool ReadU32(std::string_view* in, uint32_t* out) {
  if (in->size() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in->data());
  *out = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  in->remove_prefix(4);
  return true;
}

bool ReadSshString(std::string_view* in, std::string_view* out) {
  uint32_t size = 0;
  if (!ReadU32(in, &size) || in->size() < size) return false;
  *out = in->substr(0, size);
  in->remove_prefix(size);
  return true;
}

void AppendSshString(std::string* out, std::string_view bytes) {
  const auto size = static_cast<uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((size >> shift) & 0xFF));
  }
  out->append(bytes);
}

// An mpint: big-endian, with a leading zero byte when the top bit is set (positive numbers).
std::string MpintBytes(const BIGNUM* bn) {
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  if (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80) != 0)
    bytes.insert(0, 1, '\0');
  return bytes;
}

KmPkeyPtr RsaFromComponents(const BIGNUM* n, const BIGNUM* e) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        OSSL_PARAM_BLD_free);
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return KmPkeyPtr(key);
}

// "ssh-rsa <base64>": the key, or nullptr when the blob is broken.
KmPkeyPtr ParseSshRsa(std::string_view base64) {
  std::string blob;
  if (!Base64Decode(base64, &blob)) return nullptr;
  std::string_view in = blob;
  std::string_view type;
  std::string_view e;
  std::string_view n;
  if (!ReadSshString(&in, &type) || type != "ssh-rsa" || !ReadSshString(&in, &e) ||
      !ReadSshString(&in, &n) || !in.empty()) {
    return nullptr;
  }
  KmBnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                         static_cast<int>(e.size()), nullptr));
  KmBnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                         static_cast<int>(n.size()), nullptr));
  if (!bn_e || !bn_n || BN_is_zero(bn_n.get())) return nullptr;
  return RsaFromComponents(bn_n.get(), bn_e.get());
}

// A PEM public key: SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY").
KmPkeyPtr ParsePemPublicKey(std::string_view pem) {
  KmBioPtr bio = KmMemoryBio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &size) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  const unsigned char* p = data;
  EVP_PKEY* key = nullptr;
  if (std::strcmp(name, "PUBLIC KEY") == 0) {
    key = d2i_PUBKEY(nullptr, &p, size);
  } else if (std::strcmp(name, "RSA PUBLIC KEY") == 0) {
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, size);
  }
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  ERR_clear_error();
  return KmPkeyPtr(key);
}

std::string TrimSpace(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])) != 0) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])) != 0) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string Md5Colons(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

// ---- SAML metadata ----

constexpr char kMetadataNs[] = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr char kDsigNs[] = "http://www.w3.org/2000/09/xmldsig#";

bool IsMetadataElement(const xmlNode* node, const char* ns, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrcmp(node->ns->href, reinterpret_cast<const xmlChar*>(ns)) == 0 &&
         xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

std::vector<const xmlNode*> ChildElements(const xmlNode* parent, const char* ns, const char* name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsMetadataElement(c, ns, name)) out.push_back(c);
  }
  return out;
}

std::optional<std::string> ElementAttribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

std::string ElementText(const xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

}  // namespace

std::optional<CertificateFacts> ParseCertificatePem(std::string_view pem) {
  KmBioPtr bio = KmMemoryBio(pem);
  if (!bio) return std::nullopt;
  KmX509Ptr cert = ReadCertificate(bio.get());
  ERR_clear_error();
  return CertificateFactsOf(cert.get());
}

std::optional<CertificateFacts> ParseCertificateDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  KmX509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  return CertificateFactsOf(cert.get());
}

bool IsPrivateKeyPem(std::string_view key_pem) { return ReadPrivateKey(key_pem) != nullptr; }

KeyMatch PrivateKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem) {
  KmPkeyPtr key = ReadPrivateKey(key_pem);
  if (!key) return KeyMatch::kMalformedKey;
  KmBioPtr bio = KmMemoryBio(cert_pem);
  KmX509Ptr cert = bio ? ReadCertificate(bio.get()) : nullptr;
  const bool matches = cert && X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  return matches ? KeyMatch::kMatches : KeyMatch::kMismatch;
}

std::optional<int> BrokenChainIndex(std::string_view cert_pem, std::string_view chain_pem) {
  std::vector<KmX509Ptr> chain;
  if (!ReadCertificates(chain_pem, &chain)) return -1;
  KmBioPtr bio = KmMemoryBio(cert_pem);
  KmX509Ptr leaf = bio ? ReadCertificate(bio.get()) : nullptr;
  ERR_clear_error();
  if (!leaf) return -1;
  X509* subject = leaf.get();
  for (size_t i = 0; i < chain.size(); ++i) {
    // The issuer's name and key must both fit: a signature that verifies under the key of a
    // certificate of another name is not a chain.
    EVP_PKEY* issuer_key = X509_get0_pubkey(chain[i].get());
    if (X509_NAME_cmp(X509_get_issuer_name(subject), X509_get_subject_name(chain[i].get())) != 0 ||
        issuer_key == nullptr || X509_verify(subject, issuer_key) != 1) {
      ERR_clear_error();
      return static_cast<int>(i);
    }
    subject = chain[i].get();
  }
  return std::nullopt;
}

SshPublicKeyFacts ParseSshPublicKey(std::string_view body) {
  SshPublicKeyFacts facts;
  std::string text = TrimSpace(body);
  KmPkeyPtr key;
  if (text.starts_with("ssh-rsa ")) {
    std::string rest = TrimSpace(std::string_view(text).substr(8));
    // "<base64> [comment]"
    size_t space = rest.find_first_of(" \t\r\n");
    key = ParseSshRsa(rest.substr(0, space));
    if (!key) {
      facts.problem = SshKeyProblem::kInvalid;
      return facts;
    }
  } else if (text.starts_with("-----BEGIN ")) {
    key = ParsePemPublicKey(text);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
      facts.problem = SshKeyProblem::kInvalid;
      return facts;
    }
  } else {
    facts.problem = SshKeyProblem::kUnrecognizedEncoding;
    return facts;
  }
  if (EVP_PKEY_get_bits(key.get()) < 2048) {
    facts.problem = SshKeyProblem::kTooShort;
    return facts;
  }
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    BN_free(e);
    ERR_clear_error();
    facts.problem = SshKeyProblem::kInvalid;
    return facts;
  }
  KmBnPtr owned_n(n);
  KmBnPtr owned_e(e);
  std::string blob;
  AppendSshString(&blob, "ssh-rsa");
  AppendSshString(&blob, MpintBytes(e));
  AppendSshString(&blob, MpintBytes(n));
  facts.ssh = "ssh-rsa " + Base64Encode(blob);

  int der_size = i2d_PUBKEY(key.get(), nullptr);
  std::string der(static_cast<size_t>(std::max(der_size, 0)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(key.get(), &out);
  facts.fingerprint = Md5Colons(der);

  KmBioPtr pem(BIO_new(BIO_s_mem()));
  if (pem && PEM_write_bio_PUBKEY(pem.get(), key.get()) == 1) {
    char* data = nullptr;
    long size = BIO_get_mem_data(pem.get(), &data);
    facts.pem.assign(data, static_cast<size_t>(size));
  }
  ERR_clear_error();
  return facts;
}

SamlMetadataFacts ParseSamlMetadata(std::string_view xml) {
  // libxml2 wants its global state set up once before threads parse; a function-local static
  // runs it exactly once, whichever request thread comes first.
  static const bool kParserReady = (xmlInitParser(), true);
  (void)kParserReady;
  SamlMetadataFacts facts;
  // NONET: no fetches; without NOENT, entities are not substituted (no XXE); no DTD loading.
  KmXmlDocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "metadata.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return facts;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  const xmlNode* entity = nullptr;
  if (IsMetadataElement(root, kMetadataNs, "EntityDescriptor")) {
    entity = root;
  } else if (IsMetadataElement(root, kMetadataNs, "EntitiesDescriptor")) {
    std::vector<const xmlNode*> entities = ChildElements(root, kMetadataNs, "EntityDescriptor");
    if (entities.size() == 1) entity = entities.front();
  }
  if (entity == nullptr) return facts;
  std::vector<const xmlNode*> idps = ChildElements(entity, kMetadataNs, "IDPSSODescriptor");
  if (idps.size() != 1) return facts;
  facts.entity_id = ElementAttribute(entity, "entityID").value_or("");
  if (facts.entity_id.empty()) return facts;
  std::optional<std::string> valid_until = ElementAttribute(entity, "validUntil");
  if (!valid_until) valid_until = ElementAttribute(idps.front(), "validUntil");
  if (valid_until) {
    TimePoint t;
    if (!ParseTimestamp(TrimSpace(*valid_until), &t)) return facts;
    facts.valid_until = ToEpochSeconds(t);
  }
  for (const xmlNode* descriptor : ChildElements(idps.front(), kMetadataNs, "KeyDescriptor")) {
    // A KeyDescriptor without `use` serves both signing and encryption.
    std::string use = ElementAttribute(descriptor, "use").value_or("signing");
    if (use != "signing") continue;
    for (const xmlNode* info : ChildElements(descriptor, kDsigNs, "KeyInfo")) {
      for (const xmlNode* data : ChildElements(info, kDsigNs, "X509Data")) {
        for (const xmlNode* cert : ChildElements(data, kDsigNs, "X509Certificate")) {
          std::string base64;
          for (char c : ElementText(cert)) {
            if (std::isspace(static_cast<unsigned char>(c)) == 0) base64.push_back(c);
          }
          std::string der;
          if (!Base64Decode(base64, &der) || !ParseCertificateDer(der)) return facts;
          facts.signing_certificates.push_back(std::move(der));
        }
      }
    }
  }
  if (facts.signing_certificates.empty()) return facts;
  facts.valid = true;
  return facts;
}

}  // namespace orgtwin::services::iam
