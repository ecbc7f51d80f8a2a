// File: gateway/partition_translation.h
//
// The twin stores and evaluates every ARN in the aws spelling (arn:aws:...). A call made in
// another partition (common/partition.h) -- by an account that lives there, or, in permissive
// mode, signed for one of its regions -- writes and reads its own: the gateway rewrites
// "arn:<partition>:" to "arn:aws:" in the call's input (policy documents included, being strings)
// and back in its answer and error message. Accounts of different partitions never meet (no
// organization, trust or resource policy crosses a partition on AWS), so one spelling inside is
// enough.
//
// AWS-COMPAT: what leaves the twin outside a call -- CloudTrail log files, EventBridge and SNS
// deliveries -- keeps the aws spelling; so does a document an aws-cn caller writes with arn:aws:
// in it, which AWS would refuse.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace orgtwin::gateway {

// `text` with every "arn:<from>:" rewritten to "arn:<to>:".
std::string RewriteArnPartition(std::string_view text, std::string_view from, std::string_view to);
// The same in every string of `value`, at any depth (object keys are left alone).
void RewriteArnPartition(boost::json::value& value, std::string_view from, std::string_view to);
void RewriteArnPartition(boost::json::object& object, std::string_view from, std::string_view to);

}  // namespace orgtwin::gateway
