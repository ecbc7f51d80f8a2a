// File: common/partition.h
//
// AWS partitions: which partition a region belongs to, and the ARN text of each. The rules are
// botocore's partition data (data/endpoints.json, "partitions": each partition's regionRegex),
// as Debian's python3-botocore 1.29 ships it:
//   aws         ^(us|eu|ap|sa|ca|me|af)-\w+-\d+$   (and any region no other partition claims)
//   aws-cn      ^cn-\w+-\d+$
//   aws-us-gov  ^us-gov-\w+-\d+$
//   aws-iso     ^us-iso-\w+-\d+$
//   aws-iso-b   ^us-isob-\w+-\d+$
// Newer partitions (aws-iso-e, aws-iso-f, aws-eusc) are not in that data and fall to aws.
//
// The twin stores every ARN in the aws spelling; an account of another partition sees and writes
// its own (gateway/partition_translation.h).
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <string_view>

namespace orgtwin {

inline constexpr std::string_view kDefaultPartition = "aws";

// Every partition the twin knows, aws first.
inline constexpr std::array<std::string_view, 5> kPartitions = {"aws", "aws-cn", "aws-us-gov",
                                                                "aws-iso", "aws-iso-b"};

inline bool IsKnownPartition(std::string_view name) {
  for (std::string_view p : kPartitions) {
    if (p == name) return true;
  }
  return false;
}

// The partition of `region` ("cn-north-1" -> "aws-cn"); aws for every other region, and for ""
// (a request without a region scope).
inline std::string_view PartitionOfRegion(std::string_view region) {
  auto starts = [&](std::string_view prefix) { return region.substr(0, prefix.size()) == prefix; };
  if (starts("cn-")) return "aws-cn";
  if (starts("us-gov-")) return "aws-us-gov";
  if (starts("us-isob-")) return "aws-iso-b";
  if (starts("us-iso-")) return "aws-iso";
  return kDefaultPartition;
}

}  // namespace orgtwin
