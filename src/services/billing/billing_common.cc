#include <cmath>
#include <cstdio>

#include "repo/account_repository.h"
#include "services/billing/billing_internal.h"

namespace orgtwin::services::billing {

Status Validation(std::string message) {
  return InvalidInputError(std::move(message)).WithAwsCode("ValidationException");
}

Status RequireBillingAccess(gateway::RequestContext& ctx) {
  if (ctx.caller.type == auth::PrincipalType::kRoot) return Status::Ok();
  OT_ASSIGN_OR_RETURN(auto account, repo::FindAccount(ctx.tx, ctx.caller.account_id));
  if (account.has_value() && account->iam_user_access_to_billing) return Status::Ok();
  // AWS-COMPAT: AWS's wording for this refusal is not documented; the message names the setting
  // a root user must activate, as the Billing console does.
  return AccessDeniedError(
             "IAM user and role access to Billing information is not activated for "
             "account " +
             ctx.caller.account_id +
             "; only its root user can see billing data until the root user "
             "activates it.")
      .WithAwsCode("AccessDeniedException");
}

std::optional<std::chrono::sys_days> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t count) -> std::optional<int> {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  std::optional<int> year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(*year),
                                   std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date);
}

std::string FormatDay(std::chrono::sys_days day) {
  std::chrono::year_month_day date(day);
  char out[16];
  std::snprintf(out, sizeof(out), "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return out;
}

std::string DayOf(double epoch_seconds) {
  auto seconds = std::chrono::seconds(static_cast<int64_t>(std::floor(epoch_seconds)));
  return FormatDay(std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(seconds)));
}

std::string FormatAmount(int64_t micros) {
  if (micros == 0) return "0";
  std::string sign = micros < 0 ? "-" : "";
  int64_t magnitude = micros < 0 ? -micros : micros;
  std::string out = sign + std::to_string(magnitude / 1000000);
  int64_t fraction = magnitude % 1000000;
  if (fraction == 0) return out;
  char digits[8];
  std::snprintf(digits, sizeof(digits), "%06lld", static_cast<long long>(fraction));
  std::string tail(digits);
  while (!tail.empty() && tail.back() == '0') tail.pop_back();
  return out + "." + tail;
}

std::optional<int64_t> ParseAmount(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || fraction.size() > 6) return std::nullopt;
  if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
  int64_t micros = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    micros = micros * 10 + (c - '0');
  }
  micros *= 1000000;
  int64_t scale = 100000;
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    micros += (c - '0') * scale;
    scale /= 10;
  }
  return micros;
}

double NowSeconds(const gateway::RequestContext& ctx) { return ToEpochSeconds(ctx.now); }

}  // namespace orgtwin::services::billing
