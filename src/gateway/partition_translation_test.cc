#include "gateway/partition_translation.h"

#include <gtest/gtest.h>

#include "common/partition.h"

namespace orgtwin::gateway {
namespace {

TEST(PartitionTranslationTest, RewritesOnlyTheNamedPartitionsArns) {
  EXPECT_EQ(RewriteArnPartition("arn:aws:iam::123456789012:role/a", "aws", "aws-cn"),
            "arn:aws-cn:iam::123456789012:role/a");
  // Another partition's ARN, and text that merely looks alike, stay as they are.
  EXPECT_EQ(RewriteArnPartition("arn:aws-us-gov:iam::1:root and aws:iam", "aws", "aws-cn"),
            "arn:aws-us-gov:iam::1:root and aws:iam");
  EXPECT_EQ(RewriteArnPartition("User: arn:aws:iam::1:user/u on arn:aws:s3:::b", "aws", "aws-cn"),
            "User: arn:aws-cn:iam::1:user/u on arn:aws-cn:s3:::b");
  // Back, and in the URL-encoded documents IAM answers with.
  EXPECT_EQ(RewriteArnPartition("arn:aws-cn:sts::1:assumed-role/r/s", "aws-cn", "aws"),
            "arn:aws:sts::1:assumed-role/r/s");
  EXPECT_EQ(RewriteArnPartition("%22arn%3Aaws%3Aiam%3A%3A1%3Aroot%22", "aws", "aws-iso-b"),
            "%22arn%3Aaws-iso-b%3Aiam%3A%3A1%3Aroot%22");
}

TEST(PartitionTranslationTest, RewritesEveryStringOfAnAnswerButNoKey) {
  boost::json::value answer = boost::json::parse(
      R"({"arn:aws:key": "arn:aws:iam::1:root", "List": [{"Arn": "arn:aws:iam::1:user/u"}, 7],
          "Document": "{\"Resource\":\"arn:aws:s3:::b\"}"})");
  RewriteArnPartition(answer, "aws", "aws-cn");
  EXPECT_EQ(answer, boost::json::parse(
                        R"({"arn:aws:key": "arn:aws-cn:iam::1:root",
                            "List": [{"Arn": "arn:aws-cn:iam::1:user/u"}, 7],
                            "Document": "{\"Resource\":\"arn:aws-cn:s3:::b\"}"})"));
}

TEST(PartitionTranslationTest, RegionsMapToBotocoresPartitions) {
  EXPECT_EQ(PartitionOfRegion("us-east-1"), "aws");
  EXPECT_EQ(PartitionOfRegion("cn-northwest-1"), "aws-cn");
  EXPECT_EQ(PartitionOfRegion("us-gov-east-1"), "aws-us-gov");
  EXPECT_EQ(PartitionOfRegion("us-iso-west-1"), "aws-iso");
  EXPECT_EQ(PartitionOfRegion("us-isob-east-1"), "aws-iso-b");
  EXPECT_EQ(PartitionOfRegion(""), "aws");
  EXPECT_TRUE(IsKnownPartition("aws-iso-b"));
  EXPECT_FALSE(IsKnownPartition("aws-mars"));
}

}  // namespace
}  // namespace orgtwin::gateway
