#include "policy/request.h"

#include <chrono>

#include "common/clock.h"
#include "policy/matching.h"

namespace orgtwin::policy {

bool PrincipalTypeFromName(std::string_view name, PrincipalType* out) {
  static constexpr std::pair<std::string_view, PrincipalType> kNames[] = {
      {"Root", PrincipalType::kRoot},
      {"User", PrincipalType::kUser},
      {"AssumedRole", PrincipalType::kAssumedRole},
      {"FederatedUser", PrincipalType::kFederatedUser},
      {"ServiceLinkedRole", PrincipalType::kServiceLinkedRole},
      {"Anonymous", PrincipalType::kAnonymous},
      {"Service", PrincipalType::kService}};
  for (const auto& [n, t] : kNames) {
    if (n == name) {
      *out = t;
      return true;
    }
  }
  return false;
}

void Context::Set(std::string_view key, std::string value) {
  std::vector<std::string> v;
  v.push_back(std::move(value));
  std::string lower = AsciiLowerCopy(key);
  for (auto& e : entries_) {
    if (e.key == lower) {
      e.values = std::move(v);
      e.multi = false;
      return;
    }
  }
  Append(std::move(lower), std::move(v));
}

void Context::SetMulti(std::string_view key, std::vector<std::string> values) {
  std::string lower = AsciiLowerCopy(key);
  for (auto& e : entries_) {
    if (e.key == lower) {
      e.values = std::move(values);
      e.multi = true;
      return;
    }
  }
  entries_.push_back({std::move(lower), std::move(values), true});
}

void Context::SetDefault(std::string_view key, std::string value) {
  std::string lower = AsciiLowerCopy(key);
  if (Find(lower) != nullptr) return;
  std::vector<std::string> v;
  v.push_back(std::move(value));
  Append(std::move(lower), std::move(v));
}

void Context::Append(std::string lower_key, std::vector<std::string> values) {
  // Every authorized request derives a dozen global keys (Request::DeriveGlobalKeys) onto the
  // few its caller set: room for them at once instead of growing the vector four times.
  if (entries_.empty()) entries_.reserve(kTypicalEntries);
  entries_.push_back({std::move(lower_key), std::move(values), false});
}

const Context::Entry* Context::Find(std::string_view lower_key) const {
  for (const auto& e : entries_) {
    if (e.key == lower_key) return &e;
  }
  return nullptr;
}

std::string RoleArnFromSessionArn(std::string_view arn) {
  std::array<std::string_view, 6> p;
  if (!SplitArn(arn, &p) || p[2] != "sts" || !p[5].starts_with("assumed-role/")) return "";
  auto rest = p[5].substr(13);
  auto slash = rest.find('/');
  auto role = rest.substr(0, slash);
  return "arn:" + std::string(p[1]) + ":iam::" + std::string(p[4]) + ":role/" + std::string(role);
}

namespace {

std::string_view LastPathPart(std::string_view arn) {
  auto slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : arn.substr(slash + 1);
}

std::string IsoTime(int64_t t) {
  TimePoint at;
  if (!TimePointFromSeconds(t, &at)) return "";
  return FormatIso8601Seconds(at);
}

}  // namespace

void Request::DeriveGlobalKeys() {
  if (derived_) return;
  derived_ = true;
  const auto& p = principal;
  if (p.role_arn.empty() &&
      (p.type == PrincipalType::kAssumedRole || p.type == PrincipalType::kServiceLinkedRole)) {
    principal.role_arn = RoleArnFromSessionArn(p.arn);
  }
  if (p.type != PrincipalType::kAnonymous && p.type != PrincipalType::kService) {
    // AWS-COMPAT: a role session reports the role ARN as aws:PrincipalArn (AWS-FACTS 1.8).
    bool session =
        p.type == PrincipalType::kAssumedRole || p.type == PrincipalType::kServiceLinkedRole;
    context.SetDefault("aws:PrincipalArn", session && !p.role_arn.empty() ? p.role_arn : p.arn);
  }
  if (!p.account.empty()) context.SetDefault("aws:PrincipalAccount", p.account);
  switch (p.type) {
    case PrincipalType::kRoot:
      context.SetDefault("aws:PrincipalType", "Account");
      context.SetDefault("aws:userid", p.user_id.empty() ? p.account : p.user_id);
      break;
    case PrincipalType::kUser:
      context.SetDefault("aws:PrincipalType", "User");
      context.SetDefault("aws:username", std::string(LastPathPart(p.arn)));
      if (!p.user_id.empty()) context.SetDefault("aws:userid", p.user_id);
      break;
    case PrincipalType::kAssumedRole:
    case PrincipalType::kServiceLinkedRole:
      context.SetDefault("aws:PrincipalType", "AssumedRole");
      if (!p.user_id.empty()) context.SetDefault("aws:userid", p.user_id);
      break;
    case PrincipalType::kFederatedUser:
      context.SetDefault("aws:PrincipalType", "FederatedUser");
      context.SetDefault("aws:userid", p.user_id.empty()
                                           ? p.account + ":" + std::string(LastPathPart(p.arn))
                                           : p.user_id);
      break;
    case PrincipalType::kAnonymous:
      context.SetDefault("aws:PrincipalType", "Anonymous");
      context.SetDefault("aws:userid", "anonymous");
      break;
    case PrincipalType::kService:
      break;
  }
  context.SetDefault("aws:PrincipalIsAWSService",
                     p.type == PrincipalType::kService ? "true" : "false");
  if (p.type == PrincipalType::kService) context.SetDefault("aws:PrincipalServiceName", p.arn);
  const std::string& racct = EffectiveResourceAccount();
  if (!racct.empty()) context.SetDefault("aws:ResourceAccount", racct);
  if (!environment_defaults) return;
  context.SetDefault("aws:RequestedRegion", "us-east-1");
  context.SetDefault("aws:SecureTransport", "true");
  context.SetDefault("aws:ViaAWSService", "false");
  if (epoch_seconds < 0) {
    epoch_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  }
  context.SetDefault("aws:CurrentTime", IsoTime(epoch_seconds));
  context.SetDefault("aws:EpochTime", std::to_string(epoch_seconds));
}

}  // namespace orgtwin::policy
