#include "services/iam/mfa.h"

#include <memory>

#include <gtest/gtest.h>

#include "auth/totp.h"
#include "services/iam/iam_entities.h"
#include "testing/test_store.h"

namespace orgtwin::services::iam {
namespace {

constexpr char kAccount[] = "123456789012";
constexpr char kSerial[] = "arn:aws:iam::123456789012:mfa/root-device";
// RFC 6238's test secret ("12345678901234567890") in Base32.
constexpr char kSeed[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

class MfaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::OpenTestStore(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto tx = Write();
    ASSERT_TRUE(tx->Execute("INSERT INTO accounts (account_id, email, name, created_at) "
                            "VALUES (?, 'a@example.com', 'a', 0)",
                            {std::string(kAccount)})
                    .ok());
    ASSERT_TRUE(tx->Execute("INSERT INTO iam_mfa_devices (serial_number, account_id, "
                            "device_name, seed_base32, created_at) VALUES (?, ?, 'root-device', "
                            "?, 0)",
                            {std::string(kSerial), std::string(kAccount), std::string(kSeed)})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  std::unique_ptr<store::Transaction> Write() {
    auto tx = store_->Begin(store::TxMode::kWrite);
    EXPECT_TRUE(tx.ok());
    return std::move(tx).value();
  }
  static std::string Code(int64_t step) {
    return auth::TotpCode("12345678901234567890",
                          TimePoint{std::chrono::seconds(step * auth::kTotpStepSeconds)});
  }
  static TimePoint AtStep(int64_t step) {
    return TimePoint{std::chrono::seconds(step * auth::kTotpStepSeconds + 7)};
  }

  test::TempDir dir_{"orgtwin-iam-mfa"};
  std::unique_ptr<store::Store> store_;  // before dir_ is removed
};

constexpr int64_t kStep = 56666666;  // some step in 2023

TEST_F(MfaTest, EnablesForRootWithTwoConsecutiveCodes) {
  auto tx = Write();
  Status wrong =
      EnableMfaDevice(*tx, kAccount, "", kSerial, Code(kStep), Code(kStep + 2), AtStep(kStep));
  EXPECT_EQ(wrong.aws_code(), "InvalidAuthenticationCode");
  ASSERT_TRUE(
      EnableMfaDevice(*tx, kAccount, "", kSerial, Code(kStep), Code(kStep + 1), AtStep(kStep))
          .ok());
  auto count = CountMfaDevices(*tx, kAccount, "");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
  auto device = FindMfaDevice(*tx, kSerial);
  ASSERT_TRUE(device.ok() && device->has_value());
  EXPECT_EQ((*device)->user_id, std::optional<std::string>(""));
  EXPECT_EQ((*device)->last_used_step, kStep + 1);
  // Already assigned.
  EXPECT_EQ(EnableMfaDevice(*tx, kAccount, "", kSerial, Code(kStep + 2), Code(kStep + 3),
                            AtStep(kStep + 2))
                .aws_code(),
            "EntityAlreadyExists");
}

TEST_F(MfaTest, TokensAreSingleUseAndBoundToTheirOwner) {
  auto tx = Write();
  ASSERT_TRUE(
      EnableMfaDevice(*tx, kAccount, "", kSerial, Code(kStep), Code(kStep + 1), AtStep(kStep))
          .ok());
  // The code of the enabling step cannot be used again.
  EXPECT_EQ(
      VerifyMfaToken(*tx, kAccount, "", kSerial, Code(kStep + 1), AtStep(kStep + 1)).aws_code(),
      "InvalidAuthenticationCode");
  EXPECT_TRUE(VerifyMfaToken(*tx, kAccount, "", kSerial, Code(kStep + 2), AtStep(kStep + 2)).ok());
  EXPECT_FALSE(VerifyMfaToken(*tx, kAccount, "", kSerial, Code(kStep + 2), AtStep(kStep + 2)).ok());
  // Another principal, a code far from now, or an unknown device: refused.
  EXPECT_FALSE(
      VerifyMfaToken(*tx, kAccount, "AIDAEXAMPLE", kSerial, Code(kStep + 3), AtStep(kStep + 3))
          .ok());
  EXPECT_FALSE(
      VerifyMfaToken(*tx, kAccount, "", kSerial, Code(kStep + 40), AtStep(kStep + 3)).ok());
  EXPECT_FALSE(VerifyMfaToken(*tx, kAccount, "", "arn:aws:iam::123456789012:mfa/none",
                              Code(kStep + 3), AtStep(kStep + 3))
                   .ok());
  EXPECT_TRUE(VerifyMfaToken(*tx, kAccount, "", kSerial, Code(kStep + 3), AtStep(kStep + 3)).ok());
}

TEST_F(MfaTest, AtMostEightDevicesPerPrincipal) {
  auto tx = Write();
  for (int i = 0; i < 9; ++i) {
    std::string serial = "arn:aws:iam::123456789012:mfa/d" + std::to_string(i);
    ASSERT_TRUE(
        tx->Execute("INSERT INTO iam_mfa_devices (serial_number, account_id, "
                    "device_name, seed_base32, created_at) VALUES (?, ?, ?, ?, 0)",
                    {serial, std::string(kAccount), "d" + std::to_string(i), std::string(kSeed)})
            .ok());
    Status s = EnableMfaDevice(*tx, kAccount, "AIDAUSER", serial, Code(kStep), Code(kStep + 1),
                               AtStep(kStep));
    if (i < 8) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.aws_code(), "LimitExceeded");
    }
  }
}

}  // namespace
}  // namespace orgtwin::services::iam
