// File: policy/grammar.h
//
// The value-level rules IAM applies to a policy document after its JSON shape is accepted: the
// format of Resource/NotResource ARNs (partition, vendor, the region IAM and S3 resources may not
// carry, the resource types an IAM ARN may name) and the "legacy parser" checks (an ARN with an
// empty vendor or a doubled colon, a Date condition value that is neither ISO 8601 nor epoch
// seconds). document.cc runs them in the order AWS reports them; see ParsePolicy.
//
// The texts and the order are those AWS returns, as recorded by moto's policy tests
// (getmoto/moto tests/test_iam/test_iam_policies.py, written against real IAM responses).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orgtwin::policy {

// The MalformedPolicyDocument text for a Resource/NotResource value whose format IAM refuses,
// e.g. `Partition "x" is not valid for resource "arn:x:s3:::b:*".`; nullopt when it is accepted.
std::optional<std::string> ResourceFormatError(std::string_view resource);

// False when the legacy parser refuses an ARN that passed ResourceFormatError: a doubled colon
// with fewer than five colons ("arn:aws:s3::bucket") or an empty vendor ("arn:aws::x").
bool LegacyResourceParses(std::string_view resource);

// Whether a Date* condition value is an ISO 8601 date/time ("2019-07-01T13:20:15Z",
// "2016-12-13T21:20:37.593194+00:00", "01T") or epoch seconds (0 .. 2^63-1).
bool DateConditionValueParses(std::string_view value);

// The operator family of a condition operator with its ForAnyValue:/ForAllValues: prefix and
// IfExists suffix removed ("DateLessThanIfExists" -> "DateLessThan").
std::string_view BaseConditionOperator(std::string_view op);

}  // namespace orgtwin::policy
