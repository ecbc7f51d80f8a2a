-- 0026: IAM identity providers (OpenID Connect and SAML), server certificates, users' signing
-- certificates, SSH public keys and service-specific credentials (services/iam/
-- identity_providers.cc, certificates.cc, ssh_keys.cc, service_credentials.cc). Tags of providers
-- and server certificates live in iam_tags (entity types 'OIDCProvider', 'SAMLProvider', keyed by
-- ARN, and 'ServerCertificate', keyed by certificate ID). Portable SQL.

-- OpenID Connect providers. The ARN carries the URL's host and path, which make a provider unique
-- in its account; the lists keep the order they were given in, as JSON arrays of strings.
CREATE TABLE iam_oidc_providers (
  arn          TEXT PRIMARY KEY,                -- arn:aws:iam::A:oidc-provider/<host/path>
  account_id   TEXT NOT NULL,
  url          TEXT NOT NULL,                   -- <host/path>, as GetOpenIDConnectProvider shows it
  client_ids   TEXT NOT NULL,                   -- JSON array
  thumbprints  TEXT NOT NULL,                   -- JSON array of 40 hex digits each
  created_at   DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_oidc_providers_account ON iam_oidc_providers (account_id);

-- SAML providers: the metadata document as uploaded, and what IAM read from it.
CREATE TABLE iam_saml_providers (
  arn                  TEXT PRIMARY KEY,        -- arn:aws:iam::A:saml-provider/<name>
  account_id           TEXT NOT NULL,
  provider_name        TEXT NOT NULL,
  provider_uuid        TEXT NOT NULL,           -- SAMLProviderUUID
  metadata_document    TEXT NOT NULL,
  entity_id            TEXT NOT NULL,           -- the IdP's entityID (the SAML issuer)
  signing_certificates TEXT NOT NULL,           -- base64 DER, one per line, in document order
  valid_until          DOUBLE PRECISION NOT NULL,
  encryption_mode      TEXT,                    -- AssertionEncryptionMode; NULL = never set
  created_at           DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_saml_providers_account ON iam_saml_providers (account_id);

-- The private keys a SAML provider decrypts assertions with (at most two).
CREATE TABLE iam_saml_private_keys (
  arn         TEXT NOT NULL,
  key_id      TEXT NOT NULL,
  private_key TEXT NOT NULL,                    -- PEM
  created_at  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (arn, key_id)
);

-- Server certificates (UploadServerCertificate); names are unique case-insensitively.
CREATE TABLE iam_server_certificates (
  server_certificate_id TEXT PRIMARY KEY,       -- ASCA + 17
  account_id            TEXT NOT NULL,
  certificate_name      TEXT NOT NULL,
  certificate_name_lower TEXT NOT NULL,
  path                  TEXT NOT NULL,
  certificate_body      TEXT NOT NULL,
  certificate_chain     TEXT,
  private_key           TEXT NOT NULL,
  expires_at            DOUBLE PRECISION NOT NULL, -- the certificate's notAfter
  uploaded_at           DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX iam_server_certificates_name
  ON iam_server_certificates (account_id, certificate_name_lower);

-- Signing certificates of IAM users ('' = the root user).
CREATE TABLE iam_signing_certificates (
  certificate_id   TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  certificate_body TEXT NOT NULL,
  certificate_der  TEXT NOT NULL,               -- base64: the same certificate in any PEM layout
  status           TEXT NOT NULL,               -- Active | Inactive
  uploaded_at      DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_signing_certificates_user ON iam_signing_certificates (account_id, user_id);

-- SSH public keys of IAM users (CodeCommit).
CREATE TABLE iam_ssh_public_keys (
  ssh_public_key_id TEXT PRIMARY KEY,           -- APKA + 16
  account_id        TEXT NOT NULL,
  user_id           TEXT NOT NULL,
  ssh_form          TEXT NOT NULL,              -- "ssh-rsa AAAA..."
  pem_form          TEXT NOT NULL,              -- SubjectPublicKeyInfo PEM
  fingerprint       TEXT NOT NULL,
  status            TEXT NOT NULL,
  uploaded_at       DOUBLE PRECISION NOT NULL
);
CREATE INDEX iam_ssh_public_keys_user ON iam_ssh_public_keys (account_id, user_id);

-- Service-specific credentials (CodeCommit and Keyspaces passwords, Bedrock API keys).
CREATE TABLE iam_service_credentials (
  credential_id     TEXT PRIMARY KEY,           -- ACCA + 17
  account_id        TEXT NOT NULL,
  user_id           TEXT NOT NULL,
  service_name      TEXT NOT NULL,
  service_user_name TEXT NOT NULL,              -- the user name, or the alias of an API key
  secret            TEXT NOT NULL,
  status            TEXT NOT NULL,
  created_at        DOUBLE PRECISION NOT NULL,
  expires_at        DOUBLE PRECISION            -- NULL: never
);
CREATE INDEX iam_service_credentials_user ON iam_service_credentials (account_id, user_id);
