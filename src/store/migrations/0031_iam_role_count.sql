-- 0031: accounts.iam_role_count, the number of iam_roles rows of the account, kept by
-- repo/iam_repository.h InsertRole and DeleteRole in the same transaction as the row. CreateRole
-- checks the 1,000-role quota on every call: counting the account's roles each time cost time
-- linear in their number (at 800 roles, a COUNT(*) over the name index was ~40% of a CreateRole),
-- as 0012 found for an organization's members.
ALTER TABLE accounts ADD COLUMN iam_role_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET iam_role_count =
  (SELECT COUNT(*) FROM iam_roles WHERE iam_roles.account_id = accounts.account_id);
