#include "common/status.h"

#include <gtest/gtest.h>

namespace orgtwin {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidInputError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  OT_ASSIGN_OR_RETURN(int half, Half(x));
  OT_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesAwsCodeAndFields) {
  Status s = InvalidInputError("bad").WithAwsCode("InvalidInputException").WithField("Reason", "X");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(s.aws_code(), "InvalidInputException");
  EXPECT_EQ(s.fields().at("Reason"), "X");
  EXPECT_EQ(s.ToString(), "invalid_input (InvalidInputException): bad");
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> r{Status()};
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace orgtwin
