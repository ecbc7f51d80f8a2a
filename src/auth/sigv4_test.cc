#include "auth/sigv4.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace orgtwin::auth {
namespace {

namespace json = boost::json;
using std::chrono::minutes;
using std::chrono::seconds;

// One botocore-signed request from testdata/sigv4_vectors.json (tools/gen_sigv4_vectors.py).
struct Vector {
  std::string name;
  HttpRequest request;
  std::string access_key_id, secret, session_token, region, service;
  TimePoint now;
  bool presigned = false;
  int64_t expires = 0;
  std::string canonical_request, string_to_sign, signature;
};

TimePoint AmzTime(const std::string& text) {
  TimePoint t;
  EXPECT_TRUE(ParseTimestamp(text, &t)) << text;
  return t;
}

std::vector<Vector> LoadVectors() {
  std::ifstream in(std::string(OT_AUTH_TESTDATA_DIR) + "/sigv4_vectors.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json::value root = json::parse(buffer.str());
  std::vector<Vector> out;
  for (const json::value& c : root.at("cases").as_array()) {
    const json::object& o = c.as_object();
    auto str = [&o](const char* key) { return std::string(o.at(key).as_string()); };
    Vector v;
    v.name = str("name");
    v.request.method = str("method");
    v.request.target = str("target");
    for (const json::value& h : o.at("headers").as_array()) {
      v.request.headers.emplace_back(std::string(h.as_array()[0].as_string()),
                                     std::string(h.as_array()[1].as_string()));
    }
    v.request.body = str("body");
    v.access_key_id = str("access_key_id");
    v.secret = str("secret_access_key");
    v.session_token = str("session_token");
    v.region = str("region");
    v.service = str("service");
    v.now = AmzTime(str("now"));
    v.presigned = o.at("presigned").as_bool();
    v.expires = o.at("expires").as_int64();
    v.canonical_request = str("canonical_request");
    v.string_to_sign = str("string_to_sign");
    v.signature = str("signature");
    out.push_back(std::move(v));
  }
  return out;
}

const std::vector<Vector>& Vectors() {
  static const std::vector<Vector> kVectors = LoadVectors();
  return kVectors;
}

// Parses and verifies as the server does, with the secret the vector was signed with (a changed
// access key id counts as rejected: the key lookup would pick another secret or none).
Status ParseAndVerify(const HttpRequest& request, const Vector& v, TimePoint now) {
  Result<SigV4Request> parsed = ParseSigV4(request);
  if (!parsed.ok()) return parsed.status();
  if (parsed->access_key_id != v.access_key_id) {
    return UnauthenticatedError("unknown key").WithAwsCode("InvalidClientTokenId");
  }
  return VerifySigV4(request, *parsed, v.secret, now);
}

TEST(SigV4VectorsTest, LoadsAllCases) { EXPECT_GE(Vectors().size(), 30u); }

TEST(SigV4VectorsTest, CanonicalRequestAndStringToSignMatchBotocore) {
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    Result<SigV4Request> parsed = ParseSigV4(v.request);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(CanonicalRequest(v.request, *parsed), v.canonical_request);
    EXPECT_EQ(StringToSign(*parsed, v.canonical_request), v.string_to_sign);
    EXPECT_EQ(parsed->signature, v.signature);
    EXPECT_EQ(parsed->access_key_id, v.access_key_id);
    EXPECT_EQ(parsed->scope_region, v.region);
    EXPECT_EQ(parsed->scope_service, v.service);
    EXPECT_EQ(parsed->presigned, v.presigned);
    EXPECT_EQ(parsed->request_time, v.now);
    if (v.presigned) {
      EXPECT_EQ(parsed->expires_seconds, v.expires);
    }
    if (v.session_token.empty()) {
      EXPECT_FALSE(parsed->session_token.has_value());
    } else {
      ASSERT_TRUE(parsed->session_token.has_value());
      EXPECT_EQ(*parsed->session_token, v.session_token);
    }
  }
}

TEST(SigV4VectorsTest, VerifierAcceptsEveryBotocoreSignature) {
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    Status s = ParseAndVerify(v.request, v, v.now);
    EXPECT_TRUE(s.ok()) << s.ToString();
    // Inside the allowed skew either side (and, presigned, before X-Amz-Expires runs out).
    const auto later =
        v.presigned ? std::min<std::chrono::seconds>(minutes(14), seconds(v.expires)) : minutes(14);
    EXPECT_TRUE(ParseAndVerify(v.request, v, v.now + later).ok());
    EXPECT_TRUE(ParseAndVerify(v.request, v, v.now - minutes(14)).ok());
  }
}

TEST(SigV4VectorsTest, PeekSigningServiceFindsTheScopeService) {
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(PeekSigningService(v.request), v.service);
  }
}

// A one-byte change that can't be a no-op: '.' and '/' map to 'x' because path normalization
// legitimately treats "/./" like "/" and "//" like "/"; everything else flips its low bit.
char Mutate(char c) { return (c == '.' || c == '/') ? 'x' : static_cast<char>(c ^ 0x01); }

TEST(SigV4VectorsTest, EveryOneByteMutationIsRejected) {
  int mutations = 0;
  int dropped_by_normalization = 0;
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    for (size_t i = 0; i < v.request.target.size(); ++i) {
      HttpRequest r = v.request;
      r.target[i] = Mutate(r.target[i]);
      // A byte inside a segment that a later ".." removes is dropped by path normalization
      // (botocore drops it too), so the request is still the signed one. Only the ".." vectors
      // may have such positions, and the verifier must then accept.
      Result<SigV4Request> reparsed = ParseSigV4(r);
      if (reparsed.ok() && reparsed->signature == v.signature &&
          CanonicalRequest(r, *reparsed) == v.canonical_request) {
        EXPECT_NE(v.request.target.find(".."), std::string::npos) << r.target;
        EXPECT_TRUE(ParseAndVerify(r, v, v.now).ok()) << r.target;
        ++dropped_by_normalization;
        continue;
      }
      Status s = ParseAndVerify(r, v, v.now);
      EXPECT_FALSE(s.ok()) << "target[" << i << "] " << r.target;
      if (!v.presigned) {
        EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch") << r.target;
      }
      ++mutations;
    }
    for (size_t i = 0; i < v.request.body.size(); ++i) {
      HttpRequest r = v.request;
      r.body[i] = Mutate(r.body[i]);
      Status s = ParseAndVerify(r, v, v.now);
      EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch") << "body[" << i << "]";
      ++mutations;
    }
    for (size_t h = 0; h < v.request.headers.size(); ++h) {
      for (int part = 0; part < 2; ++part) {
        const std::string& text =
            part == 0 ? v.request.headers[h].first : v.request.headers[h].second;
        for (size_t i = 0; i < text.size(); ++i) {
          HttpRequest r = v.request;
          std::string& target = part == 0 ? r.headers[h].first : r.headers[h].second;
          target[i] = Mutate(target[i]);
          EXPECT_FALSE(ParseAndVerify(r, v, v.now).ok())
              << v.request.headers[h].first << (part == 0 ? " name" : " value") << "[" << i
              << "]: " << target;
          ++mutations;
        }
      }
    }
  }
  EXPECT_GT(mutations, 10000);
  EXPECT_LT(dropped_by_normalization, 60);
}

TEST(SigV4VectorsTest, SignRequestReproducesBotocoreAuthorization) {
  int compared = 0;
  for (const Vector& v : Vectors()) {
    if (v.presigned) continue;
    SCOPED_TRACE(v.name);
    HttpRequest r = v.request;
    std::string expected_auth = *v.request.Header("Authorization");
    SignRequest(r, v.access_key_id, v.secret, v.region, v.service, v.now, v.session_token);
    EXPECT_EQ(*r.Header("Authorization"), expected_auth);
    ++compared;
  }
  EXPECT_GE(compared, 20);
}

// --- Errors -------------------------------------------------------------------------------------

const TimePoint kNow = AmzTime("20261127T230744Z");
constexpr char kAkid[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

HttpRequest StsPost() {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "sts.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  return r;
}

HttpRequest WithAuthorization(std::string auth, std::string amz_date = "20261127T230744Z") {
  HttpRequest r = StsPost();
  if (!amz_date.empty()) r.headers.emplace_back("X-Amz-Date", std::move(amz_date));
  r.headers.emplace_back("Authorization", std::move(auth));
  return r;
}

constexpr char kGoodCredential[] = "AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/sts/aws4_request";

TEST(SigV4ErrorsTest, NoAuthenticationAtAll) {
  Result<SigV4Request> r = ParseSigV4(StsPost());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "MissingAuthenticationToken");
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "Request is missing Authentication Token");
}

TEST(SigV4ErrorsTest, NonSigV4AuthorizationIsMissingToken) {
  Result<SigV4Request> r = ParseSigV4(WithAuthorization("Bearer abc"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "MissingAuthenticationToken");
}

TEST(SigV4ErrorsTest, AllPartsMissingListsEachInAwsOrder) {
  HttpRequest req = WithAuthorization("AWS4-HMAC-SHA256 Foo=bar", "");
  Result<SigV4Request> r = ParseSigV4(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status().message(),
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=AWS4-HMAC-SHA256 Foo=bar");
}

TEST(SigV4ErrorsTest, OnlySignatureMissing) {
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                     ", SignedHeaders=host;x-amz-date";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Authorization header requires 'Signature' parameter. Authorization=" + auth);
}

TEST(SigV4ErrorsTest, ComponentWithoutEqualSign) {
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKID /20261127/us-east-1/sts/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abcd";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
  EXPECT_EQ(r.status().message(),
            "'/20261127/us-east-1/sts/aws4_request' not a valid key=value pair (missing "
            "equal-sign) in Authorization header: '" +
                auth + "'.");
}

TEST(SigV4ErrorsTest, ToleratesCommasWithoutSpaces) {
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                     ",SignedHeaders=host;x-amz-date,Signature=abcd";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signature, "abcd");
  EXPECT_EQ(r->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4ErrorsTest, MalformedDate) {
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                     ", SignedHeaders=host;x-amz-date, Signature=abcd";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth, "2026-11-27T23:07:44Z"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
  EXPECT_EQ(r.status().message(),
            "Date must be in ISO-8601 'basic format'. Got '2026-11-27T23:07:44Z'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST(SigV4ErrorsTest, UnsupportedAlgorithm) {
  std::string auth = std::string("AWS4-HMAC-SHA512 Credential=") + kGoodCredential +
                     ", SignedHeaders=host;x-amz-date, Signature=abcd";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
}

TEST(SigV4ErrorsTest, CredentialWithFourParts) {
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/sts, SignedHeaders=host, Signature=ab";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
  EXPECT_EQ(r.status().message(),
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKID/20261127/us-east-1/sts'");
}

TEST(SigV4ErrorsTest, HostMustBeSigned) {
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                     ", SignedHeaders=x-amz-date, Signature=abcd";
  Result<SigV4Request> r = ParseSigV4(WithAuthorization(auth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(r.status().message(),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4ErrorsTest, HeaderAndQueryBoth) {
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                     ", SignedHeaders=host;x-amz-date, Signature=abcd";
  HttpRequest req = WithAuthorization(auth);
  req.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256";
  Result<SigV4Request> r = ParseSigV4(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
            "header.");
}

TEST(SigV4ErrorsTest, PresignedMissingParameters) {
  HttpRequest req = StsPost();
  req.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=host";
  Result<SigV4Request> r = ParseSigV4(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
  EXPECT_EQ(r.status().message(),
            "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string "
            "parameters must include 'X-Amz-Signature'. AWS query-string parameters must "
            "include 'X-Amz-Date'. Re-examine the query-string parameters.");
}

std::string PresignedTarget(std::string_view expires) {
  return "/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
         "AKID%2F20261127%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261127T230744Z"
         "&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=" +
         std::string(expires);
}

TEST(SigV4ErrorsTest, PresignedBadExpires) {
  const std::pair<const char*, const char*> cases[] = {
      {"abc", "X-Amz-Expires should be a number"},
      {"-5", "X-Amz-Expires must be non-negative"},
      {"604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
  };
  for (const auto& [value, message] : cases) {
    HttpRequest req = StsPost();
    req.target = PresignedTarget(value);
    Result<SigV4Request> r = ParseSigV4(req);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(r.status().aws_code(), "IncompleteSignature");
    EXPECT_EQ(r.status().message(), message);
  }
  HttpRequest req = StsPost();
  req.target = PresignedTarget("604800");
  Result<SigV4Request> r = ParseSigV4(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->expires_seconds, 604800);
  EXPECT_EQ(PeekSigningService(req), "sts");
}

HttpRequest SignedSts(TimePoint when, std::string_view token = {}) {
  HttpRequest r = StsPost();
  SignRequest(r, kAkid, kSecret, "us-east-1", "sts", when, token);
  return r;
}

TEST(SigV4ErrorsTest, HeaderSignatureExpired) {
  HttpRequest req = SignedSts(kNow);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  Status s = VerifySigV4(req, *parsed, kSecret, kNow + minutes(25));
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(s.message(),
            "Signature expired: 20261127T230744Z is now earlier than 20261127T231744Z "
            "(20261127T233244Z - 15 min.)");
  // Exactly at the edge is still fine; one second past is not.
  EXPECT_TRUE(VerifySigV4(req, *parsed, kSecret, kNow + minutes(15)).ok());
  EXPECT_FALSE(VerifySigV4(req, *parsed, kSecret, kNow + minutes(15) + seconds(1)).ok());
}

TEST(SigV4ErrorsTest, HeaderSignatureNotYetCurrent) {
  HttpRequest req = SignedSts(kNow);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  Status s = VerifySigV4(req, *parsed, kSecret, kNow - minutes(20));
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.message(),
            "Signature not yet current: 20261127T230744Z is still later than 20261127T230244Z "
            "(20261127T224744Z + 15 min.)");
}

TEST(SigV4ErrorsTest, PresignedExpiry) {
  for (const Vector& v : Vectors()) {
    if (v.presigned && v.expires == 3600) {
      SCOPED_TRACE(v.name);
      // Valid well past the 15-minute header window, up to X-Amz-Date + X-Amz-Expires.
      EXPECT_TRUE(ParseAndVerify(v.request, v, v.now + minutes(59)).ok());
      EXPECT_TRUE(ParseAndVerify(v.request, v, v.now + seconds(3600)).ok());
      Status s = ParseAndVerify(v.request, v, v.now + seconds(3601));
      EXPECT_EQ(s.aws_code(), "RequestExpired");
      EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated);
      EXPECT_EQ(s.message(), "Request has expired.");
      // Signed too far in the future.
      EXPECT_EQ(ParseAndVerify(v.request, v, v.now - minutes(16)).aws_code(),
                "SignatureDoesNotMatch");
      return;
    }
  }
  FAIL() << "no presigned vector with a 3600 s expiry";
}

TEST(SigV4ErrorsTest, WrongSecretGivesAwsMessageWithCanonicalString) {
  HttpRequest req = SignedSts(kNow);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  Status s = VerifySigV4(req, *parsed, "not-the-secret", kNow);
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated);
  const std::string canonical = CanonicalRequest(req, *parsed);
  EXPECT_EQ(s.message(),
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.\n\nThe Canonical String for this request should have "
            "been\n'" +
                canonical + "'\n\nThe String-to-Sign should have been\n'" +
                StringToSign(*parsed, canonical) + "'\n");
}

TEST(SigV4ErrorsTest, ScopeFormChecks) {
  HttpRequest req = SignedSts(kNow);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  SigV4Request bad = *parsed;
  bad.scope_region = "nowhere";
  bad.scope_terminator = "aws5_request";
  bad.scope_date = "20261126";
  Status s = VerifySigV4(req, bad, kSecret, kNow);
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.message(),
            "Credential should be scoped to a valid region. Credential should be scoped with a "
            "valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does "
            "not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261126' != "
            "'20261127', from '20261127T230744Z'. ");
}

TEST(SigV4ErrorsTest, CheckCredentialScopeAgainstEndpoint) {
  HttpRequest req = SignedSts(kNow);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(CheckCredentialScope(*parsed, "sts").ok());
  EXPECT_TRUE(CheckCredentialScope(*parsed, "sts", "us-east-1").ok());
  Status s = CheckCredentialScope(*parsed, "iam", "eu-west-1");
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.message(),
            "Credential should be scoped to a valid region. Credential should be scoped to "
            "correct service: 'iam'. ");
}

// --- Date header, building blocks, signing ------------------------------------------------------

TEST(SigV4Test, DateHeaderUsedWhenNoXAmzDate) {
  HttpRequest req = StsPost();
  req.headers.emplace_back("Date", "Fri, 27 Nov 2026 23:07:44 GMT");
  SigV4Request p;
  p.access_key_id = kAkid;
  p.scope_date = "20261127";
  p.scope_region = "us-east-1";
  p.scope_service = "sts";
  p.scope_terminator = "aws4_request";
  p.signed_headers = {"content-type", "date", "host"};
  p.amz_date = "20261127T230744Z";
  std::string signature =
      HexEncode(HmacSha256(DeriveSigningKey(kSecret, "20261127", "us-east-1", "sts"),
                           StringToSign(p, CanonicalRequest(req, p))));
  req.headers.emplace_back("Authorization",
                           std::string("AWS4-HMAC-SHA256 Credential=") + kGoodCredential +
                               ", SignedHeaders=content-type;date;host, Signature=" + signature);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->amz_date, "20261127T230744Z");
  EXPECT_EQ(parsed->request_time, kNow);
  EXPECT_TRUE(VerifySigV4(req, *parsed, kSecret, kNow).ok());
}

TEST(SigV4Test, BuildingBlocks) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(UriEncode("a b/c~d%é", true), "a%20b/c~d%25%C3%A9");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(HmacSha256("key", "data").size(), 32u);
  EXPECT_EQ(HexEncode(std::string("\x01\xab", 2)), "01ab");
}

TEST(SigV4Test, SignedRequestVerifiesWithSessionToken) {
  HttpRequest req = SignedSts(kNow, "token/with+chars==");
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->session_token.has_value());
  EXPECT_EQ(*parsed->session_token, "token/with+chars==");
  EXPECT_TRUE(VerifySigV4(req, *parsed, kSecret, kNow).ok());
  // The token is a signed header: swapping it breaks the signature.
  for (auto& [name, value] : req.headers) {
    if (name == "X-Amz-Security-Token") value = "other";
  }
  Result<SigV4Request> reparsed = ParseSigV4(req);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(VerifySigV4(req, *reparsed, kSecret, kNow).aws_code(), "SignatureDoesNotMatch");
}

TEST(SigV4Test, SignRequestReplacesPreviousSignature) {
  HttpRequest req = SignedSts(kNow - minutes(60));
  SignRequest(req, kAkid, kSecret, "us-east-1", "sts", kNow);
  int auth_headers = 0;
  for (const auto& header : req.headers) auth_headers += header.first == "Authorization";
  EXPECT_EQ(auth_headers, 1);
  Result<SigV4Request> parsed = ParseSigV4(req);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifySigV4(req, *parsed, kSecret, kNow).ok());
  EXPECT_EQ(PeekSigningService(req), "sts");
}

TEST(SigV4Test, JsonProtocolCodes) {
  EXPECT_EQ(JsonProtocolAuthCode("SignatureDoesNotMatch"), "InvalidSignatureException");
  EXPECT_EQ(JsonProtocolAuthCode("MissingAuthenticationToken"),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(JsonProtocolAuthCode("RequestExpired"), "RequestExpired");
}

TEST(SigningKeyCacheTest, MatchesDerivationAndStaysBounded) {
  SigningKeyCache cache(8);
  const std::string expected = DeriveSigningKey(kSecret, "20261127", "us-east-1", "sts");
  EXPECT_EQ(cache.Get(kSecret, "20261127", "us-east-1", "sts"), expected);
  EXPECT_EQ(cache.Get(kSecret, "20261127", "us-east-1", "sts"), expected);  // hit
  EXPECT_EQ(cache.size(), 1u);
  // The fields are delimited: shifting a character between fields is a different key.
  EXPECT_NE(cache.Get(kSecret, "20261127", "us-east-1s", "ts"), expected);
  for (int i = 0; i < 50; ++i) {
    cache.Get(kSecret, "20261127", "us-east-1", "svc" + std::to_string(i)).size();
  }
  EXPECT_LE(cache.size(), 8u);
}

TEST(SigningKeyCacheTest, ConcurrentUse) {
  SigningKeyCache cache(16);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int i = 0; i < 200; ++i) {
        std::string service = "svc" + std::to_string((i + t) % 24);
        if (cache.Get(kSecret, "20261127", "us-east-1", service) !=
            DeriveSigningKey(kSecret, "20261127", "us-east-1", service)) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace orgtwin::auth
