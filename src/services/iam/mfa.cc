// Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice,
// DeleteVirtualMFADevice, ResyncMFADevice, ListMFADevices, ListVirtualMFADevices, GetMFADevice
// and the MFA device tags, plus the code checks of mfa.h.
#include "services/iam/mfa.h"

#include "auth/totp.h"
#include "common/base64.h"
#include "common/qr_code.h"
#include "repo/account_repository.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// AWS-COMPAT: AWS's virtual MFA seeds are 40 random bytes, 64 Base32 characters (no padding).
constexpr size_t kSeedBytes = 40;
// Users per account: AWS bounds virtual MFA devices per account by the user quota.
constexpr int64_t kVirtualMfaDevicesPerAccount = kUsersPerAccount;
// EnableMFADevice and ResyncMFADevice look further for the first code than a sign-in does: a
// device may have drifted (that is what a resync is for).
constexpr int kResyncWindowSteps = 10;

Status BadCode() {
  // AWS-COMPAT: the same message for a wrong, stale or replayed code.
  return InvalidAuthenticationCode("Authentication code for device is not valid.");
}

Status DeviceNotFound(std::string_view serial) {
  return NoSuchEntity("VirtualMFADevice with serial number " + std::string(serial) +
                      " doesn't exist.");
}

Status UserDeviceNotFound(std::string_view serial, std::string_view user) {
  return NoSuchEntity("MFA Device with serial number " + std::string(serial) +
                      " does not exist for user " + std::string(user) + ".");
}

// Two consecutive codes: code1 at step s (within `window` of now), code2 at s + 1, both newer
// than the last accepted step. Returns the step of code2.
Result<int64_t> MatchConsecutive(const MfaDeviceRow& device, std::string_view code1,
                                 std::string_view code2, TimePoint now, int window) {
  OT_ASSIGN_OR_RETURN(std::string secret, auth::Base32Decode(device.seed_base32));
  int64_t now_step = auth::TotpStep(now);
  for (int64_t s = now_step - window; s <= now_step + window; ++s) {
    if (s <= device.last_used_step) continue;
    TimePoint at{std::chrono::seconds(s * auth::kTotpStepSeconds)};
    TimePoint next{std::chrono::seconds((s + 1) * auth::kTotpStepSeconds)};
    if (auth::TotpCode(secret, at) == code1 && auth::TotpCode(secret, next) == code2) return s + 1;
  }
  return BadCode();
}

// Whose devices a request is about: UserName when given, else the caller (a user, or root).
struct Owner {
  std::string user_id;    // "" = root
  std::string user_name;  // the account ID for root (MFADevice.UserName is required)
  std::optional<UserRow> user;
};

Result<Owner> ResolveOwner(gateway::RequestContext& ctx, store::Transaction& tx,
                           const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string name = Str(input, "UserName");
  if (name.empty()) {
    if (ctx.caller.type == auth::PrincipalType::kRoot) return Owner{"", account, std::nullopt};
    if (ctx.caller.type != auth::PrincipalType::kUser) {
      return InvalidInputError("Must specify userName when calling with non-User credentials")
          .WithAwsCode("ValidationError");
    }
    name = ctx.caller.name;
  }
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, name));
  return Owner{user.user_id, user.name, user};
}

Result<Json> UserObjectForId(store::Transaction& tx, const gateway::RequestContext& ctx,
                             const std::string& account, const std::string& user_id) {
  if (user_id.empty()) {
    // AWS-COMPAT: the root user appears as its ARN and the account ID as UserId.
    OT_ASSIGN_OR_RETURN(auto registered, repo::FindAccount(tx, account));
    Json root{{"UserId", account}, {"Arn", auth::RootArn(account)}};
    root["CreateDate"] =
        registered.has_value() ? std::floor(registered->created_at) : NowSeconds(ctx);
    return root;
  }
  OT_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT user_id, account_id, user_name, path, created_at FROM iam_users "
                          "WHERE user_id = ?",
                          {user_id}));
  if (rows.empty()) return Json();
  const store::Row& r = rows.front();
  return UserObject(UserRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), "", r.Double(4)});
}

Result<std::string> DeviceIdOf(const std::string& account, store::Transaction& tx,
                               const Json& input) {
  std::string serial = Str(input, "SerialNumber");
  OT_ASSIGN_OR_RETURN(auto device, FindMfaDevice(tx, serial));
  if (!device.has_value() || device->account_id != account) return DeviceNotFound(serial);
  return device->serial_number;
}

// The device `serial` if `owner` of `account` holds it; AWS answers NoSuchEntity otherwise.
Result<MfaDeviceRow> FindOwnedDevice(store::Transaction& tx, const std::string& account,
                                     const Owner& owner, const std::string& serial) {
  OT_ASSIGN_OR_RETURN(auto device, FindMfaDevice(tx, serial));
  if (!device.has_value() || device->account_id != account || device->user_id != owner.user_id) {
    return UserDeviceNotFound(serial, owner.user_name);
  }
  return *std::move(device);
}

}  // namespace

Result<int64_t> CountMfaDevices(store::Transaction& tx, std::string_view account_id,
                                std::string_view user_id) {
  return CountRows(tx, "SELECT COUNT(*) FROM iam_mfa_devices WHERE account_id = ? AND user_id = ?",
                   {std::string(account_id), std::string(user_id)});
}

Status VerifyMfaToken(store::Transaction& tx, std::string_view account_id, std::string_view user_id,
                      std::string_view serial_number, std::string_view code, TimePoint now) {
  OT_ASSIGN_OR_RETURN(auto device, FindMfaDevice(tx, serial_number));
  if (!device.has_value() || device->account_id != account_id || !device->user_id.has_value() ||
      *device->user_id != user_id) {
    return BadCode();
  }
  OT_ASSIGN_OR_RETURN(std::string secret, auth::Base32Decode(device->seed_base32));
  std::optional<int64_t> step = auth::MatchTotpStep(secret, code, now, kMfaWindowSteps);
  if (!step.has_value() || *step <= device->last_used_step) return BadCode();
  return repo::SetMfaLastUsedStep(tx, device->serial_number, *step);
}

Status EnableMfaDevice(store::Transaction& tx, std::string_view account_id,
                       std::string_view user_id, std::string_view serial_number,
                       std::string_view code1, std::string_view code2, TimePoint now) {
  OT_ASSIGN_OR_RETURN(auto device, FindMfaDevice(tx, serial_number));
  if (!device.has_value() || device->account_id != account_id) {
    return DeviceNotFound(serial_number);
  }
  if (device->user_id.has_value()) return EntityAlreadyExists("MFA Device is already in use.");
  OT_ASSIGN_OR_RETURN(int64_t count, CountMfaDevices(tx, account_id, user_id));
  if (count >= kMfaDevicesPerUser) {
    return LimitExceeded("Cannot exceed quota for MFADevicesPerUser: " +
                         std::to_string(kMfaDevicesPerUser));
  }
  OT_ASSIGN_OR_RETURN(int64_t step,
                      MatchConsecutive(*device, code1, code2, now, kResyncWindowSteps));
  return Exec(tx,
              "UPDATE iam_mfa_devices SET user_id = ?, enabled_at = ?, last_used_step = ? "
              "WHERE serial_number = ?",
              {std::string(user_id), std::floor(ToEpochSeconds(now)), step, device->serial_number});
}

Result<Json> CreateVirtualMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string name = Str(input, "VirtualMFADeviceName");
  std::string path = Str(input, "Path", "/");
  std::string serial = IamArn(account, "mfa", path, name);
  std::string seed_bytes(kSeedBytes, '\0');
  ctx.twin.ids.RandomBytes(reinterpret_cast<uint8_t*>(seed_bytes.data()), seed_bytes.size());
  std::string seed = auth::Base32Encode(seed_bytes);
  // The QR code is made before the write: the device exists only if the whole answer does.
  std::string uri = "otpauth://totp/Amazon%20Web%20Services:" + name + "@" + account +
                    "?secret=" + seed + "&issuer=Amazon%20Web%20Services";
  OT_ASSIGN_OR_RETURN(QrCode qr, EncodeQr(uri));
  Status exists = EntityAlreadyExists("MFADevice entity at the same path and name already exists.");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(int64_t clash,
                      CountRows(tx,
                                "SELECT COUNT(*) FROM iam_mfa_devices WHERE account_id = ? AND "
                                "lower(device_name) = ?",
                                {account, Lower(name)}));
  if (clash > 0) return exists;
  OT_ASSIGN_OR_RETURN(
      int64_t count,
      CountRows(tx, "SELECT COUNT(*) FROM iam_mfa_devices WHERE account_id = ?", {account}));
  if (count >= kVirtualMfaDevicesPerAccount) {
    return LimitExceeded("Cannot exceed quota for VirtualMFADevicesPerAccount: " +
                         std::to_string(kVirtualMfaDevicesPerAccount));
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_mfa_devices (serial_number, account_id, device_name, "
                          "path, seed_base32, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                          {serial, account, name, path, seed, NowSeconds(ctx)}));
  OT_RETURN_IF_ERROR(ApplyTags(tx, "MFADevice", serial, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "MFADevice", serial));
  // AWS-COMPAT: Base32StringSeed is a blob whose bytes are the Base32 text; QRCodePNG is a PNG
  // of the otpauth:// URI authenticator apps scan (`aws iam create-virtual-mfa-device
  // --bootstrap-method QRCodePNG --outfile F` writes it to F). The Query protocol carries
  // blobs base64-encoded.
  Json device{{"SerialNumber", serial},
              {"Base32StringSeed", Base64Encode(seed)},
              {"QRCodePNG", Base64Encode(QrPng(qr))}};
  if (!tags.empty()) device["Tags"] = std::move(tags);
  return Json{{"VirtualMFADevice", std::move(device)}};
}

Result<Json> EnableMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Owner owner, ResolveOwner(ctx, tx, input));
  OT_RETURN_IF_ERROR(EnableMfaDevice(tx, account, owner.user_id, Str(input, "SerialNumber"),
                                     Str(input, "AuthenticationCode1"),
                                     Str(input, "AuthenticationCode2"), ctx.now));
  return Json();
}

Result<Json> ResyncMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string serial = Str(input, "SerialNumber");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Owner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(MfaDeviceRow device, FindOwnedDevice(tx, account, owner, serial));
  // A resync may move the device's clock backwards relative to the last accepted step.
  device.last_used_step = 0;
  OT_ASSIGN_OR_RETURN(int64_t step, MatchConsecutive(device, Str(input, "AuthenticationCode1"),
                                                     Str(input, "AuthenticationCode2"), ctx.now,
                                                     kResyncWindowSteps));
  OT_RETURN_IF_ERROR(repo::SetMfaLastUsedStep(tx, serial, step));
  return Json();
}

Result<Json> DeactivateMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string serial = Str(input, "SerialNumber");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Owner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(MfaDeviceRow device, FindOwnedDevice(tx, account, owner, serial));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_mfa_devices SET user_id = NULL, enabled_at = NULL "
                          "WHERE serial_number = ?",
                          {serial}));
  return Json();
}

Result<Json> DeleteVirtualMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string serial = Str(input, "SerialNumber");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto device, FindMfaDevice(tx, serial));
  if (!device.has_value() || device->account_id != account) return DeviceNotFound(serial);
  if (device->user_id.has_value()) {
    return DeleteConflict("MFA device is still in use. Deactivate the device first.");
  }
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, "MFADevice", serial));
  OT_RETURN_IF_ERROR(Exec(tx, "DELETE FROM iam_mfa_devices WHERE serial_number = ?", {serial}));
  return Json();
}

Result<Json> ListMFADevices(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Owner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(auto devices,
                      repo::MfaDevicesOfUser(tx, AccountOf(ctx), owner.user_id, page.start_key,
                                             static_cast<int64_t>(page.max_items + 1)));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(devices.size());
  for (const MfaDeviceRow& d : devices) {
    items.emplace_back(d.serial_number, Json{{"UserName", owner.user_name},
                                             {"SerialNumber", d.serial_number},
                                             {"EnableDate", d.enabled_at.value_or(0)}});
  }
  Json out;
  EmitPage(std::move(items), page, "MFADevices", out);
  return out;
}

Result<Json> ListVirtualMFADevices(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string status = Str(input, "AssignmentStatus", "Any");
  repo::MfaAssignment assignment = status == "Assigned"     ? repo::MfaAssignment::kAssigned
                                   : status == "Unassigned" ? repo::MfaAssignment::kUnassigned
                                                            : repo::MfaAssignment::kAny;
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto devices,
                      repo::MfaDevicesOfAccount(tx, account, assignment, page.start_key,
                                                static_cast<int64_t>(page.max_items + 1)));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(devices.size());
  for (const MfaDeviceRow& d : devices) {
    Json device{{"SerialNumber", d.serial_number}};
    if (d.user_id.has_value()) {
      OT_ASSIGN_OR_RETURN(Json user, UserObjectForId(tx, ctx, account, *d.user_id));
      device["User"] = std::move(user);
      device["EnableDate"] = d.enabled_at.value_or(0);
    }
    OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, "MFADevice", d.serial_number));
    if (!tags.empty()) device["Tags"] = std::move(tags);
    items.emplace_back(d.serial_number, std::move(device));
  }
  Json out;
  EmitPage(std::move(items), page, "VirtualMFADevices", out);
  return out;
}

Result<Json> GetMFADevice(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string serial = Str(input, "SerialNumber");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(Owner owner, ResolveOwner(ctx, tx, input));
  OT_ASSIGN_OR_RETURN(MfaDeviceRow device, FindOwnedDevice(tx, account, owner, serial));
  Json out{{"SerialNumber", serial}, {"EnableDate", device.enabled_at.value_or(0)}};
  if (!owner.user_id.empty()) out["UserName"] = owner.user_name;
  return out;
}

Result<Json> TagMFADevice(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, "MFADevice", [&](store::Transaction& tx, const Json& in) {
    return DeviceIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> UntagMFADevice(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, "MFADevice", [&](store::Transaction& tx, const Json& in) {
    return DeviceIdOf(AccountOf(ctx), tx, in);
  });
}

Result<Json> ListMFADeviceTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, "MFADevice", [&](store::Transaction& tx, const Json& in) {
    return DeviceIdOf(AccountOf(ctx), tx, in);
  });
}

Result<int64_t> DeactivateAllMfaDevices(store::Transaction& tx, std::string_view account_id,
                                        std::string_view user_id) {
  return tx.Execute(
      "UPDATE iam_mfa_devices SET user_id = NULL, enabled_at = NULL WHERE account_id = ? AND "
      "user_id = ?",
      {std::string(account_id), std::string(user_id)});
}

}  // namespace orgtwin::services::iam
