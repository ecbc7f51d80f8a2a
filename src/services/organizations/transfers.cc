#include "services/organizations/transfers.h"

#include <cmath>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/organizations/org_store.h"

namespace orgtwin::services::organizations {
namespace {

// AWS-COMPAT: AWS starts every organization with an inbound quota of 0 and raises it (up to
// 1,000) through Service Quotas, which the twin does not have; it grants the adjustable maximum.
constexpr int64_t kInboundQuota = 1000;

// The status as of `now`: an invitation past its expiry reads EXPIRED.
std::string EffectiveStatus(const TransferRow& t, double now) {
  if (t.status == "REQUESTED" && now >= t.expires_at) return "EXPIRED";
  return t.status;
}

// SQL for "an open invitation or a transfer in force" at time ? (bound twice).
constexpr char kActiveSql[] =
    "((status = 'REQUESTED' AND expires_at > ?) OR status = 'ACCEPTED' OR "
    "(status = 'WITHDRAWN' AND end_at > ?))";
// SQL for "a transfer in force" at time ? (bound once).
constexpr char kInForceSql[] = "(status = 'ACCEPTED' OR (status = 'WITHDRAWN' AND end_at > ?))";

Status NotFound() {
  return OrgError("ResponsibilityTransferNotFoundException",
                  "We can't find a transfer that you specified.");
}

// ---- UTC month arithmetic (transfers start on the 1st of a month and end on its last day) ----

// Whether `t` is a time the calendar functions below can take (a finite time from 1970 up to the
// year 10000): a timestamp member is any JSON number, and converting one out of range to
// time_t would be undefined.
bool CalendarTime(double t) { return std::isfinite(t) && t >= 0 && t < 253402300800.0; }

// `t` must be CalendarTime.
double MonthStart(double t, int add_months) {
  std::time_t seconds = static_cast<std::time_t>(std::floor(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mon += add_months;  // timegm normalizes the month into the year
  return static_cast<double>(timegm(&tm));
}

// ---- Shapes ----

// The transfer as `viewer` (one of its two management accounts) sees it.
Json TransferObject(const TransferRow& t, const std::string& viewer, double now) {
  const bool inbound = viewer == t.target_account_id;
  const std::string& viewer_org = inbound ? t.target_org_id : t.source_org_id;
  Json out;
  out["Arn"] = "arn:aws:organizations::" + viewer + ":transfer/" + viewer_org + "/billing/" +
               (inbound ? "inbound" : "outbound") + "/" + t.id;
  out["Name"] = t.name;
  out["Id"] = t.id;
  out["Type"] = t.type;
  out["Status"] = EffectiveStatus(t, now);
  out["Source"] = Json{{"ManagementAccountId", t.source_account_id},
                       {"ManagementAccountEmail", t.source_email}};
  out["Target"] = Json{{"ManagementAccountId", t.target_account_id},
                       {"ManagementAccountEmail", t.target_email}};
  out["StartTimestamp"] = t.start_at;
  if (t.end_at > 0) out["EndTimestamp"] = t.end_at;
  out["ActiveHandshakeId"] = t.handshake_id;
  return out;
}

Json Output(const TransferRow& t, const std::string& viewer, double now) {
  return Json{{"ResponsibilityTransfer", TransferObject(t, viewer, now)}};
}

// The transfer `id` if the caller is one of its two management accounts (and still manages
// that organization); NotFound otherwise, as AWS answers for a transfer of others.
Result<TransferRow> LoadForCaller(store::Transaction& tx, const std::string& id,
                                  const std::string& caller) {
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, caller));
  OT_ASSIGN_OR_RETURN(std::optional<TransferRow> found, repo::FindTransfer(tx, id));
  if (!found.has_value()) return NotFound();
  const TransferRow& t = *found;
  const bool target = t.target_account_id == caller && t.target_org_id == org.org_id;
  const bool source = t.source_account_id == caller && t.source_org_id == org.org_id;
  if (!target && !source) return NotFound();
  return *std::move(found);
}

// ---- Handlers ----

Result<Json> DescribeResponsibilityTransfer(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(TransferRow t, LoadForCaller(tx, Str(input, "Id"), ctx.caller.account_id));
  return Output(t, ctx.caller.account_id, NowSeconds(ctx));
}

// The caller's inbound (`side` kTarget) or outbound (kSource) transfers, every status. (Type
// is BILLING: the protocol layer refuses any other value of the enum.)
Result<Json> ListTransfers(gateway::RequestContext& ctx, const Json& input, repo::TransferSide side,
                           const std::string& binding) {
  const std::string& caller = ctx.caller.account_id;
  const double now = NowSeconds(ctx);
  const std::string id = Str(input, "Id");
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input, binding + "|" + caller + "|" + id));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(OrgRow org, RequireManagementAccount(tx, caller));
  OT_ASSIGN_OR_RETURN(std::vector<TransferRow> transfers,
                      repo::TransfersOf(tx, side, caller, org.org_id, id));
  if (!id.empty() && transfers.empty()) return NotFound();
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(transfers.size());
  for (const TransferRow& t : transfers) {
    items.emplace_back(TimeOrderedKey(t.requested_at, t.id), TransferObject(t, caller, now));
  }
  Json out;
  EmitPage(std::move(items), page, "ResponsibilityTransfers", out);
  return out;
}

Result<Json> ListInboundResponsibilityTransfers(gateway::RequestContext& ctx, const Json& input) {
  return ListTransfers(ctx, input, repo::TransferSide::kTarget,
                       "ListInboundResponsibilityTransfers");
}

Result<Json> ListOutboundResponsibilityTransfers(gateway::RequestContext& ctx, const Json& input) {
  return ListTransfers(ctx, input, repo::TransferSide::kSource,
                       "ListOutboundResponsibilityTransfers");
}

// Either side withdraws a transfer in force; it runs on to the end of the month it names (the
// current month or the next; by default the current one).
Result<Json> TerminateResponsibilityTransfer(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(TransferRow t, LoadForCaller(tx, Str(input, "Id"), ctx.caller.account_id));
  const std::string status = EffectiveStatus(t, now);
  if (status == "WITHDRAWN") {
    return OrgError("ResponsibilityTransferAlreadyInStatusException",
                    "The transfer is already in the status that you requested.");
  }
  if (status != "ACCEPTED") {
    return OrgError("InvalidResponsibilityTransferTransitionException",
                    "You can't perform this operation on a transfer in its current status.");
  }
  // The last moment of a month: 23:59:59.999 UTC on its last day.
  const double this_month_end = MonthStart(now, 1) - 0.001;
  const double next_month_end = MonthStart(now, 2) - 0.001;
  double end = this_month_end;
  if (const boost::json::value* v = input.if_contains("EndTimestamp"); v && v->is_number()) {
    end = v->to_number<double>();
    if (!CalendarTime(end)) return InvalidInput("INVALID_END_DATE", "The end date is not valid.");
    // Within the month's last second (clients round the milliseconds differently).
    const double boundary = MonthStart(end + 1, 0);
    if (!(end < boundary && end >= boundary - 1)) {
      return InvalidInput("END_DATE_NOT_END_OF_MONTH",
                          "The end date must be the last moment of the last day of a month.");
    }
    if (end < this_month_end - 1) {
      return InvalidInput("END_DATE_TOO_EARLY", "The end date is too early.");
    }
    if (end > next_month_end + 1)
      return InvalidInput("END_DATE_TOO_LATE", "The end date is too late.");
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE org_responsibility_transfers SET status = 'WITHDRAWN', "
                          "end_at = ?, updated_at = ? WHERE transfer_id = ?",
                          {end, now, t.id}));
  t.status = "WITHDRAWN";
  t.end_at = end;
  t.updated_at = now;
  return Output(t, ctx.caller.account_id, now);
}

// AWS-COMPAT: a transfer has one name here, which either side may change; AWS documents renaming
// from the inbound side and keeps the name private to it.
Result<Json> UpdateResponsibilityTransfer(gateway::RequestContext& ctx, const Json& input) {
  const double now = NowSeconds(ctx);
  std::string name = Str(input, "Name");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(TransferRow t, LoadForCaller(tx, Str(input, "Id"), ctx.caller.account_id));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE org_responsibility_transfers SET name = ?, updated_at = ? "
                          "WHERE transfer_id = ?",
                          {name, now, t.id}));
  t.name = std::move(name);
  t.updated_at = now;
  return Output(t, ctx.caller.account_id, now);
}

}  // namespace

Status InsertTransfer(store::Transaction& tx, const TransferRow& t) {
  return Exec(tx,
              "INSERT INTO org_responsibility_transfers (transfer_id, transfer_type, name, "
              "status, handshake_id, target_org_id, target_account_id, source_org_id, "
              "source_account_id, start_at, expires_at, requested_at, updated_at) VALUES (?, ?, "
              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {t.id, t.type, t.name, t.status, t.handshake_id, t.target_org_id, t.target_account_id,
               t.source_org_id, t.source_account_id, t.start_at, t.expires_at, t.requested_at,
               t.updated_at});
}

Status AnswerTransfer(store::Transaction& tx, std::string_view handshake_id,
                      std::string_view status, double now) {
  return Exec(tx,
              "UPDATE org_responsibility_transfers SET status = ?, updated_at = ? WHERE "
              "handshake_id = ? AND status = 'REQUESTED'",
              {std::string(status), now, std::string(handshake_id)});
}

Status CheckTransferLimits(store::Transaction& tx, const std::string& target_account,
                           const std::string& source_account, double now) {
  OT_ASSIGN_OR_RETURN(int64_t source_billed,
                      Count(tx,
                            std::string("SELECT COUNT(*) FROM org_responsibility_transfers "
                                        "WHERE source_account_id = ? AND ") +
                                kInForceSql,
                            {source_account, now}));
  if (source_billed > 0) {
    return HandshakeConstraintViolation(
        "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS",
        "The organization already has a transfer of this responsibility in force.");
  }
  OT_ASSIGN_OR_RETURN(int64_t chained,
                      Count(tx,
                            std::string("SELECT COUNT(*) FROM org_responsibility_transfers "
                                        "WHERE (source_account_id = ? OR target_account_id = ?) "
                                        "AND ") +
                                kInForceSql,
                            {target_account, source_account, now}));
  if (chained > 0) {
    return ConstraintViolation("RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION",
                               "The transfer would make a chain of transfers longer than "
                               "allowed.");
  }
  return Status::Ok();
}

Status CheckInboundQuota(store::Transaction& tx, const std::string& target_account, double now) {
  OT_ASSIGN_OR_RETURN(int64_t inbound,
                      Count(tx,
                            std::string("SELECT COUNT(*) FROM org_responsibility_transfers "
                                        "WHERE target_account_id = ? AND ") +
                                kActiveSql,
                            {target_account, now, now}));
  if (inbound >= kInboundQuota) {
    return ConstraintViolation("RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION",
                               "You have reached the limit on inbound transfers.");
  }
  return Status::Ok();
}

Status CheckNoActiveTransfer(store::Transaction& tx, const std::string& org_id, double now) {
  OT_ASSIGN_OR_RETURN(int64_t active,
                      Count(tx,
                            std::string("SELECT COUNT(*) FROM org_responsibility_transfers "
                                        "WHERE (source_org_id = ? OR target_org_id = ?) AND ") +
                                kActiveSql,
                            {org_id, org_id, now, now}));
  if (active > 0) {
    return ConstraintViolation("ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS",
                               "The organization can't be deleted while a transfer invitation "
                               "is open or a transfer is in force.");
  }
  return Status::Ok();
}

Status ValidateTransferStart(double start, double now) {
  if (!CalendarTime(start)) {
    return InvalidInput("INVALID_START_DATE", "The start date is not valid.");
  }
  const double day_start = std::floor(start / 86400) * 86400;
  if (start != day_start) {
    return InvalidInput("START_DATE_NOT_BEGINNING_OF_DAY",
                        "The start date must be at 00:00:00.000 UTC.");
  }
  if (start != MonthStart(start, 0)) {
    return InvalidInput("START_DATE_NOT_BEGINNING_OF_MONTH",
                        "The start date must be the first day of a month.");
  }
  // The invitation expires a day before the start, so it needs that day to be answered.
  if (start < MonthStart(now, 1) || start - 86400 <= now) {
    return InvalidInput("START_DATE_TOO_EARLY",
                        "The start date must be the first day of next month or the month after, "
                        "at least a day away.");
  }
  if (start > MonthStart(now, 2)) {
    return InvalidInput("START_DATE_TOO_LATE",
                        "The start date must be the first day of next month or the month after.");
  }
  return Status::Ok();
}

Status RegisterResponsibilityTransferHandlers(gateway::Gateway& gateway) {
  static constexpr gateway::HandlerEntry kHandlers[] = {
      {"DescribeResponsibilityTransfer", DescribeResponsibilityTransfer},
      {"ListInboundResponsibilityTransfers", ListInboundResponsibilityTransfers},
      {"ListOutboundResponsibilityTransfers", ListOutboundResponsibilityTransfers},
      {"TerminateResponsibilityTransfer", TerminateResponsibilityTransfer},
      {"UpdateResponsibilityTransfer", UpdateResponsibilityTransfer},
  };
  return gateway.RegisterAll("organizations", kHandlers);
}

}  // namespace orgtwin::services::organizations
