#include "services/twin/default_account.h"

#include "repo/account_repository.h"

namespace orgtwin::services {
namespace {

constexpr char kDefaultAccountName[] = "orgtwin-default";

std::string DefaultEmail(const std::string& account_id) {
  return "root+" + account_id + "@orgtwin.local";
}

Result<std::string> ReadSetting(store::Transaction& tx, const std::string& name) {
  OT_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT value FROM server_settings WHERE name = ?", {name}));
  return rows.empty() ? std::string() : rows.front().Text(0);
}

Status WriteSetting(store::Transaction& tx, const std::string& name, const std::string& value) {
  OT_ASSIGN_OR_RETURN(
      [[maybe_unused]] int64_t changed,
      tx.Execute("INSERT INTO server_settings (name, value) VALUES (?, ?)", {name, value}));
  return Status::Ok();
}

Status InsertAccount(store::Transaction& tx, const Clock& clock, const DefaultAccount& account) {
  repo::AccountRow row;
  row.account_id = account.account_id;
  row.email = account.email;
  row.name = kDefaultAccountName;
  row.created_at = ToEpochSeconds(clock.Now());
  return repo::InsertAccount(tx, row);
}

}  // namespace

const std::vector<std::string>& TwinKeptTables() {
  // store_revision and twin_clock (0029): several nodes' cache coherence, and the adjustable
  // clock, which a reset does not turn back.
  static const std::vector<std::string> kTables = {"trail_callers", "store_revision", "twin_clock"};
  return kTables;
}

const std::vector<std::string>& TwinStateTables() {
  static const std::vector<std::string> kTables = {
      // IAM identity providers, certificates, SSH keys, service-specific credentials (0026)
      "iam_oidc_providers", "iam_saml_private_keys", "iam_saml_providers",
      "iam_server_certificates", "iam_signing_certificates", "iam_ssh_public_keys",
      "iam_service_credentials",
      // Consolidated billing: charges and the payer history (0025)
      "billing_charges", "billing_payer_periods",
      // CloudTrail trails (0022) and EventBridge's default bus (0020)
      "cloudtrail_trail_tags", "cloudtrail_trails", "events_tags", "events_targets", "events_rules",
      // SNS topics, subscriptions, messages and the delivery outbox (0021)
      "sns_deliveries", "sns_messages", "sns_subscriptions", "sns_topic_tags", "sns_topics",
      // Centralized root access: IAM's organization features (0018)
      "org_root_features",
      "account_regions",  // Account Management API Region opt-in (0017)
      // Root sign-in and recovery, parties, the trail (0016)
      "party_factors", "parties", "trail_events", "one_time_tokens", "phone_calls",
      "mailbox_messages",
      // Account Management API contacts (0010)
      "account_alternate_contacts", "account_contact_information",
      // Organizations responsibility transfers (0014)
      "org_responsibility_transfers",
      // IAM instance profiles, SLR deletion tasks, credential reports, password history (0007)
      "iam_password_history", "iam_credential_reports", "iam_slr_deletion_tasks",
      "iam_instance_profile_roles", "iam_instance_profiles",
      // IAM credentials (0005) and STS sessions (0004)
      "iam_account_aliases", "iam_password_policies", "iam_mfa_devices", "iam_login_profiles",
      "sts_sessions",
      // Organizations (0003)
      "org_tags", "org_delegated_admins", "org_trusted_services", "org_resource_policies",
      "org_handshakes", "org_policy_attachments", "org_policies", "org_create_account_status",
      "org_accounts", "org_units", "org_root_policy_types", "org_roots", "organizations",
      // IAM (0002)
      "iam_tags", "iam_inline_policies", "iam_attachments", "iam_policy_versions", "iam_policies",
      "iam_group_members", "iam_groups", "iam_roles", "iam_users", "access_keys", "accounts",
      "server_settings"};
  return kTables;
}

Result<DefaultAccount> EnsureDefaultAccount(store::Store& store, CredentialStore& credentials,
                                            IdGenerator& ids, const Clock& clock,
                                            const std::string& account_id) {
  OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kWrite));
  OT_ASSIGN_OR_RETURN(std::string stored_id, ReadSetting(*tx, "default_account_id"));
  DefaultAccount account;
  if (!stored_id.empty()) {
    if (stored_id != account_id) {
      return InvalidInputError("the data directory was initialized with default account `" +
                               stored_id + "`, not `" + account_id + "`");
    }
    OT_ASSIGN_OR_RETURN(std::string key_id, ReadSetting(*tx, "default_root_access_key_id"));
    OT_ASSIGN_OR_RETURN(auto stored, repo::FindAccount(*tx, account_id));
    OT_RETURN_IF_ERROR(tx->Commit());
    OT_ASSIGN_OR_RETURN(auto key, credentials.Lookup(key_id));
    if (!key.has_value() || !stored.has_value()) {
      return InternalError("default account `" + account_id + "` is missing its root key");
    }
    account.account_id = account_id;
    account.email = stored->email;
    account.root_key = *key;
    return account;
  }
  account.account_id = account_id;
  account.email = DefaultEmail(account_id);
  account.created_now = true;
  OT_RETURN_IF_ERROR(InsertAccount(*tx, clock, account));
  OT_ASSIGN_OR_RETURN(account.root_key,
                      credentials.CreateRootAccessKey(*tx, ids, clock, account_id));
  OT_RETURN_IF_ERROR(WriteSetting(*tx, "default_account_id", account_id));
  OT_RETURN_IF_ERROR(
      WriteSetting(*tx, "default_root_access_key_id", account.root_key.access_key_id));
  OT_RETURN_IF_ERROR(tx->Commit());
  return account;
}

Status ResetTwin(store::Transaction& tx, CredentialStore& credentials, const Clock& clock,
                 const DefaultAccount& account) {
  for (const std::string& table : TwinStateTables()) {
    OT_ASSIGN_OR_RETURN([[maybe_unused]] int64_t changed, tx.Execute("DELETE FROM " + table));
  }
  OT_RETURN_IF_ERROR(InsertAccount(tx, clock, account));
  OT_RETURN_IF_ERROR(credentials.InsertRootAccessKey(tx, clock, account.account_id,
                                                     account.root_key.access_key_id,
                                                     account.root_key.secret_access_key));
  OT_RETURN_IF_ERROR(WriteSetting(tx, "default_account_id", account.account_id));
  OT_RETURN_IF_ERROR(
      WriteSetting(tx, "default_root_access_key_id", account.root_key.access_key_id));
  tx.AfterCommit([&credentials] { credentials.Invalidate(); });
  return Status::Ok();
}

Status ResetTwin(store::Store& store, CredentialStore& credentials, const Clock& clock,
                 const DefaultAccount& account) {
  OT_ASSIGN_OR_RETURN(auto tx, store.Begin(store::TxMode::kWrite));
  OT_RETURN_IF_ERROR(ResetTwin(*tx, credentials, clock, account));
  return tx->Commit();
}

}  // namespace orgtwin::services
