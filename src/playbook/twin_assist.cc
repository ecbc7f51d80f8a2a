#include "playbook/twin_assist.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/algorithm/string/trim.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "auth/totp.h"
#include "client/credentials_file.h"
#include "common/base64.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/json_fields.h"

namespace orgtwin::playbook {
namespace {

namespace json = boost::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("cannot write " + temporary);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return InternalError("cannot write " + path);
  }
  return Status::Ok();
}

// The section names of an INI text, trimmed ("profile customer-payer", "partner").
bool HasSection(const std::string& text, const std::string& section) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    boost::algorithm::trim(line);
    if (line == "[" + section + "]") return true;
  }
  return false;
}

// One virtual MFA device the assist made: its seed and the last TOTP step it used.
struct MfaDevice {
  std::string serial;
  std::string seed_base32;
  int64_t last_step = 0;
};

// Whether `serial` names a root user's virtual MFA device (arn:aws:iam::ACCOUNT:mfa/NAME).
bool IsRootMfaSerial(std::string_view serial) {
  const std::string suffix = ":mfa/" + std::string(TwinAssist::kRootMfaDeviceName);
  return serial.size() > suffix.size() &&
         serial.compare(serial.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<MfaDevice> ReadMfaDevices(const std::string& path) {
  std::vector<MfaDevice> devices;
  std::istringstream lines(ReadText(path));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    MfaDevice device;
    if (fields >> device.serial >> device.seed_base32 >> device.last_step) {
      devices.push_back(device);
    }
  }
  return devices;
}

Status WriteMfaDevices(const std::string& path, const std::vector<MfaDevice>& devices) {
  std::string text =
      "# orgtwin rehearsal: virtual MFA devices (serial, Base32 seed, last TOTP step used)\n";
  for (const MfaDevice& device : devices) {
    text +=
        device.serial + " " + device.seed_base32 + " " + std::to_string(device.last_step) + "\n";
  }
  return WriteAtomically(path, text);
}

}  // namespace

TwinAssist::TwinAssist(ProfileFiles files, std::string endpoint_url,
                       std::shared_ptr<client::Transport> transport)
    : files_(std::move(files)),
      endpoint_url_(std::move(endpoint_url)),
      transport_(std::move(transport)) {}

bool TwinAssist::HasProfile(const std::string& profile) const {
  return HasSection(ReadText(files_.credentials), profile) ||
         HasSection(ReadText(files_.config), "profile " + profile);
}

Result<client::Credentials> TwinAssist::RootCredentials(const std::string& profile) const {
  return client::ParseSharedCredentials(ReadText(files_.credentials), profile);
}

client::Client TwinAssist::ClientWith(client::Credentials credentials) const {
  client::ClientOptions options;
  options.endpoint_url = endpoint_url_;
  options.credentials = std::move(credentials);
  return client::Client(options, transport_);
}

client::Client TwinAssist::Anonymous() const {
  // Sign-up, the console's sign-in and recovery pages and the mailboxes are unauthenticated
  // (smithy.api#noAuth); the client signs anyway and the twin ignores the signature, as it would
  // an anonymous request.
  return ClientWith({"AKIAANONYMOUSSIGNUP0", "anonymous", ""});
}

Status TwinAssist::WriteRootProfile(const std::string& profile, const json::object& key) {
  OT_RETURN_IF_ERROR(client::WriteIniSection(
      files_.credentials, profile,
      {{"aws_access_key_id", std::string(key.at("AccessKeyId").as_string())},
       {"aws_secret_access_key", std::string(key.at("SecretAccessKey").as_string())}}));
  return client::WriteIniSection(files_.config, "profile " + profile,
                                 {{"region", "us-east-1"}, {"output", "json"}});
}

Result<SignedUp> TwinAssist::SignUp(const structure::Account& account, const std::string& profile) {
  client::Client twin = Anonymous();
  json::object input{{"Email", account.email}, {"AccountName", account.name}};
  if (account.existing_id) input["AccountId"] = *account.existing_id;
  auto created = twin.Call("orgtwin", "SignUp", input);
  if (!created.ok() && created.error().code == "EmailAlreadyExists") {
    // Emails are unique among AWS accounts, so the account with the file's email is this one:
    // signed up by a run that stopped before it saved the root keys.
    OT_ASSIGN_OR_RETURN(std::string id, RecoverRootKeys(account, profile));
    return SignedUp{id, true};
  }
  if (!created.ok()) {
    return InvalidInputError("signing up account `" + account.key +
                             "`: " + created.error().ToString());
  }
  OT_RETURN_IF_ERROR(WriteRootProfile(profile, *created));
  return SignedUp{std::string(created->at("AccountId").as_string()), false};
}

Result<std::string> TwinAssist::RecoverRootKeys(const structure::Account& account,
                                                const std::string& profile) {
  const std::string& email = account.email;
  const std::string& owner = account.owner.value;
  auto failed = [&](std::string_view doing, const client::Error& error) {
    return InvalidInputError("recovering the root user of account `" + account.key + "` (" + email +
                             "): " + std::string(doing) + ": " + error.ToString());
  };
  client::Client twin = Anonymous();
  // The forgotten-password page mails a reset link to the root email, which the owner reads.
  auto asked = twin.Call("orgtwin", "StartRootPasswordReset", {{"Email", email}});
  if (!asked.ok()) return failed("asking for a password reset", asked.error());
  OT_ASSIGN_OR_RETURN(std::string token, LatestMailToken(email, owner, "Subject", "password"));
  if (token.empty()) {
    return InvalidInputError("recovering the root user of account `" + account.key +
                             "`: no password reset link reached " + email);
  }
  // A password nobody keeps: the rehearsal needs one sign-in, and the file's custody gives the
  // root password to its holder later. Upper, lower, digit and symbol, whatever the policy.
  SecureIdGenerator random;
  const std::string password = "Rehearsal-9" + random.RandomString(24, IdGenerator::kSecretChars);
  auto reset = twin.Call("orgtwin", "CompleteRootPasswordReset",
                         {{"Token", token}, {"NewPassword", password}});
  if (!reset.ok()) return failed("setting a new password", reset.error());
  // No Parties named: the twin records no holder of the password just set.
  auto signed_in =
      twin.Call("orgtwin", "ConsoleSignIn", {{"Email", email}, {"Password", password}});
  // A root user under MFA (task I.3 ran) signs in only with a code from its device, which its
  // holder reads out: each root device this assist made is tried (the account's ID, which its
  // serial names, is what is being recovered).
  for (const MfaDevice& device : ReadMfaDevices(files_.mfa_devices)) {
    if (signed_in.ok() || signed_in.error().code != "MfaRequired") break;
    if (!IsRootMfaSerial(device.serial)) continue;
    OT_ASSIGN_OR_RETURN(std::string code, MfaCode(device.serial));
    signed_in = twin.Call("orgtwin", "ConsoleSignIn",
                          {{"Email", email}, {"Password", password}, {"MfaCode", code}});
  }
  if (!signed_in.ok()) return failed("signing in as the root user", signed_in.error());
  const std::string id = json_fields::Str(*signed_in, "AccountId");
  if (account.existing_id && *account.existing_id != id) {
    return InvalidInputError("account `" + account.key + "`: email " + email +
                             " belongs to account " + id + ", not " + *account.existing_id);
  }
  const json::object& session = signed_in->at("Credentials").as_object();
  client::Client root = ClientWith({json_fields::Str(session, "AccessKeyId"),
                                    json_fields::Str(session, "SecretAccessKey"),
                                    json_fields::Str(session, "SessionToken")});
  // The keys the stopped run never saved reach nobody: delete them, so the root user keeps only
  // the key the profile holds (and stays under IAM's two keys per user).
  auto keys = root.Call("iam", "ListAccessKeys", {});
  if (!keys.ok()) return failed("listing the root user's access keys", keys.error());
  for (const json::value& key : keys->at("AccessKeyMetadata").as_array()) {
    const std::string key_id = json_fields::Str(key.as_object(), "AccessKeyId");
    auto deleted = root.Call("iam", "DeleteAccessKey", {{"AccessKeyId", key_id}});
    if (!deleted.ok()) return failed("deleting the unsaved access key " + key_id, deleted.error());
  }
  auto key = root.Call("iam", "CreateAccessKey", {});
  if (!key.ok()) return failed("creating a root access key", key.error());
  OT_RETURN_IF_ERROR(WriteRootProfile(profile, key->at("AccessKey").as_object()));
  return id;
}

Status TwinAssist::CallAsRoot(const std::string& profile, const std::string& operation,
                              const boost::json::object& input, std::string_view doing) {
  OT_ASSIGN_OR_RETURN(client::Credentials credentials, RootCredentials(profile));
  auto answered = ClientWith(std::move(credentials)).Call("orgtwin", operation, input);
  if (!answered.ok()) {
    return InvalidInputError(std::string(doing) + " as profile `" + profile +
                             "`: " + answered.error().ToString());
  }
  return Status::Ok();
}

Status TwinAssist::AddPaymentMethod(const std::string& profile) {
  return CallAsRoot(profile, "CreatePaymentMethod", {}, "adding a payment method");
}

Status TwinAssist::ActivateBillingAccess(const std::string& profile) {
  return CallAsRoot(profile, "SetIamUserAccessToBilling", {{"Enabled", true}},
                    "activating IAM access to billing");
}

Result<std::string> TwinAssist::LatestMailToken(const std::string& address,
                                                const std::string& party, std::string_view field,
                                                std::string_view part) {
  auto mail =
      Anonymous().Call("orgtwin", "ListMailboxMessages", {{"Address", address}, {"Party", party}});
  if (!mail.ok()) {
    return InvalidInputError("reading mailbox " + address + ": " + mail.error().ToString());
  }
  std::string token;
  for (const json::value& message : mail->at("Messages").as_array()) {
    const json::value* t = message.as_object().if_contains("Token");
    // Messages are oldest first, and a new link or code retires the older ones: the last wins.
    if (t != nullptr && t->is_string() &&
        json_fields::Str(message.as_object(), field).find(part) != std::string::npos) {
      token = std::string(t->as_string());
    }
  }
  return token;
}

Status TwinAssist::HandOverRoot(const std::string& profile, const std::string& new_email,
                                const std::string& holder, bool email_moved) {
  OT_ASSIGN_OR_RETURN(client::Credentials credentials, RootCredentials(profile));
  client::Client root = ClientWith(credentials);
  auto failed = [&](std::string_view doing, const client::Error& error) {
    return InvalidInputError("handing the root user of profile `" + profile + "` to " + holder +
                             ": " + std::string(doing) + ": " + error.ToString());
  };
  if (!email_moved) {
    auto started = root.Call("orgtwin", "StartRootEmailChange", {{"NewEmail", new_email}});
    if (!started.ok()) return failed("changing the root email", started.error());
    OT_ASSIGN_OR_RETURN(std::string code, LatestMailToken(new_email, holder, "Subject",
                                                          "verify your new email address"));
    auto completed =
        root.Call("orgtwin", "CompleteRootEmailChange", {{"NewEmail", new_email}, {"Code", code}});
    if (!completed.ok()) return failed("confirming the new root email", completed.error());
  }
  // The new holder's own password, through the forgotten-password page and its mailbox.
  client::Client twin = Anonymous();
  auto asked = twin.Call("orgtwin", "StartRootPasswordReset", {{"Email", new_email}});
  if (!asked.ok()) return failed("asking for a password reset", asked.error());
  OT_ASSIGN_OR_RETURN(std::string token, LatestMailToken(new_email, holder, "Subject", "password"));
  SecureIdGenerator random;
  auto reset =
      twin.Call("orgtwin", "CompleteRootPasswordReset",
                {{"Token", token},
                 {"NewPassword", "Holder-7" + random.RandomString(24, IdGenerator::kSecretChars)}});
  if (!reset.ok()) return failed("setting the new holder's password", reset.error());
  // Last, the root access keys: the others, then the one this call signs with.
  auto keys = root.Call("iam", "ListAccessKeys", {});
  if (!keys.ok()) return failed("listing the root user's access keys", keys.error());
  std::vector<std::string> ids;
  for (const json::value& key : keys->at("AccessKeyMetadata").as_array()) {
    std::string id = json_fields::Str(key.as_object(), "AccessKeyId");
    if (id != credentials.access_key_id) ids.push_back(std::move(id));
  }
  ids.push_back(credentials.access_key_id);
  for (const std::string& id : ids) {
    auto deleted = root.Call("iam", "DeleteAccessKey", {{"AccessKeyId", id}});
    if (!deleted.ok()) return failed("deleting root access key " + id, deleted.error());
  }
  return Status::Ok();
}

Result<std::string> TwinAssist::SubscriptionToken(const std::string& address,
                                                  const std::string& party,
                                                  const std::string& topic_arn) {
  return LatestMailToken(address, party, "Body", topic_arn);
}

Status TwinAssist::ProvisionRoleProfile(structure::Session& session, const std::string& party,
                                        const std::string& user_account, const std::string& user,
                                        const std::string& role_arn, bool with_mfa,
                                        const std::string& profile) {
  const std::string source = profile + "-source";
  if (!HasSection(ReadText(files_.credentials), source)) {
    OT_ASSIGN_OR_RETURN(json::object key, session.Require(party, user_account, "iam",
                                                          "CreateAccessKey", {{"UserName", user}}));
    const json::object& access_key = key.at("AccessKey").as_object();
    OT_RETURN_IF_ERROR(client::WriteIniSection(
        files_.credentials, source,
        {{"aws_access_key_id", std::string(access_key.at("AccessKeyId").as_string())},
         {"aws_secret_access_key", std::string(access_key.at("SecretAccessKey").as_string())}}));
  }
  std::vector<std::pair<std::string, std::string>> role_profile = {
      {"role_arn", role_arn}, {"source_profile", source}, {"region", "us-east-1"}};
  if (with_mfa) {
    std::vector<MfaDevice> devices = ReadMfaDevices(files_.mfa_devices);
    std::string serial;
    OT_ASSIGN_OR_RETURN(
        json::object listed,
        session.Require(party, user_account, "iam", "ListMFADevices", {{"UserName", user}}));
    for (const json::value& device : listed["MFADevices"].as_array()) {
      std::string existing(device.as_object().at("SerialNumber").as_string());
      for (const MfaDevice& known : devices) {
        if (known.serial == existing) serial = existing;
      }
    }
    if (serial.empty()) {
      OT_ASSIGN_OR_RETURN(
          serial,
          EnrollVirtualMfa(session, party, user_account, user, [&](const json::object& codes) {
            json::object input = codes;
            input["UserName"] = user;
            return session.Require(party, user_account, "iam", "EnableMFADevice", input).status();
          }));
    }
    role_profile.emplace_back("mfa_serial", serial);
  }
  return client::WriteIniSection(files_.config, "profile " + profile, role_profile);
}

Result<std::string> TwinAssist::EnrollVirtualMfa(
    structure::Session& session, const std::string& party, const std::string& account,
    const std::string& device_name,
    const std::function<Status(const boost::json::object& codes)>& enable) {
  OT_ASSIGN_OR_RETURN(json::object created,
                      session.Require(party, account, "iam", "CreateVirtualMFADevice",
                                      {{"VirtualMFADeviceName", device_name}}));
  const json::object& device = created.at("VirtualMFADevice").as_object();
  std::string serial(device.at("SerialNumber").as_string());
  std::string seed_base32;
  if (!Base64Decode(device.at("Base32StringSeed").as_string(), &seed_base32)) {
    return InternalError("CreateVirtualMFADevice returned a seed that is not base64");
  }
  OT_ASSIGN_OR_RETURN(std::string secret, auth::Base32Decode(seed_base32));
  // Two consecutive codes from two steps back, so the steps up to two ahead stay free for the
  // sign-ins that follow (the twin accepts two steps of drift either way, as AWS).
  const int64_t step = auth::TotpStep(SystemClock().Now()) - 2;
  auto at = [](int64_t s) { return TimePoint{std::chrono::seconds(s * auth::kTotpStepSeconds)}; };
  OT_RETURN_IF_ERROR(enable({{"SerialNumber", serial},
                             {"AuthenticationCode1", auth::TotpCode(secret, at(step))},
                             {"AuthenticationCode2", auth::TotpCode(secret, at(step + 1))}}));
  std::vector<MfaDevice> devices = ReadMfaDevices(files_.mfa_devices);
  devices.push_back({serial, seed_base32, step + 1});
  OT_RETURN_IF_ERROR(WriteMfaDevices(files_.mfa_devices, devices));
  return serial;
}

Result<std::string> TwinAssist::EnableRootMfa(structure::Session& session, const std::string& party,
                                              const std::string& account) {
  // A run stopped between creating the device and enabling it left the device unassigned and its
  // seed unsaved: it is deleted and made again, as a person who lost the QR code would.
  OT_ASSIGN_OR_RETURN(json::object unassigned,
                      session.Require(party, account, "iam", "ListVirtualMFADevices",
                                      {{"AssignmentStatus", "Unassigned"}}));
  for (const json::value& device : unassigned["VirtualMFADevices"].as_array()) {
    std::string serial(device.as_object().at("SerialNumber").as_string());
    if (!IsRootMfaSerial(serial)) continue;
    OT_RETURN_IF_ERROR(
        session.Require(party, account, "iam", "DeleteVirtualMFADevice", {{"SerialNumber", serial}})
            .status());
  }
  return EnrollVirtualMfa(
      session, party, account, std::string(kRootMfaDeviceName), [&](const json::object& codes) {
        return session.Require(party, account, "orgtwin", "EnableRootMfaDevice", codes).status();
      });
}

Result<std::string> TwinAssist::MfaCode(std::string_view serial) {
  std::vector<MfaDevice> devices = ReadMfaDevices(files_.mfa_devices);
  for (MfaDevice& device : devices) {
    if (device.serial != serial) continue;
    OT_ASSIGN_OR_RETURN(std::string secret, auth::Base32Decode(device.seed_base32));
    // The oldest step the twin still accepts (two back) that is newer than the last one used;
    // when all are used, wait until the clock reaches the step at which `step` is accepted (two
    // ahead of it), as a person would wait for the device's next code.
    int64_t step = std::max(auth::TotpStep(SystemClock().Now()) - 2, device.last_step + 1);
    std::this_thread::sleep_until(std::chrono::system_clock::time_point{
        std::chrono::seconds((step - 2) * auth::kTotpStepSeconds)});
    device.last_step = step;
    OT_RETURN_IF_ERROR(WriteMfaDevices(files_.mfa_devices, devices));
    return auth::TotpCode(secret, TimePoint{std::chrono::seconds(step * auth::kTotpStepSeconds)});
  }
  return NotFoundError("no virtual MFA device " + std::string(serial) + " in " +
                       files_.mfa_devices);
}

}  // namespace orgtwin::playbook
