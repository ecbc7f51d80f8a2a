-- 0006: last use of an access key (IAM GetAccessKeyLastUsed). Written off the request path, at
-- most once a minute per key (services/identity/credential_store.h).
ALTER TABLE access_keys ADD COLUMN last_used_at DOUBLE PRECISION;
ALTER TABLE access_keys ADD COLUMN last_used_service TEXT;
ALTER TABLE access_keys ADD COLUMN last_used_region TEXT;
