// Parties and the factors they hold (/_orgtwin/parties/..., table parties and party_factors of
// migration 0016): the seed's partner and customer, each holding some of the root password, the
// MFA device, the root email's mailbox, the contact phone, the card, access keys. Custody is a
// fact about the world outside AWS, so only the twin's administrator (the default account's
// root user) records it.
#include "repo/recovery_repository.h"
#include "services/root/root_handlers.h"

namespace orgtwin::services::root {
namespace {

Status RequireTwinAdmin(const gateway::RequestContext& ctx) {
  if (ctx.caller.type == auth::PrincipalType::kRoot &&
      ctx.caller.account_id == ctx.twin.default_account.account_id) {
    return Status::Ok();
  }
  return AccessDenied("Only the root user of the default account records parties and custody.");
}

bool ValidPartyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The factor's reference as custody keys it (mailboxes lower-cased, phones as +digits).
Result<repo::FactorRow> FactorOf(const Json& input) {
  repo::FactorRow factor{Str(input, "Party"), Str(input, "Kind"), Str(input, "Ref")};
  static constexpr std::string_view kKinds[] = {kRootPassword, kIamPassword, kMfaDevice, kMailbox,
                                                kPhone,        kPaymentCard, kAccessKey};
  bool known = false;
  for (std::string_view kind : kKinds) known = known || kind == factor.kind;
  if (!known) {
    return Validation(
        "Kind must be one of root-password, iam-password, mfa-device, mailbox, "
        "phone, payment-card, access-key.");
  }
  if (factor.ref.empty()) return Validation("Ref must name the factor.");
  if (factor.kind == kMailbox) factor.ref = repo::MailboxKey(factor.ref);
  if (factor.kind == kPhone) factor.ref = repo::PhoneKey(factor.ref);
  return factor;
}

Result<Json> PartyObject(store::Transaction& tx, const repo::PartyRow& party) {
  OT_ASSIGN_OR_RETURN(auto factors, repo::FactorsOf(tx, party.name));
  boost::json::array list;
  for (const repo::FactorRow& f : factors)
    list.emplace_back(Json{{"Kind", f.kind}, {"Ref", f.ref}});
  return Json{{"Name", party.name}, {"Description", party.description}, {"Factors", list}};
}

Result<repo::PartyRow> RequireParty(store::Transaction& tx, const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto party, repo::FindParty(tx, name));
  if (!party.has_value()) return NotFound("No party named " + name + ".");
  return *party;
}

}  // namespace

Result<Json> PutParty(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  repo::PartyRow party{Str(input, "Name"), Str(input, "Description"), ToEpochSeconds(ctx.now)};
  if (!ValidPartyName(party.name)) {
    return Validation("Name must be 1 to 64 letters, digits, '-', '_' or '.'.");
  }
  OT_RETURN_IF_ERROR(repo::UpsertParty(ctx.tx, party));
  OT_ASSIGN_OR_RETURN(repo::PartyRow stored, RequireParty(ctx.tx, party.name));
  OT_ASSIGN_OR_RETURN(Json object, PartyObject(ctx.tx, stored));
  return Json{{"Party", std::move(object)}};
}

Result<Json> DeleteParty(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  const std::string name = Str(input, "Name");
  OT_ASSIGN_OR_RETURN(bool deleted, repo::DeleteParty(ctx.tx, name));
  if (!deleted) return NotFound("No party named " + name + ".");
  return Json{{"Message", "Party " + name + " and its factors were deleted."}};
}

Result<Json> ListParties(gateway::RequestContext& ctx, const Json&) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  OT_ASSIGN_OR_RETURN(auto parties, repo::ListParties(ctx.tx));
  boost::json::array out;
  for (const repo::PartyRow& party : parties) {
    OT_ASSIGN_OR_RETURN(Json object, PartyObject(ctx.tx, party));
    out.emplace_back(std::move(object));
  }
  return Json{{"Parties", out}};
}

Result<Json> AddPartyFactor(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  OT_ASSIGN_OR_RETURN(repo::FactorRow factor, FactorOf(input));
  OT_ASSIGN_OR_RETURN(repo::PartyRow party, RequireParty(ctx.tx, factor.party));
  OT_RETURN_IF_ERROR(repo::AddFactor(ctx.tx, factor));
  OT_ASSIGN_OR_RETURN(Json object, PartyObject(ctx.tx, party));
  return Json{{"Party", std::move(object)}};
}

Result<Json> RemovePartyFactor(gateway::RequestContext& ctx, const Json& input) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx));
  OT_ASSIGN_OR_RETURN(repo::FactorRow factor, FactorOf(input));
  OT_ASSIGN_OR_RETURN(repo::PartyRow party, RequireParty(ctx.tx, factor.party));
  OT_ASSIGN_OR_RETURN(bool removed, repo::RemoveFactor(ctx.tx, factor));
  if (!removed) {
    return NotFound("Party " + factor.party + " does not hold " + factor.kind + " " + factor.ref +
                    ".");
  }
  OT_ASSIGN_OR_RETURN(Json object, PartyObject(ctx.tx, party));
  return Json{{"Party", std::move(object)}};
}

}  // namespace orgtwin::services::root
