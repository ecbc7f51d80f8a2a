// AssumeRoleWithSAML and AssumeRoleWithWebIdentity through the real Gateway with a FakeClock:
// SAML responses signed here with xmlsec (RSA-SHA256, exclusive c14n) and JWTs signed with
// OpenSSL (RS256, ES256), keys and certificates made at test time. Covers the verifiers on their
// own (valid, tampered, wrong key, expired, wrong audience) and the handlers' claim and trust
// checks (the Role attribute's pair, saml:aud and the OIDC :aud/:sub conditions).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include "common/base64.h"
#include "services/sts/saml_response.h"
#include "services/sts/web_identity_token.h"
#include "testing/test_twin.h"

namespace orgtwin::services::sts {
namespace {

using test::Keys;

constexpr char kProviderArn[] = "arn:aws:iam::123456789012:saml-provider/Corp";
constexpr char kSamlRoleArn[] = "arn:aws:iam::123456789012:role/SamlAdmins";
constexpr char kIdpEntity[] = "https://idp.example.com/saml";
constexpr char kIssuer[] = "https://oidc.example.com/tenant";
constexpr char kOidcRoleArn[] = "arn:aws:iam::123456789012:role/CiDeploy";

std::string Tag(const std::string& xml, const std::string& tag) {
  auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos) return "";
  open += tag.size() + 2;
  return xml.substr(open, xml.find("</" + tag + ">", open) - open);
}

std::string Base64Url(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

struct KeyPair {
  std::shared_ptr<EVP_PKEY> key;
  std::string key_pem;
  std::string cert_der;  // self-signed, RSA keys only
};

KeyPair RsaKey() {
  KeyPair out;
  out.key.reset(EVP_RSA_gen(2048), EVP_PKEY_free);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, out.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  out.key_pem.assign(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600L * 24 * 365 * 5);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365 * 5);
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("idp.example.com"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, out.key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  int length = i2d_X509(cert, &der);
  out.cert_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

KeyPair EcKey() {
  KeyPair out;
  out.key.reset(EVP_EC_gen("P-256"), EVP_PKEY_free);
  return out;
}

std::string BigNumParam(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

boost::json::object Jwk(const KeyPair& pair, const std::string& kid) {
  if (EVP_PKEY_get_base_id(pair.key.get()) == EVP_PKEY_RSA) {
    return {{"kty", "RSA"},
            {"kid", kid},
            {"use", "sig"},
            {"n", Base64Url(BigNumParam(pair.key.get(), OSSL_PKEY_PARAM_RSA_N, 0))},
            {"e", Base64Url(BigNumParam(pair.key.get(), OSSL_PKEY_PARAM_RSA_E, 0))}};
  }
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", Base64Url(BigNumParam(pair.key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", Base64Url(BigNumParam(pair.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

// A compact JWS of `claims` signed with `pair` (RS256 for RSA, ES256 for EC).
std::string SignJwt(const KeyPair& pair, const std::string& kid,
                    const boost::json::object& claims) {
  const bool rsa = EVP_PKEY_get_base_id(pair.key.get()) == EVP_PKEY_RSA;
  boost::json::object header{{"alg", rsa ? "RS256" : "ES256"}, {"typ", "JWT"}, {"kid", kid}};
  const std::string input =
      Base64Url(boost::json::serialize(header)) + "." + Base64Url(boost::json::serialize(claims));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pair.key.get());
  size_t length = 0;
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (!rsa) {
    const unsigned char* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    signature = raw;
  }
  return input + "." + Base64Url(signature);
}

// ---------------------------------------------------------------- SAML documents

std::string SignatureTemplate(const std::string& id) {
  return "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
         "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
         "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"
         "<ds:Reference URI=\"#" +
         id +
         "\"><ds:Transforms>"
         "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
         "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
         "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
         "<ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo>"
         "<ds:SignatureValue></ds:SignatureValue></ds:Signature>";
}

struct SamlSpec {
  std::string role_pair = std::string(kSamlRoleArn) + "," + kProviderArn;
  std::string session_name = "alice@example.com";
  std::string audience = "urn:amazon:webservices";
  std::string recipient = "https://signin.aws.amazon.com/saml";
  std::string issuer = kIdpEntity;
  std::string not_on_or_after = "2026-11-27T23:30:00Z";  // the test epoch is 23:07:44
  bool sign_response = true;                             // else the Assertion
  std::string extra_attributes;                          // more saml:Attribute elements
};

std::string SamlXml(const SamlSpec& spec) {
  const std::string a = "urn:oasis:names:tc:SAML:2.0:assertion";
  std::string xml =
      "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
      "xmlns:saml=\"" +
      a +
      "\" ID=\"_resp1\" Version=\"2.0\" "
      "IssueInstant=\"2026-11-27T23:07:00Z\" Destination=\"" +
      spec.recipient +
      "\">"
      "<saml:Issuer>" +
      spec.issuer + "</saml:Issuer>" + (spec.sign_response ? SignatureTemplate("_resp1") : "") +
      "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>"
      "</samlp:Status>"
      "<saml:Assertion ID=\"_assert1\" Version=\"2.0\" IssueInstant=\"2026-11-27T23:07:00Z\">"
      "<saml:Issuer>" +
      spec.issuer + "</saml:Issuer>" + (spec.sign_response ? "" : SignatureTemplate("_assert1")) +
      "<saml:Subject><saml:NameID "
      "Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\">alice</saml:NameID>"
      "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
      "<saml:SubjectConfirmationData NotOnOrAfter=\"" +
      spec.not_on_or_after + "\" Recipient=\"" + spec.recipient +
      "\"/></saml:SubjectConfirmation></saml:Subject>"
      "<saml:Conditions NotBefore=\"2026-11-27T23:00:00Z\" NotOnOrAfter=\"" +
      spec.not_on_or_after + "\"><saml:AudienceRestriction><saml:Audience>" + spec.audience +
      "</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
      "<saml:AttributeStatement>"
      "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\"><saml:AttributeValue>" +
      spec.role_pair +
      "</saml:AttributeValue></saml:Attribute>"
      "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\">"
      "<saml:AttributeValue>" +
      spec.session_name +
      "</saml:AttributeValue></saml:Attribute>"
      "<saml:Attribute Name=\"urn:oid:1.3.6.1.4.1.5923.1.1.1.1\">"
      "<saml:AttributeValue>staff</saml:AttributeValue>"
      "<saml:AttributeValue>member</saml:AttributeValue></saml:Attribute>" +
      spec.extra_attributes + "</saml:AttributeStatement></saml:Assertion></samlp:Response>";
  return xml;
}

// Signs the template in `xml` with `key_pem` (xmlsec) and returns the document, base64.
std::string SignSaml(const std::string& xml, const std::string& key_pem) {
  EXPECT_TRUE(InitializeXmlSecurity());
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "t.xml", nullptr, 0);
  xmlNode* root = xmlDocGetRootElement(doc);
  for (xmlNode* node : {root, root->last}) {
    xmlAttr* id = xmlHasProp(node, reinterpret_cast<const xmlChar*>("ID"));
    if (id != nullptr) {
      xmlChar* value = xmlNodeListGetString(doc, id->children, 1);
      xmlAddID(nullptr, doc, value, id);
      xmlFree(value);
    }
  }
  xmlNode* signature = xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs);
  xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(nullptr);
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(key_pem.data()),
                                              key_pem.size(), xmlSecKeyDataFormatPem, nullptr,
                                              nullptr, nullptr);
  EXPECT_GE(xmlSecDSigCtxSign(ctx, signature), 0);
  xmlSecDSigCtxDestroy(ctx);
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc, &out, &size);
  std::string signed_xml(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  xmlFree(out);
  xmlFreeDoc(doc);
  return Base64Encode(signed_xml);
}

std::string Metadata(const std::string& cert_der) {
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" +
         std::string(kIdpEntity) +
         "\"><md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         Base64Encode(cert_der) +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
         "Location=\"https://idp.example.com/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
}

// ---------------------------------------------------------------- verifiers alone

class SamlResponseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    idp_key = new KeyPair(RsaKey());
    other_key = new KeyPair(RsaKey());
  }
  static void TearDownTestSuite() {
    delete idp_key;
    delete other_key;
  }
  static KeyPair* idp_key;
  static KeyPair* other_key;
  std::vector<std::string> Certs() const { return {Base64Encode(idp_key->cert_der)}; }
};
KeyPair* SamlResponseTest::idp_key = nullptr;
KeyPair* SamlResponseTest::other_key = nullptr;

TEST_F(SamlResponseTest, SignedResponseVerifiesAndYieldsClaims) {
  Result<SamlAssertion> read = VerifySamlResponse(SignSaml(SamlXml({}), idp_key->key_pem), Certs());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->issuer, kIdpEntity);
  EXPECT_EQ(read->name_id, "alice");
  EXPECT_EQ(read->recipient, "https://signin.aws.amazon.com/saml");
  ASSERT_NE(read->Attribute(kSamlRoleSessionNameAttribute), nullptr);
  EXPECT_EQ(read->Attribute("urn:oid:1.3.6.1.4.1.5923.1.1.1.1")->size(), 2u);
  EXPECT_TRUE(CheckSamlConditions(*read, test::kTestEpoch).ok());
}

TEST_F(SamlResponseTest, SignedAssertionAloneVerifies) {
  SamlSpec spec;
  spec.sign_response = false;
  Result<SamlAssertion> read =
      VerifySamlResponse(SignSaml(SamlXml(spec), idp_key->key_pem), Certs());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->destination, "");  // outside the signed Assertion: not trusted
  EXPECT_EQ(read->recipient, "https://signin.aws.amazon.com/saml");
}

TEST_F(SamlResponseTest, TamperedResponseIsRejected) {
  std::string signed_b64 = SignSaml(SamlXml({}), idp_key->key_pem);
  std::string xml;
  ASSERT_TRUE(Base64Decode(signed_b64, &xml));
  xml.replace(xml.find(">alice<"), 7, ">mallory<");
  Result<SamlAssertion> read = VerifySamlResponse(Base64Encode(xml), Certs());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().aws_code(), "InvalidIdentityToken");
  EXPECT_EQ(read.status().message(), "Response signature invalid");
}

TEST_F(SamlResponseTest, SignatureByAnotherKeyIsRejected) {
  Result<SamlAssertion> read =
      VerifySamlResponse(SignSaml(SamlXml({}), other_key->key_pem), Certs());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "Response signature invalid");
}

TEST_F(SamlResponseTest, UnsignedResponseIsRejected) {
  SamlSpec spec;
  std::string xml = SamlXml(spec);
  xml.erase(xml.find("<ds:Signature"),
            xml.find("</ds:Signature>") + 15 - xml.find("<ds:Signature"));
  Result<SamlAssertion> read = VerifySamlResponse(Base64Encode(xml), Certs());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "Response signature invalid");
}

TEST_F(SamlResponseTest, NotSamlIsInvalid) {
  Result<SamlAssertion> read = VerifySamlResponse(Base64Encode("<x/>"), Certs());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().aws_code(), "InvalidIdentityToken");
}

TEST_F(SamlResponseTest, ConditionsCheckEndpointAudienceAndWindow) {
  SamlAssertion a;
  a.recipient = "https://signin.aws.amazon.com/saml";
  a.audiences = {"urn:amazon:webservices"};
  EXPECT_TRUE(CheckSamlConditions(a, test::kTestEpoch).ok());
  a.recipient = "https://eu-west-1.signin.aws.amazon.com/saml";
  EXPECT_TRUE(CheckSamlConditions(a, test::kTestEpoch).ok());

  SamlAssertion elsewhere = a;
  elsewhere.recipient = "https://sp.example.com/acs";
  EXPECT_EQ(CheckSamlConditions(elsewhere, test::kTestEpoch).aws_code(), "InvalidIdentityToken");

  SamlAssertion wrong_audience = a;
  wrong_audience.audiences = {"https://sp.example.com"};
  Status audience = CheckSamlConditions(wrong_audience, test::kTestEpoch);
  EXPECT_EQ(audience.aws_code(), "InvalidIdentityToken");
  EXPECT_EQ(audience.message(), "Response does not contain the required audience.");

  SamlAssertion expired = a;
  expired.not_on_or_after = test::kTestEpoch;
  EXPECT_EQ(CheckSamlConditions(expired, test::kTestEpoch).aws_code(), "ExpiredTokenException");
  SamlAssertion early = a;
  early.not_before = test::kTestEpoch + std::chrono::minutes(1);
  EXPECT_EQ(CheckSamlConditions(early, test::kTestEpoch).aws_code(), "ExpiredTokenException");
}

TEST(WebIdentityTokenTest, Rs256AndEs256Verify) {
  for (const KeyPair& pair : {RsaKey(), EcKey()}) {
    boost::json::object jwks{{"keys", boost::json::array{Jwk(pair, "k1")}}};
    std::string jwt = SignJwt(pair, "k1", {{"iss", kIssuer}, {"sub", "u"}, {"exp", 1900000000}});
    Result<WebIdentityToken> token = ParseWebIdentityToken(jwt);
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(VerifyWebIdentitySignature(*token, boost::json::serialize(jwks)).ok());
  }
}

TEST(WebIdentityTokenTest, TamperedWrongKeyAndNoneAreRejected) {
  KeyPair pair = RsaKey();
  KeyPair other = RsaKey();
  const std::string jwks =
      boost::json::serialize(boost::json::object{{"keys", boost::json::array{Jwk(pair, "k1")}}});
  std::string jwt = SignJwt(pair, "k1", {{"iss", kIssuer}, {"sub", "u"}, {"exp", 1900000000}});
  // Another payload under the same signature.
  std::string tampered = jwt.substr(0, jwt.find('.') + 1) +
                         Base64Url(R"({"iss":"https://oidc.example.com/tenant","sub":"root"})") +
                         jwt.substr(jwt.rfind('.'));
  EXPECT_EQ(VerifyWebIdentitySignature(*ParseWebIdentityToken(tampered), jwks).aws_code(),
            "InvalidIdentityToken");
  std::string foreign = SignJwt(other, "k1", {{"iss", kIssuer}, {"exp", 1900000000}});
  EXPECT_EQ(VerifyWebIdentitySignature(*ParseWebIdentityToken(foreign), jwks).aws_code(),
            "InvalidIdentityToken");
  std::string unknown_kid = SignJwt(pair, "k9", {{"iss", kIssuer}, {"exp", 1900000000}});
  Status no_key = VerifyWebIdentitySignature(*ParseWebIdentityToken(unknown_kid), jwks);
  EXPECT_NE(no_key.message().find("Couldn't retrieve verification key"), std::string::npos);
  std::string none = Base64Url(R"({"alg":"none"})") + "." + Base64Url(R"({"iss":"x"})") + ".";
  EXPECT_EQ(VerifyWebIdentitySignature(*ParseWebIdentityToken(none), jwks).aws_code(),
            "InvalidIdentityToken");
  EXPECT_EQ(ParseWebIdentityToken("not-a-jwt").status().aws_code(), "InvalidIdentityToken");
}

TEST(WebIdentityTokenTest, ExpiryUsesAwsText) {
  WebIdentityToken token;
  token.claims = {{"exp", 1795820000}};
  Status expired = CheckWebIdentityTimes(token, test::kTestEpoch);
  EXPECT_EQ(expired.aws_code(), "ExpiredTokenException");
  EXPECT_EQ(expired.message(),
            "Token expired: current date/time 1795820864 must be before the expiration "
            "date/time1795820000");
  token.claims = {{"exp", 1795830000}, {"nbf", 1795829000}};
  EXPECT_EQ(CheckWebIdentityTimes(token, test::kTestEpoch).aws_code(), "InvalidIdentityToken");
  token.claims = {{"exp", 1795830000}, {"nbf", 1795820000}, {"iat", 1795820000}};
  EXPECT_TRUE(CheckWebIdentityTimes(token, test::kTestEpoch).ok());
}

// ---------------------------------------------------------------- through the gateway

class FederationGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto twin = test::TestTwin::Create({.dir_prefix = "orgtwin-federation", .id_seed = 5});
    ASSERT_TRUE(twin.ok()) << twin.status().ToString();
    twin_ = std::move(twin).value();
    root_ = twin_->root_keys();
  }
  void TearDown() override { ConfigureOidcKeys({}); }

  HttpResponse Call(std::string_view service, std::string_view action, test::QueryParams params,
                    const Keys& keys) {
    return twin_->CallQuery(service, action, std::move(params), keys);
  }
  // Federated calls are unsigned on AWS: no Authorization header at all.
  HttpResponse Unsigned(std::string_view action, test::QueryParams params) {
    HttpRequest request = twin_->QueryRequest("sts", action, std::move(params), root_);
    request.headers.erase(std::remove_if(request.headers.begin(), request.headers.end(),
                                         [](const auto& h) {
                                           return h.first == "Authorization" ||
                                                  h.first == "X-Amz-Security-Token";
                                         }),
                          request.headers.end());
    return twin_->Handle(std::move(request));
  }
  void CreateRole(const std::string& name, const boost::json::object& trust) {
    HttpResponse role = Call(
        "iam", "CreateRole",
        {{"RoleName", name}, {"AssumeRolePolicyDocument", boost::json::serialize(trust)}}, root_);
    ASSERT_EQ(role.status, 200) << role.body;
  }
  static boost::json::object Trust(const std::string& federated, const std::string& action,
                                   boost::json::object condition) {
    boost::json::object statement{
        {"Effect", "Allow"}, {"Principal", {{"Federated", federated}}}, {"Action", action}};
    if (!condition.empty()) statement["Condition"] = std::move(condition);
    return {{"Version", "2012-10-17"}, {"Statement", boost::json::array{statement}}};
  }

  std::unique_ptr<test::TestTwin> twin_;
  Keys root_;
};

class SamlGatewayTest : public FederationGatewayTest {
 protected:
  void SetUp() override {
    FederationGatewayTest::SetUp();
    idp_key = RsaKey();
    HttpResponse provider =
        Call("iam", "CreateSAMLProvider",
             {{"Name", "Corp"}, {"SAMLMetadataDocument", Metadata(idp_key.cert_der)}}, root_);
    ASSERT_EQ(provider.status, 200) << provider.body;
    CreateRole("SamlAdmins",
               Trust(kProviderArn, "sts:AssumeRoleWithSAML",
                     {{"StringEquals", {{"SAML:aud", "https://signin.aws.amazon.com/saml"}}},
                      {"ForAnyValue:StringEquals", {{"saml:edupersonaffiliation", "staff"}}}}));
  }
  HttpResponse Assume(const SamlSpec& spec, const std::string& role = kSamlRoleArn) {
    return Unsigned("AssumeRoleWithSAML",
                    {{"RoleArn", role},
                     {"PrincipalArn", kProviderArn},
                     {"SAMLAssertion", SignSaml(SamlXml(spec), idp_key.key_pem)}});
  }
  KeyPair idp_key;
};

TEST_F(SamlGatewayTest, ValidAssertionIssuesAWorkingRoleSession) {
  HttpResponse out = Assume({});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(Tag(out.body, "Arn"),
            "arn:aws:sts::123456789012:assumed-role/SamlAdmins/alice@example.com");
  EXPECT_EQ(Tag(out.body, "Subject"), "alice");
  EXPECT_EQ(Tag(out.body, "SubjectType"), "persistent");
  EXPECT_EQ(Tag(out.body, "Issuer"), kIdpEntity);
  EXPECT_EQ(Tag(out.body, "Audience"), "https://signin.aws.amazon.com/saml");
  EXPECT_FALSE(Tag(out.body, "NameQualifier").empty());
  Keys session{Tag(out.body, "AccessKeyId"), Tag(out.body, "SecretAccessKey"),
               Tag(out.body, "SessionToken")};
  HttpResponse who = Call("sts", "GetCallerIdentity", {}, session);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(Tag(who.body, "Arn"),
            "arn:aws:sts::123456789012:assumed-role/SamlAdmins/alice@example.com");
}

TEST_F(SamlGatewayTest, ExpiredAssertionIsExpiredToken) {
  twin_->fake_clock().Set(twin_->fake_clock().Now() + std::chrono::hours(1));
  HttpResponse out = Assume({});
  EXPECT_EQ(out.status, 400);
  EXPECT_EQ(Tag(out.body, "Code"), "ExpiredTokenException");
}

TEST_F(SamlGatewayTest, RolePairMustNameTheRequestedRole) {
  SamlSpec spec;
  spec.role_pair = std::string("arn:aws:iam::123456789012:role/Other,") + kProviderArn;
  HttpResponse out = Assume(spec);
  EXPECT_EQ(out.status, 403);
  EXPECT_EQ(Tag(out.body, "Code"), "AccessDenied");
  EXPECT_EQ(Tag(out.body, "Message"), "Not authorized to perform sts:AssumeRoleWithSAML");
}

TEST_F(SamlGatewayTest, TrustConditionOnSamlAudDenies) {
  // A regional endpoint is a valid AWS audience, but the trust policy pins the global one.
  SamlSpec spec;
  spec.recipient = "https://eu-west-1.signin.aws.amazon.com/saml";
  HttpResponse out = Assume(spec);
  EXPECT_EQ(out.status, 403);
  EXPECT_EQ(Tag(out.body, "Code"), "AccessDenied");
}

TEST_F(SamlGatewayTest, WrongAudienceSessionNameAndProvider) {
  SamlSpec audience;
  audience.audience = "https://sp.example.com";
  EXPECT_EQ(Tag(Assume(audience).body, "Message"),
            "Response does not contain the required audience.");
  SamlSpec name;
  name.session_name = "a b";
  EXPECT_EQ(Tag(Assume(name).body, "Message"),
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
  SamlSpec issuer;
  issuer.issuer = "https://evil.example.com";
  EXPECT_EQ(Tag(Assume(issuer).body, "Message"), "Issuer not present in specified provider");
  HttpResponse missing = Unsigned("AssumeRoleWithSAML",
                                  {{"RoleArn", kSamlRoleArn},
                                   {"PrincipalArn", "arn:aws:iam::123456789012:saml-provider/Nope"},
                                   {"SAMLAssertion", SignSaml(SamlXml({}), idp_key.key_pem)}});
  EXPECT_EQ(Tag(missing.body, "Code"), "InvalidIdentityToken");
  // The Query serializer escapes the apostrophe.
  EXPECT_EQ(Tag(missing.body, "Message"), "Specified provider doesn&apos;t exist.");
}

TEST_F(SamlGatewayTest, SessionTagsNeedTagSessionInTheTrustPolicy) {
  SamlSpec spec;
  spec.extra_attributes =
      "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/PrincipalTag:team\">"
      "<saml:AttributeValue>ops</saml:AttributeValue></saml:Attribute>";
  HttpResponse denied = Assume(spec);
  EXPECT_EQ(denied.status, 403) << denied.body;
  boost::json::object trust = Trust(kProviderArn, "sts:AssumeRoleWithSAML", {});
  trust["Statement"].as_array()[0].as_object()["Action"] =
      boost::json::array{"sts:AssumeRoleWithSAML", "sts:TagSession"};
  CreateRole("SamlTagged", trust);
  spec.role_pair = std::string("arn:aws:iam::123456789012:role/SamlTagged,") + kProviderArn;
  HttpResponse out = Assume(spec, "arn:aws:iam::123456789012:role/SamlTagged");
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_FALSE(Tag(out.body, "PackedPolicySize").empty());
}

class OidcGatewayTest : public FederationGatewayTest {
 protected:
  void SetUp() override {
    FederationGatewayTest::SetUp();
    rsa_ = RsaKey();
    ec_ = EcKey();
    const std::string path = twin_->dir().path() + "/jwks.json";
    std::ofstream(path) << boost::json::serialize(
        boost::json::object{{"keys", boost::json::array{Jwk(rsa_, "rsa1"), Jwk(ec_, "ec1")}}});
    ConfigureOidcKeys({{kIssuer, path}});
    HttpResponse provider =
        Call("iam", "CreateOpenIDConnectProvider",
             {{"Url", kIssuer}, {"ClientIDList.member.1", "sts.amazonaws.com"}}, root_);
    ASSERT_EQ(provider.status, 200) << provider.body;
    CreateRole("CiDeploy",
               Trust("arn:aws:iam::123456789012:oidc-provider/oidc.example.com/tenant",
                     "sts:AssumeRoleWithWebIdentity",
                     {{"StringEquals", {{"oidc.example.com/tenant:aud", "sts.amazonaws.com"}}},
                      {"StringLike", {{"oidc.example.com/tenant:sub", "repo:acme/*"}}}}));
  }
  boost::json::object Claims(const std::string& sub = "repo:acme/app:ref:main") {
    return {{"iss", kIssuer},    {"sub", sub},        {"aud", "sts.amazonaws.com"},
            {"iat", 1795820800}, {"nbf", 1795820800}, {"exp", 1795824000}};
  }
  HttpResponse Assume(const std::string& jwt) {
    return Unsigned(
        "AssumeRoleWithWebIdentity",
        {{"RoleArn", kOidcRoleArn}, {"RoleSessionName", "ci"}, {"WebIdentityToken", jwt}});
  }
  KeyPair rsa_;
  KeyPair ec_;
};

TEST_F(OidcGatewayTest, Rs256AndEs256TokensIssueSessions) {
  for (const auto& [pair, kid] : {std::pair{&rsa_, "rsa1"}, std::pair{&ec_, "ec1"}}) {
    HttpResponse out = Assume(SignJwt(*pair, kid, Claims()));
    ASSERT_EQ(out.status, 200) << out.body;
    EXPECT_EQ(Tag(out.body, "Arn"), "arn:aws:sts::123456789012:assumed-role/CiDeploy/ci");
    EXPECT_EQ(Tag(out.body, "SubjectFromWebIdentityToken"), "repo:acme/app:ref:main");
    EXPECT_EQ(Tag(out.body, "Provider"), kIssuer);
    EXPECT_EQ(Tag(out.body, "Audience"), "sts.amazonaws.com");
  }
}

TEST_F(OidcGatewayTest, ClaimAndTrustFailures) {
  boost::json::object wrong_aud = Claims();
  wrong_aud["aud"] = "someone-else";
  HttpResponse aud = Assume(SignJwt(rsa_, "rsa1", wrong_aud));
  EXPECT_EQ(Tag(aud.body, "Code"), "InvalidIdentityToken");
  EXPECT_EQ(Tag(aud.body, "Message"), "Incorrect token audience");

  HttpResponse sub = Assume(SignJwt(rsa_, "rsa1", Claims("repo:evil/app")));
  EXPECT_EQ(sub.status, 403);
  EXPECT_EQ(Tag(sub.body, "Message"), "Not authorized to perform sts:AssumeRoleWithWebIdentity");

  twin_->fake_clock().Set(twin_->fake_clock().Now() + std::chrono::hours(2));
  HttpResponse expired = Assume(SignJwt(rsa_, "rsa1", Claims()));
  EXPECT_EQ(Tag(expired.body, "Code"), "ExpiredTokenException");
}

TEST_F(OidcGatewayTest, UnknownIssuerAndUnconfiguredKeys) {
  boost::json::object other = Claims();
  other["iss"] = "https://unknown.example.com";
  HttpResponse unknown = Assume(SignJwt(rsa_, "rsa1", other));
  EXPECT_EQ(Tag(unknown.body, "Message"),
            "No OpenIDConnect provider found in your account for https://unknown.example.com");
  ConfigureOidcKeys({});
  HttpResponse no_keys = Assume(SignJwt(rsa_, "rsa1", Claims()));
  EXPECT_EQ(Tag(no_keys.body, "Code"), "IDPCommunicationError");
}

}  // namespace
}  // namespace orgtwin::services::sts
