// File: services/iam/mfa.h
//
// Virtual MFA devices of IAM users and of the root user (iam_mfa_devices, migration 0005): the
// code checks shared by the IAM handlers (EnableMFADevice, ResyncMFADevice) and by anything else
// that accepts an MFA code -- STS AssumeRole/GetSessionToken (SerialNumber + TokenCode) and the
// root sign-in flows. Root devices are stored with user_id '' (empty).
//
// A TOTP code is accepted once: the device remembers the last accepted step, and an older or
// equal step is refused, as AWS refuses a replayed code.
//
// Thread-safety: free functions over the caller's Transaction; none commits.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "repo/iam_repository.h"
#include "store/store.h"

namespace orgtwin::services::iam {

// How many 30-second steps either side of now a code may be from (clock drift of the device).
inline constexpr int kMfaWindowSteps = 2;

// The devices' rows and their SQL: the IAM repository (repo/iam_repository.h), which STS's code
// check reads too.
using repo::FindMfaDevice;
using repo::MfaDeviceRow;

// Checks one code of the device `serial_number` assigned to `user_id` ("" = root) of
// `account_id`, and records its step so it cannot be used again. InvalidAuthenticationCode when
// the device is not assigned to that principal, the code is wrong, or it was already used.
Status VerifyMfaToken(store::Transaction& tx, std::string_view account_id, std::string_view user_id,
                      std::string_view serial_number, std::string_view code, TimePoint now);

// Assigns the unassigned virtual device `serial_number` to `user_id` ("" = root) after checking
// two consecutive codes (code2 the step after code1). EntityAlreadyExists if already assigned,
// LimitExceeded past 8 devices, InvalidAuthenticationCode for wrong codes.
Status EnableMfaDevice(store::Transaction& tx, std::string_view account_id,
                       std::string_view user_id, std::string_view serial_number,
                       std::string_view code1, std::string_view code2, TimePoint now);

// Deactivates every device of `user_id` ("" = root) of `account_id` (lost-device recovery): each
// becomes an unassigned virtual device again. Returns how many were deactivated.
Result<int64_t> DeactivateAllMfaDevices(store::Transaction& tx, std::string_view account_id,
                                        std::string_view user_id);

// Number of MFA devices assigned to `user_id` ("" = root).
Result<int64_t> CountMfaDevices(store::Transaction& tx, std::string_view account_id,
                                std::string_view user_id);

}  // namespace orgtwin::services::iam
