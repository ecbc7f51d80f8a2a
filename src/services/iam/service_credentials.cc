// IAM service-specific credentials (Create/List/Reset/Update/DeleteServiceSpecificCredential):
// a user name and password an IAM user signs in to CodeCommit (HTTPS Git) or Amazon Keyspaces
// with, and Bedrock's long-term API keys; on the table of migration 0026.
#include <algorithm>
#include <array>
#include <cstdio>

#include "services/iam/handler_util.h"

namespace orgtwin::services::iam {
namespace {

// The services that take service-specific credentials (IAM user guide, "Service-specific
// credentials"). Bedrock's API keys come as an alias and a secret instead of a user name and
// password.
constexpr std::array<std::string_view, 3> kCredentialServices = {
    "codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"};
constexpr std::string_view kBedrock = "bedrock.amazonaws.com";

struct ServiceCredentialRow {
  std::string id;
  std::string user_name;
  std::string service_name;
  std::string service_user_name;
  std::string secret;
  std::string status;
  double created_at = 0;
  std::optional<double> expires_at;
};

constexpr char kCredentialCols[] =
    "SELECT c.credential_id, u.user_name, c.service_name, c.service_user_name, c.secret, "
    "c.status, c.created_at, c.expires_at FROM iam_service_credentials c JOIN iam_users u ON "
    "u.user_id = c.user_id ";

ServiceCredentialRow CredentialFromRow(const store::Row& r) {
  ServiceCredentialRow c{r.Text(0), r.Text(1), r.Text(2),   r.Text(3),
                         r.Text(4), r.Text(5), r.Double(6), std::nullopt};
  if (!r.IsNull(7)) c.expires_at = r.Double(7);
  return c;
}

bool SupportedService(std::string_view service) {
  return std::find(kCredentialServices.begin(), kCredentialServices.end(), service) !=
         kCredentialServices.end();
}

// AWS-COMPAT: the code and status are the model's (NotSupportedService, 404); the text is ours.
Status ServiceNotSupported(std::string_view service) {
  return NotFoundError("No such service " + std::string(service) +
                       " is supported for Service-Specific Credentials")
      .WithAwsCode("NotSupportedService");
}

// AWS-COMPAT: the text for an unknown credential ID is not documented.
Status NoSuchCredential(std::string_view id) {
  return NoSuchEntity("No such credential " + std::string(id) + " exists");
}

// The metadata form (List) or, with `with_secret`, the full structure (Create and Reset).
Json CredentialObject(const ServiceCredentialRow& c, bool with_secret) {
  const bool api_key = c.service_name == kBedrock;
  Json out{{"UserName", c.user_name},
           {"Status", c.status},
           {"CreateDate", c.created_at},
           {"ServiceSpecificCredentialId", c.id},
           {"ServiceName", c.service_name}};
  out[api_key ? "ServiceCredentialAlias" : "ServiceUserName"] = c.service_user_name;
  if (c.expires_at) out["ExpirationDate"] = *c.expires_at;
  if (with_secret) out[api_key ? "ServiceCredentialSecret" : "ServicePassword"] = c.secret;
  return out;
}

// CodeCommit and Keyspaces passwords: 44 characters of the secret-key alphabet, in the shape of
// AWS's (AWS-COMPAT: their exact alphabet is not documented). A Bedrock key's secret is the
// base64 of its alias and random bytes, as the ABSK... keys AWS issues look.
std::string NewSecret(IdGenerator& ids, std::string_view service, std::string_view alias) {
  if (service == kBedrock) {
    return "ABSK" + ids.RandomString(4, IdGenerator::kSecretChars) + std::string(alias) + ":" +
           ids.RandomString(56, IdGenerator::kSecretChars);
  }
  return ids.RandomString(44, IdGenerator::kSecretChars);
}

// The credential `id` of the user the request names (or the caller); NoSuchEntity otherwise.
Result<ServiceCredentialRow> RequireCredential(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  std::string id = Str(input, "ServiceSpecificCredentialId");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kCredentialCols) +
                                              "WHERE c.credential_id = ? AND c.account_id = ? "
                                              "AND c.user_id = ?",
                                          {id, AccountOf(ctx), owner.user_id}));
  if (rows.empty()) return NoSuchCredential(id);
  return CredentialFromRow(rows.front());
}

}  // namespace

Result<Json> CreateServiceSpecificCredential(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  std::string service = Str(input, "ServiceName");
  if (!SupportedService(service)) return ServiceNotSupported(service);
  OT_ASSIGN_OR_RETURN(int64_t count, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_service_credentials "
                                               "WHERE account_id = ? AND user_id = ? AND "
                                               "service_name = ?",
                                               {account, user.user_id, service}));
  if (count >= kServiceCredentialsPerUserAndService) {
    return LimitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: " +
                         std::to_string(kServiceCredentialsPerUserAndService));
  }
  ServiceCredentialRow c;
  c.id = NewUniqueId(ctx.twin.ids, "ACCA");
  c.user_name = user.name;
  c.service_name = service;
  // "<user>-at-<account>", the user name CodeCommit and Keyspaces show; Bedrock's alias has the
  // same shape.
  c.service_user_name = user.name + "-at-" + account;
  c.secret = NewSecret(ctx.twin.ids, service, c.service_user_name);
  c.status = "Active";
  c.created_at = NowSeconds(ctx);
  if (std::optional<int64_t> days = Int(input, "CredentialAgeDays"); days.has_value()) {
    c.expires_at = c.created_at + static_cast<double>(*days) * 86400.0;
  }
  OT_RETURN_IF_ERROR(
      Exec(tx,
           "INSERT INTO iam_service_credentials (credential_id, account_id, "
           "user_id, service_name, service_user_name, secret, status, created_at, "
           "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {c.id, account, user.user_id, c.service_name, c.service_user_name, c.secret, c.status,
            c.created_at, c.expires_at ? store::Value(*c.expires_at) : store::Value()}));
  return Json{{"ServiceSpecificCredential", CredentialObject(c, /*with_secret=*/true)}};
}

Result<Json> ListServiceSpecificCredentials(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string service = Str(input, "ServiceName");
  if (!service.empty() && !SupportedService(service)) return ServiceNotSupported(service);
  const bool all_users = Bool(input, "AllUsers", false);
  std::string sql = std::string(kCredentialCols) + "WHERE c.account_id = ?";
  std::vector<store::Value> params = {AccountOf(ctx)};
  if (!all_users) {
    OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
    sql += " AND c.user_id = ?";
    params.emplace_back(owner.user_id);
  }
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    ServiceCredentialRow c = CredentialFromRow(r);
    if (!service.empty() && c.service_name != service) continue;
    // Oldest first: the sort key is the zero-padded creation time, then the ID.
    char created[32];
    std::snprintf(created, sizeof(created), "%020.6f", c.created_at);
    items.emplace_back(std::string(created) + c.id, CredentialObject(c, /*with_secret=*/false));
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "ServiceSpecificCredentials", out);
  return out;
}

Result<Json> ResetServiceSpecificCredential(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(ServiceCredentialRow c, RequireCredential(ctx, input));
  c.secret = NewSecret(ctx.twin.ids, c.service_name, c.service_user_name);
  OT_RETURN_IF_ERROR(Exec(ctx.tx,
                          "UPDATE iam_service_credentials SET secret = ? WHERE credential_id = ?",
                          {c.secret, c.id}));
  return Json{{"ServiceSpecificCredential", CredentialObject(c, /*with_secret=*/true)}};
}

Result<Json> UpdateServiceSpecificCredential(gateway::RequestContext& ctx, const Json& input) {
  std::string status = Str(input, "Status");
  if (status != "Active" && status != "Inactive") {
    // AWS-COMPAT: as for access keys, only Active and Inactive can be set.
    return InvalidInput("Invalid status " + status +
                        ": a credential can be made Active or Inactive.");
  }
  OT_ASSIGN_OR_RETURN(ServiceCredentialRow c, RequireCredential(ctx, input));
  OT_RETURN_IF_ERROR(Exec(ctx.tx,
                          "UPDATE iam_service_credentials SET status = ? WHERE credential_id = ?",
                          {status, c.id}));
  return Json();
}

Result<Json> DeleteServiceSpecificCredential(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(ServiceCredentialRow c, RequireCredential(ctx, input));
  OT_RETURN_IF_ERROR(
      Exec(ctx.tx, "DELETE FROM iam_service_credentials WHERE credential_id = ?", {c.id}));
  return Json();
}

}  // namespace orgtwin::services::iam
