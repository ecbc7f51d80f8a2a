// SNS below the wire: message signatures verify with the stored certificate, PublishAsService
// enforces the topic policy for service principals and writes nothing when it refuses, and the
// delivery worker drains the outbox exactly once (email) or retries then gives up (HTTP).
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/base64.h"
#include "repo/recovery_repository.h"
#include "repo/sns_repository.h"
#include "services/sns/delivery.h"
#include "services/sns/message_signing.h"
#include "services/sns/publish.h"
#include "testing/temp_dir.h"
#include "testing/test_store.h"

namespace orgtwin::services::sns {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-east-1:111122223333:alerts";
constexpr char kRule[] = "arn:aws:events:us-east-1:111122223333:rule/root-login";

// Verifies `signature` (base64) of `text` with the public key of `cert_pem`.
bool Verifies(const std::string& cert_pem, const std::string& text, const std::string& signature,
              const EVP_MD* md) {
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return false;
  EVP_PKEY* key = X509_get_pubkey(cert);
  std::string raw;
  bool ok = Base64Decode(signature, &raw);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ok = ok && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
       EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                        reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  X509_free(cert);
  return ok;
}

TEST(SnsSigningTest, SignaturesVerifyWithTheCertificate) {
  auto key = MakeSigningKey();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Envelope e;
  e.type = "Notification";
  e.message_id = "m-1";
  e.topic_arn = kTopic;
  e.message = "hello";
  e.timestamp = "2026-12-04T10:00:00.000Z";
  // No subject: Subject is left out of the string to sign.
  EXPECT_EQ(StringToSign(e),
            "Message\nhello\nMessageId\nm-1\nTimestamp\n2026-12-04T10:00:00.000Z\nTopicArn\n" +
                std::string(kTopic) + "\nType\nNotification\n");
  auto v1 = Sign(*key, StringToSign(e), "1");
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(Verifies(key->cert_pem, StringToSign(e), *v1, EVP_sha1()));
  EXPECT_FALSE(Verifies(key->cert_pem, StringToSign(e) + "x", *v1, EVP_sha1()));
  auto v2 = Sign(*key, StringToSign(e), "2");
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(Verifies(key->cert_pem, StringToSign(e), *v2, EVP_sha256()));
}

class SnsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::OpenTestStore(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto tx = store_->Begin(store::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        repo::InsertSnsTopic(**tx, {kTopic, "111122223333", "us-east-1", "alerts", "{}", 1}).ok());
    repo::SnsSubscriptionRow s;
    s.subscription_arn = std::string(kTopic) + ":sub-1";
    s.topic_arn = kTopic;
    s.owner_account = "111122223333";
    s.protocol = "email";
    s.endpoint = "soc@example.com";
    s.confirmed = true;
    s.token = "t";
    ASSERT_TRUE(repo::InsertSnsSubscription(**tx, s).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  void SetPolicy(const std::string& policy) {
    auto tx = store_->Begin(store::TxMode::kWrite);
    boost::json::object attributes{{"Policy", policy}};
    ASSERT_TRUE(
        repo::UpdateSnsTopicAttributes(**tx, kTopic, boost::json::serialize(attributes)).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  Result<std::string> PublishFromRule(const std::string& rule) {
    auto tx = store_->Begin(store::TxMode::kWrite);
    if (!tx.ok()) return tx.status();
    ServicePublish p{kTopic, "root signed in", "Root login", "events.amazonaws.com",
                     rule,   "111122223333"};
    auto id = PublishAsService(**tx, clock_.Now(), ids_, p);
    if (id.ok()) OT_RETURN_IF_ERROR((*tx)->Commit());
    return id;
  }

  int64_t Count(const std::string& table) {
    auto tx = store_->Begin(store::TxMode::kRead);
    auto rows = (*tx)->Query("SELECT COUNT(*) FROM " + table);
    return rows.ok() ? rows->front().Int(0) : -1;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1800000000))};
  SeededIdGenerator ids_{7};
};

TEST_F(SnsStoreTest, ServicePublishNeedsTheTopicPolicy) {
  // The default policy names no service principal.
  auto denied = PublishFromRule(kRule);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().aws_code(), "AuthorizationError");
  EXPECT_EQ(Count("sns_messages"), 0);
  EXPECT_EQ(Count("sns_deliveries"), 0);

  SetPolicy(std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)") +
            R"("Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish",)" +
            R"("Resource":")" + kTopic + R"(","Condition":{"ArnEquals":{"aws:SourceArn":")" +
            kRule + R"("}}}]})");
  auto other = PublishFromRule("arn:aws:events:us-east-1:111122223333:rule/other");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().aws_code(), "AuthorizationError");

  auto published = PublishFromRule(kRule);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(Count("sns_messages"), 1);
  EXPECT_EQ(Count("sns_deliveries"), 1);
}

TEST_F(SnsStoreTest, ServicePublishToAMissingTopicIsNotFound) {
  auto tx = store_->Begin(store::TxMode::kWrite);
  ServicePublish p{std::string(kTopic) + "-gone", "m", "", "events.amazonaws.com", kRule, ""};
  auto id = PublishAsService(**tx, clock_.Now(), ids_, p);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().aws_code(), "NotFound");
  EXPECT_EQ(id.status().message(), "Topic does not exist");
}

TEST_F(SnsStoreTest, WorkerDeliversEmailOnceAndGivesUpOnADeadEndpoint) {
  SetPolicy(std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)") +
            R"("Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish",)" +
            R"("Resource":")" + kTopic + R"("}]})");
  {
    // An HTTP subscription whose endpoint refuses connections.
    auto tx = store_->Begin(store::TxMode::kWrite);
    repo::SnsSubscriptionRow s;
    s.subscription_arn = std::string(kTopic) + ":sub-2";
    s.topic_arn = kTopic;
    s.owner_account = "111122223333";
    s.protocol = "http";
    s.endpoint = "http://127.0.0.1:1/hook";
    s.confirmed = true;
    s.token = "u";
    ASSERT_TRUE(repo::InsertSnsSubscription(**tx, s).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  auto id = PublishFromRule(kRule);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  DeliveryOptions options;
  options.base_url = "http://127.0.0.1:4566";
  options.retry_delay_seconds = 0;
  options.http_retries = 3;
  DeliveryWorker worker(*store_, clock_, options);
  auto first = worker.DeliverDue();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);  // the email; the POST failed
  for (int i = 0; i < 3; ++i) {
    auto again = worker.DeliverDue();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, 0);
  }
  auto tx = store_->Begin(store::TxMode::kRead);
  auto mail = repo::MailTo(**tx, "soc@example.com");
  ASSERT_TRUE(mail.ok());
  ASSERT_EQ(mail->size(), 1u);
  EXPECT_EQ(mail->front().subject, "Root login");
  EXPECT_NE(mail->front().body.find("root signed in"), std::string::npos);
  auto deliveries = repo::SnsDeliveriesOf(**tx, *id);
  ASSERT_TRUE(deliveries.ok());
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[0].state, "delivered");  // sub-1, email
  EXPECT_EQ((*deliveries)[1].state, "failed");     // sub-2: 1 attempt + 3 retries
  EXPECT_EQ((*deliveries)[1].attempts, 4);
}

}  // namespace
}  // namespace orgtwin::services::sns
