// IAM server certificates (Upload/Get/List/Update/DeleteServerCertificate and their tags) and
// users' signing certificates (Upload/List/Update/DeleteSigningCertificate), on the tables of
// migration 0026. Certificates, chains and private keys are parsed and matched with OpenSSL
// (key_material.h) before anything is stored, as IAM does.
#include <algorithm>
#include <cstdio>

#include "common/base64.h"
#include "services/iam/handler_util.h"
#include "services/iam/key_material.h"

namespace orgtwin::services::iam {
namespace {

constexpr char kServerCertificateTagType[] = "ServerCertificate";

// AWS's text for a body that is not a PEM certificate (quoted in CLI and Terraform reports).
Status UnparsableCertificate() {
  return InvalidInputError(
             "Unable to parse certificate. Please ensure the certificate is in PEM "
             "format.")
      .WithAwsCode("MalformedCertificate");
}

// ---------------------------------------------------------------- server certificates

struct ServerCertRow {
  std::string id;
  std::string account_id;
  std::string name;
  std::string path;
  std::string body;
  std::optional<std::string> chain;
  double expires_at = 0;
  double uploaded_at = 0;
  std::string Arn() const { return IamArn(account_id, "server-certificate", path, name); }
};

constexpr char kServerCertCols[] =
    "SELECT server_certificate_id, account_id, certificate_name, path, certificate_body, "
    "certificate_chain, expires_at, uploaded_at, certificate_name_lower "
    "FROM iam_server_certificates ";

ServerCertRow ServerCertFromRow(const store::Row& r) {
  ServerCertRow c{r.Text(0), r.Text(1),    r.Text(2),   r.Text(3),
                  r.Text(4), std::nullopt, r.Double(6), r.Double(7)};
  if (!r.IsNull(5)) c.chain = r.Text(5);
  return c;
}

Status NoSuchServerCertificate(std::string_view name) {
  return NoSuchEntity("The Server Certificate with name " + std::string(name) +
                      " cannot be found.");
}

Status ServerCertificateExists(std::string_view name) {
  return EntityAlreadyExists("The Server Certificate with name " + std::string(name) +
                             " already exists.");
}

Result<std::optional<ServerCertRow>> FindServerCert(store::Transaction& tx,
                                                    const std::string& account,
                                                    const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kServerCertCols) +
                                              "WHERE account_id = ? AND certificate_name_lower = ?",
                                          {account, Lower(name)}));
  if (rows.empty()) return std::optional<ServerCertRow>();
  return std::optional<ServerCertRow>(ServerCertFromRow(rows.front()));
}

Result<ServerCertRow> RequireServerCert(store::Transaction& tx, const std::string& account,
                                        const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto cert, FindServerCert(tx, account, name));
  if (!cert.has_value()) return NoSuchServerCertificate(name);
  return *std::move(cert);
}

Json ServerCertMetadata(const ServerCertRow& c) {
  return Json{{"Path", c.path}, {"ServerCertificateName", c.name}, {"ServerCertificateId", c.id},
              {"Arn", c.Arn()}, {"UploadDate", c.uploaded_at},     {"Expiration", c.expires_at}};
}

Result<std::string> ServerCertIdOf(const std::string& account, store::Transaction& tx,
                                   const Json& input) {
  OT_ASSIGN_OR_RETURN(ServerCertRow c,
                      RequireServerCert(tx, account, Str(input, "ServerCertificateName")));
  return c.id;
}

// ---------------------------------------------------------------- signing certificates

struct SigningCertRow {
  std::string id;
  std::string body;
  std::string status;
  double uploaded_at = 0;
};

Status NoSuchSigningCertificate(std::string_view id) {
  return NoSuchEntity("The Certificate with id " + std::string(id) + " cannot be found.");
}

Json SigningCertObject(const CredentialOwner& owner, const SigningCertRow& c) {
  return Json{{"UserName", owner.name},
              {"CertificateId", c.id},
              {"CertificateBody", c.body},
              {"Status", c.status},
              {"UploadDate", c.uploaded_at}};
}

// The certificate `id` if it belongs to `owner` in the caller's account.
Result<std::optional<SigningCertRow>> FindOwnedSigningCert(store::Transaction& tx,
                                                           const std::string& account,
                                                           const CredentialOwner& owner,
                                                           const std::string& id) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT certificate_id, certificate_body, status, uploaded_at FROM "
                               "iam_signing_certificates WHERE certificate_id = ? AND "
                               "account_id = ? AND user_id = ?",
                               {id, account, owner.user_id}));
  if (rows.empty()) return std::optional<SigningCertRow>();
  const store::Row& r = rows.front();
  return std::optional<SigningCertRow>(
      SigningCertRow{r.Text(0), r.Text(1), r.Text(2), r.Double(3)});
}

}  // namespace

Result<CredentialOwner> ResolveCredentialOwner(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  if (Has(input, "UserName")) {
    OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), Str(input, "UserName")));
    return CredentialOwner{user.user_id, user.name};
  }
  const auth::Principal& caller = ctx.caller;
  if (caller.type == auth::PrincipalType::kRoot) return CredentialOwner{};
  if (caller.type == auth::PrincipalType::kUser) {
    OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, AccountOf(ctx), caller.name));
    return CredentialOwner{user.user_id, user.name};
  }
  // AWS-COMPAT: as for access keys, role and federated sessions must name the user.
  return InvalidInputError("Must specify userName when calling with non-User credentials")
      .WithAwsCode("ValidationError");
}

// ---------------------------------------------------------------- server certificate handlers

Result<Json> UploadServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  ServerCertRow c;
  c.account_id = account;
  c.name = Str(input, "ServerCertificateName");
  c.path = Str(input, "Path", "/");
  c.body = Str(input, "CertificateBody");
  if (Has(input, "CertificateChain")) c.chain = Str(input, "CertificateChain");
  std::string private_key = Str(input, "PrivateKey");
  c.uploaded_at = NowSeconds(ctx);

  std::optional<CertificateFacts> facts = ParseCertificatePem(c.body);
  if (!facts) return UnparsableCertificate();
  switch (PrivateKeyMatchesCertificate(c.body, private_key)) {
    case KeyMatch::kMatches:
      break;
    case KeyMatch::kMalformedKey:
      // AWS-COMPAT: IAM's text for a private key it cannot read (or an encrypted one) is not
      // documented; the code is the model's.
      return InvalidInputError(
                 "Unable to parse private key. Please ensure the private key is an "
                 "unencrypted key in PEM format.")
          .WithAwsCode("MalformedCertificate");
    case KeyMatch::kMismatch:
      // AWS-COMPAT: the text is not documented; the code is the model's KeyPairMismatch.
      return InvalidInputError("The private key does not match the public key in the certificate.")
          .WithAwsCode("KeyPairMismatch");
  }
  if (c.chain) {
    std::optional<int> broken = BrokenChainIndex(c.body, *c.chain);
    if (broken) {
      // AWS's text (quoted in CLI, Let's Encrypt and Terraform reports), with the index of the
      // first certificate of the chain that does not sign the one before it (-1: none parses).
      return InvalidInputError(
                 "Unable to validate certificate chain. The certificate chain must start with "
                 "the immediate signing certificate, followed by any intermediaries in order. The "
                 "index within the chain of the invalid certificate is: " +
                 std::to_string(*broken))
          .WithAwsCode("MalformedCertificate");
    }
  }
  c.expires_at = facts->not_after;

  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto existing, FindServerCert(tx, account, c.name));
  if (existing.has_value()) return ServerCertificateExists(c.name);
  OT_ASSIGN_OR_RETURN(
      int64_t count,
      CountRows(tx, "SELECT COUNT(*) FROM iam_server_certificates WHERE account_id = ?",
                {account}));
  if (count >= kServerCertificatesPerAccount) {
    return LimitExceeded("Cannot exceed quota for ServerCertificatesPerAccount: " +
                         std::to_string(kServerCertificatesPerAccount));
  }
  c.id = NewUniqueId(ctx.twin.ids, "ASCA");
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_server_certificates (server_certificate_id, account_id, "
                          "certificate_name, certificate_name_lower, path, certificate_body, "
                          "certificate_chain, private_key, expires_at, uploaded_at) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          {c.id, account, c.name, Lower(c.name), c.path, c.body,
                           c.chain ? store::Value(*c.chain) : store::Value(), private_key,
                           c.expires_at, c.uploaded_at}));
  OT_RETURN_IF_ERROR(ApplyTags(tx, kServerCertificateTagType, c.id, Array(input, "Tags")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, kServerCertificateTagType, c.id));
  Json out{{"ServerCertificateMetadata", ServerCertMetadata(c)}};
  if (!tags.empty()) out["Tags"] = std::move(tags);
  return out;
}

Result<Json> GetServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ServerCertRow c,
                      RequireServerCert(tx, AccountOf(ctx), Str(input, "ServerCertificateName")));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, kServerCertificateTagType, c.id));
  // The private key is never returned.
  Json cert{{"ServerCertificateMetadata", ServerCertMetadata(c)},
            {"CertificateBody", c.body},
            {"Tags", std::move(tags)}};
  if (c.chain) cert["CertificateChain"] = *c.chain;
  return Json{{"ServerCertificate", std::move(cert)}};
}

Result<Json> ListServerCertificates(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  std::string prefix = Str(input, "PathPrefix", "/");
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(std::string(kServerCertCols) + "WHERE account_id = ? AND certificate_name_lower "
                                              ">= ? AND substr(path, 1, ?) = ? ORDER BY "
                                              "certificate_name_lower LIMIT ?",
               {AccountOf(ctx), page.start_key, static_cast<int64_t>(prefix.size()), prefix,
                static_cast<int64_t>(page.max_items + 1)}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  items.reserve(rows.size());
  for (const store::Row& r : rows) {
    items.emplace_back(r.Text(8), ServerCertMetadata(ServerCertFromRow(r)));
  }
  Json out;
  EmitPage(std::move(items), page, "ServerCertificateMetadataList", out);
  return out;
}

Result<Json> UpdateServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ServerCertRow c,
                      RequireServerCert(tx, account, Str(input, "ServerCertificateName")));
  std::string new_name = Str(input, "NewServerCertificateName", c.name);
  std::string new_path = Str(input, "NewPath", c.path);
  if (Lower(new_name) != Lower(c.name)) {
    OT_ASSIGN_OR_RETURN(auto clash, FindServerCert(tx, account, new_name));
    if (clash.has_value()) return ServerCertificateExists(new_name);
  }
  OT_RETURN_IF_ERROR(Exec(tx,
                          "UPDATE iam_server_certificates SET certificate_name = ?, "
                          "certificate_name_lower = ?, path = ? WHERE server_certificate_id = ?",
                          {new_name, Lower(new_name), new_path, c.id}));
  return Json();
}

Result<Json> DeleteServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(ServerCertRow c,
                      RequireServerCert(tx, AccountOf(ctx), Str(input, "ServerCertificateName")));
  // The twin has no load balancers or distributions that could hold the certificate in use
  // (AWS's DeleteConflict case).
  OT_RETURN_IF_ERROR(DeleteAllTags(tx, kServerCertificateTagType, c.id));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_server_certificates WHERE server_certificate_id = ?", {c.id}));
  return Json();
}

Result<Json> TagServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  return TagEntity(ctx, input, kServerCertificateTagType,
                   [&](store::Transaction& tx, const Json& in) {
                     return ServerCertIdOf(AccountOf(ctx), tx, in);
                   });
}

Result<Json> UntagServerCertificate(gateway::RequestContext& ctx, const Json& input) {
  return UntagEntity(ctx, input, kServerCertificateTagType,
                     [&](store::Transaction& tx, const Json& in) {
                       return ServerCertIdOf(AccountOf(ctx), tx, in);
                     });
}

Result<Json> ListServerCertificateTags(gateway::RequestContext& ctx, const Json& input) {
  return ListEntityTags(ctx, input, kServerCertificateTagType,
                        [&](store::Transaction& tx, const Json& in) {
                          return ServerCertIdOf(AccountOf(ctx), tx, in);
                        });
}

// ---------------------------------------------------------------- signing certificate handlers

Result<Json> UploadSigningCertificate(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  SigningCertRow c;
  c.body = Str(input, "CertificateBody");
  c.status = "Active";
  c.uploaded_at = NowSeconds(ctx);
  std::optional<CertificateFacts> facts = ParseCertificatePem(c.body);
  if (!facts) return UnparsableCertificate();
  std::string der = Base64Encode(facts->der);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(int64_t same, CountRows(tx,
                                              "SELECT COUNT(*) FROM iam_signing_certificates "
                                              "WHERE account_id = ? AND certificate_der = ?",
                                              {account, der}));
  if (same > 0) {
    // AWS-COMPAT: the model documents the case (the same certificate already belongs to a user
    // of the account, whatever its PEM layout); the text is ours.
    return AlreadyExistsError("The certificate is already associated with a user in this account.")
        .WithAwsCode("DuplicateCertificate");
  }
  OT_ASSIGN_OR_RETURN(int64_t count, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_signing_certificates "
                                               "WHERE account_id = ? AND user_id = ?",
                                               {account, owner.user_id}));
  if (count >= kSigningCertificatesPerUser) {
    return LimitExceeded("Cannot exceed quota for CertificatesPerUser: " +
                         std::to_string(kSigningCertificatesPerUser));
  }
  // AWS-COMPAT: AWS's certificate IDs are 24 or more upper-case letters and digits (the model's
  // pattern and minimum); the twin draws 32, sortable so that a listing keeps the upload order
  // within a second (IdGenerator::SortableString).
  c.id = ctx.twin.ids.SortableString(32, 6, IdGenerator::kBase32UpperSorted);
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_signing_certificates (certificate_id, account_id, "
                          "user_id, certificate_body, certificate_der, status, uploaded_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          {c.id, account, owner.user_id, c.body, der, c.status, c.uploaded_at}));
  return Json{{"Certificate", SigningCertObject(owner, c)}};
}

Result<Json> ListSigningCertificates(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT certificate_id, certificate_body, status, uploaded_at FROM "
                               "iam_signing_certificates WHERE account_id = ? AND user_id = ?",
                               {AccountOf(ctx), owner.user_id}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    SigningCertRow c{r.Text(0), r.Text(1), r.Text(2), r.Double(3)};
    // Oldest first: the sort key is the zero-padded upload time, then the ID.
    char uploaded[32];
    std::snprintf(uploaded, sizeof(uploaded), "%020.6f", c.uploaded_at);
    items.emplace_back(std::string(uploaded) + c.id, SigningCertObject(owner, c));
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "Certificates", out);
  return out;
}

Result<Json> UpdateSigningCertificate(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "CertificateId");
  std::string status = Str(input, "Status");
  if (status != "Active" && status != "Inactive") {
    // AWS-COMPAT: as for access keys, only Active and Inactive can be set.
    return InvalidInput("Invalid status " + status +
                        ": a certificate can be made Active or Inactive.");
  }
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto cert, FindOwnedSigningCert(tx, AccountOf(ctx), owner, id));
  if (!cert.has_value()) return NoSuchSigningCertificate(id);
  OT_RETURN_IF_ERROR(Exec(
      tx, "UPDATE iam_signing_certificates SET status = ? WHERE certificate_id = ?", {status, id}));
  return Json();
}

Result<Json> DeleteSigningCertificate(gateway::RequestContext& ctx, const Json& input) {
  std::string id = Str(input, "CertificateId");
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto cert, FindOwnedSigningCert(tx, AccountOf(ctx), owner, id));
  if (!cert.has_value()) return NoSuchSigningCertificate(id);
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_signing_certificates WHERE certificate_id = ?", {id}));
  return Json();
}

}  // namespace orgtwin::services::iam
