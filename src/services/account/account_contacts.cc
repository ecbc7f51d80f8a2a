// The contact operations: the primary contact (Put/GetContactInformation) and the alternate
// contacts (Put/Get/DeleteAlternateContact), tables of migration 0010.
#include <chrono>
#include <string>
#include <vector>

#include "repo/account_repository.h"
#include "services/account/account_internal.h"
#include "services/iam/handler_util.h"

namespace orgtwin::services::account {
namespace {

using iam::Has;
using iam::Str;

Status Exec(store::Transaction& tx, std::string_view sql, const std::vector<store::Value>& params) {
  Result<int64_t> changed = tx.Execute(sql, params);
  return changed.ok() ? Status::Ok() : changed.status();
}

// ---- Primary contact ----

struct ContactField {
  const char* member;
  const char* column;
};
constexpr ContactField kContactFields[] = {
    {"FullName", "full_name"},
    {"AddressLine1", "address_line1"},
    {"AddressLine2", "address_line2"},
    {"AddressLine3", "address_line3"},
    {"City", "city"},
    {"StateOrRegion", "state_or_region"},
    {"DistrictOrCounty", "district_or_county"},
    {"PostalCode", "postal_code"},
    {"CountryCode", "country_code"},
    {"PhoneNumber", "phone_number"},
    {"CompanyName", "company_name"},
    {"WebsiteUrl", "website_url"},
};

}  // namespace

Result<Json> PutContactInformation(gateway::RequestContext& ctx, const Json& input) {
  const boost::json::value* contact = input.if_contains("ContactInformation");
  if (contact == nullptr || !contact->is_object()) {
    return Validation("ContactInformation is required.");
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string account, TargetAccount(ctx, input));
  std::string columns = "account_id";
  std::string marks = "?";
  std::vector<store::Value> params{account};
  for (const ContactField& f : kContactFields) {
    columns += std::string(", ") + f.column;
    marks += ", ?";
    if (Has(contact->as_object(), f.member)) {
      params.emplace_back(Str(contact->as_object(), f.member));
    } else {
      params.emplace_back();
    }
  }
  columns += ", updated_at";
  marks += ", ?";
  params.emplace_back(std::chrono::duration<double>(ctx.now.time_since_epoch()).count());
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM account_contact_information WHERE account_id = ?", {account}));
  OT_RETURN_IF_ERROR(
      Exec(tx, "INSERT INTO account_contact_information (" + columns + ") VALUES (" + marks + ")",
           params));
  OT_RETURN_IF_ERROR(repo::SetHasContactInfo(tx, account));
  return Json();
}

Result<Json> GetContactInformation(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string account, TargetAccount(ctx, input));
  std::string sql = "SELECT ";
  for (size_t i = 0; i < std::size(kContactFields); ++i) {
    sql += std::string(i == 0 ? "" : ", ") + kContactFields[i].column;
  }
  sql += " FROM account_contact_information WHERE account_id = ?";
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {account}));
  if (rows.empty()) return NotFound("No contact information found for account " + account + ".");
  Json contact;
  for (size_t i = 0; i < std::size(kContactFields); ++i) {
    if (!rows.front().IsNull(static_cast<int>(i))) {
      contact[kContactFields[i].member] = rows.front().Text(static_cast<int>(i));
    }
  }
  return Json{{"ContactInformation", std::move(contact)}};
}

// ---- Alternate contacts ----

Result<Json> PutAlternateContact(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string account, TargetAccount(ctx, input));
  const std::string type = Str(input, "AlternateContactType");
  OT_RETURN_IF_ERROR(Exec(tx,
                          "DELETE FROM account_alternate_contacts WHERE account_id = ? AND "
                          "contact_type = ?",
                          {account, type}));
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO account_alternate_contacts (account_id, contact_type, "
                          "name, title, email_address, phone_number, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          {account, type, Str(input, "Name"), Str(input, "Title"),
                           Str(input, "EmailAddress"), Str(input, "PhoneNumber"),
                           std::chrono::duration<double>(ctx.now.time_since_epoch()).count()}));
  return Json();
}

namespace {

Status AlternateContactNotFound() {
  // AWS-COMPAT: the text AWS answers for a contact type that was never set.
  return NotFound("No contact of the inputted alternate contact type found.");
}

}  // namespace

Result<Json> GetAlternateContact(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string account, TargetAccount(ctx, input));
  const std::string type = Str(input, "AlternateContactType");
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT name, title, email_address, phone_number "
                                          "FROM account_alternate_contacts WHERE "
                                          "account_id = ? AND contact_type = ?",
                                          {account, type}));
  if (rows.empty()) return AlternateContactNotFound();
  const store::Row& r = rows.front();
  return Json{{"AlternateContact", Json{{"AlternateContactType", type},
                                        {"Name", r.Text(0)},
                                        {"Title", r.Text(1)},
                                        {"EmailAddress", r.Text(2)},
                                        {"PhoneNumber", r.Text(3)}}}};
}

Result<Json> DeleteAlternateContact(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string account, TargetAccount(ctx, input));
  OT_ASSIGN_OR_RETURN(int64_t removed, tx.Execute("DELETE FROM account_alternate_contacts WHERE "
                                                  "account_id = ? AND contact_type = ?",
                                                  {account, Str(input, "AlternateContactType")}));
  if (removed == 0) return AlternateContactNotFound();
  return Json();
}

}  // namespace orgtwin::services::account
