// IAM users' SSH public keys for CodeCommit (Upload/Get/List/Update/DeleteSSHPublicKey), on the
// table of migration 0026. A key is an RSA key of at least 2048 bits, uploaded as "ssh-rsa ..." or
// as a PEM public key (key_material.h); the twin keeps both forms for GetSSHPublicKey's Encoding.
#include <algorithm>
#include <cstdio>

#include "services/iam/handler_util.h"
#include "services/iam/key_material.h"

namespace orgtwin::services::iam {
namespace {

struct SshKeyRow {
  std::string id;
  std::string ssh_form;
  std::string pem_form;
  std::string fingerprint;
  std::string status;
  double uploaded_at = 0;
};

constexpr char kSshKeyCols[] =
    "SELECT ssh_public_key_id, ssh_form, pem_form, fingerprint, status, uploaded_at "
    "FROM iam_ssh_public_keys ";

SshKeyRow SshKeyFromRow(const store::Row& r) {
  return SshKeyRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Double(5)};
}

Json SshKeyObject(const std::string& user_name, const SshKeyRow& k, const std::string& body) {
  return Json{{"UserName", user_name},    {"SSHPublicKeyId", k.id}, {"Fingerprint", k.fingerprint},
              {"SSHPublicKeyBody", body}, {"Status", k.status},     {"UploadDate", k.uploaded_at}};
}

// The key `id` of the user `user_id`; NoSuchEntity (AWS's text) otherwise.
Result<SshKeyRow> RequireSshKey(store::Transaction& tx, const std::string& account,
                                const std::string& user_id, const std::string& id) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kSshKeyCols) +
                                              "WHERE ssh_public_key_id = ? AND account_id = ? "
                                              "AND user_id = ?",
                                          {id, account, user_id}));
  if (rows.empty()) return NoSuchEntity("The Public Key with id " + id + " cannot be found.");
  return SshKeyFromRow(rows.front());
}

// AWS-COMPAT: the model names the three errors and documents their cases (an encoding that is
// neither ssh-rsa nor PEM; a malformed key, or one shorter than the documented 2,048 bits; the
// same key twice for one user); their texts are not documented.
Status SshKeyError(SshKeyProblem problem) {
  switch (problem) {
    case SshKeyProblem::kUnrecognizedEncoding:
      return InvalidInputError("Unrecognized public key encoding: use ssh-rsa or PEM.")
          .WithAwsCode("UnrecognizedPublicKeyEncoding");
    case SshKeyProblem::kTooShort:
      return InvalidInputError("Public key must be an RSA key of at least 2048 bits.")
          .WithAwsCode("InvalidPublicKey");
    case SshKeyProblem::kInvalid:
    case SshKeyProblem::kNone:
      break;
  }
  return InvalidInputError("Public key is malformed.").WithAwsCode("InvalidPublicKey");
}

Status CheckKeyStatus(const std::string& status) {
  if (status == "Active" || status == "Inactive") return Status::Ok();
  // AWS-COMPAT: as for access keys, only Active and Inactive can be set.
  return InvalidInput("Invalid status " + status + ": a key can be made Active or Inactive.");
}

}  // namespace

Result<Json> UploadSSHPublicKey(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  SshPublicKeyFacts facts = ParseSshPublicKey(Str(input, "SSHPublicKeyBody"));
  if (facts.problem != SshKeyProblem::kNone) return SshKeyError(facts.problem);
  OT_ASSIGN_OR_RETURN(int64_t same, CountRows(tx,
                                              "SELECT COUNT(*) FROM iam_ssh_public_keys WHERE "
                                              "account_id = ? AND user_id = ? AND fingerprint = ?",
                                              {account, user.user_id, facts.fingerprint}));
  if (same > 0) {
    return InvalidInputError("The SSH public key is already associated with user " + user.name +
                             ".")
        .WithAwsCode("DuplicateSSHPublicKey");
  }
  OT_ASSIGN_OR_RETURN(int64_t count, CountRows(tx,
                                               "SELECT COUNT(*) FROM iam_ssh_public_keys WHERE "
                                               "account_id = ? AND user_id = ?",
                                               {account, user.user_id}));
  if (count >= kSshPublicKeysPerUser) {
    return LimitExceeded("Cannot exceed quota for PublicKeysPerUser: " +
                         std::to_string(kSshPublicKeysPerUser));
  }
  SshKeyRow k{ctx.twin.ids.UniqueId("APKA"),
              facts.ssh,
              facts.pem,
              facts.fingerprint,
              "Active",
              NowSeconds(ctx)};
  OT_RETURN_IF_ERROR(Exec(tx,
                          "INSERT INTO iam_ssh_public_keys (ssh_public_key_id, account_id, "
                          "user_id, ssh_form, pem_form, fingerprint, status, uploaded_at) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?, ?)",
                          {k.id, account, user.user_id, k.ssh_form, k.pem_form, k.fingerprint,
                           k.status, k.uploaded_at}));
  // AWS-COMPAT: the body comes back in ssh-rsa form (without the comment), whatever the upload's.
  return Json{{"SSHPublicKey", SshKeyObject(user.name, k, k.ssh_form)}};
}

Result<Json> GetSSHPublicKey(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(SshKeyRow k,
                      RequireSshKey(tx, account, user.user_id, Str(input, "SSHPublicKeyId")));
  std::string encoding = Str(input, "Encoding");
  if (encoding != "SSH" && encoding != "PEM") {
    return InvalidInputError("Unrecognized encoding " + encoding + ": use SSH or PEM.")
        .WithAwsCode("UnrecognizedPublicKeyEncoding");
  }
  return Json{
      {"SSHPublicKey", SshKeyObject(user.name, k, encoding == "PEM" ? k.pem_form : k.ssh_form)}};
}

Result<Json> ListSSHPublicKeys(gateway::RequestContext& ctx, const Json& input) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  // Without UserName: the calling user's keys (the root user has none).
  OT_ASSIGN_OR_RETURN(CredentialOwner owner, ResolveCredentialOwner(ctx, input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query(std::string(kSshKeyCols) + "WHERE account_id = ? AND user_id = ?",
                               {AccountOf(ctx), owner.user_id}));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (const store::Row& r : rows) {
    SshKeyRow k = SshKeyFromRow(r);
    // Oldest first: the sort key is the zero-padded upload time, then the ID.
    char uploaded[32];
    std::snprintf(uploaded, sizeof(uploaded), "%020.6f", k.uploaded_at);
    items.emplace_back(std::string(uploaded) + k.id, Json{{"UserName", owner.name},
                                                          {"SSHPublicKeyId", k.id},
                                                          {"Status", k.status},
                                                          {"UploadDate", k.uploaded_at}});
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out;
  EmitPage(std::move(items), page, "SSHPublicKeys", out);
  return out;
}

Result<Json> UpdateSSHPublicKey(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  std::string status = Str(input, "Status");
  OT_RETURN_IF_ERROR(CheckKeyStatus(status));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(SshKeyRow k,
                      RequireSshKey(tx, account, user.user_id, Str(input, "SSHPublicKeyId")));
  OT_RETURN_IF_ERROR(Exec(
      tx, "UPDATE iam_ssh_public_keys SET status = ? WHERE ssh_public_key_id = ?", {status, k.id}));
  return Json();
}

Result<Json> DeleteSSHPublicKey(gateway::RequestContext& ctx, const Json& input) {
  const std::string& account = AccountOf(ctx);
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(UserRow user, RequireUser(tx, account, Str(input, "UserName")));
  OT_ASSIGN_OR_RETURN(SshKeyRow k,
                      RequireSshKey(tx, account, user.user_id, Str(input, "SSHPublicKeyId")));
  OT_RETURN_IF_ERROR(
      Exec(tx, "DELETE FROM iam_ssh_public_keys WHERE ssh_public_key_id = ?", {k.id}));
  return Json();
}

}  // namespace orgtwin::services::iam
