-- 0010: the Account Management API's contacts (services/account/). The primary contact
-- (PutContactInformation: the account's address and phone, AWS-FACTS 5) and the alternate
-- contacts by type (BILLING | OPERATIONS | SECURITY). Setting the primary contact also sets
-- accounts.has_contact_info, which LeaveOrganization requires. Portable SQL.

CREATE TABLE account_contact_information (
  account_id         TEXT PRIMARY KEY REFERENCES accounts (account_id),
  full_name          TEXT NOT NULL,
  address_line1      TEXT NOT NULL,
  address_line2      TEXT,
  address_line3      TEXT,
  city               TEXT NOT NULL,
  state_or_region    TEXT,
  district_or_county TEXT,
  postal_code        TEXT NOT NULL,
  country_code       TEXT NOT NULL,
  phone_number       TEXT NOT NULL,
  company_name       TEXT,
  website_url        TEXT,
  updated_at         DOUBLE PRECISION NOT NULL
);

CREATE TABLE account_alternate_contacts (
  account_id    TEXT NOT NULL REFERENCES accounts (account_id),
  contact_type  TEXT NOT NULL,                                 -- BILLING | OPERATIONS | SECURITY
  name          TEXT NOT NULL,
  title         TEXT NOT NULL,
  email_address TEXT NOT NULL,
  phone_number  TEXT NOT NULL,
  updated_at    DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (account_id, contact_type)
);
